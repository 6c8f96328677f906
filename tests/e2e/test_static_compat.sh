#!/bin/sh
# End-to-end: python/__static__, the Static Python compatibility module. Its unit tests
# (tests/e2e/static_compat_test.py) under /usr/bin/python3 and /usr/bin/pypy3, checked and with
# MIXPERF_STATIC_UNCHECKED=1; rand() gives the same sequence on both; the stubs
# (__init__.pyi) let mypy --strict accept a typed use of every name and report exactly the
# expected errors in a wrong one; the typed sample runs on both interpreters with one result.
set -eu
: "${MP_SOURCE_DIR:?}"
PY=/usr/bin/python3
PYPY=/usr/bin/pypy3
DATA=$MP_SOURCE_DIR/tests/data/static
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export PYTHONPATH="$MP_SOURCE_DIR/python" PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree

for py in $PY $PYPY; do
    for unchecked in "" 1; do
        echo "== unit tests on $py (MIXPERF_STATIC_UNCHECKED=$unchecked)"
        MIXPERF_STATIC_UNCHECKED=$unchecked $py "$MP_SOURCE_DIR/tests/e2e/static_compat_test.py" 2>"$T/log" ||
            { cat "$T/log"; fail "static_compat_test.py on $py (MIXPERF_STATIC_UNCHECKED=$unchecked)"; }
        grep -q '^OK$' "$T/log" || { cat "$T/log"; fail "no OK from $py"; }
    done
done

echo "== rand() sequences"
a=$($PY "$MP_SOURCE_DIR/tests/e2e/static_compat_test.py" rand)
b=$($PYPY "$MP_SOURCE_DIR/tests/e2e/static_compat_test.py" rand)
[ "$a" = "$b" ] || fail "rand() differs: CPython '$a', PyPy '$b'"
[ "$(echo "$a" | wc -w)" -eq 5 ] || fail "rand(): '$a'"

echo "== stubs: mypy --strict"
MYPYPATH="$MP_SOURCE_DIR/python" /usr/bin/mypy --strict --no-error-summary --cache-dir "$T/cache" \
    "$DATA/typed_ok.py" >"$T/ok" 2>&1 || { cat "$T/ok"; fail "mypy rejects typed_ok.py"; }
if MYPYPATH="$MP_SOURCE_DIR/python" /usr/bin/mypy --strict --no-error-summary --cache-dir "$T/cache" \
    "$DATA/typed_bad.py" >"$T/bad" 2>&1; then
    fail "mypy accepts typed_bad.py"
fi
sed -n 's/^.*typed_bad\.py:\([0-9]*\): error:.*\[\([a-z-]*\)\]$/\1 \2/p' "$T/bad" >"$T/got"
printf '8 arg-type\n10 index\n12 assignment\n13 assignment\n14 assignment\n' >"$T/want"
cmp -s "$T/got" "$T/want" || { cat "$T/bad"; fail "typed_bad.py: mypy errors differ from the expected lines"; }

echo "== typed sample on both interpreters"
a=$($PY "$DATA/typed_ok.py")
b=$($PYPY "$DATA/typed_ok.py")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "typed_ok.py prints '$a' on CPython and '$b' on PyPy"
echo "static compat: ok"
