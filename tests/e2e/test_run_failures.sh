#!/bin/sh
# Failures and timeouts are data: every failed or timed-out run is a line with its status, message
# and stderr tail, never dropped and never a value of 0; a timeout kills the whole process group
# (a grandchild too); a cell whose runs keep failing stops as "failing". Builds run once per
# (runtime, configuration) and are cached across invocations; a failed build is recorded on the
# runs. A runtime that cannot run stops everything before the first run (exit 3).
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp"/gc.* 2>/dev/null) 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
fail() {
    echo "test_run_failures: $*" >&2
    exit 1
}

mkdir prog
echo 'print("hello")' >prog/main.py
cat >exp.yaml <<EOF
name: failures
seed: 3
runtimes:
  sh:
    command: [/bin/sh]
    version: "echo dash 0.5"
  built:
    command: [/bin/sh]
    version: "echo dash 0.5"
    build: "echo built >>$tmp/builds.log; echo '#!/bin/sh' >tool; echo 'echo 42' >>tool; chmod +x tool"
  broken:
    command: [/bin/sh]
    version: "echo dash 0.5"
    build: "echo cannot compile >&2; exit 7"
benchmarks:
  - name: crash
    dir: prog
    command: "echo partial; echo 'Traceback: boom' >&2; exit 3"
  - name: hang
    dir: prog
    command: "sh -c 'sleep 60 & echo \$! >$tmp/gc.{index}; wait' & wait"
    timeout: 0.4s
  - name: silent
    dir: prog
    command: "echo no number here"
    metric: printed
  - name: scratch
    dir: prog
    command: "case {run_dir} in /*) test -d {run_dir} && touch {run_dir}/x && echo 7;; *) exit 9;; esac"
    metric: printed
  - name: tool
    dir: prog
    command: "if [ -x ./tool ]; then ./tool; else echo 1; fi"
    metric: printed
repeat:
  min_runs: 3
  max_runs: 6
  warmup_runs: 1
EOF

"$MIXPERF" run -q exp.yaml -o r.jsonl >table.out
# no value is ever 0 or present on a failure
[ "$(jq -c 'select(.status != "ok" and .value != null)' r.jsonl | wc -l)" -eq 0 ] ||
    fail "a failed run has a value"
[ "$(jq -c 'select(.value == 0)' r.jsonl | wc -l)" -eq 0 ] || fail "a value of 0 was recorded"

