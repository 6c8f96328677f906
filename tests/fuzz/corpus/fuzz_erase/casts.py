from typing import cast
import typing as t
from __static__ import box, int64 as i64, inline
@inline
def f(x: i64):
    return t.cast(int, box(cast(int, x + i64(1))))
