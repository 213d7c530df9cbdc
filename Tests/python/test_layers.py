"""Networks built by layers (plexus.layers): the same bits as the sizes form for the same seed, a
Dropout layer that is the sizes form's dropout, per-layer biases, shapes and summaries, and the
layers carried through model files, pickle, ONNX, generated C, the CLI and from_torch."""
from __future__ import annotations

import copy
import io
import pickle
import shutil
import subprocess
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

import plexus
import plexus.cli
from plexus.layers import Dense, Dropout


def rows(n: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, width)).astype(np.float32)


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


def layered(seed: int = 4) -> plexus.Network:
    return plexus.Network([Dense(12, "relu"), Dropout(0.25), Dense(6, "tanh", bias=False), Dense(3, "softmax")],
                          input_shape=5, loss="cross_entropy", seed=seed)


def test_the_layer_form_equals_the_sizes_form_bitwise():
    by_layers = plexus.Network([Dense(16, "relu"), Dense(8, "gelu"), Dense(3, "softmax")], input_shape=(4,),
                               loss="cross_entropy", seed=9)
    by_sizes = plexus.Network([4, 16, 8, 3], ["relu", "gelu", "softmax"], loss="cross_entropy", seed=9)
    np.testing.assert_array_equal(bits(by_layers.params), bits(by_sizes.params))
    x, y = rows(40, 4, 1), np.random.default_rng(2).integers(0, 3, 40)
    for net in (by_layers, by_sizes):
        net.adam(0.01).fit(x, y, epochs=3, batch_size=8, shuffle_seed=5, progress=False)
    np.testing.assert_array_equal(bits(by_layers.predict(x)), bits(by_sizes.predict(x)))
    assert by_sizes.layers == [Dense(16, "relu"), Dense(8, "gelu"), Dense(3, "softmax")]
    assert repr(by_layers) == repr(by_sizes)          # a net of dense layers is shown in the sizes form


def test_a_dropout_layer_trains_as_the_sizes_forms_dropout():
    by_layers = plexus.Network([Dense(12, "relu"), Dropout(0.3), Dense(2, "sigmoid")], input_shape=5, seed=3)
    by_sizes = plexus.Network([5, 12, 2], ["relu", "sigmoid"], seed=3).set_dropout(1, 0.3)
    x, y = rows(64, 5, 4), np.random.default_rng(5).uniform(size=(64, 2))
    for net in (by_layers, by_sizes):
        net.sgd(0.1, 0.9).fit(x, y, epochs=4, batch_size=16, shuffle_seed=1, progress=False)
    np.testing.assert_array_equal(bits(by_layers.params), bits(by_sizes.params))
    np.testing.assert_array_equal(bits(by_layers.get_weights(3)[0]), bits(by_sizes.get_weights(2)[0]))
    assert by_layers.dropout == pytest.approx([0, 0.3, 0])
    assert by_layers.sizes == [5, 12, 12, 2] and by_layers.activations == ["relu", None, "sigmoid"]


def test_layers_carry_their_shapes_and_the_summary_counts_parameters():
    net = layered()
    layers = net.layers
    assert layers == [Dense(12, "relu"), Dropout(0.25), Dense(6, "tanh", bias=False), Dense(3, "softmax")]
    assert [layer.number for layer in layers] == [1, 2, 3, 4]
    assert [layer.output_shape for layer in layers] == [(12,), (12,), (6,), (3,)]
    assert [layer.input_shape for layer in layers] == [(5,), (12,), (12,), (6,)]
    assert [layer.param_count for layer in layers] == [5 * 12 + 12, 0, 12 * 6, 6 * 3 + 3]
    assert sum(layer.param_count for layer in layers) == net.param_count == len(net.params)
    assert net.input_shape == (5,) and not net.bias
    out = io.StringIO()
    with redirect_stdout(out):
        assert net.summary() is None
    text = out.getvalue()
    assert "3 Dense(6, 'tanh', bias=False)" in text and "2 Dropout(0.25)" in text
    assert f"Total params: {net.param_count:,}" in text
    table = [line.split() for line in text.splitlines() if line[:1].isdigit()]
    assert [int(row[-1].replace(",", "")) for row in table] == [0, 72, 0, 72, 21]
    rebuilt = plexus.Network(layers, input_shape=net.input_shape, loss="cross_entropy", seed=4)
    np.testing.assert_array_equal(bits(rebuilt.params), bits(net.params))
    assert net.get_weights(3)[1] is None and net.get_weights(1)[1].shape == (12,)
    with pytest.raises(plexus.ArgumentError, match="layer 3 has no biases"):
        net.set_weights(3, np.zeros((6, 12)), np.zeros(6))


def test_dropout_rates_are_the_layers_own():
    net = layered()
    net.set_dropout(2, 0.5)
    assert net.layers[1] == Dropout(0.5)
    with pytest.raises(plexus.ArgumentError, match="set that layer's rate"):
        net.set_dropout(1, 0.1)
    with pytest.raises(plexus.ArgumentError, match="layer 2 is a dropout layer"):
        net.get_weights(2)


