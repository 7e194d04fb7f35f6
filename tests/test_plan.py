"""Purchase plan rules on hand-computed examples: MOQ, order multiple, k > 1, the EOQ-0 branch, order_by,
d = 0, inactive items, reasons, the as-of date, the cover cap, and the reorder point formula."""

from __future__ import annotations

import math
import statistics
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jxc_xl.core.book import Workbook
from jxc_xl.core.plan import _by_supplier, plan_metrics, purchase_plan
from jxc_xl.core.valuation import value_month
from jxc_xl.schema import HISTORY, ITEMS, OPENING, PLAN, SALES
from tests.factories import make_workbook


def item(sku: str, **kw: Any) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": f"item {sku}",
        "supplier": "S",
        "cost": 10.0,
        "lead_time_days": 10,
        "lead_time_sd_days": 0,
        "safety_stock": 5,
        **kw,
    }


def month(opening: dict[str, float], sales: dict[str, float], items: list[dict[str, Any]]) -> dict[str, list]:
    """Opening at 10.00 a unit; each SKU's sales as one line on 1 April (so d = qty / 30)."""
    return {
        ITEMS.name: items,
        OPENING.name: [{"sku": s, "qty": q, "unit_cost": 10.0} for s, q in opening.items()],
        SALES.name: [
            {"date": "2026-04-01", "doc_no": f"S-{s}", "sku": s, "qty": q, "unit_price": 20.0} for s, q in sales.items()
        ],
    }


def month_end_book(rows: dict[str, list], **kw: Any) -> Workbook:
    """The month planned as of its last day (30 April): d = the month's net demand / 30."""
    return make_workbook(rows, as_of=date(2026, 4, 30), **kw)


def plan_of(wb: Workbook) -> pd.DataFrame:
    return purchase_plan(wb, value_month(wb)).set_index("sku")


# d = 30 / 30 = 1 a day; L = 10, fixed SS = 5 → ROP = 15. H = 0.2 × 10 = 2, S = 200 → EOQ = √(2·365·200/2).
EOQ_A = math.sqrt(2 * 365 * 200 / 2)


def test_moq_then_order_multiple() -> None:
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A", moq=300, order_multiple=48)]))
    p = plan_of(wb).loc["A"]
    assert p["on_hand"] == 10 and p["avg_daily_demand"] == 1 and p["reorder_point"] == 15
    assert p["eoq"] == pytest.approx(EOQ_A)
    # Q = ceil(270.18) = 271, k = 1 (10 + 271 > 15) → 271; MOQ → 300; multiple 48 → 7 × 48 = 336
    assert p["order_qty"] == 336
    assert p["amount"] == 3360.0  # 336 × std cost 10.00
    assert p["order_by"] == pd.Timestamp("2026-04-30")  # already below the reorder point
    assert p["reason"] == "库存 10 ≤ 再订货点 15；预计 5月10日缺货"  # 10 units at 1 a day from 30 April


def test_k_above_one_when_q_is_small() -> None:
    # S = 0.02 → EOQ = √(2·365·0.02/2) = √7.3 = 2.70 → Q = 3; 10 + 3k > 15 → k = 2 → 6
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A", order_cost=0.02)]))
    p = plan_of(wb).loc["A"]
    assert p["eoq"] == pytest.approx(math.sqrt(7.3))
    assert p["order_qty"] == 6


def test_eoq_zero_branch_covers_rop_plus_horizon() -> None:
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A")]), holding_rate=0)
    p = plan_of(wb).loc["A"]
    assert p["eoq"] == 0
    assert p["order_qty"] == math.ceil(15 + 1 * 30 - 10)  # 35, and 10 + 35 > 15 so k = 1


