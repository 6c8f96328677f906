"""Shapes on a grid: a mixperf mix fixture for automatic units (functions, classes, methods)."""
import functools
import math
import sys

SCALE = 3


def area(shape):
    kind, size = shape
    if kind == "square":
        return size * size
    return math.pi * size * size


class Point:
    """A point in the plane."""

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def dist(self, other):
        return math.hypot(self.x - other.x, self.y - other.y)

    @staticmethod
    def origin():
        return Point(0, 0)


# Memoized, so repeated rounds stay cheap.
@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Grid:
    default = 0

    def __init__(self, n):
        self.cells = [self.default] * (n * n)
        self.n = n

    def fill(self, step):
        for i in range(len(self.cells)):
            self.cells[i] = (i * step) % (SCALE * 7)

    def total(self):
        s = 0
        for c in self.cells:
            s += c
        return s


def main(rounds):
    shapes = [("square", 2), ("circle", 1), ("square", 5)]
    areas = 0.0
    far = 0.0
    grid = Grid(12)
    for r in range(rounds):
        areas += sum(area(s) for s in shapes)
        far += Point(3, 4).dist(Point.origin())
        grid.fill(r + 1)
    print("areas %.4f far %.1f fib %d grid %d" % (areas, far, fib(30), grid.total()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
