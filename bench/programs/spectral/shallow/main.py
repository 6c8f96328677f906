"""spectral: the spectral norm of the infinite matrix a(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1),
estimated by power iteration on the SIZE x SIZE corner of A^T A. A mixperf benchmark program
(bench/programs, docs/programs.md): the untyped, shallow and advanced variants hold the same units
in the same order, separated by section markers, and this header is the same in all three."""
from __future__ import annotations

import math
import sys
import time
from typing import List

import __static__
from __static__ import Array, box, clen, double, inline, int64, unbox

SIZE = 100
POWER_STEPS = 10
DEFAULT_N = 20
# The estimate for a 100 x 100 corner after 10 power steps, to 9 decimals; the norm of the
# infinite matrix is 1.2742241528...
EXPECTED = "1.274219991"

### SECTION SEPARATOR ###


def matrix_entry(i: int, j: int) -> float:
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


### SECTION SEPARATOR ###


def times(v: List[float], out: List[float]) -> None:
    n = len(v)
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += matrix_entry(i, j) * v[j]
        out[i] = acc


### SECTION SEPARATOR ###


def times_transposed(v: List[float], out: List[float]) -> None:
    n = len(v)
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += matrix_entry(j, i) * v[j]
        out[i] = acc


### SECTION SEPARATOR ###


def times_ata(v: List[float], out: List[float], scratch: List[float]) -> None:
    times(v, scratch)
    times_transposed(scratch, out)


### SECTION SEPARATOR ###


def spectral_norm(size: int, steps: int) -> float:
    u = [1.0] * size
    v = [0.0] * size
    scratch = [0.0] * size
    for _ in range(steps):
        times_ata(u, v, scratch)
        times_ata(v, u, scratch)
    vbv = 0.0
    vv = 0.0
    for i in range(size):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return math.sqrt(vbv / vv)


### SECTION SEPARATOR ###


def main(argv: List[str]) -> None:
    reps = int(argv[1]) if len(argv) > 1 else DEFAULT_N
    norms: List[float] = []
    t0 = time.perf_counter()
    for _ in range(reps):
        norms.append(spectral_norm(SIZE, POWER_STEPS))
    elapsed = time.perf_counter() - t0
    text = "%.9f" % norms[0]
    print("spectral size=%d steps=%d norm=%s" % (SIZE, POWER_STEPS, text))
    if text != EXPECTED or any(x != norms[0] for x in norms):
        print("spectral: wrong result %s over %d repetitions, expected %s" % (text, reps, EXPECTED), file=sys.stderr)
        sys.exit(1)
    print("%.6f" % elapsed)


if __name__ == "__main__":
    main(sys.argv)
