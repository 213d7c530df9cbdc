"""plexus.Network: the core's behaviour again through Python, the exception classes, numpy
conversions, fit, pickling, threads, and model files shared bitwise with C."""
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import plexus

# Part of the wheel's smoke set (Tests/python/test_wheel.sh).
pytestmark = pytest.mark.smoke

REPOSITORY = Path(__file__).resolve().parents[2]


def xor_data():
    return np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32), np.array([[0], [1], [1], [0]], np.float32)


# ----- the seeds' examples ---------------------------------------------------------------------------
def test_seed004_step_by_step():
    net = plexus.Network([2, 2, 1], "identity", loss="quadratic", bias=False).sgd(0.05)
    net.set_weights(1, [[0.11, 0.21], [0.12, 0.08]])
    net.set_weights(2, [[0.14, 0.15]])
    assert net.forward([2, 3]) == pytest.approx([0.191], abs=1e-6)
    assert net.backward([1]) == pytest.approx(0.3272405, abs=1e-6)
    np.testing.assert_allclose(net.grads, [-0.22652, -0.33978, -0.2427, -0.36405, -0.68765, -0.38832], atol=2e-6)
    net.step()
    np.testing.assert_allclose(net.params, [0.121326, 0.226989, 0.132135, 0.0982025, 0.1743825, 0.169416], atol=1e-6)
    assert net.predict([2, 3]) == pytest.approx([0.2557458], abs=1e-6)


def test_seed001_first_feature_decides():
    x = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1], [0, 1, 0], [1, 0, 1], [0, 0, 0]])
    y = np.array([[1], [1], [0], [0], [0], [1], [0]])
    net = plexus.Network([3, 4, 1], ["tanh", "sigmoid"], seed=1).sgd(0.5)
    history = net.fit(x, y, epochs=2000, batch_size=3, shuffle_seed=7, progress=False)
    assert history[-1] < history[0] / 10
    assert net.predict([1, 1, 1])[0] > 0.9


def test_seed003_five_two_two_five_sigmoid():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (40, 5))
    y = np.column_stack([x[:, 0], x[:, 1], (x[:, 0] + x[:, 1]) / 2, 1 - x[:, 0], 1 - x[:, 1]])
    net = plexus.Network([5, 2, 2, 5], "sigmoid", seed=3).sgd(1.0)
    history = net.fit(x, y, epochs=3000, batch_size=8, shuffle_seed=3, progress=False)
    assert history[-1] < 0.25 * history[0]


def test_xor_with_explicit_loop():
    x, y = xor_data()
    net = plexus.Network([2, 4, 1], ["tanh", "sigmoid"], loss="binary_cross_entropy", seed=42).sgd(0.5, 0.9)
    for _ in range(2000):
        net.forward(x)
        net.backward(y)
        net.step()
    np.testing.assert_allclose(net.predict(x), y, atol=0.1)


# ----- behaviour -----------------------------------------------------------------------------------
def test_accumulation_and_zero_grads():
    net = plexus.Network([3, 4, 2], ["sigmoid", "identity"], seed=1)
    x, y = np.ones((2, 3)), np.zeros((2, 2))
    net.forward(x)
    net.backward(y)
    once = net.grads
    net.backward(y)
    np.testing.assert_allclose(net.grads, 2 * once, rtol=1e-6)
    net.zero_grads()
    assert not net.grads.any()


def test_same_seed_same_network_and_training():
    def run():
        net = plexus.Network([5, 7, 3], ["relu", "softmax"], loss="cross_entropy", seed=99).adam(0.01)
        rng = np.random.default_rng(0)
        net.fit(rng.normal(size=(30, 5)), rng.integers(0, 3, 30), epochs=3, batch_size=8, shuffle_seed=5, progress=False)
        return net.params
    assert run().tobytes() == run().tobytes()
    assert not np.array_equal(plexus.Network([5, 3], "relu", seed=1).params, plexus.Network([5, 3], "relu", seed=2).params)


