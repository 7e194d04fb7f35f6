"""Yearly seasonality of monthly demand: a first-harmonic profile, kept only where the data show it.

Per row of a dense block y (n, T) of monthly rates, T ≥ SEASON_MONTHS, ordinary least squares fits

    y_t = c + β·x_t + a·cos(2π·p_t/12) + b·sin(2π·p_t/12) + e_t

with x the centred month number (β only in rows that trend), and p_t the month's position counted from the
month after the block (the block's last month is p = −1, the next month p = 0). One harmonic is two
parameters, so a single year of history can carry it; a full set of twelve monthly indices could not.
The harmonic is kept where its F statistic against the same model without it exceeds the 1 % critical value
of F(2, d), d = T − parameters: for two numerator degrees of freedom P(F > f) = (1 + 2f/d)^(−d/2) exactly,
so f = (d/2)·(α^(−2/d) − 1). A kept row's profile is s(p) = 1 + (a·cos + b·sin)/c, at least SEASON_FLOOR;
elsewhere s = 1, so a forecast divided and multiplied by it is unchanged to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from jxc_xl.core.invmath.arguments import FloatArray

SEASON_MONTHS = 12  # months of history before a yearly season is looked for
SEASON_ALPHA = 0.01  # significance of the harmonic's F test
SEASON_FLOOR = 0.2  # least seasonal factor: a trough never plans for (nearly) nothing


@dataclass(frozen=True)
class Season:
    """Per row: whether a season was found, and the harmonic's coefficients relative to the level."""

    found: NDArray[np.bool_]
    cos: FloatArray  # a / c (0 where not found)
    sin: FloatArray  # b / c

    def factor(self, p: FloatArray | float) -> FloatArray:
        """s(p) per row for month positions ``p`` (scalar, or (T,) broadcast to (n, T))."""
        angle = 2 * np.pi * np.asarray(p, dtype=np.float64) / 12
        cos, sin = (self.cos, self.sin) if np.ndim(angle) == 0 else (self.cos[:, None], self.sin[:, None])
        return np.maximum(1 + cos * np.cos(angle) + sin * np.sin(angle), SEASON_FLOOR)


def positions(t_len: int) -> FloatArray:
    """Month positions of a block's columns: the last is −1, the month after the block 0."""
    return np.arange(t_len, dtype=np.float64) - t_len


def f_critical(d: int, alpha: float = SEASON_ALPHA) -> float:
    """The upper ``alpha`` point of F(2, d)."""
    return d / 2 * (alpha ** (-2 / d) - 1)


def _rss_and_coef(y: FloatArray, design: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Residual sum of squares and coefficients of each row's OLS fit on a shared design (T, k): one
    pseudo-inverse for all rows, so the fit is a matrix product (lstsq per right-hand side costs 20×)."""
    coef = y @ np.linalg.pinv(design).T
    resid = y - coef @ design.T
    return np.asarray((resid * resid).sum(axis=1), dtype=np.float64), np.asarray(coef, dtype=np.float64)


def fit_season(y: FloatArray, trending: NDArray[np.bool_]) -> Season:
    """The yearly harmonic of each row where its F test keeps it (see the module docstring)."""
    n, t_len = y.shape
    found, cos, sin = np.zeros(n, dtype=bool), np.zeros(n), np.zeros(n)
    if t_len < SEASON_MONTHS or not n:
        return Season(found, cos, sin)
    angle = 2 * np.pi * positions(t_len) / 12
    x = np.arange(t_len, dtype=np.float64) - (t_len - 1) / 2
    harmonic = np.column_stack([np.cos(angle), np.sin(angle)])
    for trend in (False, True):
        rows = np.flatnonzero(trending == trend)
        base = np.column_stack([np.ones(t_len), x]) if trend else np.ones((t_len, 1))
        d = t_len - base.shape[1] - 2
        if not len(rows) or d < 2:
            continue
        rss0, _ = _rss_and_coef(y[rows], base)
        rss1, coef = _rss_and_coef(y[rows], np.column_stack([base, harmonic]))
        with np.errstate(divide="ignore", invalid="ignore"):
            f = (rss0 - rss1) / 2 / (rss1 / d)
        level = coef[:, 0]
        keep = (f > f_critical(d)) & (level > 0) & np.isfinite(f)
        found[rows] = keep
        cos[rows] = np.where(keep, coef[:, -2] / np.where(level > 0, level, 1.0), 0.0)
        sin[rows] = np.where(keep, coef[:, -1] / np.where(level > 0, level, 1.0), 0.0)
    return Season(found, cos, sin)
