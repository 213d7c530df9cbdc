#!/usr/bin/env bash
# PLEXUS_MUST_USE and PLEXUS_DEPRECATED as the header documents them, with every compiler and language here: a status
# left unused is a warning (an error under -Werror); (void)!call silences it everywhere; (void)call
# silences it where the language or compiler lets a cast do so (clang, C++17, C23) but not with
# gcc before C23, which the header says.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL must-use: $*"; }

for form in ignored void bang; do
  case $form in
    ignored) call='plexus_set_threads(1);' ;;
    void) call='(void)plexus_set_threads(1);' ;;
    bang) call='(void)!plexus_set_threads(1);' ;;
  esac
  printf '#include "plexus.h"\nint main(void) {\n    %s\n    return 0;\n}\n' "$call" > "$work/$form.c"
  cp "$work/$form.c" "$work/$form.cpp"
done

# compiler, flags, source suffix, whether (void) silences it
check() {
  local compiler=$1 flags=$2 suffix=$3 void_silences=$4 label="$1 $2"
  command -v "$compiler" > /dev/null || { echo "must-use: $compiler not installed, skipped"; return; }
  # shellcheck disable=SC2086
  if $compiler $flags -Werror -Iinclude -c "$work/ignored.$suffix" -o "$work/out.o" 2> /dev/null; then
    bad "$label: an ignored status compiled without a warning"
  else ok; fi
  # shellcheck disable=SC2086
  $compiler $flags -Werror -Iinclude -c "$work/bang.$suffix" -o "$work/out.o" && ok || bad "$label: (void)! did not silence it"
  # shellcheck disable=SC2086
  if $compiler $flags -Werror -Iinclude -c "$work/void.$suffix" -o "$work/out.o" 2> /dev/null; then
    [ "$void_silences" = yes ] && ok || bad "$label: (void) silenced it, but the header says it does not here"
  else
    [ "$void_silences" = no ] && ok || bad "$label: (void) did not silence it"
  fi
}
clang=$(command -v clang || echo /opt/swift/usr/bin/clang)
check gcc "-std=c99 -Wall" c no
check gcc "-std=c11 -Wall" c no
check g++ "-std=c++17 -Wall" cpp yes
check g++ "-std=c++11 -Wall" cpp no
check "$clang" "-std=c99 -Wall" c yes
check "$clang" "-std=c23 -Wall" c yes
check "$clang++" "-std=c++17 -Wall" cpp yes

# PLEXUS_DEPRECATED: calling a deprecated function warns, naming the replacement; a program may
# define the macro empty before including the header.
printf '#include "plexus.h"\nint main(void) {\n    return plexus_blas_info()[0] == 0;\n}\n' > "$work/old.c"
printf '#define PLEXUS_DEPRECATED(message)\n#include "plexus.h"\nint main(void) {\n    return plexus_blas_info()[0] == 0;\n}\n' > "$work/quiet.c"
cp "$work/old.c" "$work/old.cpp"
deprecated() {
  local compiler=$1 flags=$2 suffix=$3 label="$1 $2"
  command -v "$compiler" > /dev/null || return 0
  # shellcheck disable=SC2086
  if $compiler $flags -Werror -Iinclude -c "$work/old.$suffix" -o "$work/out.o" 2> "$work/err.txt"; then
    bad "$label: a deprecated call compiled without a warning"
  elif grep -q "plexus_gemm_info" "$work/err.txt"; then ok; else bad "$label: the warning does not name plexus_gemm_info"; fi
}
deprecated gcc "-std=c99 -Wall" c
deprecated gcc "-std=c11 -Wall" c
deprecated g++ "-std=c++17 -Wall" cpp
deprecated g++ "-std=c++11 -Wall" cpp
deprecated "$clang" "-std=c99 -Wall" c
deprecated "$clang" "-std=c23 -Wall" c
deprecated "$clang++" "-std=c++17 -Wall" cpp
gcc -std=c99 -Wall -Werror -Iinclude -c "$work/quiet.c" -o "$work/out.o" && ok || bad "PLEXUS_DEPRECATED defined empty did not silence it"
echo "must-use: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
