"""One training step of the 784-256-128-10 MLP (batch 64, SGD) on the dense engine and on the same
network built from computational-graph nodes, alternating, 5 rounds of 200 steps each.
Run: make bench-graph"""
import time

import numpy as np

import plexus
from machine import describe

B, ROUNDS, STEPS = 64, 5, 200


def build():
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.5, 0.5, (B, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, B)]
    net = plexus.Network([784, 256, 128, 10], ["relu", "relu", "softmax"], loss="cross_entropy", seed=1)
    g = plexus.Graph()
    inputs, targets, ones = g.input(B, 784), g.input(B, 10), g.constant(np.ones((B, 1)))
    h = inputs
    for layer, activation in ((1, "relu"), (2, "relu"), (3, None)):
        w, b = net.get_weights(layer)
        h = h @ g.param(w.T) + ones @ g.param(b.reshape(1, -1))
        if activation:
            h = g.activation(activation, h)
    loss = g.loss("cross_entropy", h, targets)
    inputs.set(x)
    targets.set(y)
    return net, g, loss, x, y


def main():
    print(describe())
    net, g, loss, x, y = build()

    def dense():
        net.forward(x); net.backward(y); net.step()

    def graph():
        g.forward(); g.backward(loss); g.step()

    times = {"dense": [], "graph": []}
    for _ in range(ROUNDS):
        for name, step in (("dense", dense), ("graph", graph)):
            step()
            start = time.perf_counter()
            for _ in range(STEPS):
                step()
            times[name].append((time.perf_counter() - start) / STEPS * 1e6)
    ratios = sorted(gr / de for gr, de in zip(times["graph"], times["dense"]))
    for name in times:
        values = sorted(times[name])
        print(f"{name:5s} engine: median {values[ROUNDS // 2]:7.0f} us/step (min {values[0]:.0f}, max {values[-1]:.0f})")
    print(f"graph/dense: median {ratios[ROUNDS // 2]:.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f})")


if __name__ == "__main__":
    main()
