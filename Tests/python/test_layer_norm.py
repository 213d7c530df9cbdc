"""LayerNorm (plexus.layers.LayerNorm): an independent numpy reference for its forward pass and
its gradients, written here; 20 Adam steps of a Dense-LayerNorm-Dense net against that reference
and against PyTorch (where installed); bitwise across batch sizes and thread counts; model files,
ONNX Runtime, from_torch; and a C program that builds the same net with plexus_create_layers and
predicts the bits Python predicts."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import plexus
import reference as ref
from plexus.layers import Dense, Dropout, LayerNorm

ROOT = Path(__file__).resolve().parents[2]


def bits(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


# ----- the reference: PyTorch's definition, in float64 ----------------------------------------------
def ln_forward(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    rstd = 1 / np.sqrt(var + eps)
    hat = (x - mean) * rstd
    y = hat if gamma is None else hat * gamma + beta
    return y, (hat, rstd)


def ln_backward(g, kept, gamma):
    """(dx, dgamma, dbeta) from dL/dy, by the textbook formula (not the library's order)."""
    hat, rstd = kept
    n = hat.shape[-1]
    gh = g if gamma is None else g * gamma
    dx = rstd / n * (n * gh - gh.sum(axis=-1, keepdims=True) - hat * (gh * hat).sum(axis=-1, keepdims=True))
    return dx, (g * hat).sum(axis=0), g.sum(axis=0)


def dense_ln_dense(params, x, y, eps=1e-5):
    """Loss (MSE) and flat gradient of Dense(8, tanh) - LayerNorm - Dense(3) on 5 inputs."""
    w1, b1 = params[:40].reshape(8, 5), params[40:48]
    gamma, beta = params[48:56], params[56:64]
    w2, b2 = params[64:88].reshape(3, 8), params[88:91]
    z1 = x @ w1.T + b1
    a1 = np.tanh(z1)
    h, kept = ln_forward(a1, gamma, beta, eps)
    out = h @ w2.T + b2
    loss = ((out - y) ** 2).mean()
    d_out = 2 * (out - y) / out.size
    dw2, db2 = d_out.T @ h, d_out.sum(axis=0)
    dh = d_out @ w2
    da1, dgamma, dbeta = ln_backward(dh, kept, gamma)
    dz1 = da1 * (1 - a1 ** 2)
    dw1, db1 = dz1.T @ x, dz1.sum(axis=0)
    return loss, out, np.concatenate([dw1.ravel(), db1, dgamma, dbeta, dw2.ravel(), db2])


def make_net(seed=3) -> plexus.Network:
    return plexus.Network([Dense(8, "tanh"), LayerNorm(), Dense(3)], input_shape=5, seed=seed)


def test_the_forward_pass_is_the_reference():
    rng = np.random.default_rng(0)
    net = plexus.Network([LayerNorm(eps=1e-3), Dense(6, "relu"), LayerNorm(elementwise_affine=False), Dense(2)],
                         input_shape=7, seed=2)
    net.set_weights(1, rng.normal(size=7), rng.normal(size=7))
    x = rng.normal(2, 3, size=(40, 7))
    params = net.params.astype(np.float64)
    gamma, beta = params[:7], params[7:14]
    w1, b1 = params[14:56].reshape(6, 7), params[56:62]
    w2, b2 = params[62:74].reshape(2, 6), params[74:76]
    h, _ = ln_forward(x, gamma, beta, 1e-3)
    a = np.maximum(h @ w1.T + b1, 0)
    h2, _ = ln_forward(a, None, None, 1e-5)
    np.testing.assert_allclose(net.predict(x), h2 @ w2.T + b2, rtol=1e-5, atol=1e-5)
    assert [layer.param_count for layer in net.layers] == [14, 48, 0, 14]


def test_gradients_and_twenty_adam_steps_match_the_reference():
    rng = np.random.default_rng(1)
    net = make_net().adam(0.01)
    theta = net.params.astype(np.float64)
    theta[48:64] += rng.normal(0, 0.3, 16)           # γ and β away from ones and zeros
    net.params = theta
    theta = net.params.astype(np.float64)
    opt = ref.Adam(lr=0.01)
    for step in range(20):
        x, y = rng.normal(size=(16, 5)), rng.normal(size=(16, 3))
        net.forward(x)
        loss = net.backward(y)
        want_loss, _, grad = dense_ln_dense(theta, x, y)
        assert loss == pytest.approx(want_loss, rel=1e-5)
        if step == 0:
            np.testing.assert_allclose(net.grads, grad, rtol=1e-4, atol=1e-6)
        net.step()
        theta = opt.step(theta, grad)
    np.testing.assert_allclose(net.params, theta, atol=1e-5)


def test_twenty_adam_steps_match_pytorch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.LayerNorm(8), nn.Linear(8, 3))
    with torch.no_grad():
        model[2].weight.uniform_(0.5, 1.5)
        model[2].bias.uniform_(-0.5, 0.5)
    net = plexus.from_torch(model).adam(0.01)
    assert net.layers == [Dense(8, "tanh"), LayerNorm(), Dense(3)]
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(2)
    x0 = rng.normal(size=(30, 5)).astype(np.float32)
    np.testing.assert_allclose(net.predict(x0), model(torch.from_numpy(x0)).detach().numpy(), atol=1e-5)
    for _ in range(20):
        x, y = rng.normal(size=(16, 5)).astype(np.float32), rng.normal(size=(16, 3)).astype(np.float32)
        net.forward(x)
        net.backward(y)
        net.step()
        opt.zero_grad()
        nn.functional.mse_loss(model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt.step()
    theirs = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    np.testing.assert_allclose(net.params, theirs, atol=1e-5)
    np.testing.assert_allclose(net.predict(x0), model(torch.from_numpy(x0)).detach().numpy(), atol=1e-5)


def test_bitwise_in_any_batch_and_thread_count():
    net = plexus.Network([LayerNorm(), Dense(64, "relu"), LayerNorm(), Dropout(0.0), Dense(10, "softmax")],
                         input_shape=32, loss="cross_entropy", seed=5)
    x = np.random.default_rng(3).normal(size=(513, 32)).astype(np.float32)
    before = plexus.get_threads()
    try:
        reference = None
        for threads in (1, 2):
            plexus.set_threads(threads)
            for batch in (1, 7, 512, 513):
                out = np.concatenate([net.predict(x[i:i + batch]) for i in range(0, 513, batch)])
                if reference is None:
                    reference = out
                np.testing.assert_array_equal(bits(out), bits(reference), err_msg=f"batch {batch}, {threads} threads")
            np.testing.assert_array_equal(bits(np.stack([net.predict(row) for row in x[:9]])), bits(reference[:9]))
    finally:
        plexus.set_threads(before)


def test_model_files_onnx_and_pickle_keep_layer_norms(tmp_path):
    import pickle
    net = plexus.Network([Dense(8, "relu"), LayerNorm(eps=1e-4), Dropout(0.1), Dense(3, "softmax")], input_shape=5,
                         loss="cross_entropy", seed=1).adam(0.01)
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
    net.fit(x, y, epochs=3, batch_size=16, progress=False)
    net.save(tmp_path / "m.safetensors")
    for other in (plexus.Network.load(tmp_path / "m.safetensors"), pickle.loads(pickle.dumps(net))):
        assert other.layers == net.layers
        np.testing.assert_array_equal(bits(other.predict(x)), bits(net.predict(x)))
    w, b = net.get_weights(2)
    assert w.shape == (8,) and b.shape == (8,) and not np.allclose(w, 1)      # trained
    assert net.dropout == pytest.approx([0, 0, 0.1, 0])                       # the Dropout layer's alone
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    net.export_onnx(tmp_path / "m.onnx")
    model = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(model, full_check=True)
    assert "LayerNormalization" in [node.op_type for node in model.graph.node]
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    xs = x.astype(np.float32)
    np.testing.assert_allclose(session.run(None, {"input": xs})[0], net.predict(xs), atol=1e-5)


def test_generated_c_computes_layer_norms_bitwise(tmp_path):
    from test_code_export import c_predict, compile_model, rows_predict
    net = plexus.Network([LayerNorm(), Dense(24, "gelu"), LayerNorm(eps=1e-3), Dense(40, "tanh"),
                          LayerNorm(elementwise_affine=False), Dropout(0.2), Dense(3, "softmax")],
                         input_shape=30, loss="cross_entropy", seed=8).adam(0.01)
    rng = np.random.default_rng(9)
    x = rng.normal(1, 4, size=(200, 30)).astype(np.float32)
    net.fit(x, rng.integers(0, 3, 200), epochs=2, batch_size=50, progress=False)   # γ and β away from 1 and 0
    net.export_c(tmp_path, "normed")
    lib = compile_model(tmp_path, "normed")
    expected = rows_predict(net, x)
    np.testing.assert_array_equal(bits(c_predict(lib, "normed", x, 3)), bits(expected))
    np.testing.assert_array_equal(bits(net.predict(x)), bits(expected))


@pytest.mark.parametrize("layers", [
    [LayerNorm(), Dense(9, "tanh"), LayerNorm(), Dense(3, "softmax")],
    [Dense(30, "gelu"), LayerNorm(elementwise_affine=False), LayerNorm(eps=1e-3), Dense(20, "relu"), LayerNorm(),
     Dense(2, "sigmoid")],
], ids=["small layers, norm on the inputs", "GEMM layers, norms in a row"])
def test_the_generated_training_step_computes_layer_norms_bitwise(tmp_path, layers):
    import ctypes
    from test_code_export import F32P, c_predict, compile_model, rows_predict
    outputs = layers[-1].units
    loss = "cross_entropy" if outputs == 3 else "binary_cross_entropy"
    net = plexus.Network(layers, input_shape=40, loss=loss, seed=12).sgd(0.05)
    net.export_c(tmp_path, "normstep", train_step=True)
    lib = compile_model(tmp_path, "normstep")
    rng = np.random.default_rng(5)
    x = rng.normal(1, 2, (40, 40)).astype(np.float32)
    y = (np.eye(3)[rng.integers(0, 3, 40)] if outputs == 3 else rng.uniform(0, 1, (40, 2))).astype(np.float32)
    for r in range(40):
        assert lib.normstep_train_step(x[r].ctypes.data_as(F32P), y[r].ctypes.data_as(F32P), ctypes.c_float(0.05)) == 0
        net.train_step(x[r:r + 1], y[r:r + 1])
    params = np.zeros(net.param_count, np.float32)
    lib.normstep_get_params(params.ctypes.data_as(F32P))
    np.testing.assert_array_equal(bits(params), bits(net.params))
    np.testing.assert_array_equal(bits(c_predict(lib, "normstep", x[:10], outputs)), bits(rows_predict(net, x[:10])))


@pytest.mark.parametrize("layers", [
    [LayerNorm(), Dense(16, "relu"), LayerNorm(), Dense(12, "tanh"), LayerNorm(elementwise_affine=False), Dense(4, "softmax")],
    [Dense(20, "gelu"), Dropout(0.1), LayerNorm(eps=1e-3), LayerNorm(), Dense(3)],
], ids=["norms everywhere", "two norms in a row"])
def test_int8_code_runs_layer_norms_in_float_bit_identical_to_the_simulator(tmp_path, layers):
    from test_code_export import F32P, c_predict, c_predict_int8, compile_model
    from plexus import quantize as pq
    outputs = layers[-1].units
    net = plexus.Network(layers, input_shape=10, loss="cross_entropy" if outputs == 4 else "mse", seed=4).adam(0.01)
    rng = np.random.default_rng(7)
    x = rng.normal(1, 3, (400, 10)).astype(np.float32)
    y = np.eye(4)[rng.integers(0, 4, 400)] if outputs == 4 else rng.normal(size=(400, outputs))
    net.fit(x[:300], y[:300], epochs=3, batch_size=50, progress=False)          # weights and biases away from 1 and 0
    q = net.export_c(tmp_path, "normed8", quantize="int8", calibration=x[:200])
    assert sum(len(layer.norms) for layer in q.layers) == sum(isinstance(l, LayerNorm) for l in layers)
    lib = compile_model(tmp_path, "normed8")
    np.testing.assert_array_equal(bits(c_predict(lib, "normed8", x, outputs)), bits(pq.simulate(q, x)))
    wild = rng.integers(-128, 128, (200, 10)).astype(np.int8)
    np.testing.assert_array_equal(c_predict_int8(lib, "normed8", wild, outputs), pq.simulate_int8(q, wild))
    float_out, int8_out = net.predict(x[300:]), pq.simulate(q, x[300:])
    if outputs == 4:
        assert (float_out.argmax(1) == int8_out.argmax(1)).mean() > 0.9
    else:
        assert np.abs(float_out - int8_out).mean() < 0.1 * np.abs(float_out).mean() + 0.05


def test_bad_layer_norms_are_refused():
    with pytest.raises(plexus.ArgumentError, match="eps is 0"):
        LayerNorm(eps=0)
    with pytest.raises(plexus.ArgumentError, match="layer 2 \\(layer_norm\\) is the last layer"):
        plexus.Network([Dense(3), LayerNorm()], input_shape=2)
    net = plexus.Network([Dense(4), LayerNorm(elementwise_affine=False), Dense(1)], input_shape=2)
    with pytest.raises(plexus.ArgumentError, match="without affine parameters"):
        net.get_weights(2)
    with pytest.raises(plexus.ArgumentError, match="layer 2 is a layer_norm layer, which has no activation"):
        plexus._capi.layer_activation(net.handle, 2) and plexus.errors.check(plexus._capi.layer_activation(net.handle, 2)[0])


C_PROGRAM = r"""
#include <stdio.h>
#include "plexus.h"
int main(int argc, char **argv) {
    (void)argc;
    const uint32_t shape[1] = {5};
    plexus_layer layers[4] = {{0}};
    for (int i = 0; i < 4; i++) layers[i].struct_size = sizeof(plexus_layer);
    if (plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM, &layers[0]) != PLEXUS_OK) return 2;
    layers[1].kind = PLEXUS_LAYER_DENSE; layers[1].units = 8; layers[1].activation = PLEXUS_GELU;
    if (plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM, &layers[2]) != PLEXUS_OK) return 2;
    layers[2].flags = PLEXUS_NO_AFFINE; layers[2].eps = 1e-3f;
    layers[3].kind = PLEXUS_LAYER_DENSE; layers[3].units = 3; layers[3].activation = PLEXUS_SOFTMAX;
    plexus_net *net = NULL;
    if (plexus_create_layers(shape, 1, layers, 4, 11, &net) != PLEXUS_OK) { fprintf(stderr, "%s\n", plexus_last_error()); return 1; }
    float x[5], y[3];
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    while (fread(x, sizeof x, 1, in) == 1) {
        if (plexus_predict(net, x, 1, y) != PLEXUS_OK) return 3;
        fwrite(y, sizeof y, 1, out);
    }
    fclose(in); fclose(out);
    plexus_free(net);
    return 0;
}
"""


def test_a_c_program_builds_the_same_net_and_predicts_the_same_bits(tmp_path):
    # The library Python loaded (a checkout's, or the one inside the installed package), under
    # the names the linker and the loader look for.
    library = tmp_path / "lib"
    library.mkdir()
    for name in ("libplexus.so", "libplexus.so.0"):
        (library / name).symlink_to(Path(plexus.library_path).resolve())
    (tmp_path / "ln.c").write_text(C_PROGRAM)
    build = subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", str(tmp_path / "ln"),
                            str(tmp_path / "ln.c"), f"-I{ROOT / 'include'}", f"-L{library}", "-lplexus",
                            f"-Wl,-rpath,{library}"], capture_output=True, text=True)
    if build.returncode != 0 and "plexus.h" in build.stderr:
        pytest.skip("no plexus.h beside this library")
    assert build.returncode == 0, build.stderr
    net = plexus.Network([LayerNorm(), Dense(8, "gelu"), LayerNorm(eps=1e-3, elementwise_affine=False),
                          Dense(3, "softmax")], input_shape=5, seed=11)
    x = np.random.default_rng(6).normal(size=(50, 5)).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    run = subprocess.run([str(tmp_path / "ln"), str(tmp_path / "x.bin"), str(tmp_path / "y.bin")],
                         capture_output=True, text=True, env={**os.environ})
    assert run.returncode == 0, run.stderr
    theirs = np.fromfile(tmp_path / "y.bin", np.float32).reshape(50, 3)
    np.testing.assert_array_equal(bits(theirs), bits(net.predict(x)))


