a = 1; x: int; b = 2
x: int; c = 3
class P:
    x: int
if f: z: int
def g[T](a: T, *b: int, c: int = 1, **d: str) -> T: pass