def test_order_by_and_entry_threshold() -> None:
    items = [item("B"), item("C"), item("D", active="否")]
    wb = month_end_book(month({"B": 70, "C": 80, "D": 40}, {"B": 30, "C": 30, "D": 30}, items))
    p = plan_of(wb)
    # B: on hand 40, ROP 15: 25 ≤ 1 × 30 → planned; order by 30 April + floor(25 / 1) days
    assert p.loc["B", "order_by"] == pd.Timestamp(date(2026, 4, 30)) + pd.Timedelta(days=25)
    assert p.loc["B", "reason"] == "库存 40，约 25 天后降到再订货点 15（日均需求 1）；预计 6月9日缺货"
    assert "C" not in p.index  # on hand 50: 35 > 30
    assert "D" not in p.index  # inactive


def test_zero_demand_enters_only_below_a_fixed_safety_stock() -> None:
    items = [item("E"), item("F", safety_stock=None)]
    wb = month_end_book(month({"E": 3, "F": 0}, {}, items))
    p = plan_of(wb)
    assert list(p.index) == ["E"]
    # EOQ 0 (no demand): Q = ceil(5 + 0 − 3) = 2; 3 + 2k > 5 → k = 2 → 4
    assert p.loc["E", "order_qty"] == 4
    assert p.loc["E", "order_by"] == pd.Timestamp("2026-04-30")


def test_english_reason_and_plan_columns() -> None:
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A")]), lang="en")
    plan = purchase_plan(wb, value_month(wb))
    assert plan.loc[0, "reason"] == "On hand 10 ≤ reorder point 15; runs out about May 10"
    assert list(plan.columns[: len(PLAN.keys())]) == PLAN.keys()


def test_computed_reorder_point_matches_the_formula() -> None:
    # No history: d is this month's rate; the error sd of a month's rate is sd_day·√(1/elapsed + 1/m); normal
    # lead-time demand plus the undershoot of a daily review (core.policy).
    daily = [3, 0, 7, 2, 9, 0, 0, 4]  # days 1..8, the other 22 days without sales count as 0
    rows = {
        ITEMS.name: [item("G", safety_stock=None, lead_time_days=None, lead_time_sd_days=2, order_cost=50)],
        OPENING.name: [{"sku": "G", "qty": 500, "unit_cost": 4.0}],
        SALES.name: [
            {"date": f"2026-04-{i + 1:02d}", "doc_no": f"S{i}", "sku": "G", "qty": q, "unit_price": 9}
            for i, q in enumerate(daily)
            if q
        ],
    }
    wb = month_end_book(rows, service_level=0.9)
    m = plan_metrics(wb, value_month(wb)).loc["G"]
    series = daily + [0] * 22
    d = sum(series) / 30
    mpm = 365 / 12
    err = statistics.stdev(series) * math.sqrt(1 / 30 + 1 / mpm)
    lead = 7  # blank lead time → default 7
    var = lead * max(mpm, lead) * err**2 + d**2 * 2**2
    u = (mpm * err**2 + d**2) / (2 * d)
    rop = d * lead + u + statistics.NormalDist().inv_cdf(0.9) * math.sqrt(var + u * u)
    assert m["avg_daily_demand"] == pytest.approx(d)
    assert m["demand_sd"] == pytest.approx(err)
    assert m["reorder_point"] == pytest.approx(rop)
    assert m["safety_stock"] == pytest.approx(rop - d * lead)
    assert (m["demand_class"], m["forecast_method"]) == ("smooth", "month")
    assert m["eoq"] == pytest.approx(math.sqrt(2 * d * 365 * 50 / (0.2 * 4.0)))  # H from the closing unit cost
    assert not m["enters"]  # 475 on hand is far above the reorder point


