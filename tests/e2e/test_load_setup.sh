#!/bin/sh
# setup and teardown: run once each, as their own session, before and after the users, reported in
# their own table; teardown shares neither setup's cookies nor its variables (only pools). A failing
# setup starts no user, teardown still runs, exit status 3. A failing teardown is reported. A user
# whose on_start fails stops there (no task, no on_stop) and is counted.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/ok.yaml" <<'EOF'
pools: [accounts]
setup:
  - get: /login
    capture: [{var: csrf, regex: 'value="([^"]+)"'}]
  - post: /login
    form: {csrfmiddlewaretoken: "{{ csrf }}", username: admin}
    expect: {contains: "welcome admin"}
  - loop: {count: 3, as: i}
    steps:
      - post: /posts
        form: {csrfmiddlewaretoken: "{{ csrf }}", title: "account {{ i }}"}
        expect: {status: [201]}
        capture: [{var: id, regex: '"id": (\d+)'}]
        push: {pool: accounts, value: "{{ id }}"}
  - loop: {over: [alpha, "{{ csrf }}"], as: word}
    steps:
      - get: "/echo/{{ word }}"
        name: /echo/[word]
users:
  - name: Reader
    wait: constant 0.05
    tasks:
      - steps:
          - pick: {pool: accounts, as: id}
          - get: "/posts/{{ id }}"
            name: /posts/[id]
            expect: {contains: "by admin"}
teardown:
  - loop: {over: pool.accounts, as: a}
    steps:
      - get: "/posts/{{ a }}"
        name: teardown read
  # Its own cookie jar: setup's login session is not sent.
  - get: /welcome
    expect: {status: [403]}
EOF

# --stop-timeout 5: a user in the middle of a task when the time is up finishes it, so every
# request the server saw is in the statistics and the counts below can be exact.
run_load "$WORK/ok.yaml" --host "$HOST" -u 2 -t 1s --threads 2 --stop-timeout 5 --csv "$WORK/ok" \
    --json "$WORK/ok.json"
[ "$STATUS" -eq 0 ] || fail "status $STATUS: $(cat "$WORK/err.txt")"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
log_ = log()
counts = log_["counts"]
posts = [a for a in log_["accepted"] if a["path"] == "/posts"]
expect([p["form"]["title"] for p in posts] == ["account 0", "account 1", "account 2"], posts)
expect(counts["POST /login"] == 1, "setup ran once", counts)
echo = [k for k in counts if k.startswith("GET /echo/")]
csrf = [a for a in log_["accepted"] if a["path"] == "/login"][0]["form"]["csrfmiddlewaretoken"]
expect(sorted(echo) == sorted(["GET /echo/alpha", "GET /echo/" + csrf]), echo)
s = stats_rows("ok")
expect(set(k for k in s if s[k]["Request Count"] != "0") == {("GET", "/posts/[id]"), ("", "Aggregated")}, s.keys())
reads = int(s[("GET", "/posts/[id]")]["Request Count"])
ids = [p["id"] for p in posts]
expect(sorted(set(log_["reads"])) == sorted(set(log_["reads"]) & set(ids)), "reads of other ids")
# the users' reads plus teardown's three
expect(len(log_["reads"]) == reads + 3, "reads", len(log_["reads"]), reads)
aux = load_json("ok.json")["meta"]["setup_teardown"]["total"]
expect(aux["num_requests"] == 1 + 1 + 3 + 2 + 3 + 1 and aux["num_failures"] == 0, aux)
expect(counts["GET /welcome"] == 2, "setup's redirect, teardown's refused read", counts)
out = text("out.txt")
expect("Setup and teardown" in out, out)
meta = load_json("ok.json")["meta"]
expect("teardown_error" not in meta and meta["users_failed_start"] == 0, meta)
expect(text("err.txt").count("teardown failed") == 0, text("err.txt"))
EOF

# --no-teardown leaves what the users did; --no-setup with -u 0 runs teardown alone (k6's flags).
server_log
cp "$WORK/log.json" "$WORK/before.json"
run_load "$WORK/ok.yaml" --host "$HOST" -u 1 -t 0.5s --no-teardown --json "$WORK/nt.json"
[ "$STATUS" -eq 0 ] || fail "--no-teardown: status $STATUS: $(cat "$WORK/err.txt")"
server_log
cp "$WORK/log.json" "$WORK/mid.json"
run_load "$WORK/ok.yaml" --host "$HOST" -u 0 --no-setup --json "$WORK/ns.json"
[ "$STATUS" -eq 0 ] || fail "--no-setup -u 0: status $STATUS: $(cat "$WORK/err.txt")"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
def new(a, b):
    return {k: v - a.get(k, 0) for k, v in b.items() if v != a.get(k, 0)}
