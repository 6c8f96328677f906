"""Drives Debian's Locust (python3-locust 2.x) on synthetic input written by test_locust_compat.c,
so the test can compare mixperf's files and numbers with what Locust itself produces. No network:
Locust's RequestStats and CSV writer are called directly, on a fake clock.

Run with /usr/bin/python3 (Debian's interpreter, which has locust):
  locust_driver.py csv EVENTS.json PREFIX   write PREFIX_{stats,stats_history,failures,exceptions}.csv
  locust_driver.py repr IN OUT              one float per line (float.hex) -> repr(float)
  locust_driver.py round IN OUT             one float per line (float.hex) -> Locust's stored key
"""
import json
import sys

import locust.runners
import locust.stats


class FakeClock:
    """Stands in for the time module inside locust.stats, which only calls time()."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


class Message:
    """A failure whose repr() is mixperf's message: Locust writes repr(error) in failures.csv."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


class Holder:
    pass


def write_csv(events_path, prefix):
    with open(events_path) as f:
        spec = json.load(f)
    # int / int is correctly rounded; int / 1e9 would first round the 61-bit int to a double.
    clock = FakeClock(spec["start_ns"] / 10**9)
    locust.stats.time = clock
    stats = locust.stats.RequestStats()  # reset() caches an empty table at the start second

    runner = Holder()
    runner.user_count = spec["user_count"]
    runner.exceptions = {}
    env = Holder()
    env.stats = stats
    env.runner = runner

    writer = locust.stats.StatsCSVFileWriter(
        env, locust.stats.PERCENTILES_TO_REPORT, prefix, full_history=True
    )
    # What StatsCSVFileWriter.stats_writer() does first: the history header, once.
    writer.stats_history_csv_writer.writerow(writer.stats_history_csv_columns)
    for ev in spec["events"]:
        clock.now = ev["t_ns"] / 10**9
        if ev["kind"] == "request":
            stats.log_request(ev["method"], ev["name"], ev["latency_ns"] / 10**6, ev["content_length"])
            if ev["error"] is not None:
                stats.log_error(ev["method"], ev["name"], Message(ev["error"]))
        elif ev["kind"] == "exception":
            locust.runners.Runner.log_exception(runner, "local", ev["message"], ev["where"])
        elif ev["kind"] == "history":
            writer._stats_history_data_rows(writer.stats_history_csv_writer, clock.now)
        else:
            raise ValueError(ev["kind"])
    writer.requests_csv(writer.requests_csv_writer)
    writer.failures_csv(writer.failures_csv_writer)
    writer.exceptions_csv(writer.exceptions_csv_writer)
    writer.close_files()


def map_floats(in_path, out_path, fn):
    with open(in_path) as f, open(out_path, "w") as out:
        for line in f:
            out.write(fn(float.fromhex(line.strip())) + "\n")


def locust_key(ms):
    entry = locust.stats.StatsEntry(None, "x", "GET")
    entry._log_response_time(ms)
    (key,) = entry.response_times.keys()
    return float(key).hex()


def main(argv):
    if argv[1] == "csv":
        write_csv(argv[2], argv[3])
    elif argv[1] == "repr":
        map_floats(argv[2], argv[3], repr)
    elif argv[1] == "round":
        map_floats(argv[2], argv[3], locust_key)
    else:
        raise SystemExit("unknown mode " + argv[1])


if __name__ == "__main__":
    main(sys.argv)
