"""scheduler: a small operating-system kernel simulation. A producer hands out jobs in reusable
packets, workers transform them, devices hold them for a few ticks, a collector adds up their
checksums and returns the packets; a priority scheduler picks the next runnable task each tick.
Many small methods and virtual calls. A mixperf benchmark program (bench/programs,
docs/programs.md): the untyped, shallow and advanced variants hold the same units in the same
order, separated by section markers, and this header is the same in all three."""
from __future__ import annotations

import sys
import time
from typing import List, Optional, Tuple

import __static__
from __static__ import Array, CheckedList, box, cast, cbool, clen, final, int64, unbox

JOBS = 6000
WORKERS = 3
DEVICES = 2
PACKETS = 5
WORDS = 4
DEFAULT_N = 5

### SECTION SEPARATOR ###


@final
class Packet:
    """A job's payload travelling between tasks; packets are reused, and linked into queues."""

    def __init__(self) -> None:
        self.job: int = -1
        # Only this class touches the payload, so it can be a primitive array.
        self.data: Array[int64] = Array[int64](WORDS)
        self.link: Optional[Packet] = None
        self.hops: int = 0

    def fill(self, job: int) -> None:
        self.job = job
        j: int64 = unbox(job)
        i: int64 = 0
        while i < WORDS:
            self.data[i] = (j * (i + 3) + 7 * i) % 1000
            i += 1

    def transform(self, salt: int) -> None:
        s: int64 = unbox(salt)
        i: int64 = 0
        while i < WORDS:
            self.data[i] = (self.data[i] * 31 + s + i) % 10007
            i += 1

    def checksum(self) -> int:
        total: int64 = 0
        i: int64 = 0
        while i < WORDS:
            total = (total * 17 + self.data[i]) % 1000003
            i += 1
        return box(total)


### SECTION SEPARATOR ###


class Task:
    """A schedulable task with an inbox of packets. A waiting task runs only when its inbox is
    not empty; a held task does not run at all. Subclasses call init_task first in their
    __init__ (Task has no __init__: mypyc 1.0.1 crashes compiling a subclass __init__ that calls
    an unannotated base __init__, which a mix of untyped Task and typed subclasses would do)."""

    def init_task(self, ident: int, priority: int) -> None:
        self.ident: int = ident
        self.priority: int = priority
        self.head: Optional[Packet] = None
        self.tail: Optional[Packet] = None
        self.queued: int = 0
        # Flags and the run count are private to Task's methods: primitives.
        self.waiting: cbool = False
        self.held: cbool = False
        self.runs: int64 = 0

    def runnable(self) -> bool:
        if self.held:
            return False
        if self.head is not None:
            return True
        return box(not self.waiting)

    def deliver(self, packet: Packet) -> None:
        packet.link = None
        if self.tail is None:
            self.head = packet
        else:
            self.tail.link = packet
        self.tail = packet
        self.queued += 1

    def take(self) -> Optional[Packet]:
        packet = self.head
        if packet is not None:
            self.head = packet.link
            if self.head is None:
                self.tail = None
            packet.link = None
            self.queued -= 1
        return packet

    def wait(self) -> None:
        self.waiting = True

    def hold(self) -> None:
        self.held = True

    def release(self) -> None:
        self.held = False

    def step(self, kernel: Kernel) -> None:
        self.runs += 1
        self.run(kernel)

    def run(self, kernel: Kernel) -> None:
        raise NotImplementedError


### SECTION SEPARATOR ###


class Producer(Task):
    """Owns the packets: fills a free one with the next job and sends it to a worker in turn."""

    def __init__(self, ident: int, priority: int, jobs: int, workers: List[Worker]) -> None:
        self.init_task(ident, priority)
        self.next_job: int64 = 0
        self.jobs: int64 = unbox(jobs)
        self.workers: CheckedList[Worker] = CheckedList[Worker](workers)
        self.returned: int64 = 0

    def run(self, kernel: Kernel) -> None:
        packet = self.take()
        if packet is None:
            self.wait()
            return
        if packet.job >= 0:
            self.returned += 1
        if self.next_job >= self.jobs:
            # Keep the packet: all jobs are out, so it stays home.
            self.deliver(packet)
            self.hold()
            kernel.producer_done(self)
            return
        packet.fill(box(self.next_job))
        worker: Worker = self.workers[self.next_job % clen(self.workers)]
        self.next_job += 1
        kernel.send(packet, worker)


### SECTION SEPARATOR ###


class Worker(Task):
    def __init__(self, ident: int, priority: int, devices: List[Device]) -> None:
        self.init_task(ident, priority)
        self.devices: CheckedList[Device] = CheckedList[Device](devices)
        self.done: int64 = 0

    def run(self, kernel: Kernel) -> None:
        packet = self.take()
        if packet is None:
            self.wait()
            return
        packet.transform(self.ident)
        self.done += 1
        kernel.send(packet, self.devices[unbox(packet.job) % clen(self.devices)])


### SECTION SEPARATOR ###