before, mid = load_json("before.json")["counts"], load_json("mid.json")["counts"]
run1 = new(before, mid)
reads = sum(v for k, v in run1.items() if k.startswith("GET /posts/"))
expect(run1.get("POST /login") == 1 and run1.get("POST /posts") == 3 and reads > 3, run1)
expect(run1.get("GET /welcome") == 1, "setup's redirect only: no teardown", run1)
run2 = new(mid, log()["counts"])
# No setup, so the pool is empty and the loop runs zero times; no user.
expect(run2 == {"GET /welcome": 1}, "teardown alone", run2)
meta = load_json("ns.json")["meta"]
expect(meta["users_spawned"] == 0 and meta["setup_teardown"]["total"]["num_requests"] == 1, meta)
EOF

cat >"$WORK/bad.yaml" <<'EOF'
setup:
  - get: /status/204
  - get: /status/500
  - get: /echo/not-after-failure
users:
  - name: Never
    tasks:
      - steps:
          - get: /echo/user
teardown:
  - get: /echo/teardown
EOF
server_log
cp "$WORK/log.json" "$WORK/before.json"
run_load "$WORK/bad.yaml" --host "$HOST" -u 2 -t 5s --csv "$WORK/bad" --json "$WORK/bad.json"
[ "$STATUS" -eq 3 ] || fail "failed setup: status $STATUS, expected 3"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
before = load_json("before.json")["counts"]
after = log()["counts"]
new = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
# No user started; teardown ran (a setup that stopped halfway may have left things behind).
expect(new == {"GET /status/204": 1, "GET /status/500": 1, "GET /echo/teardown": 1},
       "sent around a failed setup", new)
err = text("err.txt").strip().splitlines()
expect(err == ["mixperf load: setup failed: " + path("bad.yaml") +
               ":3:5: GET /status/500: expected status < 400, got 500"], err)
meta = load_json("bad.json")["meta"]
expect(meta["setup_failed"] is True and meta["exit_status"] == 3, meta)
expect(meta["setup_teardown"]["total"]["num_requests"] == 3, meta["setup_teardown"])
check_headers("bad")
EOF

# A teardown that fails is reported on stderr and in the JSON; the run's status does not change.
cat >"$WORK/tfail.yaml" <<'EOF'
users:
  - name: U
    wait: constant 0.05
    tasks:
      - steps:
          - get: /echo/user
teardown:
  - get: /echo/teardown-1
  - get: /status/404
  - get: /echo/not-after-failure
EOF
run_load "$WORK/tfail.yaml" --host "$HOST" -u 1 -t 0.5s --json "$WORK/tfail.json"
[ "$STATUS" -eq 0 ] || fail "failed teardown: status $STATUS, expected 0"
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
err = text("err.txt").strip().splitlines()
expect(err == ["mixperf load: teardown failed: " + path("tfail.yaml") +
               ":9:5: GET /status/404: expected status < 400, got 404"], err)
meta = load_json("tfail.json")["meta"]
expect(meta["teardown_error"] == path("tfail.yaml") +
       ":9:5: GET /status/404: expected status < 400, got 404", meta)
expect(meta["setup_teardown"]["total"]["num_requests"] == 2, meta["setup_teardown"])
EOF

# on_start is what the tasks stand on: a user whose on_start fails runs no task and no on_stop and
# is not replaced; an empty pool in on_start is no failure (the user goes on).
cat >"$WORK/start.yaml" <<'EOF'
pools: [nothing]
users:
  - name: Broken
    fixed_count: 2
    on_start:
      - get: /echo/start-broken
      - get: /status/503
      - get: /echo/start-not-after-failure
    tasks:
      - steps:
          - get: /echo/task-broken
    on_stop:
      - get: /echo/stop-broken
  - name: Fine
    wait: constant 0.05
    on_start:
      - pick: {pool: nothing, as: x}
      - get: /echo/start-never-reached
    tasks:
      - steps:
          - get: /echo/task-fine
    on_stop:
      - get: /echo/stop-fine
EOF
server_log
cp "$WORK/log.json" "$WORK/before.json"
run_load "$WORK/start.yaml" --host "$HOST" -u 3 -t 1s --stop-timeout 5 --json "$WORK/start.json" \
    --csv "$WORK/start"
[ "$STATUS" -eq 0 ] || fail "failed on_start: status $STATUS, expected 0: $(cat "$WORK/err.txt")"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
before = load_json("before.json")["counts"]
after = log()["counts"]
new = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
tasks = new.pop("GET /echo/task-fine", 0)
expect(tasks > 3, "the Fine user ran its tasks", tasks)
expect(new == {"GET /echo/start-broken": 2, "GET /status/503": 2, "GET /echo/stop-fine": 1}, new)
meta = load_json("start.json")["meta"]
expect(meta["users_failed_start"] == 2 and meta["users_by_class"] == {"Broken": 2, "Fine": 1}, meta)
err = text("err.txt").strip().splitlines()
expect(err == ["mixperf load: 2 users stopped because on_start failed (see the failures table)"], err)
s = stats_rows("start")
expect(s[("GET", "/status/503")]["Failure Count"] == "2", s[("GET", "/status/503")])
EOF
echo "ok"
