"""jsonish encoder: values -> compact JSON text (ASCII only, like json.dumps with
separators=(",", ":")). Part of the jsonish mixperf benchmark program; the untyped, shallow and
advanced variants hold the same units, and this header is the same in all three."""
from __future__ import annotations

from typing import Dict, List, Optional

import __static__
from __static__ import CheckedDict, CheckedList, box, clen, final, inline, int64, unbox

HEX = "0123456789abcdef"

### SECTION SEPARATOR ###


SHORT_ESCAPES: Dict[str, str] = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def escape_code(code: int) -> str:
    """A \\uXXXX escape for one UTF-16 code unit."""
    return "\\u" + HEX[(code >> 12) & 15] + HEX[(code >> 8) & 15] + HEX[(code >> 4) & 15] + HEX[code & 15]


def quote(s: str, out: List[str]) -> None:
    """Appends s as a JSON string literal: short escapes, \\u for control and non-ASCII
    characters, surrogate pairs beyond the BMP."""
    out.append('"')
    start = 0
    n = len(s)
    for i in range(n):
        c = s[i]
        code = ord(c)
        if 32 <= code < 127 and c != '"' and c != "\\":
            continue
        if start < i:
            out.append(s[start:i])
        start = i + 1
        short = SHORT_ESCAPES.get(c)
        if short is not None:
            out.append(short)
        elif code < 65536:
            out.append(escape_code(code))
        else:
            code -= 65536
            out.append(escape_code(0xD800 + (code >> 10)))
            out.append(escape_code(0xDC00 + (code & 1023)))
    if start < n:
        out.append(s[start:n])
    out.append('"')


### SECTION SEPARATOR ###


class Encoder:
    def __init__(self) -> None:
        self.out: List[str] = []
        self.depth: int = 0
        self.deepest: int = 0

    def value(self, v: object) -> None:
        if v is None:
            self.out.append("null")
        elif v is True:
            self.out.append("true")
        elif v is False:
            self.out.append("false")
        elif isinstance(v, str):
            quote(v, self.out)
        elif isinstance(v, int):
            self.out.append(str(v))
        elif isinstance(v, float):
            self.out.append(repr(v))
        elif isinstance(v, list):
            self.encode_array(v)
        elif isinstance(v, dict):
            self.encode_object(v)
        else:
            raise TypeError("cannot encode %s" % type(v).__name__)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.deepest:
            self.deepest = self.depth

    def encode_array(self, items: List[object]) -> None:
        self.enter()
        self.out.append("[")
        first = True
        for item in items:
            if not first:
                self.out.append(",")
            first = False
            self.value(item)
        self.out.append("]")
        self.depth -= 1

    def encode_object(self, fields: Dict[str, object]) -> None:
        self.enter()
        self.out.append("{")
        first = True
        for key, item in fields.items():
            if not first:
                self.out.append(",")
            first = False
            quote(key, self.out)
            self.out.append(":")
            self.value(item)
        self.out.append("}")
        self.depth -= 1

    def text(self) -> str:
        return "".join(self.out)


### SECTION SEPARATOR ###


def encode(value: object) -> str:
    encoder = Encoder()
    encoder.value(value)
    return encoder.text()
