"""Reorder point and order size of the purchase plan: the (r, Q) policy under daily review.

* Lead-time demand (LTD) over L days: mean d·L; variance L·max(m, L)·σe² + d²·σL², where σe is the
  out-of-sample error sd of a month's daily rate (core.demand), m the days of an average month and σL the
  item's lead-time sd. For L ≤ m this is the month's forecast error spread over the lead time as
  independent days (σe·√(m·L) per lead time); for L > m the error of the level dominates (σe·L).
* Undershoot under daily review: stock is counted after each day's sales, so when an order goes out the
  position is already below r by U, and the order must cover LTD + U. With daily demand of mean d and
  variance m·σe², E[U] = (m·σe² + d²)/(2d) and Var U ≈ E[U]² (the residual of skewed sizes); continuous
  review has no undershoot. For smooth demand d here is the larger of the forecast and the series' long-run
  mean rate: the undershoot belongs to the process's day sizes, and a forecast level fallen near 0 after a
  quiet month would otherwise blow it up (an item selling 2 a month got a reorder point of 125). Skewed
  demand (erratic, intermittent, lumpy) keeps the forecast: its large undershoot is real (measured: without
  it lumpy items fall below their service target at 0.98).
* The reorder point is the cycle-service quantile (settings service_level) of LTD + U: normal for smooth
  demand; gamma (by moments; quantile by Newton's method on the incomplete gamma) for skewed demand —
  erratic, intermittent and lumpy (SKEWED) — whose lead-time demand is a few large demands with most of its
  mass low (measured: with the normal, lumpy items classed erratic reached 0.94 cycle service against 0.98).
  Safety stock = r − d·L (≥ 0); an item's fixed safety stock replaces it (r = d·L + that).
* Service measure (settings service_measure): ``fill_rate`` takes the reorder point whose expected shortage
  per cycle, E[(LTD + U − r)⁺], is (1 − service_level)·Q — the normal loss function for smooth demand, the
  gamma's for skewed demand (never below the mean lead-time demand, as for ``cycle``).
* Measured in core.simulate (tests/test_plan_simulation.py; 200 SKUs per kind, 12 months of history, 12
  simulated) at 0.90/0.95/0.98 per kind. Cycle service: steady .916/.960/.983, seasonal .950/.973/.989,
  intermittent .984/.998/.998, lumpy .929/.962/.978. With service_measure fill_rate, fill rate: steady
  .952/.962/.983, seasonal .965/.975/.989, intermittent .989/.994/.998, lumpy .965/.978/.985.
* Order size Q: ⌈EOQ⌉, capped at max_cover_days of forecast demand (⌊cap⌋, at least 1 unit), so a slow item
  is not bought for years because an order line costs something.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from jxc_xl.core import invmath
from jxc_xl.core.demand import DemandForecast, DemandSeries, forecast_demand
from jxc_xl.core.invmath.arguments import FloatArray
from jxc_xl.core.invmath.intermittent import gamma_loss_inverse, gamma_quantile

# Demand classes whose lead-time demand is skewed (a few large demands): their reorder point takes a gamma.
SKEWED = ("erratic", "intermittent", "lumpy")


@dataclass(frozen=True)
class PolicyInputs:
    """Per SKU: forecast daily demand d, error sd σe of a month's rate, whether demand is skewed (SKEWED
    classes: gamma quantile), lead time L and its sd σL (days); the cycle service level, days of an average
    month, and whether stock is reviewed once a day (undershoot) or continuously."""

    daily: FloatArray
    error_sd: FloatArray
    skewed: np.ndarray
    lead: FloatArray
    lead_sd: FloatArray
    service_level: float
    days_per_month: float
    daily_review: bool = True
    # The demand process's mean daily rate, for the undershoot of smooth and erratic demand (None: the forecast
    # ``daily``). A forecast level fallen near 0 after a quiet month must not make E[U] = (m·σe² + d²)/(2d) explode.
    process_mean: FloatArray | None = None
    # The service measure: "cycle" (P(no stock-out in a cycle) = service_level) or "fill_rate" (the expected
    # shortage per cycle is (1 − service_level)·Q, which needs the order size Q).
    measure: str = "cycle"
    order_size: FloatArray | None = None


@dataclass(frozen=True)
class ReorderLevels:
    """Per SKU: mean and sd of the lead-time demand, the mean undershoot, safety stock and reorder point."""

    ltd_mean: FloatArray
    ltd_sd: FloatArray
    undershoot: FloatArray
    safety_stock: FloatArray
    reorder_point: FloatArray


def reorder_levels(p: PolicyInputs, fixed_ss: FloatArray | None = None) -> ReorderLevels:
    """Reorder point per SKU under the policy above; ``fixed_ss``: the item's own safety stock (NaN: none)."""
    d = np.clip(p.daily, 0.0, None)
    var_rate = np.nan_to_num(p.error_sd) ** 2
    m = p.days_per_month
    mean = d * p.lead
    var = p.lead * np.maximum(m, p.lead) * var_rate + d * d * p.lead_sd * p.lead_sd
    if p.daily_review:
        mean_d = d if p.process_mean is None else np.maximum(d, np.clip(p.process_mean, 0.0, None))
        du = np.where(p.skewed, d, mean_d)  # skewed demand's big undershoot is real: the gamma needs it
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(d > 0, (m * var_rate + du * du) / (2 * np.where(du > 0, du, 1.0)), 0.0)
    else:
        u = np.zeros_like(d)
    total_mean, total_var = mean + u, var + u * u
    if p.measure == "fill_rate" and p.order_size is not None:
        r = _fill_rate_point(total_mean, total_var, p)
    else:
        z = NormalDist().inv_cdf(p.service_level)
        normal = total_mean + z * np.sqrt(total_var)
        r = normal
        if p.skewed.any():  # the gamma only where it is used: its quantile is the costly part of the plan
            r = normal.copy()
            r[p.skewed] = gamma_quantile(total_mean[p.skewed], total_var[p.skewed], p.service_level)
    ss = np.clip(r - mean, 0.0, None)
    if fixed_ss is not None:
        ss = np.where(np.isnan(fixed_ss), ss, np.clip(fixed_ss, 0.0, None))
    return ReorderLevels(mean, np.sqrt(var), u, ss, mean + ss)


