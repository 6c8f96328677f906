#!/bin/sh
# A stateful closed-model run: users read the login form, capture its CSRF token (regex) and the
# csrftoken cookie, log in (303 redirect, session cookie), then create posts (header and regex
# captures) and read them back. Asserts what the server really accepted and that the four Locust
# CSV files and the JSON output say the same.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/s.yaml" <<'EOF'
users:
  - name: Member
    wait: constant 0.05
    on_start:
      - get: /login
        capture:
          - {var: csrf, regex: 'name="csrfmiddlewaretoken" value="([^"]+)"'}
          - {var: jar_csrf, cookie: csrftoken}
      - post: /login
        form: {csrfmiddlewaretoken: "{{ csrf }}", username: "member{{ user.index }}"}
        expect: {status: [200], contains: "welcome member{{ user.index }}"}
    tasks:
      - name: write
        steps:
          - post: /posts
            form: {csrfmiddlewaretoken: "{{ jar_csrf }}", title: "by {{ user.index }}"}
            expect: {status: [201]}
            capture:
              - {var: id, regex: '"id": (\d+)'}
              - {var: where, header: location}
          - get: "/posts/{{ id }}"
            name: /posts/[id]
            expect: {contains: "post {{ id }} by member{{ user.index }}"}
          - set: {seen: "{{ where }}"}
EOF

# --stop-timeout 5: a user in the middle of a task when the time is up finishes it, so every
# request the server saw is in the statistics and the counts below can be exact.
run_load "$WORK/s.yaml" --host "$HOST" -u 3 -r 50 -t 3s --threads 2 --seed 12345 --stop-timeout 5 \
    --csv "$WORK/run" --csv-interval 0.5 --json "$WORK/run.json"
[ "$STATUS" -eq 0 ] || fail "exit status $STATUS, expected 0: $(cat "$WORK/err.txt")"
server_log

check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
expect(seed_printed() == 12345, "seed line")
log_ = log()
counts = log_["counts"]
# Every login was accepted (token from the form matched the cookie), one per user.
logins = [a for a in log_["accepted"] if a["path"] == "/login"]
expect(sorted(a["user"] for a in logins) == ["member0", "member1", "member2"], logins)
expect(log_["rejected"] == [], "rejected:", log_["rejected"])
posts = [a for a in log_["accepted"] if a["path"] == "/posts"]
expect(len(posts) > 3, "few posts", len(posts))
# Each read was of a post the same user created (the expectation checks the author).
ids = {a["id"] for a in posts}
expect(set(log_["reads"]) <= ids, "read unknown ids")

check_headers("run")
s = stats_rows("run")
expect(s[("GET", "/login")]["Request Count"] == str(counts["GET /login"]), "GET /login")
# A followed redirect is one request in the statistics (Locust's rule); the server saw both.
expect(s[("POST", "/login")]["Request Count"] == str(counts["POST /login"]), "POST /login")
expect(counts["GET /welcome"] == counts["POST /login"], "redirects followed")
expect(s[("POST", "/posts")]["Request Count"] == str(counts["POST /posts"]), "POST /posts")
reads = sum(v for k, v in counts.items() if k.startswith("GET /posts/"))
expect(s[("GET", "/posts/[id]")]["Request Count"] == str(reads), "reads", reads)
total = counts["GET /login"] + counts["POST /login"] + counts["POST /posts"] + reads
expect(s[("", "Aggregated")]["Request Count"] == str(total), "aggregated", total)
for key, row in s.items():
    expect(row["Failure Count"] == "0", key, row)
expect(len(lines("run_failures.csv")) == 1, "failures", lines("run_failures.csv"))
expect(len(lines("run_exceptions.csv")) == 1, "exceptions", lines("run_exceptions.csv"))
hist = rows("run_stats_history.csv")
agg = [r for r in hist if r["Name"] == "Aggregated"]
expect(len(agg) >= 3, "history rows", len(agg))
expect(agg[-1]["Total Request Count"] == str(total), "last history row", agg[-1])
counts_seen = [int(r["Total Request Count"]) for r in agg]
expect(counts_seen == sorted(counts_seen), "history totals never decrease", counts_seen)

doc = load_json("run.json")
expect(doc["total"]["num_requests"] == total, "json total")
meta = doc["meta"]
expect(meta["seed"] == 12345 and meta["users_by_class"] == {"Member": 3}, meta)
expect(meta["interrupted"] is False and meta["exit_status"] == 0, meta)
EOF
echo "ok"
