"""Data-parallel training over MPI (mpi4py, imported only when used), as Horovod does it.

Every rank holds a replica of the network; rank 0's parameters are broadcast at the start. Each
global mini-batch is split across the ranks in the order `Network.fit` uses (the library's
shuffle from `shuffle_seed`, which plexus_epoch_order gives every rank); each rank runs forward and
backward on its contiguous share, scales its gradient by share rows / batch rows, the flat
gradients are summed with Allreduce (the gradient of the global batch's mean loss), and every rank
steps. Results equal single-process `fit` with the same global batch up to summation order.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Iterator, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._capi import lib
from ._checks import UINT64_MAX, integer
from .errors import check
from .network import Network

__all__ = ["DataParallel", "epoch_orders"]

def epoch_orders(n: int, epochs: int, seed: int) -> Iterator[NDArray[np.intp]]:
    """The row order of each epoch of `Network.fit(..., shuffle_seed=seed)`, from the library
    itself (plexus_epoch_order), so every rank and a single process agree."""
    n = integer("n", n, 1)
    seed = integer("seed", seed, 0, UINT64_MAX)
    order = np.empty(n, dtype=np.uintp)
    for epoch in range(integer("epochs", epochs)):
        check(lib.plexus_epoch_order(seed, epoch, n, order.ctypes.data))
        yield order.astype(np.intp)


class DataParallel:
    """Wraps a Network for data-parallel training on an MPI communicator (default COMM_WORLD)."""

    def __init__(self, net: Network, comm: Any = None) -> None:
        if comm is None:
            from mpi4py import MPI
            comm = MPI.COMM_WORLD
        self.net, self.comm = net, comm
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        params = net.params
        comm.Bcast(params, root=0)          # identical replicas: rank 0's parameters everywhere
        net.params = params

    def _abort(self, error: BaseException) -> None:
        """A failure on one rank must end every rank, not leave them waiting in a collective."""
        sys.stderr.write(f"plexus.distributed: rank {self.rank} failed: {type(error).__name__}: {error}; "
                         "aborting all ranks\n")
        sys.stderr.flush()
        self.comm.Abort(1)

    def fit(self, x: ArrayLike, y: ArrayLike, epochs: int, batch_size: int = 32, shuffle_seed: int = 0,
            checkpoint: Union[str, "os.PathLike[str]", None] = None) -> list[float]:
        """Same semantics as `Network.fit` with the same global `batch_size`; returns each epoch's
        mean loss. Rank 0 alone saves `checkpoint` after every epoch when given."""
        try:
            return self._fit(x, y, epochs, batch_size, shuffle_seed, checkpoint)
        except BaseException as error:  # noqa: BLE001 - any failure aborts the job
            self._abort(error)
            raise

    def _fit(self, x_in: ArrayLike, y_in: ArrayLike, epochs: int, batch_size: int, shuffle_seed: int,
             checkpoint: Union[str, "os.PathLike[str]", None]) -> list[float]:
        net = self.net
        epochs = integer("epochs", epochs, 1)
        batch_size = integer("batch_size", batch_size, 1)
        shuffle_seed = integer("shuffle_seed", shuffle_seed, 0, UINT64_MAX)
        x, _ = net._rows(x_in, net.sizes[0], "x")
        y, fixed = net._targets(y_in, x.shape[0])
        net._fix_classes(fixed)
        n = x.shape[0]
        history: list[float] = []
        net.zero_grads()
        for order in epoch_orders(n, epochs, shuffle_seed):
            loss_sum = np.zeros(1, np.float64)
            for start in range(0, n, batch_size):
                rows = order[start:start + batch_size]
                first, last = len(rows) * self.rank // self.size, len(rows) * (self.rank + 1) // self.size
                share = rows[first:last]
                net.zero_grads()
                if len(share):
                    net.forward(x[share])
                    loss_sum[0] += net.backward(y[share]) * len(share)
                grads = net.grads * np.float32(len(share) / len(rows))
                reduced = np.empty_like(grads)
                self.comm.Allreduce(grads, reduced)
                net.grads = reduced
                net.step()
            total = np.zeros(1, np.float64)
            self.comm.Allreduce(loss_sum, total)
            history.append(float(total[0] / n))
            if checkpoint is not None and self.rank == 0:
                net.save(checkpoint)
        return history
