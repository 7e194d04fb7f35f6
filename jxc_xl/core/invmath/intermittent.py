"""Intermittent demand: the Syntetos-Boylan demand class and the gamma reorder point for sparse demand.

* Class (Syntetos, Boylan & Croston 2005): ADI = periods ÷ periods with demand, CV² = squared coefficient of
  variation of the non-zero periods; smooth (ADI ≤ 1.32, CV² ≤ 0.49), erratic (ADI ≤ 1.32), intermittent
  (CV² ≤ 0.49), lumpy; ``none`` when there was never any demand.
* Reorder point of sparse demand: the lead-time demand of intermittent and lumpy items is skewed with most of
  its mass near 0, so the cycle-service quantile is taken from a gamma fitted by moments (mean d·L, variance
  L·σd² + d²·σL²), plus the undershoot of a daily review, E[U] = (σd² + d²)/(2d) with Var U ≈ E[U]²: stock is
  counted after each day's demand, so when an order goes out the position is already below r.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

from jxc_xl.core.invmath.arguments import (
    FloatArray,
    FloatResult,
    InvalidArgument,
    LabelResult,
    _arg,
    _out,
    broadcast_shape,
)

ADI_CUT = 1.32  # Syntetos-Boylan cut-offs
CV2_CUT = 0.49
DEMAND_CLASS_KEYS = ("smooth", "erratic", "intermittent", "lumpy", "none")
_TERMS = 100  # series terms and continued-fraction steps of the incomplete gamma
_BISECTIONS = 48
_MAX_TERMS = 20_000  # series terms at most (shape k up to ~10^6)
_LOG_FLOOR = -40.0  # log of the least quantile ÷ θ told apart from 0


def syntetos_boylan(y: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.object_]]:
    """ADI, CV² and class key per row of ``y`` (n, T) (NaN cells are not months)."""
    present = ~np.isnan(y)
    months = present.sum(axis=1)
    nz = present & (np.nan_to_num(y) > 0)
    count = nz.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(count > 0, months / np.maximum(count, 1), np.inf)
        vals = np.where(nz, y, np.nan)
        mean = np.nanmean(np.where(count[:, None] > 0, vals, 0.0), axis=1)
        var = np.nanvar(np.where(count[:, None] > 0, vals, 0.0), axis=1)
        cv2 = np.where(count > 0, var / np.maximum(mean, 1e-300) ** 2, np.nan)
    erratic = cv2 > CV2_CUT
    cls = np.where(adi <= ADI_CUT, np.where(erratic, "erratic", "smooth"), np.where(erratic, "lumpy", "intermittent"))
    cls = np.where(count > 0, cls, "none").astype(object)
    return adi, cv2, cls


def _gamma_series(k: FloatArray, x: FloatArray) -> FloatArray:
    """Σ x^n / (k(k+1)…(k+n)), summed until the terms stop adding (x ≈ k ≫ 1 needs ~√k·10 of them)."""
    term = 1.0 / k
    total = term.copy()
    ap = k.copy()
    for i in range(_MAX_TERMS):
        ap = ap + 1
        term = term * x / ap
        total = total + term
        if i >= _TERMS and not (term > 1e-17 * total).any():
            break
    return total


def _gamma_fraction(k: FloatArray, x: FloatArray) -> FloatArray:
    """Lentz's continued fraction, each element until its step factor d·c is 1 to 1e-15 (x ≈ k ≫ 1 needs many
    steps; the elements still running are the only ones computed)."""
    b = x + 1 - k
    c = np.full_like(x, 1e300)
    d = 1.0 / b
    h = d.copy()
    live = np.arange(len(x))
    for i in range(1, _MAX_TERMS + 1):
        an = -i * (i - k[live])
        b[live] = b[live] + 2
        dl = an * d[live] + b[live]
        dl = 1.0 / np.where(np.abs(dl) < 1e-300, 1e-300, dl)
        cl = b[live] + an / c[live]
        cl = np.where(np.abs(cl) < 1e-300, 1e-300, cl)
        d[live], c[live] = dl, cl
        h[live] = h[live] * dl * cl
        if i >= _TERMS:
            live = live[np.abs(dl * cl - 1) > 1e-15]
            if not len(live):
                break
    return h


def _gamma_p(k: FloatArray, x: FloatArray, lgk: FloatArray) -> FloatArray:
    """Regularised lower incomplete gamma P(k, x): its series below x = k + 1, Lentz's continued fraction above
    (each computed only where it is used)."""
    x = np.maximum(x, 1e-300)
    front = np.exp(k * np.log(x) - x - lgk)
    below = x < k + 1
    out = np.empty_like(x)
    out[below] = front[below] * _gamma_series(k[below], x[below])
    out[~below] = 1.0 - front[~below] * _gamma_fraction(k[~below], x[~below])
    return out


def gamma_quantile(mean: FloatArray, var: FloatArray, p: float) -> FloatArray:
    """The ``p`` quantile of a gamma with this mean and variance; mean where var = 0.

    Newton's method on log P(k, e^u) = log p, u = log(x/θ) (P rises with slope e^(k·u − e^u)/Γ(k)), from the
    Wilson-Hilferty start; a step that leaves the bracket known so far bisects it instead. It stops at a
    relative change of 1e-12 (bisection from a wide bracket took 48 evaluations per SKU; this takes ~5).
    """
    ok = (var > 0) & (mean > 0)
    out = np.asarray(mean, dtype=np.float64).copy()
    if not ok.any():
        return out
    k = mean[ok] ** 2 / var[ok]
    scale = var[ok] / mean[ok]
    lgk = np.array([math.lgamma(v) for v in k])
    z = NormalDist().inv_cdf(p)
    wh = k * (1 - 1 / (9 * k) + z / (3 * np.sqrt(k))) ** 3
    lo, hi = np.full(len(k), _LOG_FLOOR), np.log(k + 40 * np.sqrt(k) + 40)
    u = np.clip(np.log(np.where(wh > 0, wh, k)), lo + 1e-9, hi - 1e-9)
    live = np.arange(len(k))
    for _ in range(_BISECTIONS):
        kk, uu = k[live], u[live]
        x = np.exp(uu)
        big_p = _gamma_p(kk, x, lgk[live])
        lo[live] = np.where(big_p < p, uu, lo[live])
        hi[live] = np.where(big_p >= p, uu, hi[live])
        # Newton on log P(k, e^u) − log p: nearly linear in u for small k, where P itself is very flat
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.log(big_p) - math.log(p)
            step = uu - gap * big_p / np.exp(kk * uu - x - lgk[live])
        mid = (lo[live] + hi[live]) / 2
        there = np.abs(gap) <= 1e-13  # P is p to 1e-13: this u is the answer
        nxt = np.where(there | ~(np.isfinite(step) & (step > lo[live]) & (step < hi[live])), mid, step)
        nxt = np.where(there, uu, nxt)
        u[live] = nxt
        # done: P is p, the step is below 1e-12, or the quantile is below e^−40·θ (effectively 0)
        moving = (np.abs(nxt - uu) > 1e-12 * np.maximum(1.0, np.abs(uu))) & ~there
        live = live[moving & (hi[live] > _LOG_FLOOR + 1e-9)]
        if not len(live):
            break
    out[ok] = np.exp(u) * scale
    return out


def demand_class(history: ArrayLike) -> LabelResult:
    """Syntetos-Boylan demand class of a series (1-D → one key) or of each row (2-D, periods across).

    Empty cells are not periods (a series starts at its first filled cell or wherever it is filled).

    Returns:
        "smooth", "erratic", "intermittent", "lumpy" or "none" (never any demand); None for a series with no
        filled cell. One key (a str) for a series, one per row for a 2-D block.
    """
    h = _arg("history", history, lo=0)
    if h.ndim > 2:
        raise InvalidArgument("history must be a row, a column or a 2-D block (one row per SKU)", "history")
    rows = h.reshape(1, -1) if h.ndim < 2 else h
    _, _, cls = syntetos_boylan(rows)
    cls[~(~np.isnan(rows)).any(axis=1)] = None  # no filled period: no class
    return cls[0] if h.ndim < 2 else cls


def reorder_point_intermittent(
    avg_demand: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    service_level: ArrayLike,
    lead_time_sd: ArrayLike = 0.0,
    daily_review: bool = True,
) -> FloatResult:
    """Reorder point of intermittent or lumpy demand: the gamma quantile of lead-time demand (+ undershoot).

    avg_demand d (units/day, ≥ 0), demand_sd σd (units/day, ≥ 0), lead_time L (days, ≥ 0), service_level
    (cycle service level, 0 < CSL < 1), lead_time_sd σL (days, ≥ 0); daily_review adds the undershoot of a
    daily count (module docstring). With d = 0 the reorder point is 0.

    Returns:
        The reorder point in units, in the broadcast shape of the arguments.
    """
    d = _arg("avg_demand", avg_demand, lo=0)
    sd = _arg("demand_sd", demand_sd, lo=0)
    lt = _arg("lead_time", lead_time, lo=0)
    sl = _arg("service_level", service_level, lo=0, hi=1, lo_open=True, hi_open=True)
    lsd = _arg("lead_time_sd", lead_time_sd, lo=0)
    shape = broadcast_shape(avg_demand=d, demand_sd=sd, lead_time=lt, service_level=sl, lead_time_sd=lsd)
    d, sd, lt, sl, lsd = (np.broadcast_to(a, shape).reshape(-1) for a in (d, sd, lt, sl, lsd))
    mean, var = d * lt, lt * sd * sd + d * d * lsd * lsd
    if daily_review:
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(d > 0, (sd * sd + d * d) / (2 * np.where(d > 0, d, 1.0)), 0.0)
        mean, var = mean + u, var + u * u
    out = np.full(mean.shape, np.nan)
    for p in np.unique(sl[~np.isnan(sl)]):  # one solve per distinct service level
        at = sl == p
        out[at] = gamma_quantile(mean[at], var[at], float(p))
    return _out(np.where(d > 0, out, np.where(np.isnan(d), np.nan, 0.0)).reshape(shape))


def gamma_loss_inverse(mean: FloatArray, var: FloatArray, shortage: FloatArray) -> FloatArray:
    """r with E[(X − r)⁺] = ``shortage`` for X gamma with this mean and variance.

    E[(X − r)⁺] = mean·(1 − P(k+1, r/θ)) − r·(1 − P(k, r/θ)), k = mean²/var, θ = var/mean; it falls from the
    mean (r = 0) to 0 with slope −(1 − P(k, r/θ)), so r = 0 where the shortage allowed is the mean or more.
    Newton's method from the normal approximation, bisecting the bracket known so far where a step leaves it.
    Where var = 0 (no spread): r = mean − shortage, at least 0.

    Returns:
        r per SKU (NaN where an input is NaN).
    """
    from jxc_xl.core.invmath.stock import normal_loss_inverse

    mean, var, shortage = (np.asarray(a, dtype=np.float64) for a in (mean, var, shortage))
    out = np.clip(mean - shortage, 0.0, None)
    ok = (var > 0) & (mean > 0) & (shortage < mean)
    if ok.any():
        out[ok] = _loss_newton(mean[ok], var[ok], shortage[ok], normal_loss_inverse)
    return np.where(np.isnan(mean + var + shortage), np.nan, out)


def _loss_newton(
    m: FloatArray, var: FloatArray, s: FloatArray, normal_z: Callable[[FloatArray], FloatArray]
) -> FloatArray:
    k, theta, sd = m * m / var, var / m, np.sqrt(var)
    lgk, lgk1 = np.array([math.lgamma(v) for v in k]), np.array([math.lgamma(v + 1) for v in k])
    lo, hi = np.zeros(len(k)), m + 40 * sd + 40
    r = np.clip(m + normal_z(s / sd) * sd, lo, hi)
    live = np.arange(len(k))
    for _ in range(_BISECTIONS):
        kk, rr, x = k[live], r[live], r[live] / theta[live]
        upper = 1 - _gamma_p(kk, x, lgk[live])
        f = m[live] * (1 - _gamma_p(kk + 1, x, lgk1[live])) - rr * upper - s[live]
        lo[live] = np.where(f > 0, rr, lo[live])  # too much shortage: r must rise
        hi[live] = np.where(f <= 0, rr, hi[live])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = rr + f / upper
        mid = (lo[live] + hi[live]) / 2
        nxt = np.where(np.isfinite(step) & (step > lo[live]) & (step < hi[live]), step, mid)
        r[live] = nxt
        live = live[np.abs(nxt - rr) > 1e-12 * np.maximum(1.0, np.abs(rr))]
        if not len(live):
            break
    return r
