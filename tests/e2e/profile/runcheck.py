"""Checks for test_profile_run.sh: what `mixperf run` stored for server benchmarks with
`profile: true` (the line's "profile" object and the collapsed stacks file it names) and what
`mixperf report` made of it (hot_modules.csv). Exits 1 with a message when a check fails."""
import csv
import json
import math
import os
import re
import sys

HEADER = ("experiment,runtime,benchmark,config,rank,module,runs,self_share,self_share_sd,"
          "total_share,total_share_sd")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f]


def leaf_shares(path):
    """Self share per module (innermost frame) from a collapsed-stack file; fails on a line
    that is not `pid P;tid T;module:function;... WEIGHT`."""
    line_re = re.compile(r"^pid (\d+);tid (\d+)((?:;[^; ]+:[^;]+)*) (\d+)$")
    mods, total = {}, 0
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = line_re.match(line.rstrip("\n"))
            if not m:
                fail("%s:%d: not a collapsed-stack line: %r" % (path, n, line))
            frames = m.group(3).split(";")[1:]
            w = int(m.group(4))
            if w <= 0 or not frames:
                fail("%s:%d: empty stack or weight %d" % (path, n, w))
            leaf = frames[-1].split(":", 1)[0]
            mods[leaf] = mods.get(leaf, 0) + w
            total += w
    if total == 0:
        fail("%s: no samples" % path)
    return {k: v / total for k, v in mods.items()}


def check_cpython(results, cell, expect_a, tol, nruns):
    base = os.path.dirname(os.path.abspath(results))
    runs = [l for l in lines(results) if l["cell"] == cell]
    if len(runs) != nruns:
        fail("%s: %d runs, expected %d" % (cell, len(runs), nruns))
    for l in runs:
        p = l.get("profile")
        if l["status"] != "ok" or not p:
            fail("run %s/%d: status %s, profile %r" % (cell, l["index"], l["status"], p))
        if p["error"] is not None:
            fail("run %d: profile error %r" % (l["index"], p["error"]))
        mods = {m["module"]: m for m in p["modules"]}
        for want in ("mod_a", "mod_b", "srvapp"):
            if want not in mods:
                fail("run %d: no module %s in %r" % (l["index"], want, sorted(mods)))
        a, b = mods["mod_a"]["self"], mods["mod_b"]["self"]
        split = a / (a + b)
        print("run %d: %d samples in %.2f s, %d modules, mod_a %.1f%% mod_b %.1f%% of all; "
              "mod_a's share of the two %.1f%% (expected %g%%)" % (
                  l["index"], p["samples"], p["window_s"], len(mods), 100 * a, 100 * b,
                  100 * split, 100 * expect_a))
        if p["samples"] < 50:
            fail("run %d: only %d samples" % (l["index"], p["samples"]))
        if a + b < 0.5:
            fail("run %d: mod_a and mod_b hold only %.1f%% of the server's CPU" % (
                l["index"], 100 * (a + b)))
        if abs(split - expect_a) > tol:
            fail("run %d: split %.3f, expected %g +- %g" % (l["index"], split, expect_a, tol))
        # app.main runs the server loop: on all but a rare sampled stack (under ASan on a loaded
        # machine one sample in 1,300 had no srvapp frame; the profiler files a tick that finds
        # the thread with no Python frame as <no_Python_frame>, 0.08% of the Django loop's too)
        if mods["srvapp"]["total"] < 0.99:
            fail("run %d: srvapp total share %r, expected >= 0.99" % (l["index"],
                                                                      mods["srvapp"]["total"]))
        selfs = sorted((m["self"] for m in p["modules"]), reverse=True)
        if selfs != [m["self"] for m in p["modules"]] or abs(sum(selfs) - 1) > 1e-6:
            fail("run %d: module table not sorted by self share or not summing to 1" % l["index"])
        if p["rate_hz"] != 500 or not any(h.startswith("# python: 3.11") for h in p["header"]):
            fail("run %d: rate %r, header %r" % (l["index"], p["rate_hz"], p["header"]))
        if p["attempts"] < p["samples"] or p["errors"] > p["attempts"] or p["processes"] != 1:
            fail("run %d: counts %r" % (l["index"], p))
        want_rel = "%s.d/profiles/%s/%d.collapsed" % (os.path.basename(results), cell, l["index"])
        if p["stacks"] != want_rel:
            fail("run %d: stacks %r, expected %r" % (l["index"], p["stacks"], want_rel))
        shares = leaf_shares(os.path.join(base, p["stacks"]))
        for k, m in mods.items():
            if abs(shares.get(k, 0) - m["self"]) > 0.005:
                fail("run %d: %s is %.4f in the stacks file, %.4f in the line" % (
                    l["index"], k, shares.get(k, 0), m["self"]))


