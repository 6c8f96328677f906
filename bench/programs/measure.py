"""Measure the benchmark programs in bench/programs on CPython, PyPy and CPython+mypyc.

    /usr/bin/python3 bench/programs/measure.py [--programs a,b] [--reps 3] [--scale 1.0]
        [--runtimes cpython,pypy,mypyc] [--variants untyped,shallow,advanced] [--seed S]
        [--markdown FILE] [--json FILE]
    /usr/bin/python3 bench/programs/measure.py --from-json FILE [--markdown FILE]

Every program variant runs with its default N (times --scale) on each runtime, --reps times, in
a shuffled order within each round so slow drifts of a shared machine spread over all cells.
For mypyc, each variant is first compiled in a temporary directory (python/mixperf_mypyc.py
build) and run compiled. Every run must exit 0 and print the same result lines as every other run of
the program. Reported per cell: the median of the seconds the program prints (its own
perf_counter around the measured work) and the median CPU seconds of the whole process
(user + system, from wait4: includes start-up and, for PyPy, JIT warm-up), plus each median as
a ratio to CPython untyped from the same run. Prints a Markdown report (also to --markdown) and
writes raw samples to --json; --from-json renders the report of such a file again.
"""

import argparse
import ast
import datetime
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PYDIR = os.path.join(ROOT, "python")
RUNTIMES = {"cpython": "/usr/bin/python3", "pypy": "/usr/bin/pypy3", "mypyc": "/usr/bin/python3"}
VARIANTS = ("untyped", "shallow", "advanced")


def default_n(pdir):
    tree = ast.parse(open(os.path.join(pdir, "untyped", "main.py")).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DEFAULT_N" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("%s: no DEFAULT_N in the header" % pdir)


def run(cmd, env):
    """(exit status, stdout, stderr, CPU seconds of the process)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return p.returncode, out.read().decode(), err.read().decode(), usage.ru_utime + usage.ru_stime


def render(data):
    """The Markdown report of a measurement (as written by --json)."""
    samples = {(s["program"], s["runtime"], s["variant"]): s["runs"] for s in data["samples"]}
    names = sorted(data["n"])
    cols = [(rt, v) for rt in data["runtimes"] for v in data["variants"]]

    def med(name, rt, v, what):
        return statistics.median(r[what] for r in samples[(name, rt, v)])

    head = "| program | N | " + " | ".join("%s %s" % (rt, v) for rt, v in cols) + " |"
    rule = "|---|---:|" + "---:|" * len(cols)
    lines = [
        "Measured %s on %s (%s, %d CPUs) with load averages %.1f before and %.1f after: a shared, "
        "noisy machine. Medians of %d runs per cell, cells in shuffled order per round (seed %d)."
        % (data["date"], data["host"], data["machine"], data["cpus"], data["load"][0], data["load"][1],
           data["reps"], data["seed"]),
        "",
    ]
    tables = [
        ("seconds", False, "Seconds the program reports (wall clock around its measured work)"),
        ("cpu", False, "CPU seconds of the whole process (user + system; start-up and JIT warm-up included)"),
    ]
    if ("cpython", "untyped") in cols:
        tables += [
            ("cpu", True, "CPU seconds as a ratio to CPython untyped (same run; < 1 is faster; the steadier "
                          "figure on a loaded machine)"),
            ("seconds", True, "Reported seconds as a ratio to CPython untyped (same run)"),
        ]
    for what, ratio, title in tables:
        lines += ["**%s**" % title, "", head, rule]
        for name in names:
            base = med(name, "cpython", "untyped", what) if ratio else 1.0
            fmt = "%.2f" if ratio else "%.3f"
            row = [fmt % (med(name, rt, v, what) / base) for rt, v in cols]
            lines.append("| %s | %d | %s |" % (name, data["n"][name], " | ".join(row)))
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", default="")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runtimes", default="cpython,pypy,mypyc")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    ap.add_argument("--from-json", help="print the report of an earlier --json file; measure nothing")
    args = ap.parse_args()
    if args.from_json:
        report = render(json.load(open(args.from_json)))
        print(report)
        if args.markdown:
            with open(args.markdown, "w") as fh:
                fh.write(report)
        return 0
    names = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d, "untyped")))
    if args.programs:
        names = [n for n in names if n in args.programs.split(",")]
    runtimes = args.runtimes.split(",")
    variants = args.variants.split(",")
    env = dict(os.environ, PYTHONPATH=PYDIR)
    env.pop("MIXPERF_STATIC_UNCHECKED", None)
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="mixperf-measure-")
    load_before = os.getloadavg()
    try:
        cells = []  # (program, runtime, variant, command)
        ns = {}
        for name in names:
            pdir = os.path.join(HERE, name)
            ns[name] = max(1, int(round(default_n(pdir) * args.scale)))
            for rt in runtimes:
                for v in variants:
                    vdir = os.path.join(pdir, v)
                    if rt == "mypyc":
                        bdir = os.path.join(tmp, "%s-%s" % (name, v))
                        shutil.copytree(vdir, bdir)
                        r = subprocess.run(
                            [RUNTIMES[rt], os.path.join(PYDIR, "mixperf_mypyc.py"), "build", bdir],
                            capture_output=True, text=True,
                        )
                        if r.returncode != 0:
                            raise SystemExit("mypyc build of %s/%s failed:\n%s%s" % (name, v, r.stdout, r.stderr))
                        cmd = [RUNTIMES[rt], os.path.join(PYDIR, "mixperf_mypyc.py"), "run", bdir, "main", str(ns[name])]
                    else:
                        cmd = [RUNTIMES[rt], os.path.join(vdir, "main.py"), str(ns[name])]
                    cells.append((name, rt, v, cmd))
            print("measure: %s ready (N=%d)" % (name, ns[name]), file=sys.stderr, flush=True)

        samples = {(c[0], c[1], c[2]): [] for c in cells}
        reference = {}
        for rnd in range(args.reps):
            order = list(cells)
            rng.shuffle(order)
            for name, rt, v, cmd in order:
                rc, out, err, cpu = run(cmd, env)
                lines = out.splitlines()
                if rc != 0 or not lines:
                    raise SystemExit("%s/%s on %s: exit %d\n%s%s" % (name, v, rt, rc, out, err))
                result = tuple(lines[:-1])
                first = reference.setdefault(name, (rt, v, result))
                if result != first[2]:
                    raise SystemExit("%s/%s on %s prints %r, but %s on %s printed %r" % (
                        name, v, rt, result, first[1], first[0], first[2]))
                samples[(name, rt, v)].append({"seconds": float(lines[-1]), "cpu": cpu})
            print("measure: round %d of %d done" % (rnd + 1, args.reps), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    data = {
        "date": datetime.date.today().isoformat(),
        "host": platform.node() or "this machine",
        "machine": platform.machine(),
        "cpus": os.cpu_count() or 0,
        "load": [load_before[0], load_after[0]],
        "n": ns,
        "reps": args.reps,
        "seed": args.seed,
        "runtimes": runtimes,
        "variants": variants,
        "samples": [{"program": k[0], "runtime": k[1], "variant": k[2], "runs": s} for k, s in sorted(samples.items())],
    }
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(data, fh, indent=1)
    report = render(data)
    print(report)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
