#!/bin/sh
# End-to-end: the typed-variant benchmark programs in bench/programs. Shape (markers, identical
# headers, no annotations in untyped, mypy --strict), runs of every variant and of random section
# mixes under /usr/bin/python3 and /usr/bin/pypy3 with the same result lines, self-checks that
# catch a mutated program, and mypyc builds that run compiled: tests/e2e/programs_check.py.
set -eu
: "${MP_SOURCE_DIR:?}"
for tool in /usr/bin/python3 /usr/bin/pypy3 /usr/bin/mypy /usr/bin/mypyc; do
    [ -x "$tool" ] || { echo "FAIL: $tool is missing (make deps installs it)" >&2; exit 1; }
done
exec /usr/bin/python3 "$MP_SOURCE_DIR/tests/e2e/programs_check.py" "$MP_SOURCE_DIR"
