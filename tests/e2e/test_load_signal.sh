#!/bin/sh
# Stopping: SIGINT mid-run stops the users (on_stop runs), runs teardown, writes every output and
# exits 130; a second signal aborts (no teardown) and still writes outputs. --stop-timeout decides
# whether a user in the middle of a task finishes it.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

# Starts mixperf in the background (LOAD_PID); the test signals it itself.
start_load() {
    "$MIXPERF" load "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" &
    LOAD_PID=$!
}

# How often the server has counted `key` so far.
count_of() {
    server_log
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"].get(sys.argv[2], 0))' \
        "$WORK/log.json" "$1"
}

# Waits (bounded) until the server has counted `key` n more times than it had at `base`.
wait_for() {
    key=$1 n=$2 base=$3 i=0
    while :; do
        got=$(count_of "$key")
        [ "$got" -ge $((base + n)) ] && return 0
        i=$((i + 1))
        [ $i -le 300 ] || fail "the server never saw $n x $key"
        sleep 0.1
    done
}

# Waits (bounded) for the background mixperf; leaves its exit status in STATUS.
wait_load() {
    i=0
    while kill -0 "$LOAD_PID" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "mixperf did not stop"
        sleep 0.1
    done
    STATUS=0
    wait "$LOAD_PID" || STATUS=$?
    LOAD_PID=""
}

# --- 1. one SIGINT: users stop, on_stop and teardown run, outputs written, 130 ---
cat >"$WORK/a.yaml" <<'EOF'
users:
  - name: Clicker
    wait: constant 0.01
    on_stop:
      - get: /echo/on_stop
    tasks:
      - steps:
          - get: /status/204
teardown:
  - get: /echo/teardown
EOF
start_load "$WORK/a.yaml" --host "$HOST" -u 3 -t 60s --threads 2 --csv "$WORK/a" --json "$WORK/a.json"
wait_for "GET /status/204" 20 0
kill -INT "$LOAD_PID"
wait_load
[ "$STATUS" -eq 130 ] || fail "SIGINT: exit status $STATUS, expected 130"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
counts = log()["counts"]
check_headers("a")
s = stats_rows("a")
n = int(s[("GET", "/status/204")]["Request Count"])
# With --stop-timeout 0 a request in flight at the signal is dropped, not reported.
expect(0 <= counts["GET /status/204"] - n <= 3, "requests", n, counts)
expect(counts["GET /echo/on_stop"] == 3, "on_stop ran for every user", counts)
expect(int(s[("GET", "/echo/on_stop")]["Request Count"]) == 3, "on_stop in the statistics")
expect(counts["GET /echo/teardown"] == 1, "teardown ran", counts)
meta = load_json("a.json")["meta"]
expect(meta["interrupted"] is True and meta["aborted"] is False and meta["exit_status"] == 130, meta)
hist = rows("a_stats_history.csv")
expect(hist[-1]["Name"] == "Aggregated" and hist[-1]["Total Request Count"] == s[("", "Aggregated")]["Request Count"], hist[-1])
EOF

# --- 2. a second signal aborts: on_stop is cut, no teardown, outputs still written ---
cat >"$WORK/b.yaml" <<'EOF'
users:
  - name: Lingerer
    on_stop:
      - get: /slow?ms=5000
      - get: /echo/never
    tasks:
      - steps:
          - get: /status/204
          - sleep: 0.05
teardown:
  - get: /echo/teardown
EOF
base=$(count_of "GET /status/204")
start_load "$WORK/b.yaml" --host "$HOST" -u 2 -t 60s --threads 1 --csv "$WORK/b" --json "$WORK/b.json"
wait_for "GET /status/204" 10 "$base"
kill -INT "$LOAD_PID"
wait_for "GET /slow" 2 0
kill -TERM "$LOAD_PID"
wait_load
[ "$STATUS" -eq 130 ] || fail "second signal: exit status $STATUS, expected 130"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
counts = log()["counts"]
expect(counts["GET /echo/teardown"] == 1, "only the first run's teardown", counts)
expect("GET /echo/never" not in counts, counts)
check_headers("b")
meta = load_json("b.json")["meta"]
expect(meta["interrupted"] is True and meta["aborted"] is True, meta)
s = stats_rows("b")
expect(s.get(("GET", "/slow?ms=5000"), {"Request Count": "0"})["Request Count"] == "0", "cut request reported")
EOF

# --- 3. --stop-timeout: a user inside a slow task finishes it only when given the time ---
cat >"$WORK/c.yaml" <<'EOF'
users:
  - name: Slow
    on_stop:
      - get: /echo/on_stop
    tasks:
      - steps:
          - get: /slow?ms=1500
            name: slow
          - get: /echo/after
EOF
for timeout in 5 0 0.5; do
    server_log
    cp "$WORK/log.json" "$WORK/before.json"
    run_load "$WORK/c.yaml" --host "$HOST" -u 2 -t 0.5s --threads 1 --stop-timeout "$timeout" \
        --csv "$WORK/c$timeout"
    [ "$STATUS" -eq 0 ] || fail "--stop-timeout $timeout: status $STATUS"
    server_log
    check "$timeout" <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
timeout = sys.argv[2]
before = load_json("before.json")["counts"]
counts = {k: v - before.get(k, 0) for k, v in log()["counts"].items() if v != before.get(k, 0)}
s = stats_rows("c" + timeout)
slow = int(s.get(("GET", "slow"), {"Request Count": "0"})["Request Count"])
expect(counts["GET /slow"] == 2, counts)
expect(counts["GET /echo/on_stop"] == 2, "on_stop", counts)
if timeout == "5":
    # Given 5 s, both users finish their task: the slow request is reported, the next one sent.
    expect(counts.get("GET /echo/after") == 2 and slow == 2, counts, slow)
else:
    # Stopped at once (0), or when 0.5 s ran out: the answer is dropped, the task cut.
    expect("GET /echo/after" not in counts and slow == 0, counts, slow)
EOF
done
echo "ok"
