"""Type errors mypy must report against __static__/__init__.pyi (tests/e2e/test_static_compat.sh
checks the exact lines and error codes)."""
from __static__ import Array, CheckedDict, CheckedList, box, clen, double, int64


def bad() -> None:
    xs: CheckedList[int] = CheckedList[int]()
    xs.append("x")
    d: CheckedDict[str, int] = CheckedDict[str, int]()
    d[1] = 2
    a: Array[double] = Array[double](3)
    a[0] = "y"
    s: str = box(int64(1))
    n: str = clen([1])
