"""The per-warehouse plan (core.plan_warehouse) simulated against known demand (core.simulate): each SKU sold at
three warehouses with 60 %, 30 % and 10 % of its demands, independently; each warehouse orders for itself. The
plan before (the company's reorder point and order size times the warehouse's share of the month to date) left
the smaller warehouses below their cycle-service target; each warehouse planned on its own forecast holds it.

The figures (cycle service per warehouse, before → after) print with
``pytest -s tests/test_plan_warehouse_sim.py -k figures``."""

from __future__ import annotations

import numpy as np
import pytest

from jxc_xl.core.demand import DemandSeries, forecast_demand
from jxc_xl.core.plan_warehouse import SHARE_PRIOR, demand_shares, warehouse_policy
from jxc_xl.core.policy import plan_policy
from jxc_xl.core.simulate import (
    MONTH,
    demand_paths,
    make_catalog,
    simulate,
    split_catalog,
    terms_of,
    warehouse_policy_fn,
    warehouse_summary,
)

HISTORY_MONTHS = 12
SHARES = (0.6, 0.3, 0.1)
TARGETS = (0.90, 0.95, 0.98)


def run(
    target: float, linear: bool, elapsed: int = MONTH, per_kind: int = 100, forward_months: int = 12
) -> dict[int, tuple[float, float, float]]:
    """Per warehouse: (mean cycle service, mean fill rate, mean stock in units) of the plan made on day
    ``elapsed`` of each month."""
    rng = np.random.default_rng(7)
    split = split_catalog(make_catalog(per_kind, rng), SHARES)
    demand = demand_paths(split.rows, (HISTORY_MONTHS + 1 + forward_months) * MONTH, rng)
    fn = warehouse_policy_fn(split, target, elapsed=elapsed, linear=linear)
    return warehouse_summary(split, simulate(split.rows, demand, HISTORY_MONTHS, fn, np.random.default_rng(8)))


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_every_warehouse_reaches_the_target(target: float) -> None:
    after, before = run(target, linear=False), run(target, linear=True)
    for w, (csl, _, _) in after.items():
        assert csl >= target - 0.01, (w, after)
    # the linear split under-protects the small warehouses: the simulation can tell
    assert before[2][0] < target - 0.03, before


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_a_plan_made_on_day_3_holds_every_warehouse(target: float) -> None:
    """Three days of sales do not decide the split: the share's own sampling error is covered, and a warehouse
    that has not sold yet keeps a share early in the month."""
    after, before = run(target, linear=False, elapsed=3), run(target, linear=True, elapsed=3)
    for w, (csl, _, _) in after.items():
        assert csl >= target - 0.01, (w, after)
    assert before[1][0] < 0.6 and before[2][0] < 0.6, before  # shares of 3 days: half the cycles short


def test_small_catalog_quick_warehouse_check() -> None:
    got = run(0.95, linear=False, per_kind=30, forward_months=6)
    assert all(csl >= 0.9 for csl, _, _ in got.values()), got


def figures() -> None:
    """The report's table (cycle service / fill rate / stock per warehouse), before and after, at month end and on
    day 3: ``python -m tests.test_plan_warehouse_sim``."""
    for elapsed in (MONTH, 3):
        for target in TARGETS:
            for linear in (True, False):
                got = run(target, linear, elapsed)
                cells = "  ".join(f"W{w} {c:.3f}/{f:.3f}/{s:,.0f}" for w, (c, f, s) in got.items())
                print(f"day {elapsed:2d} target {target:.2f} {'before' if linear else 'after '}  {cells}")


