# Shared by tests/e2e/test_profile_*.sh (sourced). Needs MIXPERF and MP_SOURCE_DIR.
set -eu
PY=/usr/bin/python3
FIX="$MP_SOURCE_DIR/tests/e2e/profile"
CHECK="$PY $FIX/check.py"
WORK=$(mktemp -d)
BG_PIDS=""

cleanup() {
    for p in $BG_PIDS; do kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Sampler and target on different CPUs when there are two or more: the profiler then catches the
# target running at the tick instead of displacing it (docs/profile.md, "Accuracy").
if [ "$(nproc)" -ge 2 ]; then
    PIN_SAMPLER="taskset -c 0"
    PIN_TARGET="taskset -c 1"
else
    PIN_SAMPLER=""
    PIN_TARGET=""
fi

# Skips (exit 77) only when ptrace is genuinely unavailable, proven by trying it, and says why.
require_ptrace() {
    if out=$("$MIXPERF" profile -q -d 0.5 -- "$PY" -c 'import time
t = time.time()
while time.time() - t < 2: pass' 2>&1); then
        return 0
    fi
    case "$out" in
    *"needs ptrace permission"*)
        echo "SKIP: ptrace is not available to this test: $out"
        exit 77
        ;;
    esac
    fail "the profiler could not sample a plain python: $out"
}
