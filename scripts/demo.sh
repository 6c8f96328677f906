#!/bin/sh
# `make demo`: the bundled benchmark. Starts the Django blog (bench/apps/blog, docs/blog.md) on a
# free local port with a fresh seeded database, runs its scenario (20 editors publishing through
# the admin, 200 readers) for DEMO_SECONDS (default 20), prints the table and where the outputs
# are, and stops the server.
set -eu
MIXPERF=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/out/demo"
SECONDS_=${DEMO_SECONDS:-20}
mkdir -p "$OUT"
rm -rf "$OUT/server"

echo "demo: starting the blog (migrate and seed a fresh SQLite database)..."
eval "$(sh "$ROOT/bench/apps/blog/serve.sh" start --dir "$OUT/server")"
trap 'sh "$ROOT/bench/apps/blog/serve.sh" stop "$MIXPERF_BLOG_DIR"' EXIT INT TERM

echo "demo: $SECONDS_ s of load on $MIXPERF_BLOG_URL: bench/scenarios/blog.yaml, 20 editors + 200 readers"
status=0
"$MIXPERF" load "$ROOT/bench/scenarios/blog.yaml" --host "$MIXPERF_BLOG_URL" -u 220 -r 50 \
    -t "${SECONDS_}s" --csv "$OUT/blog" --json "$OUT/blog.json" || status=$?
echo
echo "demo: outputs (Locust's CSV format, and everything as JSON):"
for f in "$OUT"/blog_stats.csv "$OUT"/blog_stats_history.csv "$OUT"/blog_failures.csv \
         "$OUT"/blog_exceptions.csv "$OUT"/blog.json; do
    echo "  $f"
done
echo "demo: server log: $OUT/server/gunicorn.log"
exit $status
