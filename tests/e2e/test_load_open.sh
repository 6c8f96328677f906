#!/bin/sh
# The open model (--rate): iterations start on a fixed schedule whatever the response times, and
# latency is measured from each iteration's due time (coordinated-omission correction). All bounds
# come from counts: R per second for T seconds schedules exactly ceil(R*T) iterations.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/fast.yaml" <<'EOF'
users:
  - name: Hitter
    wait: constant 5        # ignored by the open model
    tasks:
      - steps:
          - get: /status/204
EOF

# 1. A fast server: the schedule, not the users' speed, sets the count.
run_load "$WORK/fast.yaml" --host "$HOST" --rate 40 -u 4 -t 3s --threads 2 --csv "$WORK/f" \
    --json "$WORK/f.json"
[ "$STATUS" -eq 0 ] || fail "status $STATUS"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
import math
n_server = log()["counts"]["GET /status/204"]
due = math.ceil(40 * 3)
s = stats_rows("f")
n = int(s[("GET", "/status/204")]["Request Count"])
# Never more than the schedule holds; a closed model with these 4 users and `wait: constant 5`
# would have sent at most 4 * 1 (one task each before waiting 5 s).
expect(n_server <= due, "more iterations than scheduled", n_server, due)
expect(n_server >= 0.75 * due, "far fewer iterations than scheduled", n_server, due)
expect(0 <= n_server - n <= 4, "server vs statistics", n_server, n)
meta = load_json("f.json")["meta"]
expect(meta["model"] == "open" and meta["open_model"]["rate"] == 40, meta)
expect(meta["open_model"]["iterations_started"] >= n, meta["open_model"], n)
EOF

# 2. A server slower than the schedule: one user, 200 ms per answer, 20 iterations/s wanted. The
# k-th iteration (from 0) cannot end before 0.2*(k+1) s but was due at k/20 s, so its latency is at
# least 0.2 + 0.15*k s: with m iterations done, the maximum is at least 0.2 + 0.15*(m-1) s, far
# above the 200 ms a closed model would report.
cat >"$WORK/slow.yaml" <<'EOF'
users:
  - name: Waiter
    tasks:
      - steps:
          - get: /slow?ms=200
            name: slow
EOF
run_load "$WORK/slow.yaml" --host "$HOST" --rate 20 -u 1 -t 3s --threads 1 --csv "$WORK/s" \
    --json "$WORK/s.json"
[ "$STATUS" -eq 0 ] || fail "status $STATUS"
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
r = stats_rows("s")[("GET", "slow")]
m = int(r["Request Count"])
expect(m >= 3, "iterations", m)
bound_ms = (0.2 + 0.15 * (m - 1)) * 1000
expect(float(r["Max Response Time"]) >= bound_ms * 0.99, "max latency", r["Max Response Time"], bound_ms)
doc = load_json("s.json")
meta = doc["meta"]["open_model"]
expect(meta["iterations_late"] >= m - 1, meta)
# The uncorrected latencies (from the real send, as wrk2 -U reports them) see only the server's
# 200 ms, never the queueing behind the schedule that the corrected ones carry.
unc = meta["uncorrected_response_time_ns"]
expect(unc["count"] == m, "uncorrected count", unc, m)
expect(190e6 <= unc["percentiles"]["100"] < 0.2e9 + 0.15e9, "uncorrected max", unc)
corr = doc["total"]["response_time_ns"]["percentiles"]
expect(corr["100"] >= bound_ms * 0.99e6 > unc["percentiles"]["100"], "corrected vs uncorrected", corr, unc)
EOF
echo "ok"
