"""Progress display for Network.fit: tqdm.auto when tqdm is installed (a widget in a notebook, a bar
in a terminal), a one-line text bar otherwise."""
from __future__ import annotations

import sys
import time


class PlainProgress:
    """A progress line on stderr: redrawn in place at most 10 times a second on a terminal; in a
    log (not a terminal), one line per tenth of the epochs."""

    def __init__(self, total: int):
        self.total, self.done, self.last_draw, self.started = total, 0, 0.0, time.monotonic()
        self.loss, self.drawn = float("nan"), 0
        self.terminal = sys.stderr.isatty()

    def update(self, loss: float) -> None:
        self.done, self.loss = self.done + 1, loss
        if self.terminal:
            due = time.monotonic() - self.last_draw >= 0.1
        else:
            due = self.done == 1 or self.done - self.drawn >= max(1, self.total // 10)
        if due or self.done == self.total:
            self._draw()

    def _draw(self) -> None:
        now = time.monotonic()
        self.last_draw, self.drawn = now, self.done
        width = 30
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        line = f"fit [{bar}] epoch {self.done}/{self.total} loss {self.loss:.6g} {now - self.started:.1f}s"
        sys.stderr.write("\r" + line if self.terminal else line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        """Draws the final state (training may have stopped early) and ends the line."""
        if self.done and self.drawn != self.done:
            self._draw()
        if self.terminal:
            sys.stderr.write("\n")
            sys.stderr.flush()


class TqdmProgress:
    def __init__(self, total: int):
        from tqdm.auto import tqdm  # type: ignore[import-untyped]   # a widget in Jupyter, a bar in a terminal
        self.bar = tqdm(total=total, desc="fit", unit="epoch")

    def update(self, loss: float) -> None:
        self.bar.set_postfix(loss=f"{loss:.6g}", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def make_progress(total: int) -> PlainProgress | TqdmProgress:
    try:
        import tqdm  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return PlainProgress(total)
    return TqdmProgress(total)
