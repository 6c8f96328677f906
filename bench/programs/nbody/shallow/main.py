"""nbody: a star with PLANETS planets on inclined, nearly circular orbits, integrated with the
symplectic Euler method; energy and momentum conservation check the integration. A mixperf
benchmark program (bench/programs, docs/programs.md): the untyped, shallow and advanced variants
hold the same units in the same order, separated by section markers, and this header is the same
in all three."""
from __future__ import annotations

import math
import sys
import time
from typing import List, Tuple

import __static__
from __static__ import Array, box, clen, double, final, int64, unbox

PLANETS = 5
STEPS = 20000
DT = 0.001
DEFAULT_N = 4
# Symplectic Euler keeps the energy error bounded; momentum is conserved up to rounding.
ENERGY_TOLERANCE = 1e-5
MOMENTUM_TOLERANCE = 1e-13

### SECTION SEPARATOR ###


class Body:
    def __init__(self, x: float, y: float, z: float, vx: float, vy: float, vz: float, mass: float) -> None:
        self.x: float = x
        self.y: float = y
        self.z: float = z
        self.vx: float = vx
        self.vy: float = vy
        self.vz: float = vz
        self.mass: float = mass

    def kinetic_energy(self) -> float:
        return 0.5 * self.mass * (self.vx * self.vx + self.vy * self.vy + self.vz * self.vz)

    def distance_to(self, other: Body) -> float:
        dx = self.x - other.x
        dy = self.y - other.y
        dz = self.z - other.z
        return math.sqrt(dx * dx + dy * dy + dz * dz)

    def momentum(self) -> Tuple[float, float, float]:
        return (self.mass * self.vx, self.mass * self.vy, self.mass * self.vz)


### SECTION SEPARATOR ###


def make_system(planets: int) -> List[Body]:
    """A unit-mass star at the origin and planets at growing radii, each on the circular orbit
    of its radius, tilted a little out of the plane."""
    bodies = [Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)]
    for k in range(planets):
        radius = 1.0 + 0.7 * k
        angle = 1.3 * k
        tilt = 0.02 * (k - planets / 2.0)
        speed = math.sqrt(1.0 / radius)
        x = radius * math.cos(angle)
        y = radius * math.sin(angle)
        vx = -speed * math.sin(angle)
        vy = speed * math.cos(angle)
        mass = 1e-3 / (k + 1)
        bodies.append(Body(x, y, radius * tilt, vx, vy, speed * tilt * 0.5, mass))
    return bodies


### SECTION SEPARATOR ###


def offset_momentum(bodies: List[Body]) -> None:
    """Gives the first body (the star) the velocity that makes the total momentum zero."""
    px = 0.0
    py = 0.0
    pz = 0.0
    for b in bodies[1:]:
        mx, my, mz = b.momentum()
        px += mx
        py += my
        pz += mz
    star = bodies[0]
    star.vx = -px / star.mass
    star.vy = -py / star.mass
    star.vz = -pz / star.mass


### SECTION SEPARATOR ###


def energy(bodies: List[Body]) -> float:
    e = 0.0
    n = len(bodies)
    for i in range(n):
        b = bodies[i]
        e += b.kinetic_energy()
        for j in range(i + 1, n):
            other = bodies[j]
            e -= b.mass * other.mass / b.distance_to(other)
    return e


### SECTION SEPARATOR ###


def total_momentum(bodies: List[Body]) -> float:
    px = 0.0
    py = 0.0
    pz = 0.0
    for b in bodies:
        mx, my, mz = b.momentum()
        px += mx
        py += my
        pz += mz
    return math.sqrt(px * px + py * py + pz * pz)


### SECTION SEPARATOR ###


def advance(bodies: List[Body], dt: float, steps: int) -> None:
    n = len(bodies)
    for _ in range(steps):
        for i in range(n):
            a = bodies[i]
            for j in range(i + 1, n):
                b = bodies[j]
                dx = a.x - b.x
                dy = a.y - b.y
                dz = a.z - b.z
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                am = a.mass * mag
                bm = b.mass * mag
                a.vx -= dx * bm
                a.vy -= dy * bm
                a.vz -= dz * bm
                b.vx += dx * am
                b.vy += dy * am
                b.vz += dz * am
        for b in bodies:
            b.x += dt * b.vx
            b.y += dt * b.vy
            b.z += dt * b.vz


### SECTION SEPARATOR ###


def simulate() -> Tuple[float, float, float]:
    bodies = make_system(PLANETS)
    offset_momentum(bodies)
    before = energy(bodies)
    advance(bodies, DT, STEPS)
    return before, energy(bodies), total_momentum(bodies)


def main(argv: List[str]) -> None:
    reps = int(argv[1]) if len(argv) > 1 else DEFAULT_N
    results: List[Tuple[float, float, float]] = []
    t0 = time.perf_counter()
    for _ in range(reps):
        results.append(simulate())
    elapsed = time.perf_counter() - t0
    before, after, momentum = results[0]
    print("nbody bodies=%d steps=%d energy %.12e -> %.12e" % (PLANETS + 1, STEPS, before, after))
    drift = abs((after - before) / before)
    if drift > ENERGY_TOLERANCE or momentum > MOMENTUM_TOLERANCE or any(r != results[0] for r in results):
        print("nbody: wrong result: energy drift %.3g, momentum %.3g over %d repetitions" % (drift, momentum, reps), file=sys.stderr)
        sys.exit(1)
    print("%.6f" % elapsed)


if __name__ == "__main__":
    main(sys.argv)
