"""What a network's input transform costs predict (benchmarks/RESULTS.md, 0.9.0): the digits
network with and without one, rounds alternating, one thread. `make bench-transforms`."""
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

import plexus

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

plexus.set_threads(1)
print(f"bench_transform_cost: CPU {machine.cpu()}; Plexus's GEMM {plexus.blas_info()}")
x, _ = load_digits(return_X_y=True)
x = x.astype(np.float32)
plain = plexus.Network([64, 32, 10], ["relu", "softmax"], loss="cross_entropy", seed=1)
transformed = plexus.Network.from_bytes(plain.to_bytes()).fit_input_transform(x)
for rows, calls in ((1, 20000), (len(x), 20)):
    batch, ratios = x[:rows], []
    for _ in range(15):
        seconds = []
        for net in (plain, transformed):
            start = time.perf_counter()
            for _ in range(calls):
                net.predict(batch)
            seconds.append(time.perf_counter() - start)
        ratios.append(seconds[1] / seconds[0])
    print(f"digits 64-32-10, predict of {rows} row(s): with / without an input transform, median "
          f"{np.median(ratios):.3f} (rounds {min(ratios):.3f}-{max(ratios):.3f})")
