#!/bin/sh
# Target slowdown caused by the profiler: the Django loop renders a fixed number of pages alone
# and under `mixperf profile` (default accurate mode), in interleaved pairs, the target on core 1
# and the sampler on core 0. Prints, per pair and as medians, the ratio of the target's wall time
# and of its own CPU time (profiled / alone). On a shared machine the wall ratio is dominated by
# other load; the CPU ratio shows what pausing costs the target's own execution (cache and TLB
# refills, kernel entry for each stop), which is the part the profiler adds when cores are free.
# Usage: bench/profile/slowdown.sh MIXPERF [PAIRS] [PAGES] [RATE] [EXTRA PROFILE FLAGS...]
set -eu
MIXPERF=$1
PAIRS=${2:-9}
PAGES=${3:-1500}
RATE=${4:-100}
shift $(($# < 4 ? $# : 4))
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
walls=""
cpus=""
i=0
while [ $i -lt "$PAIRS" ]; do
    i=$((i + 1))
    set -- $(taskset -c 1 env PYTHONHASHSEED=0 "$PY" "$here/djloop.py" pages="$PAGES") "$@"
    bw=$2
    bc=$4
    shift 6
    taskset -c 0 "$MIXPERF" profile -q --rate "$RATE" "$@" -- taskset -c 1 env PYTHONHASHSEED=0 "$PY" "$here/djloop.py" \
        pages="$PAGES" >"$out" 2>&1
    pw=$(awk '/^wall /{print $2}' "$out")
    pc=$(awk '/^wall /{print $4}' "$out")
    [ -n "$pw" ] || { cat "$out" >&2; exit 1; }
    rw=$(awk "BEGIN{printf \"%.4f\", $pw / $bw}")
    rc=$(awk "BEGIN{printf \"%.4f\", $pc / $bc}")
    echo "pair $i: alone wall ${bw}s cpu ${bc}s; profiled wall ${pw}s cpu ${pc}s; ratios wall $rw cpu $rc"
    walls="$walls $rw"
    cpus="$cpus $rc"
done
median() { echo $* | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "slowdown at $RATE Hz: median wall ratio $(median $walls), median target-CPU ratio $(median $cpus) over $PAIRS pairs (load average $(cut -d' ' -f1-3 /proc/loadavg))"
