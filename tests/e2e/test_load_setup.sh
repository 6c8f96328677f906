#!/bin/sh
# setup and teardown: run once each, as their own session, before and after the users, reported in
# their own table. A failing setup stops the run with exit status 3 and nothing more is sent.
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
expect(aux["num_requests"] == 1 + 1 + 3 + 2 + 3 and aux["num_failures"] == 0, aux)
out = text("out.txt")
expect("Setup and teardown" in out, out)
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
expect(new == {"GET /status/204": 1, "GET /status/500": 1}, "sent after a failed setup", new)
err = text("err.txt").strip().splitlines()
expect(err == ["mixperf load: setup failed: " + path("bad.yaml") +
               ":3:5: GET /status/500: expected status < 400, got 500"], err)
meta = load_json("bad.json")["meta"]
expect(meta["setup_failed"] is True and meta["exit_status"] == 3, meta)
check_headers("bad")
EOF
echo "ok"
