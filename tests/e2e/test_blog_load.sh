#!/bin/sh
# The blog benchmark for real: serve.sh starts gunicorn (2 sync workers) on a free port with a
# fresh seeded database, and mixperf runs bench/scenarios/blog.yaml itself against it -- 5 editors
# (BLOG_EDITORS) and 50 readers for 15 s, letting every user finish its task (--stop-timeout) so
# that no request is in flight at the end. Teardown is held back (--no-teardown) so the database
# can be read as the users left it, then run alone (--no-setup -u 0). Asserts:
#   - no request failed and no scenario error happened (the CSV files and the JSON);
#   - setup created editor0..editor4 through the admin: staff, in the Editors group;
#   - posts in the database = the seed's + exactly one per successful publish that mixperf counted
#     (the slugs carry counter.post: they are 1..N, each once -- nothing lost, nothing doubled);
#   - each new post is published, has 1-3 tags, is by the editor its slug names (post-e3-... by
#     editor3), and its page answers 200 with its title;
#   - the editors' dashboard views equal their publishes (the task alternates them);
#   - after teardown the database equals the freshly seeded one;
#   - serve.sh stop leaves no process of the server's group behind.
set -eu
: "${MIXPERF:?MIXPERF must name the mixperf binary}"
src=${MP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
app="$src/bench/apps/blog"
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mixperf-blog-e2e.XXXXXX")
MIXPERF_BLOG_DIR=""
cleanup() {
    [ -z "$MIXPERF_BLOG_DIR" ] || "$app/serve.sh" stop "$MIXPERF_BLOG_DIR" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "test_blog_load: $*" >&2
    for f in "$tmp/load.err" "$tmp/run/gunicorn.log"; do
        [ -s "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
    done
    exit 1
}

out=$("$app/serve.sh" start --dir "$tmp/run" --posts 200)
eval "$out"
echo "server: $MIXPERF_BLOG_URL (pid $MIXPERF_BLOG_PID)"
state() { (cd "$app" && MIXPERF_BLOG_DB="$MIXPERF_BLOG_DB" $PY manage.py benchstate); }
state >"$tmp/before.json"

status=0
BLOG_EDITORS=5 timeout -k 5 300 "$MIXPERF" load "$src/bench/scenarios/blog.yaml" \
    --host "$MIXPERF_BLOG_URL" -u 55 -r 50 -t 15s --stop-timeout 60 --threads 2 --seed 11 \
    --no-teardown --csv "$tmp/users" --json "$tmp/users.json" -q \
    >"$tmp/load.out" 2>"$tmp/load.err" || status=$?
[ "$status" -eq 0 ] || fail "mixperf load exited with $status"
state >"$tmp/during.json"

$PY - "$tmp" "$MIXPERF_BLOG_URL" "$MIXPERF_BLOG_DB" <<'PYEOF' || fail "checks after the users failed"
import csv, html, json, re, sqlite3, sys, urllib.request
tmp, url, db = sys.argv[1], sys.argv[2], sys.argv[3]
def fail(msg):
    sys.exit("test_blog_load: " + msg)
def rows(name):
    with open(f"{tmp}/{name}", newline="") as f:
        return list(csv.DictReader(f))
before, during = (json.load(open(f"{tmp}/{n}.json")) for n in ("before", "during"))
run = json.load(open(f"{tmp}/users.json"))
meta = run["meta"]

# Nothing failed, by the CSV files and by the JSON.
stats = {(r["Type"], r["Name"]): r for r in rows("users_stats.csv")}
bad = {k: r["Failure Count"] for k, r in stats.items() if r["Failure Count"] != "0"}
if bad or rows("users_failures.csv") or rows("users_exceptions.csv"):
    fail(f"failures {bad} {rows('users_failures.csv')} {rows('users_exceptions.csv')}")
if run["total"]["num_failures"] or run["failures"] or run["exceptions"]:
    fail(f"JSON failures {run['failures']} exceptions {run['exceptions']}")
aux = meta["setup_teardown"]
if aux["total"]["num_failures"] or meta["setup_failed"] or meta["users_failed_start"]:
    fail(f"setup failed: {meta.get('setup_error')} {aux['failures']}")
if meta["users_by_class"] != {"Editor": 5, "Reader": 50}:
    fail(f"users {meta['users_by_class']}")

def count(method, name):
    csv_n = int(stats[(method, name)]["Request Count"])
    entry = [e for e in run["entries"] if (e["method"], e["name"]) == (method, name)]
    if len(entry) != 1 or entry[0]["num_requests"] != csv_n:
        fail(f"{method} {name}: CSV {csv_n}, JSON {entry}")
    return csv_n

# Setup made the five editors through the admin's forms.
setup = {(e["method"], e["name"]): e["num_requests"] for e in aux["entries"]}
if setup.get(("POST", "/admin/auth/user/add/")) != 5:
    fail(f"setup requests {setup}")
editors = sorted(u for u in during["users"] if u.startswith("editor"))
if editors != [f"editor{i}" for i in range(5)]:
    fail(f"editors {editors}")
with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
    accounts = con.execute(
        "SELECT u.username, u.is_staff, u.is_superuser, u.is_active, u.last_name, g.name "
        "FROM auth_user u JOIN auth_user_groups ug ON ug.user_id = u.id "
        "JOIN auth_group g ON g.id = ug.group_id WHERE u.username LIKE 'editor%' "
        "ORDER BY u.username").fetchall()
if accounts != [(f"editor{i}", 1, 0, 1, str(i), "Editors") for i in range(5)]:
    fail(f"editor accounts {accounts}")

# Posts in the database = the seed's + one per successful publish.
publishes = count("POST", "/admin/blog/post/add/")
if publishes < 5:
    fail(f"only {publishes} publishes")
if count("GET", "/admin/") != publishes:
    fail(f"{count('GET', '/admin/')} dashboards for {publishes} publishes")
seed = {p["slug"] for p in before["posts"]}
if not seed <= {p["slug"] for p in during["posts"]}:
    fail("seed posts are missing")
new = [p for p in during["posts"] if p["slug"] not in seed]
if len(new) != publishes:
    fail(f"{len(new)} new posts in the database, {publishes} publishes counted by mixperf")
numbers = []
for p in new:
    m = re.fullmatch(r"post-e(\d+)-(\d+)-[a-z0-9]{6}", p["slug"])
    if not m:
        fail(f"slug {p['slug']}")
    numbers.append(int(m.group(2)))
    if p["author"] != f"editor{m.group(1)}" or p["published"] is not True:
        fail(f"{p['slug']}: by {p['author']}, published {p['published']}")
    if not 1 <= len(p["tags"]) <= 3:
        fail(f"{p['slug']}: tags {p['tags']}")
    with urllib.request.urlopen(f"{url}/posts/{p['slug']}/", timeout=30) as r:
        page = r.read().decode()
        if r.status != 200 or f"<h1>{html.escape(p['title'])}</h1>" not in page:
            fail(f"{p['slug']}: status {r.status} or title missing")
if sorted(numbers) != list(range(1, publishes + 1)):
    fail(f"counter values {sorted(numbers)}")
multi = sum(len(p["tags"]) > 1 for p in new)
reads = count("GET", "/posts/[slug]/")
if reads == 0 or count("GET", "/tags/[tag]/") == 0 or count("GET", "/?page=[n]") == 0:
    fail("readers did not read")
print(f"ok: {publishes} posts by 5 editors ({multi} with several tags), each in the database "
      f"once, by its editor, answering with its title; {reads} post pages read, no failure")
PYEOF

status=0
timeout -k 5 120 "$MIXPERF" load "$src/bench/scenarios/blog.yaml" --host "$MIXPERF_BLOG_URL" \
    --no-setup -u 0 --json "$tmp/teardown.json" -q >"$tmp/load.out" 2>"$tmp/load.err" || status=$?
[ "$status" -eq 0 ] || fail "teardown run exited with $status"
[ ! -s "$tmp/load.err" ] || fail "teardown reported: $(cat "$tmp/load.err")"
$PY - "$tmp/teardown.json" <<'PYEOF' || fail "teardown check failed"
import json, sys
aux = json.load(open(sys.argv[1]))["meta"]["setup_teardown"]
done = {(e["method"], e["name"]): (e["num_requests"], e["num_failures"]) for e in aux["entries"]}
want = ("POST", "/admin/auth/user/?q=editor [delete_selected, confirm]")
if done.get(want) != (1, 0) or aux["total"]["num_failures"]:
    sys.exit(f"teardown requests {done}")
PYEOF
state >"$tmp/after.json"
cmp -s "$tmp/before.json" "$tmp/after.json" || {
    diff "$tmp/before.json" "$tmp/after.json" | head -20 >&2
    fail "teardown left the database different from the seed"
}

pid=$MIXPERF_BLOG_PID
"$app/serve.sh" stop "$MIXPERF_BLOG_DIR"
MIXPERF_BLOG_DIR=""
if kill -0 "-$pid" 2>/dev/null; then
    kill -KILL "-$pid" 2>/dev/null || true
    fail "processes of group $pid survived serve.sh stop"
fi
echo "ok: teardown (one bulk delete) restored the seed data; the server's process group is gone"
