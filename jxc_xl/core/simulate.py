"""Forward simulation of a purchase policy on known demand: what cycle service and cover a plan achieves.

The timing is the plan's own: stock is reviewed once a day after that day's sales; when the inventory
position (net stock + on order) is at or below the reorder point r, k·Q is ordered (the least k that takes the
position above r); an order placed after day t's sales arrives after day t+L's sales (it covers L whole days
of demand), with L drawn per order as max(1, round(N(lead, lead_sd))). Unmet demand is backordered. A cycle
is the time between two arrivals; it is a stock-out cycle when net stock is below 0 just before the arrival
that ends it. The policy is made again at the end of every month from the months before (history) and that
month's days (month to date = the whole month), then held for the next month.

Demand processes (``make_catalog``): steady (Poisson), seasonal (Poisson with a yearly sine of ±40 %),
intermittent (a demand on few days, small sizes) and lumpy (a demand on few days, very variable sizes).
Months are 30 days here.

Warehouses (``split_catalog``): each SKU sold at several warehouses, each getting its share of the demands
independently; a row per (SKU, warehouse) is replenished on its own, by the per-warehouse plan
(``warehouse_policy_fn``: core.plan_warehouse, from the company's history and each warehouse's month to date) or
by the linear split it replaced; ``warehouse_summary`` reports per warehouse. Transfers are not simulated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from jxc_xl.core.demand import DemandSeries
from jxc_xl.core.invmath.arguments import FloatArray
from jxc_xl.core.policy import ItemTerms, orders_needed, plan_policy

MONTH = 30
KINDS = ("steady", "seasonal", "intermittent", "lumpy")

# A policy: (history daily rates (n, T), the month's daily demand (n, 30)) → (reorder point, order size).
PolicyFn = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class Catalog:
    """SKUs with known demand: kind, mean daily demand, probability of a demand day, mean and shape of a
    demand's size (gamma; 0 = Poisson sizes), lead time and its sd, unit cost and order cost."""

    kind: NDArray[np.object_]
    rate: FloatArray
    p_day: FloatArray
    size_shape: FloatArray
    lead: FloatArray
    lead_sd: FloatArray
    unit_cost: FloatArray
    order_cost: FloatArray


@dataclass(frozen=True)
class SimResult:
    """Per SKU: cycles, stock-out cycles, orders placed, mean order cover (order qty ÷ true daily demand),
    demand over the run, the part of it served from stock on the day, and the mean stock on hand at day end."""

    cycles: NDArray[np.int64]
    stockouts: NDArray[np.int64]
    orders: NDArray[np.int64]
    order_cover: FloatArray
    demand: FloatArray
    served: FloatArray
    avg_stock: FloatArray

    def fill_rate(self) -> FloatArray:
        """Share of demand served from stock on the day per SKU (NaN where there was no demand)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.demand > 0, self.served / np.where(self.demand > 0, self.demand, 1.0), np.nan)

    def cycle_service(self) -> FloatArray:
        """Share of cycles without a stock-out per SKU (NaN where no cycle ended)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.cycles > 0, 1 - self.stockouts / np.maximum(self.cycles, 1), np.nan)


def make_catalog(per_kind: int, rng: np.random.Generator) -> Catalog:
    """``per_kind`` SKUs of each kind in KINDS, lead times 3-20 days (sd 0-3), unit cost 5-50, order cost 30."""
    n = per_kind * len(KINDS)
    kind = np.repeat(np.array(KINDS, dtype=object), per_kind)
    sparse = (kind == "intermittent") | (kind == "lumpy")
    p_day = np.where(sparse, rng.uniform(0.01, 0.05, n), 1.0)
    size_mean = np.where(kind == "lumpy", rng.uniform(10, 40, n), rng.uniform(1.5, 4, n))
    rate = np.where(sparse, p_day * (size_mean + 0.5), rng.uniform(2, 20, n))  # + 0.5: sizes are rounded up
    return Catalog(
        kind=kind,
        rate=rate,
        p_day=p_day,
        size_shape=np.where(kind == "lumpy", 0.5, np.where(kind == "intermittent", 8.0, 0.0)),
        lead=rng.integers(3, 21, n).astype(np.float64),
        lead_sd=rng.choice([0.0, 1.0, 3.0], n),
        unit_cost=rng.uniform(5, 50, n),
        order_cost=np.full(n, 30.0),
    )


