"""Build and run a benchmark program compiled by mypyc (the CPython+mypyc runtime).

    python3 mixperf_mypyc.py build DIR          compile every module of DIR in place
    python3 mixperf_mypyc.py run DIR MODULE ARGS... import DIR/MODULE compiled and call main(argv)
    python3 mixperf_mypyc.py exec SCRIPT.py ARGS... the same for DIR/MODULE.py given as a script
    python3 mixperf_mypyc.py version                one line: the interpreter and mypyc's version

build runs /usr/bin/mypyc on DIR's top-level .py files with MYPYPATH set to this directory, so
``from __static__ import ...`` type-checks against __static__/__init__.pyi; the extension
modules land next to the sources (Python imports them in preference to the .py files). run
refuses a module that did not come from an extension, so a failed build cannot silently measure
the interpreted program, and calls the module's main(argv) with argv[0] = DIR/MODULE.py, the
programs' convention (bench/programs: `if __name__ == "__main__": main(sys.argv)` never fires
in an imported module).

exec lets an experiment treat "CPython + mypyc" as an interpreter: with the runtime command
`[/usr/bin/python3, .../mixperf_mypyc.py, exec]`, a benchmark's `{python} main.py 5` runs the
compiled main.py. version is that runtime's version probe (docs/experiments.md, runtimes).

Exit status: build returns mypyc's status (1 with its type errors on stdout); run returns what
main returns or exits with, and 2 for a usage error or a module that is not compiled.
"""

import importlib
import importlib.machinery
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MYPYC = os.environ.get("MIXPERF_MYPYC", "/usr/bin/mypyc")


def build(directory):
    modules = sorted(f for f in os.listdir(directory) if f.endswith(".py"))
    if not modules:
        print("mixperf_mypyc: no .py files in %s" % directory, file=sys.stderr)
        return 2
    env = dict(os.environ)
    env["MYPYPATH"] = HERE + (os.pathsep + env["MYPYPATH"] if env.get("MYPYPATH") else "")
    return subprocess.call([MYPYC] + modules, cwd=directory, env=env)


def run(directory, module, args):
    directory = os.path.abspath(directory)
    sys.path[:0] = [directory, HERE]
    mod = importlib.import_module(module)
    origin = getattr(mod, "__file__", "") or ""
    if not origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        print("mixperf_mypyc: %s was not compiled (imported from %s)" % (module, origin), file=sys.stderr)
        return 2
    return mod.main([os.path.join(directory, module + ".py")] + args)


def version():
    # mypyc's version is mypy's; `mypyc --version` would also write build/setup.py into the
    # current directory (it compiles whatever its arguments are).
    import platform
    out = subprocess.run([sys.executable, "-m", "mypy", "--version"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True,
                         check=False).stdout.strip().splitlines()
    print(platform.python_implementation(), *sys.version.split(), "+",
          out[0] if out else "mypyc: no version")
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "build":
        return build(argv[2])
    if len(argv) >= 4 and argv[1] == "run":
        return run(argv[2], argv[3], argv[4:])
    if len(argv) >= 3 and argv[1] == "exec" and argv[2].endswith(".py"):
        directory, script = os.path.split(argv[2])
        return run(directory or ".", script[:-3], argv[3:])
    if len(argv) == 2 and argv[1] == "version":
        return version()
    print("usage: mixperf_mypyc.py build DIR | run DIR MODULE [ARGS...] | exec SCRIPT.py [ARGS...]"
          " | version", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
