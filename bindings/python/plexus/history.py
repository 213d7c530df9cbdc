"""`History`: what `Network.fit` returns."""
from __future__ import annotations

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

    def __repr__(self) -> str:
        return (f"History(epochs={len(self)}, loss={self[-1] if self else None!r}, "
                f"best_epoch={self.best_epoch}, stopped_early={self.stopped_early})")
