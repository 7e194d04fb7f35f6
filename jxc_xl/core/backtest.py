"""Backtest of the purchase plan on the workbook's own demand history: what service the policy would have given.

* The replay runs the plan's policy (core.policy.plan_policy, with the items' lead times, costs and cover caps)
  over the last ``months`` months of tblHistory (at most 12; the first 4 months are not replayed: the rolling
  forecast needs 3, and the policy of a replayed month is made from the months before it), through
  core.simulate: reviewed daily, an order placed after day t's demand arrives after day t+L's, unmet demand
  backordered, the policy made again at each month end from the months before.
* tblHistory holds months, not days: each month's demand is spread over 30 days, each unit on a random day
  (a fixed seed, so the same workbook gives the same figures); quantities that are not whole are spread
  evenly. The backtest therefore measures the monthly forecast and the reorder logic, not the day pattern.
* Measured per SKU, then per demand class and overall: cycle service (share of replenishment cycles without a
  stock-out, pooled over the SKUs' cycles), fill rate (share of demand served from stock on the day, pooled)
  and the average stock in days of demand (mean stock on hand ÷ mean daily demand, median over SKUs).
* Stock starts each SKU at its reorder point plus one order (what the policy keeps on average at most).
* Only SKUs with history over the whole span and some demand count (a SKU that started later has no months
  to replay from); of more than 2,000 such SKUs a fixed random sample of 2,000 is replayed (the figures are
  shares: a sample that size pins them to about ±1 %, and 10,000 SKUs replay within the plan's 2 s bar).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.demand import history_rates
from jxc_xl.core.invmath.arguments import FloatArray
from jxc_xl.core.invmath.intermittent import syntetos_boylan
from jxc_xl.core.ledger import table_frame
from jxc_xl.core.plan import item_frame, item_terms
from jxc_xl.core.policy import ItemTerms
from jxc_xl.core.simulate import MONTH, Catalog, SimResult, policy_of_terms, simulate
from jxc_xl.core.valuation import Valuation
from jxc_xl.schema import HISTORY

MIN_MONTHS = 6  # months replayed at the least; fewer and the figures say too little
MAX_MONTHS = 12
WARM_UP = 3  # months of history the rolling forecast needs before the first replayed month
SEED = 20260101
MAX_SKUS = 2_000  # SKUs replayed at most: the figures are shares, which a sample of 2,000 pins to ~±1 %


@dataclass(frozen=True)
class BacktestLine:
    """One group's figures (a demand class key, or ``all``): SKUs, cycles, and what the policy achieved."""

    group: str
    skus: int
    cycles: int
    cycle_service: float
    fill_rate: float
    stock_days: float


@dataclass(frozen=True)
class Backtest:
    """The replay: months replayed, the service target, and one line per demand class plus ``all``; empty
    lines when the history is too short (``months`` < MIN_MONTHS)."""

    months: int
    target: float
    lines: tuple[BacktestLine, ...]
    measure: str = "cycle"  # what the target is (settings service_measure)


def _daily_paths(monthly: FloatArray, rng: np.random.Generator) -> FloatArray:
    """(n, T) monthly quantities → (n, T·30) days: whole quantities unit by unit on random days, others evenly."""
    t = monthly.shape[1]
    q = np.nan_to_num(monthly)
    whole = np.all(q == np.round(q), axis=1)
    days = np.repeat(q / MONTH, MONTH, axis=1)
    if whole.any():
        counts = np.round(q[whole]).astype(np.int64)
        spread = rng.multinomial(counts, np.full(MONTH, 1.0 / MONTH))  # (k, T, 30)
        days[whole] = spread.reshape(int(whole.sum()), t * MONTH).astype(np.float64)
    return days


