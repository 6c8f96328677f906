"""Deterministic placeholder prose for `manage.py seed` (word lists written for this project)."""
import random

WORDS = (
    "about above across after again against along already always among another answer around "
    "ask away back because become before began begin being below between both bring build busy "
    "call came carry cause change check child city clear close cold come common could count "
    "country cover cross dark days deep didn't differ direct does done door down draw during early "
    "earth east easy eight enough even every example face fact fall family farm fast field figure "
    "find fire first fish five follow food form found four free friend from front full game gave "
    "give good govern great green ground group grow half hand happen hard have head hear heat help "
    "here high hold home hour house idea important inch island keep kind king know land large last "
    "late learn leave letter life light line list listen little live long look machine made main "
    "make many mark measure might mile mind money month more morning most mother mountain move "
    "much music must name near need never next night north note nothing notice number object "
    "often open order other over page paper part pass pattern people perhaps picture piece place "
    "plain plan plant play point power press problem produce product pull question quick rain "
    "reach read ready real record remember rest right river road rock room round rule same school "
    "science second seem self sentence serve several shape short show side simple since size slow "
    "small snow song soon sound south space special stand star start state step still stood stop "
    "story street strong study such summer surface system table take talk teach tell test than "
    "thing think those though thought three through time today together told took tool toward town "
    "travel tree true under unit until usual very voice vowel wait walk warm watch water week "
    "weight well west wheel where while white whole wind winter with wonder wood word work world "
    "write year young"
).split()

TOPICS = (
    "python django templates orm caching profiling typing interpreters compilers garbage "
    "benchmarks latency throughput databases sqlite testing packaging security http async "
    "generators closures decorators unicode parsing networking deployment logging debugging "
    "concurrency memory pypy cython mypyc statistics gradual-typing jit bytecode"
).split()


def sentence(rng: random.Random, low=6, high=14) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, low=3, high=7) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(low, high)))


def title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
