"""Exceptions: every non-OK status of the C library becomes one of these.

Each class derives from :class:`PlexusError` and from the built-in exception a Python user would
catch for that kind of failure, so ``except ValueError`` works as expected.
"""
from __future__ import annotations

__all__ = [
    "PlexusError", "ArgumentError", "ShapeError", "StateError", "FileError", "FormatError",
    "OutOfMemoryError", "NumericError", "BusyError", "MisuseError", "check", "raise_for",
]

from ._tables import STATUS_NAMES


class PlexusError(Exception):
    """A failed Plexus call: ``status`` is the C status code, ``message`` says what went wrong."""

    status: int = -1

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.message = message

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status] if 0 <= self.status < len(STATUS_NAMES) else "PLEXUS_ERR_UNKNOWN"

    def __str__(self) -> str:
        return f"{self.message} [{self.status_name}]"


class ArgumentError(PlexusError, ValueError):
    """A wrong argument: unknown name, value out of range, non-finite input (PLEXUS_ERR_ARGUMENT)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_ARGUMENT")


class ShapeError(PlexusError, ValueError):
    """An array whose shape does not fit the network (PLEXUS_ERR_SHAPE)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_SHAPE")


class StateError(PlexusError, RuntimeError):
    """A call out of order, such as backward() without forward() (PLEXUS_ERR_STATE)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_STATE")


class FileError(PlexusError, OSError):
    """A model file could not be read or written (PLEXUS_ERR_IO)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_IO")


class FormatError(PlexusError, ValueError):
    """Bytes that are not a valid Plexus model (PLEXUS_ERR_FORMAT)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_FORMAT")


class OutOfMemoryError(PlexusError, MemoryError):
    """An allocation failed or a size cannot be allocated (PLEXUS_ERR_MEMORY)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_MEMORY")


class NumericError(PlexusError, ArithmeticError):
    """A gradient or an update that is not finite (PLEXUS_ERR_NUMERIC)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_NUMERIC")


class BusyError(PlexusError, RuntimeError):
    """The object is in use by a conflicting call on another thread: a network takes many readers
    (predict, evaluate, save, getters) or one writer (fit, setters, params =), never both.
    Nothing was done; retry once that call has returned (PLEXUS_ERR_BUSY)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_BUSY")


class MisuseError(PlexusError, RuntimeError):
    """A handle that is not live: the object was closed, or a foreign pointer (PLEXUS_ERR_MISUSE)."""
    status = STATUS_NAMES.index("PLEXUS_ERR_MISUSE")


_BY_STATUS = {cls.status: cls for cls in
              (ArgumentError, ShapeError, StateError, FileError, FormatError, OutOfMemoryError, NumericError,
               BusyError, MisuseError)}


def raise_for(status: int, message: str) -> None:
    """Raises the exception class of `status` with `message`."""
    cls = _BY_STATUS.get(status, PlexusError)
    raise cls(message, status)


def check(status: int) -> None:
    """Raises for a non-OK status, with plexus_last_error()'s message."""
    if status != 0:
        from ._capi import lib
        raise_for(status, lib.plexus_last_error().decode("utf-8", "replace"))