@pytest.mark.parametrize("call, message", [
    (lambda: plexus.Network([Dense(3)]), "needs input_shape"),
    (lambda: plexus.Network([Dense(3)], ["relu"], input_shape=2), "takes no activations"),
    (lambda: plexus.Network([Dense(3)], input_shape=2, bias=False), "takes no bias argument"),
    (lambda: plexus.Network([2, 3], ["relu"], input_shape=2), "input_shape belongs to the layers form"),
    (lambda: plexus.Network([Dropout(0.5), Dense(2)], input_shape=2), "layer 1 \\(dropout\\) must follow a dense or layer-norm layer"),
    (lambda: plexus.Network([Dense(2), Dropout(0.5)], input_shape=2), "layer 2 \\(dropout\\) is the last layer"),
    (lambda: plexus.Network([Dense(2)], input_shape=(1, 4, 4)), "layer 1 \\(dense\\) takes a flat input"),
    (lambda: plexus.Network([Dense(2)], input_shape=0), "input_shape"),
    (lambda: Dense(0), "units"),
    (lambda: Dense(3, "swish"), "unknown activation 'swish'"),
    (lambda: Dropout(1.0), "rate is 1.0"),
])
def test_bad_layer_lists_are_refused_by_name(call, message):
    with pytest.raises(plexus.ArgumentError, match=message):
        call()


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError):
        plexus.Network([Dense(3), 4], input_shape=2)
    with pytest.raises(TypeError):
        Dense(3.0)
    with pytest.raises(TypeError):
        Dense(3, bias=1)
    with pytest.raises(TypeError):
        Dropout("0.5")
    with pytest.raises(TypeError):
        plexus.Network([Dense(3)], input_shape=2.0)


def test_model_files_pickle_and_copies_keep_the_layers(tmp_path):
    net = layered()
    x, y = rows(30, 5, 6), np.random.default_rng(7).integers(0, 3, 30)
    net.adam(0.01).fit(x, y, epochs=2, batch_size=10, progress=False)
    path = tmp_path / "layered.safetensors"
    net.save(path)
    for other in (plexus.Network.load(path), pickle.loads(pickle.dumps(net)), copy.deepcopy(net),
                  plexus.Network.from_bytes(net.to_bytes())):
        assert other.layers == net.layers and other.input_shape == (5,)
        np.testing.assert_array_equal(bits(other.predict(x)), bits(net.predict(x)))
    metadata = plexus.cli.file_metadata(path)
    assert metadata["plexus.format_version"] == "5" and metadata["plexus.input_shape"] == "[5]"
    # A net of dense layers only is still written in a version older readers know.
    plain = plexus.Network([Dense(4, "relu"), Dense(1)], input_shape=3)
    plain.save(tmp_path / "plain.safetensors")
    assert plexus.cli.file_metadata(tmp_path / "plain.safetensors")["plexus.format_version"] == "2"


def test_the_cli_lists_the_layers(tmp_path):
    net = layered()
    net.save(tmp_path / "m.safetensors")
    result = subprocess.run([sys.executable, "-m", "plexus", "info", str(tmp_path / "m.safetensors")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "  2 Dropout(0.25)" in result.stdout and "(6,), 72 parameters" in result.stdout
    assert "some biases" in result.stdout and "format:     version 5" in result.stdout


def test_generated_c_of_a_layered_net_is_bitwise(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    from test_code_export import c_predict, compile_model, rows_predict
    net = layered()
    net.params = net.params * 2
    net.export_c(tmp_path, "layered")
    lib = compile_model(tmp_path, "layered")
    x = rows(60, 5, 8)
    np.testing.assert_array_equal(bits(c_predict(lib, "layered", x, 3)), bits(rows_predict(net, x)))


def test_onnx_export_of_a_layered_net_runs_in_onnxruntime(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    net = layered()
    net.export_onnx(tmp_path / "m.onnx")
    onnx.checker.check_model(onnx.load(str(tmp_path / "m.onnx")), full_check=True)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    x = rows(20, 5, 9)
    np.testing.assert_allclose(session.run(None, {"input": x})[0], net.predict(x), rtol=1e-6, atol=1e-6)


def test_from_torch_takes_dropout_and_biases_per_layer():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(3)
    model = nn.Sequential(nn.Flatten(), nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 4, bias=False),
                          nn.Tanh(), nn.Linear(4, 2)).eval()
    net = plexus.from_torch(model)
    assert net.layers == [Dense(8, "relu"), Dropout(0.2), Dense(4, "tanh", bias=False), Dense(2)]
    x = torch.randn(30, 5)
    np.testing.assert_allclose(net.predict(x.numpy()), model(x).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_int8_export_of_a_net_with_dropout_and_mixed_biases_matches_its_simulator(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    from test_code_export import c_predict, compile_model
    from plexus import quantize as pq
    net = layered()
    x = rows(300, 5, 10)
    q = net.export_c(tmp_path, "layered8", quantize="int8", calibration=x[:200])
    assert q.sizes == (5, 12, 6, 3) and q.activations == ("relu", "tanh", "softmax")
    lib = compile_model(tmp_path, "layered8")
    np.testing.assert_array_equal(bits(c_predict(lib, "layered8", x, 3)), bits(pq.simulate(q, x)))
    assert (pq.simulate(q, x).argmax(1) == net.predict(x).argmax(1)).mean() > 0.9
