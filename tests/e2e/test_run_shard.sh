#!/bin/sh
# Shards and merge: `--shard 0/3`, `1/3` and `2/3` run disjoint subsets of the cells whose union,
# joined by `mixperf merge`, holds exactly the runs of one unsharded run (same cells, indices,
# rounds and values). merge keeps identical duplicates once and refuses conflicting ones.
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
fail() {
    echo "test_run_shard: $*" >&2
    exit 1
}

cat >exp.yaml <<'EOF'
name: shards
seed: 99
runtimes:
  a: {command: [/bin/sh], version: "echo dash"}
  b: {command: [/bin/sh], version: "echo dash"}
benchmarks:
  - name: x
    command: "echo $(( ({index} * 37 + 11) % 17 + 100 ))"
    metric: printed
  - name: y
    command: "echo $(( 300 + ({index} * 5) % 3 ))"
    metric: printed
  - name: w
    command: "echo no >&2; exit 4"
repeat:
  target: 2%
  min_runs: 3
  max_runs: 8
EOF
key() { jq -r '[.cell, .index, .round, .warmup, .status, .value] | @tsv' "$@" | sort; }

"$MIXPERF" run -q exp.yaml -o one.jsonl >/dev/null
for i in 0 1 2; do
    "$MIXPERF" run -q --shard "$i/3" exp.yaml >/dev/null
    [ -s "shards.shard-$i-of-3.jsonl" ] || fail "shard $i wrote nothing"
done
# the shards are disjoint in cells
cells=$(jq -r .cell shards.shard-*.jsonl | sort -u | wc -l)
percell=$(for i in 0 1 2; do jq -r .cell "shards.shard-$i-of-3.jsonl" | sort -u; done | sort | uniq -d)
[ -z "$percell" ] || fail "a cell ran in two shards: $percell"
[ "$cells" -eq 6 ] || fail "the shards ran $cells cells (expected 6)"
"$MIXPERF" merge merged.jsonl shards.shard-0-of-3.jsonl shards.shard-1-of-3.jsonl \
    shards.shard-2-of-3.jsonl 2>merge.err
grep -q "runs from 3 files into merged.jsonl (0 identical duplicates dropped)" merge.err ||
    fail "merge: $(cat merge.err)"
key one.jsonl >one.key
key merged.jsonl >merged.key
cmp -s one.key merged.key || { diff one.key merged.key >&2; fail "shards+merge differ from one run"; }
# the shard is recorded in every line's provenance
[ "$(jq -r .provenance.shard shards.shard-1-of-3.jsonl | sort -u)" = "1/3" ] ||
    fail "provenance.shard"

# identical duplicates are kept once
"$MIXPERF" merge twice.jsonl shards.shard-0-of-3.jsonl shards.shard-0-of-3.jsonl \
    shards.shard-1-of-3.jsonl shards.shard-2-of-3.jsonl 2>twice.err
n0=$(wc -l <shards.shard-0-of-3.jsonl)
grep -q "($n0 identical duplicates dropped)" twice.err || fail "duplicates: $(cat twice.err)"
key twice.jsonl | cmp -s one.key - || fail "merging a file twice changed the runs"

# a conflicting duplicate (same run, other content) is refused and nothing is written
sed '1s/"round":0/"round":7/' shards.shard-0-of-3.jsonl >conflict.jsonl
set +e
"$MIXPERF" merge bad.jsonl shards.shard-0-of-3.jsonl conflict.jsonl 2>bad.err
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "conflict: exit $rc (expected 1)"
[ ! -e bad.jsonl ] || fail "conflict: OUT was written"
run=$(head -1 shards.shard-0-of-3.jsonl | jq -r '"run \(.index) of \(.cell)"')
grep -q "conflict.jsonl:1: $run conflicts with shards.shard-0-of-3.jsonl:1 (same run, different content" bad.err ||
    fail "conflict message: $(cat bad.err)"

# merge does not overwrite, and refuses files of another experiment
set +e
"$MIXPERF" merge merged.jsonl one.jsonl 2>exists.err
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "merged.jsonl exists" exists.err || fail "merge overwrote OUT"
sed 's/"seed":99/"seed":98/' one.jsonl >seed98.jsonl
set +e
"$MIXPERF" merge other.jsonl one.jsonl seed98.jsonl 2>other.err
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "seed98.jsonl:1: experiment 'shards' seed 98, but one.jsonl holds experiment 'shards' seed 99" other.err ||
    fail "another seed: $(cat other.err)"

# sharding needs a fixed seed
sed '/^seed:/d' exp.yaml >noseed.yaml
set +e
"$MIXPERF" run -q --shard 0/2 noseed.yaml -o x.jsonl 2>noseed.err
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "a sharded run needs \`seed:\` in the experiment file" noseed.err ||
    fail "sharding without a seed: $(cat noseed.err)"
set +e
"$MIXPERF" run -q --shard 2/2 exp.yaml 2>range.err
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "\-\-shard '2/2' (expected I/N with 0 <= I < N" range.err ||
    fail "bad shard: $(cat range.err)"
echo "test_run_shard: ok ($(wc -l <one.jsonl) runs in 6 cells; 3 shards merged equal one run)"
