"""Moving models: ONNX export checked by onnx and run by onnxruntime; PyTorch weights imported."""
import itertools

import numpy as np
import pytest

import plexus

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


@pytest.mark.parametrize("activation", plexus.ACTIVATIONS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [1, 100])
def test_onnx_export_runs_in_onnxruntime(tmp_path, activation, bias, batch):
    net = plexus.Network([5, 8, 7, 4], [activation, "tanh", activation], bias=bias, seed=3)
    rng = np.random.default_rng(1)
    net.fit(rng.normal(size=(32, 5)), rng.uniform(size=(32, 4)), epochs=2, batch_size=8, progress=False)
    path = tmp_path / "model.onnx"
    net.export_onnx(path)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert [i.name for i in model.graph.input] == ["input"] and [o.name for o in model.graph.output] == ["output"]
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = rng.normal(size=(batch, 5)).astype(np.float32)
    np.testing.assert_allclose(session.run(None, {"input": x})[0], net.predict(x), rtol=1e-6, atol=1e-6)


def test_onnx_leaky_relu_slope_and_softmax_axis(tmp_path):
    net = plexus.Network([2, 3], "leaky_relu", seed=1)
    net.export_onnx(tmp_path / "m.onnx")
    nodes = {n.op_type: n for n in onnx.load(str(tmp_path / "m.onnx")).graph.node}
    assert nodes["LeakyRelu"].attribute[0].f == pytest.approx(0.01)
    net = plexus.Network([2, 3], "softmax", seed=1)
    net.export_onnx(tmp_path / "s.onnx")
    softmax = [n for n in onnx.load(str(tmp_path / "s.onnx")).graph.node if n.op_type == "Softmax"][0]
    assert softmax.attribute[0].i == -1


def test_export_to_a_missing_folder_is_an_io_error(tmp_path):
    with pytest.raises(plexus.FileError, match="No such file"):
        plexus.Network([2, 1], "identity").export_onnx(tmp_path / "missing" / "m.onnx")


def test_state_dict_in_pytorch_naming_from_safetensors(tmp_path):
    from safetensors.numpy import load_file, save_file
    rng = np.random.default_rng(2)
    state = {"0.weight": rng.normal(size=(6, 4)).astype(np.float32), "0.bias": rng.normal(size=6).astype(np.float32),
             "2.weight": rng.normal(size=(3, 6)).astype(np.float32), "2.bias": rng.normal(size=3).astype(np.float32)}
    save_file(state, str(tmp_path / "torch.safetensors"))     # as safetensors.torch writes a Sequential's state_dict
    net = plexus.Network.from_state_dict([4, 6, 3], ["relu", "softmax"], load_file(str(tmp_path / "torch.safetensors")),
                                         loss="cross_entropy")
    x = rng.normal(size=(9, 4))
    hidden = np.maximum(x @ state["0.weight"].T + state["0.bias"], 0)
    logits = hidden @ state["2.weight"].T + state["2.bias"]
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(plexus.ShapeError, match="need 3"):
        plexus.Network.from_state_dict([4, 6, 3, 2], "relu", state)
    with pytest.raises(plexus.ArgumentError, match="not Linear weights"):
        plexus.Network.from_state_dict([4, 6, 3], "relu", {**state, "2.running_mean": np.zeros(3)})


# ----- with PyTorch, when it is installed ------------------------------------------------------------
def torch_or_skip():
    try:
        import torch
    except ImportError:
        pytest.skip("PyTorch is not installed: `pip install torch` to run the PyTorch parity tests")
    return torch


def test_from_torch_predicts_the_same():
    torch = torch_or_skip()
    nn = torch.nn
    torch.manual_seed(0)
    for layers, acts in [((nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3), nn.Softmax(dim=-1)),
                          ["relu", "tanh", "softmax"]),
                         ((nn.Linear(4, 5, bias=False), nn.LeakyReLU(0.01), nn.Linear(5, 2, bias=False), nn.Sigmoid()),
                          ["leaky_relu", "sigmoid"]),
                         ((nn.Linear(4, 6), nn.Linear(6, 1)), ["identity", "identity"]),
                         ((nn.Linear(4, 6), nn.GELU(), nn.Linear(6, 6), nn.ELU(), nn.Linear(6, 5), nn.SiLU(),
                           nn.Linear(5, 2), nn.Softplus()), ["gelu", "elu", "silu", "softplus"])]:
        model = nn.Sequential(*layers)
        net = plexus.from_torch(model)
        assert net.activations == acts
        x = torch.randn(50, 4)
        np.testing.assert_allclose(net.predict(x.numpy()), model(x).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_from_torch_names_unsupported_modules():
    torch = torch_or_skip()
    nn = torch.nn
    with pytest.raises(plexus.ArgumentError, match="Dropout.*does not follow a Linear"):
        plexus.from_torch(nn.Sequential(nn.Dropout(0.5), nn.Linear(2, 3)))     # since 0.12.0 Dropout after a Linear is a layer
    with pytest.raises(plexus.ArgumentError, match="slope 0.01"):
        plexus.from_torch(nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2)))
    for module in (nn.GELU(approximate="tanh"), nn.ELU(alpha=0.5), nn.Softplus(beta=2)):
        with pytest.raises(plexus.ArgumentError, match="default settings"):
            plexus.from_torch(nn.Sequential(nn.Linear(2, 3), module))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop", "rmsprop-momentum-centered"])
def test_training_steps_match_pytorch(optimizer):
    """A few optimizer steps in both give the same weights within 1e-5: the optimizers' parity."""
    torch = torch_or_skip()
    nn = torch.nn
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    net = plexus.from_torch(model)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        net.adam(0.01)
    elif optimizer.startswith("rmsprop"):
        extras = {"momentum": 0.9, "centered": True} if optimizer != "rmsprop" else {}
        opt = torch.optim.RMSprop(model.parameters(), lr=0.01, **extras)
        net.rmsprop(0.01, **extras)
    else:
        momentum = 0.9 if optimizer == "momentum" else 0.0
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=momentum)
        net.sgd(0.05, momentum)
    loss_fn = nn.MSELoss()
    for step in range(5):
        x, y = torch.randn(16, 4), torch.randn(16, 3)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        net.forward(x.numpy())
        assert net.backward(y.numpy()) == pytest.approx(loss.item(), rel=1e-5)
        net.step()
    for layer, linear in ((1, model[0]), (2, model[2])):
        w, b = net.get_weights(layer)
        np.testing.assert_allclose(w, linear.weight.detach().numpy(), atol=1e-5)
        np.testing.assert_allclose(b, linear.bias.detach().numpy(), atol=1e-5)
