#!/usr/bin/env bash
# What `make bench` needs beyond `make test`: FANN (Debian's libfann-dev), the peer of the tiny
# workloads; and with --torch, PyTorch from PyPI (a large download, so only when asked).
set -euo pipefail
if ! dpkg-query -W -f='${Status}' libfann-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "install-bench-deps: installing Debian package libfann-dev"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libfann-dev
fi
if [ "${1:-}" = "--torch" ]; then
  PYTHON=${PYTHON:-python3}
  "$PYTHON" -c "import torch" 2>/dev/null || "$PYTHON" -m pip install --quiet --disable-pip-version-check torch
fi
