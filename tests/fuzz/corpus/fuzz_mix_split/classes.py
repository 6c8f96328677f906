class A: x = 1
class B:
    class C:
        pass
    @property
    def p(self): return 1
