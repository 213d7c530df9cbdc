"""Runs the suite from a checkout as well as against an installed package.

`make check` runs pytest straight from the source tree: when `plexus` is not importable, the
package is taken from bindings/python and the library from the release build (.build/release),
and both are exported (PYTHONPATH, PLEXUS_LIBRARY) so that the tests' child processes find them
too. `make test` and the wheel test run against a pip-installed package, found as it is.

Markers:
- ``slow``: skipped by ``make check`` (``-m "not slow"``), run by ``make test``.
- ``smoke``: the set the wheel test runs against the installed wheel (Tests/python/test_wheel.sh).
- ``installed``: needs the pip-installed package (a wheel's layout, its metadata); skipped
  when the suite runs from a checkout.
"""
import os
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCE_PACKAGE = REPOSITORY / "bindings" / "python"
BUILT_LIBRARY = REPOSITORY / ".build" / "release" / "libplexus.so"

try:
    import plexus
except ImportError:
    if not BUILT_LIBRARY.is_file() and not os.environ.get("PLEXUS_LIBRARY"):
        raise pytest.UsageError(f"{BUILT_LIBRARY} is missing: run `make lib` (or `make check`) first")
    os.environ.setdefault("PLEXUS_LIBRARY", str(BUILT_LIBRARY))
    sys.path.insert(0, str(SOURCE_PACKAGE))
    import plexus

# From the checkout (make check puts bindings/python on PYTHONPATH, or the fallback above): the
# tests' child processes must find the same package and library.
FROM_CHECKOUT = SOURCE_PACKAGE in Path(plexus.__file__).resolve().parents
if FROM_CHECKOUT:
    os.environ.setdefault("PLEXUS_LIBRARY", str(plexus.library_path))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_PACKAGE), os.environ.get("PYTHONPATH")]))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a long test; `make check` skips it, `make test` runs it")
    config.addinivalue_line("markers", "installed: needs the pip-installed package, not the source tree")
    config.addinivalue_line("markers", "smoke: proves an installed package works; the wheel test runs this set")


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if not FROM_CHECKOUT:
        return
    skip = pytest.mark.skip(reason="needs the pip-installed package (make test runs it)")
    for item in items:
        if "installed" in item.keywords:
            item.add_marker(skip)
