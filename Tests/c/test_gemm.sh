#!/usr/bin/env bash
# Plexus's GEMM gives the same bits under every kernel: Tests/c/test_gemm.c checks each product
# against its definition and prints a digest of every output; this runs it under each kernel this
# CPU has (PLEXUS_KERNEL), and built for aarch64 under qemu-aarch64 (NEON and portable), and
# requires one digest. Usage: Tests/c/test_gemm.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
sources=(Sources/CPlexusKernels/gemm.c Sources/CPlexusKernels/kernel_x86.c Sources/CPlexusKernels/kernel_neon.c)
flags=(-std=c11 -O2 -Wall -Wextra -Werror -ISources/CPlexusKernels/include -ISources/CPlexusKernels)
passed=0 failed=0 digests=()
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL gemm: $*"; }

cc "${flags[@]}" -o "$build/test_gemm" Tests/c/test_gemm.c "${sources[@]}" -lm -lpthread
for kernel in avx512 avx2 portable; do
  if out=$(PLEXUS_KERNEL=$kernel "$build/test_gemm"); then ok; else bad "$kernel: $out"; fi
  name=$(sed -n 's/^kernel \(.*\): digest.*/\1/p' <<<"$out")
  case "$name" in
    "$kernel"*) digests+=("$(sed -n 's/.*digest \([0-9a-f]*\)/\1/p' <<<"$out")"); echo "gemm: x86-64, kernel $name: $(tail -1 <<<"$out")" ;;
    *) echo "gemm: this CPU has no $kernel kernel (it ran $name): not tested here" ;;
  esac
done

aarch64-linux-gnu-gcc "${flags[@]}" -static -o "$build/test_gemm_aarch64" Tests/c/test_gemm.c "${sources[@]}" -lm -lpthread
for kernel in neon portable; do
  if out=$(PLEXUS_KERNEL=$kernel qemu-aarch64 "$build/test_gemm_aarch64"); then ok; else bad "aarch64 $kernel: $out"; fi
  name=$(sed -n 's/^kernel \(.*\): digest.*/\1/p' <<<"$out")
  [[ "$name" == "$kernel"* ]] && ok || bad "aarch64: asked for $kernel, ran $name"
  digests+=("$(sed -n 's/.*digest \([0-9a-f]*\)/\1/p' <<<"$out")")
  echo "gemm: aarch64 under $(qemu-aarch64 --version | head -1 | cut -d'(' -f1), kernel $name: $(tail -1 <<<"$out")"
done

distinct=$(printf '%s\n' "${digests[@]}" | sort -u | wc -l)
[ "$distinct" -eq 1 ] && ok || bad "the kernels disagree: ${digests[*]}"
echo "gemm: ${#digests[@]} kernel runs, one digest ${digests[0]}: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
