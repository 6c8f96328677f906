import sys
from typing import Final

LIMIT: Final = 3


def first(x: int) -> int:
    return x


class Counter:
    def __call__(self, n: int) -> int:
        return n + 1
