"""wordindex: generate a text of pseudo-words from a linear congruential generator, tokenize it
by scanning characters, build an inverted index and frequency tables (dicts of str), rank words
and bigrams and answer phrase queries. A mixperf benchmark program (bench/programs,
docs/programs.md): the untyped, shallow and advanced variants hold the same units in the same
order, separated by section markers, and this header is the same in all three."""
from __future__ import annotations

import collections
import re
import sys
import time
from typing import Dict, List, Optional, Set, Tuple

import __static__
from __static__ import CheckedDict, CheckedList, box, clen, final, int64, unbox

WORDS = 30000
SEED = 20240611
TOP = 5
DEFAULT_N = 4
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "an", "el", "or", "us", "qua", "ther", "ing")

### SECTION SEPARATOR ###


class Lcg:
    """Numerical Recipes' 32-bit linear congruential generator; below() uses the high bits."""

    def __init__(self, seed: int) -> None:
        self.state: int = seed % 4294967296

    def next(self) -> int:
        self.state = (self.state * 1664525 + 1013904223) % 4294967296
        return self.state

    def below(self, n: int) -> int:
        return (self.next() >> 8) % n

    def skewed(self, n: int) -> int:
        """Small values more often: the smaller of two draws."""
        a = self.below(n)
        b = self.below(n)
        return a if a < b else b


### SECTION SEPARATOR ###


def make_word(rng: Lcg) -> str:
    parts: List[str] = []
    for _ in range(1 + rng.below(3)):
        parts.append(SYLLABLES[rng.skewed(len(SYLLABLES))])
    return "".join(parts)


def make_text(rng: Lcg, count: int) -> str:
    """count words in sentences of 4 to 15 words: capitalized, with commas, a period at the end
    and a line break after every third sentence."""
    out: List[str] = []
    written = 0
    sentences = 0
    while written < count:
        length = 4 + rng.below(12)
        for k in range(length):
            word = make_word(rng)
            if k == 0:
                word = word[0].upper() + word[1:]
            out.append(word)
            if k == length - 1:
                out.append(".")
            elif rng.below(7) == 0:
                out.append(",")
            out.append(" ")
            written += 1
        sentences += 1
        if sentences % 3 == 0:
            out.append("\n")
    return "".join(out)


### SECTION SEPARATOR ###


def tokenize(text: str) -> List[str]:
    """Lower-case runs of ASCII letters, found by scanning the text one character at a time."""
    tokens: List[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if ("a" <= c <= "z") or ("A" <= c <= "Z"):
            start = i
            i += 1
            while i < n:
                c = text[i]
                if not (("a" <= c <= "z") or ("A" <= c <= "Z")):
                    break
                i += 1
            tokens.append(text[start:i].lower())
        else:
            i += 1
    return tokens


### SECTION SEPARATOR ###


class Index:
    """Where each word occurs (token positions) and how often."""

    def __init__(self) -> None:
        self.postings: Dict[str, List[int]] = {}
        self.counts: Dict[str, int] = {}
        self.size: int = 0

    def add_all(self, tokens: List[str]) -> None:
        for word in tokens:
            where = self.postings.get(word)
            if where is None:
                where = []
                self.postings[word] = where
                self.counts[word] = 0
            where.append(self.size)
            self.counts[word] += 1
            self.size += 1

    def count(self, word: str) -> int:
        return self.counts.get(word, 0)

    def distinct(self) -> int:
        return len(self.counts)

    def phrase(self, words: List[str]) -> List[int]:
        """Positions where words occur consecutively."""
        first = self.postings.get(words[0])
        if first is None:
            return []
        found = set(first)
        for k in range(1, len(words)):
            nxt = self.postings.get(words[k])
            if nxt is None:
                return []
            found = found.intersection(p - k for p in nxt)
        return sorted(found)

    def frequencies(self) -> Dict[str, int]:
        return self.counts


### SECTION SEPARATOR ###


def top_words(counts: Dict[str, int], k: int) -> List[Tuple[str, int]]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:k]


### SECTION SEPARATOR ###


def bigram_counts(tokens: List[str]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    prev = ""
    for word in tokens:
        if prev:
            key = prev + " " + word
            counts[key] = counts.get(key, 0) + 1
        prev = word
    return counts


### SECTION SEPARATOR ###


def run(seed: int, words: int) -> Tuple[str, List[str], Index, List[Tuple[str, int]], List[Tuple[str, int]], List[Tuple[int, int]]]:
    rng = Lcg(seed)
    text = make_text(rng, words)
    tokens = tokenize(text)
    index = Index()
    index.add_all(tokens)
    top = top_words(index.frequencies(), TOP)
    pairs = top_words(bigram_counts(tokens), TOP)
    # Each top bigram, asked as a phrase, must be found exactly as often as it was counted.
    phrase_hits: List[Tuple[int, int]] = []
    for key, n in pairs:
        phrase_hits.append((len(index.phrase(key.split(" "))), n))
    return text, tokens, index, top, pairs, phrase_hits


def main(argv: List[str]) -> None:
    reps = int(argv[1]) if len(argv) > 1 else DEFAULT_N
    summaries: List[Tuple[int, int, List[Tuple[str, int]], List[Tuple[str, int]], List[Tuple[int, int]]]] = []
    t0 = time.perf_counter()
    for _ in range(reps):
        text, tokens, index, top, pairs, phrase_hits = run(SEED, WORDS)
        summaries.append((len(tokens), index.distinct(), top, pairs, phrase_hits))
    elapsed = time.perf_counter() - t0
    print("wordindex chars=%d tokens=%d distinct=%d" % (len(text), len(tokens), index.distinct()))
    print("top words: " + " ".join("%s:%d" % wc for wc in top))
    print("top bigrams: " + " ".join("%s:%d" % wc for wc in pairs))
    # Independent recount of the last repetition with the re module and collections.Counter.
    expected_tokens = re.findall("[a-z]+", text.lower())
    expected_counts = collections.Counter(expected_tokens)
    problems: List[str] = []
    if tokens != expected_tokens:
        problems.append("tokens differ from re.findall")
    if dict(index.frequencies()) != dict(expected_counts):
        problems.append("frequencies differ from collections.Counter")
    for found, counted in phrase_hits:
        if found != counted:
            problems.append("phrase found %d times, bigram counted %d" % (found, counted))
    if any(s != summaries[0] for s in summaries):
        problems.append("repetitions disagree")
    if problems:
        print("wordindex: wrong result: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)
    print("%.6f" % elapsed)


if __name__ == "__main__":
    main(sys.argv)
