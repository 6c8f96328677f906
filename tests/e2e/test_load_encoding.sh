#!/bin/sh
# Request building, checked on the wire: the server echoes what it received. Setup runs exactly
# once, so its requests are deterministic: URL, query, form, JSON and raw bodies, headers, and a
# header value with CR/LF refused without sending anything.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/s.yaml" <<'EOF'
variables:
  v: "a b&c=d/é+%~"
  crlf: "x\r\nX-Injected: 1"
setup:
  - get: "/echo?x=1#frag"
    query: {q: "{{ v }}", "sp ace": "1"}
    headers: {X-Plain: "v={{ user.index }}", Accept: text/plain}
  - post: /echo
    form: {name: "{{ v }}", "k&": "~x", empty: ""}
  - post: /echo
    json: {s: "{{ v }}\"q\\\n\t\u0001", n: 3.50, b: true, z: null, l: [1, "x"], o: {k: "v"}}
  - put: "/echo/{{ v }}/end"
    body: "raw {{ v }}"
    headers: {Content-Type: text/plain}
  - patch: /echo
    json: {s: "x"}
    headers: {Content-Type: application/vnd.api+json}
users:
  - name: Injector
    wait: constant 10
    tasks:
      - steps:
          - get: /echo/crlf
            headers: {X-Bad: "{{ crlf }}"}
          - get: /echo/after-crlf
EOF

run_load "$WORK/s.yaml" --host "$HOST/" -u 1 -t 1s --threads 1 --csv "$WORK/run"
[ "$STATUS" -eq 0 ] || fail "status $STATUS: $(cat "$WORK/err.txt")"
server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
echoes = log()["echoes"]
expect(len(echoes) == 5, "echoes", echoes)
get, form, js, put, patch = echoes
enc = "a%20b%26c%3Dd%2F%C3%A9%2B%25~"
# The host's trailing '/' is not doubled; the fragment is not sent; query values are
# percent-encoded (%20 for spaces) and appended after the URL's own query.
expect(get["raw_path"] == "/echo?x=1&q=" + enc + "&sp%20ace=1", get["raw_path"])
h = dict((k.lower(), v) for k, v in get["headers"])
expect(h["x-plain"] == "v=0" and h["accept"] == "text/plain", h)
expect(form["body"] == "name=a+b%26c%3Dd%2F%C3%A9%2B%25~&k%26=~x&empty=", form["body"])
h = dict((k.lower(), v) for k, v in form["headers"])
expect(h["content-type"] == "application/x-www-form-urlencoded", h)
expect(js["body"] == '{"s":"a b&c=d/é+%~\\"q\\\\\\n\\t\\u0001","n":3.50,"b":true,"z":null,'
       '"l":[1,"x"],"o":{"k":"v"}}', js["body"])
h = dict((k.lower(), v) for k, v in js["headers"])
expect(h["content-type"] == "application/json", h)
expect(put["method"] == "PUT" and put["raw_path"] == "/echo/" + enc + "/end", put["raw_path"])
expect(put["body"] == "raw a b&c=d/é+%~", put["body"])
h = dict((k.lower(), v) for k, v in put["headers"])
expect(h["content-type"] == "text/plain", h)
# A Content-Type given by the step wins over the JSON default (sent once).
ct = [v for k, v in patch["headers"] if k.lower() == "content-type"]
expect(patch["method"] == "PATCH" and ct == ["application/vnd.api+json"], patch)

counts = log()["counts"]
expect("GET /echo/crlf" not in counts and "GET /echo/after-crlf" not in counts, counts)
f = rows("run_failures.csv")
expect(len(f) == 1 and f[0]["Method"] == "GET" and f[0]["Name"] == "/echo/crlf", f)
expect("CR" in f[0]["Error"] or "line" in f[0]["Error"], f[0])
EOF
echo "ok"
