#!/bin/sh
# CPU mode counts only threads on a CPU; --wall counts every thread at every tick. A target with
# one thread sleeping and one spinning: the sleeper is absent from a CPU profile and holds about
# half of a wall-clock profile.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace
cat >"$WORK/sleeper.py" <<'PYEOF'
import threading, time
def nap():
    while True:
        time.sleep(0.05)
def busy(seconds):
    end = time.time() + seconds
    while time.time() < end:
        sum(i * i for i in range(500))
threading.Thread(target=nap, daemon=True).start()
busy(4)
PYEOF
for mode in cpu wall; do
    flag=""
    [ $mode = wall ] && flag=--wall
    $PIN_SAMPLER "$MIXPERF" profile $flag --rate 200 -q --collapsed "$WORK/$mode.txt" \
        -- $PIN_TARGET "$PY" "$WORK/sleeper.py" >"$WORK/$mode.out" 2>&1 || fail "$(cat "$WORK/$mode.out")"
done
$CHECK header "$WORK/wall.out" mode 'wall, accurate .*'
$CHECK leaf "$WORK/cpu.txt" "sleeper:nap" 0 2
$CHECK leaf "$WORK/wall.txt" "sleeper:nap" 35 65
echo "PASS"