def demand_paths(c: Catalog, days: int, rng: np.random.Generator) -> FloatArray:
    """Daily demand (n, days) of every SKU, whole units; day 0 is the first day of the first history month."""
    n = len(c.kind)
    t = np.arange(days, dtype=np.float64)
    season = 1 + 0.4 * np.sin(2 * np.pi * t / 360.0)
    lam = c.rate[:, None] * np.where(c.kind[:, None] == "seasonal", season[None, :], 1.0)
    steady = rng.poisson(lam).astype(np.float64)
    hit = rng.random((n, days)) < c.p_day[:, None]
    size_mean = c.rate / c.p_day
    shape = np.where(c.size_shape > 0, c.size_shape, 1.0)
    sizes = np.ceil(rng.gamma(shape[:, None], (size_mean / shape)[:, None], (n, days)))
    sparse = np.where(hit, np.maximum(sizes, 1.0), 0.0)
    return np.where((c.p_day < 1)[:, None], sparse, steady)


def simulate(
    c: Catalog, demand: FloatArray, history_months: int, policy: PolicyFn, rng: np.random.Generator
) -> SimResult:
    """Run ``policy`` over the months after the first ``history_months`` + 1 (history, then the current month).

    ``demand``: (n, days) from ``demand_paths``, whole months of 30 days.
    """
    n, days = demand.shape
    start = (history_months + 1) * MONTH
    horizon = days - start
    max_lead = int(np.max(c.lead + 4 * c.lead_sd)) + 2
    arrivals = np.zeros((n, horizon + max_lead + 1))
    net = np.zeros(n)
    on_order = np.zeros(n)
    seen_arrival = np.zeros(n, dtype=bool)
    cycles, stockouts, orders = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    cover, served, stock = np.zeros(n), np.zeros(n), np.zeros(n)
    r = q = np.zeros(n)
    for day in range(horizon):
        if day % MONTH == 0:
            m = history_months + day // MONTH  # the month just ended
            monthly = demand[:, : m * MONTH].reshape(n, m, MONTH).sum(axis=2) / MONTH
            r, q = policy(monthly[:, -24:], demand[:, m * MONTH : (m + 1) * MONTH])
            if day == 0:
                net = np.ceil(r + q)
        today = demand[:, start + day]
        served += np.minimum(today, np.maximum(net, 0.0))
        net -= today
        arrive = arrivals[:, day] > 0
        cycles += arrive & seen_arrival
        stockouts += arrive & seen_arrival & (net < 0)
        seen_arrival |= arrive
        net += arrivals[:, day]
        on_order -= arrivals[:, day]
        stock += np.maximum(net, 0.0)
        position = net + on_order
        due = position <= r
        if due.any():
            k = orders_needed(position[due], r[due], q[due])
            qty = k * q[due]
            lead = np.maximum(1, np.round(rng.normal(c.lead[due], c.lead_sd[due]))).astype(np.int64)
            arrivals[np.flatnonzero(due), day + lead] += qty
            on_order[due] += qty
            orders[due] += 1
            with np.errstate(divide="ignore"):  # a SKU with no demand in the replay: infinite cover
                cover[due] += qty / c.rate[due]
    mean_cover = np.where(orders > 0, cover / np.maximum(orders, 1), np.nan)
    total = demand[:, start:].sum(axis=1)
    return SimResult(cycles, stockouts, orders, mean_cover, total, served, stock / max(horizon, 1))


