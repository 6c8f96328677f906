#!/bin/sh
# The blog benchmark's own Django tests (bench/apps/blog/tests), with Debian's interpreter, which
# has python3-django: views, admin and seed command. (blog.yaml itself runs under mixperf against
# the real server in test_blog_load.sh.)
# The test database is SQLite in memory; MIXPERF_BLOG_DB points at a scratch directory so that a
# stray connection to the configured database could not touch the source tree.
set -eu
src=${MP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$src/bench/apps/blog"
MIXPERF_BLOG_DB="$tmp/unused.sqlite3" PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 manage.py test tests --noinput -v 1
if [ -e "$tmp/unused.sqlite3" ]; then
    echo "test_blog_django: the tests opened the configured database instead of a test one" >&2
    exit 1
fi
