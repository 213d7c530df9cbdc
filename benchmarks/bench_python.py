"""The Python binding's own cost, against the same work done from C in the same run.

Run: make bench-python   (builds build/bench_core and installs the package into build/venv)
Prints ns per one-sample predict on the W1 net (2-4-1 sigmoid) from Python and from C, and
samples/s of a one-epoch fit (20,000 samples) and a 10,000-row predict of the W3 net
(784-256-128-10) from both, alternating one C run and one Python run RUNS times.
"""
import os
import subprocess
import sys
import time

import numpy as np

import plexus

RUNS = 5


def median_range(values):
    values = sorted(values)
    return values[len(values) // 2], values[0], values[-1]


def python_round(net_tiny, x_tiny, x_mlp, labels):
    """One Python run of each workload: (ns per tiny predict, fit samples/s, predict samples/s)."""
    calls = 200_000
    start = time.perf_counter()
    for _ in range(calls):
        net_tiny.predict(x_tiny)
    tiny = (time.perf_counter() - start) * 1e9 / calls
    net = plexus.Network([784, 256, 128, 10], ["relu", "relu", "softmax"], loss="cross_entropy", seed=1)
    start = time.perf_counter()
    net.fit(x_mlp, labels, epochs=1, batch_size=64, shuffle_seed=1, progress=False)
    fit = len(x_mlp) / (time.perf_counter() - start)
    start = time.perf_counter()
    net.predict(x_mlp[:10000])
    return tiny, fit, 10000 / (time.perf_counter() - start)


def c_round(bench_core: str):
    """One C run of the same workloads through benchmarks/bench_core.c (W1, W3, W4)."""
    text = subprocess.run([bench_core], check=True, capture_output=True, text=True,
                          env={**os.environ, "PLEXUS_BENCH_RUNS": "1"}).stdout
    figures = {line[:2]: float(line.split("median")[1].split()[0]) for line in text.splitlines()
               if line[:2] in ("W1", "W3", "W4")}
    return figures["W1"], figures["W3"], figures["W4"]


def main() -> None:
    bench_core = sys.argv[1] if len(sys.argv) > 1 else "build/bench_core"
    rng = np.random.default_rng(1)
    x_mlp = rng.uniform(-0.5, 0.5, (20000, 784)).astype(np.float32)
    labels = rng.integers(0, 10, 20000)
    net_tiny = plexus.Network([2, 4, 1], ["sigmoid", "sigmoid"], seed=1)
    x_tiny = np.array([0.3, 0.7], np.float32)
    c_runs, py_runs = [], []
    for _ in range(RUNS):                       # alternate C and Python, one run each
        c_runs.append(c_round(bench_core))
        py_runs.append(python_round(net_tiny, x_tiny, x_mlp, labels))
    c = [median_range([r[i] for r in c_runs]) for i in range(3)]
    py = [median_range([r[i] for r in py_runs]) for i in range(3)]
    ratios = [median_range([p[i] / q[i] for p, q in zip(py_runs, c_runs)]) for i in range(3)]
    print(f"plexus {plexus.version()}, {RUNS} alternating runs of C ({bench_core}) and Python; median (min-max)")
    print(f"W5 one-sample predict 2-4-1   Python {py[0][0]:8.0f} ns ({py[0][1]:.0f}-{py[0][2]:.0f})  "
          f"C {c[0][0]:6.1f} ns ({c[0][1]:.1f}-{c[0][2]:.1f})  overhead {py[0][0] - c[0][0]:.0f} ns/call")
    print(f"W5 fit W3 net, batch 64       Python {py[1][0]:8.0f} samples/s ({py[1][1]:.0f}-{py[1][2]:.0f})  "
          f"C {c[1][0]:8.0f} ({c[1][1]:.0f}-{c[1][2]:.0f})  Python/C {ratios[1][0]:.3f} ({ratios[1][1]:.3f}-{ratios[1][2]:.3f})")
    print(f"W5 predict 10,000 rows        Python {py[2][0]:8.0f} samples/s ({py[2][1]:.0f}-{py[2][2]:.0f})  "
          f"C {c[2][0]:8.0f} ({c[2][1]:.0f}-{c[2][2]:.0f})  Python/C {ratios[2][0]:.3f} ({ratios[2][1]:.3f}-{ratios[2][2]:.3f})")


if __name__ == "__main__":
    main()