def terms_of(c: Catalog, holding_rate: float = 0.2, max_cover_days: float = 90.0) -> ItemTerms:
    """The catalog's items as the plan sees them (no fixed safety stock)."""
    n = len(c.kind)
    return ItemTerms(
        lead=c.lead,
        lead_sd=c.lead_sd,
        order_cost=c.order_cost,
        holding_cost=holding_rate * c.unit_cost,
        fixed_ss=np.full(n, np.nan),
        max_cover_days=np.full(n, max_cover_days),
    )


def plan_policy_fn(c: Catalog, service_level: float, max_cover_days: float = 90.0, measure: str = "cycle") -> PolicyFn:
    """The plan's policy (core.policy.plan_policy) as the simulation calls it, as of the month's last day."""
    return policy_of_terms(terms_of(c, max_cover_days=max_cover_days), service_level, measure)


def policy_of_terms(terms: ItemTerms, service_level: float, measure: str = "cycle") -> PolicyFn:
    """The plan's policy for items on these terms, made from the history and the month just ended."""

    def run(history: FloatArray, month: FloatArray) -> tuple[FloatArray, FloatArray]:
        series = DemandSeries(
            rates=history,
            mtd_qty=month.sum(axis=1),
            mtd_sd=month.std(axis=1, ddof=1),
            elapsed=MONTH,
            days_in_month=MONTH,
            days_per_month=MONTH,
        )
        pol = plan_policy(series, terms, service_level, days_per_year=12 * MONTH, measure=measure)
        return pol.levels.reorder_point, np.maximum(1.0, np.ceil(pol.order_size))

    return run


