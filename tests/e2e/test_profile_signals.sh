#!/bin/sh
# SIGINT and SIGTERM stop profiling cleanly: the tables are still printed, the exit status is 130,
# and every thread of the target is released (no tracer, not stopped) and keeps running.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace

# A target with four busy threads, so some are likely mid-pause when the signal lands.
cat >"$WORK/threads.py" <<'PYEOF'
import threading, time
def spin():
    end = time.time() + 60
    while time.time() < end:
        sum(i * i for i in range(1000))
for _ in range(3):
    threading.Thread(target=spin, daemon=True).start()
spin()
PYEOF

released() { # released PID: every task has TracerPid 0 and is not stopped
    for st in /proc/$1/task/*/status; do
        tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "$st")
        state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "$st")
        [ "$tracer" = 0 ] || fail "$st: TracerPid $tracer after the profiler exited"
        case "$state" in t | T) fail "$st: state $state after the profiler exited" ;; esac
    done
}

for sig in INT TERM; do
    "$PY" "$WORK/threads.py" &
    tgt=$!
    BG_PIDS="$BG_PIDS $tgt"
    sleep 0.5
    "$MIXPERF" profile --rate 1000 -n 3 --collapsed "$WORK/$sig.txt" --pid $tgt >"$WORK/$sig.out" 2>&1 &
    mp=$!
    sleep 2
    kill -$sig $mp
    set +e
    wait $mp
    rc=$?
    set -e
    [ $rc -eq 130 ] || fail "SIG$sig: exit $rc, expected 130: $(cat "$WORK/$sig.out")"
    grep -q '^# samples: [1-9]' "$WORK/$sig.out" || fail "SIG$sig: no samples: $(cat "$WORK/$sig.out")"
    grep -q '^Modules' "$WORK/$sig.out" || fail "SIG$sig: no table"
    [ -s "$WORK/$sig.txt" ] || fail "SIG$sig: collapsed file not written"
    kill -0 $tgt || fail "SIG$sig: the target died"
    released $tgt
    threads=$(ls /proc/$tgt/task | wc -l)
    echo "SIG$sig: exit 130, $threads target threads released and running; $(grep '^# samples' "$WORK/$sig.out")"
    kill $tgt
done
echo "PASS"