def _fill_rate_point(mean: FloatArray, var: FloatArray, p: PolicyInputs) -> FloatArray:
    """r whose expected shortage per cycle, E[(X − r)⁺] of X = LTD + U, is (1 − fill rate)·Q: normal loss for
    smooth demand, gamma for skewed demand (a conservative bound: the shortage already
    backordered before the cycle is counted again)."""
    assert p.order_size is not None
    short = (1 - p.service_level) * np.clip(p.order_size, 1.0, None)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = invmath.normal_loss_inverse(np.where(sd > 0, short / np.where(sd > 0, sd, 1.0), np.nan))
    normal = np.where(sd > 0, mean + np.nan_to_num(z) * sd, mean)
    r = normal.copy()
    if p.skewed.any():
        r[p.skewed] = gamma_loss_inverse(mean[p.skewed], var[p.skewed], short[p.skewed])
    return r


def orders_needed(position: FloatArray, reorder_point: FloatArray, q: FloatArray) -> FloatArray:
    """k, the least whole number ≥ 1 of orders of size q that takes the position above the reorder point:
    the trigger the plan applies and the simulation replays (one rule, one home). Rounded to 9 decimals first
    so float noise (30.0000000001) does not add an order."""
    return np.maximum(1.0, np.floor(np.round((reorder_point - position) / q, 9)) + 1.0)


def capped_eoq(eoq: FloatArray, daily: FloatArray, max_cover_days: FloatArray | float) -> FloatArray:
    """Whole units to order: ⌈EOQ⌉, or ⌊max_cover_days of daily demand⌋ (at least 1) where the EOQ is above
    that cap; 0 where there is no EOQ (no demand or no holding cost)."""
    cap = np.clip(daily, 0.0, None) * max_cover_days
    q = np.where(eoq <= cap, np.ceil(np.round(eoq, 9)), np.maximum(1.0, np.floor(np.round(cap, 9))))
    return np.where(eoq > 0, q, 0.0)


@dataclass(frozen=True)
class ItemTerms:
    """Per SKU: lead time and its sd (days), order cost per line, holding cost per unit and year, the item's
    fixed safety stock (NaN: computed) and its cover cap in days."""

    lead: FloatArray
    lead_sd: FloatArray
    order_cost: FloatArray
    holding_cost: FloatArray
    fixed_ss: FloatArray
    max_cover_days: FloatArray


@dataclass(frozen=True)
class Policy:
    """The plan's policy per SKU: the demand forecast, the reorder levels, the plain EOQ and the order size
    (EOQ capped at the cover limit; 0 where there is no EOQ)."""

    forecast: DemandForecast
    levels: ReorderLevels
    eoq: FloatArray
    order_size: FloatArray


def plan_policy(
    series: DemandSeries,
    terms: ItemTerms,
    service_level: float,
    days_per_year: float,
    daily_review: bool = True,
    measure: str = "cycle",
) -> Policy:
    """Forecast, reorder point and order size of every SKU (the workbook plan and the simulation share it)."""
    return policy_of_forecast(forecast_demand(series), terms, service_level, days_per_year, daily_review, measure)


def policy_of_forecast(
    fc: DemandForecast,
    terms: ItemTerms,
    service_level: float,
    days_per_year: float,
    daily_review: bool = True,
    measure: str = "cycle",
) -> Policy:
    """Reorder point and order size of every row of a forecast already made: ``plan_policy``'s second half, which
    the per-warehouse plan (core.plan_warehouse) runs on each warehouse's own forecast."""
    skewed = np.isin(fc.demand_class, SKEWED)
    annual = fc.daily * days_per_year
    ok = (annual > 0) & (terms.holding_cost > 0)
    eoq = np.zeros(len(annual))
    if ok.any():
        eoq[ok] = invmath.eoq(annual[ok], terms.order_cost[ok], terms.holding_cost[ok])
    size = capped_eoq(eoq, fc.daily, terms.max_cover_days)
    p = PolicyInputs(
        daily=fc.daily,
        error_sd=fc.error_sd,
        skewed=skewed,
        lead=terms.lead,
        lead_sd=terms.lead_sd,
        service_level=service_level,
        days_per_month=days_per_year / 12,
        daily_review=daily_review,
        process_mean=fc.mean_rate,
        measure=measure,
        order_size=size,
    )
    return Policy(fc, reorder_levels(p, terms.fixed_ss), eoq, size)
