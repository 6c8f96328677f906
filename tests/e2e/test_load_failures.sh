#!/bin/sh
# Expectations and failures: every kind of failed check, counted per (method, name, message) in
# PREFIX_failures.csv exactly as often as the server saw the request; a failure skips the rest of
# its flow (the server never sees the step after it); scenario errors land in
# PREFIX_exceptions.csv; --exit-code-on-error and --fail-ratio turn them into exit status 1.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/s.yaml" <<'EOF'
users:
  - name: Prober
    wait: constant 0.02
    tasks:
      - steps:
          - get: /status/503
          - get: /status/299
      - steps:
          - get: /status/200
            expect: {status: [201, 202]}
          - get: /status/299
      - steps:
          - get: /status/200
            name: contains
            expect: {contains: "nope", not_contains: "zzz"}
      - steps:
          - get: /status/202
            expect: {not_contains: ["status 2"]}
      - steps:
          - get: /login
            capture: [{var: x, regex: 'zzz(\d+)'}]
          - get: /status/299
      - steps:
          - get: /login
            name: optional
            capture:
              - {var: y, regex: 'zzz(\d+)', optional: true}
              - {var: z, cookie: nosuchcookie, default: "dflt"}
          - get: "/echo/{{ z }}"
            name: /echo/z
      - steps:
          - get: /status/204
      - steps:
          - get: "/echo/{{ later }}"
    on_stop:
      - set: {later: "never used by a task"}
EOF

# --stop-timeout 5: a user in the middle of a task when the time is up finishes it, so every
# request the server saw is in the statistics and the counts below can be exact.
run_load "$WORK/s.yaml" --host "$HOST" -u 2 -t 2s --threads 1 --csv "$WORK/run" --seed 7 \
    --stop-timeout 5
[ "$STATUS" -eq 0 ] || fail "without --exit-code-on-error the status is 0, got $STATUS"
server_log

check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
counts = log()["counts"]
# The step after a failure never ran.
expect("GET /status/299" not in counts, "a step after a failure was sent", counts)
f = {(r["Method"], r["Name"], r["Error"]): int(r["Occurrences"]) for r in rows("run_failures.csv")}
expect(f.pop(("GET", "/status/503", "expected status < 400, got 503")) == counts["GET /status/503"])
n200 = f.pop(("GET", "/status/200", "expected status 201 or 202, got 200"))
n200 += f.pop(("GET", "contains", 'body does not contain "nope"'))
expect(n200 == counts["GET /status/200"], "status/200", n200, counts)
expect(f.pop(("GET", "/status/202", 'body contains "status 2"')) == counts["GET /status/202"])
nofind = f.pop(("GET", "/login", "capture 'x': regex found no match"))
expect(f == {}, "unexpected failures", f)
s = stats_rows("run")
expect(int(s[("GET", "/login")]["Request Count"]) == nofind, "every /login failed")
expect(s[("GET", "optional")]["Failure Count"] == "0", "optional capture")
expect(int(s[("GET", "optional")]["Request Count"]) + nofind == counts["GET /login"], "logins")
expect(s[("GET", "/echo/z")]["Request Count"] == str(counts.get("GET /echo/dflt", 0)), "default")
expect(counts.get("GET /echo/dflt", 0) > 0, "default capture used")
expect(s[("GET", "/status/204")]["Failure Count"] == "0")
agg = s[("", "Aggregated")]
ratio = int(agg["Failure Count"]) / int(agg["Request Count"])
expect(0.3 < ratio < 0.95, "failure ratio", ratio)
# A template reading a variable that has no value yet is a scenario error, not a request.
ex = rows("run_exceptions.csv")
expect(len(ex) == 1 and int(ex[0]["Count"]) > 0, "exceptions", ex)
expect(ex[0]["Message"] == path("s.yaml") + ":34:28: variable 'later' has no value "
       "(expected a step setting it to run first)", ex[0])
expect(ex[0]["Traceback"] == path("s.yaml") + ":34:13 (Prober task 8)", ex[0])
expect(not any(k.startswith("GET /echo/") and k != "GET /echo/dflt" for k in counts), counts)
open(path("ratio"), "w").write("%.6f" % ratio)
EOF

ratio=$(cat "$WORK/ratio")
run_load "$WORK/s.yaml" --host "$HOST" -u 1 -t 1s --threads 1 --seed 7 --quiet --exit-code-on-error
[ "$STATUS" -eq 1 ] || fail "--exit-code-on-error: status $STATUS, expected 1"
grep -q "requests failed" "$WORK/err.txt" || fail "no failure summary on stderr"
run_load "$WORK/s.yaml" --host "$HOST" -u 1 -t 1s --threads 1 --seed 7 --quiet --fail-ratio 0.99
[ "$STATUS" -eq 0 ] || fail "--fail-ratio 0.99 with ratio about $ratio: status $STATUS"
run_load "$WORK/s.yaml" --host "$HOST" -u 1 -t 1s --threads 1 --seed 7 --quiet --fail-ratio 0.1 \
    --json "$WORK/r.json"
[ "$STATUS" -eq 1 ] || fail "--fail-ratio 0.1 with ratio about $ratio: status $STATUS"
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
doc = load_json("r.json")
t = doc["total"]
expect(t["num_failures"] / t["num_requests"] > 0.1, t)
expect(doc["meta"]["exit_status"] == 1, doc["meta"])
EOF
echo "ok"
