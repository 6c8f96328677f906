/* mixperf erase: exact output for each rule, exact errors, and no annotation left. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <stdlib.h>
#include <string.h>

#include "mix/mix.h"

static void expect_erase(const char *in, const char *want)
{
    sb out = {0};
    mp_err err;
    int rc = mix_erase("t.py", in, strlen(in), &out, &err);
    cr_assert_eq(rc, 0, "erase failed: %s", err.msg);
    cr_expect_str_eq(sb_str(&out), want);
    size_t ann = 99, errs = 99;
    cr_assert_eq(mix_count_annotations(out.buf ? out.buf : "", out.len, &ann, &errs), 0);
    cr_expect_eq(ann, 0);
    cr_expect_eq(errs, 0);
    sb_free(&out);
}

static void expect_error(const char *in, const char *msg)
{
    sb out = {0};
    mp_err err;
    cr_assert_eq(mix_erase("t.py", in, strlen(in), &out, &err), -1);
    cr_expect_str_eq(err.msg, msg);
    cr_expect_eq(out.len, 0);
    sb_free(&out);
}

MP_TEST(erase, parameters_keep_defaults)
{
    expect_erase("def f(a: int, b: str = 'x', *args: int, c: float=1.5, **kw: dict) -> None:\n"
                 "    return a\n",
                 "def f(a, b = 'x', *args, c=1.5, **kw):\n"
                 "    return a\n");
}

MP_TEST(erase, untyped_code_is_unchanged)
{
    const char *src = "import os  # comment\n\n\nclass A(object):\n    def m(self, x=1):\n"
                      "        return {'k': x}[\"k\"]  ;  y = lambda q: q\n";
    expect_erase(src, src);
}

MP_TEST(erase, variable_annotations)
{
    expect_erase("x: int = 3\n"
                 "y: list[int]\n"
                 "self_z: 'str' = f(x)\n"
                 "def g():\n"
                 "    a: int\n"
                 "    a = 1\n"
                 "    obj.attr: int = a\n"
                 "    return a\n",
                 "x = 3\n"
                 "self_z = f(x)\n"
                 "def g():\n"
                 "    a = 1\n"
                 "    obj.attr = a\n"
                 "    return a\n");
}

MP_TEST(erase, empty_blocks_get_pass)
{
    expect_erase("class P:\n"
                 "    x: int\n"
                 "    y: int  # why\n"
                 "\n"
                 "if flag: z: int\n"
                 "def h() -> None:\n"
                 "    q: int\n",
                 "class P:\n"
                 "    pass\n"
                 "\n"
                 "if flag: pass\n"
                 "def h():\n"
                 "    pass\n");
}

MP_TEST(erase, semicolon_neighbours)
{
    expect_erase("a = 1; x: int; b = 2\n"
                 "x: int; c = 3\n"
                 "d = 4; x: int\n"
                 "e: int; f: int\n",
                 "a = 1; b = 2\n"
                 "c = 3\n"
                 "d = 4\n");
}

MP_TEST(erase, static_python_imports_and_names)
{
    expect_erase("import __static__\n"
                 "from __static__ import int64, box, unbox, cbool, double, clen, CheckedList\n"
                 "import sys, __static__\n"
                 "from __static__ import (\n"
                 "    CheckedDict as CD,\n"
                 "    inline,\n"
                 ")\n"
                 "\n"
                 "@inline\n"
                 "def f(n: int64) -> int64:\n"
                 "    x: int64 = int64(n) + box(unbox(n))\n"
                 "    ok: cbool = cbool(clen([1]) > 0)\n"
                 "    d = CD[str, int]({'a': 1})\n"
                 "    l = CheckedList[int]([1, 2])\n"
                 "    return box(x * double(2.0))\n",
                 "import sys\n"
                 "\n"
                 "def f(n):\n"
                 "    x = int(n) + n\n"
                 "    ok = bool(len([1]) > 0)\n"
                 "    d = dict({'a': 1})\n"
                 "    l = list([1, 2])\n"
                 "    return (x * float(2.0))\n");
}

MP_TEST(erase, cast_from_typing_and_static)
{
    expect_erase("from typing import cast, List\n"
                 "import typing as t\n"
                 "def f(x: object) -> List[int]:\n"
                 "    a = cast(List[int], x)\n"
                 "    b = cast('int', x + 1) * 2\n"
                 "    c = t.cast(int, cast(int, x))\n"
                 "    return a\n",
                 "from typing import cast, List\n"
                 "import typing as t\n"
                 "def f(x):\n"
                 "    a = x\n"
                 "    b = (x + 1) * 2\n"
                 "    c = x\n"
                 "    return a\n");
}

MP_TEST(erase, a_local_cast_is_not_typing_cast)
{
    const char *src = "def cast(a, b):\n    return a + b\n\nprint(cast(1, 2))\n";
    expect_erase(src, src);
}

MP_TEST(erase, static_try_import_pattern)
{
    expect_erase("try:\n"
                 "    from __static__ import int64\n"
                 "except ImportError:\n"
                 "    int64 = int\n"
                 "n: int64 = int64(3)\n",
                 "try:\n"
                 "    pass\n"
                 "except ImportError:\n"
                 "    int64 = int\n"
                 "n = int(3)\n");
}

MP_TEST(erase, names_that_are_not_uses_stay)
{
    expect_erase("from __static__ import int64\n"
                 "def f(int64=1, *, box: int = 2):\n"
                 "    return obj.int64 + g(int64=3)\n",
                 "def f(int64=1, *, box = 2):\n"
                 "    return obj.int64 + g(int64=3)\n");
}

MP_TEST(erase, nested_functions_and_lambdas)
{
    expect_erase("def outer(f: 'Callable[[int], int]') -> 'Callable':\n"
                 "    def inner(y: int = f(1)) -> int:\n"
                 "        k: int = (lambda z: z + 1)(y)\n"
                 "        return k\n"
                 "    return inner\n",
                 "def outer(f):\n"
                 "    def inner(y = f(1)):\n"
                 "        k = (lambda z: z + 1)(y)\n"
                 "        return k\n"
                 "    return inner\n");
}

MP_TEST(erase, unsupported_static_name_is_an_error)
{
    expect_error("from __static__ import Array, int64\n"
                 "a = Array[int64](3)\n",
                 "t.py:2:5: 'Array' from __static__ is used at run time and has no erased form "
                 "(run the original with the __static__ compatibility module instead)");
}

MP_TEST(erase, static_module_reference_is_an_error)
{
    expect_error("import __static__\nx = __static__.int64(1)\n",
                 "t.py:2:5: '__static__' refers to the __static__ module at run time; erase "
                 "cannot keep it");
}

MP_TEST(erase, dataclass_fields_are_an_error)
{
    expect_error("from dataclasses import dataclass\n"
                 "@dataclass\n"
                 "class P:\n"
                 "    x: int\n",
                 "t.py:4:5: class 'P' is a dataclass: its annotations define fields at run time, "
                 "so erasing them would change the program");
    expect_error("from typing import NamedTuple\n"
                 "class P(NamedTuple):\n"
                 "    x: int = 0\n",
                 "t.py:3:5: class 'P' is a NamedTuple: its annotations define fields at run time, "
                 "so erasing them would change the program");
}

MP_TEST(erase, type_statements_are_kept)
{
    /* tree-sitter-python 0.20.4 reads the first line as a 3.12 type alias statement */
    const char *src = "type(mock).attr = value\ntype Alias = list[int]\n";
    expect_erase(src, src);
}

MP_TEST(erase, wrong_cast_arity_is_an_error)
{
    expect_error("from typing import cast\ny = cast(int)\n",
                 "t.py:2:5: cast(T, x): expected plain positional arguments to rewrite it");
}

MP_TEST(erase, syntax_error_is_reported)
{
    sb out = {0};
    mp_err err;
    cr_assert_eq(mix_erase("t.py", "def f(:\n", 8, &out, &err), -1);
    cr_expect_eq(strncmp(err.msg, "t.py:1:", 7), 0, "%s", err.msg);
    sb_free(&out);
}

MP_TEST(erase, count_annotations)
{
    size_t ann, errs;
    const char *t = "def f(a: int, b: int = 1) -> int:\n    x: int = 1\n    return x\n";
    cr_assert_eq(mix_count_annotations(t, strlen(t), &ann, &errs), 0);
    /* typed_parameter + its type, typed_default_parameter + its type, return type, x's type */
    cr_expect_eq(ann, 6);
    cr_expect_eq(errs, 0);
}
