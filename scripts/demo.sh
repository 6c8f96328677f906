#!/bin/sh
# `make demo`: a short load run against a local test application, then where the outputs are.
# Until the Django blog benchmark exists, the application is tests/e2e/app_server.py.
set -eu
MIXPERF=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/out/demo"
SECONDS_=${DEMO_SECONDS:-20}
mkdir -p "$OUT"

/usr/bin/python3 "$ROOT/tests/e2e/app_server.py" >"$OUT/server.port" 2>"$OUT/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT INT TERM
i=0
while [ ! -s "$OUT/server.port" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { echo "demo: the test application did not start" >&2; exit 3; }
    sleep 0.1
done
host="http://127.0.0.1:$(head -1 "$OUT/server.port")"

echo "demo: $SECONDS_ s of load on $host (2 editors, 18 readers), scenario bench/scenarios/demo.yaml"
status=0
"$MIXPERF" load "$ROOT/bench/scenarios/demo.yaml" --host "$host" -u 20 -r 10 -t "${SECONDS_}s" \
    --csv "$OUT/demo" --json "$OUT/demo.json" || status=$?
echo
echo "demo: outputs (Locust's CSV format, and everything as JSON):"
for f in "$OUT"/demo_stats.csv "$OUT"/demo_stats_history.csv "$OUT"/demo_failures.csv \
         "$OUT"/demo_exceptions.csv "$OUT"/demo.json; do
    echo "  $f"
done
exit $status
