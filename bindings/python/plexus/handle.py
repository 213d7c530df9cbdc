"""Ownership of a C handle, shared by Network and Graph: `close()` (idempotent), context manager,
release on garbage collection, and StateError after close."""
from __future__ import annotations

from typing import Any, TypeVar

from .errors import StateError

_Owner = TypeVar("_Owner", bound="OwnedHandle")


class OwnedHandle:
    """Subclasses set `_handle` and `_release` (the C function that frees the handle)."""

    _handle: int | None = None
    _release: Any = None     # a ctypes function: void (*)(handle)
    _kind = "object"

    @property
    def handle(self) -> int:
        """The C pointer's address, for passing to other C code. Raises StateError after close()."""
        if self._handle is None:
            raise StateError(f"this {self._kind} was closed")
        return self._handle

    def close(self) -> None:
        """Releases the C object now; further use raises StateError. Safe to call twice."""
        handle, self._handle = self._handle, None
        if handle:
            type(self)._release(handle)

    def __del__(self) -> None:
        self.close()

    def __enter__(self: _Owner) -> _Owner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
