"""jsonish decoder: JSON text -> values, by recursive descent over the characters. Part of the
jsonish mixperf benchmark program; the untyped, shallow and advanced variants hold the same
units, and this header is the same in all three."""
from __future__ import annotations

from typing import Dict, List, Optional

import __static__
from __static__ import CheckedDict, CheckedList, box, cbool, clen, final, int64, unbox

WHITESPACE = " \t\n\r"
UNESCAPE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
NUMBER_CHARS = "+-0123456789.eE"

### SECTION SEPARATOR ###


class DecodeError(Exception):
    def __init__(self, message, pos):
        Exception.__init__(self, "%s at offset %d" % (message, pos))
        self.pos = pos


### SECTION SEPARATOR ###


class Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.end = len(text)

    def skip_space(self):
        while self.pos < self.end and self.text[self.pos] in WHITESPACE:
            self.pos += 1

    def peek(self):
        self.skip_space()
        if self.pos >= self.end:
            raise DecodeError("unexpected end", self.pos)
        return self.text[self.pos]

    def expect(self, c):
        if self.peek() != c:
            raise DecodeError("expected %r" % c, self.pos)
        self.pos += 1

    def parse_document(self):
        result = self.parse_value()
        self.skip_space()
        if self.pos != self.end:
            raise DecodeError("trailing text", self.pos)
        return result

    def parse_value(self):
        c = self.peek()
        if c == "{":
            return self.parse_object()
        if c == "[":
            return self.parse_array()
        if c == '"':
            return self.parse_string()
        if c == "t":
            return self.parse_literal("true", True)
        if c == "f":
            return self.parse_literal("false", False)
        if c == "n":
            return self.parse_literal("null", None)
        return self.parse_number()

    def parse_literal(self, word, result):
        if self.text.startswith(word, self.pos):
            self.pos += len(word)
            return result
        raise DecodeError("bad literal", self.pos)

    def parse_number(self):
        start = self.pos
        while self.pos < self.end and self.text[self.pos] in NUMBER_CHARS:
            self.pos += 1
        token = self.text[start : self.pos]
        if not token:
            raise DecodeError("unexpected character", start)
        if "." in token or "e" in token or "E" in token:
            return float(token)
        return int(token)

    def hex4(self):
        if self.pos + 4 > self.end:
            raise DecodeError("short \\u escape", self.pos)
        code = int(self.text[self.pos : self.pos + 4], 16)
        self.pos += 4
        return code

    def parse_string(self):
        self.pos += 1
        parts = []
        start = self.pos
        while True:
            if self.pos >= self.end:
                raise DecodeError("unterminated string", start)
            c = self.text[self.pos]
            if c == '"':
                parts.append(self.text[start : self.pos])
                self.pos += 1
                return "".join(parts)
            if c != "\\":
                self.pos += 1
                continue
            parts.append(self.text[start : self.pos])
            esc = self.text[self.pos + 1 : self.pos + 2]
            self.pos += 2
            if esc == "u":
                code = self.hex4()
                if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", self.pos):
                    self.pos += 2
                    low = self.hex4()
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                parts.append(chr(code))
            else:
                plain = UNESCAPE.get(esc)
                if plain is None:
                    raise DecodeError("bad escape", self.pos - 2)
                parts.append(plain)
            start = self.pos

    def parse_array(self):
        self.pos += 1
        items = []
        if self.peek() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.parse_value())
            c = self.peek()
            self.pos += 1
            if c == "]":
                return items
            if c != ",":
                raise DecodeError("expected , or ]", self.pos - 1)

    def parse_object(self):
        self.pos += 1
        fields = {}
        if self.peek() == "}":
            self.pos += 1
            return fields
        while True:
            if self.peek() != '"':
                raise DecodeError("expected a key", self.pos)
            key = self.parse_string()
            self.expect(":")
            fields[key] = self.parse_value()
            c = self.peek()
            self.pos += 1
            if c == "}":
                return fields
            if c != ",":
                raise DecodeError("expected , or }", self.pos - 1)


### SECTION SEPARATOR ###


def decode(text):
    return Parser(text).parse_document()
