#!/bin/sh
# Target slowdown caused by the profiler: the Django loop renders a fixed number of pages alone
# and under `mixperf profile` (default accurate mode, 100 Hz), in interleaved pairs, the target on
# one core and the sampler on another. Prints each pair's wall-time ratio and the median.
# Usage: bench/profile/slowdown.sh MIXPERF [PAIRS] [PAGES] [RATE] [EXTRA PROFILE FLAGS...]
set -eu
MIXPERF=$1
PAIRS=${2:-7}
PAGES=${3:-3000}
RATE=${4:-100}
shift $(($# < 4 ? $# : 4))
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ratios=""
i=0
while [ $i -lt "$PAIRS" ]; do
    i=$((i + 1))
    base=$(taskset -c 1 "$PY" "$here/djloop.py" pages="$PAGES" | awk '{print $2}')
    taskset -c 0 "$MIXPERF" profile -q --rate "$RATE" "$@" -- taskset -c 1 "$PY" "$here/djloop.py" \
        pages="$PAGES" >"$out" 2>&1
    prof=$(awk '/^wall /{print $2}' "$out")
    r=$(awk "BEGIN{printf \"%.4f\", $prof / $base}")
    echo "pair $i: alone ${base}s, profiled ${prof}s, ratio $r"
    ratios="$ratios $r"
done
median=$(echo $ratios | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
echo "slowdown at $RATE Hz ($*): median ratio $median over $PAIRS pairs (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
