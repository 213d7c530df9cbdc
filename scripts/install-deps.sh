#!/usr/bin/env bash
# Installs what `make demo` and `make test` need on a fresh Debian machine, skipping what is there.
# System packages come from Debian, Python packages from PyPI.
set -euo pipefail

need_apt=()
have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# libopenblas-dev: sgemm; pkg-config: finds OpenBLAS for SwiftPM and tests the installed plexus.pc;
# valgrind: the C tests; cmake: the test of the installed CMake package; binutils: readelf, nm, strip;
# openmpi-bin and libopenmpi-dev: data-parallel training (mpicc, mpirun, and what mpi4py builds on).
for pkg in libopenblas-dev pkg-config valgrind cmake binutils openmpi-bin libopenmpi-dev; do
  have_deb "$pkg" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# --system: only what building the library needs (used by `make lib`, also inside pip's build).
[ "${1:-}" = "--system" ] && exit 0

PYTHON=${PYTHON:-python3}
# numpy: arrays and the tests' reference implementation; pytest: the runner; safetensors: the
# model-file interoperability tests (files written and read by Hugging Face's own package);
# scikit-learn: the digits data set of the Python example (bundled, no download); onnx and
# onnxruntime: the exported ONNX models are checked and run by the field's own tools; mpi4py: plexus.distributed.
need_pip=()
for pair in numpy:numpy pytest:pytest safetensors:safetensors sklearn:scikit-learn onnx:onnx onnxruntime:onnxruntime hypothesis:hypothesis mpi4py:mpi4py; do
  "$PYTHON" -c "import ${pair%%:*}" 2>/dev/null || need_pip+=("${pair#*:}")
done
if [ ${#need_pip[@]} -gt 0 ]; then
  echo "install-deps: installing Python packages: ${need_pip[*]}"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "${need_pip[@]}"
fi
