#!/bin/sh
# End-to-end: package mode and the overlay loader, against Debian's Django and /usr/bin/python3.
# A configuration of django/utils/functional.py must be what `import django.utils.functional`
# loads, while django.utils.text (which imports it) and Django itself stay the installed ones.
# The variants are derived here from the installed file, so no Django source is copied into
# the repository.
set -eu
: "${MIXPERF:?}" "${MP_SOURCE_DIR:?}"
PY=/usr/bin/python3
SITE=/usr/lib/python3/dist-packages
MOD=django/utils/functional.py
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
q() {
    $PY -c "import json, sys; m = json.load(open(sys.argv[1])); $2" "$1"
}
[ -f "$SITE/$MOD" ] || fail "Debian's python3-django is not installed ($SITE/$MOD)"

echo "== module granularity: the installed file is the untyped variant"
mkdir -p "$T/v/marked"
{
    cat "$SITE/$MOD"
    printf '\nMIXPERF_MARK = "marked"\n'
} >"$T/v/marked/functional.py"
$MIXPERF mix "$T/v" --package-module "$MOD" --site "$SITE" --granularity module -o "$T/o" -q
ls "$T/o" | grep -v manifest.json >"$T/ids"
printf '0\n1\n' | cmp -s - "$T/ids" || fail "ids: $(cat "$T/ids")"
[ "$(ls -A "$T/o/1")" = "$(printf 'django\nsitecustomize.py')" ] || fail "overlay layout: $(ls -A "$T/o/1")"
[ "$(cd "$T/o/1" && find . -type f | sort | tr '\n' ' ')" = "./django/utils/functional.py ./sitecustomize.py " ] ||
    fail "overlay holds more than the module"
cmp "$T/o/0/$MOD" "$SITE/$MOD" || fail "configuration 0 is not the installed file"
cmp "$T/o/1/$MOD" "$T/v/marked/functional.py" || fail "configuration 1 is not the marked file"
[ "$(q "$T/o/manifest.json" 'print(m["overlay"], m["inputs"]["mode"], [v["name"] + ":" + v["source"] for v in m["inputs"]["variants"]])')" = \
    "True package ['untyped:installed', 'marked:directory']" ] || fail "manifest inputs"
want=$(sha256sum "$SITE/$MOD" | cut -d' ' -f1)
[ "$(q "$T/o/manifest.json" 'print(m["inputs"]["files"][0]["installed"]["sha256"])')" = "$want" ] ||
    fail "installed sha256"
q "$T/o/manifest.json" '
for c in m["configurations"]:
    for f in c["files"]:
        print(f["sha256"] + "  " + c["dir"] + "/" + f["path"])' >"$T/sums"
(cd "$T/o" && sha256sum -c --quiet "$T/sums") || fail "generated file hashes"

probe='
import django, django.utils.functional as f, django.utils.text as t
print(f.__file__)
print(t.__file__)
print(django.__file__)
print(getattr(f, "MIXPERF_MARK", "none"))
print(t.capfirst(f.lazystr("overlay")))
'
for id in 0 1; do
    (cd "$T" && PYTHONPATH="$T/o/$id" $PY -c "$probe") >"$T/got$id" || fail "import with overlay $id"
done
mark=none
for id in 0 1; do
    [ $id = 1 ] && mark=marked
    printf '%s\n' "$T/o/$id/$MOD" "$SITE/django/utils/text.py" "$SITE/django/__init__.py" "$mark" \
        "Overlay" >"$T/want$id"
    cmp "$T/want$id" "$T/got$id" || {
        cat "$T/got$id"
        fail "overlay $id resolves wrongly"
    }
done
# without the overlay on the path, the installed module is used
$PY -c 'import django.utils.functional as f; print(f.__file__)' >"$T/plain"
[ "$(cat "$T/plain")" = "$SITE/$MOD" ] || fail "installed import: $(cat "$T/plain")"

echo "== toplevel granularity of the installed module, sampled (2^N > --max)"
mkdir -p "$T/w/shallow"
# A typed variant: return annotations on two functions; the other units are unchanged.
sed -e 's/^def lazystr(text):/def lazystr(text: str) -> "Promise":/' \
    -e 's/^def partition(predicate, values):/def partition(predicate, values) -> tuple:/' \
    "$SITE/$MOD" >"$T/w/shallow/functional.py"
grep -q 'def lazystr(text: str) -> "Promise":' "$T/w/shallow/functional.py" || fail "sed did not type lazystr"
$MIXPERF mix "$T/w" --package-module "$MOD" --site "$SITE" --max 64 --samples 2 --sample-size 6 \
    --seed 3 -o "$T/a" -q
q "$T/a/manifest.json" '
s = m["sampling"]; n = m["lattice"]["units"]
assert m["units"]["granularity"] == "toplevel" and n > 6, (m["units"]["granularity"], n)
names = [u["name"] for u in m["units"]["list"]]
assert "lazystr" in names and "partition" in names and "SimpleLazyObject" in names, names
assert s["r"] == 2 and s["s"] == 6 and all(len(set(x)) == 6 for x in s["samples"])
assert s["anchors"] == ["0" * n, "1" * n]
print(names.index("lazystr"))' >"$T/lz"
lz=$(cat "$T/lz")
$PY -m py_compile "$T"/a/[01]*/$MOD || fail "a configuration does not compile"
for d in "$T"/a/[01]*; do
    id=$(basename "$d")
    digit=$(printf '%s' "$id" | cut -c$((lz + 1)))
    want="{'text': <class 'str'>, 'return': 'Promise'}"
    [ "$digit" = 0 ] && want="{}"
    got=$(cd "$T" && PYTHONPATH="$d" $PY -c '
import django.utils.functional as f, django.utils.text as t
assert t.capfirst("x") == "X"
print(f.lazystr.__annotations__)') || fail "$id does not import"
    [ "$got" = "$want" ] || fail "$id: lazystr annotations $got"
done

echo "== errors"
set +e
$MIXPERF mix "$T/w" --package-module django/utils/nothere.py --site "$SITE" -o "$T/e" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "missing module: exit $rc"
[ "$(cat "$T/err")" = "mixperf mix: $SITE/django/utils/nothere.py: no such installed module" ] ||
    fail "missing module: $(cat "$T/err")"
set +e
$MIXPERF mix "$T/w" --overlay -o "$T/e" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 2 ] && [ "$(cat "$T/err")" = "mixperf mix: --overlay needs --package-module and --site" ] ||
    fail "overlay without package: $(cat "$T/err")"
echo ok
