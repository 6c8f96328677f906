#!/bin/sh
# End-to-end: mixperf mix on the fixtures in tests/data/mix. Checks what was really written:
# the configuration directories, their bytes (sha256sum against the manifest, cmp against the
# variants), that they compile and run with /usr/bin/python3 and print what the untyped program
# prints, the exact mismatch error, sampling determinism, --force, and an interrupted mix.
set -eu
: "${MIXPERF:?}" "${MP_SOURCE_DIR:?}"
PY=/usr/bin/python3
DATA=$MP_SOURCE_DIR/tests/data/mix
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# A manifest query: python3 -c with the manifest loaded as m.
q() {
    $PY -c "import json, sys; m = json.load(open(sys.argv[1])); $2" "$1"
}

# Every generated file's sha256 in the manifest, checked by sha256sum.
check_hashes() {
    q "$1/manifest.json" '
for c in m["configurations"]:
    if c["written"]:
        for f in c["files"]:
            print(f["sha256"] + "  " + c["dir"] + "/" + f["path"])' >"$T/sums"
    [ -s "$T/sums" ] || fail "$1: no hashes in the manifest"
    (cd "$1" && sha256sum -c --quiet "$T/sums") || fail "$1: sha256 mismatch"
}

echo "== words: marker mode, 3 variants x 4 sections = 81 configurations"
$MIXPERF mix "$DATA/words" -o "$T/words" -q --seed 5
ls "$T/words" | grep -v '^manifest.json$' >"$T/ids"
for a in 0 1 2; do for b in 0 1 2; do for c in 0 1 2; do for d in 0 1 2; do
    echo "$a$b$c$d"
done; done; done; done >"$T/want_ids"
cmp "$T/ids" "$T/want_ids" || fail "words: ids are not exactly 0000..2222"
[ "$(q "$T/words/manifest.json" 'print(len(m["configurations"]), m["lattice"]["size"], m["lattice"]["enumerated"], m["sampling"], m["complete"])')" = "81 81 True None True" ] ||
    fail "words: manifest lattice fields"
[ "$(q "$T/words/manifest.json" 'u = m["units"]; print(u["granularity"], u["granularity_source"], u["header_from"], ",".join(x["name"] for x in u["list"]), m["inputs"]["variant_order"], ",".join(v["name"] for v in m["inputs"]["variants"]))')" = \
    "section detected untyped section-1,section-2,section-3,section-4 default untyped,shallow,advanced" ] ||
    fail "words: manifest unit fields"
check_hashes "$T/words"
# input hashes, recomputed independently
for v in untyped shallow advanced; do
    want=$(sha256sum "$DATA/words/$v/main.py" | cut -d' ' -f1)
    got=$(q "$T/words/manifest.json" "print(m['inputs']['files'][0]['variants']['$v']['sha256'])")
    [ "$want" = "$got" ] || fail "words: input sha256 of $v"
done
# selection and fractions of one configuration
[ "$(q "$T/words/manifest.json" 'c = [c for c in m["configurations"] if c["id"] == "0012"][0]; print(c["selection"], c["fractions"]["units"])')" = \
    "['untyped', 'untyped', 'shallow', 'advanced'] {'untyped': 0.5, 'shallow': 0.25, 'advanced': 0.25}" ] ||
    fail "words: selection of 0012"
# byte identity: the all-untyped configuration is the untyped file; section by section, 0120
# is the header and sections of the chosen variants (cut at the marker lines with awk)
cmp "$T/words/0000/main.py" "$DATA/words/untyped/main.py" || fail "words: 0000 is not the untyped file"
sections() { # FILE N: section N of FILE (0 = header)
    awk -v want="$2" '/^[ \t]*### SECTION SEPARATOR ###[ \t\r]*$/ { n++ } n == want' "$1"
}
for i in 0 1 2 3 4; do
    case $i in 0 | 1) v=untyped ;; 2) v=shallow ;; 3) v=advanced ;; 4) v=untyped ;; esac
    sections "$DATA/words/$v/main.py" $i
