#!/usr/bin/env bash
# `make install PREFIX=…` into a temporary prefix, then build and run an example two ways using
# nothing but the installed files: pkg-config and CMake's find_package(Plexus). The installed
# programs must run with an empty environment and the Swift toolchain out of reach.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL install: $*"; }

make --no-print-directory install PREFIX="$prefix" > "$work/install.log"
version=$(sed -n 's/^#define PLEXUS_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/plexus.h | paste -sd.)
for f in "lib/libplexus.so.$version" "lib/libplexus.so.${version%%.*}" lib/libplexus.so include/plexus.h \
         lib/pkgconfig/plexus.pc lib/cmake/Plexus/PlexusConfig.cmake lib/cmake/Plexus/PlexusConfigVersion.cmake \
         share/plexus/valgrind.supp share/plexus/LICENSE lib/libplexus.a lib/plexus/swiftrt.o; do
  [ -e "$prefix/$f" ] && ok || bad "$f was not installed"
done
# (Output is captured before grep -q: with pipefail, grep -q closing the pipe early fails the pipeline.)
dynamic=$(readelf -d "$prefix/lib/libplexus.so.$version")
grep -q "SONAME.*\[libplexus.so.${version%%.*}\]" <<<"$dynamic" && ok || bad "no SONAME libplexus.so.${version%%.*}"
if grep NEEDED <<<"$dynamic" | grep -i swift > /dev/null; then bad "needs a Swift runtime library"; else ok; fi
# It needs the C and C++ runtimes alone (its products are its own), and names no build folder.
if grep NEEDED <<<"$dynamic" | grep -v -E '\[(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|ld-linux)[^]]*\]' > /dev/null; then
  bad "needs more than the C and C++ runtimes: $(grep NEEDED <<<"$dynamic")"
else ok; fi
if grep -E 'RUNPATH|RPATH' <<<"$dynamic" | grep -v '\[\$ORIGIN\]' > /dev/null; then
  bad "a run path other than \$ORIGIN: $(grep -E 'RUNPATH|RPATH' <<<"$dynamic")"
else ok; fi
./Tests/c/check_exports.sh "$prefix/lib/libplexus.so.$version" "$prefix/include/plexus.h" > /dev/null && ok || bad "exports differ from the header"

# pkg-config
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion plexus)" = "$version" ] && ok || bad "pkg-config --modversion"
if grep -E "^Libs" "$prefix/lib/pkgconfig/plexus.pc" | grep -q rpath; then bad "plexus.pc forces a run path"; else ok; fi
# The run path is the program's choice (plexus.pc forces none).
cc -std=c99 -Wall -Wextra -Werror -pedantic examples/c/xor.c $(pkg-config --cflags --libs plexus) -Wl,-rpath,"$prefix/lib" \
  -o "$work/xor_pkgconfig" && ok || bad "pkg-config build"

# The static library, self-sufficient: a copy of the prefix without any libplexus.so, linked with
# pkg-config --static, and with CMake's Plexus::plexus_static below.
static="$work/static-prefix"
cp -a "$prefix" "$static"
rm -f "$static"/lib/libplexus.so*
cc -std=c99 -Wall -Wextra -Werror -pedantic examples/c/xor.c \
  $(pkg-config --define-variable=libdir="$static/lib" --define-variable=includedir="$static/include" --static --cflags --libs plexus) \
  -o "$work/xor_static" && ok || bad "pkg-config --static build"

# CMake
if cmake -S Tests/c/cmake_consumer -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
     -DPLEXUS_EXAMPLE="$PWD/examples/c/xor.c" > "$work/cmake.log" 2>&1 && cmake --build "$work/cmake" >> "$work/cmake.log" 2>&1; then
  ok
else
  bad "CMake build"; tail -20 "$work/cmake.log"
fi