def check_pypy(results, cell, nruns):
    runs = [l for l in lines(results) if l["cell"] == cell]
    if len(runs) != nruns:
        fail("%s: %d runs, expected %d" % (cell, len(runs), nruns))
    for l in runs:
        p = l.get("profile")
        if l["status"] != "ok" or not math.isfinite(l["value"]):
            fail("pypy run %d: the measurement must count: %s %r" % (l["index"], l["status"],
                                                                      l.get("message")))
        want = ("no CPython process in the server's process tree (1 other process followed; "
                "only CPython 3.11-3.13 can be profiled, not PyPy)")
        if not p or p["error"] != want or p["modules"] != [] or p["stacks"] is not None:
            fail("pypy run %d: profile %r" % (l["index"], p))
    print("%s: %d runs measured, each with the profile error recorded" % (cell, nruns))


def check_csv(results, path, cell):
    with open(path) as f:
        text = f.read()
    first = text.split("\n", 1)[0]
    if first != HEADER:
        fail("%s: header %r, expected %r" % (path, first, HEADER))
    rows = list(csv.DictReader(text.splitlines()))
    runtime, bench, config = cell.split("/")
    mine = [r for r in rows if (r["runtime"], r["benchmark"], r["config"]) == (runtime, bench,
                                                                                config)]
    if len(mine) != len(rows):
        fail("%s: rows of other cells (a PyPy cell has no profile): %r" % (path, rows))
    runs = [l for l in lines(results) if l["cell"] == cell and not l["warmup"]]
    per = [{m["module"]: m for m in l["profile"]["modules"]} for l in runs]
    names = set().union(*per)
    if {r["module"] for r in mine} != names:
        fail("%s: modules %r, the runs have %r" % (path, sorted(r["module"] for r in mine),
                                                    sorted(names)))
    for i, r in enumerate(mine, 1):
        if int(r["rank"]) != i or int(r["runs"]) != len(runs) or r["experiment"] != "profrun":
            fail("%s: row %r" % (path, r))
        for key, col in (("self", "self_share"), ("total", "total_share")):
            vals = [p[r["module"]][key] if r["module"] in p else 0.0 for p in per]
            mean = sum(vals) / len(vals)
            sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1))
            if abs(float(r[col]) - mean) > 1e-12 or abs(float(r[col + "_sd"]) - sd) > 1e-12:
                fail("%s: %s %s %s/%s, expected %r/%r" % (path, r["module"], col, r[col],
                                                          r[col + "_sd"], mean, sd))
    if [r["module"] for r in mine[:2]] != ["mod_a", "mod_b"]:
        fail("%s: top modules %r" % (path, [r["module"] for r in mine[:3]]))
    print("%s: %d rows; %s" % (path, len(mine), ", ".join(
        "%s %.1f%%" % (r["module"], 100 * float(r["self_share"])) for r in mine[:4])))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "cpython":
        check_cpython(args[0], args[1], float(args[2]), float(args[3]), int(args[4]))
    elif cmd == "pypy":
        check_pypy(args[0], args[1], int(args[2]))
    elif cmd == "csv":
        check_csv(args[0], args[1], args[2])
    else:
        fail("unknown check " + cmd)


main()