done >"$T/0120.py"
cmp "$T/0120.py" "$T/words/0120/main.py" || fail "words: 0120 is not the concatenation of its sections"
# compile every configuration
$PY -m py_compile "$T"/words/*/main.py || fail "words: a configuration does not compile"
# with the advanced header, the all-advanced configuration is the advanced file
$MIXPERF mix "$DATA/words" -o "$T/words_adv" -q --header-from advanced
cmp "$T/words_adv/2222/main.py" "$DATA/words/advanced/main.py" || fail "words: 2222 with advanced header"
[ "$(q "$T/words_adv/manifest.json" 'print(m["units"]["header_from"])')" = advanced ] || fail "header_from not recorded"

echo "== words: untyped x shallow, all 16 configurations run and print the untyped output"
$MIXPERF mix "$DATA/words" --variants untyped,shallow -o "$T/w2" -q
want=$($PY "$DATA/words/untyped/main.py" 2)
n=0
for d in "$T"/w2/[01]*; do
    got=$($PY "$d/main.py" 2) || fail "$d does not run"
    [ "$got" = "$want" ] || fail "$d printed: $got"
    n=$((n + 1))
done
[ $n -eq 16 ] || fail "w2: $n configurations instead of 16"

echo "== words: shallow markers split when asked"
$MIXPERF mix "$DATA/words" --variants untyped,shallow --shallow-markers split -o "$T/w3" -q
[ "$(q "$T/w3/manifest.json" 'print(m["units"]["shallow_markers"], m["lattice"]["units"], len(m["configurations"]))')" = "split 5 32" ] ||
    fail "w3: shallow markers"
[ "$(sed -n 1p "$T/w3/00001/main.py")" = "$(sed -n 1p "$DATA/words/untyped/main.py")" ] || fail "w3: header"
tail -n 1 "$T/w3/00001/main.py" >"$T/w3_last"
tail -n 1 "$DATA/words/shallow/main.py" | cmp -s - "$T/w3_last" || fail "w3: last section is not shallow's"

echo "== shapes: method granularity, untyped x shallow (2^9 = 512), every 8th runs"
$MIXPERF mix "$DATA/shapes" --granularity method --variants untyped,shallow -o "$T/shapes" -q
[ "$(q "$T/shapes/manifest.json" 'print(m["lattice"]["size"], len(m["configurations"]), m["units"]["list"][2]["name"], m["units"]["list"][2]["kind"])')" = \
    "512 512 Point.dist method" ] || fail "shapes: manifest"
check_hashes "$T/shapes"
want=$($PY "$DATA/shapes/untyped/main.py" 3)
i=0
for d in "$T"/shapes/[01]*; do
    i=$((i + 1))
    [ $((i % 8)) -eq 1 ] || continue
    got=$($PY "$d/main.py" 3) || fail "$d does not run"
    [ "$got" = "$want" ] || fail "$d printed: $got"
done
cmp -s "$T/shapes/111111111/main.py" "$DATA/shapes/untyped/main.py" && fail "shapes: all-shallow equals untyped"
$PY -m py_compile "$T"/shapes/1*/main.py || fail "shapes: compile"

echo "== multi: module granularity, 16 configurations, data file copied"
$MIXPERF mix "$DATA/multi" --granularity module -o "$T/multi" -q
want=$($PY "$DATA/multi/untyped/main.py")
for d in "$T"/multi/[01]*; do
    cmp "$d/data.txt" "$DATA/multi/untyped/data.txt" || fail "$d: data.txt"
    got=$(cd "$d" && $PY main.py) || fail "$d does not run"
    [ "$got" = "$want" ] || fail "$d printed: $got"
done
cmp "$T/multi/0110/main.py" "$DATA/multi/shallow/main.py" || fail "multi: 0110 main.py"
cmp "$T/multi/0110/pkg/geo.py" "$DATA/multi/untyped/pkg/geo.py" || fail "multi: 0110 geo.py"
check_hashes "$T/multi"

echo "== mismatched variants: one error naming the first differing unit, exit 2"
set +e
$MIXPERF mix "$DATA/mismatch" --granularity toplevel -o "$T/mm" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "mismatch: exit $rc"
printf '%s\n' "mixperf mix: m.py: variants differ at unit 2: $DATA/mismatch/untyped/m.py:8: function 'counter'; $DATA/mismatch/shallow/m.py:8: function 'counter'; $DATA/mismatch/advanced/m.py:11: class 'Counter'" >"$T/want_err"
cmp "$T/err" "$T/want_err" || {
    cat "$T/err"
    fail "mismatch: message"
}
[ ! -e "$T/mm" ] || fail "mismatch: output written"

echo "== sampling: 3^9 > --max, seeded, r samples of s distinct configurations plus anchors"
$MIXPERF mix "$DATA/shapes" --granularity method --header-from advanced -o "$T/s1" -q --seed 11
$MIXPERF mix "$DATA/shapes" --granularity method --header-from advanced -o "$T/s2" -q --seed 11
$MIXPERF mix "$DATA/shapes" --granularity method --header-from advanced -o "$T/s3" -q --seed 12 \
    --samples 3 --sample-size 5
q "$T/s1/manifest.json" 'print(m["sampling"]["samples"])' >"$T/a"
q "$T/s2/manifest.json" 'print(m["sampling"]["samples"])' >"$T/b"
cmp "$T/a" "$T/b" || fail "sampling: same seed, different samples"
[ "$(q "$T/s3/manifest.json" 's = m["sampling"]; print(s["r"], s["s"], s["seed"], [len(x) for x in s["samples"]])')" = "3 5 12 [5, 5, 5]" ] ||
    fail "sampling: parameters"
