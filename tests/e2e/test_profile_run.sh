#!/bin/sh
# `profile: true` on a server benchmark: `mixperf run` samples the server during each window and
# stores the top modules in the run's line and the collapsed stacks beside the results; the split
# of a WSGI server whose requests spend 7 units in mod_a for 3 in mod_b shows in both; a PyPy
# server's profile fails and is recorded as an error while its measurement counts; `mixperf
# report` writes hot_modules.csv (exact header, the runs' mean shares); SIGINT during a profiled
# window stops the run with status 130, records nothing, and the run resumes to completion.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace
RUNCHECK="$PY $FIX/runcheck.py"

cleanup_servers() {
    for e in /proc/[0-9]*/environ; do
        if grep -qs "MP_TEST_PROFILE_RUN=$WORK" "$e"; then
            p=${e#/proc/}
            kill -9 "${p%/environ}" 2>/dev/null || true
        fi
    done
    cleanup
}
trap cleanup_servers EXIT

cd "$WORK"
mkdir app
cp "$FIX/srvapp.py" "$FIX/mod_a.py" "$FIX/mod_b.py" app/
cat >load.yaml <<'YAML'
users:
  - name: A
    tasks:
      - steps:
          - get: /work
            expect: {status: [200]}
YAML
pypy=""
[ -x /usr/bin/pypy3 ] && pypy="  pypy: {command: [/usr/bin/pypy3]}"
write_exp() { # FILE MEASURE
    cat >"$1" <<YAML
name: profrun
seed: 42
runtimes:
  cpython: {command: [$PY]}
$pypy
benchmarks:
  - name: split
    kind: server
    dir: app
    command: "exec $PIN_TARGET {python} srvapp.py {port}"
    env: {MP_TEST_PROFILE_RUN: "$WORK"}
    ready: "http://127.0.0.1:{port}/"
    scenario: load.yaml
    users: 2
    warmup: 0.5s
    measure: $2
    metric: cpu_per_request
    profile: true
    profile_rate: 500
repeat: {min_runs: 2, max_runs: 2, warmup_runs: 0}
YAML
}
write_exp exp.yaml 4s
$PIN_SAMPLER "$MIXPERF" run -q exp.yaml -o r.jsonl >run.out 2>run.err ||
    fail "mixperf run exited $?: $(cat run.err)"
$RUNCHECK cpython r.jsonl cpython/split/default 0.70 0.10 2
[ -z "$pypy" ] || $RUNCHECK pypy r.jsonl pypy/split/default 2
[ ! -e r.jsonl.d/profiles/pypy/split/default/0.collapsed ] || fail "a failed profile wrote stacks"

"$MIXPERF" report r.jsonl -o rep >/dev/null 2>rep.err || fail "mixperf report: $(cat rep.err)"
$RUNCHECK csv r.jsonl rep/hot_modules.csv cpython/split/default
grep -q '^## Hot modules$' rep/report.md || fail "report.md has no hot-modules section"
grep -q '^| 1 | `mod_a` | ' rep/report.md || fail "report.md does not rank mod_a first"
if [ -n "$pypy" ]; then
    grep -q "^0 profiled runs, 0 samples (0.000 s of CPU); 2 profile errors, e.g. \`no CPython" \
        rep/report.md || fail "report.md does not show PyPy's profile errors: $(cat rep/report.md)"
fi
# The HTML page: the same table and one flame graph per profiled cell, merged from its stacks
# files; a stacks file that is gone is named and left out of the graph, not of the table.
"$MIXPERF" report r.jsonl --html rep.html >/dev/null 2>rep.err || fail "report --html: $(cat rep.err)"
sed -n '/<h2>Hot modules<\/h2>/,$p' rep.html >hot.html
grep -q '<h3><code>cpython/split/default</code></h3>' hot.html || fail "rep.html: no cpython cell"
grep -q '<tr><td>1</td><td><code>mod_a</code></td>' hot.html || fail "rep.html: mod_a not first"
[ "$(grep -c "<svg " hot.html)" = 1 ] || fail "rep.html: expected one flame graph: $(grep -c '<svg ' hot.html)"
grep -q 'cpython/split/default: 2 runs, ' hot.html || fail "rep.html: the flame graph does not merge both runs"
grep -q '<title>[^<]*mod_b' hot.html || fail "rep.html: no mod_b box in the flame graph"
first=$(ls r.jsonl.d/profiles/cpython/split/default/*.collapsed | head -1)
mv "$first" moved.collapsed
"$MIXPERF" report r.jsonl --html rep2.html >/dev/null 2>rep.err || fail "report --html: $(cat rep.err)"
grep -q 'cpython/split/default: 1 run, ' rep2.html || fail "rep2.html: the remaining run's graph"
grep -q "stacks left out of the flame graph: .*$(basename "$first")" rep2.html ||
    fail "rep2.html does not name the missing stacks file"
mv moved.collapsed "$first"
# On standard output the section follows the summary table.
"$MIXPERF" report r.jsonl | grep -q '^### `cpython/split/default`$' || fail "no section on stdout"

# SIGINT in the middle of a profiled window: exit 130, nothing recorded, no server left; then the
# same command finishes the experiment.
write_exp int.yaml 6s
$PIN_SAMPLER "$MIXPERF" run -q int.yaml -o i.jsonl >i.out 2>i.err &
mp=$!
BG_PIDS="$mp"
# The window opens 0.5 s after the server answers: wait for the server's process, then interrupt
# about 2 s into the 6 s window.
served=""
for _ in $(seq 300); do
    served=$(grep -ls "MP_TEST_PROFILE_RUN=$WORK" /proc/[0-9]*/environ 2>/dev/null | head -1)
    [ -n "$served" ] && break
    sleep 0.1
done
[ -n "$served" ] || fail "the server never started: $(cat i.err)"
sleep 2.5
kill -INT $mp
rc=0
wait $mp || rc=$?
[ $rc -eq 130 ] || fail "mixperf run exited $rc after SIGINT (expected 130): $(cat i.err)"
[ ! -s i.jsonl ] || fail "an interrupted run was recorded: $(cat i.jsonl)"
[ ! -e i.jsonl.d/profiles/cpython/split/default/0.collapsed ] &&
    [ ! -e i.jsonl.d/profiles/pypy/split/default/0.collapsed ] ||
    fail "an interrupted run left a stacks file"
for _ in $(seq 50); do
    grep -qs "MP_TEST_PROFILE_RUN=$WORK" /proc/[0-9]*/environ || break
    sleep 0.1
done
! grep -qs "MP_TEST_PROFILE_RUN=$WORK" /proc/[0-9]*/environ || fail "a server outlived the runner"
echo "SIGINT: exit 130, nothing recorded, no server left"
write_exp int.yaml 2s
$PIN_SAMPLER "$MIXPERF" run -q int.yaml -o i.jsonl >i.out 2>i.err || fail "resume: $(cat i.err)"
$RUNCHECK cpython i.jsonl cpython/split/default 0.70 0.15 2
echo "resumed: every cell finished with its profiles"
