#!/bin/sh
# Pools shared between users and threads: editors (fixed_count) create posts and push their ids
# (JSON captures), readers pick ids from the pool and read them. The server must have seen reads
# only of ids that were created, and teardown (its own session, its own table) deletes exactly the
# pool's snapshot.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/s.yaml" <<'EOF'
pools: [posts]
users:
  - name: Editor
    fixed_count: 2
    wait: constant 0.1
    on_start:
      - get: /login
        capture: [{var: csrf, regex: 'value="([^"]+)"'}]
      - post: /login
        form: {csrfmiddlewaretoken: "{{ csrf }}", username: "editor{{ user.class_index }}"}
    tasks:
      - steps:
          - post: /posts
            form: {csrfmiddlewaretoken: "{{ csrf }}", title: "t{{ counter.post }}"}
            expect: {status: [201]}
            capture:
              - {var: id, json: $.id}
              - {var: tag, json: "$.tags[0]"}
              - {var: author, json: $.author.name}
            push: {pool: posts, value: "{{ id }}"}
          - get: "/posts/{{ id }}"
            name: /posts/[id]
            expect: {contains: "post {{ id }} by {{ author }}"}
  - name: Reader
    wait: constant 0.02
    tasks:
      - steps:
          - pick: {pool: posts, as: id}
          - get: "/posts/{{ id }}"
            name: /posts/[id]
            expect: {status: [200]}
teardown:
  - get: /login
    capture: [{var: csrf, regex: 'value="([^"]+)"'}]
  - post: /login
    form: {csrfmiddlewaretoken: "{{ csrf }}", username: admin}
  - loop: {over: pool.posts, as: p}
    steps:
      - delete: "/posts/{{ p }}"
        name: /posts/[id]
        expect: {status: [204]}
EOF

# --stop-timeout 5: a user in the middle of a task when the time is up finishes it, so every
# request the server saw is in the statistics and the counts below can be exact.
run_load "$WORK/s.yaml" --host "$HOST" -u 5 -t 3s --threads 2 --stop-timeout 5 --csv "$WORK/run" \
    --json "$WORK/run.json"
[ "$STATUS" -eq 0 ] || fail "exit status $STATUS, expected 0: $(cat "$WORK/err.txt")"
server_log

check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
log_ = log()
created = [a["id"] for a in log_["accepted"] if a["path"] == "/posts"]
authors = {a["user"] for a in log_["accepted"] if a["path"] == "/posts"}
expect(authors == {"editor0", "editor1"}, "authors", authors)
expect(len(created) >= 4, "created", created)
expect(len(log_["reads"]) > len(created), "reads", len(log_["reads"]))
# Nothing was read that had not been created (and pushed) first.
expect(set(log_["reads"]) <= set(created), "read ids never created")
# Teardown deleted exactly what the pool held: every created post.
expect(sorted(log_["deleted"]) == sorted(created), "deleted", log_["deleted"], created)
expect(log_["rejected"] == [], log_["rejected"])

s = stats_rows("run")
counts = log_["counts"]
reads = sum(v for k, v in counts.items() if k.startswith("GET /posts/"))
expect(s[("GET", "/posts/[id]")]["Request Count"] == str(reads), "reads in CSV")
expect(s[("POST", "/posts")]["Request Count"] == str(len(created)), "creates in CSV")
# Setup/teardown are not in the run's statistics: no DELETE row, one login fewer.
expect(("DELETE", "/posts/[id]") not in s, "teardown leaked into the run's table")
expect(s[("POST", "/login")]["Request Count"] == str(counts["POST /login"] - 1), "logins")
for key, row in s.items():
    expect(row["Failure Count"] == "0", key, row)

meta = load_json("run.json")["meta"]
expect(meta["users_by_class"] == {"Editor": 2, "Reader": 3}, meta["users_by_class"])
aux = meta["setup_teardown"]
expect(aux["total"]["num_requests"] == 2 + len(created), "teardown table", aux["total"])
out = text("out.txt")
expect("Setup and teardown" in out, "setup/teardown table printed")
EOF
echo "ok"
