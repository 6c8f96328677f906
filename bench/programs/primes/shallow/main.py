"""primes: a pipeline of generators: odd numbers -> an incremental sieve (a dict of upcoming
composites) -> a limit -> consecutive pairs and sliding windows -> statistics (prime count and
sum, twin primes, widest gap, heaviest window). A mixperf benchmark program (bench/programs,
docs/programs.md): the untyped, shallow and advanced variants hold the same units in the same
order, separated by section markers, and this header is the same in all three."""
from __future__ import annotations

import sys
import time
from typing import Dict, Iterator, List, Tuple

import __static__
from __static__ import Array, CheckedDict, box, final, int64, unbox

LIMIT = 1000000
WINDOW = 16
DEFAULT_N = 4
# Below 10^6: pi(x) (OEIS A000720), the sum of the primes, twin prime pairs (A007508) and the
# first maximal gap of that size, 114 after 492113 (A002386).
EXPECTED_COUNT = 78498
EXPECTED_SUM = 37550402023
EXPECTED_TWINS = 8169
EXPECTED_GAP = (114, 492113)

### SECTION SEPARATOR ###


def odd_numbers(start: int) -> Iterator[int]:
    n = start
    while True:
        yield n
        n += 2


### SECTION SEPARATOR ###


def primes() -> Iterator[int]:
    """Every prime, in order. Each odd composite waiting to be crossed off maps to the stride
    (twice its prime) that finds the next one, so memory grows with the primes seen so far."""
    yield 2
    pending: Dict[int, int] = {}
    for c in odd_numbers(3):
        stride = pending.pop(c, 0)
        if stride == 0:
            yield c
            pending[c * c] = c + c
        else:
            nxt = c + stride
            while nxt in pending:
                nxt += stride
            pending[nxt] = stride


### SECTION SEPARATOR ###


def below(limit: int, source: Iterator[int]) -> Iterator[int]:
    for x in source:
        if x >= limit:
            return
        yield x


### SECTION SEPARATOR ###


def pairs(source: Iterator[int]) -> Iterator[Tuple[int, int]]:
    """(previous, current) for each value; the first value comes with previous 0."""
    prev = 0
    for x in source:
        yield prev, x
        prev = x


### SECTION SEPARATOR ###


def window_sums(source: Iterator[int], width: int) -> Iterator[int]:
    """The sum of each run of width consecutive values, once width have been seen."""
    ring = [0] * width
    total = 0
    seen = 0
    for x in source:
        slot = seen % width
        total += x - ring[slot]
        ring[slot] = x
        seen += 1
        if seen >= width:
            yield total


### SECTION SEPARATOR ###


class PrimeStats:
    def __init__(self) -> None:
        self.count: int = 0
        self.total: int = 0
        self.twins: int = 0
        self.gap: int = 0
        self.gap_at: int = 0
        self.window: int = 0

    def observe(self, prev: int, cur: int) -> None:
        self.count += 1
        self.total += cur
        if prev > 0:
            d = cur - prev
            if d == 2:
                self.twins += 1
            if d > self.gap:
                self.gap = d
                self.gap_at = prev

    def observe_window(self, total: int) -> None:
        if total > self.window:
            self.window = total

    def summary(self) -> Tuple[int, int, int, int, int, int]:
        return (self.count, self.total, self.twins, self.gap, self.gap_at, self.window)


### SECTION SEPARATOR ###


def run_pipeline(limit: int, width: int) -> PrimeStats:
    stats = PrimeStats()
    for prev, cur in pairs(below(limit, primes())):
        stats.observe(prev, cur)
    for total in window_sums(below(limit, primes()), width):
        stats.observe_window(total)
    return stats


def main(argv: List[str]) -> None:
    reps = int(argv[1]) if len(argv) > 1 else DEFAULT_N
    results: List[Tuple[int, int, int, int, int, int]] = []
    t0 = time.perf_counter()
    for _ in range(reps):
        results.append(run_pipeline(LIMIT, WINDOW).summary())
    elapsed = time.perf_counter() - t0
    count, total, twins, gap, gap_at, window = results[0]
    print("primes below %d: count=%d sum=%d twins=%d gap=%d@%d window%d=%d" % (LIMIT, count, total, twins, gap, gap_at, WINDOW, window))
    got = (count, total, twins, (gap, gap_at))
    want = (EXPECTED_COUNT, EXPECTED_SUM, EXPECTED_TWINS, EXPECTED_GAP)
    if got != want or any(r != results[0] for r in results):
        print("primes: wrong result %r over %d repetitions, expected %r" % (got, reps, want), file=sys.stderr)
        sys.exit(1)
    print("%.6f" % elapsed)


if __name__ == "__main__":
    main(sys.argv)
