"""Checks a JSON file against the rules pyperf (psf/pyperf) applies when it loads a benchmark suite,
as written in its source: pyperf/_bench.py (BenchmarkSuite._json_load, Benchmark._json_load and
add_run, Run.__init__) and pyperf/_metadata.py (parse_metadata, check_metadata, the METADATA
registry). pyperf itself cannot be installed here (no PyPI, not packaged in Debian 12), so this
re-states those rules; it is not pyperf's code.

usage: pyperf_check.py FILE.json...   exit 0 when every file would load, else 1 with the reasons.
"""
import datetime
import json
import sys

NUMBER = (int, float)
UNITS = ("second", "byte", "integer")

# _CHECKED_METADATA: every run of a benchmark has the same value for these (or none has one).
CHECKED = ("aslr", "cpu_count", "cpu_model_name", "hostname", "inner_loops", "name", "platform",
           "python_executable", "python_implementation", "python_unicode", "python_version",
           "unit")


def is_number(v):
    return isinstance(v, NUMBER) and not isinstance(v, bool)


def registry_check(name, value):
    """The METADATA registry: types and value checks of the keys pyperf knows."""
    if name in ("loops", "inner_loops", "calibrate_loops", "recalibrate_loops"):
        return isinstance(value, int) and value >= 1
    if name in ("calibrate_warmups", "recalibrate_warmups"):
        return isinstance(value, int) and value >= 0
    if name in ("duration", "uptime"):
        return is_number(value) and value >= 0
    if name == "load_avg_1min":
        return is_number(value) and value >= 0
    if name in ("mem_max_rss", "mem_peak_pagefile_usage", "command_max_rss"):
        return isinstance(value, int) and value >= 0
    if name == "unit":
        return isinstance(value, str) and value in UNITS
    if name in ("date", "boot_time"):
        return isinstance(value, str)
    if name == "tags":
        return isinstance(value, list) and all(isinstance(x, str) and x not in ("all", "")
                                               for x in value)
    # DEFAULT_METADATA_INFO: int, str or float
    return isinstance(value, (int, str, float))


def parse_metadata(md, where, errors):
    """parse_metadata: strings stripped, non-empty, without newlines; then check_metadata."""
    if not isinstance(md, dict):
        errors.append("%s: metadata is not an object" % where)
        return {}
    out = {}
    for name, value in md.items():
        if isinstance(value, str):
            value = value.strip()
            if "\n" in value or "\r" in value:
                errors.append("%s: metadata %r has a newline" % (where, name))
            if not value:
                errors.append("%s: metadata %r is empty" % (where, name))
        if not registry_check(name, value):
            errors.append("%s: metadata %r has an invalid value %r" % (where, name, value))
        out[name] = value
    return out


def check_suite(path):
    errors = []
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("version") != "1.0":
        errors.append("%s: version %r (expected '1.0')" % (path, data.get("version")))
    suite_md = data.get("metadata", {})
    if suite_md is not None:
        suite_md = parse_metadata(suite_md, path + ": suite", errors)
    benchmarks = data.get("benchmarks")
    if not isinstance(benchmarks, list) or not benchmarks:
        errors.append("%s: benchmarks must be a non-empty list" % path)
        return errors
    names = set()
    for bi, bench in enumerate(benchmarks):
        where = "%s: benchmarks[%d]" % (path, bi)
        bmd = parse_metadata(bench.get("metadata", {}), where, errors)
        common = dict(suite_md or {}, **bmd)
        runs = bench.get("runs")
        if not isinstance(runs, list) or not runs:
            errors.append("%s: runs must be a non-empty list" % where)
            continue
        merged = []
        for ri, run in enumerate(runs):
            rwhere = "%s.runs[%d]" % (where, ri)
            md = dict(common, **parse_metadata(run.get("metadata", {}), rwhere, errors))
            values = run.get("values", [])
            warmups = run.get("warmups")
            if not all(is_number(v) and v > 0 for v in values):
                errors.append("%s: values must be numbers > 0, got %r" % (rwhere, values))
            if warmups is not None:
                for item in warmups:
                    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], int)
                            and item[0] >= 1 and is_number(item[1]) and item[1] >= 0):
                        errors.append("%s: bad warmup %r" % (rwhere, item))
            if not values and not warmups:
                errors.append("%s: values and warmups are empty" % rwhere)
            if "date" in md:
                # Benchmark.get_dates reads it with datetime.fromisoformat
                try:
                    datetime.datetime.fromisoformat(md["date"])
                except ValueError:
                    errors.append("%s: date %r is not ISO format" % (rwhere, md["date"]))
            merged.append(md)
        if "name" not in merged[0]:
            errors.append("%s: the first run has no name metadata" % where)
        name = merged[0].get("name")
        if name in names:
            errors.append("%s: a second benchmark called %r" % (where, name))
        names.add(name)
        # add_run: the checked keys agree with the common metadata of the runs before
        common_md = dict(merged[0])
        for ri, md in enumerate(merged[1:], 1):
            for key in CHECKED:
                if md.get(key) != common_md.get(key):
                    errors.append("%s.runs[%d]: metadata %s differs: %r vs %r"
                                  % (where, ri, key, common_md.get(key), md.get(key)))
            for key in list(common_md):
                if md.get(key) != common_md[key]:
                    del common_md[key]
    return errors


def main(paths):
    bad = 0
    for p in paths:
        errs = check_suite(p)
        for e in errs:
            print(e, file=sys.stderr)
        bad += bool(errs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
