"""The numpy peer for W3 and W4: the same network and maths as Plexus, written the way a careful
numpy user would (float32 throughout, in-place updates, one matrix product per layer and pass).

    python peer_numpy.py w3|w4 THREADS    prints samples/s of one run

Threads: numpy's own OpenBLAS reads OPENBLAS_NUM_THREADS when it loads, so this script sets it
from THREADS before importing numpy. W3: 784-256-128-10 relu/relu/softmax with cross-entropy,
60,000 samples of fixed random data, shuffled mini-batches of 64, SGD lr 0.01, one epoch.
W4: predict of 10,000 samples in one call, timed over 5 calls after a warm-up call (the first
call of a process pays for thread start-up and first-touch memory in every library).
"""
import os
import sys

if __name__ == "__main__":
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[2]

import time  # noqa: E402

import numpy as np  # noqa: E402

SIZES = [784, 256, 128, 10]
W3_SAMPLES, W4_SAMPLES, W4_CALLS, BATCH, LR = 60_000, 10_000, 5, 64, np.float32(0.01)


def data(n, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32) - np.float32(0.5)
    y = np.zeros((n, 10), dtype=np.float32)
    y[np.arange(n), rng.integers(0, 10, n)] = 1
    return x, y


def init(seed=1):
    """He-uniform weights and zero biases, as Plexus initialises relu layers."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES, SIZES[1:]):
        limit = np.sqrt(6.0 / fan_in)
        params.append(rng.uniform(-limit, limit, (fan_out, fan_in)).astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    return params


def softmax(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def forward(params, x):
    w1, b1, w2, b2, w3, b3 = params
    z1 = x @ w1.T
    z1 += b1
    a1 = np.maximum(z1, 0, out=z1)
    z2 = a1 @ w2.T
    z2 += b2
    a2 = np.maximum(z2, 0, out=z2)
    z3 = a2 @ w3.T
    z3 += b3
    return a1, a2, softmax(z3)


def train_epoch(params, x, y, rng):
    w1, b1, w2, b2, w3, b3 = params
    order = rng.permutation(len(x))
    for start in range(0, len(x), BATCH):
        rows = order[start:start + BATCH]
        xb, yb = x[rows], y[rows]
        a1, a2, p = forward(params, xb)
        # Cross-entropy of softmax: dL/dz3 = (p - y) / B; relu passes gradient where a > 0.
        d3 = p - yb
        d3 /= np.float32(len(rows))
        d2 = d3 @ w3
        d2 *= a2 > 0
        d1 = d2 @ w2
        d1 *= a1 > 0
        for w, b, d, a in ((w3, b3, d3, a2), (w2, b2, d2, a1), (w1, b1, d1, xb)):
            w -= LR * (d.T @ a)
            b -= LR * d.sum(axis=0)


def main():
    workload = sys.argv[1]
    params = init()
    if workload == "w3":
        x, y = data(W3_SAMPLES)
        rng = np.random.default_rng(3)
        start = time.perf_counter()
        train_epoch(params, x, y, rng)
        print(f"{W3_SAMPLES / (time.perf_counter() - start):.6g}")
    elif workload == "w4":
        x, _ = data(W4_SAMPLES)
        forward(params, x)
        start = time.perf_counter()
        for _ in range(W4_CALLS):
            forward(params, x)
        print(f"{W4_CALLS * W4_SAMPLES / (time.perf_counter() - start):.6g}")
    else:
        sys.exit(f"unknown workload {workload}")


if __name__ == "__main__":
    main()
