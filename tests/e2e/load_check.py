"""Helpers for the Python checks of tests/e2e/test_load_*.sh (imported, not a test).

The header lines are Locust 2.x's, taken from files written by /usr/bin/locust --csv."""
import csv
import json
import os
import sys

WORK = sys.argv[1]

STATS_HEADER = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
                "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
                "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%")
HISTORY_HEADER = ("Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,"
                  "99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,"
                  "Total Median Response Time,Total Average Response Time,Total Min Response Time,"
                  "Total Max Response Time,Total Average Content Size")
FAILURES_HEADER = "Method,Name,Error,Occurrences"
EXCEPTIONS_HEADER = "Count,Message,Traceback,Nodes"


def path(name):
    return os.path.join(WORK, name)


def text(name):
    with open(path(name)) as f:
        return f.read()


def lines(name):
    return text(name).splitlines()


def rows(name):
    with open(path(name), newline="") as f:
        return list(csv.DictReader(f))


def log():
    with open(path("log.json")) as f:
        return json.load(f)


def load_json(name):
    with open(path(name)) as f:
        return json.load(f)


def stats_rows(prefix):
    """{(Type, Name): row} of PREFIX_stats.csv, the Aggregated row included."""
    return {(r["Type"], r["Name"]): r for r in rows(prefix + "_stats.csv")}


def check_headers(prefix):
    assert lines(prefix + "_stats.csv")[0] == STATS_HEADER, lines(prefix + "_stats.csv")[0]
    assert lines(prefix + "_stats_history.csv")[0] == HISTORY_HEADER, lines(prefix + "_stats_history.csv")[0]
    assert lines(prefix + "_failures.csv")[0] == FAILURES_HEADER, lines(prefix + "_failures.csv")[0]
    assert lines(prefix + "_exceptions.csv")[0] == EXCEPTIONS_HEADER, lines(prefix + "_exceptions.csv")[0]


def seed_printed():
    """The seed from the first line of mixperf's output."""
    first = lines("out.txt")[0]
    assert first.startswith("mixperf load: seed "), first
    return int(first.split()[3])


def expect(cond, *msg):
    if not cond:
        raise AssertionError(" ".join(str(m) for m in msg))
