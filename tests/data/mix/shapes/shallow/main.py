"""Shapes on a grid: a mixperf mix fixture for automatic units (functions, classes, methods)."""
import functools
import math
import sys

SCALE: int = 3


def area(shape: tuple[str, int]) -> float:
    kind, size = shape
    if kind == "square":
        return size * size
    return math.pi * size * size


class Point:
    """A point in the plane."""

    x: float
    y: float

    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y

    def dist(self, other: "Point") -> float:
        return math.hypot(self.x - other.x, self.y - other.y)

    @staticmethod
    def origin() -> "Point":
        return Point(0, 0)


# Memoized, so repeated rounds stay cheap.
@functools.lru_cache(maxsize=None)
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Grid:
    default: int = 0

    def __init__(self, n: int) -> None:
        self.cells: list[int] = [self.default] * (n * n)
        self.n: int = n

    def fill(self, step: int) -> None:
        for i in range(len(self.cells)):
            self.cells[i] = (i * step) % (SCALE * 7)

    def total(self) -> int:
        s: int = 0
        for c in self.cells:
            s += c
        return s


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
