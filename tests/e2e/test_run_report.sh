#!/bin/sh
# compare and report on results with known ratios (METHODS.md B.5's samples A and B), and the
# pyperf export checked against pyperf's loading rules (tests/e2e/pyperf_check.py).
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
SRC=${MP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
fail() {
    echo "test_run_report: $*" >&2
    exit 1
}

# One results line (the fields the readers need, as `mixperf run` writes them).
line() { # runtime config index warmup status value metric [throughput]
    v=$6
    [ "$5" = ok ] || v=null
    printf '{"schema":"mixperf.run/1","experiment":"b5","cell":"%s/bench/%s","runtime":"%s","benchmark":"bench","config":"%s","index":%s,"round":%s,"warmup":%s,"status":"%s","metric":"%s","value":%s,"metrics":{"%s":%s},"start":"2026-11-26T04:0%s:00.000000Z","end":"2026-11-26T04:0%s:01.000000Z","duration_s":1.0,"seed":5,"rule":{"method":"t","confidence":0.95,"target":0.01,"min_runs":5,"max_runs":50,"max_time_s":0,"warmup_runs":1},"provenance":{"host":"h1","kernel":"Linux 6.1.0 #1 SMP","machine":"x86_64","cpu_model":"Test CPU","cpus":2,"runtime_path":"/usr/bin/python3.11","runtime_version":"CPython 3.11.2 (main) [GCC 12.2.0]"}}\n' \
        "$1" "$2" "$1" "$2" "$3" "$3" "$4" "$5" "$7" "$v" "$7" "$v" "$(($3 % 10))" "$(($3 % 10))"
}
{
    line cpython a 0 true ok 9.99 wall
    i=1
    for v in 1.02 0.98 1.05 1.10 0.97 1.01 1.03 0.99; do line cpython a $i false ok $v wall; i=$((i + 1)); done
    i=0
    for v in 2.10 2.05 2.20 1.98 2.15 2.07 2.12 2.03; do line cpython b $i false ok $v wall; i=$((i + 1)); done
    line cpython b 8 false failed 0 wall
    line cpython b 9 false timeout 0 wall
    i=0
    for v in 2.11 2.04 2.19 1.99 2.14 2.08 2.11 2.04; do line pypy b $i false ok $v wall; i=$((i + 1)); done
    i=0
    for v in 812.5 800.25 790.0 805.5; do line cpython srv $i false ok $v throughput; i=$((i + 1)); done
} >r.jsonl

# compare: ratio of means B/A with Fieller, pooled and Welch df (B.5's vectors)
"$MIXPERF" compare --df pooled r.jsonl cpython/bench/b config=a >pooled.out
grep -qx "  ratio 2.049080 \[1.968164, 2.134050\] (Fieller, 95%, pooled df 14.00)" pooled.out ||
    { cat pooled.out >&2; fail "Fieller, pooled df"; }
grep -qx "  A is 104.91% higher than the baseline (worse; significant at 95%)" pooled.out ||
    fail "verdict"
"$MIXPERF" compare r.jsonl b a >welch.out
grep -q "^metric wall (s), lower is better; ratio = mean(A) / mean(B); baseline B = a$" welch.out ||
    { cat welch.out >&2; fail "header"; }
grep -qx "A cpython/bench/b: mean 2.0875 s (n = 8)" welch.out || fail "A's mean"
grep -qx "B cpython/bench/a: mean 1.01875 s (n = 8)" welch.out || fail "B's mean (warm-up left out)"
grep -qx "  ratio 2.049080 \[1.967841, 2.134406\] (Fieller, 95%, Welch df 13.42)" welch.out ||
    { cat welch.out >&2; fail "Fieller, Welch df"; }
"$MIXPERF" compare --method log-welch r.jsonl b a | grep -qx \
    "  ratio 2.049585 \[1.968699, 2.133795\] (ratio of geometric means, Welch t on logs, 95%, Welch df 13.48)" ||
    fail "log-Welch"
# runtimes paired by benchmark and configuration; nearly equal: no significant difference
"$MIXPERF" compare r.jsonl runtime=pypy runtime=cpython >rt.out
grep -c '^A ' rt.out | grep -qx 1 || fail "runtime pairs: $(cat rt.out)"
grep -qx "  no significant difference (the interval contains 1)" rt.out || fail "no significant difference"
"$MIXPERF" compare --method bootstrap --seed 7 r.jsonl runtime=pypy runtime=cpython |
    grep -q "(bootstrap BCa, 95%, B = 9999, seed 7)" || fail "bootstrap option"
set +e
"$MIXPERF" compare r.jsonl runtime=graal runtime=cpython >/dev/null 2>none.err
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "no pair of cells matches A = runtime=graal and B = runtime=cpython" none.err ||
    fail "no pair: $(cat none.err)"

# report: Markdown and CSV with ratios against config=a
"$MIXPERF" report r.jsonl -o rep --baseline config=a
grep -q '^| cpython/bench/a | wall (s) | 8 | 1.01875 s | \[0.983439, 1.05406\] | 3.47% | 95% t | active | 0 | baseline |$' rep/report.md ||
    { cat rep/report.md >&2; fail "report.md row a"; }
grep -q '^| cpython/bench/b | wall (s) | 8 | 2.0875 s | .* | 2 (timeouts included) | 2.0491 \[1.9678, 2.1344\] |$' rep/report.md ||
    fail "report.md row b"
grep -q '^- host: h1 (Test CPU, 2 CPUs; Linux 6.1.0 #1 SMP)$' rep/report.md || fail "report.md host"
grep -q '^- runtime cpython: CPython 3.11.2 (main) \[GCC 12.2.0\] (`/usr/bin/python3.11`)$' rep/report.md ||
    fail "report.md runtime"
head -1 rep/report.csv | grep -q '^experiment,runtime,benchmark,config,metric,unit,higher_is_better,n,mean,sd,ci_method,' ||
    fail "report.csv header"
row=$(grep '^b5,cpython,bench,b,' rep/report.csv)
echo "$row" | awk -F, '{ exit !($8 == 8 && $9 + 0 > 2.087499 && $9 + 0 < 2.087501 && $19 == 8 + 2 && $20 == 1 && $21 == 1 && $23 == "cpython/bench/a" && $24 + 0 > 2.049079 && $24 + 0 < 2.049081 && $28 == 1) }' ||
    fail "report.csv row b: $row"

# pyperf export: valid by pyperf's rules; split per runtime; throughput as seconds per request
"$MIXPERF" report r.jsonl --no-baseline --pyperf all.json >/dev/null
/usr/bin/python3 "$SRC/tests/e2e/pyperf_check.py" all.json || fail "all.json breaks pyperf's rules"
[ "$(jq -r '.version' all.json)" = "1.0" ] || fail "pyperf version"
[ "$(jq '.benchmarks | length' all.json)" -eq 4 ] || fail "one benchmark per cell"
[ "$(jq -r '.benchmarks[] | select(.metadata.name == "cpython/bench/a") | .runs | length' all.json)" -eq 8 ] ||
    fail "one run per measured process, warm-up left out"
[ "$(jq -r '.benchmarks[] | select(.metadata.name == "cpython/bench/b") | .metadata.mixperf_failed_runs' all.json)" -eq 1 ] ||
    fail "failed runs are counted"
[ "$(jq -r '.benchmarks[] | select(.metadata.name == "cpython/srv/default" or .metadata.name == "cpython/bench/srv") | .runs[0].values[0]' all.json)" = "0.0012307692307692308" ] ||
    fail "throughput 812.5/s must be exported as 1/812.5 s"
[ "$(jq -r '.benchmarks[0].runs[0].metadata.date' all.json)" = "2026-11-26 04:01:00.000000" ] ||
    fail "pyperf date format"
[ "$(jq -r '.benchmarks[0].metadata.python_implementation' all.json)" = "cpython" ] ||
    fail "python_implementation"
"$MIXPERF" report r.jsonl --no-baseline --pyperf '{runtime}.json' >/dev/null
/usr/bin/python3 "$SRC/tests/e2e/pyperf_check.py" cpython.json pypy.json || fail "per-runtime files"
[ "$(jq -r '[.benchmarks[].metadata.name] | join(",")' pypy.json)" = "bench/b" ] ||
    fail "names leave out the fields in the path"

# the checker itself rejects what pyperf rejects
jq '.benchmarks[0].runs[0].values = [0]' all.json >zero.json
jq '.benchmarks[0].runs[1].metadata.hostname = "other"' all.json >host.json
jq '.version = 6' all.json >v6.json
jq '.benchmarks[0].metadata.unit = "seconds"' all.json >unit.json
for bad in zero host v6 unit; do
    if /usr/bin/python3 "$SRC/tests/e2e/pyperf_check.py" $bad.json 2>/dev/null; then
        fail "pyperf_check accepted $bad.json"
    fi
done

# a value <= 0 cannot be exported: refused with the cell and run named
line cpython neg 0 false ok -1.5 printed >neg.jsonl
line cpython neg 1 false ok 2.5 printed >>neg.jsonl
set +e
"$MIXPERF" report neg.jsonl --pyperf neg.json >/dev/null 2>neg.err
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "cpython/bench/neg run 0: printed is -1.5; pyperf accepts only values > 0" neg.err ||
    fail "negative value: $(cat neg.err)"
echo "test_run_report: ok"