# crash: failed, exit status, stderr tail; 1 warm-up + 3 measured failures, then "failing"
for rt in sh built; do
    c="$rt/crash/default"
    [ "$(jq -r "select(.cell == \"$c\") | .status" r.jsonl | sort -u)" = failed ] || fail "$c status"
    [ "$(jq -r "select(.cell == \"$c\") | .message" r.jsonl | sort -u)" = "exit status 3" ] ||
        fail "$c message"
    [ "$(jq -c "select(.cell == \"$c\") | .stderr_tail" r.jsonl | sort -u)" = '"Traceback: boom\n"' ] ||
        fail "$c stderr tail"
    [ "$(jq -r "select(.cell == \"$c\") | .metrics.exit_code" r.jsonl | sort -u)" = 3 ] ||
        fail "$c exit code"
    [ "$(jq -c "select(.cell == \"$c\")" r.jsonl | wc -l)" -eq 4 ] || fail "$c should stop after 4 runs"
    grep -q "^$c .*failing  *3\$" table.out || { cat table.out >&2; fail "$c is not failing in the table"; }
done

# hang: timed out, and the grandchild in its process group was killed
c=sh/hang/default
[ "$(jq -r "select(.cell == \"$c\") | .status" r.jsonl | sort -u)" = timeout ] || fail "$c status"
jq -r "select(.cell == \"$c\") | .message" r.jsonl | sort -u |
    grep -qx "timed out after 0.4s; the process group was killed" || fail "$c message"
for f in gc.*; do
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then fail "grandchild $pid of a timed-out run is alive"; fi
done
grep -q "^$c .*failing  *0 (3 timed out)\$" table.out || fail "$c in the table"

# silent: the printed metric without a number fails with the output's end kept
c=sh/silent/default
jq -r "select(.cell == \"$c\") | .message" r.jsonl | sort -u | grep -qx \
    "metric 'printed': no number on standard output (expected the result as the last whitespace-separated word)" ||
    fail "$c message"
[ "$(jq -c "select(.cell == \"$c\") | .stdout_tail" r.jsonl | sort -u)" = '"no number here\n"' ] ||
    fail "$c stdout tail"

# scratch: {run_dir} is an absolute, existing directory during the run, removed after it
[ "$(jq -r 'select(.benchmark == "scratch" and .runtime != "broken") | .status' r.jsonl | sort -u)" = ok ] ||
    fail "scratch: $(jq -c 'select(.benchmark == "scratch" and .runtime != "broken") | .message' r.jsonl | sort -u)"
[ -z "$(ls r.jsonl.d/tmp 2>/dev/null)" ] || fail "run directories were left: $(ls r.jsonl.d/tmp)"

# built: the build ran once for the one configuration, in a copy, and the runs used it
[ "$(wc -l <builds.log)" -eq 1 ] || fail "the build ran $(wc -l <builds.log) times (expected once)"
[ "$(jq -r 'select(.cell == "built/tool/default") | .value' r.jsonl | sort -u)" = 42 ] ||
    fail "runs of built/tool did not use the build"
[ ! -e prog/tool ] || fail "the build wrote into the configuration's own directory"
[ "$(jq -r 'select(.cell == "sh/tool/default") | .value' r.jsonl | sort -u)" = 1 ] ||
    fail "sh/tool saw the build"
bdir=$(jq -r 'select(.runtime == "built") | .provenance.build_dir' r.jsonl | sort -u)
[ -x "$bdir/tool" ] && [ -f "$bdir/.mixperf-build" ] || fail "build dir $bdir"
# a second invocation (a new experiment file name, same build) reuses the cached build
sed 's/^name: failures/name: failures2/' exp.yaml >exp2.yaml
"$MIXPERF" run -q exp2.yaml -o r2.jsonl --work-dir r.jsonl.d >/dev/null
[ "$(wc -l <builds.log)" -eq 1 ] || fail "the cached build was built again"

# broken: every run fails at the build, with the compiler's output
c=broken/tool/default
[ "$(jq -r "select(.cell == \"$c\") | .phase" r.jsonl | sort -u)" = build ] || fail "$c phase"
jq -r "select(.cell == \"$c\") | .message" r.jsonl | sort -u | grep -q "failed with exit status 7" ||
    fail "$c message"
[ "$(jq -c "select(.cell == \"$c\") | .stderr_tail" r.jsonl | sort -u)" = '"cannot compile\n"' ] ||
    fail "$c stderr tail"

# provenance on every line
[ "$(jq -r 'select(.provenance.runtime_version != "dash 0.5" or .provenance.runtime_path != "/usr/bin/dash" or (.provenance.host | length) == 0 or .schema != "mixperf.run/1") | .cell' r.jsonl | wc -l)" -eq 0 ] ||
    fail "provenance missing"
jq -r '.start' r.jsonl | grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$' &&
    fail "a start time is not ISO 8601 UTC"

# a runtime that cannot run: nothing is run, exit 3
cat >missing.yaml <<'EOF'
runtimes:
  ghost: {command: [/nonexistent/python9]}
benchmarks:
  - name: a
    command: "{python} -c 1"
EOF
set +e
"$MIXPERF" run -q missing.yaml -o m.jsonl 2>missing.err
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "missing runtime: exit $rc (expected 3)"
grep -q "runtime ghost: cannot find the executable '/nonexistent/python9'" missing.err ||
    fail "missing runtime: $(cat missing.err)"
[ ! -s m.jsonl ] || fail "missing runtime: runs were recorded"
echo "test_run_failures: ok ($(wc -l <r.jsonl) runs recorded, failures and timeouts included)"
