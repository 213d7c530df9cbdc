"""`History`: what `Network.fit` returns."""
from __future__ import annotations

import math
import os
from typing import Any, Union

__all__ = ["History"]


class History(list[float]):
    """The mean training loss of every epoch run, as a list (so code written for the plain list
    that `fit` returned before 0.4.0 keeps working), with the rest of the run as attributes:

    ``loss``, ``val_loss``, ``val_accuracy``: per-epoch lists (``val_*`` hold NaN without
    validation data; ``val_accuracy`` also for outputs that are neither softmax nor sigmoid);
    ``lr``: the learning rate of each epoch; ``best_epoch``: the 0-based epoch with the lowest
    validation loss (training loss without validation data); ``stopped_early``: whether
    early stopping ended the run.
    """

    def __init__(self) -> None:
        super().__init__()
        self.val_loss: list[float] = []
        self.val_accuracy: list[float] = []
        self.lr: list[float] = []
        self.best_epoch = 0
        self.stopped_early = False

    @property
    def loss(self) -> list[float]:
        return list(self)

    def plot(self, path: Union[str, "os.PathLike[str]", None] = None, ax: Any = None) -> Any:
        """Draws the training loss per epoch, the validation loss when there was validation data,
        and the validation accuracy (on a second axis) when there is one; marks the best epoch.
        Draws into `ax` (a matplotlib Axes) or a new figure; with `path`, saves the figure there
        (PNG, SVG or PDF by the suffix). Returns the Axes. Needs matplotlib
        (`pip install matplotlib`)."""
        try:
            import matplotlib.pyplot as plt    # headless, matplotlib picks its Agg backend itself
        except ImportError:
            raise ImportError("History.plot needs matplotlib: pip install matplotlib") from None
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
        epochs = range(len(self))   # 0-based, as best_epoch, the callback and the C report count them
        ax.plot(epochs, list(self), label="training loss", color="tab:blue")
        if any(not math.isnan(v) for v in self.val_loss):
            ax.plot(epochs, self.val_loss, label="validation loss", color="tab:orange")
            ax.axvline(self.best_epoch, color="tab:gray", linestyle=":", label=f"best epoch ({self.best_epoch})")
        ax.set_xlabel("epoch (from 0)")
        ax.set_ylabel("loss")
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        if any(not math.isnan(v) for v in self.val_accuracy):
            accuracy_axis = ax.twinx()
            accuracy_axis.plot(epochs, self.val_accuracy, label="validation accuracy", color="tab:green")
            accuracy_axis.set_ylabel("accuracy")
            more_handles, more_labels = accuracy_axis.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        ax.legend(handles, labels, loc="center right")
        if path is not None:
            ax.figure.savefig(os.fspath(path), dpi=110)
        return ax

    def __repr__(self) -> str:
        return (f"History(epochs={len(self)}, loss={self[-1] if self else None!r}, "
                f"best_epoch={self.best_epoch}, stopped_early={self.stopped_early})")
