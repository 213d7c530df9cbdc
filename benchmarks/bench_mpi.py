"""W3 through plexus.distributed: samples/s of one epoch (20,000 samples, batch 64, 784-256-128-10)
with the ranks this script runs on. Run: make bench-mpi (1 rank, then 2 ranks)."""
import time

import numpy as np
from mpi4py import MPI

import plexus
from machine import describe
from plexus.distributed import DataParallel

comm = MPI.COMM_WORLD
if comm.Get_rank() == 0:
    print(describe())
rng = np.random.default_rng(1)
x = rng.uniform(-0.5, 0.5, (20000, 784)).astype(np.float32)
labels = rng.integers(0, 10, 20000)
rates = []
for _ in range(3):
    net = plexus.Network([784, 256, 128, 10], ["relu", "relu", "softmax"], loss="cross_entropy", seed=1).sgd(0.01)
    parallel = DataParallel(net, comm)
    comm.Barrier()
    start = time.perf_counter()
    parallel.fit(x, labels, epochs=1, batch_size=64, shuffle_seed=1)
    comm.Barrier()
    rates.append(len(x) / (time.perf_counter() - start))
if comm.Get_rank() == 0:
    rates.sort()
    print(f"{comm.Get_size()} rank(s): median {rates[1]:.0f} samples/s (min {rates[0]:.0f}, max {rates[2]:.0f})")