def test_numpy_in_numpy_out():
    net = plexus.Network([3, 2], "identity", seed=4)
    one = net.predict([1, 2, 3])                          # a list, one sample
    assert one.shape == (2,) and one.dtype == np.float32
    batch = net.predict(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float64))
    assert batch.shape == (2, 2)
    np.testing.assert_array_equal(batch[0], one)
    strided = np.arange(12, dtype=np.float32).reshape(2, 6)[:, ::2]   # not C-contiguous
    np.testing.assert_array_equal(net.predict(strided), net.predict(np.ascontiguousarray(strided)))
    w, b = net.get_weights(1)
    assert w.shape == (2, 3) and b.shape == (2,)
    assert "sizes=[3, 2]" in repr(net) and "identity" in repr(net)


def test_integer_labels_become_one_hot():
    net = plexus.Network([2, 3], "softmax", loss="cross_entropy", seed=1)
    x = np.array([[0.1, 0.2], [0.3, -0.1]])
    net.forward(x)
    from_labels = net.backward(np.array([2, 0]))
    grads = net.grads
    net.zero_grads()
    net.forward(x)
    assert net.backward(np.array([[0, 0, 1], [1, 0, 0]], np.float32)) == from_labels
    np.testing.assert_array_equal(net.grads, grads)
    with pytest.raises(plexus.ArgumentError, match="outside 0..2"):
        net.fit(x, np.array([0, 3]), epochs=1, progress=False)


def test_fit_progress_callback_and_errors(capsys, monkeypatch):
    x, y = xor_data()
    net = plexus.Network([2, 4, 1], ["tanh", "sigmoid"], seed=2)
    seen = []
    monkeypatch.setitem(sys.modules, "tqdm", None)          # as if tqdm were not installed
    history = net.fit(x, y, epochs=50, batch_size=2, callback=lambda e, loss: seen.append(e) or e == 9)
    assert len(history) == 10 and seen == list(range(10))
    assert "epoch 10/50" in capsys.readouterr().err      # the plain progress bar
    monkeypatch.undo()
    pytest.importorskip("tqdm")
    net.fit(x, y, epochs=50, batch_size=2, callback=lambda e, loss: e == 9)
    assert "10/50" in capsys.readouterr().err            # tqdm.auto's bar (a text bar outside Jupyter)

    def broken(epoch, loss):
        raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback"):
        net.fit(x, y, epochs=5, progress=False, callback=broken)


# ----- exceptions ----------------------------------------------------------------------------------
def test_each_exception_class(tmp_path):
    net = plexus.Network([2, 3, 1], ["relu", "sigmoid"])
    with pytest.raises(plexus.ArgumentError) as info:
        net.forward([[np.nan, 1]])
    assert isinstance(info.value, ValueError) and info.value.status == 1 and "x[0][0] is nan" in info.value.message
    with pytest.raises(plexus.ArgumentError, match="not one of"):
        plexus.Network([2, 1], ["swish"])
    with pytest.raises(plexus.ArgumentError, match="softmax"):
        net.loss = "cross_entropy"
    with pytest.raises(plexus.ShapeError, match=r"expects \(2,\) or \(batch, 2\)") as info:
        net.predict(np.zeros((4, 3)))
    assert isinstance(info.value, ValueError) and info.value.status == 2
    with pytest.raises(plexus.ShapeError, match="needs \\(3, 2\\)"):
        net.set_weights(1, np.zeros((2, 3)))
    with pytest.raises(plexus.StateError, match="forward") as info:
        plexus.Network([2, 1], "identity").backward([[1.0]])
    assert isinstance(info.value, RuntimeError) and info.value.status == 3
    with pytest.raises(plexus.FileError) as info:
        net.save(tmp_path / "missing" / "m.safetensors")
    assert isinstance(info.value, OSError) and "No such file or directory" in info.value.message
    (tmp_path / "junk").write_bytes(b"not a model at all")
    with pytest.raises(plexus.FormatError) as info:
        plexus.Network.load(tmp_path / "junk")
    assert isinstance(info.value, ValueError) and info.value.status == 5
    with pytest.raises(plexus.OutOfMemoryError) as info:
        plexus.Network([2**30, 2**30], "identity")
    assert isinstance(info.value, MemoryError) and info.value.status == 6
    big = plexus.Network([1, 1], "identity").sgd(1e25)
    big.forward([1e10])
    big.backward([0])
    with pytest.raises(plexus.NumericError) as info:
        big.step()
    assert isinstance(info.value, ArithmeticError) and info.value.status == 7
    closed = plexus.Network([1, 1], "identity")
    closed.close()
    closed.close()
    with pytest.raises(plexus.StateError, match="closed"):
        closed.predict([1])
    assert all(issubclass(c, plexus.PlexusError) for c in (plexus.ArgumentError, plexus.NumericError))


