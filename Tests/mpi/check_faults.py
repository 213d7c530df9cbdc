"""Run with mpirun -np 2: rank 1 fails in the middle of training ("raise" or "die"); the job must
end with an error instead of hanging (the test's mpirun has a timeout)."""
import os
import sys

import numpy as np
from mpi4py import MPI

import plexus
from plexus.distributed import DataParallel

mode = sys.argv[1]
comm = MPI.COMM_WORLD
net = plexus.Network([4, 8, 2], ["tanh", "identity"], seed=1)
x, y = np.random.default_rng(0).normal(size=(64, 4)), np.zeros((64, 2))
calls = {"n": 0}
original = net.backward


def failing_backward(targets):
    calls["n"] += 1
    if comm.Get_rank() == 1 and calls["n"] == 5:
        if mode == "raise":
            raise RuntimeError("injected failure on rank 1")
        os._exit(9)                              # dies without a word, as a crashed process would
    return original(targets)


net.backward = failing_backward
DataParallel(net, comm).fit(x, y, epochs=5, batch_size=8)
print("training finished although rank 1 failed")   # must not be reached
