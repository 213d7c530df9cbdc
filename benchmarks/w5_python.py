"""W5: Plexus driven from Python, the same work as bench_core.c's w1 and w3 from C.

    python w5_python.py predict THREADS   ns per one-sample Network.predict on the 2-4-1 net
    python w5_python.py predict-paired THREADS LIBW5   "PYTHON C" ns per one-sample predict: the
                                          Python loop and w5_c_loop.c's C loop (LIBW5, the built
                                          shared library) in 20 alternating chunks each
    python w5_python.py fit THREADS       samples/s of Network.fit on W3 (60,000 samples,
                                          batch 64, SGD 0.01, one epoch)
"""
import ctypes
import sys
import time

import numpy as np

import plexus
from plexus import _capi


def tiny_net():
    """The W1 net (bench_core.c's tiny_net: 2-4-1 sigmoid, seed 1) and one sample."""
    return plexus.Network([2, 4, 1], ["sigmoid", "sigmoid"], seed=1), np.array([0.3, 0.7], np.float32)


def main():
    workload, threads = sys.argv[1], int(sys.argv[2])
    plexus.set_threads(threads)
    if workload == "predict":
        net, x = tiny_net()
        calls = 200_000
        start = time.perf_counter()
        for _ in range(calls):
            net.predict(x)
        print(f"{(time.perf_counter() - start) * 1e9 / calls:.6g}")
    elif workload == "predict-paired":
        loop = ctypes.CDLL(sys.argv[3]).w1_predict_loop
        loop.restype = ctypes.c_int
        loop.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long, ctypes.POINTER(ctypes.c_float)]
        predict = ctypes.cast(_capi.lib.plexus_predict, ctypes.c_void_p)   # the library Python loaded
        net, x = tiny_net()
        sink = ctypes.c_float()
        chunk, chunks, python_time, c_time = 20_000, 20, 0.0, 0.0
        for _ in range(chunks):
            start = time.perf_counter()
            for _ in range(chunk):
                net.predict(x)
            python_time += time.perf_counter() - start
            start = time.perf_counter()
            status = loop(predict, net.handle, chunk, ctypes.byref(sink))
            c_time += time.perf_counter() - start
            if status != 0:
                sys.exit(f"plexus_predict failed with status {status}")
        calls = chunk * chunks
        print(f"{python_time * 1e9 / calls:.6g} {c_time * 1e9 / calls:.6g}")
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