def test_tensors_by_name_are_the_state_dict():
    net = plexus.Network([LayerNorm(), Dense(6, "relu", bias=False), Dropout(0.1), LayerNorm(elementwise_affine=False),
                          Dense(2)], input_shape=4, seed=3)
    state = net.state_dict()
    assert {name: array.shape for name, array in state.items()} == {
        "layers.1.weight": (4,), "layers.1.bias": (4,), "layers.2.weight": (6, 4), "layers.5.weight": (2, 6),
        "layers.5.bias": (2,)}
    np.testing.assert_array_equal(np.concatenate([a.ravel() for a in state.values()]), net.params)
    np.testing.assert_array_equal(state["layers.2.weight"], net.get_weights(2)[0])
    other = plexus.Network(net.layers, input_shape=4, seed=99)
    other.load_state_dict(state)
    np.testing.assert_array_equal(bits(other.params), bits(net.params))
    net.set_tensor("layers.1.weight", np.arange(4))
    assert net.get_tensor("layers.1.weight").tolist() == [0, 1, 2, 3] and net.get_weights(1)[0].tolist() == [0, 1, 2, 3]
    with pytest.raises(plexus.ArgumentError, match='no tensor is called "layers.3.weight"; this network\'s are layers.1.weight'):
        net.get_tensor("layers.3.weight")
    with pytest.raises(plexus.ShapeError):
        net.set_tensor("layers.5.bias", [1, 2, 3])
    with pytest.raises(plexus.ArgumentError, match="not finite"):
        net.load_state_dict({**state, "layers.5.bias": np.array([np.nan, 0])})
    with pytest.raises(plexus.ArgumentError, match="unknown"):
        net.load_state_dict({**state, "layers.9.bias": np.zeros(2)})
    np.testing.assert_array_equal(net.get_tensor("layers.5.bias"), state["layers.5.bias"])   # nothing changed
    # The sizes form's tensors carry the same names: layers.{i} with i from 1.
    assert list(plexus.Network([3, 4, 2], ["tanh", "identity"]).state_dict()) == [
        "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"]
