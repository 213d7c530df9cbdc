#!/usr/bin/env bash
# One-row prediction: plexus_predict against the float32 and int8 code plexus_export_c generates,
# for a tiny net (W1, 2-4-1 sigmoid) and the digits net (64-32-10). The generated code is built
# with gcc -O2 -std=c99 (the flags a user would pick; no -ffast-math, no -march), and on x86-64
# once more with -mfma: there fmaf, which layers of 512 weights or more use, is otherwise a call
# into libm.
# Usage: benchmarks/bench_code_export.sh [BUILD_DIR]   (PYTHON= an interpreter with plexus)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
OUT=${1:-build}/bench-code-export
rm -rf "$OUT"
for spec in "w1:2,4,1:sigmoid,sigmoid" "digits:64,32,10:relu,softmax"; do
  IFS=: read -r label sizes activations <<<"$spec"
  dir="$OUT/$label"
  mkdir -p "$dir"
  "$PYTHON" - "$dir" "$sizes" "$activations" <<'PY'
import sys, numpy as np, plexus
folder, sizes, activations = sys.argv[1], [int(s) for s in sys.argv[2].split(",")], sys.argv[3].split(",")
net = plexus.Network(sizes, activations, seed=1)
x = np.random.default_rng(0).uniform(0, 1, (256, sizes[0])).astype(np.float32)
net.save(f"{folder}/model.safetensors")
net.export_c(folder, "model_f")
net.export_c(folder, "model_q", quantize="int8", calibration=x)
x.tofile(f"{folder}/rows.bin")
PY
  variants=("")
  [ "$(uname -m)" = x86_64 ] && variants+=("-mfma")
  for extra in "${variants[@]}"; do
    cc -std=c99 -O2 $extra -Iinclude -Ibenchmarks -I"$dir" -o "$dir/bench" benchmarks/bench_code_export.c "$dir/model_f.c" \
       "$dir/model_q.c" -L.build/release -lplexus -Wl,-rpath,"$PWD/.build/release" -lm
    "$dir/bench" "$dir/model.safetensors" "$dir/rows.bin" "$label ${sizes//,/-}${extra:+ $extra}" |
      { [ "$label" = w1 ] && [ -z "$extra" ] && cat || tail -1; }
  done
done
