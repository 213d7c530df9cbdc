"""Issue 35: classes that are fixed once and travel with the model, integers that never wrap,
the L2 penalty on weights, messages that say what to do, and `python -m plexus train`."""
import copy
import ctypes
import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

import plexus
from plexus import _capi
from plexus._capi import lib

IRIS_NAMES = np.array(["setosa", "versicolor", "virginica"])


def iris():
    sklearn = pytest.importorskip("sklearn.datasets")
    x, y = sklearn.load_iris(return_X_y=True)
    order = np.random.default_rng(0).permutation(150)
    return x[order].astype(np.float32), y[order]


def iris_net():
    return plexus.Network([4, 16, 3], ["relu", "softmax"], loss="cross_entropy", seed=1).adam(0.01)


# ----- classes ----------------------------------------------------------------------------------

def test_a_validation_set_lacking_a_class_uses_the_training_mapping():
    """The report's case: string labels, a validation set without "setosa". The network trained
    with names is bitwise the one trained with the full mapping's integer labels."""
    x, y = iris()
    names = IRIS_NAMES[y]
    keep = names[120:] != "setosa"
    x_val = x[120:][keep]
    by_name = iris_net()
    history = by_name.fit(x[:120], names[:120], 60, batch_size=16, progress=False, standardize=True,
                          validation_data=(x_val, names[120:][keep]))
    by_index = iris_net()
    by_index.fit(x[:120], y[:120], 60, batch_size=16, progress=False, standardize=True,
                 validation_data=(x_val, y[120:][keep]))
    assert by_name.params.tobytes() == by_index.params.tobytes()
    assert list(by_name.classes) == list(IRIS_NAMES) and by_index.classes is None
    assert min(history.val_accuracy) < 1 and max(history.val_accuracy) == 1.0
    assert np.mean(by_name.predict(x).argmax(axis=1) == y) > 0.9


def test_classes_survive_every_path_and_c_reads_them(tmp_path):
    x, y = iris()
    net = iris_net()
    net.fit(x[:40], IRIS_NAMES[y[:40]], 2, progress=False)
    net.save(tmp_path / "m.safetensors")
    copies = [plexus.Network.load(tmp_path / "m.safetensors"), plexus.Network.from_bytes(net.to_bytes()),
              pickle.loads(pickle.dumps(net)), copy.deepcopy(net)]
    for other in copies:
        assert list(other.classes) == list(IRIS_NAMES)
    # From C: plexus_get_metadata on a net loaded from the file.
    status, handle = _capi.load(str(tmp_path / "m.safetensors").encode())
    assert status == 0
    try:
        needed = ctypes.c_size_t()
        assert lib.plexus_get_metadata(handle, b"plexus.classes", None, 0, ctypes.addressof(needed)) == 0
        buffer = ctypes.create_string_buffer(needed.value)
        assert lib.plexus_get_metadata(handle, b"plexus.classes", buffer, needed.value, None) == 0
        assert json.loads(buffer.value.decode()) == list(IRIS_NAMES)
    finally:
        lib.plexus_free(handle)


def test_the_first_fit_fixes_the_classes_and_later_calls_keep_them():
    x, y = iris()
    net = iris_net()
    net.fit(x[:30], IRIS_NAMES[y[:30]], 1, progress=False)
    before = net.params
    subset = IRIS_NAMES[y[:30]] != "setosa"      # a later fit on two of the classes keeps the mapping
    net.fit(x[:30][subset], IRIS_NAMES[y[:30]][subset], 1, progress=False)
    assert list(net.classes) == list(IRIS_NAMES) and not np.array_equal(before, net.params)
    with pytest.raises(plexus.ArgumentError, match=r"the label 'rose', which is not one of the network's classes "
                                                   r"\['setosa', 'versicolor', 'virginica'\]"):
        net.train_step(x[:2], ["rose", "setosa"])
    with pytest.raises(plexus.ArgumentError, match="differ from the network's classes"):
        net.fit(x[:3], IRIS_NAMES[y[:3]], 1, progress=False, classes=["a", "b", "c"])
    # Integer labels stay the output's index, with or without classes.
    net.fit(x[:3], y[:3], 1, progress=False)
    assert list(net.classes) == list(IRIS_NAMES)


