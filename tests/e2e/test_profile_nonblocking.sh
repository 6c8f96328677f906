#!/bin/sh
# --nonblocking reads running threads without pausing them and reports how many reads were torn,
# with a warning above 2%; it never pauses (no "pauses" line) and still sees both modules.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace

$PIN_SAMPLER "$MIXPERF" profile --nonblocking --rate 1000 -n 5 --collapsed "$WORK/nb.txt" \
    -- $PIN_TARGET "$PY" "$MP_SOURCE_DIR/bench/profile/djloop.py" 3 >"$WORK/nb.top" 2>&1 ||
    fail "$(cat "$WORK/nb.top")"
$CHECK header "$WORK/nb.top" mode 'cpu, nonblocking \(threads are read while they run\)' \
    torn '[0-9]+ of [1-9][0-9]* reads \([0-9]+\.[0-9]{2}%\)( -- WARNING: above 2%, the profile is biased towards callers; drop --nonblocking for accurate shares)?'
grep -q '^# pauses' "$WORK/nb.top" && fail "nonblocking mode paused threads"
torn=$(sed -n 's/^# torn: [0-9]* of [0-9]* reads (\([0-9.]*\)%).*/\1/p' "$WORK/nb.top")
warn=$(grep -c 'WARNING: above 2%' "$WORK/nb.top" || true)
# The warning appears exactly when the rate is above 2%.
if awk "BEGIN{exit !($torn > 2)}"; then [ "$warn" = 1 ] || fail "torn $torn% without a warning"; else
    [ "$warn" = 0 ] || fail "warning at $torn%"; fi
grep -q 'django.template' "$WORK/nb.txt" || fail "no django frames"
echo "nonblocking torn rate on the Django loop: $torn%"
echo "PASS"
