#!/bin/sh
# The blog served for real: serve.sh starts gunicorn (2 sync workers) on a free port, the reference
# interpreter (bench/apps/blog/scenario_ref.py) runs blog.yaml, scaled to 5 editors with the sed
# docs/blog.md gives, against it for a few seconds with one thread per user, and then:
#   - no request failed, and the database holds exactly the seed posts plus one post per successful
#     publish, each by the editor that published it, each page answering 200 with its title;
#   - after teardown the database equals the freshly seeded one;
#   - serve.sh stop leaves no process of the server's group behind.
set -eu
src=${MP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
app="$src/bench/apps/blog"
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
tmp=$(mktemp -d)
MIXPERF_BLOG_DIR=""
cleanup() {
    [ -z "$MIXPERF_BLOG_DIR" ] || "$app/serve.sh" stop "$MIXPERF_BLOG_DIR" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

out=$("$app/serve.sh" start --dir "$tmp/run" --posts 200)
eval "$out"
echo "server: $MIXPERF_BLOG_URL (pid $MIXPERF_BLOG_PID)"
state() { (cd "$app" && MIXPERF_BLOG_DB="$MIXPERF_BLOG_DB" $PY manage.py benchstate); }
state >"$tmp/before.json"

sed -E '/# EDITORS/ s/count: [0-9]+/count: 5/' "$src/bench/scenarios/blog.yaml" >"$tmp/blog5.yaml"
$PY "$app/scenario_ref.py" "$tmp/blog5.yaml" --host "$MIXPERF_BLOG_URL" -u 25 -t 8 --seed 11 \
    --no-teardown --json "$tmp/run.json"
state >"$tmp/during.json"

$PY - "$tmp/run.json" "$tmp/before.json" "$tmp/during.json" "$MIXPERF_BLOG_URL" <<'PYEOF'
import html, json, sys, urllib.request
run, before, during = (json.load(open(p)) for p in sys.argv[1:4])
url = sys.argv[4]
def fail(msg):
    sys.exit("test_blog_serve: " + msg)
for table in ("setup_teardown", "users"):
    bad = {k: v["failures"] for k, v in run[table].items() if v["failed"]}
    if bad:
        fail(f"{table} failures: {bad}")
publishes = run["users"]["POST /admin/blog/post/add/"]["ok"]
slugs = run["pools"]["slugs"]
if publishes == 0 or len(slugs) != publishes or len(set(slugs)) != publishes:
    fail(f"{publishes} publishes but pool {slugs}")
seed = {p["slug"] for p in before["posts"]}
new = {p["slug"]: p for p in during["posts"] if p["slug"] not in seed}
if set(new) != set(slugs):
    fail(f"posts in the database {sorted(new)} != published {sorted(slugs)}")
for user_class, k, pool, slug in run["pushes"]:
    p = new[slug]
    if (user_class, p["author"], p["published"]) != ("Editor", f"editor{k}", True):
        fail(f"{slug}: pushed by {user_class} {k}, in the database {p}")
    with urllib.request.urlopen(f"{url}/posts/{slug}/") as r:
        page = r.read().decode()
    if r.status != 200 or f"<h1>{html.escape(p['title'])}</h1>" not in page:
        fail(f"{slug}: status {r.status} or title missing")
editors = sorted(u for u in during["users"] if u.startswith("editor"))
if editors != [f"editor{i}" for i in range(5)]:
    fail(f"editors {editors}")
reads = run["users"]["GET /posts/[slug]/"]["ok"]
print(f"ok: {publishes} posts published by 5 editors, {reads} post pages read, all checked")
PYEOF

$PY "$app/scenario_ref.py" "$tmp/blog5.yaml" --host "$MIXPERF_BLOG_URL" --teardown-only
state >"$tmp/after.json"
cmp "$tmp/before.json" "$tmp/after.json" || {
    echo "test_blog_serve: teardown left the database different from the seed" >&2
    diff "$tmp/before.json" "$tmp/after.json" | head -20 >&2
    exit 1
}

pid=$MIXPERF_BLOG_PID
"$app/serve.sh" stop "$MIXPERF_BLOG_DIR"
MIXPERF_BLOG_DIR=""
if kill -0 "-$pid" 2>/dev/null; then
    echo "test_blog_serve: processes of group $pid survived serve.sh stop" >&2
    kill -KILL "-$pid" 2>/dev/null || true
    exit 1
fi
echo "ok: teardown restored the seed data; the server's process group is gone"