def _group_line(group: str, res: SimResult, mask: np.ndarray, rate: FloatArray) -> BacktestLine:
    cycles = int(res.cycles[mask].sum())
    demand = float(res.demand[mask].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.where(rate[mask] > 0, res.avg_stock[mask] / np.where(rate[mask] > 0, rate[mask], 1.0), np.nan)
    return BacktestLine(
        group=group,
        skus=int(mask.sum()),
        cycles=cycles,
        cycle_service=1 - float(res.stockouts[mask].sum()) / cycles if cycles else float("nan"),
        fill_rate=float(res.served[mask].sum()) / demand if demand > 0 else float("nan"),
        stock_days=float(np.nanmedian(days)) if np.isfinite(days).any() else float("nan"),
    )


def _from_first_month(rates: FloatArray) -> FloatArray:
    """The span from the first month any of these SKUs has (a discontinued SKU's old line does not extend it)."""
    filled = ~np.isnan(rates).all(axis=0)
    return rates[:, int(np.argmax(filled)) :] if filled.any() else rates[:, :0]


def _sample(rates: FloatArray, terms: ItemTerms) -> tuple[FloatArray, ItemTerms]:
    """At most MAX_SKUS of the SKUs with history over the whole span and some demand (a fixed random sample)."""
    eligible = np.flatnonzero(~np.isnan(rates).any(axis=1) & (np.nansum(rates, axis=1) > 0))
    if len(eligible) > MAX_SKUS:
        eligible = np.sort(np.random.default_rng(SEED).choice(eligible, MAX_SKUS, replace=False))
    picked = {f.name: getattr(terms, f.name)[eligible] for f in fields(terms)}
    return rates[eligible], ItemTerms(**picked)


def backtest_plan(
    history: pd.DataFrame | None,
    period: str,
    skus: pd.Index,
    terms: ItemTerms,
    service_level: float,
    months: int = MAX_MONTHS,
    measure: str = "cycle",
) -> Backtest:
    """Replay the plan's policy over the last ``months`` months of ``history`` (module docstring).

    Args:
        history: tblHistory (sku, period, demand_qty), or None.
        period: the workbook's period; history before it is replayed.
        skus: the SKUs to replay, aligned with ``terms``.
        terms: their core.policy.ItemTerms (lead times, costs, fixed safety stock, cover caps).
        service_level: the service target.
        months: months to replay at most (MAX_MONTHS).
        measure: what the target is, "cycle" or "fill_rate" (settings service_measure).

    Returns:
        The Backtest: per demand class and ``all``, cycle service, fill rate and stock in days.
    """
    rates, terms = _sample(_from_first_month(history_rates(history, period, skus)), terms)
    n, t = rates.shape
    replay = min(months, MAX_MONTHS, t - WARM_UP - 1)
    if replay < MIN_MONTHS or n == 0:  # too short, or no SKU with demand over the whole span
        return Backtest(max(replay, 0), service_level, (), measure)
    monthly = np.nan_to_num(rates) * MONTH  # the rates as quantities of 30-day months (NaN before an SKU's start)
    paths = _daily_paths(monthly, np.random.default_rng(SEED))
    mean_rate = paths[:, -replay * MONTH :].mean(axis=1)
    catalog = Catalog(
        kind=np.full(n, "", dtype=object),
        rate=mean_rate,
        p_day=np.ones(n),
        size_shape=np.zeros(n),
        lead=terms.lead,
        lead_sd=terms.lead_sd,
        unit_cost=np.zeros(n),
        order_cost=terms.order_cost,
    )
    policy = policy_of_terms(terms, service_level, measure)
    res = simulate(catalog, paths, t - replay - 1, policy, np.random.default_rng(SEED + 1))
    _, _, cls = syntetos_boylan(rates)
    live = res.demand > 0
    lines = [_group_line(k, res, live & (cls == k), mean_rate) for k in ("smooth", "erratic", "intermittent", "lumpy")]
    lines = [ln for ln in lines if ln.skus]
    return Backtest(replay, service_level, (*lines, _group_line("all", res, live, mean_rate)), measure)


def workbook_backtest(wb: Workbook, val: Valuation) -> Backtest:
    """The backtest of a workbook's plan: its items' terms, its tblHistory, its service target and measure (what
    ``jxc plan --backtest`` prints and sync writes to the summary sheet)."""
    s = val.settings
    skus = pd.Index(val.stock["sku"].to_numpy(dtype=object))
    unit_cost = val.stock["closing_unit_cost"].to_numpy(dtype=np.float64)
    terms = item_terms(s, item_frame(wb, skus), unit_cost)
    return backtest_plan(
        table_frame(wb, HISTORY.name), s.period, skus, terms, s.service_level, measure=s.service_measure
    )
