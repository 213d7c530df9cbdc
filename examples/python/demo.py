"""Plexus from Python: trains XOR and a curve fit with plexus.Network and prints what was learned.

Run after `pip install ./bindings/python` (as `make demo` does): python3 examples/python/demo.py
"""
import numpy as np

import plexus


def xor() -> None:
    print("XOR, 2-4-1 tanh/sigmoid, binary cross-entropy, Adam 0.05:")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([[0], [1], [1], [0]], np.float32)
    net = plexus.Network([2, 4, 1], ["tanh", "sigmoid"], loss="binary_cross_entropy", seed=42).adam(0.05)
    history = net.fit(x, y, epochs=600, batch_size=4, progress=False)
    print(f"  loss {history[0]:.5f} -> {history[-1]:.5f}")
    for row, out in zip(x, net.predict(x)):
        print(f"  {int(row[0])} XOR {int(row[1])} = {out[0]:.3f}")


def curve() -> None:
    print("y = sin(x) on [-3, 3], 1-16-16-1 tanh, MSE, Adam 0.01, mini-batches of 32:")
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (512, 1))
    net = plexus.Network([1, 16, 16, 1], ["tanh", "tanh", "identity"], seed=7).adam(0.01)
    history = net.fit(x, np.sin(x), epochs=300, batch_size=32, shuffle_seed=1, progress=False)
    print(f"  loss {history[0]:.5f} -> {history[-1]:.5f}")
    probe = np.array([[-2.5], [-1.0], [0.0], [1.0], [2.5]])
    for p, out in zip(probe[:, 0], net.predict(probe)[:, 0]):
        print(f"  sin({p:+.1f}) = {np.sin(p):+.4f}   network: {out:+.4f}")


if __name__ == "__main__":
    print(f"plexus {plexus.version()} from {plexus.library_path}")
    xor()
    curve()
