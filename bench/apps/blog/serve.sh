#!/bin/sh
# Start and stop the blog benchmark server: a per-run directory with a fresh SQLite database,
# migrated and seeded, served by gunicorn on 127.0.0.1 at a free port (docs/blog.md).
#
#   serve.sh start [--dir DIR] [--posts N] [--tags T] [--seed S] [--workers W]
#       prints shell assignments for the caller to eval:
#         MIXPERF_BLOG_URL=http://127.0.0.1:PORT  MIXPERF_BLOG_PID=<gunicorn master pid>
#         MIXPERF_BLOG_DIR=<run directory>        MIXPERF_BLOG_DB=<database file>
#       The server runs in a process group (session) of its own; its log is DIR/gunicorn.log.
#   serve.sh stop DIR
#       terminates that process group (TERM, then KILL after 15 s) and waits until it is gone.
#
# Environment: PYTHON (default /usr/bin/python3, which has Debian's Django and gunicorn),
# MIXPERF_BLOG_ACCESS_LOG (see gunicorn.conf.py), MIXPERF_BLOG_ADMIN_USER/_PASSWORD (seed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}

die() { echo "serve.sh: $*" >&2; exit 3; }

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits for /healthz to answer "ok" while the process lives; exit 0 ready, 1 died, 2 timed out.
wait_ready() {
    "$PYTHON" - "$1" "$2" <<'EOF'
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
            if r.status == 200 and r.read() == b"ok":
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(2)
EOF
}

# Terminates process group $1 and waits for every member to exit.
stop_group() {
    pgid=$1
    kill -TERM "-$pgid" 2>/dev/null || return 0
    i=0
    while kill -0 "-$pgid" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -eq 150 ]; then
            kill -KILL "-$pgid" 2>/dev/null || true
        fi
        [ "$i" -lt 200 ] || die "process group $pgid does not exit"
        sleep 0.1
    done
}

start() {
    dir="" posts=200 tags=12 seed=1 workers=${MIXPERF_BLOG_WORKERS:-2}
    while [ $# -gt 0 ]; do
        case $1 in
            --dir) dir=$2; shift 2 ;;
            --posts) posts=$2; shift 2 ;;
            --tags) tags=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            --workers) workers=$2; shift 2 ;;
            *) usage ;;
        esac
    done
    if [ -z "$dir" ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/mixperf-blog.XXXXXX")
    else
        mkdir -p "$dir"
        dir=$(cd "$dir" && pwd)
    fi
    [ ! -e "$dir/blog.sqlite3" ] || die "$dir already holds a database; give an empty --dir"

    export MIXPERF_BLOG_DB="$dir/blog.sqlite3"
    (cd "$here" && "$PYTHON" manage.py migrate --noinput -v 0 &&
        "$PYTHON" manage.py seed --posts "$posts" --tags "$tags" --seed "$seed") \
        >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; die "migrate/seed failed"; }

    # Another process may take the port between the probe and gunicorn's bind: retry with a new one.
    for attempt in 1 2 3; do
        port=$(free_port)
        rm -f "$dir/gunicorn.pid"
        # setsid: the server gets a session and process group of its own, so `stop` can end the
        # master and every worker at once without touching the caller.
        MIXPERF_BLOG_BIND="127.0.0.1:$port" MIXPERF_BLOG_WORKERS="$workers" \
            MIXPERF_BLOG_PIDFILE="$dir/gunicorn.pid" \
            setsid "$PYTHON" -m gunicorn -c "$here/gunicorn.conf.py" \
            </dev/null >>"$dir/gunicorn.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/server.pid"
        if wait_ready "http://127.0.0.1:$port" "$pid"; then
            echo "MIXPERF_BLOG_URL=http://127.0.0.1:$port"
            echo "MIXPERF_BLOG_PID=$pid"
            echo "MIXPERF_BLOG_DIR=$dir"
            echo "MIXPERF_BLOG_DB=$dir/blog.sqlite3"
            return 0
        fi
        stop_group "$pid"
        echo "serve.sh: attempt $attempt on port $port failed:" >&2
        tail -5 "$dir/gunicorn.log" >&2
    done
    die "gunicorn did not start (log: $dir/gunicorn.log)"
}

stop() {
    [ $# -eq 1 ] || usage
    [ -f "$1/server.pid" ] || die "no server.pid in $1"
    stop_group "$(cat "$1/server.pid")"
    rm -f "$1/server.pid"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
    start) start "$@" ;;
    stop) stop "$@" ;;
    *) usage ;;
esac
