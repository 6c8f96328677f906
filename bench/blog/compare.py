#!/usr/bin/python3
"""The blog benchmark driven by Locust and by mixperf, in one run (issue 3, item 5).

    bench/blog/compare.py MIXPERF

The same workload -- bench/scenarios/blog.yaml for mixperf, bench/locust/blog_locustfile.py (which
mirrors it) for Locust 2.12 with FastHttpUser -- with the same users, spawn rate and duration,
against the same server settings (serve.sh: 2 sync gunicorn workers, a fresh database per run).
The generators alternate (the order flips every round) for ROUNDS rounds; medians are printed.

For each run, over the window in which the users ran (after setup, before teardown; mixperf's
JSON gives it, the locustfile writes it to MIXPERF_BLOG_TIMES):
  - the generator's share of the machine: its CPU seconds (utime+stime of the process and its
    threads, sampled from /proc every 0.1 s) / (window x CPUs);
  - the server's throughput: successful requests (the generator's own statistics: a followed
    redirect counts once, in both) / window;
  - the server's CPU per request: CPU seconds of the whole gunicorn process group (master and
    workers, /proc utime+stime deltas over the window) / successful requests; and the server's
    share of the machine;
  - failures.

Two placements (BLOG_BENCH_MODES, default "shared pinned"):
  shared  no pinning: generator and server share every CPU, as when a load test runs on the
          machine under test -- the generator's own CPU is taken from the server, which is the
          cost mixperf exists to remove;
  pinned  the generator on CPU 0, the server on the others: they do not compete, so the
          generator's cost shows in its own share (and, if it saturates its CPU, in a lower
          request rate), not in the server's.
Environment: BLOG_BENCH_ROUNDS (3), BLOG_BENCH_SECONDS (20), BLOG_BENCH_EDITORS (20),
BLOG_BENCH_READERS (200), BLOG_BENCH_MODES.
"""
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
SERVE = os.path.join(SRC, "bench", "apps", "blog", "serve.sh")
SCENARIO = os.path.join(SRC, "bench", "scenarios", "blog.yaml")
LOCUSTFILE = os.path.join(SRC, "bench", "locust", "blog_locustfile.py")
MIXPERF = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else sys.exit("usage: compare.py MIXPERF")
ROUNDS = int(os.environ.get("BLOG_BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BLOG_BENCH_SECONDS", "20"))
EDITORS = int(os.environ.get("BLOG_BENCH_EDITORS", "20"))
READERS = int(os.environ.get("BLOG_BENCH_READERS", "200"))
MODES = os.environ.get("BLOG_BENCH_MODES", "shared pinned").split()
NCPU = os.cpu_count() or 1
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def group_cpu(pgid):
    """CPU seconds of every live process in process group pgid."""
    total = 0.0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


class Sampler(threading.Thread):
    """(wall time, generator CPU, server CPU) every 0.1 s while the generator runs."""

    def __init__(self, gen_pid, server_pgid):
        super().__init__(daemon=True)
        self.gen_pid, self.pgid = gen_pid, server_pgid
        self.samples = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            g = cpu_seconds(self.gen_pid)
            if g is not None:
                self.samples.append((time.time(), g, group_cpu(self.pgid)))
            self.done.wait(0.1)

    def at(self, t, k):
        """Value k (1: generator, 2: server) at wall time t, interpolated between samples."""
        s = self.samples
        if not s or t <= s[0][0]:
            return s[0][k] if s else 0.0
        for a, b in zip(s, s[1:]):
            if a[0] <= t <= b[0]:
                return a[k] + (b[k] - a[k]) * (t - a[0]) / max(b[0] - a[0], 1e-9)
        return s[-1][k]


def start_server(workdir, cpus):
    cmd = ["sh", SERVE, "start", "--dir", workdir]
    if cpus:
        cmd = ["taskset", "-c", cpus] + cmd
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    env = dict(line.split("=", 1) for line in out.split())
    return env


def stop_server(workdir):
    subprocess.run(["sh", SERVE, "stop", workdir], check=True)


