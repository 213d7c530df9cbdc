#!/usr/bin/env bash
# Runs every example and checks what it prints, not only its exit code; the C examples also run
# under valgrind memcheck, where any error or leak fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
VALGRIND=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
          --errors-for-leak-kinds=definite,indirect)
passed=0
failed=0

# expect NAME OUTPUT PATTERN...: every extended-regex PATTERN must occur in OUTPUT.
expect() {
  local name=$1 output=$2; shift 2
  for pattern in "$@"; do
    if grep -qE -- "$pattern" <<<"$output"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL $name: output lacks /$pattern/"; echo "$output" | tail -20
    fi
  done
}

# Seed 004's numbers, printed to four places.
out=$("$BUILD/stepbystep")
expect stepbystep "$out" "prediction = 0\.1910" "E = 1/2 \(0\.191 - 1\)\^2 = 0\.3272" "dE/dw1 = -0\.22652" \
  "dE/dw6 = -0\.38832" "w1 = 0\.1213" "w5 = 0\.1744" "new forward: prediction = 0\.2557"
out=$("${VALGRIND[@]}" "$BUILD/stepbystep")
expect "stepbystep (valgrind)" "$out" "new forward: prediction = 0\.2557"

out=$("$BUILD/xor")
expect xor "$out" "0 XOR 1 = 0\.9[0-9]* -> 1" "1 XOR 1 = 0\.0[0-9]* -> 0" "4 of 4 correct"
out=$("${VALGRIND[@]}" "$BUILD/xor")
expect "xor (valgrind)" "$out" "4 of 4 correct"

out=$("$BUILD/graph")
expect graph "$out" "amount to pay: 71\.5" "apple price 2\.2, apple count 11\.0, orange price 3\.3, orange count 16\.5, tax 65\.0" \
  "\+ passes on upstream unchanged: 1\.1 and 1\.1"
out=$("${VALGRIND[@]}" "$BUILD/graph")
expect "graph (valgrind)" "$out" "amount to pay: 71\.5"

out=$("$BUILD/xor_cpp")
expect "xor (C++)" "$out" "C\+\+: 4 of 4 correct"

out=$("$BUILD/digits" "$BUILD/digits.bin" "$BUILD/digits_c.safetensors")
expect digits "$out" "epoch  60  loss" "test accuracy: (9[0-9]|100)\.[0-9]% on 360 unseen images" "saved $BUILD/digits_c.safetensors"
out=$("${VALGRIND[@]}" "$BUILD/digits" "$BUILD/digits.bin" "$BUILD/digits_valgrind.safetensors")
expect "digits (valgrind)" "$out" "test accuracy: (9[0-9]|100)\."

# predict: the digits model on two rows (an all-zero image and a row of 0.5), from a file and stdin.
rows=$(printf '%s\n' "# two images" "$(printf '0,%.0s' {1..63})0" "$(printf '0.5 %.0s' {1..64})")
echo "$rows" > "$BUILD/rows.csv"
out=$("$BUILD/predict" "$BUILD/digits_c.safetensors" "$BUILD/rows.csv" 2>&1)
expect predict "$out" "sizes 64-64-10, activations relu softmax" "loss cross_entropy, optimizer adam" \
  "^[0-9.e,-]+  class [0-9]$"
[ "$(grep -c "class" <<<"$out")" -eq 2 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL predict: not 2 rows"; }
out=$("${VALGRIND[@]}" "$BUILD/predict" "$BUILD/digits_c.safetensors" < "$BUILD/rows.csv" 2>&1)
expect "predict (stdin, valgrind)" "$out" "class [0-9]"
# The code export: the digits model as C (float32 and int8) from the C API, then a program built
# from the generated source alone, which must not link libplexus.
out=$("${VALGRIND[@]}" "$BUILD/export_model" "$BUILD/digits_c.safetensors" "$BUILD/digits.bin" "$BUILD/deployed")
expect export_model "$out" "digits_float.h and .c \(float32, 4810 parameters\)" "digits_int8.h and .c \(int8, calibrated on 500" \
  "layer 1: 64 -> 64 relu" "layer 2: 64 -> 10 softmax, .* outputs scale 0\.00391 zero point -128"
${CC:-cc} -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I"$BUILD/deployed" -o "$BUILD/deployed_digits" examples/c/deployed_digits.c \
  "$BUILD/deployed/digits_float.c" "$BUILD/deployed/digits_int8.c" -lm
out=$("${VALGRIND[@]}" "$BUILD/deployed_digits" "$BUILD/digits.bin")
expect deployed_digits "$out" "no libplexus: float32 (9[0-9]|100)\.[0-9]%, int8 (9[0-9]|100)\.[0-9]% on 360 test images; the two agree on 3[0-9][0-9]$"
if ldd "$BUILD/deployed_digits" | grep -q plexus; then failed=$((failed + 1)); echo "FAIL deployed_digits links libplexus"
else passed=$((passed + 1)); fi

# Bad input: clear messages and a failing status.
bad() {
  local name=$1 input=$2 pattern=$3 status=0
  out=$(echo "$input" | "$BUILD/predict" "$BUILD/digits_c.safetensors" 2>&1) || status=$?
  if [ $status -ne 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL predict $name: exit 0"; fi
  expect "predict $name" "$out" "$pattern"
}
bad "short row" "1,2,3" "line 1 has 3 numbers; this model takes 64 inputs per row"
bad "not a number" "$(printf '1,%.0s' {1..10})abc" "line 1, value 11: \"abc\" is not a number"
bad "overflow" "1e999" "out of range"
status=0; out=$("$BUILD/predict" "$BUILD/no-such-model.safetensors" 2>&1) || status=$?
expect "predict missing model" "$out" "cannot load the model: plexus_load: cannot load \"$BUILD/no-such-model.safetensors\": cannot open it: No such file or directory"
[ $status -ne 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL predict: exit 0 on a missing model"; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
