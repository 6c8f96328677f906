#!/bin/sh
# Configurations from `mixperf mix`: one cell per configuration of the manifest (or of its `ids`),
# each run in its configuration's directory with the manifest's file hashes in its provenance; a
# configuration file changed after the mix stops the run before it measures something else.
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
fail() {
    echo "test_run_manifest: $*" >&2
    exit 1
}

# Two variants of a two-section program: each section adds its variant's number to the total.
for v in untyped shallow; do
    mkdir -p prog/$v
    n=1
    [ $v = shallow ] && n=10
    cat >prog/$v/main.py <<EOF
total = 0
### SECTION SEPARATOR ###
def first():
    return $n
### SECTION SEPARATOR ###
def second():
    return $n * 100
### SECTION SEPARATOR ###
print(first() + second())
EOF
done
"$MIXPERF" mix prog -o mix >/dev/null 2>mix.err || fail "mix: $(cat mix.err)"
ids=$(jq -r '.configurations[].id' mix/manifest.json | tr '\n' ' ')
[ "$ids" = "000 001 010 011 100 101 110 111 " ] || fail "configurations: $ids"

cat >exp.yaml <<'EOF'
name: mixed
seed: 1
runtimes:
  py: {command: [/usr/bin/python3]}
configurations:
  manifest: mix/manifest.json
  ids: ["000", "110", "111"]
benchmarks:
  - name: sum
    command: "{python} main.py"
    metric: printed
repeat: {min_runs: 2, max_runs: 2, warmup_runs: 0}
EOF
"$MIXPERF" run -q exp.yaml -o r.jsonl >table.out 2>run.err || fail "run: $(cat run.err)"
[ "$(jq -r .cell r.jsonl | sort -u | tr '\n' ' ')" = "py/sum/000 py/sum/110 py/sum/111 " ] ||
    fail "cells: $(jq -r .cell r.jsonl | sort -u)"
# the value each configuration prints follows from its units (digit = variant per unit)
for pair in 000:101 110:1010 111:1010; do
    id=${pair%%:*} want=${pair#*:}
    got=$(jq -r "select(.config == \"$id\") | .value" r.jsonl | sort -u)
    [ "$got" = "$want" ] || fail "config $id printed $got (expected $want)"
done
# provenance: the manifest's hashes, the digest over them, the configuration's directory
sha=$(jq -r '.configurations[] | select(.id == "110") | .files[] | select(.path == "main.py") | .sha256' mix/manifest.json)
[ "$(jq -r 'select(.config == "110") | .provenance.config_files["main.py"]' r.jsonl | sort -u)" = "$sha" ] ||
    fail "config_files"
digest=$(printf '%s  main.py\n' "$sha" | sha256sum | cut -d' ' -f1)
[ "$(jq -r 'select(.config == "110") | .provenance.config_digest' r.jsonl | sort -u)" = "$digest" ] ||
    fail "config_digest"
[ "$(jq -r 'select(.config == "110") | .provenance.cwd' r.jsonl | sort -u)" = "$tmp/mix/110" ] ||
    fail "cwd: $(jq -r 'select(.config == "110") | .provenance.cwd' r.jsonl | sort -u)"
[ "$(jq -r '.provenance.config_source' r.jsonl | sort -u)" = manifest ] || fail "config_source"

# a file changed after the mix: refused before anything runs (every configuration is checked at
# start)
echo "# edited" >>mix/111/main.py
sed -i 's/max_runs: 2/max_runs: 3/; s/min_runs: 2/min_runs: 3/' exp.yaml
n=$(wc -l <r.jsonl)
set +e
"$MIXPERF" run -q exp.yaml -o r.jsonl >/dev/null 2>changed.err
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "changed file: exit $rc (expected 3)"
grep -q "configuration 111: $tmp/mix/111/main.py changed since the manifest was written (sha256 " changed.err ||
    fail "changed file: $(cat changed.err)"
[ "$(wc -l <r.jsonl)" -eq "$n" ] || fail "runs were recorded after the change"
echo "test_run_manifest: ok"
