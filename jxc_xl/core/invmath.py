"""Inventory math: EOQ family, safety stock, ABC/XYZ, turnover, demand forecasts.

Pure numpy/scipy, no xlwings and no I/O, so the sync engine and the Excel adapter
(``jxc_xl.udfs``) share one implementation.

Conventions shared by every function here:

* Every numeric argument may be a scalar or an array; arguments broadcast with numpy
  rules and the result has the broadcast shape. A scalar in gives a Python ``float``
  (or ``str`` for class labels) out.
* NaN (and ``None`` / blank strings in object arrays) means "empty": those positions
  give NaN (``None`` for labels) and never fail the whole call.
* Invalid input raises :class:`InvalidArgument`, whose message names the argument, the
  allowed range, the offending value and its position, e.g.
  ``annual_demand must be ≥ 0 (got -5 at row 3)``.
* Units: demand and costs per year for the EOQ family, per day for safety stock and
  reorder point (any consistent time unit works, as long as all arguments share it).
"""

from __future__ import annotations

import datetime
import decimal
import math
import numbers
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

FloatArray = NDArray[np.float64]
FloatResult = float | FloatArray
LabelResult = str | None | NDArray[np.object_]

# Relative slack on class thresholds, so that a cumulative share that is 0.95 in exact
# arithmetic but 0.9500000000000001 after float summation still counts as ≤ 0.95.
THRESHOLD_RTOL = 1e-12

FORECAST_METHODS = ("ma", "ses", "holt", "croston")


class InvalidArgument(ValueError):
    """An argument is outside its allowed range, of the wrong type or shape.

    ``argument`` is the offending parameter name (``None`` for shape clashes between
    several arguments).
    """

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


# ---------------------------------------------------------------------------------------
# Argument conversion and checks
# ---------------------------------------------------------------------------------------


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
    """Common shape of the arguments, or InvalidArgument naming every shape."""
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


# ---------------------------------------------------------------------------------------
# EOQ family
# ---------------------------------------------------------------------------------------


def eoq(annual_demand: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike) -> FloatResult:
    """Economic order quantity Q* = √(2Kλ/h).

    annual_demand λ (units/year, ≥ 0), order_cost K (per order, ≥ 0), holding_cost h
    (per unit per year, > 0).
    """
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    h = _arg("holding_cost", holding_cost, lo=0, lo_open=True)
    broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h)
    return _out(np.sqrt(2.0 * k * d / h))


def eoq_cost(
    annual_demand: ArrayLike,
    order_cost: ArrayLike,
    holding_cost: ArrayLike,
    order_qty: ArrayLike | None = None,
) -> FloatResult:
    """Annual ordering + holding cost Kλ/Q + hQ/2 (at Q* = √(2Kλh) when order_qty is None)."""
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    h = _arg("holding_cost", holding_cost, lo=0, lo_open=True)
    if order_qty is None:
        broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h)
        return _out(np.sqrt(2.0 * k * d * h))
    q = _arg("order_qty", order_qty, lo=0, lo_open=True)
    broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h, order_qty=q)
    return _out(k * d / q + h * q / 2.0)


class BackorderEOQ(NamedTuple):
    order_qty: FloatResult
    backorder_fraction: FloatResult
    annual_cost: FloatResult


def eoq_backorder_details(
    annual_demand: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike, shortage_cost: ArrayLike
) -> BackorderEOQ:
    """EOQ with planned backorders (FoSCT §3.3): Q*, backorder fraction x* = h/(h+p), g*.

    shortage_cost p is the backorder (缺货) cost per unit per year, > 0.
    """
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    h = _arg("holding_cost", holding_cost, lo=0, lo_open=True)
    p = _arg("shortage_cost", shortage_cost, lo=0, lo_open=True)
    broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h, shortage_cost=p)
    q = np.sqrt(2.0 * k * d * (h + p) / (h * p))
    x = h / (h + p) + 0.0 * d * k  # broadcast to the common shape, NaN where any input is empty
    g = np.sqrt(2.0 * k * d * h * p / (h + p))
    return BackorderEOQ(_out(q), _out(x), _out(g))


