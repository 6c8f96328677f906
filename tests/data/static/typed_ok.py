"""Typed use of every __static__ name: mypy --strict must accept it against __init__.pyi, and it
runs on CPython and PyPy (tests/e2e/test_static_compat.sh)."""
from typing import Dict, List, Optional

import __static__
from __static__ import (RAND_MAX, Array, CheckedDict, CheckedList, PyDict, Vector, allow_weakrefs, box, byte, cast,
                        cbool, char, chkdict, chklist, clen, double, dynamic_return, final, inline, int8, int16,
                        int32, int64, pydict, rand, single, size_t, ssize_t, uint8, uint16, uint32, uint64, unbox)


@final
@allow_weakrefs
class Point:
    def __init__(self, x: double, y: double) -> None:
        self.x: double = x
        self.y: double = y


@inline
def twice(n: int64) -> int64:
    return n * 2


@dynamic_return
def norm(p: Point) -> float:
    return box(p.x * p.x + p.y * p.y)


def use() -> int:
    i: int64 = 0
    small: int8 = int8(3)
    others: List[int] = [int16(1), int32(2), uint8(3), uint16(4), uint32(5), uint64(6), byte(7), char(8),
                         size_t(9), ssize_t(10)]
    flag: cbool = cbool(i < 3)
    f: single = single(0.5)
    xs: CheckedList[int] = CheckedList[int]([1, 2])
    xs.append(3)
    ys: List[int] = xs
    d: CheckedDict[str, int] = CheckedDict[str, int]({"a": 1})
    d["b"] = 2
    plain: Dict[str, int] = d
    e: PyDict[str, int] = pydict()
    cl: chklist[str] = chklist[str]()
    cd: chkdict[str, str] = chkdict[str, str]()
    a: Array[int64] = Array[int64](4)
    a[0] = twice(i)
    v: Vector[double] = Vector[double]()
    v.append(1.5)
    p: Optional[Point] = Point(3.0, 4.0)
    q: Point = cast(Point, p)
    n: int = clen(xs) + unbox(small) + sum(others) + len(ys) + len(plain) + len(e) + len(cl) + len(cd)
    return n + box(a[0]) + int(v[0]) + int(norm(q)) + int(flag) + int(f) + rand() % RAND_MAX


if __name__ == "__main__":
    print(use())
