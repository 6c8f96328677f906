#!/bin/sh
# SIGINT and SIGTERM stop profiling cleanly: the tables are still printed, the exit status is 130,
# and every thread of the target is released (no tracer, not stopped) and keeps running.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace

# A target with four busy threads, so some are likely mid-pause when the signal lands. Wall mode:
# every thread is read at every tick, whatever else the machine is running.
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
    "$MIXPERF" profile --wall --rate 1000 -n 3 --collapsed "$WORK/$sig.txt" --pid $tgt >"$WORK/$sig.out" 2>&1 &
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
# Signals that reach the target while a thread is paused are re-injected, none lost: the target
# counts real-time signals (which queue) through a wakeup pipe, one byte per delivery, while it is
# sampled at 1 kHz and sent 300 of them.
cat >"$WORK/rt.py" <<'PYEOF'
import os, signal, sys, time
r, w = os.pipe()
os.set_blocking(w, False)
os.set_blocking(r, False)
signal.signal(signal.SIGRTMIN, lambda *a: None)
signal.set_wakeup_fd(w)
open(sys.argv[1], "w").write(str(os.getpid()))
end = time.time() + float(sys.argv[2])
got = 0
while time.time() < end:
    sum(i * i for i in range(2000))
    try:
        got += len(os.read(r, 65536))
    except BlockingIOError:
        pass
time.sleep(0.2)
try:
    got += len(os.read(r, 65536))
except BlockingIOError:
    pass
print("received", got)
PYEOF
$PIN_SAMPLER "$MIXPERF" profile --rate 1000 -q -- $PIN_TARGET "$PY" "$WORK/rt.py" "$WORK/ready" 6 \
    >"$WORK/rt.out" 2>&1 &
mp=$!
for _ in $(seq 100); do [ -s "$WORK/ready" ] && break; sleep 0.05; done
tgt=$(cat "$WORK/ready")
[ -n "$tgt" ] || fail "the signal target did not start"
"$PY" -c 'import os, signal, sys, time
for _ in range(300):
    os.kill(int(sys.argv[1]), signal.SIGRTMIN)
    time.sleep(0.004)' "$tgt"
set +e
wait $mp
rc=$?
set -e
[ $rc -eq 0 ] || fail "profiling the signal target: exit $rc: $(cat "$WORK/rt.out")"
grep -qx "received 300" "$WORK/rt.out" || fail "signals lost or duplicated: $(cat "$WORK/rt.out")"
echo "300 real-time signals sent during 1 kHz sampling, 300 received"
echo "PASS"
