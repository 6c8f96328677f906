"""Static Python names for interpreters without Cinder (CPython 3.9+, PyPy 3.9+).

A module written for Cinder's Static Python starts with ``import __static__`` and imports
primitive types, boxing helpers and checked containers from it. On Cinder the static compiler
gives these names meaning at compile time; everywhere else this module gives them a runtime
meaning that keeps such a module's behaviour, so one source runs on CPython, PyPy and (with the
stubs in __init__.pyi) under mypyc. docs/static.md lists every name and every place where the
semantics differ from Cinder's: primitive arithmetic never wraps here, box/unbox are calls,
checked containers check on insertion only.

MIXPERF_STATIC_UNCHECKED=1 in the environment (read once, at import) makes CheckedList and
CheckedDict specialisations plain list/dict subclasses without element checks, so the cost of
the checks can be measured apart from the rest of a program.
"""

import array as _array
import os as _os
import struct as _struct
import typing as _typing

__all__ = [
    "Array",
    "CheckedDict",
    "CheckedList",
    "PyDict",
    "RAND_MAX",
    "Vector",
    "allow_weakrefs",
    "box",
    "byte",
    "cast",
    "cbool",
    "char",
    "chkdict",
    "chklist",
    "clen",
    "double",
    "dynamic_return",
    "final",
    "inline",
    "int8",
    "int16",
    "int32",
    "int64",
    "pydict",
    "rand",
    "single",
    "size_t",
    "ssize_t",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "unbox",
]

CHECKED = _os.environ.get("MIXPERF_STATIC_UNCHECKED", "") in ("", "0")

# ---- primitive types ------------------------------------------------------------------------
#
# A primitive type is a class (so it can be subscripted into Array[int64], named in isinstance
# and annotations) whose call returns a plain int/float/bool, never an instance of the class:
# subclass instances would leave PyPy's integer-list strategies and cost attribute lookups on
# every later operation. Calling it is the unboxing conversion and checks the range the way
# Cinder's unbox does; isinstance() is true for plain values in range.


class _IntMeta(type):
    def __call__(cls, value=0):
        if type(value) is not int:
            if isinstance(value, (str, bytes, bytearray)):
                raise TypeError("%s() needs a number, not %s" % (cls.__name__, type(value).__name__))
            value = int(value)
        if cls._min <= value <= cls._max:
            return value
        raise OverflowError("%d does not fit in %s [%d, %d]" % (value, cls.__name__, cls._min, cls._max))

    def __instancecheck__(cls, obj):
        return isinstance(obj, int) and cls._min <= obj <= cls._max


def _int_type(name, bits, signed, typecode):
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    if _array.array(typecode).itemsize * 8 != bits:
        raise ImportError("__static__: array typecode %r is not %d bits here" % (typecode, bits))
    return _IntMeta(name, (int,), {"_min": lo, "_max": hi, "_typecode": typecode, "__module__": __name__})


int8 = _int_type("int8", 8, True, "b")
int16 = _int_type("int16", 16, True, "h")
int32 = _int_type("int32", 32, True, "i")
int64 = _int_type("int64", 64, True, "q")
uint8 = _int_type("uint8", 8, False, "B")
uint16 = _int_type("uint16", 16, False, "H")
uint32 = _int_type("uint32", 32, False, "I")
uint64 = _int_type("uint64", 64, False, "Q")
byte = int8
char = int8
ssize_t = int64
size_t = uint64


class _FloatMeta(type):
    def __call__(cls, value=0.0):
        if type(value) is not float:
            if isinstance(value, (str, bytes, bytearray)):
                raise TypeError("%s() needs a number, not %s" % (cls.__name__, type(value).__name__))
            value = float(value)
        return value

    def __instancecheck__(cls, obj):
        return isinstance(obj, float)


double = _FloatMeta("double", (float,), {"_typecode": "d", "__module__": __name__})

_F32 = _struct.Struct("f")


class _SingleMeta(_FloatMeta):
    def __call__(cls, value=0.0):
        # The value a C float holds: the nearest binary32 (inf beyond its range, as C does).
        value = _FloatMeta.__call__(cls, value)
        try:
            return _F32.unpack(_F32.pack(value))[0]
        except OverflowError:
            return value * float("inf")


