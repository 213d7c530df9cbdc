"""Digits trained data-parallel over MPI: mpirun -np 2 python examples/mpi_digits.py [checkpoint]

Every rank loads scikit-learn's bundled digits, holds a replica of the same network, and trains on
its share of each global batch of 32; rank 0 reports accuracy and writes the checkpoint, which then
loads in a single process (plexus.Network.load or plexus_load from C)."""
import sys

import numpy as np
from mpi4py import MPI
from sklearn.datasets import load_digits

import plexus
from plexus.distributed import DataParallel

comm = MPI.COMM_WORLD
digits = load_digits()
x, y = (digits.data / 16.0).astype(np.float32), digits.target
order = np.random.default_rng(0).permutation(len(x))
test, train = order[:360], order[360:]
checkpoint = sys.argv[1] if len(sys.argv) > 1 else "mpi_digits.safetensors"

net = plexus.Network([64, 64, 10], ["relu", "softmax"], loss="cross_entropy", seed=comm.Get_rank() + 1).adam(0.005)
history = DataParallel(net, comm).fit(x[train], y[train], epochs=40, batch_size=32, shuffle_seed=2, checkpoint=checkpoint)
if comm.Get_rank() == 0:
    accuracy = (net.predict(x[test]).argmax(axis=1) == y[test]).mean()
    print(f"{comm.Get_size()} ranks: loss {history[0]:.4f} -> {history[-1]:.4f}, test accuracy {accuracy:.1%}")
    print(f"checkpoint {checkpoint} loads in one process: {plexus.Network.load(checkpoint)!r}")
