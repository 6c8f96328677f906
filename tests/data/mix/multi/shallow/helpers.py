def mean(values: list[int]) -> float:
    return sum(values) / len(values)


def spread(values: list[int]) -> int:
    return max(values) - min(values)
