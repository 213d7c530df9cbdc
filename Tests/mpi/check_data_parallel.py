"""Run with mpirun -np N: DataParallel training ends within 1e-5 (relative) of single-process
Network.fit with the same global batch, every rank holds bitwise the same parameters, and rank 0's
checkpoint loads in a single process. Exits non-zero on any failure."""
import sys
import tempfile
from pathlib import Path

import numpy as np
from mpi4py import MPI

import plexus
from plexus.distributed import DataParallel

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
rng = np.random.default_rng(7)
x = rng.normal(size=(300, 12)).astype(np.float32)
labels = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5)
folder = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir())
checkpoint = folder / "data_parallel.safetensors"


def make(seed):
    return plexus.Network([12, 32, 3], ["tanh", "softmax"], loss="cross_entropy", seed=seed).adam(0.01)


net = make(seed=rank + 1)                       # replicas start different; the broadcast aligns them
history = DataParallel(net, comm).fit(x, labels, epochs=10, batch_size=30, shuffle_seed=5, checkpoint=checkpoint)

everyone = comm.gather(net.params, root=0)
if rank == 0:
    single = make(seed=1)
    expected = single.fit(x, labels, epochs=10, batch_size=30, shuffle_seed=5, progress=False)
    failures = []
    if not all(p.tobytes() == everyone[0].tobytes() for p in everyone):
        failures.append("ranks hold different parameters")
    a, b = everyone[0].astype(np.float64), single.params.astype(np.float64)
    relative = np.linalg.norm(a - b) / np.linalg.norm(b)
    if relative > 1e-5 or np.abs(a - b).max() > 1e-5 * np.abs(b).max():
        failures.append(f"parameters differ from single-process fit: relative {relative:.2e}")
    if not np.allclose(history, expected, rtol=1e-5):
        failures.append(f"loss history {history[:3]}... differs from {expected[:3]}...")
    loaded = plexus.Network.load(checkpoint)
    if loaded.params.tobytes() != everyone[0].tobytes():
        failures.append("the checkpoint does not hold the final parameters")
    steps = 10 * 10
    print(f"{comm.Get_size()} ranks, {steps} steps: parameters within {relative:.1e} (relative) of single-process fit; "
          f"replicas bitwise identical: {'no' if failures and 'ranks' in failures[0] else 'yes'}; checkpoint loads: yes")
    for failure in failures:
        print("FAIL:", failure)
    comm.Abort(1) if failures else None