def test_shares_early_in_the_month() -> None:
    row = np.array([0, 0, 0, 1, 1, 2, 2])
    share, weight = demand_shares(row, np.array([3.0, 1.0, 0.0, 0.0, 0.0, 5.0, -2.0]), early=0.8)
    # SKU 0: 3 + 2, 1 + 2 and the silent warehouse 0.8 × 2 out of 9.6
    assert share[:3] == pytest.approx([5 / 9.6, 3 / 9.6, 1.6 / 9.6]) and weight[0] == pytest.approx(9.6)
    assert share[3:5] == pytest.approx([0.5, 0.5])  # no warehouse sold it: even
    # SKU 2: net returns count as no demand, and the returner is silent
    assert share[5:] == pytest.approx([7 / 8.6, 1.6 / 8.6])
    late, _ = demand_shares(row, np.array([3.0, 1.0, 0.0, 0.0, 0.0, 5.0, -2.0]))
    assert late[2] == 0 and late[6] == 0 and late[5] == 1
    assert late[0] == pytest.approx((3 + SHARE_PRIOR) / (4 + 2 * SHARE_PRIOR))


@pytest.mark.parametrize("early", [1.0, 0.5, 0.1, 0.01, 0.0])
def test_a_sku_no_warehouse_sold_is_split_evenly_on_the_same_units_all_month(early: float) -> None:
    """Not on ever fewer units as the early credit runs out (the audit: a 4× safety stock the day before
    mid-month)."""
    share, weight = demand_shares(np.array([0, 0, 0]), np.zeros(3), early=early)
    assert share == pytest.approx([1 / 3] * 3) and weight == pytest.approx([3 * SHARE_PRIOR] * 3)


def _company(rng: np.random.Generator, elapsed: int) -> tuple[DemandSeries, np.ndarray]:
    c = make_catalog(20, rng)
    demand = demand_paths(c, 13 * MONTH, rng)
    n = len(c.kind)
    rates = demand[:, : 12 * MONTH].reshape(n, 12, MONTH).sum(axis=2) / MONTH
    days = demand[:, 12 * MONTH : 12 * MONTH + elapsed]
    series = DemandSeries(rates, days.sum(axis=1), days.std(axis=1, ddof=1), elapsed, MONTH, MONTH)
    return series, days


def test_a_warehouse_that_sells_all_of_a_sku_has_the_company_plan() -> None:
    rng = np.random.default_rng(5)
    series, days = _company(rng, 20)
    c = make_catalog(20, np.random.default_rng(5))
    company = plan_policy(series, terms_of(c), 0.95, 12 * MONTH)
    fc = forecast_demand(series)
    own, share = warehouse_policy(
        series, (fc.daily, fc.error_sd), np.arange(len(days)), days, terms_of(c), 0.95, 12 * MONTH
    )
    assert (share == 1).all()
    np.testing.assert_array_equal(own.levels.reorder_point, company.levels.reorder_point)
    np.testing.assert_array_equal(own.order_size, company.order_size)


def test_split_demand_keeps_more_safety_stock_than_a_linear_split() -> None:
    """Two warehouses with 70 % and 30 % of a SKU's sales: each one's safety stock is above its share of the
    company's (√share of the spread, not share), and its EOQ is √(its demand ÷ the SKU's) of the SKU's."""
    series, days = _company(np.random.default_rng(5), MONTH)
    c = make_catalog(20, np.random.default_rng(5))
    smooth = c.kind == "steady"
    fc = forecast_demand(series)
    company = plan_policy(series, terms_of(c), 0.95, 12 * MONTH)
    big = np.floor(days * 0.7)
    own_days = np.concatenate([big, days - big])
    sku_row = np.tile(np.arange(len(days)), 2)
    terms = terms_of(c)
    twice = type(terms)(*(np.tile(getattr(terms, f), 2) for f in terms.__dataclass_fields__))
    pol, share = warehouse_policy(series, (fc.daily, fc.error_sd), sku_row, own_days, twice, 0.95, 12 * MONTH)
    ss = pol.levels.safety_stock
    linear = company.levels.safety_stock[sku_row] * share
    assert (ss[np.tile(smooth, 2)] > linear[np.tile(smooth, 2)]).all()
    d = pol.forecast.daily
    ratio = pol.eoq / company.eoq[sku_row]
    ok = company.eoq[sku_row] > 0
    np.testing.assert_allclose(ratio[ok], np.sqrt(d / fc.daily[sku_row])[ok], rtol=1e-9)


if __name__ == "__main__":
    figures()
