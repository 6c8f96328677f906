#!/bin/sh
# `make demo`: the bundled benchmark. Starts the Django blog (bench/apps/blog, docs/blog.md) on a
# free local port with a fresh seeded database, runs its scenario (20 editors publishing through
# the admin, 200 readers) for DEMO_SECONDS (default 30), stops the server, and prints the lines
# that matter -- requests, failures, throughput, median and 95th percentile per kind of page, the
# posts the editors published -- and where the full outputs are.
set -eu
MIXPERF=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/out/demo"
SECONDS_=${DEMO_SECONDS:-30}
EDITORS=20
READERS=200
mkdir -p "$OUT"
rm -rf "$OUT/server"
rm -f "$OUT"/blog_*.csv "$OUT/blog.json" "$OUT/status"

echo "demo: starting the blog (migrate and seed a fresh SQLite database)..."
eval "$(sh "$ROOT/bench/apps/blog/serve.sh" start --dir "$OUT/server")"
trap 'sh "$ROOT/bench/apps/blog/serve.sh" stop "$MIXPERF_BLOG_DIR"' EXIT INT TERM

echo "demo: $SECONDS_ s of load on $MIXPERF_BLOG_URL (2 gunicorn workers): bench/scenarios/blog.yaml,"
echo "      $EDITORS editors publishing through the admin + $READERS readers; setup creates the editors"
echo "      through the admin's forms first, teardown deletes them and their posts afterwards"
# The progress lines only: the full tables are in the CSV and JSON files, summarised below.
{
    status=0
    BLOG_EDITORS=$EDITORS "$MIXPERF" load "$ROOT/bench/scenarios/blog.yaml" \
        --host "$MIXPERF_BLOG_URL" -u $((EDITORS + READERS)) -r 50 -t "${SECONDS_}s" \
        --csv "$OUT/blog" --json "$OUT/blog.json" || status=$?
    echo "$status" >"$OUT/status"
} | grep --line-buffered -E '^ *[0-9.]+s  users|seed'
status=$(cat "$OUT/status" 2>/dev/null || echo 3)

echo
/usr/bin/python3 - "$OUT" "$MIXPERF_BLOG_DB" <<'EOF' || true
import csv, json, sqlite3, sys
out, db = sys.argv[1], sys.argv[2]
try:
    meta = json.load(open(f"{out}/blog.json"))["meta"]
    rows = list(csv.DictReader(open(f"{out}/blog_stats.csv", newline="")))
except (OSError, ValueError, KeyError) as e:
    sys.exit(f"demo: no statistics to summarise ({e})")
if meta.get("setup_failed"):
    print(f"demo: setup failed: {meta.get('setup_error')}")
total = next(r for r in rows if r["Name"] == "Aggregated")
by_class = meta["users_by_class"]
print(f"demo: {meta['run_time_s']:.0f} s, {by_class.get('Editor', 0)} editors + "
      f"{by_class.get('Reader', 0)} readers: {total['Request Count']} requests, "
      f"{total['Failure Count']} failures, {float(total['Requests/s']):.1f} requests/s")
print(f"  {'request':<30} {'count':>7} {'fails':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
for r in rows:
    if r["Name"] == "Aggregated" or r["Request Count"] == "0":
        continue
    print(f"  {r['Type'] + ' ' + r['Name']:<30} {r['Request Count']:>7} {r['Failure Count']:>6} "
          f"{float(r['Requests/s']):>7.1f} {r['50%']:>8} {r['95%']:>8}")
pub = next((r for r in rows if (r["Type"], r["Name"]) == ("POST", "/admin/blog/post/add/")), None)
if pub:
    ok = int(pub["Request Count"]) - int(pub["Failure Count"])
    print(f"demo: editors published {ok} posts through the admin's add form; readers read them")
failures = list(csv.DictReader(open(f"{out}/blog_failures.csv", newline="")))
for f in sorted(failures, key=lambda f: -int(f["Occurrences"]))[:5]:
    print(f"  failure x{f['Occurrences']}: {f['Method']} {f['Name']}: {f['Error']}")
aux = meta["setup_teardown"]["total"]
with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
    posts = con.execute("SELECT COUNT(*) FROM blog_post").fetchone()[0]
    editors = con.execute("SELECT COUNT(*) FROM auth_user WHERE username LIKE 'editor%'").fetchone()[0]
print(f"demo: setup and teardown: {aux['num_requests']} admin requests, {aux['num_failures']} "
      f"failures; the database holds the seed's {posts} posts and {editors} editor accounts again")
print("demo: 2 sync workers are saturated on purpose: latencies include the wait for a free "
      "worker (docs/blog.md)")
EOF
echo "demo: full tables (Locust's CSV format, and everything as JSON):"
for f in "$OUT"/blog_stats.csv "$OUT"/blog_stats_history.csv "$OUT"/blog_failures.csv \
         "$OUT"/blog_exceptions.csv "$OUT"/blog.json; do
    echo "  $f"
done
echo "demo: server log: $OUT/server/gunicorn.log"
exit "$status"
