#!/usr/bin/env bash
# What `make bench` needs beyond `make test`: FANN (Debian's libfann-dev), the peer of the tiny
# workloads; Debian's BLIS (libblis4-pthread) and the scipy-openblas32 build of OpenBLAS that
# numpy and SciPy ship (pinned in scripts/bench-openblas-requirements.txt, unpacked into
# build/bench/openblas), the peers of Plexus's GEMM (`make bench-gemm`, `make bench-blas`); and
# with --torch, PyTorch from PyPI (a large download, so only when asked).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libfann-dev libblis4-pthread unzip; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "install-bench-deps: installing Debian packages ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
PYTHON=${PYTHON:-python3}
openblas=build/bench/openblas
if [ ! -e "$openblas/libscipy_openblas.so" ] || ! cmp -s scripts/bench-openblas-requirements.txt "$openblas/requirements.txt"; then
  work=$(mktemp -d)
  env -u PYTHONPATH "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --require-hashes -r scripts/bench-openblas-requirements.txt -d "$work"
  unzip -q "$work"/scipy_openblas32-*.whl -d "$work/wheel"
  rm -rf "$openblas" && mkdir -p "$openblas"
  cp "$(find "$work/wheel" -type f -name 'libscipy_openblas*.so')" "$openblas/libscipy_openblas.so"
  cp scripts/bench-openblas-requirements.txt "$openblas/requirements.txt"
  rm -rf "$work"
  echo "install-bench-deps: $openblas/libscipy_openblas.so (the scipy-openblas32 wheel)"
fi
if [ "${1:-}" = "--torch" ]; then
  PYTHON=${PYTHON:-python3}
  "$PYTHON" -c "import torch" 2>/dev/null || "$PYTHON" -m pip install --quiet --disable-pip-version-check torch
fi
