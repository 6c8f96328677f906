"""Word statistics: a mixperf mix fixture in marker mode (a header and four sections)."""
import __static__
from __static__ import CheckedDict, box, cast, clen, inline, int64
import sys

TEXT: str = "the quick brown fox jumps over the lazy dog and the quick cat naps"

### SECTION SEPARATOR ###
def count_letters(words: list[str]) -> dict[str, int]:
    counts: CheckedDict[str, int] = CheckedDict[str, int]()
    for w in words:
        for ch in w:
            counts[ch] = counts.get(ch, 0) + 1
    return dict(counts)


### SECTION SEPARATOR ###
def longest(words: list[str]) -> tuple[str, int]:
    best: str = ""
    total: int64 = 0
    ### SECTION SEPARATOR ###
    for w in words:
        n: int64 = int64(clen(w))
        total += n
        if n > int64(clen(best)):
            best = cast(str, w)
    return best, box(total)


### SECTION SEPARATOR ###
class Tally:
    seen: int

    def __init__(self) -> None:
        self.seen = 0

    @inline
    def add(self, n: int) -> int:
        self.seen += n
        return self.seen


def main(rounds: int) -> None:
    words: list[str] = TEXT.split()
    tally = Tally()
    for _ in range(rounds):
        letters = count_letters(words)
        best, total = longest(words)
        tally.add(total)
    top = sorted(letters.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    print("top", top)
    print("longest", best, "tally", tally.seen)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
