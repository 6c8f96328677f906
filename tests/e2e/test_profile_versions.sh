#!/bin/sh
# Which interpreters the profiler reads, and the one clear error for everything else: CPython 3.12
# (checked-in table) and 3.13 (_Py_DebugOffsets) from pyenv when they are installed, 3.10 refused
# by name, a non-Python process refused, bad command lines refused.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace

for v in 3.12 3.13; do
    py=$(ls -d /root/.pyenv/versions/$v.*/bin/python$v 2>/dev/null | head -1 || true)
    if [ -z "$py" ]; then
        echo "note: no pyenv CPython $v here; its live check is skipped (unit tests cover the layout)"
        continue
    fi
    $PIN_SAMPLER "$MIXPERF" profile --rate 500 -n 5 --collapsed "$WORK/$v.txt" \
        -- $PIN_TARGET "$py" "$FIX/twomod.py" 2 >"$WORK/$v.top" 2>"$WORK/$v.err" ||
        fail "$v: $(cat "$WORK/$v.err")"
    sed -n 's/^# python: //p' "$WORK/$v.top" | grep -q "^$v\." || fail "$v: header names $(sed -n 's/^# python: //p' "$WORK/$v.top")"
    # 1000 samples: the split is checked loosely here; test_profile_split holds the 2-point bound.
    $CHECK split "$WORK/$v.txt" mod_a mod_b 70 6
    $CHECK header "$WORK/$v.top" errors '[0-9]+ of [0-9]+ reads \(0\.[0-9]+%\).*'
done

old=$(ls -d /root/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | head -1 || true)
if [ -n "$old" ]; then
    set +e
    "$MIXPERF" profile -d 1 -- "$old" -c 'import time; time.sleep(3)' >"$WORK/old.out" 2>&1
    rc=$?
    set -e
    [ $rc -eq 3 ] || fail "3.10: exit $rc, expected 3"
    grep -Eq "^mixperf profile: process [0-9]+ runs Python 3\.10 \(/root/\.pyenv/versions/3\.10\.[0-9]+/(bin/python3\.10|lib/libpython3\.10\.so\.1\.0)\), which is not supported: mixperf profile reads CPython 3\.11, 3\.12 and 3\.13$" "$WORK/old.out" ||
        fail "3.10: unexpected message: $(cat "$WORK/old.out")"
    echo "3.10 refused: $(cat "$WORK/old.out")"
fi

sleep 30 &
sl=$!
BG_PIDS="$sl"
set +e
"$MIXPERF" profile --pid $sl >"$WORK/sleep.out" 2>&1
rc=$?
set -e
[ $rc -eq 3 ] || fail "sleep: exit $rc, expected 3"
exe=$(readlink /proc/$sl/exe)
grep -qxF "mixperf profile: process $sl ($exe) is not a CPython process: no _PyRuntime in its executable or a libpython (use --subprocesses to profile the Python processes it starts)" "$WORK/sleep.out" ||
    fail "sleep: unexpected message: $(cat "$WORK/sleep.out")"
echo "non-Python refused: $(cat "$WORK/sleep.out")"

set +e
"$MIXPERF" profile >"$WORK/usage.out" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "no target: exit $rc, expected 2"
grep -qxF "mixperf profile: give either --pid PID or -- COMMAND" "$WORK/usage.out" || fail "usage: $(cat "$WORK/usage.out")"
set +e
"$MIXPERF" profile --pid 1 --rate 0 >"$WORK/usage.out" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] && grep -qxF "mixperf profile: --rate must be in (0, 1000]" "$WORK/usage.out" ||
    fail "bad rate: exit $rc: $(cat "$WORK/usage.out")"
echo "PASS"
