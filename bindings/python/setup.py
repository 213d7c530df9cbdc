"""Builds libplexus.so from the repository (`make lib`) and ships it inside the `plexus` package.

`pip install ./bindings/python` runs this from the source tree; the sdist (`make sdist`) carries the
library's sources in `native/` and runs the same build there. Set PLEXUS_LIBRARY to an existing
libplexus.so to package that file instead of building.
"""
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
# The Swift package: in an sdist, native/; in the repository, two folders up.
REPOSITORY = HERE / "native" if (HERE / "native" / "Package.swift").exists() else HERE.parent.parent


class BuildWithLibrary(build_py):
    def run(self):
        # setuptools reuses build/lib between builds: start the package there afresh, so that no
        # file an older version shipped (a library, a license) slips into this one.
        shutil.rmtree(Path(self.build_lib) / "plexus", ignore_errors=True)
        super().run()
        library = os.environ.get("PLEXUS_LIBRARY")
        if not library:
            if not (REPOSITORY / "Package.swift").exists():
                raise RuntimeError(f"cannot build libplexus.so: {REPOSITORY} is not the Plexus repository; "
                                   "set PLEXUS_LIBRARY=/path/to/libplexus.so")
            subprocess.run(["make", "-C", str(REPOSITORY), "lib"], check=True)
            library = REPOSITORY / ".build" / "release" / "libplexus.so"
        package = Path(self.build_lib) / "plexus"
        package.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, package / "libplexus.so")
        # The valgrind suppressions for the Swift runtime inside the library (share/plexus in a
        # C install), for C extensions and programs that load this copy.
        suppressions = REPOSITORY / "share" / "plexus" / "valgrind.supp"
        if suppressions.exists():
            shutil.copy2(suppressions, package / "valgrind.supp")


class BinaryDistribution(Distribution):
    """The wheel carries a native library, so it is tagged for this platform."""

    def has_ext_modules(self):
        return True


try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel


class PlatformWheel(bdist_wheel):
    """Tagged py3-none-PLATFORM: the native code is a C library reached through ctypes, so the
    wheel suits every Python 3 on the platform (auditwheel then names the manylinux level)."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel}, distclass=BinaryDistribution)
