"""A multi-module program: a mixperf mix fixture for module granularity."""
import os
import sys

from helpers import mean, spread
from pkg.geo import perimeter


def load():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "data.txt")) as f:
        return [int(x) for x in f.read().split()]


if __name__ == "__main__":
    values = load()
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    for _ in range(rounds):
        m = mean(values)
    print("mean %.3f spread %d perimeter %d" % (m, spread(values), perimeter(values)))
