#!/bin/sh
# `make bench`: every benchmark, each printing ratios against peers measured in the same run.
# BENCH selects groups (default: load http profile blog): load (mixperf vs wrk and Locust on nginx),
# http (the HTTP client alone vs wrk and libcurl), profile (accuracy and overhead of the profiler),
# blog (the Django blog driven by Locust and by mixperf, then its top modules under load;
# docs/blog.md), programs (bench/programs on CPython, PyPy and mypyc, docs/programs.md), runs (how
# many runs the blog needs for a given precision, bench/run/blog_runs.sh). BENCH_ROUNDS /
# BENCH_SECONDS tune the load group's length, BLOG_BENCH_* the blog group's.
set -eu
MIXPERF=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ulimit -n 20000 2>/dev/null || true
groups=${BENCH:-load http profile blog}
for g in $groups; do
    case $g in
    load) /usr/bin/python3 "$BENCH_DIR/load/bench_load.py" "$MIXPERF" ;;
    http) sh "$BENCH_DIR/http/run.sh" "$MIXPERF" ;;
    profile) sh "$BENCH_DIR/profile/run.sh" "$MIXPERF" ;;
    blog)
        /usr/bin/python3 "$BENCH_DIR/blog/compare.py" "$MIXPERF"
        sh "$BENCH_DIR/blog/profile.sh" "$MIXPERF"
        ;;
    programs) /usr/bin/python3 "$BENCH_DIR/programs/measure.py" ;;
    runs) sh "$BENCH_DIR/run/blog_runs.sh" "$MIXPERF" ;;
    *) echo "bench: unknown group '$g'" >&2; exit 2 ;;
    esac
done
