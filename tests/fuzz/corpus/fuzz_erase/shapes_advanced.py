"""Shapes on a grid: a mixperf mix fixture for automatic units (functions, classes, methods)."""
from __future__ import annotations

import __static__
from __static__ import CheckedList, box, cast, double, inline, int64
import functools
import math
import sys

SCALE: int = 3


def area(shape: tuple[str, int]) -> float:
    kind, size = shape
    if kind == "square":
        return float(size * size)
    return math.pi * size * size


class Point:
    """A point in the plane."""

    x: float
    y: float

    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y

    def dist(self, other: Point) -> float:
        dx: double = double(self.x - other.x)
        dy: double = double(self.y - other.y)
        return math.hypot(box(dx), box(dy))

    @staticmethod
    def origin() -> Point:
        return Point(0, 0)


# Memoized, so repeated rounds stay cheap.
@functools.lru_cache(maxsize=None)
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Grid:
    default: int = 0

    def __init__(self, n: int) -> None:
        self.cells: CheckedList[int] = CheckedList[int]([self.default] * (n * n))
        self.n: int = n

    def fill(self, step: int) -> None:
        i: int64 = 0
        size: int64 = int64(len(self.cells))
        while i < size:
            self.cells[box(i)] = (box(i) * step) % (SCALE * 7)
            i += 1

    @inline
    def total(self) -> int:
        s: int64 = 0
        for c in self.cells:
            s += int64(c)
        return cast(int, box(s))


def main(rounds: int) -> None:
    shapes: list[tuple[str, int]] = [("square", 2), ("circle", 1), ("square", 5)]
    areas: float = 0.0
    far: float = 0.0
    grid: Grid = Grid(12)
    for r in range(rounds):
        areas += sum(area(s) for s in shapes)
        far += Point(3, 4).dist(Point.origin())
        grid.fill(r + 1)
    print("areas %.4f far %.1f fib %d grid %d" % (areas, far, fib(30), grid.total()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
