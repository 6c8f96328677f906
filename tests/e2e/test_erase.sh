#!/bin/sh
# End-to-end: mixperf erase on the typed fixtures. An erased program prints what the original
# prints (the untyped variant for Static Python originals, which CPython cannot run without the
# __static__ compatibility module), Python's own ast finds no annotation left, untyped code comes
# back byte for byte, and errors are exact.
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

# Independent of tree-sitter: CPython's parser lists what annotations remain.
no_annotations() {
    $PY - "$1" <<'EOF' || fail "$1 still has annotations"
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
left = []
for n in ast.walk(tree):
    if isinstance(n, ast.AnnAssign):
        left.append(("variable", n.lineno))
    elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if n.returns is not None:
            left.append(("return", n.lineno))
        a = n.args
        for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]:
            if arg is not None and arg.annotation is not None:
                left.append(("parameter", arg.lineno))
    elif isinstance(n, (ast.Import, ast.ImportFrom)):
        mod = getattr(n, "module", None) or ""
        names = [a.name for a in n.names]
        if mod.startswith("__static__") or any(x.startswith("__static__") for x in names):
            left.append(("static import", n.lineno))
if left:
    print(sys.argv[1], "still has", left)
    sys.exit(1)
EOF
}

for prog in words shapes; do
    for v in shallow advanced; do
        echo "== $prog/$v"
        src=$DATA/$prog/$v/main.py
        $MIXPERF erase "$src" -o "$T/$prog-$v.py"
        $MIXPERF erase "$src" >"$T/$prog-$v.stdout.py"
        cmp "$T/$prog-$v.py" "$T/$prog-$v.stdout.py" || fail "-o and stdout differ"
        no_annotations "$T/$prog-$v.py"
        [ "$(wc -l <"$T/$prog-$v.py")" -le "$(wc -l <"$src")" ] || fail "erase added lines"
        for n in 1 5; do
            want=$($PY "$DATA/$prog/untyped/main.py" $n)
            got=$($PY "$T/$prog-$v.py" $n) || fail "$prog/$v erased does not run"
            [ "$got" = "$want" ] || fail "$prog/$v erased printed '$got', untyped '$want'"
            if [ $v = shallow ]; then
                orig=$($PY "$src" $n)
                [ "$got" = "$orig" ] || fail "$prog/$v: erased '$got', original '$orig'"
            fi
        done
    done
    echo "== $prog/untyped comes back unchanged"
    $MIXPERF erase "$DATA/$prog/untyped/main.py" | cmp - "$DATA/$prog/untyped/main.py" ||
        fail "$prog/untyped changed"
done

echo "== multi/shallow: erase every module, run the program"
cp -R "$DATA/multi/shallow" "$T/multi"
for f in main.py helpers.py pkg/__init__.py pkg/geo.py; do
    $MIXPERF erase "$T/multi/$f" -o "$T/multi/$f"
    no_annotations "$T/multi/$f"
done
[ "$(cd "$T/multi" && $PY main.py 3)" = "$($PY "$DATA/multi/untyped/main.py" 3)" ] || fail "multi output"
[ "$(ls -A "$T/multi" | tr '\n' ' ')" = "data.txt helpers.py main.py pkg " ] || fail "temporary files left"

echo "== errors"
printf 'from __static__ import Vector, int64\nv = Vector[int64]()\n' >"$T/vec.py"
set +e
$MIXPERF erase "$T/vec.py" -o "$T/vec_out.py" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "unsupported name: exit $rc"
[ "$(cat "$T/err")" = "mixperf erase: $T/vec.py:2:5: 'Vector' from __static__ is used at run time and has no erased form (run the original with the __static__ compatibility module instead)" ] ||
    fail "unsupported name: $(cat "$T/err")"
[ ! -e "$T/vec_out.py" ] || fail "output written despite the error"
set +e
$MIXPERF erase "$T/nothere.py" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 3 ] || fail "missing file: exit $rc"
echo ok
