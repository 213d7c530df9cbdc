"""Plexus: dense neural networks trained by backpropagation, from a C library.

This package currently holds the low-level layer: ``plexus._capi`` loads ``libplexus.so`` (from
``$PLEXUS_LIBRARY``, the package folder, or a repository build) and declares every C function of
``include/plexus.h``. The numpy-native ``Network`` class is built on it.
"""
from ._capi import lib as _lib, library_path

__all__ = ["library_path", "version"]


def version() -> str:
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return _lib.plexus_version().decode()