def legacy_policy_fn(c: Catalog, service_level: float, holding_rate: float = 0.2) -> PolicyFn:
    """The plan before issue 9, for comparison: d and σd of the month's days only, SS = z·√(L·σd² + d²·σL²),
    Q = ⌈EOQ⌉ (⌈r + 30·d⌉ where EOQ is 0); an item with no demand and r = 0 is ordered only below 0."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(service_level)

    def run(history: FloatArray, month: FloatArray) -> tuple[FloatArray, FloatArray]:
        d = np.clip(month.sum(axis=1) / MONTH, 0, None)
        sd = month.std(axis=1, ddof=1)
        r = d * c.lead + np.maximum(0.0, z * np.sqrt(c.lead * sd * sd + d * d * c.lead_sd**2))
        eoq = np.sqrt(2 * d * 12 * MONTH * c.order_cost / (holding_rate * c.unit_cost))
        q = np.where(eoq > 0, np.ceil(eoq), np.ceil(r + MONTH * d))
        return np.where((d > 0) | (r > 0), r, -0.5), np.maximum(q, 1.0)

    return run


def class_summary(c: Catalog, res: SimResult) -> dict[str, tuple[float, float, float, float]]:
    """Per kind: mean cycle service over SKUs with a cycle, pooled cycle service, median order cover (days),
    and the mean fill rate over SKUs with demand."""
    csl, fill = res.cycle_service(), res.fill_rate()
    out = {}
    for k in KINDS:
        m = c.kind == k
        pooled = 1 - res.stockouts[m].sum() / max(int(res.cycles[m].sum()), 1)
        cover = float(np.nanmedian(res.order_cover[m]))
        out[k] = (float(np.nanmean(csl[m])), float(pooled), cover, float(np.nanmean(fill[m])))
    return out


@dataclass(frozen=True)
class Split:
    """A catalog split over warehouses: one row per (SKU, warehouse), its SKU's row in the catalog it came from
    and its warehouse (0, 1, …)."""

    rows: Catalog
    sku_row: NDArray[np.int64]
    warehouse: NDArray[np.int64]


def split_catalog(c: Catalog, shares: tuple[float, ...]) -> Split:
    """Each SKU of ``c`` sold at every warehouse, warehouse w getting ``shares[w]`` of its demands independently
    (Poisson rates times the share; for sparse demand, demand days times the share at the same sizes)."""
    n, k = len(c.kind), len(shares)
    sku_row = np.repeat(np.arange(n), k)
    share = np.tile(np.asarray(shares, dtype=np.float64), n)
    sparse = c.p_day[sku_row] < 1

    def per_row(a: np.ndarray) -> np.ndarray:
        return a[sku_row]

    rows = Catalog(
        kind=per_row(c.kind),
        rate=per_row(c.rate) * share,
        p_day=np.where(sparse, per_row(c.p_day) * share, 1.0),
        size_shape=per_row(c.size_shape),
        lead=per_row(c.lead),
        lead_sd=per_row(c.lead_sd),
        unit_cost=per_row(c.unit_cost),
        order_cost=per_row(c.order_cost),
    )
    return Split(rows, sku_row, np.tile(np.arange(k), n))


def warehouse_policy_fn(split: Split, service_level: float, elapsed: int = MONTH, linear: bool = False) -> PolicyFn:
    """The per-warehouse plan as the simulation calls it, made on day ``elapsed`` of the month (its first
    ``elapsed`` days are the month to date). The plan sees the company's history (the rows' history summed per
    SKU: tblHistory has no warehouse) and each warehouse's days this month. ``linear``: the plan before, the
    company's reorder point and order size times the warehouse's share of the month to date (a SKU without
    demand all its first warehouse's). A row with no demand and a reorder point of 0 orders only below 0, as the
    plan's rule reads."""
    from jxc_xl.core.demand import forecast_demand
    from jxc_xl.core.plan_warehouse import warehouse_policy
    from jxc_xl.core.policy import policy_of_forecast

    terms = terms_of(split.rows)
    first = np.unique(split.sku_row, return_index=True)[1]
    company_terms = ItemTerms(*(np.asarray(getattr(terms, f))[first] for f in terms.__dataclass_fields__))
    n = len(first)

    def run(history: FloatArray, month: FloatArray) -> tuple[FloatArray, FloatArray]:
        days = month[:, :elapsed]
        sums = [np.zeros((n, a.shape[1])) for a in (history, days)]
        for total, part in zip(sums, (history, days), strict=True):
            np.add.at(total, split.sku_row, part)
        company = DemandSeries(sums[0], sums[1].sum(axis=1), sums[1].std(axis=1, ddof=1), elapsed, MONTH, MONTH)
        fc = forecast_demand(company)
        if linear:
            pol = policy_of_forecast(fc, company_terms, service_level, 12 * MONTH)
            share = _linear_shares(split.sku_row, days.sum(axis=1), sums[1].sum(axis=1))
            r, q, d = (a[split.sku_row] * share for a in (pol.levels.reorder_point, pol.order_size, fc.daily))
        else:
            pol, _ = warehouse_policy(
                company, (fc.daily, fc.error_sd), split.sku_row, days, terms, service_level, 12 * MONTH
            )
            r, q, d = pol.levels.reorder_point, pol.order_size, pol.forecast.daily
        return np.where((d > 0) | (r > 0), r, -0.5), np.maximum(1.0, np.ceil(np.round(q, 9)))

    return run


def _linear_shares(sku_row: NDArray[np.int64], own: FloatArray, total: FloatArray) -> FloatArray:
    """The plan before: a row's share of its SKU's month to date; all the first row's where there was none."""
    t = total[sku_row]
    first = np.r_[True, sku_row[1:] != sku_row[:-1]]
    return np.where(t > 0, np.clip(own, 0, None) / np.where(t > 0, t, 1.0), np.where(first, 1.0, 0.0))


def warehouse_summary(split: Split, res: SimResult) -> dict[int, tuple[float, float, float]]:
    """Per warehouse: mean cycle service over its rows with a cycle, mean fill rate over its rows with demand,
    and its mean stock on hand in units."""
    csl, fill = res.cycle_service(), res.fill_rate()
    return {
        int(w): (
            float(np.nanmean(csl[split.warehouse == w])),
            float(np.nanmean(fill[split.warehouse == w])),
            float(res.avg_stock[split.warehouse == w].sum()),
        )
        for w in np.unique(split.warehouse)
    }
