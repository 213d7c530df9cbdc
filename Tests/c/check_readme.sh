#!/usr/bin/env bash
# The README's C and Python examples must run as written: extract each block that follows its
# marker comment, build or run it against the release library, and check it ends well.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The fenced block right after the line containing $1.
block() { awk -v marker="$1" 'index($0, marker) {found=1; next} found && /^```/ {if (inside) exit; inside=1; next} inside {print}' README.md; }

block "readme-c-example" > "$work/xor.c"
[ -s "$work/xor.c" ] || { echo "README: no C example found"; exit 1; }
cc -std=c99 -Wall -Wextra -Werror -pedantic "$work/xor.c" -Iinclude -L.build/release -lplexus \
   -Wl,-rpath,"$PWD/.build/release" -o "$work/xor"
"$work/xor" | tee "$work/c.out"
grep -q "1 XOR 1 -> 0.0" "$work/c.out" || { echo "README C example did not learn XOR"; exit 1; }

# The C training fragment, inside a function that declares what it uses.
{
    echo '#include <plexus.h>'
    echo '#include <stdio.h>'
    echo 'void run(plexus_net *net, const float *x, const float *y, size_t n, const float *x_val, const float *y_val, size_t n_val);'
    echo 'void run(plexus_net *net, const float *x, const float *y, size_t n, const float *x_val, const float *y_val, size_t n_val) {'
    block "readme-c-training-fragment"
    echo '}'
} > "$work/fragment.c"
grep -q plexus_train_ex "$work/fragment.c" || { echo "README: no C training fragment found"; exit 1; }
cc -std=c99 -Wall -Wextra -Werror -pedantic -c "$work/fragment.c" -Iinclude -o "$work/fragment.o"

block "readme-python-example" > "$work/example.py"
[ -s "$work/example.py" ] || { echo "README: no Python example found"; exit 1; }
# Run from the scratch folder (the example writes a model file there), against the source tree's
# package and the library just built.
(cd "$work" && PYTHONPATH="$OLDPWD/bindings/python" PLEXUS_LIBRARY="$OLDPWD/.build/release/libplexus.so" python3 example.py)
block "readme-training-example" > "$work/training.py"
[ -s "$work/training.py" ] || { echo "README: no training example found"; exit 1; }
(cd "$work" && PYTHONPATH="$OLDPWD/bindings/python" PLEXUS_LIBRARY="$OLDPWD/.build/release/libplexus.so" python3 training.py)
# Deploying: the Python block trains and exports the digits net; the C block is built from the
# generated int8 files alone (no libplexus) and run.
block "readme-deploy-example" > "$work/deploy.py"
grep -q export_c "$work/deploy.py" || { echo "README: no deploy example found"; exit 1; }
(cd "$work" && PYTHONPATH="$OLDPWD/bindings/python" PLEXUS_LIBRARY="$OLDPWD/.build/release/libplexus.so" python3 deploy.py) \
  | tee "$work/deploy.out"
grep -qE "int8 accuracy, as the device will compute it: 0\.9[0-9]*" "$work/deploy.out" \
  || { echo "README deploy example: int8 accuracy under 90%"; exit 1; }
block "readme-deploy-c" > "$work/device.c"
cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$work" "$work/device.c" "$work/digits_q.c" -o "$work/device"
"$work/device" | grep -qE "^class [0-9]$" || { echo "README deploy C example did not print a class"; exit 1; }
echo "README examples: C and Python ran as written"
