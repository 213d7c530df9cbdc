"""An independent numpy implementation of the maths Plexus documents, in float64.

Nothing here calls Plexus: activations, losses, backpropagation, torch-style SGD and Adam, and the
documented generator (SplitMix64 → xoshiro256**) with its Fisher–Yates shuffle and initialisation.
"""
from __future__ import annotations

import math

import numpy as np

LEAKY_SLOPE = 0.01


# ----- activations: f(z) and the backward map from dL/da to dL/dz ---------------------------------
def activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "identity":
        return z.copy()
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if name == "gelu":
        return 0.5 * z * (1 + _erf(z / np.sqrt(2)))
    if name == "elu":
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
    if name == "silu":
        return z / (1 + np.exp(-z))
    if name == "softplus":
        return np.where(z > 20, z, np.log1p(np.exp(np.minimum(z, 20))))
    raise ValueError(name)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf elementwise (numpy has none; math.erf is exact to double)."""
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(np.asarray(x).dtype)


def activation_backward(name: str, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
    if name == "identity":
        return grad_a
    if name == "sigmoid":
        return grad_a * a * (1 - a)
    if name == "tanh":
        return grad_a * (1 - a * a)
    if name == "relu":
        return grad_a * (z > 0)
    if name == "leaky_relu":
        return grad_a * np.where(z > 0, 1.0, LEAKY_SLOPE)
    if name == "softmax":  # J^T g with J = diag(a) - a a^T, row by row
        return a * (grad_a - (grad_a * a).sum(axis=1, keepdims=True))
    if name == "gelu":
        return grad_a * (0.5 * (1 + _erf(z / np.sqrt(2))) + z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi))
    if name == "elu":
        return grad_a * np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))
    if name == "silu":
        s = 1 / (1 + np.exp(-z))
        return grad_a * s * (1 + z * (1 - s))
    if name == "softplus":
        return grad_a * np.where(z > 20, 1.0, 1 / (1 + np.exp(-z)))
    raise ValueError(name)


# ----- losses: value and dL/dz of the output layer -------------------------------------------------
def loss_and_output_grad(loss: str, activation: str, z: np.ndarray, a: np.ndarray, y: np.ndarray):
    batch = z.shape[0]
    if loss == "mse":
        return np.mean((a - y) ** 2), activation_backward(activation, z, a, 2 * (a - y) / a.size)
    if loss == "quadratic":
        return np.sum((a - y) ** 2) / (2 * batch), activation_backward(activation, z, a, (a - y) / batch)
    if loss == "cross_entropy":
        shifted = z - z.max(axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        value = -(y * log_softmax).sum() / batch
        return value, (np.exp(log_softmax) * y.sum(axis=1, keepdims=True) - y) / batch
    if loss == "binary_cross_entropy":
        value = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
        return value, (1 / (1 + np.exp(-z)) - y) / z.size
    raise ValueError(loss)


# ----- the network ----------------------------------------------------------------------------------
def forward(layers, activations, x):
    """layers: [(W [out][in], b or None)]. Returns (zs, activations per layer with a[0] = x)."""
    a_list, z_list = [x], []
    for (w, b), name in zip(layers, activations):
        z = a_list[-1] @ w.T + (0 if b is None else b)
        z_list.append(z)
        a_list.append(activate(name, z))
    return z_list, a_list


def gradients(layers, activations, loss, x, y):
    """Returns (loss, [(dW, db or None)]) for one batch."""
    zs, acts = forward(layers, activations, x)
    value, delta = loss_and_output_grad(loss, activations[-1], zs[-1], acts[-1], y)
    grads = [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        w, b = layers[l]
        grads[l] = (delta.T @ acts[l], None if b is None else delta.sum(axis=0))
        if l > 0:
            delta = activation_backward(activations[l - 1], zs[l - 1], acts[l], delta @ w)
    return value, grads


def flatten(pairs) -> np.ndarray:
    parts = []
    for w, b in pairs:
        parts.append(w.ravel())
        if b is not None:
            parts.append(b.ravel())
    return np.concatenate(parts)


def unflatten(flat, sizes, bias):
    out, offset = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = flat[offset:offset + fan_in * fan_out].reshape(fan_out, fan_in)
        offset += fan_in * fan_out
        b = None
        if bias:
            b = flat[offset:offset + fan_out]
            offset += fan_out
        out.append((w, b))
    return out


# ----- optimizers, as torch.optim documents them ----------------------------------------------------
class SGD:
    def __init__(self, lr, momentum=0.0):
        self.lr, self.momentum, self.buffer = lr, momentum, None

    def step(self, theta, g):
        if self.momentum:
            self.buffer = g.copy() if self.buffer is None else self.momentum * self.buffer + g
            return theta - self.lr * self.buffer
        return theta - self.lr * g


class Adam:
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.t = 0

    def step(self, theta, g):
        if self.m is None:
            self.m, self.v = np.zeros_like(g), np.zeros_like(g)
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        m_hat = self.m / (1 - self.b1 ** self.t)
        v_hat = self.v / (1 - self.b2 ** self.t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# ----- the documented generator ---------------------------------------------------------------------
MASK = (1 << 64) - 1


class Xoshiro256StarStar:
    def __init__(self, seed: int):
        x = seed & MASK
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self) -> int:
        s = self.s
        result = (self._rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def unit_float(self) -> np.float32:
        return np.float32(self.next() >> 40) * np.float32(2.0 ** -24)

    def index_below(self, bound: int) -> int:
        product = self.next() * bound
        if (product & MASK) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (product & MASK) < threshold:
                product = self.next() * bound
        return product >> 64


def initial_parameters(sizes, activations, bias, seed) -> np.ndarray:
    """Plexus's documented initialisation, computed in float32 the same way."""
    gen = Xoshiro256StarStar(seed)
    pairs = []
    for fan_in, fan_out, name in zip(sizes[:-1], sizes[1:], activations):
        if name in ("relu", "leaky_relu", "gelu", "elu", "silu"):
            slope = np.float64(np.float32(LEAKY_SLOPE)) if name == "leaky_relu" else 0.0
            limit = np.float32(np.sqrt(2 / (1 + slope * slope)) * np.sqrt(3 / fan_in))
        else:
            limit = np.float32(np.sqrt(6 / (fan_in + fan_out)))
        w = np.array([(np.float32(2) * gen.unit_float() - np.float32(1)) * limit
                      for _ in range(fan_in * fan_out)], dtype=np.float32).reshape(fan_out, fan_in)
        pairs.append((w, np.zeros(fan_out, np.float32) if bias else None))
    return flatten(pairs)


def epoch_orders(n: int, epochs: int, seed: int):
    gen = Xoshiro256StarStar(seed)
    for _ in range(epochs):
        order = list(range(n))
        for i in range(n - 1, 0, -1):
            j = gen.index_below(i + 1)
            order[i], order[j] = order[j], order[i]
        yield order