def test_classes_given_before_the_first_fit_decide_the_order():
    x, y = iris()
    order = ["virginica", "setosa", "versicolor"]
    explicit = iris_net()
    explicit.fit(x[:60], IRIS_NAMES[y[:60]], 3, progress=False, classes=order)
    assert list(explicit.classes) == order
    by_index = iris_net()
    by_index.fit(x[:60], np.array([order.index(n) for n in IRIS_NAMES[y[:60]]]), 3, progress=False)
    assert explicit.params.tobytes() == by_index.params.tobytes()
    preset = iris_net()
    preset.classes = order
    preset.fit(x[:60], IRIS_NAMES[y[:60]], 3, progress=False)
    assert preset.params.tobytes() == explicit.params.tobytes()
    fewer = iris_net()
    with pytest.raises(plexus.ArgumentError, match=r"y names 2 classes \('setosa', 'versicolor'\) but the network has 3"):
        fewer.fit(x[:60][y[:60] < 2], IRIS_NAMES[y[:60][y[:60] < 2]], 1, progress=False)
    assert fewer.classes is None     # a refused fit fixes nothing


def test_the_library_checks_the_classes_key():
    net = iris_net()
    for value, message in [('["a","b"]', "names 2 classes but the network has 3 outputs"),
                           ('["a","a","b"]', 'names the class "a" twice'),
                           ('["a","b",3]', r"plexus.classes\[2\] is not a string"),
                           ('{"a": 1}', "is not a JSON array"),
                           ('["a","b"', "is not valid JSON")]:
        with pytest.raises(plexus.ArgumentError, match=message):
            net.metadata["plexus.classes"] = value
        assert "plexus.classes" not in net.metadata
    with pytest.raises(plexus.ArgumentError, match="reserved"):
        net.metadata["plexus.other"] = "x"
    net.metadata["plexus.classes"] = '["a","b","\\u00e9"]'
    assert list(net.classes) == ["a", "b", "é"]
    net.classes = None
    assert net.classes is None and len(net.metadata) == 0
    with pytest.raises(TypeError, match="classes must be str"):
        net.classes = [0, 1, 2]


def test_a_file_with_bad_classes_is_refused(tmp_path):
    net = iris_net()
    net.classes = ["a", "b", "c"]
    data = net.to_bytes()
    tampered = data.replace(b'\\"c\\"]', b'\\"a\\"]')
    assert tampered != data
    with pytest.raises(plexus.FormatError, match="classes are invalid"):
        plexus.Network.from_bytes(tampered)


def test_one_sigmoid_output_learns_two_named_classes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 2)).astype(np.float32)
    names = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    net = plexus.Network([2, 8, 1], ["tanh", "sigmoid"], loss="binary_cross_entropy", seed=0).adam(0.05)
    net.fit(x, names, 60, batch_size=16, progress=False)
    assert list(net.classes) == ["no", "yes"]
    guess = net.classes[(net.predict(x)[:, 0] > 0.5).astype(int)]
    assert np.mean(guess == names) > 0.9


# ----- integers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("keyword, value, error, message", [
    ("epochs", 2**64 + 3, plexus.ArgumentError, "epochs is 18446744073709551619"),
    ("epochs", 2**64, plexus.ArgumentError, "epochs is 18446744073709551616"),
    ("epochs", 0, plexus.ArgumentError, "epochs is 0"),
    ("epochs", 2.7, TypeError, r"epochs must be an integer, not float \(2.7\)"),
    ("epochs", 3.0, TypeError, "epochs must be an integer, not float"),
    ("epochs", True, TypeError, "epochs must be an integer, not bool"),
    ("epochs", "3", TypeError, "epochs must be an integer, not str"),
    ("batch_size", 2**64 + 4, plexus.ArgumentError, "batch_size is 18446744073709551620"),
    ("batch_size", np.float64(4), TypeError, "batch_size must be an integer"),
    ("shuffle_seed", -1, plexus.ArgumentError, "shuffle_seed is -1"),
    ("shuffle_seed", 2**64, plexus.ArgumentError, "shuffle_seed is 18446744073709551616"),
    ("early_stopping", 1.0, TypeError, "early_stopping must be an integer"),
    ("early_stopping", -1, plexus.ArgumentError, "early_stopping is -1"),
    ("lr_schedule", ("step", 2.0, 0.5), TypeError, "step_size must be an integer"),
])
def test_fit_takes_integers_only_and_never_wraps_them(keyword, value, error, message):
    x = np.zeros((4, 2), np.float32)
    net = plexus.Network([2, 1], "identity", seed=0).sgd(0.1)
    before = net.params
    arguments = {"epochs": 1, keyword: value}
    with pytest.raises(error, match=message):
        net.fit(x, np.zeros(4), progress=False, **arguments)
    assert net.params.tobytes() == before.tobytes()


