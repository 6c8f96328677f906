#!/bin/sh
# Resume: the plan is a pure function of the results file. An experiment of fast script cells is
# run once uninterrupted; then again, killed with SIGKILL in the middle (twice), with SIGINT, and
# with a torn last line, and each time rerun to the end. Every interrupted-and-resumed file must
# hold exactly the uninterrupted run's (cell, index, round, warm-up, status, value) sequence: no
# run repeated, none lost. The printed values depend only on the run index, so a repeated or
# skipped run would show.
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cd "$tmp"
fail() {
    echo "test_run_resume: $*" >&2
    exit 1
}

# Cells: x is noisy (runs to max_runs), y converges at min_runs, z fails on every third run.
cat >exp.yaml <<'EOF'
name: resume
seed: 20261126
runtimes:
  a: {command: [/bin/sh], version: "echo dash"}
  b: {command: [/bin/sh], version: "echo dash"}
benchmarks:
  - name: x
    command: "sleep 0.03; echo $(( ({index} * 37 + 11) % 17 + 100 ))"
    metric: printed
  - name: y
    command: "sleep 0.03; echo $(( 200 + {index} % 2 ))"
    metric: printed
  - name: z
    command: "sleep 0.03; if [ $(( {index} % 3 )) -eq 0 ]; then echo bad >&2; exit 1; fi; echo $(( 50 + {index} % 5 ))"
    metric: printed
repeat:
  target: 1%
  min_runs: 4
  max_runs: 10
EOF

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
seq_of() { jq -c '[.cell, .index, .round, .warmup, .status, .value]' "$1"; }

"$MIXPERF" run -q exp.yaml -o ref.jsonl >ref.out
n=$(wc -l <ref.jsonl)
[ "$n" -gt 30 ] || fail "the reference run has only $n runs"
seq_of ref.jsonl >ref.seq
[ "$(jq -r '.status' ref.jsonl | sort -u | tr '\n' ' ')" = "failed ok " ] ||
    fail "the reference run should have ok and failed runs"
# every cell's runs are indices 0..k-1 in order, one per round
jq -r '[.cell, .index, .round] | @tsv' ref.jsonl | awk -F'\t' '
    { if ($2 != seen[$1] + 0 || $3 != $2) { print "bad index/round: " $0; bad = 1 } seen[$1]++ }
    END { exit bad }' || fail "indices and rounds are not consecutive"

# Starts a run in the background and kills it with $2 once the file has $3 lines.
interrupt() {
    file=$1 sig=$2 at=$3
    "$MIXPERF" run -q exp.yaml -o "$file" >/dev/null 2>"$file.err" &
    pid=$!
    pids="$pids $pid"
    i=0
    while [ "$(lines "$file")" -lt "$at" ]; do
        i=$((i + 1))
        [ "$i" -lt 3000 ] || fail "the run never reached $at lines"
        kill -0 "$pid" 2>/dev/null || fail "the run ended before $at lines"
        sleep 0.01
    done
    kill "-$sig" "$pid"
    set +e
    wait "$pid"
    rc=$?
    set -e
    echo "$rc"
}

# kill -9 twice at different points, resuming after each
rc=$(interrupt k9.jsonl KILL 7)
[ "$rc" -eq 137 ] || fail "kill -9: exit $rc"
rc=$(interrupt k9.jsonl KILL 19)
[ "$rc" -eq 137 ] || fail "kill -9 (second): exit $rc"
"$MIXPERF" run -q exp.yaml -o k9.jsonl >/dev/null
seq_of k9.jsonl >k9.seq
cmp -s ref.seq k9.seq || { diff ref.seq k9.seq >&2; fail "kill -9 and resume changed the runs"; }
[ -z "$(jq -r '[.cell, .index] | @tsv' k9.jsonl | sort | uniq -d)" ] || fail "duplicate runs"

# SIGINT: exit 130, the run in progress is not recorded, resume completes the same sequence
rc=$(interrupt int.jsonl INT 11)
[ "$rc" -eq 130 ] || fail "SIGINT: exit $rc (expected 130)"
grep -q "interrupted; the current run was stopped and not recorded" int.jsonl.err ||
    fail "SIGINT: no notice on stderr"
m=$(wc -l <int.jsonl)
head -n "$m" ref.jsonl | jq -c '[.cell, .index, .round, .warmup, .status, .value]' >int.prefix
seq_of int.jsonl | cmp -s - int.prefix || fail "SIGINT: the recorded runs differ from the reference"
"$MIXPERF" run -q exp.yaml -o int.jsonl >/dev/null
seq_of int.jsonl | cmp -s ref.seq - || fail "SIGINT and resume changed the runs"

# A torn last line (power lost mid-write) is cut off and that run made again
head -n 9 ref.jsonl >torn.jsonl
sed -n 10p ref.jsonl | head -c 57 >>torn.jsonl
"$MIXPERF" run exp.yaml -o torn.jsonl >/dev/null 2>torn.err
grep -q "ended in a torn line" torn.err || fail "the torn line was not reported"
seq_of torn.jsonl | cmp -s ref.seq - || fail "repairing a torn line changed the runs"

# A finished experiment is finished: rerunning adds nothing
"$MIXPERF" run -q exp.yaml -o ref.jsonl >again.out
[ "$(wc -l <ref.jsonl)" -eq "$n" ] || fail "rerunning a finished experiment added runs"
cmp -s ref.out again.out || fail "the closing table changed"

# The closing table: x reached max_runs, y converged, z is failing or at max_runs
grep -q '^a/y/default  *printed  *4  *200.5 ' ref.out || { cat ref.out >&2; fail "table row a/y"; }
grep '^a/x/default' ref.out | grep -q 'max_runs' || fail "a/x should stop at max_runs"
grep '^a/y/default' ref.out | grep -q 'converged' || fail "a/y should converge"

# A results file of another experiment, or planned with another seed, is refused
sed 's/seed: 20261126/seed: 1/' exp.yaml >other.yaml
set +e
"$MIXPERF" run -q other.yaml -o ref.jsonl >/dev/null 2>other.err
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "another seed: exit $rc (expected 2)"
grep -q "ref.jsonl:1: the runs were planned with seed 20261126, but the experiment says seed 1" \
    other.err || fail "another seed: $(cat other.err)"
echo "test_run_resume: ok ($n runs; kill -9 twice, SIGINT and a torn line all resumed exactly)"
