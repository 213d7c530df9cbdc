#!/usr/bin/env bash
# W3 and W4 at 1 to 16 threads: Plexus (bench_core), its sgemm alone, numpy and PyTorch (when they
# import), one run each per thread count, alternating. For a machine with many cores, such as the
# device machine a session may borrow (it has no Swift toolchain: build here, then carry
# .build/release, which holds libplexus.so and libplexus_openblas.so.0, and build/bench_core).
#
#   benchmarks/scaling.sh [BUILD_DIR] [THREAD COUNTS...]      e.g. benchmarks/scaling.sh build 1 2 4 8 16
#
# Prints the CPU and BLAS lines, then one markdown row per workload and thread count (samples/s).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
counts=${*:-1 2 4 8 16}
python=${PYTHON:-$([ -x "$build/venv/bin/python" ] && echo "$build/venv/bin/python" || echo python3)}
"$python" benchmarks/machine.py
"$build/bench_core" info 1 2>&1 | tail -1
has() { "$python" -c "import $1" 2>/dev/null; }
echo
echo "| workload | threads | Plexus | sgemm alone | numpy | PyTorch |"
echo "|---|---|---|---|---|---|"
for w in w3 w4; do
  for t in $counts; do
    plexus=$("$build/bench_core" "$w" "$t" 2>/dev/null)
    sgemm=$("$build/bench_core" "sgemm-$w" "$t" 2>/dev/null)
    numpy=$(has numpy && "$python" benchmarks/peer_numpy.py "$w" "$t" || echo "-")
    torch=$(has torch && "$python" benchmarks/peer_torch.py "$w" "$t" || echo "-")
    echo "| $w | $t | $plexus | $sgemm | $numpy | $torch |"
  done
done
