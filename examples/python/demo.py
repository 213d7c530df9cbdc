"""Plexus from Python: trains XOR and a curve fit through libplexus.so and prints what was learned.

Run from the repository: `make demo` (or `PLEXUS_LIBRARY=.build/release/libplexus.so python3
examples/python/demo.py`). It uses the binding's ctypes layer, `plexus._capi`, with numpy arrays.
"""
import ctypes
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
from plexus._capi import EPOCH_FN, lib  # noqa: E402

IDENTITY, SIGMOID, TANH = 0, 1, 2
BINARY_CROSS_ENTROPY = 3


def check(status: int) -> None:
    if status != 0:
        raise RuntimeError(f"{lib.plexus_status_name(status).decode()}: {lib.plexus_last_error().decode()}")


def create(sizes, activations, seed):
    sizes_c = (ctypes.c_uint32 * len(sizes))(*sizes)
    acts_c = (ctypes.c_int * len(activations))(*activations)
    handle = ctypes.c_void_p()
    check(lib.plexus_create(ctypes.addressof(sizes_c), ctypes.addressof(acts_c), len(sizes), 0, seed,
                            ctypes.addressof(handle)))
    return handle.value


def predict(net, x, outputs):
    y = np.empty((x.shape[0], outputs), np.float32)
    check(lib.plexus_predict(net, x.ctypes.data, x.shape[0], y.ctypes.data))
    return y


def train(net, x, y, epochs, batch_size, report_every):
    @EPOCH_FN
    def on_epoch(epoch, loss, user):
        if epoch == 0 or (epoch + 1) % report_every == 0:
            print(f"  epoch {epoch + 1:5d}  loss {loss:.5f}")
        return 0

    check(lib.plexus_train(net, x.ctypes.data, y.ctypes.data, x.shape[0], epochs, batch_size, 1, on_epoch, None))


def xor():
    print("XOR, 2-4-1 tanh/sigmoid, binary cross-entropy, Adam 0.05, plexus_train:")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([[0], [1], [1], [0]], np.float32)
    net = create([2, 4, 1], [TANH, SIGMOID], seed=42)
    try:
        check(lib.plexus_set_loss(net, BINARY_CROSS_ENTROPY))
        check(lib.plexus_set_adam(net, 0.05, 0.9, 0.999, 1e-8))
        train(net, x, y, epochs=600, batch_size=4, report_every=200)
        for row, out in zip(x, predict(net, x, 1)):
            print(f"  {int(row[0])} XOR {int(row[1])} = {out[0]:.3f}")
    finally:
        lib.plexus_free(net)


def curve():
    print("y = sin(x) on [-3, 3], 1-16-16-1 tanh, MSE, Adam 0.01, mini-batches of 32:")
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (512, 1)).astype(np.float32)
    y = np.sin(x).astype(np.float32)
    net = create([1, 16, 16, 1], [TANH, TANH, IDENTITY], seed=7)
    try:
        check(lib.plexus_set_adam(net, 0.01, 0.9, 0.999, 1e-8))
        train(net, x, y, epochs=300, batch_size=32, report_every=100)
        probe = np.array([[-2.5], [-1.0], [0.0], [1.0], [2.5]], np.float32)
        for p, out in zip(probe[:, 0], predict(net, probe, 1)[:, 0]):
            print(f"  sin({p:+.1f}) = {np.sin(p):+.4f}   network: {out:+.4f}")
    finally:
        lib.plexus_free(net)


if __name__ == "__main__":
    print(f"libplexus {lib.plexus_version().decode()}")
    xor()
    curve()
