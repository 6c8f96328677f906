"""Checks the typed-variant benchmark programs in bench/programs (run by test_programs.sh).

    programs_check.py SOURCE_DIR [--only NAME,...] [--skip-mypyc] [--seed S]

1. Shape: every program has untyped/, shallow/ and advanced/ with the same module files; in each
   file the same number of "### SECTION SEPARATOR ###" lines; section 0 (the header) byte-identical
   in all variants (the rule that makes any header choice work, docs/programs.md); every section
   parses on its own and defines the same public top-level names in every variant; untyped has no
   annotation at all; untyped and shallow use no __static__ name outside the header; shallow and
   advanced pass mypy --strict (advanced against python/__static__/__init__.pyi).
2. Runs: every variant under /usr/bin/python3 and /usr/bin/pypy3 with N = 1 (N = 2 for one
   program, so the repetition check runs too) exits 0, prints nothing on stderr, ends stdout with
   a float, and prints the same result lines as every other variant and runtime.
3. Mixes: for every program, 3 random configurations (header and each section from a random
   variant, independently per module file) print the same result lines: on both interpreters
   for scheduler, alternately on one or the other for the rest (swappability does not depend on
   the interpreter, and PyPy is slow on jsonish).
4. Self-checks: one mutation per program that changes its result makes it exit 1 with its
   "wrong result" message and without the elapsed line (on CPython: the check is the same code
   everywhere).
5. mypyc: the shallow variants of spectral and wordindex and one random mix of scheduler are
   compiled together (one mypyc build, as spectral.py, wordindex.py and scheduler_mix.py) by
   python/mixperf_mypyc.py build, run compiled, and print the same result lines; its run
   refuses (exit 2) a module that was not compiled, its build an empty directory.

Exit status 0 when everything holds; otherwise every failure is printed and the status is 1.
"""

import argparse
import ast
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

MARKER = "### SECTION SEPARATOR ###"
VARIANTS = ("untyped", "shallow", "advanced")
RUNTIMES = ("/usr/bin/python3", "/usr/bin/pypy3")
MYPY = "/usr/bin/mypy"
FLOAT_LINE = re.compile(r"^[0-9]+\.[0-9]+$")

# A mutation per program: (module file, section index, old text, new text) applied to the untyped
# variant. Each one changes what the program computes, so its self-check must fail.
MUTATIONS = {
    "spectral": ("main.py", 1, "+ i + 1)", "+ i + 2)"),
    "fannkuch": ("main.py", 3, "for i in range(k + 1):", "for i in range(k):"),
    "nbody": ("main.py", 6, "b.vx += dx * am", "b.vx += dx * bm"),
    "primes": ("main.py", 2, "nxt += stride", "nxt += stride + stride"),
    "wordindex": ("main.py", 3, 'tokens.append(text[start:i].lower())', 'tokens.append(text[start:i])'),
    "scheduler": ("main.py", 5, "self.total += job", "self.total += job + 1"),
    "jsonish": ("encoder.py", 1, '"\\\\n"', '"\\\\r"'),
}
MYPYC_SHALLOW = ("spectral", "wordindex")
MIX_BOTH = ("scheduler",)
MYPYC_MIX = "scheduler"


class Failures:
    def __init__(self):
        self.items = []

    def add(self, what):
        self.items.append(what)
        print("FAIL: " + what, flush=True)


def split_sections(text):
    """Section 0 is the header; each later section starts with its marker line."""
    sections = [[]]
    for line in text.splitlines(keepends=True):
        if line.strip() == MARKER:
            sections.append([])
        sections[-1].append(line)
    return ["".join(s) for s in sections]


def programs(bench):
    return sorted(d for d in os.listdir(bench) if os.path.isdir(os.path.join(bench, d, "untyped")))


def module_files(vdir):
    out = []
    for root, _, files in os.walk(vdir):
        for f in files:
            if f.endswith(".py"):
                out.append(os.path.relpath(os.path.join(root, f), vdir))
    return sorted(out)


