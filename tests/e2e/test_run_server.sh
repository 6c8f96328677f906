#!/bin/sh
# Server runs that go wrong are recorded as data, with the server's own words: a server that exits
# before it is ready (phase start), one that never answers the readiness URL in time (a timeout,
# phase ready), and one whose requests fail in the window (phase load: the run's metrics are kept
# and the most frequent failures listed). A healthy server (Python's http.server) gives every
# metric. No server process is left behind.
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
tmp=$(mktemp -d)
cleanup() {
    for e in /proc/[0-9]*/environ; do
        if grep -qs "MP_TEST_RUN_SERVER=$tmp" "$e"; then
            p=${e#/proc/}
            kill -9 "${p%/environ}" 2>/dev/null || true
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cd "$tmp"
fail() {
    echo "test_run_server: $*" >&2
    exit 1
}
mkdir www
echo hello >www/index.html
cat >ok.yaml <<'EOF'
users:
  - name: A
    tasks:
      - steps:
          - get: /index.html
            expect: {status: [200], contains: hello}
EOF
cat >missing.yaml <<'EOF'
users:
  - name: A
    tasks:
      - steps:
          - get: /index.html
          - get: /missing.html
            name: missing
            expect: {status: [200]}
EOF
cat >exp.yaml <<EOF
name: servers
seed: 11
runtimes:
  py: {command: [/usr/bin/python3]}
benchmarks:
  - name: good
    kind: server
    dir: www
    command: "exec {python} -m http.server {port} --bind 127.0.0.1"
    env: {MP_TEST_RUN_SERVER: "$tmp"}
    ready: "http://127.0.0.1:{port}/"
    scenario: ok.yaml
    users: 2
    warmup: 0.5s
    measure: 1s
    metric: cpu_per_request
  - name: crash
    kind: server
    dir: www
    command: "echo 'cannot bind: no such thing' >&2; exit 3"
    ready: "http://127.0.0.1:{port}/"
    scenario: ok.yaml
  - name: deaf
    kind: server
    dir: www
    command: "exec sleep 30"
    env: {MP_TEST_RUN_SERVER: "$tmp"}
    ready: {url: "http://127.0.0.1:{port}/", timeout: 0.5s}
    scenario: ok.yaml
  - name: broken
    kind: server
    dir: www
    command: "exec {python} -m http.server {port} --bind 127.0.0.1"
    env: {MP_TEST_RUN_SERVER: "$tmp"}
    ready: "http://127.0.0.1:{port}/"
    scenario: missing.yaml
    users: 2
    warmup: 0s
    measure: 1s
repeat: {min_runs: 3, max_runs: 3, warmup_runs: 0, target: 50%}
EOF
"$MIXPERF" run -q exp.yaml -o r.jsonl >table.out 2>run.err || fail "run: $(cat run.err)"
sel() { jq -c "select(.benchmark == \"$1\") | $2" r.jsonl | sort -u; }

[ "$(sel good .status)" = '"ok"' ] || fail "good: $(sel good '[.status, .message]')"
bad=$(jq -c 'select(.benchmark == "good") | select(.metrics.requests < 1 or .metrics.errors != 0
    or .metrics.cpu <= 0 or .metrics.cpu_per_request != .metrics.cpu / .metrics.requests
    or .value != .metrics.cpu_per_request or .metrics.peak_rss <= 0
    or .metrics.server_processes != 1 or .unit != "s") | .index' r.jsonl)
[ -z "$bad" ] || fail "good: metrics of runs $bad"

[ "$(sel crash '[.status, .phase]')" = '["failed","start"]' ] || fail "crash: $(sel crash '[.status, .phase, .message]')"
sel crash .message | grep -q '^"the server exited (status 3) before http://127.0.0.1:[0-9]*/ answered"$' ||
    fail "crash message: $(sel crash .message)"
[ "$(sel crash .stderr_tail)" = '"cannot bind: no such thing\n"' ] || fail "crash output: $(sel crash .stderr_tail)"

[ "$(sel deaf '[.status, .phase]')" = '["timeout","ready"]' ] || fail "deaf: $(sel deaf '[.status, .phase, .message]')"
sel deaf .message | grep -q '^"http://127.0.0.1:[0-9]*/ did not answer below 400 within 0.5s (last: ' ||
    fail "deaf message: $(sel deaf .message)"

[ "$(sel broken '[.status, .phase]')" = '["failed","load"]' ] || fail "broken: $(sel broken '[.status, .message]')"
sel broken .message | grep -Eq '^"[0-9]+ of [0-9]+ requests failed in the window \((49|50)\.[0-9]{2}%, above max_error_ratio 1%\)"$' ||
    fail "broken message: $(sel broken .message)"
[ "$(sel broken '.failures | length')" = 1 ] || fail "broken failures: $(sel broken .failures)"
sel broken '.failures[0] | [.request, (.count > 0)]' | grep -qx '\["missing",true\]' ||
    fail "broken failures: $(sel broken .failures)"
[ "$(sel broken '.metrics.requests > 0 and .value == null')" = true ] ||
    fail "broken: metrics must be kept and the value left out"
grep -q '^py/crash/default .*failing  *3$' table.out || fail "table: $(cat table.out)"

for e in /proc/[0-9]*/environ; do
    if grep -qs "MP_TEST_RUN_SERVER=$tmp" "$e"; then fail "a server process is left: $e"; fi
done
echo "test_run_server: ok"
