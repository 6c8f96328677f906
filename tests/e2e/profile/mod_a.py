"""Burns CPU in a loop identical to mod_b.spin, so the split is set by the iteration counts
(twomod.py). Every value stays a small int, so every iteration costs the same: a growing sum would
turn into multi-digit ints and make the longer loop dearer per iteration."""


def spin(n):
    x = 0
    for i in range(n):
        x = (x + i * 7) % 1000003
    return x
