import sys


def first(x: int) -> int:
    return x


def counter(n: int) -> int:
    return n + 1