def static_names(source_dir):
    tree = ast.parse(open(os.path.join(source_dir, "python", "__static__", "__init__.py")).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise SystemExit("__static__ has no __all__")


def annotations(tree):
    """file:line of every annotation in tree."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.returns is not None:
                found.append(node.lineno)
            a = node.args
            for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]:
                if arg is not None and arg.annotation is not None:
                    found.append(arg.lineno)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.lineno)
    return found


def top_names(tree):
    """The public names a section defines at module level (a variant may add private _names)."""
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


def check_shape(fail, bench, name, snames):
    pdir = os.path.join(bench, name)
    files = {v: module_files(os.path.join(pdir, v)) for v in VARIANTS}
    for v in VARIANTS[1:]:
        if files[v] != files["untyped"]:
            fail.add("%s: %s has modules %s, untyped has %s" % (name, v, files[v], files["untyped"]))
            return
    for f in files["untyped"]:
        secs = {}
        for v in VARIANTS:
            path = os.path.join(pdir, v, f)
            secs[v] = split_sections(open(path).read())
        counts = {v: len(secs[v]) - 1 for v in VARIANTS}
        if len(set(counts.values())) != 1 or counts["untyped"] < 2:
            fail.add("%s/%s: marker counts %s" % (name, f, counts))
            continue
        for v in VARIANTS[1:]:
            if secs[v][0] != secs["untyped"][0]:
                fail.add("%s/%s: the header of %s differs from untyped's" % (name, f, v))
        for i in range(len(secs["untyped"])):
            defs = {}
            for v in VARIANTS:
                try:
                    tree = ast.parse(secs[v][i])
                except SyntaxError as e:
                    fail.add("%s/%s/%s section %d does not parse alone: %s" % (name, v, f, i, e))
                    continue
                defs[v] = top_names(tree)
                if v == "untyped" and annotations(tree):
                    fail.add("%s/untyped/%s section %d has annotations (section lines %s)" % (name, f, i, annotations(tree)))
                if i > 0 and v != "advanced":
                    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & snames)
                    if used:
                        fail.add("%s/%s/%s section %d uses __static__ names %s" % (name, v, f, i, used))
            if len(defs) == len(VARIANTS) and len({tuple(d) for d in defs.values()}) != 1:
                fail.add("%s/%s section %d defines different names: %s" % (name, f, i, defs))


def mypy_all(source_dir, bench, names):
    """mypy --strict on every shallow and advanced variant, one after the other with one cache
    (typeshed is analysed once). Returns [(label, exit status, output)]."""
    env = dict(os.environ, MYPYPATH=os.path.join(source_dir, "python"))
    out = []
    with tempfile.TemporaryDirectory() as cache:
        for name in names:
            for v in ("shallow", "advanced"):
                vdir = os.path.join(bench, name, v)
                r = subprocess.run(
                    [MYPY, "--strict", "--no-error-summary", "--cache-dir", cache] + module_files(vdir),
                    cwd=vdir, env=env, capture_output=True, text=True,
                )
                out.append(("%s/%s" % (name, v), r.returncode, r.stdout + r.stderr))
    return out


def run_program(source_dir, runtime, directory, n):
    # No __pycache__ in the source tree.
    env = dict(os.environ, PYTHONPATH=os.path.join(source_dir, "python"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("MIXPERF_STATIC_UNCHECKED", None)
    r = subprocess.run(
        [runtime, os.path.join(directory, "main.py"), str(n)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    return r.returncode, r.stdout, r.stderr


def result_lines(fail, label, rc, out, err):
    """The result lines of a successful run (all but the elapsed line), or None."""
    lines = out.splitlines()
    if rc != 0:
        fail.add("%s: exit %d\n%s%s" % (label, rc, out, err))
        return None
    if err:
        fail.add("%s: stderr is not empty: %s" % (label, err))
    if len(lines) < 2 or not FLOAT_LINE.match(lines[-1]):
        fail.add("%s: the last stdout line is not the elapsed seconds: %r" % (label, lines[-1:]))
        return None
    return lines[:-1]


def make_mix(pdir, out, rng):
    """A configuration: every module file gets its header and each section from a random
    variant. Returns the label (variant initials per file: header first, then sections)."""
    labels = []
    for f in module_files(os.path.join(pdir, "untyped")):
        secs = {v: split_sections(open(os.path.join(pdir, v, f)).read()) for v in VARIANTS}
        picks = [rng.choice(VARIANTS) for _ in secs["untyped"]]
        os.makedirs(os.path.dirname(os.path.join(out, f)), exist_ok=True)
        with open(os.path.join(out, f), "w") as fh:
            fh.write("".join(secs[v][i] for i, v in enumerate(picks)))
        labels.append(f + ":" + "".join(v[0] for v in picks))
    return " ".join(labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source_dir")
    ap.add_argument("--only", default="")
    ap.add_argument("--skip-mypyc", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    source_dir = os.path.abspath(args.source_dir)
    bench = os.path.join(source_dir, "bench", "programs")
    names = programs(bench)
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    print("programs: %s; mix seed %d" % (" ".join(names), seed), flush=True)
    rng = random.Random(seed)
    fail = Failures()
    snames = static_names(source_dir)
    missing = sorted(set(MUTATIONS) - set(programs(bench)))
    if missing and not args.only:
        fail.add("programs named by the test are missing: %s" % missing)
    if len(programs(bench)) < 6:
        fail.add("fewer than 6 programs: %s" % programs(bench))

    for name in names:
        check_shape(fail, bench, name, snames)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=3)
    tmp = tempfile.mkdtemp(prefix="mixperf-programs-")
    mypyc = os.path.join(source_dir, "python", "mixperf_mypyc.py")
    try:
        # The slow jobs start first and overlap the interpreter runs: one mypyc build of several
        # single-module programs (renamed NAME.py so they can share the build), and mypy.
        build = None
        compiled = []
        if not args.skip_mypyc:
            bdir = os.path.join(tmp, "mypyc")
            os.makedirs(bdir)
            for name in MYPYC_SHALLOW:
                if name in names:
                    shutil.copy(os.path.join(bench, name, "shallow", "main.py"), os.path.join(bdir, name + ".py"))
                    compiled.append((name, name, "shallow"))
            if MYPYC_MIX in names:
                mdir = os.path.join(tmp, "mypyc-mix")
                os.makedirs(mdir)
                label = make_mix(os.path.join(bench, MYPYC_MIX), mdir, rng)
                shutil.copy(os.path.join(mdir, "main.py"), os.path.join(bdir, MYPYC_MIX + "_mix.py"))
                compiled.append((MYPYC_MIX, MYPYC_MIX + "_mix", "mix " + label))
            if compiled:
                build = pool.submit(subprocess.run, [RUNTIMES[0], mypyc, "build", bdir],
                                    capture_output=True, text=True, timeout=900)
        mypy_job = pool.submit(mypy_all, source_dir, bench, names)

        jobs = []  # (kind, name, label, future)
        for name in names:
            pdir = os.path.join(bench, name)
            n = 2 if name == names[0] else 1
            for v in VARIANTS:
                for rt in RUNTIMES:
                    label = "%s/%s on %s (N=%d)" % (name, v, rt, n)
                    jobs.append(("variant", name, label, pool.submit(run_program, source_dir, rt, os.path.join(pdir, v), n)))
        for name in names:
            pdir = os.path.join(bench, name)
            for k in range(3):
                d = os.path.join(tmp, "mix-%s-%d" % (name, k))
                os.makedirs(d)
                label = make_mix(pdir, d, rng)
                # Swappability does not depend on the interpreter: mixes alternate between them,
                # except those of the programs in MIX_BOTH, which run on both.
                for rt in RUNTIMES if name in MIX_BOTH else (RUNTIMES[k % 2],):
                    what = "%s mix %s on %s" % (name, label, rt)
                    jobs.append(("mix", name, what, pool.submit(run_program, source_dir, rt, d, 1)))
        for name in names:
            if name not in MUTATIONS:
                fail.add("%s: no mutation for its self-check test" % name)
                continue
            f, sec, old, new = MUTATIONS[name]
            d = os.path.join(tmp, "mutant-" + name)
            shutil.copytree(os.path.join(bench, name, "untyped"), d)
            secs = split_sections(open(os.path.join(d, f)).read())
            if secs[sec].count(old) != 1:
                fail.add("%s: the mutation text %r is not once in section %d of %s" % (name, old, sec, f))
                continue
            secs[sec] = secs[sec].replace(old, new)
            with open(os.path.join(d, f), "w") as fh:
                fh.write("".join(secs))
            # The self-check is the same code on every runtime: CPython is enough.
            jobs.append(("mutant", name, "%s mutant on %s" % (name, RUNTIMES[0]), pool.submit(run_program, source_dir, RUNTIMES[0], d, 1)))

        reference = {}
        for kind, name, label, job in jobs:
            rc, out, err = job.result()
            if kind == "mutant":
                lines = out.splitlines()
                if rc != 1 or (name + ": wrong result") not in err or (lines and FLOAT_LINE.match(lines[-1])):
                    fail.add("%s: exit %d, stderr %r, last line %r" % (label, rc, err[-300:], lines[-1:]))
                else:
                    print("%s: fails its self-check" % label, flush=True)
                continue
            lines = result_lines(fail, label, rc, out, err)
            if lines is None:
                continue
            if name not in reference:
                reference[name] = (label, lines)
                print("%s: %s" % (name, " | ".join(lines)), flush=True)
            elif lines != reference[name][1]:
                fail.add("%s prints %r, %s printed %r" % (label, lines, reference[name][0], reference[name][1]))
            elif kind == "mix":
                print("%s: same result" % label, flush=True)

        checked = mypy_job.result()
        for label, rc, out in checked:
            if rc != 0:
                fail.add("mypy --strict %s:\n%s" % (label, out))
        print("mypy --strict: %d variants checked" % len(checked), flush=True)

        if build is not None:
            r = build.result()
            if r.returncode != 0:
                fail.add("mypyc build of %s: exit %d\n%s%s" % (compiled, r.returncode, r.stdout[-3000:], r.stderr[-3000:]))
            else:
                for name, module, label in compiled:
                    p = subprocess.run([RUNTIMES[0], mypyc, "run", bdir, module, "1"], capture_output=True, text=True, timeout=300)
                    what = "mypyc %s %s" % (name, label)
                    lines = result_lines(fail, what, p.returncode, p.stdout, p.stderr)
                    if lines is not None and name in reference and lines != reference[name][1]:
                        fail.add("%s prints %r, expected %r" % (what, lines, reference[name][1]))
                    elif lines is not None:
                        print("%s: compiled, ran, same result" % what, flush=True)
        # The helper refuses to measure an interpreted module as if it were compiled.
        if not args.skip_mypyc and "spectral" in names:
            p = subprocess.run([RUNTIMES[0], mypyc, "run", os.path.join(bench, "spectral", "shallow"), "main", "1"],
                               capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
            if p.returncode != 2 or "main was not compiled (imported from " not in p.stderr or p.stdout:
                fail.add("mixperf_mypyc.py run on sources: exit %d, %r %r" % (p.returncode, p.stdout, p.stderr))
            empty = os.path.join(tmp, "empty")
            os.makedirs(empty)
            p = subprocess.run([RUNTIMES[0], mypyc, "build", empty], capture_output=True, text=True)
            if p.returncode != 2 or "no .py files in" not in p.stderr:
                fail.add("mixperf_mypyc.py build of an empty directory: exit %d, %r" % (p.returncode, p.stderr))
    finally:
        pool.shutdown(wait=True)
        shutil.rmtree(tmp, ignore_errors=True)

    if fail.items:
        print("%d failure(s); mix seed %d" % (len(fail.items), seed))
        return 1
    print("all programs: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