def test_numpy_integers_are_integers_and_every_seed_takes_the_same_range():
    x = np.zeros((4, 2), np.float32)
    net = plexus.Network(np.array([2, 3, 1]), ["relu", "identity"], seed=np.uint64(2**64 - 1))
    net.fit(x, np.zeros(4), np.int32(2), batch_size=np.int64(2), shuffle_seed=np.uint64(2**64 - 1), progress=False)
    for seed in (-1, 2**64):
        with pytest.raises(plexus.ArgumentError, match=f"seed is {seed}"):
            plexus.Network([2, 1], "identity", seed=seed)
        with pytest.raises(plexus.ArgumentError, match=f"shuffle_seed is {seed}"):
            net.fit(x, np.zeros(4), 1, shuffle_seed=seed, progress=False)


def test_sizes_layers_and_counts_refuse_floats_and_bools():
    with pytest.raises(TypeError, match=r"sizes\[1\] must be an integer, not float \(3.5\)"):
        plexus.Network([2, 3.5, 1], "relu")
    with pytest.raises(TypeError, match=r"sizes\[0\] must be an integer, not bool"):
        plexus.Network([True, 1], "relu")
    with pytest.raises(plexus.ArgumentError, match=r"sizes\[1\] is 2147483648"):
        plexus.Network([2, 2**31], "relu")
    net = plexus.Network([2, 3, 1], ["relu", "identity"])
    with pytest.raises(TypeError, match="layer must be an integer"):
        net.get_weights(1.0)
    with pytest.raises(TypeError, match="layer must be an integer"):
        net.set_dropout(True, 0.1)
    with pytest.raises(TypeError, match="max_parameters must be an integer"):
        net.export_c(".", "m", max_parameters=1.5)


# ----- the L2 penalty on weights -------------------------------------------------------------------

def test_the_l2_penalty_adds_lambda_w_to_the_weights_gradients_only():
    """One SGD step with the penalty equals, against a numpy reference, the step without it plus
    lr·λ·W on the weights and nothing on the biases; and λ·W is the central difference of (λ/2)‖W‖²."""
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=(5, 2)).astype(np.float32)
    lr, lam = 0.1, 0.25
    plain = plexus.Network([3, 4, 2], ["tanh", "identity"], seed=7).sgd(lr)
    penalised = plexus.Network([3, 4, 2], ["tanh", "identity"], seed=7).sgd(lr).set_l2_penalty(lam)
    assert penalised.l2_penalty == lam and plain.l2_penalty == 0
    start = [penalised.get_weights(layer) for layer in (1, 2)]
    plain.forward(x)
    plain.backward(y)
    grads = plain.grads.astype(np.float64)
    plain.step()
    penalised.train_step(x, y)
    offset = 0
    for layer, (w, b) in enumerate(start, start=1):
        g_w = grads[offset:offset + w.size].reshape(w.shape)
        offset += w.size
        g_b = grads[offset:offset + b.size]
        offset += b.size
        got_w, got_b = penalised.get_weights(layer)
        np.testing.assert_allclose(got_w, w - lr * (g_w + lam * w), rtol=0, atol=2e-6)
        np.testing.assert_allclose(got_b, b - lr * g_b, rtol=0, atol=2e-6)
        # The gradient of the penalty (λ/2)Σw² is λw, by central differences.
        h, flat = 1e-3, w.astype(np.float64).ravel()
        bumped = [(lam / 2) * np.sum((flat + h * e) ** 2) - (lam / 2) * np.sum((flat - h * e) ** 2)
                  for e in np.eye(flat.size)[:3]]
        np.testing.assert_allclose(np.array(bumped) / (2 * h), lam * flat[:3], rtol=1e-6)