def test_forecast_column_from_history_and_this_month() -> None:
    rows = month({"A": 100}, {"A": 30}, [item("A")])
    # one unit a day in January to March (31, 28, 31 days), as in April (30 in 30 days)
    rows[HISTORY.name] = [{"sku": "A", "period": f"2026-0{m}", "demand_qty": q} for m, q in ((1, 31), (2, 28), (3, 31))]
    rows[HISTORY.name].append({"sku": "A", "period": "2026-05", "demand_qty": 999})  # later months ignored
    wb = month_end_book(rows)
    m = plan_metrics(wb, value_month(wb))
    assert m.loc["A", "avg_daily_demand"] == pytest.approx(1.0)  # a flat series forecasts itself
    assert m.loc["A", "forecast_qty"] == pytest.approx(31.0)  # May has 31 days
    assert m.loc["A", "forecast_method"] == "ses"
    assert np.isfinite(m["forecast_qty"]).all()


def test_as_of_uses_elapsed_days_not_the_calendar_month() -> None:
    # 10 a day on the 1st to the 10th: blank as_of = 10 April (the last ledger date) → d = 100 / 10, not / 30
    rows = month({"A": 500}, {}, [item("A")])
    rows[SALES.name] = [
        {"date": f"2026-04-{day:02d}", "doc_no": f"S{day}", "sku": "A", "qty": 10, "unit_price": 20.0}
        for day in range(1, 11)
    ]
    wb = make_workbook(rows)
    m = plan_metrics(wb, value_month(wb)).loc["A"]
    assert m["as_of"] == pd.Timestamp("2026-04-10")
    assert m["avg_daily_demand"] == pytest.approx(10.0)
    # an explicit as_of later in the month: the quiet days count
    wb = make_workbook(rows, as_of=date(2026, 4, 20))
    assert plan_metrics(wb, value_month(wb)).loc["A", "avg_daily_demand"] == pytest.approx(5.0)


def test_history_alone_plans_items_below_their_reorder_point() -> None:
    # Right after jxc close: no ledger lines, 12 months of history; as_of = the first day
    rows = {
        ITEMS.name: [item("A", safety_stock=None), item("B", safety_stock=None)],
        OPENING.name: [{"sku": "A", "qty": 5, "unit_cost": 10.0}, {"sku": "B", "qty": 5000, "unit_cost": 10.0}],
        HISTORY.name: [
            {"sku": s, "period": f"2025-{m:02d}", "demand_qty": 300} for s in ("A", "B") for m in range(4, 13)
        ]
        + [{"sku": s, "period": f"2026-{m:02d}", "demand_qty": 300} for s in ("A", "B") for m in range(1, 4)],
    }
    wb = make_workbook(rows)
    m = plan_metrics(wb, value_month(wb))
    assert (m["as_of"] == pd.Timestamp("2026-04-01")).all()
    assert m.loc["A", "avg_daily_demand"] == pytest.approx(10.0, rel=0.05)
    assert m.loc["A", "reorder_point"] > 5 and m.loc["A", "enters"]
    assert not m.loc["B", "enters"]


def test_order_size_capped_at_max_cover_days() -> None:
    # d = 1, EOQ = √(2·365·200/2) = 270 > 90 days of cover → ⌊90⌋; a cap of 30 days → 30
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A")]))
    p = plan_of(wb).loc["A"]
    assert p["order_qty"] == 90 and p["days_cover"] == pytest.approx(90)
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A")]), max_cover_days=30)
    assert plan_of(wb).loc["A", "order_qty"] == 30


def test_item_cover_cap_overrides_the_setting() -> None:
    # the same item as above: the setting's 90 days, and an item of its own at 20 days
    wb = month_end_book(month({"A": 40, "B": 40}, {"A": 30, "B": 30}, [item("A"), item("B", max_cover_days=20)]))
    p = plan_of(wb)
    assert p.loc["A", "order_qty"] == 90 and p.loc["B", "order_qty"] == 20


