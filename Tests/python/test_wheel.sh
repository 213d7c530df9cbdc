#!/usr/bin/env bash
# The wheel as a Python user gets it (`make wheel` built it): installed into a fresh virtual
# environment with no system site packages, then, with the Swift toolchain hidden (a private
# mount over it, as the C install test does) and no PLEXUS_LIBRARY:
#   - the smoke tests (pytest -m "smoke or installed") pass against the installed package (make
#     test runs the whole suite once, against the pip-installed package in build/venv);
#   - plexus.gemm_info() names Plexus's GEMM, and the library loads from inside the package;
#   - the package imported beside numpy and scikit-learn trains bitwise as it does alone;
#   - the wheel's metadata, plexus.__version__ and plexus_version() agree with the header;
# and, with the toolchain in reach, the sdist (`make sdist`) builds a working wheel from source.
#   Tests/python/test_wheel.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
wheel=$(ls "$build"/dist/plexus-*.whl)
venv="$build/wheel-venv"
version=$(sed -n 's/^#define PLEXUS_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/plexus.h | paste -sd.)
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL wheel: $*"; }

rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix' && ok || bad "not a virtual environment"
packages=$(grep -v '^#' scripts/python-test-requirements.txt | grep . | cut -d: -f2)
# shellcheck disable=SC2086
"$venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" $packages

# Everything below runs with the toolchain out of reach when this machine allows a private mount.
swift_root=$(dirname "$(dirname "$(dirname "$(command -v swift)")")")
hidden() {
  if unshare -m true 2>/dev/null; then
    unshare -m bash -c "mount -t tmpfs tmpfs '$swift_root' && cd '$PWD' && $(printf '%q ' "$@")"
  else
    "$@"
  fi
}
if unshare -m true 2>/dev/null; then how="with $swift_root hidden"; else how="(no permission to hide the toolchain)"; fi

run_python() { hidden env -u PLEXUS_LIBRARY -u PYTHONPATH "$venv/bin/python" "$@"; }

# Nothing installed names the build folder (no absolute run path, no path to the repository).
package=$("$venv/bin/python" -c 'import pathlib, importlib.util; print(pathlib.Path(importlib.util.find_spec("plexus").origin).parent)')
# (bytecode compiled at install time names where the venv is, which is not the wheel's doing.)
if grep -rl --binary-files=text --exclude="*.pyc" "$PWD" "$package" > /dev/null; then
  bad "files in $package name $PWD: $(grep -rl --binary-files=text --exclude="*.pyc" "$PWD" "$package")"
else ok; fi

# The wheel holds the package's Python files, py.typed, valgrind.supp and one native file, libplexus.so (no BLAS,
# no license of one, nothing an older build left behind), and its metadata with Plexus's MIT licence.
unexpected=$(python3 - "$wheel" <<'PY'
import re, sys, zipfile
allowed = re.compile(r"plexus/([A-Za-z_]+\.py|py\.typed|libplexus\.so|valgrind\.supp)?|plexus-[^/]+\.dist-info/([^/]+(/[^/]*)?)?")
wheel = zipfile.ZipFile(sys.argv[1])
names = wheel.namelist()
licences = [n for n in names if re.fullmatch(r"plexus-[^/]+\.dist-info/(licenses/)?LICENSE", n)]
missing = [] if "plexus/libplexus.so" in names else ["no plexus/libplexus.so"]
if not licences or b"MIT License" not in wheel.read(licences[0]):
    missing.append("no MIT LICENSE in the metadata")
print(" ".join([n for n in names if not allowed.fullmatch(n)] + missing))
PY
)
[ -z "$unexpected" ] && ok || bad "the wheel holds what it should not: $unexpected"

# Versions, where the library comes from, and that the toolchain is really hidden.
report=$(run_python - "$version" "$swift_root" <<'EOF'
import importlib.metadata, os, sys
from pathlib import Path
import plexus
version, swift_root = sys.argv[1], sys.argv[2]
assert plexus.__version__ == plexus.version() == importlib.metadata.version("plexus") == version, \
    (plexus.__version__, plexus.version(), importlib.metadata.version("plexus"), version)
folder = Path(plexus.library_path).resolve().parent
assert "site-packages" in str(folder), folder
maps = [line.split()[-1] for line in open("/proc/self/maps") if ".so" in line]
plexus_maps = [m for m in maps if m.endswith("libplexus.so")]
assert plexus_maps and all(Path(m).parent == folder for m in plexus_maps), plexus_maps
assert not any(m.startswith(swift_root) for m in maps), [m for m in maps if m.startswith(swift_root)]
info = plexus.gemm_info()
assert info.startswith("Plexus GEMM "), info
print(f"plexus {plexus.__version__} from {folder}: {info}; toolchain visible: {os.path.isdir(os.path.join(swift_root, 'bin'))}")
EOF
) && ok || bad "versions, library or GEMM: $report"
echo "$report"
if [ "$how" = "with $swift_root hidden" ]; then
  grep -q "toolchain visible: False" <<<"$report" && ok || bad "the toolchain was not hidden"
fi

# Beside numpy and scikit-learn (their own OpenBLAS and OpenMP), bitwise the results of Plexus alone.
workload='
import hashlib, numpy as np, plexus
rng = np.random.default_rng(7)
x = rng.uniform(-1, 1, (1100, 300)).astype(np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 1100)]
plexus.set_threads(2)
net = plexus.Network([300, 200, 150, 10], ["relu", "tanh", "softmax"], loss="cross_entropy", seed=3).adam(1e-3)
net.fit(x, y, epochs=2, batch_size=64, shuffle_seed=5, progress=False)
print(hashlib.sha256(net.params.tobytes() + net.predict(x).tobytes()).hexdigest())'
alone=$(run_python -c "$workload")
together=$(run_python -c "
import numpy, sklearn.linear_model, sklearn.datasets
digits = sklearn.datasets.load_digits()
sklearn.linear_model.LogisticRegression(max_iter=200).fit(digits.data, digits.target)
$workload")
[ -n "$alone" ] && [ "$alone" = "$together" ] && ok || bad "beside numpy and scikit-learn: $together, alone: $alone"

# The smoke set against the installed wheel (the whole suite runs once, in make test-python).
if hidden env -u PLEXUS_LIBRARY -u PYTHONPATH PLEXUS_MODEL_TOOL="$PWD/$build/model_tool" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider -m "smoke or installed" Tests/python; then ok
else bad "the smoke tests failed against the wheel"; fi

# The sdist builds from source (the Swift toolchain in reach): a wheel with the library.
sdist="$build/dist/plexus-$version.tar.gz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -f "$sdist" ] && tar xzf "$sdist" -C "$work" &&
   "$venv/bin/pip" wheel --quiet --disable-pip-version-check --no-deps "$work/plexus-$version" -w "$work/out" > "$work/log" 2>&1; then
  contents=$("$venv/bin/python" -m zipfile -l "$work"/out/plexus-*.whl | awk '{print $1}')
  grep -q "plexus/libplexus.so$" <<<"$contents" && ok ||
    bad "the wheel built from the sdist lacks a library"
else
  bad "the sdist $sdist did not build: $(tail -5 "$work/log" 2>/dev/null)"
fi

echo "wheel $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) tested in a fresh venv $how: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
