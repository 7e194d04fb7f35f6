"""Safety stock and reorder point; all rates per day (any unit works, as long as all arguments share it)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

from jxc_xl.core.invmath.arguments import FloatArray, FloatResult, _arg, _out, broadcast_shape

_STANDARD_NORMAL = NormalDist()


def norm_s_inv(p: FloatArray) -> FloatArray:
    """Excel's NORM.S.INV elementwise: the standard normal quantile of probabilities in (0, 1), NaN kept.

    The standard library's ``NormalDist.inv_cdf`` (Wichura's AS241, full double precision), called once per
    distinct value: a range of 10,000 SKUs usually holds a handful of service levels. No scipy, which the
    xlwings Lite (Pyodide) path would have to download for this one function.

    Returns:
        The quantiles, in the shape of ``p``.
    """
    a = np.asarray(p, dtype=np.float64)
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (a < 1)  # NaN (an empty cell) compares False and stays NaN
    values, inverse = np.unique(a[ok], return_inverse=True)
    out[ok] = np.array([_STANDARD_NORMAL.inv_cdf(float(v)) for v in values], dtype=np.float64)[inverse]
    return out


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

    Returns:
        The safety stock in units, ≥ 0, in the broadcast shape of the arguments.
    """
    sl = _arg("service_level", service_level, lo=0, hi=1, lo_open=True, hi_open=True)
    sd = _arg("demand_sd", demand_sd, lo=0)
    lt = _arg("lead_time", lead_time, lo=0)
    d = _arg("avg_demand", avg_demand, lo=0)
    lsd = _arg("lead_time_sd", lead_time_sd, lo=0)
    broadcast_shape(service_level=sl, demand_sd=sd, lead_time=lt, avg_demand=d, lead_time_sd=lsd)
    ss = norm_s_inv(sl) * np.sqrt(lt * sd * sd + d * d * lsd * lsd)
    return _out(np.maximum(ss, 0.0))  # NaN (empty) stays NaN


def reorder_point(avg_demand: ArrayLike, lead_time: ArrayLike, safety_stock: ArrayLike = 0.0) -> FloatResult:
    """ROP = d·L + SS (avg_demand units/day ≥ 0, lead_time days ≥ 0, safety_stock units ≥ 0).

    A negative safety stock would put the reorder point below the expected lead-time
    demand; it is rejected (safety_stock() never returns one) rather than passed through.

    Returns:
        The reorder point in units, in the broadcast shape of the arguments.
    """
    d = _arg("avg_demand", avg_demand, lo=0)
    lt = _arg("lead_time", lead_time, lo=0)
    ss = _arg("safety_stock", safety_stock, lo=0)
    broadcast_shape(avg_demand=d, lead_time=lt, safety_stock=ss)
    return _out(d * lt + ss)


_LOSS_Z = np.linspace(-8.0, 8.0, 16_001)  # z step 0.001: the standard normal loss function tabulated once


def _normal_loss_table() -> FloatArray:
    pdf = np.exp(-0.5 * _LOSS_Z**2) / math.sqrt(2 * math.pi)
    upper = np.array([0.5 * math.erfc(z / math.sqrt(2)) for z in _LOSS_Z])  # 1 − Φ(z)
    return pdf - _LOSS_Z * upper


_LOSS_G: FloatArray | None = None


def normal_loss_inverse(g: ArrayLike) -> FloatArray:
    """z with G(z) = g, where G(z) = φ(z) − z·(1 − Φ(z)) is the standard normal loss function (the expected
    shortfall of a standard normal above z); G falls from +∞ to 0, so each g > 0 has one z (clipped to ±8).

    Returns:
        z per element of ``g``, NaN where g is NaN.
    """
    global _LOSS_G
    if _LOSS_G is None:
        _LOSS_G = _normal_loss_table()
    a = np.asarray(g, dtype=np.float64)
    # G is decreasing: interpolate on the reversed table (np.interp needs increasing x)
    z = np.interp(a, _LOSS_G[::-1], _LOSS_Z[::-1])
    return np.where(np.isnan(a), np.nan, z)