class Device(Task):
    """Holds each packet for 1 to 3 of its runs (a latency), then passes it on."""

    def __init__(self, ident: int, priority: int, collector: Collector) -> None:
        self.init_task(ident, priority)
        self.collector: Collector = collector
        self.current: Optional[Packet] = None
        self.countdown: int64 = 0
        self.busy_runs: int64 = 0

    def runnable(self) -> bool:
        return self.current is not None or Task.runnable(self)

    def run(self, kernel: Kernel) -> None:
        packet = self.current
        if packet is None:
            packet = self.take()
            if packet is None:
                self.wait()
                return
            self.current = packet
            self.countdown = 1 + unbox(packet.job) % 3
        self.busy_runs += 1
        self.countdown -= 1
        if self.countdown == 0:
            self.current = None
            kernel.send(packet, self.collector)


class Collector(Task):
    def __init__(self, ident: int, priority: int) -> None:
        self.init_task(ident, priority)
        self.count: int = 0
        self.total: int = 0
        self.producer: Optional[Producer] = None

    def run(self, kernel: Kernel) -> None:
        packet = self.take()
        if packet is None:
            self.wait()
            return
        job = packet.checksum()
        self.total += job
        self.count += 1
        home = self.producer
        if home is None:
            raise RuntimeError("the collector has no producer to return packets to")
        kernel.send(packet, home)


### SECTION SEPARATOR ###


@final
class Kernel:
    """Runs the highest-priority runnable task, one run per tick, until none is runnable."""

    def __init__(self) -> None:
        self.tasks: CheckedList[Task] = CheckedList[Task]()
        self.ticks: int = 0
        self.sends: int = 0
        self.finished: bool = False

    def add(self, task: Task) -> None:
        self.tasks.append(task)
        self.tasks.sort(key=lambda t: -t.priority)

    def send(self, packet: Packet, task: Task) -> None:
        packet.hops += 1
        self.sends += 1
        task.deliver(packet)

    def producer_done(self, producer: Producer) -> None:
        self.finished = True

    def pick(self) -> Optional[Task]:
        tasks: CheckedList[Task] = self.tasks
        n: int64 = clen(tasks)
        i: int64 = 0
        while i < n:
            task: Task = tasks[i]
            if task.runnable():
                return task
            i += 1
        return None

    def schedule(self) -> None:
        ticks: int64 = 0
        task: Optional[Task] = self.pick()
        while task is not None:
            ticks += 1
            task.step(self)
            task = self.pick()
        self.ticks += box(ticks)


### SECTION SEPARATOR ###


def build(jobs: int) -> Tuple[Kernel, Producer, Collector]:
    kernel = Kernel()
    collector = Collector(100, 40)
    devices = [Device(50 + d, 30 + d, collector) for d in range(DEVICES)]
    workers = [Worker(10 + w, 20, devices) for w in range(WORKERS)]
    producer = Producer(1, 10, jobs, workers)
    collector.producer = producer
    for packet_no in range(PACKETS):
        producer.deliver(Packet())
    everyone: List[Task] = [producer, collector]
    everyone.extend(devices)
    everyone.extend(workers)
    for task in everyone:
        kernel.add(task)
    return kernel, producer, collector


def simulate(jobs: int) -> Tuple[int, int, int, int, int, int, bool]:
    kernel, producer, collector = build(jobs)
    kernel.schedule()
    hops = 0
    packet = producer.head
    while packet is not None:
        hops += packet.hops
        packet = packet.link
    return (collector.count, collector.total, kernel.ticks, kernel.sends, hops, producer.queued, kernel.finished)


### SECTION SEPARATOR ###


def expected_total(jobs: int) -> int:
    """The collector's sum, computed without the kernel: job k is filled, transformed by worker
    10 + k % WORKERS and checksummed."""
    total = 0
    for job in range(jobs):
        data = [(job * (i + 3) + 7 * i) % 1000 for i in range(WORDS)]
        salt = 10 + job % WORKERS
        data = [(data[i] * 31 + salt + i) % 10007 for i in range(WORDS)]
        check = 0
        for i in range(WORDS):
            check = (check * 17 + data[i]) % 1000003
        total += check
    return total


def main(argv: List[str]) -> None:
    reps = int(argv[1]) if len(argv) > 1 else DEFAULT_N
    results: List[Tuple[int, int, int, int, int, int, bool]] = []
    t0 = time.perf_counter()
    for _ in range(reps):
        results.append(simulate(JOBS))
    elapsed = time.perf_counter() - t0
    count, total, ticks, sends, hops, home, finished = results[0]
    print("scheduler jobs=%d collected=%d checksum=%d ticks=%d sends=%d" % (JOBS, count, total, ticks, sends))
    problems: List[str] = []
    if count != JOBS or not finished:
        problems.append("%d of %d jobs collected" % (count, JOBS))
    if total != expected_total(JOBS):
        problems.append("checksum %d, expected %d" % (total, expected_total(JOBS)))
    # Each job travels producer -> worker -> device -> collector -> producer, and every packet
    # ends at home.
    if sends != 4 * JOBS or hops != sends or home != PACKETS:
        problems.append("%d sends, %d hops, %d packets home" % (sends, hops, home))
    if any(r != results[0] for r in results):
        problems.append("repetitions disagree")
    if problems:
        print("scheduler: wrong result: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)
    print("%.6f" % elapsed)


if __name__ == "__main__":
    main(sys.argv)
