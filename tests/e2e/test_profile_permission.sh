#!/bin/sh
# Without ptrace permission the profiler fails with one message that says what to change.
. "$MP_SOURCE_DIR/tests/e2e/profile/lib.sh"
require_ptrace
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
    echo "SKIP: needs root and setpriv to run the profiler as an unprivileged user"
    exit 77
fi
"$PY" -c 'import time; time.sleep(30)' &
tgt=$!
BG_PIDS="$tgt"
sleep 0.3
cp "$MIXPERF" "$WORK/mixperf"
chmod 755 "$WORK" "$WORK/mixperf"
set +e
setpriv --reuid=65534 --regid=65534 --clear-groups "$WORK/mixperf" profile --pid $tgt >"$WORK/out" 2>&1
rc=$?
set -e
[ $rc -eq 3 ] || fail "exit $rc, expected 3: $(cat "$WORK/out")"
grep -Eq "^mixperf profile: cannot read (/proc/$tgt/maps|the memory of process $tgt): Permission denied; profiling another process needs ptrace permission: run as root or with CAP_SYS_PTRACE \(in a container: docker run --cap-add SYS_PTRACE\), and kernel\.yama\.ptrace_scope \(here: [^)]*\) must be 0, or 1 for a process you started; only one tracer \(gdb, strace, py-spy\) can hold a thread at a time$" "$WORK/out" ||
    fail "unexpected message: $(cat "$WORK/out")"
echo "refused: $(cat "$WORK/out")"
echo "PASS"
