#!/bin/sh
# stages: ramp up to 4 users, then down to 1; users above the target are stopped most recent
# first (their on_stop runs), the fixed_count class's user is spawned first and stopped last; the
# run ends by itself after the last stage.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/s.yaml" <<'EOF'
stages:
  - {duration: 1.5s, users: 4, spawn_rate: 8}
  - {duration: 1.5s, users: 1, spawn_rate: 100}
users:
  - name: Reader
    wait: constant 0.05
    on_stop:
      - get: "/echo/stop-{{ user.class }}-{{ user.index }}-{{ user.class_index }}"
        name: stop
    tasks:
      - steps:
          - get: /status/204
  - name: Admin
    fixed_count: 1
    wait: constant 0.05
    on_stop:
      - get: "/echo/stop-{{ user.class }}-{{ user.index }}-{{ user.class_index }}"
        name: stop
    tasks:
      - steps:
          - get: /status/204
EOF

run_load "$WORK/s.yaml" --host "$HOST" -t 60s --threads 2 --json "$WORK/run.json" --csv "$WORK/run"
[ "$STATUS" -eq 0 ] || fail "status $STATUS: $(cat "$WORK/err.txt")"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
stops = [e["path"] for e in log()["echoes"]]
# Spawn order: Admin (fixed) first, then Readers; the ramp-down stops the three most recent, the
# Admin stops when the run ends, after the last stage.
expect(sorted(stops[:3]) == ["/echo/stop-Reader-1-0", "/echo/stop-Reader-2-1", "/echo/stop-Reader-3-2"], stops)
expect(stops[3:] == ["/echo/stop-Admin-0-0"], stops)
meta = load_json("run.json")["meta"]
expect(meta["users_by_class"] == {"Reader": 3, "Admin": 1}, meta["users_by_class"])
expect(meta["interrupted"] is False, meta)
users = {int(r["User Count"]) for r in rows("run_stats_history.csv")}
expect(4 in users, "never 4 users", users)
s = stats_rows("run")
expect(s[("GET", "stop")]["Request Count"] == "4", s[("GET", "stop")])
EOF
echo "ok"
