# Types of __static__ for mypy and mypyc (MYPYPATH=python). Primitive types are aliases of
# int/float/bool here, so that mypy accepts Static Python's literal assignments (x: int64 = 0)
# and mypyc compiles primitive arithmetic as its own native int/float arithmetic; the runtime
# module keeps them distinct classes (docs/static.md).
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Sized,
    Type,
    TypeVar,
    Union,
    final as final,
    overload,
)

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")
_F = TypeVar("_F", bound=Callable[..., Any])
_C = TypeVar("_C", bound=type)

CHECKED: bool

int8 = int
int16 = int
int32 = int
int64 = int
uint8 = int
uint16 = int
uint32 = int
uint64 = int
byte = int
char = int
ssize_t = int
size_t = int
double = float
single = float
cbool = bool

def box(value: _T) -> _T: ...
def unbox(value: _T) -> _T: ...
def clen(obj: Sized) -> int: ...
def inline(func: _F) -> _F: ...
def allow_weakrefs(klass: _C) -> _C: ...
def dynamic_return(func: _F) -> _F: ...
@overload
def cast(typ: Type[_T], val: object) -> _T: ...
@overload
def cast(typ: object, val: object) -> Any: ...

class CheckedList(List[_T]):
    def __init__(self, iterable: Iterable[_T] = ...) -> None: ...

class CheckedDict(Dict[_K, _V]):
    @overload
    def __init__(self) -> None: ...
    @overload
    def __init__(self, mapping: Dict[_K, _V]) -> None: ...
    @overload
    def __init__(self, iterable: Iterable[tuple[_K, _V]]) -> None: ...

chklist = CheckedList
chkdict = CheckedDict
pydict = dict
PyDict = Dict

class _PrimitiveArray(Generic[_T]):
    def __init__(self, init: Union[int, Iterable[_T]] = ...) -> None: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> _T: ...
    def __setitem__(self, index: int, value: _T) -> None: ...
    def __iter__(self) -> Iterator[_T]: ...
    def tolist(self) -> List[_T]: ...

class Array(_PrimitiveArray[_T]): ...

class Vector(_PrimitiveArray[_T]):
    def append(self, value: _T) -> None: ...
    def extend(self, values: Iterable[_T]) -> None: ...
    def pop(self, index: int = ...) -> _T: ...

RAND_MAX: int

def rand() -> int: ...