for app in "$work/xor_pkgconfig" "$work/cmake/xor_cmake" "$work/xor_static" "$work/cmake/xor_cmake_static"; do
  [ -x "$app" ] || { bad "$(basename "$app") was not built"; continue; }
  linked=$(ldd "$app")
  if grep -q "not found" <<<"$linked"; then bad "$(basename "$app"): ldd finds unresolved libraries"; else ok; fi
  case $app in
    *static) if grep -q libplexus <<<"$linked"; then bad "$(basename "$app") loads a libplexus.so"; else ok; fi ;;
    *) grep -q "$prefix/lib/libplexus.so.${version%%.*}" <<<"$linked" && ok || { bad "$(basename "$app") does not load the installed library"; echo "$linked"; } ;;
  esac
  # An empty environment, and (when this machine allows a private mount) the toolchain hidden.
  swift_root=$(dirname "$(dirname "$(dirname "$(command -v swift)")")")
  if unshare -m true 2>/dev/null; then
    out=$(unshare -m bash -c "mount -t tmpfs tmpfs '$swift_root' && env -i '$app'") && ok || bad "$(basename "$app") failed without the toolchain"
    how="with $swift_root hidden and env -i"
  else
    out=$(env -i "$app") && ok || bad "$(basename "$app") failed with env -i"
    how="with env -i (no permission to hide the toolchain)"
  fi
  grep -q "4 of 4 correct" <<<"$out" && ok || bad "$(basename "$app") did not learn XOR"
  echo "installed $(basename "$app") ran $how"
done
# A program linked with the installed library is clean under valgrind's full leak check with the
# installed suppressions (the Swift runtime's metadata caches, kept for the process's life), and
# the suppressions are what makes it so: without them the same run reports "possibly lost".
if [ -x "$work/xor_pkgconfig" ] && command -v valgrind > /dev/null; then
  valgrind --leak-check=full --error-exitcode=1 --suppressions="$prefix/share/plexus/valgrind.supp" \
    "$work/xor_pkgconfig" > "$work/valgrind.log" 2>&1 && ok || { bad "valgrind with the suppressions"; tail -30 "$work/valgrind.log"; }
  if valgrind --leak-check=full --error-exitcode=1 "$work/xor_pkgconfig" > "$work/valgrind-bare.log" 2>&1; then
    echo "install: (valgrind reports nothing even without the suppressions now)"
  else
    grep -q "possibly lost" "$work/valgrind-bare.log" && ok || bad "valgrind without the suppressions failed for another reason"
  fi
  # ... and they hide no real leak: a net the program never frees is still reported.
  cat > "$work/forgets.c" <<'C'
#include "plexus.h"
int main(void) {
    const uint32_t sizes[] = {2, 4, 1};
    const plexus_activation activations[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
    plexus_net *net = NULL;
    return plexus_create(sizes, activations, 3, 0, 1, &net) == PLEXUS_OK ? 0 : 1; /* no plexus_free */
}
C
  cc -std=c99 "$work/forgets.c" $(pkg-config --cflags --libs plexus) -Wl,-rpath,"$prefix/lib" -o "$work/forgets"
  if valgrind --leak-check=full --error-exitcode=1 --suppressions="$prefix/share/plexus/valgrind.supp" "$work/forgets" \
       > "$work/valgrind-forgets.log" 2>&1; then
    bad "the suppressions hide a net that is never freed"
  else
    grep -q "definitely lost" "$work/valgrind-forgets.log" && ok || bad "a forgotten net is not reported as definitely lost"
  fi
fi

# make uninstall removes every file install wrote; LIBDIR, INCLUDEDIR and DESTDIR are honoured.
make --no-print-directory uninstall PREFIX="$prefix" > /dev/null
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ] && ok || bad "make uninstall left: $left"
stage="$work/stage"
make --no-print-directory install DESTDIR="$stage" PREFIX=/usr LIBDIR=/usr/lib64 INCLUDEDIR=/usr/include/plexus0 > /dev/null
for f in usr/lib64/libplexus.a usr/lib64/libplexus.so.$version usr/include/plexus0/plexus.h usr/lib64/pkgconfig/plexus.pc \
         usr/share/plexus/LICENSE; do
  [ -e "$stage/$f" ] && ok || bad "DESTDIR/LIBDIR/INCLUDEDIR: $f was not installed"
done
grep -q "^libdir=/usr/lib64$" "$stage/usr/lib64/pkgconfig/plexus.pc" && grep -q "^includedir=/usr/include/plexus0$" \
  "$stage/usr/lib64/pkgconfig/plexus.pc" && ok || bad "plexus.pc does not name LIBDIR and INCLUDEDIR"
make --no-print-directory uninstall DESTDIR="$stage" PREFIX=/usr LIBDIR=/usr/lib64 INCLUDEDIR=/usr/include/plexus0 > /dev/null
left=$(find "$stage" -type f -o -type l)
[ -z "$left" ] && ok || bad "make uninstall with DESTDIR left: $left"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
