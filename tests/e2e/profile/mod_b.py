"""Burns CPU in a loop identical to mod_a.spin, so the split is set by the iteration counts."""


def spin(n):
    x = 0
    for i in range(n):
        x += i * i
    return x
