"""A thin test-side wrapper of the C API (through plexus._capi), so tests read as numpy code."""
from __future__ import annotations

import ctypes

import numpy as np

from plexus._capi import EPOCH_FN, lib

ACTIVATIONS = {"identity": 0, "sigmoid": 1, "tanh": 2, "relu": 3, "leaky_relu": 4, "softmax": 5}
LOSSES = {"mse": 0, "quadratic": 1, "cross_entropy": 2, "binary_cross_entropy": 3}


class CError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"{lib.plexus_status_name(status).decode()}: {message}")
        self.status = status
        self.message = message


def check(status: int) -> None:
    if status != 0:
        raise CError(status, lib.plexus_last_error().decode())


def f32(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


class CNet:
    def __init__(self, sizes, activations, bias=True, seed=0, loss="mse"):
        self.sizes = list(sizes)
        sizes_c = (ctypes.c_uint32 * len(sizes))(*sizes)
        acts_c = (ctypes.c_int * len(activations))(*[ACTIVATIONS[a] for a in activations])
        handle = ctypes.c_void_p()
        check(lib.plexus_create(ctypes.addressof(sizes_c), ctypes.addressof(acts_c), len(sizes),
                                0 if bias else 1, seed, ctypes.addressof(handle)))
        self.handle = handle.value
        check(lib.plexus_set_loss(self.handle, LOSSES[loss]))

    def __del__(self):
        if getattr(self, "handle", None):
            lib.plexus_free(self.handle)
            self.handle = None

    @property
    def param_count(self) -> int:
        return lib.plexus_param_count(self.handle)

    def params(self) -> np.ndarray:
        out = np.empty(self.param_count, np.float32)
        check(lib.plexus_get_params(self.handle, out.ctypes.data))
        return out

    def set_params(self, values) -> None:
        values = f32(values)
        check(lib.plexus_set_params(self.handle, values.ctypes.data))

    def grads(self) -> np.ndarray:
        out = np.empty(self.param_count, np.float32)
        check(lib.plexus_get_grads(self.handle, out.ctypes.data))
        return out

    def forward(self, x) -> np.ndarray:
        x = f32(x)
        y = np.empty((x.shape[0], self.sizes[-1]), np.float32)
        check(lib.plexus_forward(self.handle, x.ctypes.data, x.shape[0], y.ctypes.data))
        return y

    def backward(self, target) -> float:
        target = f32(target)
        loss = ctypes.c_float()
        check(lib.plexus_backward(self.handle, target.ctypes.data, target.shape[0], ctypes.addressof(loss)))
        return loss.value

    def predict(self, x) -> np.ndarray:
        x = f32(x)
        y = np.empty((x.shape[0], self.sizes[-1]), np.float32)
        check(lib.plexus_predict(self.handle, x.ctypes.data, x.shape[0], y.ctypes.data))
        return y

    def step(self) -> None:
        check(lib.plexus_step(self.handle))

    def sgd(self, lr, momentum=0.0) -> None:
        check(lib.plexus_set_sgd(self.handle, lr, momentum))

    def adam(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> None:
        check(lib.plexus_set_adam(self.handle, lr, beta1, beta2, eps))

    def train(self, x, y, epochs, batch_size, shuffle_seed) -> list[float]:
        x, y = f32(x), f32(y)
        history: list[float] = []

        @EPOCH_FN
        def on_epoch(epoch, loss, user):
            history.append(loss)
            return 0

        check(lib.plexus_train(self.handle, x.ctypes.data, y.ctypes.data, x.shape[0], epochs,
                               batch_size, shuffle_seed, on_epoch, None))
        return history


def save(net: CNet, path) -> None:
    check(lib.plexus_save(net.handle, str(path).encode()))


def load(path) -> CNet:
    """A CNet around a loaded handle."""
    handle = ctypes.c_void_p()
    check(lib.plexus_load(str(path).encode(), ctypes.addressof(handle)))
    net = CNet.__new__(CNet)
    net.handle = handle.value
    net.sizes = [lib.plexus_layer_size(net.handle, i) for i in range(lib.plexus_layer_count(net.handle))]
    return net


def weights(net: CNet, layer: int):
    """(W, b) of layer `layer` (1..L) through plexus_get_weights."""
    w = np.empty((net.sizes[layer], net.sizes[layer - 1]), np.float32)
    b = np.empty(net.sizes[layer], np.float32)
    check(lib.plexus_get_weights(net.handle, layer, w.ctypes.data, b.ctypes.data))
    return w, b
