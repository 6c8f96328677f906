#!/bin/sh
# The profiler's figures, measured in one run on this machine (docs/profile.md quotes them):
#   1. the 70/30 two-module split: error in points, on Debian's python3.11;
#   2. the Django template loop: per-module total variation distance (TVD) of the accurate
#      sampler and of --nonblocking against the stop-the-world reference, all at a low rate
#      (RATE, default 200 Hz: a reference stopping the process 1000 times a second perturbs it
#      enough to move shares by 2 points), plus the torn-read rate; with NOISE=1 also a second
#      reference run, the sampling-noise floor at this sample size;
#   3. target slowdown at 100 Hz with the sampler on another core (slowdown.sh).
# Usage: bench/profile/run.sh MIXPERF [DJANGO_CPU_SECONDS (default 40)] [RATE (default 200)]
# PARTS="split django slowdown" (the default) picks what to run. Django runs use PYTHONHASHSEED=0:
# with random string hashing the loop's own profile moves by several points between runs (the
# share of django.template.context ranged 7-15%), which would be charged to the samplers.
set -eu
MIXPERF=$1
SECS=${2:-40}
RATE=${3:-200}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
CHECK="$PY $src/tests/e2e/profile/check.py"
W=${PROFILE_BENCH_OUT:-$(mktemp -d)}
mkdir -p "$W"
echo "profiles are kept in $W"
prof() { # prof NAME FLAGS... -- TARGET ARGS
    name=$1
    shift
    taskset -c 0 "$MIXPERF" profile -q --collapsed "$W/$name.txt" "$@" >"$W/$name.out" 2>&1
}
PARTS=${PARTS:-split django slowdown}
case " $PARTS " in *" split "*)
echo "== 70/30 split (1000 Hz, 5 CPU-seconds, 3 runs)"
for i in 1 2 3; do
    prof split$i --rate 1000 -- taskset -c 1 $PY "$src/tests/e2e/profile/twomod.py" 5
    $CHECK split "$W/split$i.txt" mod_a mod_b 70 100
done ;;
esac
DJ="taskset -c 1 env PYTHONHASHSEED=0 $PY $here/djloop.py"
case " $PARTS " in *" django "*)
echo "== Django loop: TVD by module against --reference-stop ($RATE Hz, $SECS CPU-seconds each)"
prof ref --reference-stop --rate "$RATE" -- $DJ "$SECS"
prof acc --rate "$RATE" -- $DJ "$SECS"
prof nb --nonblocking --rate "$RATE" -- $DJ "$SECS"
printf 'accurate vs reference:    '
$CHECK tvd "$W/acc.txt" "$W/ref.txt" | tail -1
printf 'nonblocking vs reference: '
$CHECK tvd "$W/nb.txt" "$W/ref.txt" | tail -1
if [ "${NOISE:-0}" = 1 ]; then
    prof ref2 --reference-stop --rate "$RATE" -- $DJ "$SECS"
    printf 'reference vs reference:   '
    $CHECK tvd "$W/ref2.txt" "$W/ref.txt" | tail -1
fi
echo "top modules, accurate vs reference:"
$CHECK tvd "$W/acc.txt" "$W/ref.txt" | sed -n 1,8p # sed reads it all: no broken pipe
for n in acc ref nb; do echo "$n: $(grep -E '^# (samples|pauses|torn|off-CPU)' "$W/$n.out" | tr '\n' ' ')"; done
;;
esac
case " $PARTS " in *" slowdown "*)
echo "== slowdown at 100 Hz, sampler on core 0, target on core 1"
sh "$here/slowdown.sh" "$MIXPERF" 9 1500 100 ;;
esac
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: figures are taken under contention)"
