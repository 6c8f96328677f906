#!/usr/bin/python3
"""User-space instructions per request of `mixperf load`, counted by callgrind.

Instruction counts are repeatable on a busy machine where CPU times are not, so this is the
figure to compare builds with (docs/http.md, "Per-request cost"). nginx is started as
bench_load.py does; mixperf runs a scenario for LONG seconds and for 0.5 s under callgrind, and
the difference in instructions divided by the difference in requests removes start-up and
shut-down. The functions costing the most per request (self cost, same subtraction) follow.

usage: bench/load/instructions.py MIXPERF [SCENARIO.yaml] [LONG_SECONDS] [USERS]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = sys.argv[1:]
if not ARGS or ARGS[0] in ("-h", "--help"):
    sys.exit(__doc__)
sys.argv = sys.argv[:2]  # bench_load reads the binary from argv[1]
sys.path.insert(0, HERE)
import bench_load  # noqa: E402

MIXPERF = os.path.abspath(ARGS[0])
SCENARIO = ARGS[1] if len(ARGS) > 1 else os.path.join(HERE, "plain.yaml")
LONG = ARGS[2] if len(ARGS) > 2 else "4"
USERS = ARGS[3] if len(ARGS) > 3 else "16"
TOP = int(os.environ.get("TOP", "25"))


def callgrind(url, seconds, tmp):
    out = os.path.join(tmp, "cg.%s.out" % seconds)
    js = os.path.join(tmp, "cg.%s.json" % seconds)
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, MIXPERF, "load", SCENARIO,
                    "--host", url, "-u", USERS, "-t", seconds + "s", "--threads", "1", "-q", "--json", js],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(js) as f:
        total = json.load(f)["total"]
    ann = subprocess.run(["callgrind_annotate", "--auto=no", "--inclusive=no", "--threshold=100", out],
                         check=True, capture_output=True, text=True).stdout
    program = int(re.search(r"([\d,]+)\s+\(100.0%\)\s+PROGRAM TOTALS", ann).group(1).replace(",", ""))
    funcs = {}
    for line in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([ \d.]+%\)\s+(\S+)", line)
        if m and "PROGRAM" not in line:
            name = m.group(2).rpartition(":")[2].split("'")[0]
            funcs[name] = funcs.get(name, 0) + int(m.group(1).replace(",", ""))
    return total["num_requests"], total["num_failures"], program, funcs


def main():
    nginx = bench_load.Nginx()
    try:
        with tempfile.TemporaryDirectory(prefix="mixperf-cg.") as tmp:
            r1, f1, p1, fn1 = callgrind(nginx.url, LONG, tmp)
            r0, f0, p0, fn0 = callgrind(nginx.url, "0.5", tmp)
    finally:
        nginx.stop()
    if r1 <= r0:
        sys.exit("the long run made no more requests than the short one (%d vs %d)" % (r1, r0))
    d = r1 - r0
    print("%s: %d requests (%d failed) in %s s, %d in 0.5 s: %.0f instructions per request"
          % (os.path.basename(SCENARIO), r1, f1 + f0, LONG, r0, (p1 - p0) / d))
    rows = sorted(((fn1.get(k, 0) - fn0.get(k, 0)) / d, k) for k in set(fn1) | set(fn0))
    for v, k in reversed(rows[-TOP:]):
        print("  %7.0f  %s" % (v, k))


if __name__ == "__main__":
    main()