single = _SingleMeta("single", (float,), {"_typecode": "f", "__module__": __name__})


class _BoolMeta(type):
    def __call__(cls, value=False):
        return bool(value)

    def __instancecheck__(cls, obj):
        return isinstance(obj, bool)


# bool cannot be subclassed; int is its nearest base.
cbool = _BoolMeta("cbool", (int,), {"__module__": __name__})


def box(value):
    """Primitive -> object. Values are already objects here, so this returns its argument."""
    return value


def unbox(value):
    """Object -> primitive. The target width is only known to Cinder's compiler, so no range
    check happens here; convert with int64(x) and friends to get one."""
    return value


clen = len

# ---- decorators -----------------------------------------------------------------------------


def inline(func):
    """Cinder inlines the body at static call sites; here the function is called as written."""
    return func


def allow_weakrefs(klass):
    """Cinder's static classes have no __weakref__ slot unless asked; ordinary classes do."""
    return klass


def dynamic_return(func):
    """Cinder treats the return annotation as unchecked; nothing is checked here anyway."""
    return func


final = _typing.final

# ---- type checks shared by cast and the checked containers ----------------------------------

_NoneType = type(None)
_UnionType = getattr(__import__("types"), "UnionType", None)  # X | Y, 3.10+


def _type_name(tp):
    if tp is None or tp is _NoneType:
        return "None"
    if isinstance(tp, type):
        return tp.__name__
    return repr(tp).replace("typing.", "")


def _accepted(tp):
    """The classes a value of declared type tp may have, as an isinstance() tuple.

    Generic aliases check their origin only (list[int] accepts any list): the elements of a
    nested container are not walked. None and Optional/Union are spelled out; Any and object
    accept everything; a TypeVar accepts everything (it has no runtime binding). Like Cinder,
    float does not accept int.
    """
    if tp is None or tp is _NoneType:
        return (_NoneType,)
    if tp is _typing.Any or tp is object or isinstance(tp, _typing.TypeVar):
        return (object,)
    origin = _typing.get_origin(tp)
    if origin is _typing.Union or (_UnionType is not None and isinstance(tp, _UnionType)):
        out = ()
        for arg in _typing.get_args(tp):
            out += _accepted(arg)
        return out
    if origin is not None:
        return _accepted(origin)
    if isinstance(tp, type):
        return (tp,)
    raise TypeError("__static__: %r is not a type that can be checked" % (tp,))


def cast(typ, val):
    """Checked cast: val if it is an instance of typ (Optional/Union allowed), else TypeError."""
    if not isinstance(val, _accepted(typ)):
        raise TypeError("cast: expected %s, got %s" % (_type_name(typ), type(val).__name__))
    return val


# ---- checked containers ---------------------------------------------------------------------


def _reject(owner, value):
    raise TypeError("%s: cannot hold %s value %r" % (owner, type(value).__name__, value))


def _is_typevar_params(params):
    return any(isinstance(p, _typing.TypeVar) for p in params)


class CheckedList(list):
    """list whose elements are checked on every insertion; use CheckedList[T](iterable)."""

    __slots__ = ()
    _specialized = {}

    def __class_getitem__(cls, params):
        if cls is not CheckedList:
            raise TypeError("%s is already specialized" % cls.__name__)
        if isinstance(params, tuple):
            if len(params) != 1:
                raise TypeError("CheckedList takes one type parameter, got %d" % len(params))
            params = params[0]
        if isinstance(params, _typing.TypeVar):
            return cls  # inside a generic annotation: nothing to specialize on
        spec = cls._specialized.get(params)
        if spec is None:
            spec = _make_checked_list(params)
            cls._specialized[params] = spec
        return spec

    # The bare class is what mypyc-compiled code constructs: mypyc drops the type arguments of
    # a call (CheckedList[int](xs) runs as CheckedList(xs)), and its static types already
    # guarantee the elements. Cinder refuses the bare class; here it holds any object.
    __init__ = list.__init__

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, list.__repr__(self))


