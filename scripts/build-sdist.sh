#!/usr/bin/env bash
# `make sdist`: build/dist/plexus-VERSION.tar.gz, the Python package's source distribution. It
# carries the library's own sources in native/ (Package.swift, Sources, include, the Makefile and
# the scripts `make lib` runs), so `pip install plexus-VERSION.tar.gz` builds libplexus.so where the
# Swift toolchain is present, as `pip install ./bindings/python` does.
#   scripts/build-sdist.sh PYTHON BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:?usage: build-sdist.sh PYTHON BUILD_DIR}
build=${2:?usage: build-sdist.sh PYTHON BUILD_DIR}
"$python" -I -c "import build.__main__" 2>/dev/null ||
  "$python" -m pip install --quiet --disable-pip-version-check "build==1.3.0"

stage="$build/sdist-stage"
rm -rf "$stage" && rm -f "$build"/dist/plexus-*.tar.gz && mkdir -p "$stage/native/scripts" "$build/dist"
# The tracked files only (no build output), from the Python project and the Swift package.
git ls-files -z bindings/python | xargs -0 -I{} cp --parents {} "$stage/"
mv "$stage/bindings/python"/* "$stage/" && rm -rf "$stage/bindings"
# (docs/maths.md: a Swift test checks its initialisation table against the code.)
git ls-files -z Package.swift Sources include Tests/PlexusTestSupport Tests/PlexusTests docs/maths.md share Makefile scripts/install-deps.sh \
    scripts/python-test-requirements.txt | xargs -0 -I{} cp --parents {} "$stage/native/"
cat > "$stage/MANIFEST.in" <<'MANIFEST'
graft native
include README.md
MANIFEST
"$python" -I -m build --sdist --outdir "$build/dist" "$stage" > "$stage/build.log" 2>&1 || { cat "$stage/build.log"; exit 1; }
ls "$build"/dist/plexus-*.tar.gz
