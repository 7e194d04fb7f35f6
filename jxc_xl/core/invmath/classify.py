"""ABC classification by value share, XYZ classification by coefficient of variation of demand."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from jxc_xl.core.invmath.arguments import (
    FloatResult,
    InvalidArgument,
    LabelResult,
    _arg,
    _fmt,
    _per_row,
    _single,
)

# Relative slack on class thresholds, so that a cumulative share that is 0.95 in exact
# arithmetic but 0.9500000000000001 after float summation still counts as ≤ 0.95.
THRESHOLD_RTOL = 1e-12

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
    array (a 2-D block is ranked as one population).

    Args:
        values: value per item (e.g. annual consumption value), ≥ 0.
        a: cumulative share limit of class A, one number in [0, 1] (None: 0.8).
        b: cumulative share limit of class B, one number in [a, 1] (None: 0.95).

    Returns:
        "A", "B", "C" or None per item, in the shape of ``values`` (a str for a scalar).
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

    Returns:
        One CV (a float) for a series, one per row for a 2-D block.
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

    Returns:
        "X", "Y", "Z" or None: one label (a str) for a series, one per row for a 2-D block.
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
