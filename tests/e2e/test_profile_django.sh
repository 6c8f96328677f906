#!/bin/sh
# Accuracy on real code: a Django template-rendering loop profiled by the default (accurate)
# sampler and by the stop-the-world reference (--reference-stop: SIGSTOP the whole process, read,
# SIGCONT). Per-module self-time shares must agree within the sampling noise of this run.
#
# Bound: with about 6000 samples per side over ~80 modules, two reference runs differ by a total
# variation distance of about 0.05 by chance alone (measured: 0.051), and a reference stopping the
# process 500 times a second perturbs a few shares by up to 2 points; a sampler that reads running
# threads without pausing them is off by 0.17-0.35 (docs/profile.md). 0.12 separates the two. The
# figure at a low rate and a large sample is bench/profile/run.sh's.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace
"$PY" -c 'import django' 2>/dev/null || fail "Debian's python3-django is missing (make deps)"

for mode in accurate reference; do
    flag=""
    [ $mode = reference ] && flag=--reference-stop
    $PIN_SAMPLER "$MIXPERF" profile $flag --rate 500 -q --collapsed "$WORK/$mode.txt" \
        -- $PIN_TARGET env PYTHONHASHSEED=0 "$PY" "$MP_SOURCE_DIR/bench/profile/djloop.py" 8 >"$WORK/$mode.out" 2>&1 ||
        fail "$mode: $(cat "$WORK/$mode.out")"
done
$CHECK tvd "$WORK/accurate.txt" "$WORK/reference.txt" 0.12
echo "PASS"
