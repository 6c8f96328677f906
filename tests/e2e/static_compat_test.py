"""Tests of python/__static__ (run by test_static_compat.sh under CPython and PyPy, with and
without MIXPERF_STATIC_UNCHECKED=1). Every exported name is exercised; the checked containers
are tested in the mode the environment selects."""

import os
import sys
import unittest
from typing import Any, Dict, List, Optional, Union

import __static__
from __static__ import (
    RAND_MAX,
    Array,
    CheckedDict,
    CheckedList,
    PyDict,
    Vector,
    allow_weakrefs,
    box,
    byte,
    cast,
    cbool,
    char,
    chkdict,
    chklist,
    clen,
    double,
    dynamic_return,
    final,
    inline,
    int8,
    int16,
    int32,
    int64,
    pydict,
    rand,
    single,
    size_t,
    ssize_t,
    uint8,
    uint16,
    uint32,
    uint64,
    unbox,
)

WANT_CHECKED = os.environ.get("MIXPERF_STATIC_UNCHECKED", "") in ("", "0")
INT_TYPES = [
    (int8, -128, 127),
    (int16, -32768, 32767),
    (int32, -(2**31), 2**31 - 1),
    (int64, -(2**63), 2**63 - 1),
    (uint8, 0, 255),
    (uint16, 0, 65535),
    (uint32, 0, 2**32 - 1),
    (uint64, 0, 2**64 - 1),
]


class Exports(unittest.TestCase):
    def test_all_names_exist(self):
        self.assertGreaterEqual(len(__static__.__all__), 33)
        for name in __static__.__all__:
            self.assertTrue(hasattr(__static__, name), name)
        ns = {}
        exec("from __static__ import *", ns)
        self.assertEqual(sorted(k for k in ns if k != "__builtins__"), sorted(__static__.__all__))

    def test_mode(self):
        self.assertIs(__static__.CHECKED, WANT_CHECKED)

    def test_aliases(self):
        self.assertIs(byte, int8)
        self.assertIs(char, int8)
        self.assertIs(ssize_t, int64)
        self.assertIs(size_t, uint64)
        self.assertIs(chklist, CheckedList)
        self.assertIs(chkdict, CheckedDict)
        self.assertIs(pydict, dict)
        self.assertIs(PyDict, Dict)
        self.assertIs(clen, len)