q "$T/s1/manifest.json" '
s = m["sampling"]
assert s["r"] == 10 and s["s"] == 90 and s["seed"] == 11, s
assert all(len(set(x)) == 90 for x in s["samples"]), "duplicate within a sample"
want = set(i for x in s["samples"] for i in x) | set(s["anchors"])
assert s["anchors"] == ["000000000", "111111111", "222222222"]
got = [c["id"] for c in m["configurations"]]
assert got == sorted(want), "configurations != samples + anchors"
assert m["lattice"]["enumerated"] is False and m["lattice"]["size"] == 19683
for c in m["configurations"]:
    assert c["samples"] == [j for j, x in enumerate(s["samples"]) if c["id"] in x], c["id"]
    assert (c["anchor"] is not None) == (c["id"] in s["anchors"]), c["id"]
print(len(got))' >"$T/n"
[ "$(ls "$T/s1" | grep -c '^[0-2]*$')" = "$(cat "$T/n")" ] || fail "sampling: directories != configurations"
check_hashes "$T/s1"
# the anchors are materialized; all-advanced with the advanced header is the advanced file
cmp "$T/s1/222222222/main.py" "$DATA/shapes/advanced/main.py" || fail "sampling: anchor 2..2"
$PY -m py_compile $(ls -d "$T"/s1/[0-2]* | awk 'NR % 10 == 1 { print $0 "/main.py" }') ||
    fail "sampling: compile"

echo "== --force"
set +e
$MIXPERF mix "$DATA/words" -o "$T/words" -q 2>"$T/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "rewrite without --force: exit $rc"
grep -q "already holds a mix" "$T/err" || fail "rewrite without --force: $(cat "$T/err")"
echo stray >"$T/words/notes.txt"
set +e
$MIXPERF mix "$DATA/words" -o "$T/words" -q --force 2>"$T/err"
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "'notes.txt' is not from mixperf mix" "$T/err" || fail "--force over a foreign file"
rm "$T/words/notes.txt"
$MIXPERF mix "$DATA/words" --variants untyped,shallow -o "$T/words" -q --force
[ "$(ls "$T/words" | grep -c '^[0-9]*$')" = 16 ] || fail "--force did not replace the old mix"

echo "== more units than the lattice sampler takes: one clear error, exit 2"
mkdir -p "$T/wide/untyped" "$T/wide/typed"
i=0
while [ $i -lt 241 ]; do
    printf 'def f%s(a):\n    return a\n\n\n' $i >>"$T/wide/untyped/m.py"
    printf 'def f%s(a: int) -> int:\n    return a\n\n\n' $i >>"$T/wide/typed/m.py"
    i=$((i + 1))
done
set +e
$MIXPERF mix "$T/wide" -o "$T/wideout" -q 2>"$T/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "241 units: exit $rc"
[ "$(cat "$T/err")" = "mixperf mix: 241 units (granularity toplevel): the lattice sampler handles at most 240; choose a coarser --granularity" ] ||
    fail "241 units: $(cat "$T/err")"
[ ! -e "$T/wideout" ] || fail "241 units: output written"

echo "== interrupted: complete configurations only, manifest says so, exit 130"
mkdir -p "$T/big/a" "$T/big/b" "$T/big/c"
for v in a b c; do
    : >"$T/big/$v/m.py"
    for u in 1 2 3 4 5 6 7 8; do
        printf 'def f%s(x):\n    return x + %s  # %s\n\n\n' $u $u $v >>"$T/big/$v/m.py"
    done
done
$MIXPERF mix "$T/big" --max 10000 -o "$T/bigout" -q &
pid=$!
i=0
while ! ls "$T/bigout" 2>/dev/null | grep -q '^[0-2]'; do
    i=$((i + 1))
    [ $i -lt 2000 ] || fail "interrupt: no configuration appeared"
    sleep 0.01
done
kill -STOP $pid
kill -TERM $pid
kill -CONT $pid
set +e
wait $pid
rc=$?
set -e
[ $rc -eq 130 ] || fail "interrupt: exit $rc (expected 130)"
[ "$(q "$T/bigout/manifest.json" 'print(m["complete"], m["lattice"]["size"], len(m["configurations"]))')" = "False 6561 6561" ] ||
    fail "interrupt: manifest"
written=$(q "$T/bigout/manifest.json" 'print(sum(c["written"] for c in m["configurations"]))')
dirs=$(ls "$T/bigout" | grep -c '^[0-2]*$')
[ "$written" = "$dirs" ] || fail "interrupt: $written written, $dirs directories"
[ "$dirs" -lt 6561 ] || fail "interrupt: everything was written"
ls -A "$T/bigout" | grep -q '^\.' && fail "interrupt: temporary entries left: $(ls -A "$T/bigout" | grep '^\.')"
check_hashes "$T/bigout"

echo "ok"
