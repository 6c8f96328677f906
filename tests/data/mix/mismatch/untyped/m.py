import sys


def first(x):
    return x


def counter(n):
    return n + 1
