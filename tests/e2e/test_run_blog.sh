#!/bin/sh
# An end-to-end server experiment on the Django blog with two runtimes: Debian's CPython and PyPy
# (Django and gunicorn from Debian's python3 packages on PyPy's PYTHONPATH). A handful of short runs with a loose target: each run
# migrates and seeds a fresh database in its scratch directory, starts gunicorn on a free port,
# waits for /healthz, applies 1 s of discarded load and measures a 3 s window.
# Checks: every run ok with every server metric measured and consistent; the table printed by
# `mixperf run` (each cell's mean, CI and run count); a SIGINT during a server run stops the
# server, records nothing and exits 130; no server process is left behind.
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
SRC=${MP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
bg=""
cleanup() {
    [ -z "$bg" ] || kill -9 "$bg" 2>/dev/null || true
    # any server this test started carries $tmp in its environment
    for e in /proc/[0-9]*/environ; do
        if grep -qs "$tmp" "$e"; then
            p=${e#/proc/}
            kill -9 "${p%/environ}" 2>/dev/null || true
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$tmp"
fail() {
    echo "test_run_blog: $*" >&2
    exit 1
}
servers_left() {
    n=0
    for e in /proc/[0-9]*/environ; do
        grep -qs "$tmp/work" "$e" && n=$((n + 1))
    done
    echo $n
}

# 2 editors instead of 20 (blog.yaml reads BLOG_EDITORS when it loads), so setup is short
export BLOG_EDITORS=2

PYTHONPATH=/usr/lib/python3/dist-packages /usr/bin/pypy3 -c 'import django, gunicorn' ||
    fail "PyPy cannot import Debian's Django and gunicorn (scripts/deps.sh installs pypy3)"
cells="cpython/blog/default pypy/blog/default"
cat >blog.yaml <<EOF
name: blog-e2e
seed: 5
runtimes:
  cpython: {command: [/usr/bin/python3]}
  pypy: {command: [/usr/bin/pypy3], env: {PYTHONPATH: /usr/lib/python3/dist-packages}}
benchmarks:
  - name: blog
    kind: server
    dir: $SRC/bench/apps/blog
    setup:
      - "/usr/bin/python3 manage.py migrate --noinput"
      - "/usr/bin/python3 manage.py seed --posts 40"
    command: "exec {python} -m gunicorn -c gunicorn.conf.py"
    env:
      MIXPERF_BLOG_DB: "{run_dir}/blog.sqlite3"
      MIXPERF_BLOG_BIND: "127.0.0.1:{port}"
      MIXPERF_BLOG_WORKERS: "2"
    ready: {url: "http://127.0.0.1:{port}/healthz", timeout: 90s}
    scenario: $SRC/bench/scenarios/blog.yaml
    users: 12
    spawn_rate: 50
    warmup: 1s
    measure: 3s
    max_error_ratio: 0
repeat:
  target: 50%
  min_runs: 3
  max_runs: 3
  warmup_runs: 0
EOF
# SIGINT while a server run is in its window: exit 130, nothing recorded, no server left
"$MIXPERF" run -q blog.yaml -o int.jsonl --work-dir "$tmp/work" >int.out 2>int.err &
bg=$!
i=0
until [ "$(servers_left)" -gt 0 ] && sleep 2; do
    i=$((i + 1))
    [ "$i" -lt 600 ] || fail "no server started"
    kill -0 "$bg" 2>/dev/null || fail "the run ended early: $(cat int.err)"
    sleep 0.1
done
kill -INT "$bg"
set +e
wait "$bg"
rc=$?
set -e
bg=""
[ "$rc" -eq 130 ] || fail "SIGINT: exit $rc (expected 130): $(cat int.err)"
[ ! -s int.jsonl ] || fail "SIGINT: a half run was recorded: $(cat int.jsonl)"
[ "$(servers_left)" -eq 0 ] || fail "SIGINT: a server process is left"

# the experiment
"$MIXPERF" run -q blog.yaml -o r.jsonl --work-dir "$tmp/work" >table.out 2>run.err ||
    fail "mixperf run failed: $(cat run.err)"
cat table.out
[ "$(servers_left)" -eq 0 ] || fail "a server process is left"
for c in $cells; do
    grep -q "^$c  *throughput  *3  *[0-9.e+]* req/s  *\[[-0-9.e+]*, [-0-9.e+]*\] t .* 0$" table.out ||
        fail "table row for $c"
    n=$(jq -c "select(.cell == \"$c\" and .status == \"ok\")" r.jsonl | wc -l)
    [ "$n" -eq 3 ] || fail "$c: $n ok runs (expected 3): $(jq -c "select(.cell == \"$c\") | [.status, .message]" r.jsonl)"
done
# every server metric measured and consistent, in every run
bad=$(jq -c 'select(.metrics.throughput <= 0 or .metrics.cpu_per_request <= 0 or .metrics.requests <= 0
        or .metrics.errors != 0 or .metrics.peak_rss <= 0 or .metrics.rss_samples < 1
        or .metrics.p50 > .metrics.p90 or .metrics.p90 > .metrics.p99
        or .metrics.window_s <= 0 or .metrics.server_processes < 3
        or (.metrics.throughput * .metrics.window_s - .metrics.requests | fabs) > 1
        or (.metrics.cpu_per_request * .metrics.requests - .metrics.cpu | fabs) > 1e-9
        or .value != .metrics.throughput) | .cell' r.jsonl)
[ -z "$bad" ] || fail "inconsistent metrics in: $bad"
# the runtimes' versions are in the provenance
jq -r '.provenance.runtime_version' r.jsonl | sort -u >versions
grep -q '^CPython 3\.' versions || fail "no CPython version: $(cat versions)"
echo "test_run_blog: ok"
