"""Argument conversion and checks shared by every invmath function.

Cells arrive as numbers, numpy arrays or lists of lists (an Excel range): ``as_float_array`` turns them into
float arrays with NaN for empties; the checks raise :class:`InvalidArgument` naming the argument, the allowed
range, the offending value and its position, so a formula's error message tells the user which cell to fix.
"""

from __future__ import annotations

import datetime
import decimal
import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
FloatResult = float | FloatArray
LabelResult = str | None | NDArray[np.object_]


class InvalidArgument(ValueError):
    """An argument is outside its allowed range, of the wrong type or shape.

    ``argument`` is the offending parameter name (``None`` for shape clashes between
    several arguments).
    """

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


def _position(shape: tuple[int, ...], flat_index: int) -> str:
    """Human (1-based) position of a flat index, as Excel users count cells."""
    if len(shape) == 0:
        return ""
    idx = np.unravel_index(flat_index, shape)
    if len(shape) == 1:
        return f" at row {idx[0] + 1}"
    if len(shape) == 2:
        return f" at row {idx[0] + 1}, column {idx[1] + 1}"
    return " at index " + ",".join(str(i + 1) for i in idx)


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


# Excel cell errors as xlwings passes them with err_to_str=True (classic and Office.js).
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#VALUE!",
        "#DIV/0!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
        "#PYTHON!",
    }
)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    # pandas.NA / NaT without importing pandas
    return type(value).__name__ in ("NAType", "NaTType")


def _is_number_type(t: type) -> bool:
    """Real numbers of any kind (int, float, numpy, Fraction, Decimal), but not booleans."""
    return issubclass(t, numbers.Real | decimal.Decimal) and not issubclass(t, bool | np.bool_)


def _is_date(value: Any) -> bool:
    return isinstance(value, datetime.date | datetime.time | np.datetime64)


def _cell_error(name: str, value: Any, shape: tuple[int, ...], i: int) -> InvalidArgument:
    """The message for one cell that is not a number, empty or not."""
    where = _position(shape, i)
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        # An upstream formula failed; say so instead of "not text" so the user fixes the source.
        return InvalidArgument(f"{name} is an Excel error ({value.strip()}){where}", name)
    if _is_date(value):
        return InvalidArgument(f"{name} is a date, not a number (got {value}{where})", name)
    if isinstance(value, list | tuple | np.ndarray):
        return InvalidArgument(f"{name} must be a rectangular range of numbers", name)
    if isinstance(value, bool | np.bool_):
        kind = "TRUE/FALSE"
    elif isinstance(value, str):
        kind = "text"
    else:
        kind = type(value).__name__
    return InvalidArgument(f"{name} must be a number, not {kind} (got {_fmt(value)}{where})", name)


def _objects_to_float_slow(name: str, obj: NDArray[np.object_]) -> FloatArray:
    """Cell by cell, so the first bad cell is reported with its position."""
    out = np.empty(obj.shape, dtype=np.float64)
    flat_out = out.reshape(-1)
    for i, v in enumerate(obj.flat):
        if _is_empty(v):
            flat_out[i] = np.nan
            continue
        if _is_number_type(type(v)):
            try:
                flat_out[i] = float(v)
                continue
            except (TypeError, ValueError, OverflowError):
                pass
        raise _cell_error(name, v, obj.shape, i)
    return out


def _objects_to_float(name: str, obj: NDArray[np.object_]) -> FloatArray:
    """Object array (a range with blanks, text, Decimals, …) → floats.

    Fast path: one type scan, blank strings → None, then one ``astype`` (None → NaN).
    Anything unusual (booleans, dates, non-blank text, pandas NA) takes the per-cell path,
    which converts what it can and raises with the position of the first bad cell.
    """
    flat = obj.reshape(-1)
    types = list(map(type, flat))
    kinds = set(types)
    if all(t is type(None) or t is str or _is_number_type(t) for t in kinds):
        if str in kinds:
            flat = flat.copy()
            for i in (i for i, t in enumerate(types) if t is str):
                if flat[i].strip():
                    return _objects_to_float_slow(name, obj)
                flat[i] = None
        try:
            return flat.astype(np.float64).reshape(obj.shape)
        except (TypeError, ValueError, OverflowError):
            pass
    return _objects_to_float_slow(name, obj)


def _finite(name: str, arr: FloatArray) -> FloatArray:
    inf = np.isinf(arr)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        got = float(arr.reshape(-1)[i])
        raise InvalidArgument(f"{name} must be a finite number (got {_fmt(got)}{_position(arr.shape, i)})", name)
    return arr