def test_the_penalty_travels_in_the_file_as_version_4_and_is_checked(tmp_path):
    net = plexus.Network([2, 3, 1], ["relu", "identity"], seed=1).adam(0.01)
    assert json.loads(net.to_bytes()[8:8 + int.from_bytes(net.to_bytes()[:8], "little")])["__metadata__"][
        "plexus.format_version"] == "2"
    net.set_l2_penalty(1e-3)
    header = net.to_bytes()[8:8 + int.from_bytes(net.to_bytes()[:8], "little")]
    metadata = json.loads(header)["__metadata__"]
    assert metadata["plexus.format_version"] == "4" and float(metadata["plexus.l2_penalty"]) == pytest.approx(1e-3)
    x = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    twin = plexus.Network.from_bytes(net.to_bytes())
    net.fit(x, x[:, :1], 3, progress=False)
    twin.fit(x, x[:, :1], 3, progress=False)
    assert twin.params.tobytes() == net.params.tobytes()
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(plexus.ArgumentError, match="L2 penalty is"):
            net.set_l2_penalty(bad)
    net.set_l2_penalty(0)
    assert json.loads(net.to_bytes()[8:8 + int.from_bytes(net.to_bytes()[:8], "little")])["__metadata__"][
        "plexus.format_version"] == "2"


# ----- messages ---------------------------------------------------------------------------------

def test_labels_under_the_wrong_loss_name_the_loss_to_use():
    x = np.zeros((6, 4), np.float32)
    softmax = plexus.Network([4, 3], "softmax")        # left on the default mse
    with pytest.raises(plexus.ArgumentError, match='loss is \'mse\'; a softmax output learns labels with cross-entropy: '
                                                   'pass loss="cross_entropy"'):
        softmax.fit(x, np.arange(6) % 3, 1, progress=False)
    with pytest.raises(plexus.ArgumentError, match='pass loss="cross_entropy"'):
        softmax.fit(x, IRIS_NAMES[np.arange(6) % 3], 1, progress=False)
    sigmoid = plexus.Network([4, 1], "sigmoid")
    with pytest.raises(plexus.ArgumentError, match='pass loss="binary_cross_entropy"'):
        sigmoid.fit(x, np.array(["a", "b"] * 3), 1, progress=False)


def test_ragged_input_is_an_argument_error():
    net = plexus.Network([2, 1], "identity")
    for call in (lambda: net.predict([[1, 2], [3]]), lambda: net.fit([[1, 2], [3]], [1, 2], 1, progress=False),
                 lambda: net.fit([[1, 2], [3, 4]], [[1], [2, 3]], 1, progress=False)):
        with pytest.raises(plexus.ArgumentError, match="cannot be read as an array"):
            call()


# ----- the command line -------------------------------------------------------------------------

def run_cli(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "plexus", *map(str, args)], capture_output=True, text=True,
                          input=stdin, cwd=cwd)


