#!/usr/bin/env bash
# Installs what `make demo` and `make test` need on a fresh Debian machine, skipping what is there.
# System packages come from Debian, Python packages from PyPI.
set -euo pipefail

need_apt=()
have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
install_debs() {
  [ $# -gt 0 ] || return 0
  echo "install-deps: installing Debian packages: $*"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}
# Building the library: binutils (nm, readelf, strip: the export check and make install);
# pkg-config tests the installed plexus.pc.
for pkg in binutils pkg-config; do
  have_deb "$pkg" || need_apt+=("$pkg")
done
if [ "${1:-}" != "--system" ]; then
  # Tests: valgrind (the C tests); cmake (the installed CMake package); openmpi-bin and
  # libopenmpi-dev (data-parallel training: mpicc, mpirun, and what mpi4py builds on);
  # libopenblas0-pthread (Debian's OpenBLAS, which a test loads beside Plexus to show it changes
  # nothing); gcc-arm-linux-gnueabihf, qemu-user, gcc-arm-none-eabi and
  # libnewlib-arm-none-eabi (the generated C built for 32-bit ARM and run under qemu-arm, and
  # built for a Cortex-M4: Tests/deploy); file (names the ARM binary's format);
  # gcc-aarch64-linux-gnu (the GEMM's NEON kernel built for aarch64 and run under qemu-aarch64:
  # Tests/c/test_gemm.sh).
  for pkg in valgrind cmake openmpi-bin libopenmpi-dev libopenblas0-pthread gcc-arm-linux-gnueabihf qemu-user \
             gcc-arm-none-eabi libnewlib-arm-none-eabi file gcc-aarch64-linux-gnu; do
    have_deb "$pkg" || need_apt+=("$pkg")
  done
fi
install_debs "${need_apt[@]}"

# --system: only what building the library needs (used by `make lib`, also inside pip's build).
[ "${1:-}" = "--system" ] && exit 0

PYTHON=${PYTHON:-python3}
# The test packages and why each is needed: scripts/python-test-requirements.txt.
need_pip=()
while IFS= read -r pair; do
  case "$pair" in ''|'#'*) continue ;; esac
  "$PYTHON" -c "import ${pair%%:*}" 2>/dev/null || need_pip+=("${pair#*:}")
done < "$(dirname "$0")/python-test-requirements.txt"
if [ ${#need_pip[@]} -gt 0 ]; then
  echo "install-deps: installing Python packages: ${need_pip[*]}"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "${need_pip[@]}"
fi
