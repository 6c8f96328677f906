#!/bin/sh
# --subprocesses follows gunicorn's workers as they are forked and restarted (max_requests): the
# profile holds samples of the request handler from the first workers and from restarted ones.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace
"$PY" -c 'import gunicorn' 2>/dev/null || fail "Debian's python3-gunicorn is missing (make deps)"

cd "$WORK"
$PIN_SAMPLER "$MIXPERF" profile --subprocesses --rate 500 -n 5 --collapsed "$WORK/g.txt" \
    -- $PIN_TARGET "$PY" -m gunicorn --chdir "$FIX" -w 2 --max-requests 8 -b 127.0.0.1:0 wsgiapp:application \
    >"$WORK/g.top" 2>"$WORK/g.err" &
mp=$!
BG_PIDS="$mp"
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.*Listening at: http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/g.err")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "gunicorn did not start: $(cat "$WORK/g.err")"
ok=0
for _ in $(seq 80); do
    if curl -s -o /dev/null -w '%{http_code}' --max-time 30 "http://127.0.0.1:$port/" | grep -q 200; then
        ok=$((ok + 1))
    fi
done
# Profiling ends on SIGINT once the load is done; mixperf then stops gunicorn (SIGTERM).
kill -INT $mp
set +e
wait $mp
rc=$?
set -e
[ $rc -eq 130 ] || fail "mixperf profile exited $rc: $(cat "$WORK/g.err")"
cat "$WORK/g.top"
[ $ok -eq 80 ] || fail "only $ok of 80 requests answered 200"

booted=$(sed -n 's/.*Booting worker with pid: \([0-9]*\).*/\1/p' "$WORK/g.err")
nboot=$(echo "$booted" | wc -l)
[ "$nboot" -ge 4 ] || fail "gunicorn booted only $nboot workers; max_requests did not restart them"
sampled=$($CHECK pids "$WORK/g.txt" "wsgiapp:render")
nsampled=$(echo "$sampled" | grep -c . || true)
first_two=$(echo "$booted" | head -2)
restarted=0
for p in $sampled; do
    echo "$booted" | grep -qx "$p" || fail "pid $p has samples but is not a gunicorn worker"
    echo "$first_two" | grep -qx "$p" || restarted=$((restarted + 1))
done
echo "workers booted: $nboot; workers with samples of wsgiapp:render: $nsampled ($restarted restarted ones)"
[ "$nsampled" -ge 3 ] || fail "samples from only $nsampled workers"
[ "$restarted" -ge 1 ] || fail "no samples from a restarted worker"
python_procs=$(sed -n 's/^# processes: \([0-9]*\) Python.*/\1/p' "$WORK/g.top")
[ "$python_procs" -ge "$nboot" ] || fail "profiled $python_procs Python processes, gunicorn had $nboot workers"
echo "PASS"
