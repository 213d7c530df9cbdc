"""Model files meet Hugging Face's own safetensors package in both directions."""
import json
import struct
import zlib

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

import plexus

# Part of the wheel's smoke set (Tests/python/test_wheel.sh).
pytestmark = pytest.mark.smoke


def test_plexus_file_opens_with_safetensors(tmp_path):
    net = plexus.Network([4, 6, 3], ["relu", "softmax"], seed=11, loss="cross_entropy").adam(0.01)
    rng = np.random.default_rng(0)
    net.forward(rng.uniform(-1, 1, (5, 4)))
    net.backward(np.eye(3)[[0, 1, 2, 0, 1]])
    net.step()
    path = tmp_path / "model.safetensors"
    net.save(path)

    tensors = load_file(str(path))
    for layer in (1, 2):
        w, b = net.get_weights(layer)
        np.testing.assert_array_equal(tensors[f"layers.{layer - 1}.weight"], w)
        np.testing.assert_array_equal(tensors[f"layers.{layer - 1}.bias"], b)
    assert tensors["optimizer.layers.0.weight.exp_avg"].shape == (6, 4)
    assert tensors["optimizer.layers.1.bias.exp_avg_sq"].shape == (3,)

    # The metadata, and the CRC-32 of the data section, as docs/model-format.md documents them.
    raw = path.read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_length])
    meta = header["__metadata__"]
    assert meta["plexus.format"] == "plexus-dense-network" and meta["plexus.format_version"] == "2"
    assert meta["plexus.sizes"] == "4,6,3" and meta["plexus.activations"] == "relu,softmax"
    assert meta["plexus.bias"] == "true" and meta["plexus.loss"] == "cross_entropy"
    assert meta["plexus.optimizer"] == "adam" and meta["plexus.optimizer_steps"] == "1"
    assert float(meta["plexus.learning_rate"]) == pytest.approx(0.01)
    assert int(meta["plexus.data_crc32"], 16) == zlib.crc32(raw[8 + header_length:])
    assert (8 + header_length) % 8 == 0


def test_safetensors_file_loads_in_plexus(tmp_path):
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((5, 3)).astype(np.float32)
    b0 = rng.standard_normal(5).astype(np.float32)
    w1 = rng.standard_normal((2, 5)).astype(np.float32)
    b1 = rng.standard_normal(2).astype(np.float32)
    path = tmp_path / "from_python.safetensors"
    save_file({"layers.0.weight": w0, "layers.0.bias": b0, "layers.1.weight": w1, "layers.1.bias": b1}, str(path),
              metadata={"plexus.format": "plexus-dense-network", "plexus.format_version": "1",
                        "plexus.sizes": "3,5,2", "plexus.activations": "tanh,identity", "plexus.bias": "true"})
    net = plexus.Network.load(path)
    x = rng.uniform(-1, 1, (7, 3)).astype(np.float32)
    expected = np.tanh(x.astype(np.float64) @ w0.T + b0) @ w1.T + b1
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(net.get_weights(1)[0], w0)


def test_safetensors_file_with_wrong_shape_is_refused(tmp_path):
    path = tmp_path / "bad.safetensors"
    save_file({"layers.0.weight": np.zeros((3, 5), np.float32), "layers.0.bias": np.zeros(5, np.float32)}, str(path),
              metadata={"plexus.format": "plexus-dense-network", "plexus.format_version": "1",
                        "plexus.sizes": "3,5", "plexus.activations": "relu", "plexus.bias": "true"})
    with pytest.raises(plexus.FormatError) as info:
        plexus.Network.load(path)
    assert info.value.status == 5
    assert "layers.0.weight: shape is [3, 5] but the architecture needs [5, 3]" in info.value.message


def test_missing_file_is_an_io_error(tmp_path):
    with pytest.raises(plexus.FileError) as info:
        plexus.Network.load(tmp_path / "nothing-here.safetensors")
    assert isinstance(info.value, OSError)
    assert info.value.status == 4 and "nothing-here.safetensors" in info.value.message


def test_a_weights_only_file_predicts_bitwise_at_a_fraction_of_the_size(tmp_path):
    """The digits net trained with Adam: without the optimizer's state the file is at most 40% of
    the full one, loads, predicts and exports bitwise the same, and training it starts afresh."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    net = plexus.Network([64, 32, 10], ["relu", "softmax"], loss="cross_entropy", seed=3).adam(0.01)
    net.fit(x, digits.target, epochs=2, batch_size=64, progress=False)
    full, light = tmp_path / "full.safetensors", tmp_path / "light.safetensors"
    net.save(full)
    net.save(light, weights_only=True)
    assert light.stat().st_size <= 0.4 * full.stat().st_size, (light.stat().st_size, full.stat().st_size)
    loaded = plexus.Network.load(light)
    assert loaded.predict(x).tobytes() == plexus.Network.load(full).predict(x).tobytes() == net.predict(x).tobytes()
    assert loaded.optimizer["name"] == "adam" and loaded.optimizer["lr"] == net.optimizer["lr"]
    fresh = plexus.Network([64, 32, 10], ["relu", "softmax"], loss="cross_entropy", seed=3).adam(0.01)
    fresh.params = net.params
    loaded.fit(x, digits.target, epochs=1, batch_size=64, progress=False)
    fresh.fit(x, digits.target, epochs=1, batch_size=64, progress=False)
    assert loaded.params.tobytes() == fresh.params.tobytes()   # as from a fresh optimizer
    loaded.export_c(tmp_path, "light")
    assert (tmp_path / "light.c").exists()