def test_fill_rate_measure_lowers_the_reorder_point_of_a_large_order() -> None:
    # 12 months of 300 a month: an order of 90 days' demand leaves (1 − 0.95)·Q of shortage per cycle allowed,
    # more than the cycle measure allows: the reorder point falls, never below the mean lead-time demand.
    rows = {
        ITEMS.name: [item("A", safety_stock=None)],
        OPENING.name: [{"sku": "A", "qty": 5, "unit_cost": 10.0}],
        HISTORY.name: [{"sku": "A", "period": f"2025-{m:02d}", "demand_qty": 300 + 40 * (m % 3)} for m in range(4, 13)]
        + [{"sku": "A", "period": f"2026-{m:02d}", "demand_qty": 300 + 40 * (m % 3)} for m in range(1, 4)],
    }
    cycle = plan_metrics(wb := make_workbook(rows), value_month(wb)).loc["A"]
    fill = plan_metrics(wb := make_workbook(rows, service_measure="fill_rate"), value_month(wb)).loc["A"]
    assert fill["reorder_point"] < cycle["reorder_point"]
    assert fill["reorder_point"] >= fill["avg_daily_demand"] * 10 - 1e-9  # lead time 10 days


def test_plan_shows_class_method_and_as_of_in_the_workbook_language() -> None:
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A")]), lang="en")
    p = plan_of(wb).loc["A"]
    assert (p["demand_class"], p["forecast_method"]) == ("Smooth", "Month to date")
    assert p["as_of"] == pd.Timestamp("2026-04-30")
    wb = month_end_book(month({"A": 40}, {"A": 30}, [item("A")]))
    assert plan_of(wb).loc["A", "demand_class"] == "平稳"


def test_zero_demand_at_a_fixed_safety_stock_enters() -> None:
    # d = 0, on hand = fixed SS = ROP = 5: on hand − ROP = 0 ≤ d·horizon = 0 → enters (the contract's ≤)
    items = [item("E")]
    wb = month_end_book(month({"E": 5}, {}, items))
    p = plan_of(wb)
    assert list(p.index) == ["E"]
    assert p.loc["E", "order_qty"] >= 1


def test_plan_lines_come_in_one_block_per_supplier_most_urgent_first() -> None:
    plan = _by_supplier(
        pd.DataFrame(
            {
                "sku": ["a", "b", "c", "d", "e", "f"],
                "supplier": ["乙", "甲", None, "乙", "甲", "  "],
                "order_by": pd.to_datetime(
                    ["2026-12-09", "2026-12-03", "2026-12-01", "2026-12-02", "2026-12-20", "2026-12-01"]
                ),
            }
        )
    )
    # 乙's most urgent line (d, 12-02) is due before 甲's (b, 12-03); blank suppliers (None, spaces) last
    assert plan["sku"].tolist() == ["d", "a", "b", "e", "c", "f"]


def test_a_sales_return_early_in_a_month_does_not_inflate_the_safety_stock() -> None:
    """Audit: with a month or two of history, a return of 50 units on the 3rd (no sale yet) made the day-to-day
    spread of net demand huge and ordered 229,010 units; a return is no demand, so the plan orders nothing."""
    from jxc_xl.core.generate import generate
    from tests.factories import make_workbook

    rows = {
        "tblItems": [{"sku": "A", "name": "甲", "unit": "个", "cost": 10, "price": 30}],
        "tblOpening": [{"sku": "A", "qty": 10, "unit_cost": 10, "amount": 100}],
        "tblHistory": [{"sku": "A", "period": p, "demand_qty": q} for p, q in (("2026-10", 2), ("2026-11", 0))],
        "tblReturns": [
            {
                "date": date(2026, 12, 3),
                "doc_no": "R1",
                "kind": "sales_return",
                "orig_doc_no": "S1",
                "sku": "A",
                "qty": 50,
            }
        ],
        "tblCarried": [
            {"kind": "sale", "date": date(2026, 11, 5), "doc_no": "S1", "sku": "A", "qty": 50, "unit_cost": 10}
        ],
    }
    plan = generate(make_workbook(rows, period="2026-12", as_of=date(2026, 12, 3)))["tblPlan"]
    assert len(plan) == 0 or float(plan["order_qty"].fillna(0).sum()) < 10, plan.to_dict("records")
