#!/usr/bin/env bash
# Data-parallel training over MPI with 2 ranks on this machine, from C and from Python, plus faults.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-$BUILD/venv/bin/python}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN=(mpirun --oversubscribe --timeout 120)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL mpi: $*"; }

# C: 2 ranks against 1 rank (the same program is then single-process training), 12 epochs = 276 steps.
"${MPIRUN[@]}" -np 1 "$BUILD/mpi_train" "$BUILD/digits.bin" "$work/one.safetensors" 12 "$work/one" > "$work/one.log"
"${MPIRUN[@]}" -np 2 "$BUILD/mpi_train" "$BUILD/digits.bin" "$work/two.safetensors" 12 "$work/two" | tee "$work/two.log"
cmp -s "$work/two.rank0" "$work/two.rank1" && ok || bad "C ranks hold different parameters"
"$PYTHON" - "$work" <<'PY' && ok || bad "C: 2-rank training is not within 1e-5 of 1-rank training"
import sys, numpy as np
a = np.fromfile(f"{sys.argv[1]}/one.rank0", np.float32).astype(float)
b = np.fromfile(f"{sys.argv[1]}/two.rank0", np.float32).astype(float)
relative = np.linalg.norm(a - b) / np.linalg.norm(a)
print(f"C: 2 ranks vs 1 rank after 276 steps: relative difference {relative:.1e}, largest {np.abs(a - b).max():.1e}")
sys.exit(0 if relative <= 1e-5 and np.abs(a - b).max() <= 1e-5 * np.abs(a).max() else 1)
PY
grep -q "test accuracy: 9[0-9]" "$work/two.log" && ok || bad "C: accuracy below 90%"

# Python: DataParallel against single-process fit, replicas, checkpoint.
"${MPIRUN[@]}" -np 2 "$PYTHON" Tests/mpi/check_data_parallel.py "$work" && ok || bad "Python DataParallel"

# The example the documentation shows (docs/distributed.md): digits on 2 ranks, its checkpoint loads.
"${MPIRUN[@]}" -np 2 "$PYTHON" examples/mpi_digits.py "$work/mpi_digits.safetensors" | tee "$work/example.log"
grep -qE "2 ranks: .*test accuracy 9[0-9]\.[0-9]%" "$work/example.log" && grep -q "loads in one process" "$work/example.log" && ok ||
  bad "examples/mpi_digits.py: accuracy below 90% or the checkpoint did not load"

# Faults: a rank that raises, and a rank that dies, end the job with an error (no hang).
for mode in raise die; do
  start=$SECONDS
  if "${MPIRUN[@]}" -np 2 "$PYTHON" Tests/mpi/check_faults.py "$mode" > "$work/$mode.log" 2>&1; then
    bad "a rank that failed ($mode) did not fail the job"
  else
    ok
  fi
  elapsed=$((SECONDS - start))
  [ "$elapsed" -lt 100 ] && ok || bad "$mode: the job took ${elapsed}s to end (hung until the timeout?)"
  if [ "$mode" = raise ]; then
    grep -q "rank 1 failed: RuntimeError: injected failure on rank 1; aborting all ranks" "$work/$mode.log" && ok || { bad "no clear message"; cat "$work/$mode.log"; }
  fi
  echo "fault '$mode' on rank 1: the job ended with an error after ${elapsed}s"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