class Primitives(unittest.TestCase):
    def test_int_ranges(self):
        for t, lo, hi in INT_TYPES:
            with self.subTest(t=t.__name__):
                self.assertTrue(issubclass(t, int))
                self.assertEqual(t(lo), lo)
                self.assertEqual(t(hi), hi)
                self.assertIs(type(t(hi)), int)
                self.assertEqual(t(), 0)
                self.assertEqual(t(True), 1)
                self.assertEqual(t(3.9), 3)
                self.assertEqual(t(-0.5), 0)
                with self.assertRaisesRegex(OverflowError, "does not fit in %s" % t.__name__):
                    t(hi + 1)
                with self.assertRaisesRegex(OverflowError, "does not fit in %s" % t.__name__):
                    t(lo - 1)
                with self.assertRaisesRegex(TypeError, "needs a number"):
                    t("1")
                self.assertIsInstance(hi, t)
                self.assertIsInstance(lo, t)
                self.assertNotIsInstance(hi + 1, t)
                self.assertNotIsInstance(float(hi), t)

    def test_arithmetic_does_not_wrap(self):
        # Documented difference from Cinder: primitive arithmetic is Python arithmetic here.
        x = int64(2**63 - 1)
        self.assertEqual(x + 1, 2**63)
        self.assertEqual(int8(-7) // 2, -4)

    def test_double_and_single(self):
        self.assertIs(type(double(1)), float)
        self.assertEqual(double(1), 1.0)
        self.assertEqual(double(), 0.0)
        self.assertIsInstance(1.5, double)
        self.assertNotIsInstance(1, double)
        self.assertEqual(single(0.1), 0.10000000149011612)
        self.assertEqual(single(3), 3.0)
        self.assertEqual(single(1e39), float("inf"))
        self.assertEqual(single(-1e39), float("-inf"))
        with self.assertRaisesRegex(TypeError, "needs a number"):
            double("1.5")

    def test_cbool(self):
        self.assertIs(cbool(2), True)
        self.assertIs(cbool(0), False)
        self.assertIs(cbool(), False)
        self.assertIsInstance(True, cbool)
        self.assertNotIsInstance(1, cbool)

    def test_box_unbox(self):
        big = 2**70
        self.assertIs(box(big), big)
        self.assertIs(unbox(big), big)
        f = 2.5
        self.assertIs(box(f), f)
        self.assertIs(unbox(f), f)


class Decorators(unittest.TestCase):
    def test_identity(self):
        def f(x):
            return x + 1

        class C:
            pass

        self.assertIs(inline(f), f)
        self.assertIs(dynamic_return(f), f)
        self.assertIs(allow_weakrefs(C), C)
        self.assertIs(final(C), C)
        self.assertEqual(inline(f)(1), 2)


class Cast(unittest.TestCase):
    def test_cast(self):
        self.assertEqual(cast(int, 3), 3)
        self.assertIs(cast(Optional[str], None), None)
        self.assertEqual(cast(Optional[str], "a"), "a")
        self.assertEqual(cast(Union[int, str], "a"), "a")
        self.assertEqual(cast(List[int], [1]), [1])
        self.assertEqual(cast(list, [1]), [1])
        self.assertEqual(cast(Any, 1.5), 1.5)
        self.assertTrue(cast(int, True))
        with self.assertRaisesRegex(TypeError, "cast: expected str, got int"):
            cast(str, 3)
        with self.assertRaisesRegex(TypeError, "cast: expected float, got int"):
            cast(float, 1)
        with self.assertRaisesRegex(TypeError, "got tuple"):
            cast(List[int], (1,))
        with self.assertRaisesRegex(TypeError, "got NoneType"):
            cast(str, None)
        with self.assertRaisesRegex(TypeError, "not a type that can be checked"):
            cast(3, 3)


class CheckedListTests(unittest.TestCase):
    def test_specialization(self):
        t = CheckedList[int]
        self.assertIs(t, CheckedList[int])
        self.assertIsNot(t, CheckedList[str])
        self.assertTrue(issubclass(t, list))
        self.assertTrue(issubclass(t, CheckedList))
        self.assertEqual(t.__name__, "CheckedList[int]")
        self.assertEqual(CheckedList[Optional[str]].__name__, "CheckedList[Optional[str]]")
        with self.assertRaisesRegex(TypeError, "already specialized"):
            t[int]
        with self.assertRaisesRegex(TypeError, "one type parameter"):
            CheckedList[int, str]

    def test_good_values(self):
        xs = CheckedList[int]([1, 2])
        xs.append(3)
        xs.insert(0, 0)
        xs.extend(iter([4, 5]))
        xs[1] = 10
        xs[2:4] = [20, 30]
        xs += [6]
        xs.append(True)  # bool is an int
        self.assertEqual(xs, [0, 10, 20, 30, 4, 5, 6, True])
        self.assertEqual(repr(CheckedList[int]([1])), "CheckedList[int]([1])")
        self.assertIs(type(xs), CheckedList[int])
        self.assertIs(type(xs.copy()), CheckedList[int])
        self.assertIs(type(xs + [1]), CheckedList[int])
        self.assertIs(type(xs * 2), CheckedList[int])
        self.assertIs(type(2 * xs), CheckedList[int])
        self.assertEqual(xs * 2, list(xs) * 2)
        self.assertIs(type(xs[1:]), list)  # documented: slices are plain lists
        opt = CheckedList[Optional[str]](["a", None])
        opt.append(None)
        self.assertEqual(opt, ["a", None, None])

    def test_bad_values(self):
        bad = [
            lambda xs: xs.append("x"),
            lambda xs: xs.insert(0, 1.5),
            lambda xs: xs.extend([4, "x"]),
            lambda xs: xs.__setitem__(0, None),
            lambda xs: xs.__setitem__(slice(0, 1), ["x"]),
            lambda xs: xs.__iadd__(["x"]),
            lambda xs: xs + ["x"],
        ]
        for op in bad:
            xs = CheckedList[int]([1, 2, 3])
            if WANT_CHECKED:
                with self.assertRaisesRegex(TypeError, r"CheckedList\[int\]: cannot hold"):
                    op(xs)
                self.assertEqual(xs, [1, 2, 3])  # nothing was inserted
            else:
                op(xs)
        if WANT_CHECKED:
            with self.assertRaisesRegex(TypeError, "cannot hold str value 'a'"):
                CheckedList[int]([1, "a"])
            with self.assertRaisesRegex(TypeError, "cannot hold int value 1"):
                CheckedList[float]([1])
        else:
            self.assertEqual(CheckedList[int]([1, "a"]), [1, "a"])

    def test_bare_class(self):
        # What mypyc-compiled code constructs (it drops the type arguments of a call).
        xs = CheckedList([1, "a"])
        xs.append(None)
        self.assertEqual(xs, [1, "a", None])
        self.assertIsInstance(xs, CheckedList)


class CheckedDictTests(unittest.TestCase):
    def test_specialization(self):
        t = CheckedDict[str, int]
        self.assertIs(t, CheckedDict[str, int])
        self.assertTrue(issubclass(t, dict))
        self.assertEqual(t.__name__, "CheckedDict[str, int]")
        with self.assertRaisesRegex(TypeError, "two type parameters"):
            CheckedDict[str]
        with self.assertRaisesRegex(TypeError, "already specialized"):
            t[str, int]

    def test_good_values(self):
        d = CheckedDict[str, int]({"a": 1})
        d["b"] = 2
        d.update({"c": 3}, e=5)
        d.update([("d", 4)])
        self.assertEqual(d.setdefault("f", 6), 6)
        self.assertEqual(d.setdefault("a", 9), 1)
        d |= {"g": 7}
        self.assertEqual(d, {"a": 1, "b": 2, "c": 3, "e": 5, "d": 4, "f": 6, "g": 7})
        self.assertIs(type(d | {"h": 8}), CheckedDict[str, int])
        self.assertIs(type(d.copy()), CheckedDict[str, int])
        self.assertEqual(CheckedDict[str, int](x=1, y=2), {"x": 1, "y": 2})
        self.assertEqual(CheckedDict[str, int]([("x", 1)]), {"x": 1})
        keys = CheckedDict[str, Optional[int]].fromkeys(["p", "q"])
        self.assertEqual(keys, {"p": None, "q": None})
        self.assertIs(type(keys), CheckedDict[str, Optional[int]])
        self.assertEqual(repr(CheckedDict[str, int]({"a": 1})), "CheckedDict[str, int]({'a': 1})")
        # Lookups are not checked: a wrong-typed key just misses.
        self.assertIsNone(d.get(1))
        self.assertNotIn(1, d)

    def test_bad_values(self):
        bad = [
            lambda d: d.__setitem__(1, 1),
            lambda d: d.__setitem__("k", "v"),
            lambda d: d.update({"k": "v"}),
            lambda d: d.update([(1, 1)]),
            lambda d: d.update(k="v"),
            lambda d: d.setdefault("k", "v"),
            lambda d: d.setdefault("k"),
            lambda d: d.__ior__({2: 2}),
            lambda d: d | {"k": 1.5},
        ]
        for op in bad:
            d = CheckedDict[str, int]({"a": 1})
            if WANT_CHECKED:
                with self.assertRaisesRegex(TypeError, r"CheckedDict\[str, int\]( key)?: cannot hold"):
                    op(d)
                self.assertEqual(d, {"a": 1})
            else:
                op(d)
        if WANT_CHECKED:
            with self.assertRaisesRegex(TypeError, "key: cannot hold int value 1"):
                CheckedDict[str, int]({1: 1})
            with self.assertRaisesRegex(TypeError, "cannot hold"):
                CheckedDict[str, int].fromkeys(["a"])

    def test_bare_class(self):
        d = CheckedDict({1: "a"})
        d["b"] = 2.5
        self.assertEqual(d, {1: "a", "b": 2.5})
        self.assertIsInstance(d, CheckedDict)


class Arrays(unittest.TestCase):
    def test_array(self):
        a = Array[int64](3)
        self.assertEqual(list(a), [0, 0, 0])
        self.assertEqual(len(a), 3)
        a[1] = 2**63 - 1
        self.assertEqual(a[1], 2**63 - 1)
        with self.assertRaises(OverflowError):
            a[0] = 2**63
        self.assertIs(Array[int64], Array[int64])
        self.assertEqual(repr(Array[int8]([1, -2])), "Array[int8]([1, -2])")
        with self.assertRaises(OverflowError):
            Array[int8]([300])
        with self.assertRaises(OverflowError):
            Array[uint8]([-1])
        for op in (lambda: a.append(1), lambda: a.extend([1]), lambda: a.pop(), lambda: a.insert(0, 1)):
            with self.assertRaisesRegex(TypeError, r"Array\[int64\] has a fixed size"):
                op()
        self.assertEqual(len(a), 3)
        d = Array[double]([1, 2.5])
        self.assertIs(type(d[0]), float)
        d[0] = 7
        self.assertEqual(d.tolist(), [7.0, 2.5])
        with self.assertRaises(TypeError):
            d[1] = "x"
        s = Array[single]([0.1])
        self.assertEqual(s[0], single(0.1))
        with self.assertRaisesRegex(TypeError, "must be a primitive type"):
            Array[str]
        with self.assertRaisesRegex(TypeError, "must be a primitive type"):
            Array[cbool]
        with self.assertRaisesRegex(TypeError, "already specialized"):
            Array[int64][int64]
        with self.assertRaisesRegex(ValueError, "size must be >= 0"):
            Array[int64](-1)
        for t, _, _ in INT_TYPES:
            self.assertEqual(list(Array[t](2)), [0, 0])

    def test_vector(self):
        v = Vector[int32]()
        v.append(5)
        v.extend([6, 7])
        self.assertEqual(v.pop(), 7)
        self.assertEqual(list(v), [5, 6])
        self.assertEqual(list(Vector[uint16](2)), [0, 0])
        with self.assertRaises(OverflowError):
            v.append(2**31)
        self.assertNotIsInstance(v, Array)
        self.assertNotIsInstance(Array[int32](1), Vector)

    def test_bare_classes(self):
        # mypyc-compiled code calls the bare classes: lists stand in.
        self.assertEqual(Array(3), [0, 0, 0])
        self.assertEqual(Vector([1.5, 2]), [1.5, 2])
        self.assertIs(type(Array(2)), list)


class Rand(unittest.TestCase):
    def test_range(self):
        self.assertEqual(RAND_MAX, 2**31 - 1)
        values = [rand() for _ in range(1000)]
        self.assertTrue(all(0 <= v <= RAND_MAX for v in values))
        self.assertGreater(len(set(values)), 990)


if __name__ == "__main__":
    if sys.argv[1:] == ["rand"]:
        print(" ".join(str(rand()) for _ in range(5)))
        sys.exit(0)
    unittest.main()
