"""What layer norms cost (benchmarks/RESULTS.md, 0.12.0): a 784-256-256-10 network with and
without a LayerNorm after each hidden layer, predict and one training step, rounds alternating,
one thread and all threads; beside it the ratio the arithmetic predicts (the norms' ~8 flops
per value against the dense layers' 2 per weight) and PyTorch's own ratio for the same two nets
where torch is installed. `make bench-layer-norm`."""
import sys
import time
from pathlib import Path

import numpy as np

import plexus
from plexus.layers import Dense, LayerNorm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

WIDTHS = (784, 256, 256, 10)


def nets():
    plain = plexus.Network([Dense(256, "relu"), Dense(256, "relu"), Dense(10, "softmax")], input_shape=784,
                           loss="cross_entropy", seed=1)
    normed = plexus.Network([Dense(256, "relu"), LayerNorm(), Dense(256, "relu"), LayerNorm(), Dense(10, "softmax")],
                            input_shape=784, loss="cross_entropy", seed=1)
    return plain, normed


def rounds(calls, work, count=9):
    ratios, times = [], []
    for _ in range(count):
        seconds = []
        for run in work:
            start = time.perf_counter()
            for _ in range(calls):
                run()
            seconds.append((time.perf_counter() - start) / calls)
        ratios.append(seconds[1] / seconds[0])
        times.append(seconds)
    return float(np.median(ratios)), min(ratios), max(ratios), np.median(np.array(times), axis=0)


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 512)]
    weights = sum(a * b for a, b in zip(WIDTHS, WIDTHS[1:]))
    arithmetic = 1 + (8 * 2 * 256) / (2 * weights)
    print(f"bench_layer_norm: CPU {machine.cpu()}")
    for threads in (1, plexus.get_threads()):
        plexus.set_threads(threads)
        plain, normed = nets()
        for net in (plain, normed):
            net.adam(1e-3)
        print(f"  {plexus.gemm_info()}")
        median, low, high, times = rounds(20, [lambda: plain.predict(x), lambda: normed.predict(x)])
        print(f"  predict, 512 rows: with / without layer norms {median:.3f} (rounds {low:.3f}-{high:.3f}; "
              f"{times[0] * 1e3:.2f} vs {times[1] * 1e3:.2f} ms); the arithmetic says {arithmetic:.3f}")
        median, low, high, times = rounds(10, [lambda: plain.train_step(x, y), lambda: normed.train_step(x, y)])
        print(f"  train_step, 512 rows: with / without layer norms {median:.3f} (rounds {low:.3f}-{high:.3f}; "
              f"{times[0] * 1e3:.2f} vs {times[1] * 1e3:.2f} ms)")
    try:
        import torch
    except ImportError:
        print("  PyTorch: not installed")
        return
    torch.set_num_threads(1)
    nn = torch.nn
    plain = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).eval()
    normed = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.LayerNorm(256), nn.Linear(256, 256), nn.ReLU(),
                           nn.LayerNorm(256), nn.Linear(256, 10)).eval()
    tx = torch.from_numpy(x)
    with torch.no_grad():
        median, low, high, times = rounds(20, [lambda: plain(tx), lambda: normed(tx)])
    print(f"  PyTorch {torch.__version__}, 1 thread, forward of 512 rows: with / without layer norms {median:.3f} "
          f"(rounds {low:.3f}-{high:.3f}; {times[0] * 1e3:.2f} vs {times[1] * 1e3:.2f} ms)")


main()
