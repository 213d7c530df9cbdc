"""Progress display for Network.fit: tqdm when it is installed, a one-line text bar otherwise."""
from __future__ import annotations

import sys
import time


class PlainProgress:
    """A carriage-return progress line on stderr, redrawn at most 10 times a second."""

    def __init__(self, total: int):
        self.total, self.done, self.last_draw, self.started = total, 0, 0.0, time.monotonic()

    def update(self, loss: float) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.last_draw >= 0.1 or self.done == self.total:
            self.last_draw = now
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\rfit [{bar}] epoch {self.done}/{self.total} loss {loss:.6g} "
                             f"{now - self.started:.1f}s")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


class TqdmProgress:
    def __init__(self, total: int):
        from tqdm import tqdm
        self.bar = tqdm(total=total, desc="fit", unit="epoch")

    def update(self, loss: float) -> None:
        self.bar.set_postfix(loss=f"{loss:.6g}", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def make_progress(total: int):
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return PlainProgress(total)
    return TqdmProgress(total)
