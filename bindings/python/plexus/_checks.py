"""Checks of the arguments Python passes on to C: integers stay integers and never wrap."""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .errors import ArgumentError

__all__ = ["integer", "UINT64_MAX", "SIZE_MAX"]

UINT64_MAX = 2**64 - 1
SIZE_MAX = 2**64 - 1     # size_t on the 64-bit platforms Plexus builds for


def integer(name: str, value: Any, low: int = 0, high: int = SIZE_MAX) -> int:
    """``value`` as a Python int in [low, high]. A Python or numpy integer only: a bool, a float
    (even an integral one such as 3.0) or anything else raises TypeError naming ``name``, since
    ctypes would wrap it or truncate it silently; a value out of range raises ArgumentError
    printing the value as given (2**64, not the 0 it would wrap to)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__} ({value!r})")
    number = operator.index(value)
    if not low <= number <= high:
        bound = "2**64 - 1" if high == UINT64_MAX else str(high)
        raise ArgumentError(f"{name} is {number}; pass an integer from {low} to {bound}")
    return number
