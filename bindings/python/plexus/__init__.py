"""Plexus: neural networks built layer by layer and trained by backpropagation, computed by a C library.

>>> import numpy as np, plexus
>>> net = plexus.Network([2, 4, 1], ["tanh", "sigmoid"], loss="binary_cross_entropy", seed=42).adam(0.05)
>>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([[0], [1], [1], [0]])
>>> history = net.fit(x, y, epochs=500, batch_size=4, progress=False)
>>> (net.predict(x) > 0.5).astype(int).ravel().tolist()
[0, 1, 1, 0]

The library is found in ``$PLEXUS_LIBRARY``, inside this package, or in a repository build.
"""
import warnings

from ._capi import lib as _lib, library_path
from ._checks import integer as _integer
from .errors import check as _check
from .errors import (ArgumentError, BusyError, FileError, FormatError, MisuseError, NumericError, OutOfMemoryError,
                     PlexusError, ShapeError, StateError)
from .graph import Graph, Node
from .interop import from_state_dict, from_torch
from ._tables import ACTIVATIONS, LOSSES, OPTIMIZERS
from .history import History
from .metadata import Metadata
from .network import Network, Transform
from . import layers, quantize

__all__ = [
    "Network", "Transform", "Metadata", "History", "Graph", "Node", "from_torch", "from_state_dict", "ACTIVATIONS", "LOSSES", "OPTIMIZERS", "PlexusError", "ArgumentError", "ShapeError", "StateError",
    "FileError", "FormatError", "OutOfMemoryError", "NumericError", "BusyError", "MisuseError", "library_path", "version",
    "set_threads", "get_threads", "gemm_info", "blas_info", "version_number", "__version__", "quantize", "layers",
]


def version() -> str:
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return str(_lib.plexus_version().decode())


def set_threads(threads: int) -> None:
    """Sets how many threads Plexus uses, process-wide (one pool, shared by every network; numpy's
    BLAS is not affected). Results are bitwise the same for every thread count. Default:
    ``$OPENBLAS_NUM_THREADS`` when set, else one per CPU the process may use (at most 64). Tiny
    networks always run on the calling thread; idle threads sleep.

    Raises ArgumentError unless 1 <= threads <= 1024.
    """
    _check(_lib.plexus_set_threads(_integer("threads", threads, 1, 1024)))


def get_threads() -> int:
    """The number of threads Plexus uses now."""
    return int(_lib.plexus_get_threads())


def gemm_info() -> str:
    """What runs the matrix products: Plexus's own GEMM, the kernel it chose for this CPU, and the
    thread count, such as ``"Plexus GEMM avx2-fma 6x16, 2 threads"`` (plexus_gemm_info)."""
    return str(_lib.plexus_gemm_info().decode())


def blas_info() -> str:
    """Deprecated since 0.11.0 (Plexus has used no BLAS since 0.7.0): ``gemm_info()``."""
    warnings.warn("plexus.blas_info() is deprecated; use plexus.gemm_info()", DeprecationWarning, stacklevel=2)
    return gemm_info()


def version_number() -> int:
    """The loaded library's version as MAJOR * 1000000 + MINOR * 1000 + PATCH
    (plexus_version_number, the header's PLEXUS_VERSION_NUMBER)."""
    return int(_lib.plexus_version_number())


#: The version of the loaded library, "MAJOR.MINOR.PATCH" (the package's own version is the same).
__version__: str = version()
