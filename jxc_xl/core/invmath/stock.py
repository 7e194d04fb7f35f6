"""Safety stock and reorder point; all rates per day (any unit works, as long as all arguments share it)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from jxc_xl.core.invmath.arguments import FloatResult, _arg, _out, broadcast_shape


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
    ss = ndtri(sl) * np.sqrt(lt * sd * sd + d * d * lsd * lsd)
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