def run_one(tool, mode, work):
    """One run of one generator against a fresh server; returns its figures."""
    gen_cpus, server_cpus = (("0", f"1-{NCPU - 1}" if NCPU > 2 else "1") if mode == "pinned"
                             else (None, None))
    srv_dir = os.path.join(work, "server")
    server = start_server(srv_dir, server_cpus)
    users = EDITORS + READERS
    env = dict(os.environ, BLOG_EDITORS=str(EDITORS), MIXPERF_BLOG_TIMES=os.path.join(work, "times"),
               MIXPERF_BLOG_RUN_TIME=str(SECONDS))
    if tool == "mixperf":
        cmd = [MIXPERF, "load", SCENARIO, "--host", server["MIXPERF_BLOG_URL"], "-u", str(users),
               "-r", "50", "-t", f"{SECONDS}s", "--threads", "1", "--quiet",
               "--json", os.path.join(work, "run.json"), "--csv", os.path.join(work, "run")]
    else:
        # -t is a safety net: the locustfile stops SECONDS after setup (MIXPERF_BLOG_RUN_TIME), as
        # mixperf's -t does.
        cmd = ["/usr/bin/locust", "-f", LOCUSTFILE, "--headless", "-u", str(users), "-r", "50",
               "-t", f"{SECONDS + 300}s", "--host", server["MIXPERF_BLOG_URL"],
               "--csv", os.path.join(work, "run"), "--only-summary", "--loglevel", "WARNING"]
    if gen_cpus:
        cmd = ["taskset", "-c", gen_cpus] + cmd
    try:
        with open(os.path.join(work, "gen.log"), "w") as log:
            p = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
            sampler = Sampler(p.pid, int(server["MIXPERF_BLOG_PID"]))
            sampler.start()
            rc = p.wait(timeout=SECONDS * 6 + 300)
            sampler.done.set()
            sampler.join()
    finally:
        stop_server(srv_dir)
    if rc not in (0, 1):
        with open(os.path.join(work, "gen.log")) as f:
            sys.exit(f"{tool} exited with {rc}:\n{f.read()[-3000:]}")
    with open(os.path.join(work, "run_stats.csv"), newline="") as f:
        agg = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"][0]
    requests, failures = int(agg["Request Count"]), int(agg["Failure Count"])
    ok = requests - failures
    if tool == "mixperf":
        with open(os.path.join(work, "run.json")) as f:
            doc = json.load(f)
        t0 = doc["start_wall_ns"] / 1e9
        t1 = t0 + doc["elapsed_s"]
        failures += sum(e["count"] for e in doc["exceptions"])  # scenario errors
    else:
        with open(os.path.join(work, "times")) as f:
            times = dict(line.split() for line in f)
        t0, t1 = float(times["users_start"]), float(times["users_stop"])
    window = t1 - t0
    gen = sampler.at(t1, 1) - sampler.at(t0, 1)
    srv = sampler.at(t1, 2) - sampler.at(t0, 2)
    return {"gen_share": gen / (window * NCPU), "rps": ok / window, "srv_ms": srv / max(ok, 1) * 1e3,
            "srv_share": srv / (window * NCPU), "failures": failures, "window": window}


def main():
    if not shutil.which("locust") and not os.path.exists("/usr/bin/locust"):
        sys.exit("bench blog: /usr/bin/locust is missing (Debian's python3-locust)")
    print(f"blog benchmark: {EDITORS} editors + {READERS} readers, -r 50, {SECONDS} s per run, "
          f"{ROUNDS} rounds alternating Locust 2.12 (FastHttpUser) and mixperf (1 thread), "
          f"2 sync gunicorn workers with a fresh database per run, {NCPU} CPUs "
          f"(shared with other work: the figures are noisy, ratios within a round matter)")
    for mode in MODES:
        runs = {"locust": [], "mixperf": []}
        for r in range(ROUNDS):
            order = ("locust", "mixperf") if r % 2 == 0 else ("mixperf", "locust")
            for tool in order:
                work = tempfile.mkdtemp(prefix=f"mixperf-blogbench-{tool}.")
                try:
                    runs[tool].append(run_one(tool, mode, work))
                finally:
                    shutil.rmtree(work, ignore_errors=True)
        where = ("no pinning: generator and server share every CPU" if mode == "shared"
                 else "generator pinned to CPU 0, server to the other CPU(s)")
        print(f"\n{mode} ({where}); medians of {ROUNDS}:")
        print(f"  {'':8} {'generator CPU':>14} {'server req/s':>13} {'server CPU/req':>15} "
              f"{'server CPU':>11} {'failures':>9}")
        m = {}
        for tool in ("locust", "mixperf"):
            xs = runs[tool]
            m[tool] = {k: statistics.median(x[k] for x in xs) for k in xs[0]}
            print(f"  {tool:8} {m[tool]['gen_share'] * 100:13.1f}% {m[tool]['rps']:13.1f} "
                  f"{m[tool]['srv_ms']:12.1f} ms {m[tool]['srv_share'] * 100:10.1f}% "
                  f"{sum(x['failures'] for x in xs):9d}")
            print(f"  {'':8} runs: generator " + ", ".join(f"{x['gen_share'] * 100:.1f}%" for x in xs)
                  + "; req/s " + ", ".join(f"{x['rps']:.1f}" for x in xs)
                  + "; window " + ", ".join(f"{x['window']:.1f} s" for x in xs))
        print(f"  generator CPU, locust / mixperf: {m['locust']['gen_share'] / max(m['mixperf']['gen_share'], 1e-9):.1f}x; "
              f"server throughput, under mixperf / under locust: {m['mixperf']['rps'] / max(m['locust']['rps'], 1e-9):.2f}x; "
              f"server CPU per request, under locust / under mixperf: {m['locust']['srv_ms'] / max(m['mixperf']['srv_ms'], 1e-9):.2f}x")


if __name__ == "__main__":
    main()