def as_float_array(name: str, value: ArrayLike | None) -> FloatArray:
    """Convert ``value`` to a float array; empties become NaN.

    Accepted: any real number (int, float, numpy, Decimal, Fraction), ``None`` / NaN /
    blank strings (empty). Rejected with the position of the first bad cell: text, Excel
    error strings (``#N/A`` …, passed by xlwings with ``err_to_str=True``), TRUE/FALSE,
    dates, ±inf. Numeric arrays and plain numbers skip the per-element work entirely.

    Returns:
        A float64 array of the value's shape (0-d for a single number), NaN where empty.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        return _finite(name, np.asarray(float(value)))
    if isinstance(value, list | tuple):
        # dtype=object keeps booleans as booleans (np.asarray would turn [1.5, True] into
        # [1.5, 1.0]); a ragged list becomes an array of lists, reported as non-rectangular.
        obj = np.asarray(value, dtype=object)
        return _finite(name, _objects_to_float(name, obj))
    arr = np.asarray(value)
    if arr.dtype.kind in "fiu":
        return _finite(name, arr.astype(np.float64, copy=False))
    if arr.dtype.kind in "Mm":
        got = f" (got {arr.reshape(-1)[0]}{_position(arr.shape, 0)})" if arr.size else ""
        raise InvalidArgument(f"{name} is a date, not a number{got}", name)
    return _finite(name, _objects_to_float(name, arr.astype(object)))


def _check_range(
    name: str,
    arr: FloatArray,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> FloatArray:
    """Raise InvalidArgument for the first non-empty value outside [lo, hi] (or open ends)."""
    valid = ~np.isnan(arr)
    bad = valid & ~np.isfinite(arr)
    if lo is not None:
        bad |= valid & ((arr <= lo) if lo_open else (arr < lo))
    if hi is not None:
        bad |= valid & ((arr >= hi) if hi_open else (arr > hi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        if lo is not None and hi is not None:
            rule = f"in {'(' if lo_open else '['}{_fmt(float(lo))}, {_fmt(float(hi))}{')' if hi_open else ']'}"
        elif lo is not None:
            rule = f"{'>' if lo_open else '≥'} {_fmt(float(lo))}"
        elif hi is not None:
            rule = f"{'<' if hi_open else '≤'} {_fmt(float(hi))}"
        else:
            rule = "a finite number"
        got = float(arr.reshape(-1)[i])
        raise InvalidArgument(f"{name} must be {rule} (got {_fmt(got)}{_position(arr.shape, i)})", name)
    return arr


def _arg(
    name: str,
    value: ArrayLike | None,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> FloatArray:
    return _check_range(name, as_float_array(name, value), lo, hi, lo_open, hi_open)


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape) if shape else "single value"


def broadcast_shape(**arrays: FloatArray) -> tuple[int, ...]:
    """Common shape of the arguments, or InvalidArgument naming every shape.

    Returns:
        The numpy broadcast shape of the keyword arguments' arrays.
    """
    try:
        return np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k} is {_shape_text(a.shape)}" for k, a in arrays.items() if a.ndim)
        raise InvalidArgument(
            f"argument shapes do not match ({shapes}); each argument must be a single value "
            "or a range of the same number of rows (columns) as the others"
        ) from exc


def _out(arr: FloatArray) -> FloatResult:
    """0-d arrays become Python floats: scalar in, scalar out."""
    return float(arr) if arr.ndim == 0 else arr


def _single(name: str, value: Any, default: float) -> float:
    """A parameter that must be one number (class thresholds apply to the whole range)."""
    if value is None:
        return default
    arr = as_float_array(name, value)
    if arr.size != 1:
        raise InvalidArgument(f"{name} must be a single number, not a range ({_shape_text(arr.shape)})", name)
    v = float(arr.reshape(-1)[0])
    return default if math.isnan(v) else v


def _per_row(name: str, value: ArrayLike | None, n: int, lo: float, hi: float | None) -> FloatArray:
    """A per-SKU parameter: one number, or one per row of history (row or column range)."""
    if value is None:
        return np.full(n, np.nan)
    arr = _check_range(name, as_float_array(name, value), lo=lo, hi=hi)
    if arr.size == 1:
        return np.full(n, float(arr.reshape(-1)[0]))
    if arr.size == n and (arr.ndim == 1 or 1 in arr.shape):
        return arr.reshape(-1)
    raise InvalidArgument(
        f"{name} must be a single number or one per history row ({n}), got {_shape_text(arr.shape)}", name
    )


def _int_param(name: str, value: Any, default: int, lo: int, hi: int) -> int:
    if value is None:
        return default
    v = _single(name, value, float(default))
    if not v.is_integer() or not lo <= v <= hi:
        raise InvalidArgument(f"{name} must be a whole number in [{lo}, {hi}] (got {_fmt(v)})", name)
    return int(v)
