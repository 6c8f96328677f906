"""Synthetic target with a known CPU split between two modules: the same loop body runs
7 units of work in mod_a for every 3 in mod_b, interleaved finely so any sampling window sees the
70/30 split. Runs for the number of seconds given (default 10) and prints the split it executed."""
import sys
import time

import mod_a
import mod_b


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    unit = 2000
    ca = cb = 0
    end = time.process_time() + seconds
    while time.process_time() < end:
        for _ in range(10):
            mod_a.spin(7 * unit)
            mod_b.spin(3 * unit)
            ca += 7
            cb += 3
    print("units mod_a=%d mod_b=%d" % (ca, cb))


if __name__ == "__main__":
    main()
