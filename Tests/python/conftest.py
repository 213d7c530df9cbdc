import sys
from pathlib import Path

# `make test` runs these tests against the pip-installed package; run directly from a checkout,
# they fall back to the source tree (with the library found in the repository's build).
try:
    import plexus  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
