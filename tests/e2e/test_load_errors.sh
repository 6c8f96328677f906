#!/bin/sh
# Bad scenario files and bad options: exit status 2, exactly one message, and the server sees no
# request at all. An unwritable output is exit status 3, also before anything is sent.
. "$MP_SOURCE_DIR/tests/e2e/load_lib.sh"
start_server

cat >"$WORK/good.yaml" <<'EOF'
users:
  - name: U
    tasks:
      - steps:
          - get: /status/204
EOF
cat >"$WORK/typo.yaml" <<'EOF'
users:
  - name: U
    taks:
      - steps:
          - get: /status/204
EOF
cat >"$WORK/stages.yaml" <<'EOF'
stages:
  - {duration: 1s, users: 2, spawn_rate: 2}
users:
  - name: U
    tasks:
      - steps:
          - get: /status/204
EOF

# expect_usage EXPECTED-STDERR ARGS...: exit 2 and exactly that one line on stderr.
expect_usage() {
    want=$1
    shift
    run_load "$@"
    [ "$STATUS" -eq 2 ] || fail "mixperf load $*: status $STATUS, expected 2"
    got=$(cat "$WORK/err.txt")
    [ "$got" = "$want" ] || fail "mixperf load $*: stderr
  got:  $got
  want: $want"
}

expect_usage "mixperf load: $WORK/typo.yaml:3:5: unknown key 'taks' in user class (did you mean 'tasks'?)" \
    "$WORK/typo.yaml" --host "$HOST" -t 1s
expect_usage "mixperf load: no host: give --host or \`host:\` in $WORK/good.yaml" "$WORK/good.yaml" -t 1s
expect_usage "mixperf load: host 'ftp://x' must start with http:// or https://" \
    "$WORK/good.yaml" --host ftp://x -t 1s
expect_usage "mixperf load: --rate cannot be combined with the stages of $WORK/stages.yaml" \
    "$WORK/stages.yaml" --host "$HOST" --rate 5 -t 1s
expect_usage "mixperf load: -u/--users and -r/--spawn-rate cannot be combined with the stages of $WORK/stages.yaml (the stages set the user count)" \
    "$WORK/stages.yaml" --host "$HOST" -u 3 -t 1s
expect_usage "mixperf load: --fail-ratio expects a number between 0 and 1" \
    "$WORK/good.yaml" --host "$HOST" --fail-ratio 1.5 -t 1s
expect_usage "mixperf load: --seed expects a non-negative integer" \
    "$WORK/good.yaml" --host "$HOST" --seed x12 -t 1s
expect_usage "mixperf load: --threads must be at least 1" \
    "$WORK/good.yaml" --host "$HOST" --threads 0 -t 1s
expect_usage "mixperf load: expected a scenario file (see --help)" --host "$HOST" -t 1s

run_load "$WORK/good.yaml" --host "$HOST" -t 1s --csv "$WORK/no/such/dir/x"
[ "$STATUS" -eq 3 ] || fail "unwritable --csv: status $STATUS, expected 3"
grep -q "cannot write $WORK/no/such/dir/x_stats_history.csv" "$WORK/err.txt" ||
    fail "unwritable --csv: $(cat "$WORK/err.txt")"

server_log
check <<'EOF'
import sys; sys.path.insert(0, __import__("os").environ["MP_SOURCE_DIR"] + "/tests/e2e")
from load_check import *
expect(log()["counts"] == {}, "requests were sent", log()["counts"])
EOF
echo "ok"
