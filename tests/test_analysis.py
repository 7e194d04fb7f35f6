"""Analysis numbers on a small hand-checked month, and the generated frames (columns, order, status)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jxc_xl.core.analysis import analyse
from jxc_xl.core.generate import generate, stock_balances
from jxc_xl.core.valuation import value_month
from jxc_xl.schema import ANALYSIS, HISTORY, ITEMS, OPENING, PLAN, PURCHASES, RETURNS, SALES, STOCK
from tests.factories import make_workbook

ROWS = {
    ITEMS.name: [{"sku": s, "name": f"n{s}", "unit": "个", "cost": 1.0} for s in ("A", "B", "C", "D")],
    OPENING.name: [
        {"sku": "A", "qty": 10, "unit_cost": 5},
        {"sku": "B", "qty": 5, "unit_cost": 2},
        {"sku": "C", "qty": 100, "unit_cost": 1},
    ],
    PURCHASES.name: [
        {"date": "2026-04-02", "doc_no": "P1", "sku": "A", "qty": 10, "unit_price": 5},
        {"date": "2026-04-02", "doc_no": "P1", "sku": "D", "qty": 10, "unit_price": 20},
    ],
    SALES.name: [
        {"date": "2026-04-03", "doc_no": "S1", "sku": "A", "qty": 8, "unit_price": 12},
        {"date": "2026-04-03", "doc_no": "S1", "sku": "C", "qty": 1, "unit_price": 3},
        {"date": "2026-04-04", "doc_no": "S2", "sku": "D", "qty": 10, "unit_price": 30},
    ],
    # no price and no amount: valued at S1's price 12.00
    RETURNS.name: [
        {"date": "2026-04-05", "doc_no": "R1", "kind": "销售退货", "orig_doc_no": "S1", "sku": "A", "qty": 2}
    ],
}


# B last sold in December: 95 days without a sale by 5 April (the last ledger date) → slow-moving
SLOW_B = {**ROWS, HISTORY.name: [{"sku": "B", "period": "2025-12", "demand_qty": 4}]}


def abc_by_rule(values: dict[str, float], a: float = 0.8, b: float = 0.95) -> dict[str, str]:
    total = sum(values.values())
    out, cum = {}, 0.0
    for sku, v in sorted(values.items(), key=lambda kv: -kv[1]):
        cum += v
        out[sku] = "C" if v == 0 else ("A" if cum / total <= a else "B" if cum / total <= b else "C")
    return out


def test_analysis_numbers() -> None:
    wb = make_workbook(ROWS)
    an = analyse(wb, value_month(wb))
    a, b, c, d = (an.loc[s] for s in "ABCD")
    # A: revenue 8 × 12 − 2 × 12; cost 5.00 throughout: cogs (8 − 2) × 5
    assert a["revenue_cents"] == 9600 - 2400 and a["cogs_cents"] == 3000 and a["margin_cents"] == 4200
    assert a["gross_margin_rate"] == pytest.approx(42 / 72)
    # opening 50.00, closing 14 × 5 = 70.00 → average 60.00; turnover 30/60; DSI 60/30 × 30 days
    assert a["avg_inventory_cents"] == 6000
    assert a["turnover"] == pytest.approx(0.5) and a["dsi"] == pytest.approx(60.0)
    assert not a["slow"]
    # B: no sale this month (as of the 5th, the last ledger date) and none known before: 5 days without a sale
    # is not slow-moving (slow_days 90);
    # no revenue → no rate; no cogs → no DSI
    assert not b["slow"] and b["days_since_sale"] == 5
    assert np.isnan(b["gross_margin_rate"]) and np.isnan(b["dsi"]) and b["turnover"] == 0
    # C: DSI = 99.50 / 1.00 × 30 = 2985 days, but it sold on the 3rd: not slow (a high DSI is not 呆滞)
    assert c["dsi"] == pytest.approx(2985.0) and not c["slow"] and c["days_since_sale"] == 2
    # D: sold out: average inventory (0 + 0) / 2 = 0 → no turnover; DSI 0; not slow
    assert np.isnan(d["turnover"]) and d["dsi"] == 0 and not d["slow"]
    cogs = {"A": 30.0, "B": 0.0, "C": 1.0, "D": 200.0}
    assert an["abc"].to_dict() == abc_by_rule(cogs)
    assert an.loc["D", "cum_share"] == pytest.approx(200 / 231)
    assert an.loc["A", "cum_share"] == pytest.approx(230 / 231)
    assert an.loc["C", "cum_share"] == pytest.approx(1.0)


def test_generated_frames_columns_order_and_status() -> None:
    out = generate(make_workbook(SLOW_B, abc_a=0.9))
    stock, plan, analysis = out[STOCK.name], out[PLAN.name], out[ANALYSIS.name]
    assert list(stock.columns) == STOCK.keys()
    assert list(plan.columns) == PLAN.keys()
    assert list(analysis.columns) == ANALYSIS.keys()
    assert list(stock["sku"]) == ["A", "B", "C", "D"]  # tblItems order
    st = stock.set_index("sku")
    assert st.loc["D", "status"] == "缺货" and st.loc["B", "status"] == "呆滞"
    assert st.loc["A", "closing_amount"] == 70.0 and st.loc["A", "out_amount"] == 30.0
    # abc_a = 0.9: D (200/231 = 0.87) is A
    an = analysis.set_index("sku")
    assert an.loc["D", "abc"] == "A"
    rank = analysis["abc"].map({"A": 0, "B": 1, "C": 2})
    assert list(zip(rank, -analysis["cogs"], strict=True)) == sorted(zip(rank, -analysis["cogs"], strict=True))
    assert an.loc["B", "slow_moving"] == "是" and pd.isna(an.loc["A", "slow_moving"])  # blank
    assert analysis["revenue"].dtype == np.float64
    assert (plan["order_by"].diff().dropna() >= pd.Timedelta(0)).all()


def test_english_status_and_slow_label() -> None:
    out = generate(make_workbook(SLOW_B, lang="en"))
    st = out[STOCK.name].set_index("sku")
    assert st.loc["D", "status"] == "Out of stock"
    assert out[ANALYSIS.name].set_index("sku").loc["B", "slow_moving"] == "yes"


def test_negative_stock_status_and_stock_balances() -> None:
    rows = {
        **ROWS,
        SALES.name: [*ROWS[SALES.name], {"date": "2026-04-09", "doc_no": "S9", "sku": "B", "qty": 9, "unit_price": 3}],
    }
    wb = make_workbook(rows, allow_negative=True)
    sb = stock_balances(wb)
    assert list(sb.columns) == STOCK.keys()
    assert sb.set_index("sku").loc["B", "closing_qty"] == -4
    assert sb.set_index("sku").loc["B", "status"] == "负库存"


def test_slow_moving_from_days_since_the_last_sale_over_history() -> None:
    # sold 16-43 a month for a year, then a quiet month: not slow; last sold five months ago: slow (呆滞)
    steady = [{"sku": "A", "period": f"2025-{m:02d}", "demand_qty": 16 + 3 * m} for m in range(4, 13)]
    steady += [{"sku": "A", "period": "2026-01", "demand_qty": 30}, {"sku": "A", "period": "2026-02", "demand_qty": 43}]
    steady.append({"sku": "A", "period": "2026-03", "demand_qty": 0})
    old = [{"sku": "B", "period": "2025-10", "demand_qty": 5}, {"sku": "B", "period": "2026-03", "demand_qty": 0}]
    rows = {
        ITEMS.name: [{"sku": s, "name": f"n{s}", "supplier": "S", "cost": 1.0} for s in "AB"],
        OPENING.name: [{"sku": "A", "qty": 500, "unit_cost": 1}, {"sku": "B", "qty": 50, "unit_cost": 1}],
        HISTORY.name: steady + old,
    }
    out = generate(make_workbook(rows, as_of="2026-04-30"))
    an = out[ANALYSIS.name].set_index("sku")
    assert an.loc["A", "days_since_sale"] == 61 and pd.isna(an.loc["A", "slow_moving"])  # Feb 28 → Apr 30
    assert an.loc["B", "days_since_sale"] == 181 and an.loc["B", "slow_moving"] == "是"  # Oct 31 → Apr 30
    st = out[STOCK.name].set_index("sku")
    assert st.loc["B", "status"] == "呆滞" and st.loc["A", "status"] != "呆滞"
    # 500 on hand against ~1 a day of forecast: more than 180 days of cover → 超储
    assert st.loc["A", "status"] == "超储" and an.loc["A", "overstock"] == "是" and pd.isna(an.loc["B", "overstock"])


def test_a_slow_item_below_its_reorder_point_is_planned_at_zero_with_its_reason() -> None:
    rows = {
        ITEMS.name: [{"sku": "B", "name": "nB", "supplier": "S", "cost": 1.0, "safety_stock": 10}],
        OPENING.name: [{"sku": "B", "qty": 3, "unit_cost": 1}],
        HISTORY.name: [
            {"sku": "B", "period": "2025-10", "demand_qty": 5},
            {"sku": "B", "period": "2026-03", "demand_qty": 0},
        ],
    }
    plan = generate(make_workbook(rows, as_of="2026-04-30"))[PLAN.name].set_index("sku")
    assert plan.loc["B", "order_qty"] == 0 and plan.loc["B", "amount"] == 0
    assert plan.loc["B", "reason"].startswith("呆滞：已 181 天无销售，不建议订货；库存 3")
