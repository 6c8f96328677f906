from pkg import UNIT


def perimeter(sides: list[int]) -> int:
    total: int = 0
    for s in sides:
        total += s * UNIT
    return total
