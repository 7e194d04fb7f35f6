"""Demand forecasts: moving average, SES, Holt and Croston over one series or one row per SKU."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from jxc_xl.core.invmath.arguments import (
    EXCEL_ERRORS,
    FloatArray,
    InvalidArgument,
    _check_range,
    _fmt,
    _int_param,
    _per_row,
    as_float_array,
)
from jxc_xl.core.invmath.smoothing import _croston_run, _fit_holt, _fit_ses_alpha, _holt_run, _ses_run

FORECAST_METHODS = ("ma", "ses", "holt", "croston")


class _Model(NamedTuple):
    """A checked forecast request: the method, its whole-call settings and its per-SKU parameters.

    The per-SKU arrays hold one entry per history row; NaN means "default" (fitted where the method fits it).
    """

    method: str
    horizon: int
    window: int
    alpha: FloatArray
    beta: FloatArray
    level0: FloatArray
    trend0: FloatArray

    def take(self, rows: NDArray[np.intp]) -> _Model:
        """The request for some history rows only."""
        return self._replace(
            alpha=self.alpha[rows], beta=self.beta[rows], level0=self.level0[rows], trend0=self.trend0[rows]
        )


def _forecast_dense(y: FloatArray, model: _Model) -> FloatArray:
    """Forecasts for rows without gaps; y is (n, T) with T ≥ 1. Returns (n, horizon)."""
    method, horizon, window, alpha, beta, level0, trend0 = model
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


def _method_name(method: Any) -> str:
    """The forecast method in lower case, checked against FORECAST_METHODS (None: "ses")."""
    if method is None:
        return "ses"
    if isinstance(method, str) and method.strip() in EXCEL_ERRORS:
        raise InvalidArgument(f"method is an Excel error ({method.strip()})", "method")
    if not isinstance(method, str) or method.strip().lower() not in FORECAST_METHODS:
        raise InvalidArgument(
            f"method must be one of {', '.join(repr(m) for m in FORECAST_METHODS)} (got {_fmt(method)})", "method"
        )
    return method.strip().lower()


def _forecast_rows(y2: FloatArray, model: _Model) -> FloatArray:
    """Forecasts of a checked (n, T) history whose rows may hold empty cells. Returns (n, horizon).

    Empty cells are skipped (the row is compressed); a row without any value gives NaN.
    """
    n = y2.shape[0]
    out = np.full((n, model.horizon), np.nan)
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
            out[:] = _forecast_dense(yl[:, :k], model)
        else:
            out[rows] = _forecast_dense(yl[rows, :k], model.take(rows))
    return out


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

    Returns:
        Shape (horizon,) for one series, (n, horizon) for one row per SKU.
    """
    y = as_float_array("history", history)
    if y.ndim > 2:
        raise InvalidArgument("history must be a row, a column or a 2-D block (one row per SKU)", "history")
    one_series = y.ndim < 2
    y2 = y.reshape(1, -1) if one_series else y
    _check_range("history", y2, lo=0)
    horizon_ = _int_param("horizon", horizon, 1, 1, 10_000)
    window_ = _int_param("window", window, 3, 1, 10_000)
    method_ = _method_name(method)
    n = y2.shape[0]
    model = _Model(
        method_,
        horizon_,
        window_,
        alpha=_per_row("alpha", alpha, n, 0.0, 1.0),
        beta=_per_row("beta", beta, n, 0.0, 1.0),
        level0=_per_row("initial_level", initial_level, n, 0.0, None),
        trend0=_per_row("initial_trend", initial_trend, n, -np.inf, None),
    )
    out = _forecast_rows(y2, model)
    return out[0] if one_series else out
