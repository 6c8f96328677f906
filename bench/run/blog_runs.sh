#!/bin/sh
# How many runs does the blog need? Runs bench/experiments/blog.yaml for a fixed number of measured
# runs per runtime (no early stop), then answers, for throughput and for server CPU per request:
# how many runs a 95% t interval needs to reach +-1% and +-3% of the mean on this machine, both as
# predicted from the coefficient of variation (the smallest n with t_{0.975,n-1} CV / sqrt(n) <=
# target, what mixperf's ETA uses) and as observed (the first n >= 5 at which the interval of the
# first n runs was within the target).
#
#   sh bench/run/blog_runs.sh build/release/mixperf            # BLOG_RUNS=15 measured runs each
#   BLOG_RUNS=8 BLOG_MEASURE=10s sh bench/run/blog_runs.sh build/release/mixperf
#
# The results file is kept (blog-runs.jsonl in BLOG_OUT, default a new temporary directory), so
# an interrupted run continues when started again with the same BLOG_OUT. Timings on a shared
# machine are noisy: the figures describe this machine as it is while measured.
set -eu
MIXPERF=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${BLOG_RUNS:-15}
MEASURE=${BLOG_MEASURE:-20s}
WARMUP=${BLOG_WARMUP:-10s}
OUT=${BLOG_OUT:-$(mktemp -d)}
mkdir -p "$OUT"

# The ready-to-run experiment, with a stop rule that cannot stop early: exactly RUNS runs.
sed -e "s#^    dir: ../apps/blog#    dir: $SRC/bench/apps/blog#" \
    -e "s#^    scenario: ../scenarios/blog.yaml#    scenario: $SRC/bench/scenarios/blog.yaml#" \
    -e "s#^    measure: .*#    measure: $MEASURE#" \
    -e "s#^    warmup: .*#    warmup: $WARMUP#" \
    -e "s#^  target: .*#  target: 0.000001#" \
    -e "s#^  min_runs: .*#  min_runs: $RUNS#" \
    -e "s#^  max_runs: .*#  max_runs: $RUNS#" \
    -e "s#^  max_time: .*#  max_time: 0#" \
    "$SRC/bench/experiments/blog.yaml" >"$OUT/blog-runs.yaml"
echo "blog_runs: $RUNS measured runs per runtime, window $MEASURE after $WARMUP of warm-up load;"
echo "blog_runs: results in $OUT/blog-runs.jsonl"
"$MIXPERF" run "$OUT/blog-runs.yaml" -o "$OUT/blog-runs.jsonl"
echo
for m in throughput cpu_per_request; do
    "$MIXPERF" report "$OUT/blog-runs.jsonl" --metric "$m" --baseline runtime=cpython \
        -o "$OUT/report-$m" >/dev/null
done
"$MIXPERF" compare "$OUT/blog-runs.jsonl" runtime=pypy runtime=cpython
"$MIXPERF" compare --metric cpu_per_request "$OUT/blog-runs.jsonl" runtime=pypy runtime=cpython
echo
/usr/bin/python3 - "$OUT/blog-runs.jsonl" <<'EOF'
import json, math, statistics, sys

Z975 = statistics.NormalDist().inv_cdf(0.975)


def t975(df):
    """Student t quantile by the Cornish-Fisher expansion in z (Abramowitz & Stegun 26.7.5);
    within 1e-3 of the exact value for df >= 4, which is what decides run counts here."""
    z = Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def predicted(cv, target):
    n = 3
    while n < 100000 and t975(n - 1) * cv / math.sqrt(n) > target:
        n += 1
    return n


def observed(values, target):
    for n in range(5, len(values) + 1):
        x = values[:n]
        m = statistics.fmean(x)
        h = t975(n - 1) * statistics.stdev(x) / math.sqrt(n)
        if h / abs(m) <= target:
            return str(n)
    return "> %d" % len(values)


runs = {}
failed = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["warmup"]:
        continue
    cell = r["cell"]
    if r["status"] != "ok":
        failed[cell] = failed.get(cell, 0) + 1
        continue
    runs.setdefault(cell, []).append(r)

print("%-22s %-16s %4s %12s %7s %9s %9s %9s %9s" % (
    "cell", "metric", "n", "mean", "CV", "pred ±1%", "obs ±1%", "pred ±3%", "obs ±3%"))
for cell in sorted(runs):
    for metric in ("throughput", "cpu_per_request"):
        v = [r["metrics"][metric] for r in runs[cell] if r["metrics"].get(metric) is not None]
        if len(v) < 2:
            continue
        m, cv = statistics.fmean(v), statistics.stdev(v) / statistics.fmean(v)
        print("%-22s %-16s %4d %12.6g %6.2f%% %9d %9s %9d %9s" % (
            cell, metric, len(v), m, 100 * cv, predicted(cv, 0.01), observed(v, 0.01),
            predicted(cv, 0.03), observed(v, 0.03)))
for cell, k in sorted(failed.items()):
    print("%s: %d failed runs (recorded; see the results file)" % (cell, k))
EOF
