from pkg import UNIT


def perimeter(sides):
    total = 0
    for s in sides:
        total += s * UNIT
    return total