def _make_checked_list(elem):
    ok = _accepted(elem)
    name = "CheckedList[%s]" % _type_name(elem)

    def checked(values):
        values = list(values)
        if CHECKED:
            for v in values:
                if not isinstance(v, ok):
                    _reject(name, v)
        return values

    # Operations that build a new list keep the specialized type (cheap, in both modes).
    def __add__(self, other):
        out = list.__new__(type(self))
        list.extend(out, self)
        list.extend(out, checked(other))
        return out

    def __mul__(self, n):
        out = list.__new__(type(self))
        list.extend(out, list.__mul__(self, n))
        return out

    def copy(self):
        out = list.__new__(type(self))
        list.extend(out, self)
        return out

    ns = {
        "__slots__": (),
        "__module__": __name__,
        "__qualname__": name,
        "_elem": elem,
        "__init__": list.__init__,
        "__add__": __add__,
        "__mul__": __mul__,
        "__rmul__": __mul__,
        "copy": copy,
    }
    if not CHECKED:
        return type(name, (CheckedList,), ns)

    # Every way of inserting checks its values; reads are list's own.
    def __init__(self, iterable=()):
        list.__init__(self, checked(iterable))

    def append(self, value):
        if not isinstance(value, ok):
            _reject(name, value)
        list.append(self, value)

    def insert(self, index, value):
        if not isinstance(value, ok):
            _reject(name, value)
        list.insert(self, index, value)

    def extend(self, iterable):
        list.extend(self, checked(iterable))

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            list.__setitem__(self, index, checked(value))
        else:
            if not isinstance(value, ok):
                _reject(name, value)
            list.__setitem__(self, index, value)

    def __iadd__(self, iterable):
        list.extend(self, checked(iterable))
        return self

    ns.update(
        __init__=__init__,
        append=append,
        insert=insert,
        extend=extend,
        __setitem__=__setitem__,
        __iadd__=__iadd__,
    )
    return type(name, (CheckedList,), ns)


class CheckedDict(dict):
    """dict whose keys and values are checked on every insertion; use CheckedDict[K, V](...)."""

    __slots__ = ()
    _specialized = {}

    def __class_getitem__(cls, params):
        if cls is not CheckedDict:
            raise TypeError("%s is already specialized" % cls.__name__)
        if not isinstance(params, tuple) or len(params) != 2:
            raise TypeError("CheckedDict takes two type parameters: CheckedDict[K, V]")
        if _is_typevar_params(params):
            return cls
        spec = cls._specialized.get(params)
        if spec is None:
            spec = _make_checked_dict(params[0], params[1])
            cls._specialized[params] = spec
        return spec

    # Bare CheckedDict(...): see CheckedList.__init__; any key and value.
    __init__ = dict.__init__

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, dict.__repr__(self))


def _make_checked_dict(key, value):
    kok = _accepted(key)
    vok = _accepted(value)
    name = "CheckedDict[%s, %s]" % (_type_name(key), _type_name(value))

    def check(k, v):
        if not isinstance(k, kok):
            _reject(name + " key", k)
        if not isinstance(v, vok):
            _reject(name, v)

    def pairs(args, kwargs):
        """The (key, value) pairs dict(*args, **kwargs) would insert, checked."""
        if len(args) > 1:
            raise TypeError("%s expected at most 1 positional argument, got %d" % (name, len(args)))
        items = []
        if args:
            src = args[0]
            if hasattr(src, "keys"):
                items = [(k, src[k]) for k in src.keys()]
            else:
                for pair in src:
                    k, v = pair
                    items.append((k, v))
        items.extend(kwargs.items())
        if CHECKED:
            for k, v in items:
                check(k, v)
        return items

    # Operations that build a new dict keep the specialized type (cheap, in both modes).
    def __or__(self, other):
        out = dict.__new__(type(self))
        dict.update(out, self)
        dict.update(out, pairs((other,), {}))
        return out

    def copy(self):
        out = dict.__new__(type(self))
        dict.update(out, self)
        return out

    @classmethod
    def fromkeys(cls, iterable, v=None):
        out = dict.__new__(cls)
        for k in iterable:
            if CHECKED:
                check(k, v)
            dict.__setitem__(out, k, v)
        return out

    ns = {
        "__slots__": (),
        "__module__": __name__,
        "__qualname__": name,
        "_key": key,
        "_value": value,
        "__init__": dict.__init__,
        "__or__": __or__,
        "copy": copy,
        "fromkeys": fromkeys,
    }
    if not CHECKED:
        return type(name, (CheckedDict,), ns)

    # Every way of inserting checks; lookups are dict's own (a wrong-typed key just misses).
    def __init__(self, *args, **kwargs):
        dict.__init__(self, pairs(args, kwargs))

    def __setitem__(self, k, v):
        if not isinstance(k, kok):
            _reject(name + " key", k)
        if not isinstance(v, vok):
            _reject(name, v)
        dict.__setitem__(self, k, v)

    def update(self, *args, **kwargs):
        dict.update(self, pairs(args, kwargs))

    def setdefault(self, k, default=None):
        if k in self:
            return dict.__getitem__(self, k)
        __setitem__(self, k, default)
        return default

    def __ior__(self, other):
        dict.update(self, pairs((other,), {}))
        return self

    ns.update(
        __init__=__init__,
        __setitem__=__setitem__,
        update=update,
        setdefault=setdefault,
        __ior__=__ior__,
    )
    return type(name, (CheckedDict,), ns)


