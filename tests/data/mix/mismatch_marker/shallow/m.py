X: int = 1
### SECTION SEPARATOR ###
def f() -> int:
    return X


def g() -> int:
    return 2
