# Shared by tests/e2e/test_load_*.sh (sourced, not a test itself): a scratch directory, the test
# application server on an ephemeral port, and small helpers. Everything started here is stopped
# on exit.
set -eu
: "${MIXPERF:?MIXPERF must name the mixperf binary}"
: "${MP_SOURCE_DIR:?MP_SOURCE_DIR must name the source tree}"
PY=/usr/bin/python3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mixperf-e2e.XXXXXX")
SERVER_PID=""
LOAD_PID=""

cleanup() {
    if [ -n "$LOAD_PID" ]; then kill "$LOAD_PID" 2>/dev/null || true; fi
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Starts tests/e2e/app_server.py; sets PORT and HOST.
start_server() {
    "$PY" "$MP_SOURCE_DIR/tests/e2e/app_server.py" >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    i=0
    while [ ! -s "$WORK/server.out" ]; do
        i=$((i + 1))
        [ $i -le 200 ] || fail "app server did not start: $(cat "$WORK/server.err")"
        sleep 0.05
    done
    PORT=$(head -1 "$WORK/server.out")
    HOST="http://127.0.0.1:$PORT"
}

# Writes the server's record of what happened to $WORK/log.json.
server_log() {
    "$PY" -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/__log").read().decode())' "$HOST" \
        >"$WORK/log.json"
}

# Runs mixperf load bounded by a timeout; the exit status is left in $STATUS, output in
# $WORK/out.txt and $WORK/err.txt.
run_load() {
    STATUS=0
    timeout -k 5 120 "$MIXPERF" load "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || STATUS=$?
}

# Runs a Python check with the scratch directory as argv[1]; its failure fails the test.
check() {
    "$PY" - "$WORK" "$@" || {
        echo "--- mixperf stdout" >&2
        tail -30 "$WORK/out.txt" >&2 2>/dev/null || true
        echo "--- mixperf stderr" >&2
        tail -30 "$WORK/err.txt" >&2 2>/dev/null || true
        fail "check failed"
    }
}
