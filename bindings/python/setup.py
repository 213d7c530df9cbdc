"""Builds libplexus.so from the repository (`make lib`) and ships it inside the `plexus` package.

`pip install ./bindings/python` runs this from the source tree. Set PLEXUS_LIBRARY to an existing
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
REPOSITORY = HERE.parent.parent


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        library = os.environ.get("PLEXUS_LIBRARY")
        if not library:
            if not (REPOSITORY / "Package.swift").exists():
                raise RuntimeError(f"cannot build libplexus.so: {REPOSITORY} is not the Plexus repository; "
                                   "set PLEXUS_LIBRARY=/path/to/libplexus.so")
            subprocess.run(["make", "-C", str(REPOSITORY), "lib"], check=True)
            library = REPOSITORY / ".build" / "release" / "libplexus.so"
        target = Path(self.build_lib) / "plexus" / "libplexus.so"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target)


class BinaryDistribution(Distribution):
    """The wheel carries a native library, so it is tagged for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
