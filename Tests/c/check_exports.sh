#!/usr/bin/env bash
# The library must export exactly the functions the header declares: every one of them, and no
# other symbol (no Swift mangled names, no internal helpers such as plxs_gemm).
set -euo pipefail
lib=$1 header=$2

declared=$(grep -oE '\bplexus_[a-z_0-9]+\(' "$header" | tr -d '(' | sort -u)
# Lower-case nm types are local symbols: present in .dynsym but not bindable from outside.
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ {print $3}' | sort -u)

missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
extra=$(comm -13 <(echo "$declared") <(echo "$exported"))
status=0
if [ -n "$missing" ]; then echo "declared in $header but not exported by $lib:"; echo "$missing"; status=1; fi
if [ -n "$extra" ]; then echo "exported by $lib but not declared in $header:"; echo "$extra" | head -20; status=1; fi
[ $status -eq 0 ] && echo "exports: $(echo "$declared" | wc -l) functions, exactly the header's"
exit $status