# ----- pickling, threads, files ----------------------------------------------------------------------
def test_pickle_round_trip_keeps_training_state():
    x, y = xor_data()
    net = plexus.Network([2, 4, 1], ["tanh", "sigmoid"], seed=3).adam(0.05)
    net.fit(x, y, epochs=5, batch_size=2, progress=False)
    copy = pickle.loads(pickle.dumps(net))
    assert copy.optimizer == net.optimizer and copy.activations == net.activations
    net.fit(x, y, epochs=5, batch_size=2, shuffle_seed=1, progress=False)
    copy.fit(x, y, epochs=5, batch_size=2, shuffle_seed=1, progress=False)
    assert copy.params.tobytes() == net.params.tobytes()


def test_predict_from_many_threads_matches_serial():
    net = plexus.Network([64, 128, 10], ["relu", "softmax"], seed=6)
    x = np.random.default_rng(0).normal(size=(256, 64)).astype(np.float32)
    serial = net.predict(x)
    results, errors = [], []

    def work():
        try:
            for _ in range(50):
                results.append(net.predict(x))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 400
    assert all(r.tobytes() == serial.tobytes() for r in results)


def test_one_sample_predict_fast_path_matches_the_batch_path():
    """One sample goes through per-thread buffers after the first call; every input kind must give
    the batch path's bits, anything else the same errors, and a closed network must not be reached."""
    import array
    net = plexus.Network([3, 5, 2], ["tanh", "sigmoid"], seed=4)
    rows = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    batch = net.predict(rows)
    for _ in range(2):      # the first call prepares the buffers, the second uses them
        for i, row in enumerate(rows):
            strided = np.repeat(row, 2)[::2]
            for kind in (row, strided, row.astype(np.float64), row.tolist(), array.array("f", row.tolist())):
                out = net.predict(kind)
                assert out.shape == (2,) and out.tobytes() == batch[i].tobytes(), type(kind)
    first = net.predict(rows[0])
    net.predict(rows[1])
    assert first.tobytes() == batch[0].tobytes()            # each call returns its own array
    assert net.predict(rows[:1]).shape == (1, 2)             # a (1, n) batch stays 2-D
    with pytest.raises(plexus.ShapeError, match=r"expects \(3,\) or \(batch, 3\)"):
        net.predict(np.zeros(4, np.float32))
    with pytest.raises(plexus.ArgumentError, match="nan"):
        net.predict(np.array([0, np.nan, 0], np.float32))
    results = {}

    def work(k):
        results[k] = [net.predict(rows[k]).tobytes() for _ in range(2000)]
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(set(results[k]) == {batch[k].tobytes()} for k in range(4))
    net.close()
    with pytest.raises(plexus.StateError, match="closed"):
        net.predict(rows[0])


def model_tool() -> str:
    tool = os.environ.get("PLEXUS_MODEL_TOOL") or str(REPOSITORY / "build" / "model_tool")
    if not Path(tool).exists():
        if os.environ.get("PLEXUS_MODEL_TOOL"):
            pytest.fail(f"PLEXUS_MODEL_TOOL={tool} does not exist")
        pytest.skip("build/model_tool is not built (make test builds it)")
    return tool


