#!/usr/bin/env bash
# Deploy anywhere (docs/deploying.md): the digits net's generated C, float32
# and int8, compiled warning-free for x86-64 and for 32-bit ARM (run under qemu-arm) and compared
# with plexus_predict and plexus.quantize.simulate; then built for a Cortex-M4 with
# arm-none-eabi-gcc -Os, printing its flash and RAM. Usage: test_deploy.sh OUT_DIR (PYTHON= the
# interpreter with plexus installed).
set -euo pipefail
PYTHON=${PYTHON:-python3}
OUT=${1:?usage: test_deploy.sh OUT_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
CWARN="-std=c99 -Wall -Wextra -pedantic -Werror"

rm -rf "$OUT"
mkdir -p "$OUT/x86-64" "$OUT/armhf"
"$PYTHON" "$HERE/models.py" make "$OUT"

gcc $CWARN -O2 -I"$OUT" -o "$OUT/runner-x86-64" "$HERE/runner.c" "$OUT/digits_f.c" "$OUT/digits_q.c" -lm
"$OUT/runner-x86-64" "$OUT" "$OUT/x86-64"
arm-linux-gnueabihf-gcc $CWARN -O2 -static -I"$OUT" -o "$OUT/runner-armhf" "$HERE/runner.c" "$OUT/digits_f.c" "$OUT/digits_q.c" -lm
echo "deploy: $(file -b "$OUT/runner-armhf" | cut -d, -f1-2), run under $(qemu-arm --version | head -1)"
qemu-arm "$OUT/runner-armhf" "$OUT" "$OUT/armhf"
"$PYTHON" "$HERE/models.py" check "$OUT"

# Cortex-M4 (hard float): the model's object alone, and linked into a minimal program with newlib-nano.
M4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os"
echo "deploy: Cortex-M4, $(arm-none-eabi-gcc --version | head -1), $M4"
printf 'deploy: %-9s %-22s %14s %12s %14s\n' model build "flash (B)" "RAM (B)" "stack (B)"
for model in digits_q digits_f; do
  upper=$(echo "$model" | tr a-z A-Z)
  arm-none-eabi-gcc $CWARN $M4 -ffunction-sections -fdata-sections -fstack-usage -c "$OUT/$model.c" -o "$OUT/m4-$model.o"
  # text + data is what flash holds (rodata is in text), data + bss what RAM holds besides the stack.
  read -r text data bss _ < <(arm-none-eabi-size "$OUT/m4-$model.o" | tail -1)
  stack=$(awk '{ total += $2 } END { print total }' "$OUT/m4-$model.su")
  printf 'deploy: %-9s %-22s %14d %12d %14s\n' "$model" "model object" $((text + data)) $((data + bss)) "<= $stack"
  arm-none-eabi-gcc $CWARN $M4 -ffunction-sections -fdata-sections -I"$OUT" \
    -DMODEL_HEADER="\"$model.h\"" -DMODEL_INPUTS=${upper}_INPUTS -DMODEL_OUTPUTS=${upper}_OUTPUTS -DMODEL_PREDICT=${model}_predict \
    --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -o "$OUT/m4-$model.elf" "$HERE/mcu_main.c" "$OUT/m4-$model.o" -lm
  read -r text data bss _ < <(arm-none-eabi-size "$OUT/m4-$model.elf" | tail -1)
  printf 'deploy: %-9s %-22s %14d %12d\n' "$model" "linked, newlib-nano" $((text + data)) $((data + bss))
  if [ "$model" = digits_q ]; then
    read -r text data bss _ < <(arm-none-eabi-size "$OUT/m4-$model.o" | tail -1)
    if [ $((text + data)) -ge 16384 ] || [ $((data + bss + stack)) -ge 2048 ]; then
      echo "deploy: the int8 digits model misses its goal (under 16 KB of flash and 2 KB of RAM with its stack)"; exit 1
    fi
  fi
done
echo "deploy: all checks passed"
