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
    if loss == "l1":   # torch L1Loss: mean |a - y|, gradient sign(a - y) (0 at 0)
        return np.mean(np.abs(a - y)), activation_backward(activation, z, a, np.sign(a - y) / a.size)
    if loss == "huber":   # torch HuberLoss(delta=1): mean of d^2/2 (|d| <= 1) or |d| - 1/2
        d = a - y
        value = np.mean(np.where(np.abs(d) <= 1, 0.5 * d * d, np.abs(d) - 0.5))
        return value, activation_backward(activation, z, a, np.clip(d, -1, 1) / a.size)
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


def gradients(layers, activations, loss, x, y, masks=None, row_weights=None):
    """Returns (loss, [(dW, db or None)]) for one batch. `masks[l]` (None or [rows][width] of 0 or
    1/(1-p)) is inverted dropout on hidden layer l+1's outputs; `row_weights` (mean 1) weigh the
    rows' shares of the loss."""
    a_list, z_list, undropped = [x], [], []
    for l, ((w, b), name) in enumerate(zip(layers, activations)):
        z = a_list[-1] @ w.T + (0 if b is None else b)
        a = activate(name, z)
        undropped.append(a)
        if masks is not None and masks[l] is not None:
            a = a * masks[l]
        z_list.append(z)
        a_list.append(a)
    if row_weights is None:
        value, delta = loss_and_output_grad(loss, activations[-1], z_list[-1], a_list[-1], y)
    else:   # each row alone, scaled by its weight / rows, as a weighted mean of per-row losses
        rows = x.shape[0]
        parts = [loss_and_output_grad(loss, activations[-1], z_list[-1][r:r + 1], a_list[-1][r:r + 1], y[r:r + 1])
                 for r in range(rows)]
        value = sum(w * v for w, (v, _) in zip(row_weights, parts)) / rows
        delta = np.concatenate([w * g / rows for w, (_, g) in zip(row_weights, parts)])
    grads = [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        w, b = layers[l]
        grads[l] = (delta.T @ a_list[l], None if b is None else delta.sum(axis=0))
        if l > 0:
            upstream = delta @ w
            if masks is not None and masks[l - 1] is not None:
                upstream = upstream * masks[l - 1]
            delta = activation_backward(activations[l - 1], z_list[l - 1], undropped[l - 1], upstream)
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
    def __init__(self, lr, momentum=0.0, weight_decay=0.0):
        self.lr, self.momentum, self.weight_decay, self.buffer = lr, momentum, weight_decay, None

    def step(self, theta, g):
        g = g + self.weight_decay * theta
        if self.momentum:
            self.buffer = g.copy() if self.buffer is None else self.momentum * self.buffer + g
            return theta - self.lr * self.buffer
        return theta - self.lr * g


class Adam:
    """torch.optim.Adam (weight decay coupled: g + wd*theta), or AdamW with decoupled=True
    (theta * (1 - lr*wd) before the update)."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.weight_decay, self.decoupled = weight_decay, decoupled
        self.m = self.v = None
        self.t = 0

    def step(self, theta, g):
        if self.decoupled:
            theta = theta * (1 - self.lr * self.weight_decay)
        else:
            g = g + self.weight_decay * theta
        if self.m is None:
            self.m, self.v = np.zeros_like(g), np.zeros_like(g)
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        m_hat = self.m / (1 - self.b1 ** self.t)
        v_hat = self.v / (1 - self.b2 ** self.t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class RMSprop:
    """torch.optim.RMSprop: square_avg, and grad_avg when centered, and momentum_buffer when
    momentum > 0, all starting at zero; weight decay coupled (g + wd*theta)."""

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0):
        self.lr, self.alpha, self.eps, self.momentum = lr, alpha, eps, momentum
        self.centered, self.weight_decay = centered, weight_decay
        self.square = self.average = self.buffer = None

    def step(self, theta, g):
        g = g + self.weight_decay * theta
        if self.square is None:
            self.square, self.average, self.buffer = np.zeros_like(g), np.zeros_like(g), np.zeros_like(g)
        self.square = self.alpha * self.square + (1 - self.alpha) * g * g
        if self.centered:
            self.average = self.alpha * self.average + (1 - self.alpha) * g
            denominator = np.sqrt(self.square - self.average ** 2) + self.eps
        else:
            denominator = np.sqrt(self.square) + self.eps
        if self.momentum > 0:
            self.buffer = self.momentum * self.buffer + g / denominator
            return theta - self.lr * self.buffer
        return theta - self.lr * g / denominator


class Rprop:
    """torch.optim.Rprop (iRPROP-), written from its documented algorithm: per parameter a step size
    starting at lr; the product of the gradient and the previous one decides the factor (eta_plus
    above 0, eta_minus below, 1 at 0); the step is clamped to [step_min, step_max]; after a sign
    flip the gradient counts as 0; theta -= sign(g) * step; the previous gradient is kept. In float32,
    as torch's tensors are."""

    def __init__(self, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), weight_decay=0.0):
        self.lr, self.etas, self.step_sizes, self.weight_decay = lr, etas, step_sizes, weight_decay
        self.prev = self.steps = None

    def step(self, theta, g):
        theta, g = np.float32(theta), np.float32(g) + np.float32(self.weight_decay) * np.float32(theta)
        if self.prev is None:
            self.prev, self.steps = np.zeros_like(g), np.full_like(g, np.float32(self.lr))
        product = g * self.prev
        factor = np.where(product > 0, np.float32(self.etas[1]), np.where(product < 0, np.float32(self.etas[0]), np.float32(1)))
        self.steps = np.clip(self.steps * factor, np.float32(self.step_sizes[0]), np.float32(self.step_sizes[1])).astype(np.float32)
        g = np.where(product < 0, np.float32(0), g).astype(np.float32)
        self.prev = g
        return (theta - np.sign(g) * self.steps).astype(np.float32)


def clip_by_global_norm(g, max_norm):
    """torch.nn.utils.clip_grad_norm_: g * min(1, max_norm / (||g|| + 1e-6))."""
    return g * min(1.0, max_norm / (np.sqrt(np.sum(g.astype(np.float64) ** 2)) + 1e-6))


# ----- learning-rate schedules, closed forms from torch's documentation -------------------------------
def step_lr(base, epoch, step_size, gamma):
    return base * gamma ** (epoch // step_size)


def cosine_lr(base, epoch, t_max, eta_min):
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * epoch / t_max)) / 2


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


def dropout_mask(gen, rows: int, width: int, p: float) -> np.ndarray:
    """Plexus's documented mask: value i keeps when unit_float() >= p, drawn in row-major order;
    kept values are scaled by 1/(1-p)."""
    scale = np.float32(1 / (1 - float(np.float32(p))))
    draws = np.array([gen.unit_float() for _ in range(rows * width)], np.float32).reshape(rows, width)
    return np.where(draws >= np.float32(p), scale, np.float32(0))


def generator_after_init(sizes, seed):
    """The net's generator once initialisation has drawn every weight (dropout continues it)."""
    gen = Xoshiro256StarStar(seed)
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        for _ in range(fan_in * fan_out):
            gen.next()
    return gen


def epoch_orders(n: int, epochs: int, seed: int):
    gen = Xoshiro256StarStar(seed)
    for _ in range(epochs):
        order = list(range(n))
        for i in range(n - 1, 0, -1):
            j = gen.index_below(i + 1)
            order[i], order[j] = order[j], order[i]
        yield order
