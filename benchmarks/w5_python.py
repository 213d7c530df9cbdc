"""W5: Plexus driven from Python, the same work as bench_core.c's w1 and w3 from C.

    python w5_python.py predict THREADS   ns per one-sample Network.predict on the 2-4-1 net
    python w5_python.py fit THREADS       samples/s of Network.fit on W3 (60,000 samples,
                                          batch 64, SGD 0.01, one epoch)
"""
import sys
import time

import numpy as np

import plexus


def main():
    workload, threads = sys.argv[1], int(sys.argv[2])
    plexus.set_threads(threads)
    if workload == "predict":
        net = plexus.Network([2, 4, 1], ["sigmoid", "sigmoid"], seed=1)
        x = np.array([0.3, 0.7], np.float32)
        calls = 200_000
        start = time.perf_counter()
        for _ in range(calls):
            net.predict(x)
        print(f"{(time.perf_counter() - start) * 1e9 / calls:.6g}")
    elif workload == "fit":
        n = 60_000
        rng = np.random.default_rng(1)
        x = rng.random((n, 784), dtype=np.float32) - np.float32(0.5)
        y = np.zeros((n, 10), np.float32)
        y[np.arange(n), rng.integers(0, 10, n)] = 1
        net = plexus.Network([784, 256, 128, 10], ["relu", "relu", "softmax"], loss="cross_entropy", seed=1).sgd(0.01)
        start = time.perf_counter()
        net.fit(x, y, epochs=1, batch_size=64, shuffle_seed=1, progress=False)
        print(f"{n / (time.perf_counter() - start):.6g}")
    else:
        sys.exit(f"unknown workload {workload}")


if __name__ == "__main__":
    main()