@pytest.fixture
def iris_csv(tmp_path):
    x, y = iris()
    lines = ["sepal_length,sepal_width,petal_length,petal_width,species"]
    lines += [",".join(f"{v:g}" for v in row) + f",{IRIS_NAMES[label]}" for row, label in zip(x, y)]
    (tmp_path / "iris.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "x.csv").write_text("\n".join(",".join(f"{v:g}" for v in row) for row in x) + "\n")
    return tmp_path, y


def test_train_on_a_csv_of_labels_then_predict_labels(iris_csv):
    folder, y = iris_csv
    result = run_cli("train", "iris.csv", "--target", "species", "--hidden", "16", "--epochs", "80", "--batch-size", "16",
                     "--lr", "0.01", "--validation-fraction", "0.2", "--standardize", "-o", "iris.safetensors", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "trained 4-16-3 (3 classes, loss cross_entropy) on 120 rows" in result.stdout
    assert "validation (30 rows): loss" in result.stdout and "accuracy" in result.stdout
    assert result.stderr == ""     # no progress bar when stderr is not a terminal, no warning
    net = plexus.Network.load(folder / "iris.safetensors")
    assert list(net.classes) == list(IRIS_NAMES) and net.metadata["target"] == "species"
    predicted = run_cli("predict", "iris.safetensors", "x.csv", "--labels", cwd=folder)
    assert predicted.returncode == 0, predicted.stderr
    lines = predicted.stdout.splitlines()
    assert len(lines) == 150 and set(lines) <= set(IRIS_NAMES)
    assert np.mean(np.array(lines) == IRIS_NAMES[y]) > 0.9
    written = run_cli("predict", "iris.safetensors", "x.csv", "--labels", "-o", "labels.txt", cwd=folder)
    assert written.returncode == 0 and (folder / "labels.txt").read_text().splitlines() == lines
    # The training table itself: its header names the model's inputs, so the target column is skipped.
    same = run_cli("predict", "iris.safetensors", "iris.csv", "--labels", cwd=folder)
    assert same.returncode == 0 and same.stdout.splitlines() == lines


def test_train_a_regressor_from_npy_on_stdin_by_column_index(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    table = np.column_stack([x, x @ np.array([1.0, -2.0, 0.5]) + 3])
    buffer = tmp_path / "t.npy"
    np.save(buffer, table)
    result = subprocess.run([sys.executable, "-m", "plexus", "train", "-", "--target", "-1", "--epochs", "60",
                             "--lr", "0.01", "--standardize", "-o", str(tmp_path / "r.safetensors")],
                            input=buffer.read_bytes(), capture_output=True)
    assert result.returncode == 0, result.stderr
    assert b"(regression, loss mse)" in result.stdout
    net = plexus.Network.load(tmp_path / "r.safetensors")
    assert net.classes is None and net.sizes == [3, 64, 1]
    assert np.abs(net.predict(x.astype(np.float32))[:, 0] - table[:, 3]).mean() < 0.3


@pytest.mark.parametrize("args, message", [
    (["--target", "nope"], "--target 'nope' is not a column name"),
    (["--target", "9"], "--target 9 is not a column: the table has 5 columns"),
    (["--target", "0"], "' is not a number; every column but the target is an input"),
    (["--target", "species", "--hidden", "3.5"], "--hidden '3.5': pass layer widths"),
    (["--target", "species", "--loss", "mse"], "is not a number, but --loss mse fits numbers"),
    (["--target", "species", "--epochs", "0"], "epochs is 0"),
    (["--target", "species", "--validation-fraction", "1.5"], "--validation-fraction is 1.5"),
])
def test_train_explains_every_refusal_in_one_line(iris_csv, args, message):
    folder, _ = iris_csv
    result = run_cli("train", "iris.csv", *args, cwd=folder)
    assert result.returncode == 1
    assert result.stderr.startswith("plexus train: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_the_cli_never_leaks_a_warning_or_a_traceback(iris_csv):
    folder, _ = iris_csv
    assert run_cli("train", "iris.csv", "--target", "species", "--epochs", "2", cwd=folder).returncode == 0
    for data in ("1e39,1,2,3\n", "1,2,3\n", "a,b,c,d\n1,x,2,3\n"):
        result = run_cli("predict", "model.safetensors", "-", stdin=data, cwd=folder)
        assert result.returncode == 1, data
        assert result.stderr.count("\n") == 1 and "Warning" not in result.stderr and "Traceback" not in result.stderr
    assert "too large for float32" in run_cli("predict", "model.safetensors", "-", stdin="1e39,1,2,3\n", cwd=folder).stderr
    unnamed = plexus.Network([4, 3], "softmax")
    unnamed.save(folder / "unnamed.safetensors")
    result = run_cli("predict", "unnamed.safetensors", "x.csv", "--labels", cwd=folder)
    assert result.returncode == 1 and "names no classes" in result.stderr
