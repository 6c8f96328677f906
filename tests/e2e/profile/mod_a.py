"""Burns CPU in a loop whose cost is known relative to mod_b.spin (see twomod.py)."""


def spin(n):
    x = 0
    for i in range(n):
        x += i * i
    return x