def eoq_backorder(
    annual_demand: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike, shortage_cost: ArrayLike
) -> FloatResult:
    """Order quantity of the EOQ with backorders, √(2Kλ(h+p)/(hp))."""
    return eoq_backorder_details(annual_demand, order_cost, holding_cost, shortage_cost).order_qty


class DiscountEOQ(NamedTuple):
    order_qty: FloatResult
    annual_cost: FloatResult  # purchase + ordering + holding, per year
    tier: FloatResult  # 0-based index of the price tier of order_qty (NaN where empty)


def eoq_discount_details(
    annual_demand: ArrayLike,
    order_cost: ArrayLike,
    holding_rate: ArrayLike,
    breaks: ArrayLike,
    prices: ArrayLike,
) -> DiscountEOQ:
    """EOQ with all-units quantity discounts (FoSCT §3.5, same candidates as stockpyl).

    ``breaks`` b_0 < b_1 < … and ``prices`` c_0, c_1, … describe one price table shared
    by every SKU: an order of Q ∈ [b_j, b_{j+1}) pays c_j per unit for all units.
    Holding cost is holding_rate i × unit price. Candidates are each realizable
    √(2Kλ/(i c_j)) and each positive breakpoint; the cheapest
    g_j(Q) = c_j λ + Kλ/Q + i c_j Q/2 wins (first one on ties, as stockpyl does).
    """
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    i = _arg("holding_rate", holding_rate, lo=0, lo_open=True)
    b = _check_range("breaks", as_float_array("breaks", breaks).reshape(-1), lo=0)
    c = _check_range("prices", as_float_array("prices", prices).reshape(-1), lo=0, lo_open=True)
    if b.size == 0 or np.isnan(b).any():
        raise InvalidArgument("breaks must be a range of quantities with no empty cells", "breaks")
    if np.isnan(c).any():
        raise InvalidArgument("prices must be a range of prices with no empty cells", "prices")
    if b.size != c.size:
        raise InvalidArgument(
            f"breaks and prices must have the same number of cells (got {b.size} and {c.size})", "prices"
        )
    if b.size > 1 and not (np.diff(b) > 0).all():
        raise InvalidArgument("breaks must be strictly increasing", "breaks")
    shape = broadcast_shape(annual_demand=d, order_cost=k, holding_rate=i)
    dd, kk, ii = (np.broadcast_to(a, shape)[..., None] for a in (d, k, i))

    upper = np.append(b[1:], np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        q_star = np.sqrt(2.0 * kk * dd / (ii * c))
        realizable = (q_star >= b) & (q_star < upper)
        # Breakpoint b_k is evaluated at its own tier k; b_0 = 0 is not an order size.
        q_all = np.concatenate([q_star, np.broadcast_to(b, q_star.shape)], axis=-1)
        c_all = np.concatenate([c, c])
        allowed = np.concatenate([realizable, np.broadcast_to(b > 0, q_star.shape)], axis=-1)
        ordering = np.where(q_all > 0, kk * dd / np.where(q_all > 0, q_all, 1.0), np.where(kk * dd > 0, np.inf, 0))
        cost = c_all * dd + ordering + ii * c_all * q_all / 2.0
        cost = np.where(allowed, cost, np.inf)
    pick = np.argmin(cost, axis=-1)[..., None]
    q = np.take_along_axis(q_all, pick, axis=-1)[..., 0]
    g = np.take_along_axis(cost, pick, axis=-1)[..., 0]
    tier = (pick[..., 0] % c.size).astype(np.float64)
    empty = np.isnan(dd[..., 0] + kk[..., 0] + ii[..., 0])
    # No demand: nothing to order, no cost (avoids 0/0 in the ordering term).
    zero = ~empty & (dd[..., 0] == 0)
    q = np.where(empty, np.nan, np.where(zero, 0.0, q))
    g = np.where(empty, np.nan, np.where(zero, 0.0, g))
    tier = np.where(empty, np.nan, np.where(zero, 0.0, tier))
    return DiscountEOQ(_out(q), _out(g), _out(tier))


def eoq_discount(
    annual_demand: ArrayLike,
    order_cost: ArrayLike,
    holding_rate: ArrayLike,
    breaks: ArrayLike,
    prices: ArrayLike,
) -> FloatResult:
    """Optimal order quantity under all-units discounts (see :func:`eoq_discount_details`)."""
    return eoq_discount_details(annual_demand, order_cost, holding_rate, breaks, prices).order_qty


# ---------------------------------------------------------------------------------------
# Safety stock and reorder point
# ---------------------------------------------------------------------------------------


def safety_stock(
    service_level: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    avg_demand: ArrayLike = 0.0,
    lead_time_sd: ArrayLike = 0.0,
) -> FloatResult:
    """SS = max(0, z·√(L·σd² + d²·σL²)), z = NORM.S.INV(service_level); all rates per day.

    service_level (cycle service level, 0 < CSL < 1), demand_sd σd (units/day, ≥ 0),
    lead_time L (days, ≥ 0), avg_demand d (units/day, ≥ 0), lead_time_sd σL (days, ≥ 0).
    A service level below 50 % gives z < 0: ordering at the mean lead-time demand already
    exceeds it, so no safety stock is needed and the result is 0 (never negative stock).
    """
    sl = _arg("service_level", service_level, lo=0, hi=1, lo_open=True, hi_open=True)
    sd = _arg("demand_sd", demand_sd, lo=0)
    lt = _arg("lead_time", lead_time, lo=0)
    d = _arg("avg_demand", avg_demand, lo=0)
    lsd = _arg("lead_time_sd", lead_time_sd, lo=0)
    broadcast_shape(service_level=sl, demand_sd=sd, lead_time=lt, avg_demand=d, lead_time_sd=lsd)
    ss = ndtri(sl) * np.sqrt(lt * sd * sd + d * d * lsd * lsd)
    return _out(np.maximum(ss, 0.0))  # NaN (empty) stays NaN


def reorder_point(avg_demand: ArrayLike, lead_time: ArrayLike, safety_stock: ArrayLike = 0.0) -> FloatResult:
    """ROP = d·L + SS (avg_demand units/day ≥ 0, lead_time days ≥ 0, safety_stock units ≥ 0).

    A negative safety stock would put the reorder point below the expected lead-time
    demand; it is rejected (safety_stock() never returns one) rather than passed through.
    """
    d = _arg("avg_demand", avg_demand, lo=0)
    lt = _arg("lead_time", lead_time, lo=0)
    ss = _arg("safety_stock", safety_stock, lo=0)
    broadcast_shape(avg_demand=d, lead_time=lt, safety_stock=ss)
    return _out(d * lt + ss)


# ---------------------------------------------------------------------------------------
# ABC / XYZ classification
# ---------------------------------------------------------------------------------------

_LABELS = {"abc": np.array(["A", "B", "C"], dtype=object), "xyz": np.array(["X", "Y", "Z"], dtype=object)}


def _labels(kind: str, code: NDArray[np.int8], empty: NDArray[np.bool_]) -> LabelResult:
    if code.ndim == 0:
        return None if bool(empty) else str(_LABELS[kind][int(code)])
    out = _LABELS[kind][code]
    out[empty] = None
    return out


def _check_thresholds(lo_name: str, lo: float, hi_name: str, hi: float, upper: float | None) -> None:
    if not (0 <= lo) or (upper is not None and lo > upper) or math.isinf(lo):
        bound = f"[0, {_fmt(upper)}]" if upper is not None else "≥ 0"
        raise InvalidArgument(f"{lo_name} must be in {bound} (got {_fmt(lo)})", lo_name)
    if hi < lo or (upper is not None and hi > upper) or math.isinf(hi):
        bound = f"[{lo_name}={_fmt(lo)}, {_fmt(upper)}]" if upper is not None else f"≥ {lo_name} ({_fmt(lo)})"
        raise InvalidArgument(f"{hi_name} must be in {bound} (got {_fmt(hi)})", hi_name)


def abc(values: ArrayLike, a: float = 0.8, b: float = 0.95) -> LabelResult:
    """ABC class of each value by cumulative value share (Pareto).

    Values are ranked in descending order (ties keep input order); an item's cumulative
    share includes itself: ≤ a → "A", ≤ b → "B", else "C". Zero values are "C"; empty
    values give ``None`` and do not count in the total. The ranking spans the whole
    array (a 2-D block is ranked as one population). Result has the shape of ``values``.
    """
    v = _arg("values", values, lo=0)
    a_ = _single("a", a, 0.8)
    b_ = _single("b", b, 0.95)
    _check_thresholds("a", a_, "b", b_, 1.0)
    flat = v.reshape(-1)
    empty = np.isnan(flat)
    filled = np.where(empty, 0.0, flat)
    # Empties sort last (key +inf); stable sort keeps input order among equal values.
    order = np.argsort(np.where(empty, np.inf, -filled), kind="stable")
    cum = np.cumsum(filled[order])
    total = cum[-1] if cum.size else 0.0
    share = cum / total if total > 0 else np.full(cum.shape, np.inf)
    code_sorted = np.where(share <= a_ * (1 + THRESHOLD_RTOL), 0, np.where(share <= b_ * (1 + THRESHOLD_RTOL), 1, 2))
    code = np.empty(flat.shape, dtype=np.int8)
    code[order] = code_sorted
    code[filled == 0] = 2
    return _labels("abc", code.reshape(v.shape), empty.reshape(v.shape))


def coefficient_of_variation(history: ArrayLike) -> FloatResult:
    """Sample CV (std with ddof=1 / mean) of a series (1-D) or of each row (2-D).

    Empty cells are skipped; fewer than 2 observations → NaN; mean 0 → +inf.
    """
    h = _arg("history", history, lo=0)
    h2 = h.reshape(1, -1) if h.ndim < 2 else h
    if h2.ndim > 2:
        raise InvalidArgument("history must be a row, a column or a 2-D block (one row per SKU)", "history")
    valid = ~np.isnan(h2)
    n = valid.sum(axis=1)
    filled = np.where(valid, h2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = filled.sum(axis=1) / n
        var = np.where(valid, (h2 - mean[:, None]) ** 2, 0.0).sum(axis=1) / (n - 1)
        cv = np.where(mean > 0, np.sqrt(var) / np.where(mean > 0, mean, 1.0), np.inf)
    cv = np.where(n >= 2, cv, np.nan)
    return float(cv[0]) if h.ndim < 2 else cv


def xyz(history: ArrayLike, x: ArrayLike = 0.5, y: ArrayLike = 1.0) -> LabelResult:
    """XYZ class by coefficient of variation of demand history: CV ≤ x → X, ≤ y → Y, else Z.

    ``history`` is one series (1-D → one label) or one row per SKU (2-D, periods across
    columns → one label per row). Mean 0 → Z. Empty cells are skipped; a series with
    fewer than 2 values → ``None``. ``x`` and ``y`` are one number or one per SKU row.
    """
    cv = np.atleast_1d(np.asarray(coefficient_of_variation(history)))
    n = cv.shape[0]
    xs = _per_row("x", 0.5 if x is None else x, n, 0.0, None)
    ys = _per_row("y", 1.0 if y is None else y, n, 0.0, None)
    xs = np.where(np.isnan(xs), 0.5, xs)
    ys = np.where(np.isnan(ys), 1.0, ys)
    if (ys < xs).any():
        i = int(np.flatnonzero(ys < xs)[0])
        where = f" at row {i + 1}" if n > 1 else ""
        raise InvalidArgument(f"y must be ≥ x (got x={_fmt(float(xs[i]))}, y={_fmt(float(ys[i]))}{where})", "y")
    code = np.where(cv <= xs * (1 + THRESHOLD_RTOL), 0, np.where(cv <= ys * (1 + THRESHOLD_RTOL), 1, 2))
    labels = _labels("xyz", code.astype(np.int8), np.isnan(cv))
    hist_ndim = np.ndim(history) if not isinstance(history, np.ndarray) else history.ndim
    return labels[0] if hist_ndim < 2 and not isinstance(labels, str | None) else labels


# ---------------------------------------------------------------------------------------
# Turnover
# ---------------------------------------------------------------------------------------


def turnover(cogs: ArrayLike, opening_inventory: ArrayLike, closing_inventory: ArrayLike) -> FloatResult:
    """Inventory turnover = cogs / ((opening + closing) / 2).

    Average inventory 0 gives NaN (empty): the ratio is undefined, and an empty cell keeps
    SUM/AVERAGE over the column working where an Excel error would poison them.
    """
    c = _arg("cogs", cogs, lo=0)
    o = _arg("opening_inventory", opening_inventory, lo=0)
    e = _arg("closing_inventory", closing_inventory, lo=0)
    broadcast_shape(cogs=c, opening_inventory=o, closing_inventory=e)
    avg = (o + e) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(avg > 0, c / np.where(avg > 0, avg, 1.0), np.nan) + 0.0 * avg)


def days_of_inventory(
    cogs: ArrayLike, opening_inventory: ArrayLike, closing_inventory: ArrayLike, period_days: ArrayLike = 30
) -> FloatResult:
    """Days of inventory = average inventory / cogs × period_days.

    cogs 0 gives NaN (empty) for the same reason as :func:`turnover`.
    """
    c = _arg("cogs", cogs, lo=0)
    o = _arg("opening_inventory", opening_inventory, lo=0)
    e = _arg("closing_inventory", closing_inventory, lo=0)
    p = _arg("period_days", period_days, lo=0, lo_open=True)
    broadcast_shape(cogs=c, opening_inventory=o, closing_inventory=e, period_days=p)
    avg = (o + e) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(c > 0, avg / np.where(c > 0, c, 1.0) * p, np.nan) + 0.0 * (avg + p))