chklist = CheckedList
chkdict = CheckedDict
pydict = dict
PyDict = _typing.Dict

# ---- arrays of primitives -------------------------------------------------------------------


class _PrimitiveArray(_array.array):
    """array.array of one primitive type, specialized by subscription (Array[int64]).

    Stores convert and range-check in C (OverflowError, TypeError) and loads box a fresh
    int/float, much as Cinder's do when a value leaves static code.
    """

    def __class_getitem__(cls, elem):
        if cls.__dict__.get("_generic") is not True:
            raise TypeError("%s is already specialized" % cls.__name__)
        spec = cls._specialized.get(elem)
        if spec is None:
            if not isinstance(elem, (_IntMeta, _FloatMeta)):
                raise TypeError(
                    "%s elements must be a primitive type (int8..uint64, single, double), not %s"
                    % (cls.__name__, _type_name(elem))
                )
            name = "%s[%s]" % (cls.__name__, elem.__name__)
            ns = {"__module__": __name__, "__qualname__": name, "_typecode": elem._typecode, "_elem": elem}
            spec = type(name, (cls,), ns)
            cls._specialized[elem] = spec
        return spec

    def __new__(cls, init=0):
        code = cls.__dict__.get("_typecode")
        if code is None:
            # mypyc-compiled code calls the bare class (it drops type arguments), so the element
            # type is unknown: a list of the initial values stands in, its element types being
            # guaranteed by mypyc's static types. Zeros are int 0 even in an erased Array[double].
            if isinstance(init, int):
                return [0] * init
            return list(init)
        if isinstance(init, int):
            if init < 0:
                raise ValueError("%s size must be >= 0, got %d" % (cls.__name__, init))
            return _array.array.__new__(cls, code, bytes(init * _array.array(code).itemsize))
        if isinstance(init, (str, bytes, bytearray)):
            raise TypeError("%s needs a size or an iterable of numbers" % cls.__name__)
        return _array.array.__new__(cls, code, init)

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.tolist())


class Vector(_PrimitiveArray):
    """Growable array of one primitive type: Vector[int64](), Vector[double](n or iterable)."""

    _generic = True
    _specialized = {}


def _fixed_size(self, *args, **kwargs):
    raise TypeError("%s has a fixed size; use Vector to grow" % type(self).__name__)


class Array(_PrimitiveArray):
    """Fixed-size array of one primitive type: Array[int64](n) (zeros) or Array[double](values)."""

    _generic = True
    _specialized = {}
    append = extend = insert = pop = remove = _fixed_size
    frombytes = fromlist = fromfile = fromunicode = _fixed_size
    __iadd__ = __imul__ = __delitem__ = _fixed_size


# ---- libc ------------------------------------------------------------------------------------

RAND_MAX = (1 << 31) - 1
_rng = []  # the generator, made on first use: importing random costs every program's start-up


def rand():
    """An int in [0, RAND_MAX] from a private generator seeded with 1 (glibc's sequence differs)."""
    if not _rng:
        import random

        _rng.append(random.Random(1))
    return _rng[0].getrandbits(31)
