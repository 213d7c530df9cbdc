#!/usr/bin/env bash
# What `make bench` needs beyond `make test`: FANN (Debian's libfann-dev), the peer of the tiny
# workloads; Debian's BLIS (libblis4-pthread), a BLAS candidate `make bench-blas` measures; and
# with --torch, PyTorch from PyPI (a large download, so only when asked).
set -euo pipefail
need=()
for pkg in libfann-dev libblis4-pthread; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "install-bench-deps: installing Debian packages ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
if [ "${1:-}" = "--torch" ]; then
  PYTHON=${PYTHON:-python3}
  "$PYTHON" -c "import torch" 2>/dev/null || "$PYTHON" -m pip install --quiet --disable-pip-version-check torch
fi