# ---------------------------------------------------------------------------------------
# Forecasts (vectorised across SKUs, loop over periods only)
# ---------------------------------------------------------------------------------------


def _ses_run(y: FloatArray, alpha: FloatArray, level0: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Final level and SSE of one-step errors; y is (n, T), parameters (n,)."""
    level = level0.copy()
    sse = np.zeros(y.shape[0])
    for t in range(y.shape[1]):
        err = y[:, t] - level
        sse += err * err
        level = level + alpha * err
    return level, sse


def _holt_run(
    y: FloatArray, alpha: FloatArray, beta: FloatArray, level0: FloatArray, trend0: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Holt's linear trend (statsmodels' parameterisation): final level, trend, SSE."""
    level, trend = level0.copy(), trend0.copy()
    sse = np.zeros(y.shape[0])
    for t in range(y.shape[1]):
        fc = level + trend
        err = y[:, t] - fc
        sse += err * err
        new_level = fc + alpha * err
        trend = beta * (new_level - level) + (1 - beta) * trend
        level = new_level
    return level, trend, sse


def _fit_ses_alpha(y: FloatArray, level0: FloatArray) -> FloatArray:
    """Alpha in [0, 1] minimising one-step SSE: coarse grid, then golden section per row."""
    grid = np.linspace(0.0, 1.0, 21)
    sses = np.stack([_ses_run(y, np.full(y.shape[0], a), level0)[1] for a in grid])
    best = grid[np.argmin(sses, axis=0)]
    lo, hi = np.clip(best - 0.05, 0, 1), np.clip(best + 0.05, 0, 1)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(40):
        m1 = hi - ratio * (hi - lo)
        m2 = lo + ratio * (hi - lo)
        left = _ses_run(y, m1, level0)[1] <= _ses_run(y, m2, level0)[1]
        hi = np.where(left, m2, hi)
        lo = np.where(left, lo, m1)
    return (lo + hi) / 2


def _fit_holt(
    y: FloatArray, alpha: FloatArray, beta: FloatArray, level0: FloatArray, trend0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Grid search (step 0.05) over whichever of alpha/beta is NaN, per row."""
    grid = np.linspace(0.05, 1.0, 20)
    a_grid = grid if np.isnan(alpha).any() else np.array([np.nan])
    b_grid = grid if np.isnan(beta).any() else np.array([np.nan])
    best_sse = np.full(y.shape[0], np.inf)
    best_a, best_b = alpha.copy(), beta.copy()
    for ag in a_grid:
        a_try = np.where(np.isnan(alpha), ag, alpha)
        for bg in b_grid:
            b_try = np.where(np.isnan(beta), bg, beta)
            sse = _holt_run(y, a_try, b_try, level0, trend0)[2]
            better = sse < best_sse
            best_sse = np.where(better, sse, best_sse)
            best_a = np.where(better, a_try, best_a)
            best_b = np.where(better, b_try, best_b)
    return best_a, best_b


def _croston_run(y: FloatArray, alpha: FloatArray) -> FloatArray:
    """Croston: smoothed size z / smoothed interval p, updated only in demand periods.

    Initialised at the first non-zero demand: z0 = that demand, p0 = its 1-based period.
    Rows with no demand at all forecast 0.
    """
    n = y.shape[0]
    size = np.zeros(n)
    interval = np.ones(n)
    since = np.zeros(n)
    started = np.zeros(n, dtype=bool)
    for t in range(y.shape[1]):
        since += 1
        pos = y[:, t] > 0
        first = pos & ~started
        upd = pos & started
        size = np.where(first, y[:, t], np.where(upd, size + alpha * (y[:, t] - size), size))
        interval = np.where(first, since, np.where(upd, interval + alpha * (since - interval), interval))
        since = np.where(pos, 0.0, since)
        started |= first
    return np.where(started, size / interval, 0.0)


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


def _forecast_dense(
    y: FloatArray,
    horizon: int,
    method: str,
    alpha: FloatArray,
    beta: FloatArray,
    window: int,
    level0: FloatArray,
    trend0: FloatArray,
) -> FloatArray:
    """Forecasts for rows without gaps; y is (n, T) with T ≥ 1. Returns (n, horizon)."""
    n, t_len = y.shape
    steps = np.arange(1, horizon + 1, dtype=np.float64)
    if method == "ma":
        flat = y[:, -window:].mean(axis=1)
        return np.repeat(flat[:, None], horizon, axis=1)
    if method == "croston":
        a = np.where(np.isnan(alpha), 0.1, alpha)
        return np.repeat(_croston_run(y, a)[:, None], horizon, axis=1)
    if method == "ses":
        l0 = np.where(np.isnan(level0), y[:, 0], level0)
        a = alpha if not np.isnan(alpha).any() else np.where(np.isnan(alpha), _fit_ses_alpha(y, l0), alpha)
        level, _ = _ses_run(y, a, l0)
        return np.repeat(level[:, None], horizon, axis=1)
    # holt
    default_trend = y[:, 1] - y[:, 0] if t_len >= 2 else np.zeros(n)
    b0 = np.where(np.isnan(trend0), default_trend, trend0)
    # Default l0 puts the level at the first period on the first observation (l0 + b0 = y1),
    # so a series on a straight line is forecast exactly.
    l0 = np.where(np.isnan(level0), y[:, 0] - b0, level0)
    a, b = alpha, beta
    if np.isnan(a).any() or np.isnan(b).any():
        a, b = _fit_holt(y, a, b, l0, b0)
    level, trend, _ = _holt_run(y, a, b, l0, b0)
    return level[:, None] + trend[:, None] * steps[None, :]


def forecast(
    history: ArrayLike,
    horizon: int = 1,
    method: str = "ses",
    alpha: ArrayLike | None = None,
    beta: ArrayLike | None = None,
    window: int = 3,
    initial_level: ArrayLike | None = None,
    initial_trend: ArrayLike | None = None,
) -> FloatArray:
    """Demand forecast for the next ``horizon`` periods.

    ``history``: one series (1-D → result shape (horizon,)) or one row per SKU
    (2-D (n, T) → (n, horizon)), oldest period first, demand ≥ 0.
    ``method``:

    * ``"ma"``: mean of the last ``window`` periods (all periods if fewer).
    * ``"ses"``: simple exponential smoothing, level l_t = l_{t-1} + α(y_t − l_{t-1}),
      l_0 = ``initial_level`` (default: first observation). Without ``alpha``, α ∈ [0, 1]
      minimises the sum of squared one-step errors.
    * ``"holt"``: Holt's linear trend (statsmodels' Holt parameterisation), l_0 =
      ``initial_level``, b_0 = ``initial_trend`` (defaults: b_0 = second − first
      observation, l_0 = first − b_0 so the one-step forecast of the first period is the
      first observation); forecast l_T + h·b_T. Missing ``alpha``/``beta`` are fitted by
      a 0.05-step grid search on the one-step SSE.
    * ``"croston"``: Croston's method for intermittent demand, α default 0.1.

    ``alpha``, ``beta``, ``initial_level``, ``initial_trend`` are one number or one per
    SKU. Empty cells inside a history row are skipped (the row is compressed); a row
    without any value gives NaN.
    """
    y = as_float_array("history", history)
    if y.ndim > 2:
        raise InvalidArgument("history must be a row, a column or a 2-D block (one row per SKU)", "history")
    one_series = y.ndim < 2
    y2 = y.reshape(1, -1) if one_series else y
    _check_range("history", y2, lo=0)
    horizon_ = _int_param("horizon", horizon, 1, 1, 10_000)
    window_ = _int_param("window", window, 3, 1, 10_000)
    if method is None:
        method = "ses"
    if isinstance(method, str) and method.strip() in EXCEL_ERRORS:
        raise InvalidArgument(f"method is an Excel error ({method.strip()})", "method")
    if not isinstance(method, str) or method.strip().lower() not in FORECAST_METHODS:
        raise InvalidArgument(
            f"method must be one of {', '.join(repr(m) for m in FORECAST_METHODS)} (got {_fmt(method)})", "method"
        )
    method_ = method.strip().lower()
    n = y2.shape[0]
    a = _per_row("alpha", alpha, n, 0.0, 1.0)
    b = _per_row("beta", beta, n, 0.0, 1.0)
    l0 = _per_row("initial_level", initial_level, n, 0.0, None)
    t0 = _per_row("initial_trend", initial_trend, n, -np.inf, None)

    out = np.full((n, horizon_), np.nan)
    empty = np.isnan(y2)
    counts = y2.shape[1] - empty.sum(axis=1)
    if empty.any():
        # Empty cells are skipped: move each row's values to the front, keeping their order
        # (stable sort on the empty flag), so a row with k values is the series yl[r, :k].
        yl = np.take_along_axis(y2, np.argsort(empty, axis=1, kind="stable"), axis=1)
    else:
        yl = y2
    # One dense call per distinct count of values (≤ T calls), never one per row: SKUs that
    # joined after history began (leading blanks) are common in a pivoted tblHistory.
    for k in np.unique(counts[counts > 0]):
        rows = np.flatnonzero(counts == k)
        if rows.size == n:
            out[:] = _forecast_dense(yl[:, :k], horizon_, method_, a, b, window_, l0, t0)
        else:
            out[rows] = _forecast_dense(yl[rows, :k], horizon_, method_, a[rows], b[rows], window_, l0[rows], t0[rows])
    return out[0] if one_series else out
