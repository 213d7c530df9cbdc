#!/bin/sh
# Steady-state instructions per W1 call and per W2 update, Plexus and FANN: `make bench-instructions`.
# Each count is (I(200,000 calls) - I(100,000 calls)) / 100,000 under valgrind --tool=callgrind.
set -eu
program=${1:?usage: tiny_instructions.sh BUILD/tiny_instructions}
"$program" machine
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$program" "$1" "$2" "$3" 2>&1 |
        awk '/refs:/ { gsub(",", "", $4); print $4 }'
}
for who in plexus fann; do
    for w in w1 $( [ "$who" = plexus ] && echo w1-scaled ) w2 w2-step w2-run; do
        a=$(count "$who" "$w" 100000)
        b=$(count "$who" "$w" 200000)
        echo "$who $w $(( (b - a) / 100000 )) instructions per $(case $w in w1*) echo call ;; *) echo update ;; esac)"
    done
done
