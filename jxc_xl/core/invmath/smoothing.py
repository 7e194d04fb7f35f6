"""Forecast kernels: exponential smoothing (SES, Holt), their parameter fits, Croston.

Each works on a dense (n, T) block, one row per SKU without gaps: vectorised across SKUs, a loop over
periods only.
"""

from __future__ import annotations

import math

import numpy as np

from jxc_xl.core.invmath.arguments import FloatArray


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


_GRID_ROWS = 20_000  # series × grid points the Holt grid search runs as one block (few series: fewer loops)


def _fit_holt(
    y: FloatArray, alpha: FloatArray, beta: FloatArray, level0: FloatArray, trend0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Grid search (step 0.05) over whichever of alpha/beta is NaN, per row: the first grid point (alpha-major)
    with the least SSE. For few rows the grid points run as extra rows of one block (400 runs of a handful of
    series cost more in per-period overhead than the arithmetic); for many, one run per grid point."""
    grid = np.linspace(0.05, 1.0, 20)
    a_grid = grid if np.isnan(alpha).any() else np.array([np.nan])
    b_grid = grid if np.isnan(beta).any() else np.array([np.nan])
    a_all, b_all = (g.ravel() for g in np.meshgrid(a_grid, b_grid, indexing="ij"))
    a_try = np.where(np.isnan(alpha)[None, :], a_all[:, None], alpha[None, :])  # (grid points, n)
    b_try = np.where(np.isnan(beta)[None, :], b_all[:, None], beta[None, :])
    g, n = a_try.shape
    if g * n <= _GRID_ROWS:
        run = _holt_run(np.tile(y, (g, 1)), a_try.ravel(), b_try.ravel(), np.tile(level0, g), np.tile(trend0, g))
        sse = run[2].reshape(g, n)
    else:
        sse = np.stack([_holt_run(y, a_try[i], b_try[i], level0, trend0)[2] for i in range(g)])
    sse = np.where(np.isnan(sse), np.inf, sse)
    first = np.argmin(sse, axis=0)  # the first least SSE, in grid order
    cols = np.arange(n)
    found = np.isfinite(sse[first, cols])
    return np.where(found, a_try[first, cols], alpha), np.where(found, b_try[first, cols], beta)


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
