#!/bin/sh
# The top modules of the Django blog under load (issue 6's question about the bundled benchmark):
# starts the blog (serve.sh: 2 sync gunicorn workers, fresh database), runs bench/scenarios/blog.yaml
# with mixperf for BLOG_PROFILE_SECONDS (default 30; 20 editors + 200 readers), and profiles the
# whole gunicorn process group with `mixperf profile --subprocesses --pid MASTER` while the users
# run (from 6 s in, after setup and the ramp, to 2 s before the end), at BLOG_PROFILE_RATE (default
# 200) Hz per process in CPU mode: twice the profiler's default, because sync workers are often
# off-CPU at a tick (waiting for a client or, on a shared machine, for a CPU), and a 30 s window
# at 100 Hz leaves too few samples for a stable table (a few hundred on a loaded machine). Prints the profile's header and its modules/functions tables, and keeps the collapsed
# stacks and an SVG flame graph in OUT (default out/blog-profile).
#
#   sh bench/blog/profile.sh build/release/mixperf
set -eu
MIXPERF=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SECS=${BLOG_PROFILE_SECONDS:-30}
TOP=${BLOG_PROFILE_TOP:-20}
RATE=${BLOG_PROFILE_RATE:-200}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
app="$src/bench/apps/blog"
OUT=${BLOG_PROFILE_OUT:-$src/out/blog-profile}
[ "$SECS" -ge 12 ] || { echo "profile.sh: BLOG_PROFILE_SECONDS must be at least 12" >&2; exit 2; }
mkdir -p "$OUT"
rm -rf "$OUT/server"
MIXPERF_BLOG_DIR=""
LOAD_PID=""
cleanup() {
    [ -z "$LOAD_PID" ] || kill "$LOAD_PID" 2>/dev/null || true
    [ -z "$MIXPERF_BLOG_DIR" ] || sh "$app/serve.sh" stop "$MIXPERF_BLOG_DIR" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$(sh "$app/serve.sh" start --dir "$OUT/server")"
echo "blog profile: $SECS s of blog.yaml (20 editors + 200 readers) on $MIXPERF_BLOG_URL," \
    "gunicorn master $MIXPERF_BLOG_PID and its workers profiled from 6 s to $((SECS - 2)) s at $RATE Hz"
BLOG_EDITORS=20 "$MIXPERF" load "$src/bench/scenarios/blog.yaml" --host "$MIXPERF_BLOG_URL" \
    -u 220 -r 50 -t "${SECS}s" -q --json "$OUT/load.json" >"$OUT/load.out" 2>&1 &
LOAD_PID=$!
sleep 6
status=0
"$MIXPERF" profile --subprocesses --pid "$MIXPERF_BLOG_PID" -d "$((SECS - 8))s" -n "$TOP" -r "$RATE" \
    --collapsed "$OUT/blog.stacks" --svg "$OUT/blog.svg" >"$OUT/profile.txt" 2>"$OUT/profile.err" ||
    status=$?
load_status=0
wait "$LOAD_PID" || load_status=$?
LOAD_PID=""
if [ "$status" -ne 0 ]; then
    echo "blog profile: mixperf profile exited with $status:" >&2
    cat "$OUT/profile.err" >&2
    exit "$status"
fi
# The header, then the modules and functions tables (lines are in the SVG and the stacks).
sed -n '/^Lines/q;p' "$OUT/profile.txt"
/usr/bin/python3 - "$OUT/load.json" "$load_status" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
t, m = doc["total"], doc["meta"]
print(f"load during the profile: mixperf exit status {sys.argv[2]}, {t['num_requests']} requests, "
      f"{t['num_failures']} failures, {t['requests_per_s']:.1f} requests/s over "
      f"{m['run_time_s']:.0f} s, users {m['users_by_class']}")
EOF
echo "blog profile: collapsed stacks $OUT/blog.stacks, flame graph $OUT/blog.svg"
