"""jsonish: build nested documents from a xorshift generator (strings with escapes, non-ASCII
and astral characters, ints, floats, nesting), encode them to JSON with a hand-written encoder
and parse them back with a recursive-descent parser; the json module checks both. Three modules
(main, encoder, decoder). A mixperf benchmark program (bench/programs, docs/programs.md): the
untyped, shallow and advanced variants hold the same units in the same order, separated by
section markers, and each module's header is the same in all three."""
from __future__ import annotations

import json
import sys
import time
from typing import Any, Dict, List, Tuple

import __static__
from __static__ import CheckedList, box, final, int64, unbox

from decoder import decode
from encoder import encode

DOCUMENTS = 60
DEPTH = 6
SEED = 2463534242
DEFAULT_N = 8
ALPHABET = "abcdefghijklmnopqrstuvwxyz ABCXYZ \"\\/\n\t\x01\x7f\u00e9\u00df\u6f22\U0001f600"

### SECTION SEPARATOR ###


@final
class DocBuilder:
    """Random JSON-able values from a 32-bit xorshift generator."""

    def __init__(self, seed: int) -> None:
        self.state: int64 = unbox(seed)

    def rand(self) -> int:
        x: int64 = self.state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.state = x
        return box(x)

    def below(self, n: int) -> int:
        return self.rand() % n

    def text(self) -> str:
        chars: CheckedList[str] = CheckedList[str]()
        k: int64 = unbox(self.below(14))
        while k > 0:
            chars.append(ALPHABET[self.below(len(ALPHABET))])
            k -= 1
        return "".join(chars)

    def scalar(self) -> object:
        kind: int64 = unbox(self.below(7))
        if kind == 0:
            return None
        if kind == 1:
            return self.below(2) == 0
        if kind == 2:
            return self.rand() - 2147483648
        if kind == 3:
            return (self.rand() % 2000001 - 1000000) / 1024.0
        if kind == 4:
            return self.rand() * 1e-9 * (self.below(3) - 1)
        return self.text()

    def value(self, depth: int) -> object:
        if depth == 0 or self.below(5) == 0:
            return self.scalar()
        if self.below(2) == 0:
            return [self.value(depth - 1) for _ in range(self.below(7))]
        fields: Dict[str, object] = {}
        k: int64 = 0
        n: int64 = unbox(self.below(7))
        while k < n:
            item: object = self.value(depth - 1)
            fields[self.text() + str(box(k))] = item
            k += 1
        return fields


### SECTION SEPARATOR ###


def count_nodes(v: object) -> int:
    if isinstance(v, list):
        return 1 + sum(count_nodes(x) for x in v)
    if isinstance(v, dict):
        return 1 + sum(count_nodes(x) for x in v.values())
    return 1


### SECTION SEPARATOR ###


def roundtrip(seed: int, documents: int, depth: int) -> Tuple[List[object], List[str], List[object]]:
    builder = DocBuilder(seed)
    docs = [builder.value(depth) for _ in range(documents)]
    texts = [encode(d) for d in docs]
    back = [decode(t) for t in texts]
    return docs, texts, back


def main(argv: List[str]) -> None:
    reps = int(argv[1]) if len(argv) > 1 else DEFAULT_N
    sizes: List[int] = []
    t0 = time.perf_counter()
    for _ in range(reps):
        docs, texts, back = roundtrip(SEED, DOCUMENTS, DEPTH)
        sizes.append(sum(len(t) for t in texts))
    elapsed = time.perf_counter() - t0
    nodes = sum(count_nodes(d) for d in docs)
    print("jsonish documents=%d nodes=%d chars=%d" % (DOCUMENTS, nodes, sizes[0]))
    problems: List[str] = []
    for i in range(DOCUMENTS):
        if texts[i] != json.dumps(docs[i], separators=(",", ":")):
            problems.append("document %d encodes differently from json.dumps" % i)
        if back[i] != docs[i] or json.loads(texts[i]) != back[i]:
            problems.append("document %d does not decode to itself" % i)
    if any(s != sizes[0] for s in sizes):
        problems.append("repetitions disagree")
    if problems:
        print("jsonish: wrong result: " + "; ".join(problems[:3]), file=sys.stderr)
        sys.exit(1)
    print("%.6f" % elapsed)


if __name__ == "__main__":
    main(sys.argv)