def test_python_model_predicts_bitwise_in_c(tmp_path):
    net = plexus.Network([4, 16, 3], ["leaky_relu", "softmax"], loss="cross_entropy", seed=8).adam(0.01)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 4)).astype(np.float32)
    net.fit(x, rng.integers(0, 3, 50), epochs=5, batch_size=8, progress=False)
    net.save(tmp_path / "py.safetensors")
    x.tofile(tmp_path / "x.f32")
    subprocess.run([model_tool(), "predict", str(tmp_path / "py.safetensors"), str(tmp_path / "x.f32"), "50",
                    str(tmp_path / "y.f32")], check=True)
    from_c = np.fromfile(tmp_path / "y.f32", np.float32).reshape(50, 3)
    assert from_c.tobytes() == net.predict(x).tobytes()


def test_c_model_predicts_bitwise_in_python(tmp_path):
    paths = [str(tmp_path / n) for n in ("c.safetensors", "x.f32", "y.f32")]
    subprocess.run([model_tool(), "make", *paths], check=True)
    net = plexus.Network.load(paths[0])
    x = np.fromfile(paths[1], np.float32).reshape(-1, 3)
    assert net.predict(x).tobytes() == np.fromfile(paths[2], np.float32).tobytes()
    assert net.optimizer["name"] == "adam" and net.loss == "cross_entropy"


def test_a_second_copy_of_the_library_in_one_process(tmp_path):
    """The package's library and a copy at another path, both loaded by ctypes, work side by side."""
    import ctypes
    import shutil
    source = os.environ.get("PLEXUS_LIBRARY_COPY") or str(plexus.library_path)
    copy_path = tmp_path / "libplexus-second.so"
    shutil.copy(source, copy_path)
    second = ctypes.CDLL(str(copy_path))
    second.plexus_create.restype = ctypes.c_int
    second.plexus_create.argtypes = [ctypes.c_void_p] * 2 + [ctypes.c_size_t, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_void_p]
    second.plexus_predict.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    second.plexus_free.argtypes = [ctypes.c_void_p]
    sizes = (ctypes.c_uint32 * 3)(4, 16, 2)
    acts = (ctypes.c_int * 2)(2, 5)
    handle = ctypes.c_void_p()
    assert second.plexus_create(ctypes.addressof(sizes), ctypes.addressof(acts), 3, 0, 9, ctypes.addressof(handle)) == 0
    x = np.random.default_rng(4).normal(size=(5, 4)).astype(np.float32)
    y = np.empty((5, 2), np.float32)
    assert second.plexus_predict(handle, x.ctypes.data, 5, y.ctypes.data) == 0
    second.plexus_free(handle)
    net = plexus.Network([4, 16, 2], ["tanh", "softmax"], seed=9)
    assert net.predict(x).tobytes() == y.tobytes()


@pytest.mark.slow
def test_digits_example_reaches_95_percent(tmp_path):
    pytest.importorskip("sklearn")
    import sys
    result = subprocess.run([sys.executable, str(REPOSITORY / "bindings" / "python" / "examples" / "digits.py"),
                             str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    accuracy = float(result.stdout.split("test accuracy: ")[1].split("%")[0])
    assert accuracy >= 95.0
    assert (tmp_path / "digits.safetensors").exists()
    assert plexus.Network.load(tmp_path / "digits.safetensors").sizes == [64, 64, 10]


def test_thread_setting_round_trips_and_refuses_bad_counts():
    initial = plexus.get_threads()
    assert initial >= 1
    try:
        plexus.set_threads(1)
        assert plexus.get_threads() == 1
        plexus.set_threads(2)
        assert plexus.get_threads() == 2
        for bad in (0, -1, 1025, 2**40):
            with pytest.raises(plexus.ArgumentError, match="threads is"):
                plexus.set_threads(bad)
        with pytest.raises(TypeError):
            plexus.set_threads(1.5)
        assert plexus.get_threads() == 2
    finally:
        plexus.set_threads(initial)
