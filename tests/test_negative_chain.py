"""Negative stock across month ends (issue 12 part 1): a chain built with close validates.

A receipt that ends negative stock leaves what is on hand at its own cost, the rest booked as the month's
cost adjustment; the month-end average with a negative opening is the receipts' (``core.valuation``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jxc_xl.core.book import Workbook
from jxc_xl.core.card import card_lines
from jxc_xl.core.closing import carry_forward
from jxc_xl.core.rules import check
from jxc_xl.core.valuation import Valuation, value_month
from tests.factories import make_workbook
from tests.test_card import _assert_ties
from tests.test_warehouses import check_warehouses

METHODS = ("moving_average", "fifo", "monthly_average")
ITEMS = [{"sku": "A", "name": "A", "unit": "个", "cost": 10}]
PERIODS = ("2026-04", "2026-05", "2026-06")
# The audit's two openings: stock oversold and refilled in April; a negative opening refilled in April.
OPENINGS = {
    "oversold": [{"sku": "A", "qty": 5, "unit_cost": 10, "amount": 50}],
    "negative": [{"sku": "A", "qty": -12, "unit_cost": 14.93, "amount": -179.16}],
}


def _sale(day: date, doc: str, qty: int) -> dict[str, Any]:
    return {"date": day, "doc_no": doc, "customer": "c", "sku": "A", "qty": qty, "unit_price": 30}


def _buy(day: date, doc: str, qty: int, price: float) -> dict[str, Any]:
    return {"date": day, "doc_no": doc, "supplier": "s", "sku": "A", "qty": qty, "unit_price": price}


# Per month: sales and purchases. Each month goes negative and comes back (May ends negative, June starts so).
LEDGERS = (
    ([_sale(date(2026, 4, 2), "S1", 15), _sale(date(2026, 4, 25), "S2", 1)], [_buy(date(2026, 4, 20), "P1", 13, 1)]),
    ([_sale(date(2026, 5, 3), "S3", 4), _sale(date(2026, 5, 20), "S4", 6)], [_buy(date(2026, 5, 10), "P2", 5, 2.35)]),
    ([_sale(date(2026, 6, 10), "S5", 2)], [_buy(date(2026, 6, 5), "P3", 13, 1.5)]),
)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def _assert_identities(val: Valuation) -> None:
    """Every row, to the cent: closing = opening + receipts − issues + cost adjustment; no negative cost."""
    st = val.stock
    receipts = ("purchase", "sales_return", "count_gain", "other_in")
    issues = ("sale", "purchase_return", "count_loss", "other_out")
    cents = st["opening_cents"] + sum(st[f"{k}_cents"] for k in receipts) - sum(st[f"{k}_cents"] for k in issues)
    qty = st["opening_qty"] + sum(st[f"{k}_qty"] for k in receipts) - sum(st[f"{k}_qty"] for k in issues)
    assert (st["closing_cents"] == cents + st["cost_adj_cents"]).all()
    np.testing.assert_allclose(st["closing_qty"], qty, atol=1e-9)
    assert (val.events["cost_cents"] >= 0).all()
    held = st["closing_qty"] > 0
    assert (st.loc[held, "closing_cents"] >= 0).all()


def _carried(wb: Workbook) -> dict[str, list[dict[str, Any]]]:
    """What ``jxc close`` carries from ``wb`` into next month: its opening and carried documents, as rows."""
    cf = carry_forward(wb)
    return {"tblOpening": _records(cf.opening), "tblCarried": _records(cf.carried)}


def _next_month_errors(wb: Workbook, **settings: Any) -> list[str]:
    """The error codes of the month after ``wb``, opened from what it carries (May)."""
    nxt = make_workbook({"tblItems": ITEMS, **_carried(wb)}, period="2026-05", **settings)
    return [f.code for f in check(nxt) if f.severity == "error"]


def _chain(method: str, opening: str) -> list[tuple[Workbook, Valuation]]:
    rows: dict[str, list[dict[str, Any]]] = {"tblOpening": OPENINGS[opening], "tblCarried": []}
    months = []
    for period, (sales, buys) in zip(PERIODS, LEDGERS, strict=True):
        data = {"tblItems": ITEMS, **rows, "tblSales": sales, "tblPurchases": buys}
        wb = make_workbook(data, period=period, valuation=method, allow_negative=True)
        months.append((wb, value_month(wb)))
        rows = _carried(wb)
    return months


@pytest.mark.parametrize("opening", sorted(OPENINGS))
@pytest.mark.parametrize("method", METHODS)
def test_chain_with_negative_stock_validates(method: str, opening: str) -> None:
    months = _chain(method, opening)
    for wb, val in months:
        assert [f.code for f in check(wb) if f.severity == "error"] == [], wb.settings
        _assert_identities(val)
        _assert_ties(card_lines(wb, val, "zh"), val.stock)
    closing = [int(v.stock["closing_cents"].iloc[0]) for _, v in months]
    nxt = [int(v.stock["opening_cents"].iloc[0]) for _, v in months[1:]]
    assert nxt == closing[:-1]  # each month opens at the last one's closing


@pytest.mark.parametrize("method", ("moving_average", "fifo"))
def test_receipt_ending_negative_stock_is_valued_at_its_cost(method: str) -> None:
    """Open 5 @ 10, sell 15 (−10 at −100.00), buy 11 @ 1: 1 unit at 1.00 on hand; the 10 oversold units were
    issued at 10.00 and replaced at 1.00: 90.00 comes back as the cost adjustment."""
    data = {"tblItems": ITEMS, "tblOpening": OPENINGS["oversold"]}
    data |= {"tblSales": [_sale(date(2026, 4, 2), "S1", 15)], "tblPurchases": [_buy(date(2026, 4, 20), "P1", 11, 1)]}
    val = value_month(make_workbook(data, valuation=method, allow_negative=True))
    st = val.stock.iloc[0]
    assert (st["closing_qty"], st["closing_cents"], st["cost_adj_cents"]) == (1, 100, 9000)
    assert val.events["cost_cents"].tolist() == [15000, 1100]


def test_negative_opening_monthly_average_is_the_receipts_average() -> None:
    """Open −12 / −179.16, buy 13 @ 1, sell 1: the month's unit cost is 1.00 (not −166.16); the opening valued
    at it is −12.00, so 167.16 is the cost adjustment."""
    data = {"tblItems": ITEMS, "tblOpening": OPENINGS["negative"]}
    data |= {"tblSales": [_sale(date(2026, 4, 25), "S1", 1)], "tblPurchases": [_buy(date(2026, 4, 20), "P1", 13, 1)]}
    val = value_month(make_workbook(data, valuation="monthly_average", allow_negative=True))
    st = val.stock.iloc[0]
    assert (st["closing_qty"], st["closing_cents"], st["cost_adj_cents"], st["sale_cents"]) == (0, 0, 16716, 100)


@pytest.mark.parametrize("method", ("moving_average", "fifo"))
def test_sales_return_ending_negative_stock(method: str) -> None:
    """Open 5 @ 10; S1 sells 5; buy 2 @ 20; S2 sells 4 (−2 at −40.00); 3 of S1 come back at its 10.00: 1 unit at
    10.00 on hand, 10 − (−40 + 30) = 20.00 booked as the cost adjustment."""
    sales = [_sale(date(2026, 4, 2), "S1", 5), _sale(date(2026, 4, 6), "S2", 4)]
    ret = {"date": date(2026, 4, 9), "doc_no": "R1", "kind": "sales_return", "orig_doc_no": "S1", "sku": "A"}
    data = {"tblItems": ITEMS, "tblOpening": OPENINGS["oversold"], "tblSales": sales}
    data |= {"tblPurchases": [_buy(date(2026, 4, 4), "P1", 2, 20)], "tblReturns": [ret | {"qty": 3, "unit_price": 30}]}
    wb = make_workbook(data, valuation=method, allow_negative=True)
    val = value_month(wb)
    st = val.stock.iloc[0]
    assert (st["closing_qty"], st["closing_cents"], st["cost_adj_cents"], st["sales_return_cents"]) == (
        1,
        1000,
        2000,
        3000,
    )
    _assert_identities(val)
    _assert_ties(card_lines(wb, val, "zh"), val.stock)


def _wh(line: dict[str, Any], wh: str) -> dict[str, Any]:
    return line | {"warehouse": wh}


def _move(day: date, doc: str, qty: int) -> dict[str, Any]:
    return {"date": day, "doc_no": doc, "from_warehouse": "W1", "to_warehouse": "W2", "sku": "A", "qty": qty}


# Two warehouses: W2 oversells and is refilled by transfers from W1 (April, June), W1 oversells and is refilled by
# a purchase (April); May ends with W2 negative, so June opens negative there.
WAREHOUSE_MONTHS = (
    {
        "tblSales": [_wh(_sale(date(2026, 4, 2), "S1", 4), "W2"), _wh(_sale(date(2026, 4, 15), "S2", 6), "W1")],
        "tblPurchases": [
            _wh(_buy(date(2026, 4, 3), "P1", 5, 14), "W1"),
            _wh(_buy(date(2026, 4, 20), "P2", 3, 9), "W1"),
        ],
        "tblTransfers": [_move(date(2026, 4, 10), "T1", 6)],
    },
    {
        "tblSales": [_wh(_sale(date(2026, 5, 3), "S3", 5), "W2")],
        "tblPurchases": [_wh(_buy(date(2026, 5, 10), "P3", 4, 8), "W1")],
        "tblTransfers": [_move(date(2026, 5, 5), "T2", 1)],
    },
    {
        "tblSales": [_wh(_sale(date(2026, 6, 12), "S4", 1), "W2")],
        "tblPurchases": [_wh(_buy(date(2026, 6, 5), "P4", 10, 11), "W1")],
        "tblTransfers": [_move(date(2026, 6, 8), "T3", 4)],
    },
)


@pytest.mark.parametrize("method", METHODS)
def test_warehouse_chain_with_negative_stock_validates(method: str) -> None:
    """Per warehouse and for the company, every month: 0 errors, the identities, no negative value on stock."""
    warehouses = [{"code": "W1", "name": "一仓"}, {"code": "W2", "name": "二仓"}]
    rows: dict[str, list[dict[str, Any]]] = {"tblOpening": [_wh(OPENINGS["oversold"][0], "W1")], "tblCarried": []}
    settled = 0
    for period, ledger in zip(PERIODS, WAREHOUSE_MONTHS, strict=True):
        data = {"tblItems": ITEMS, "tblWarehouses": warehouses, **rows, **ledger}
        wb = make_workbook(data, period=period, valuation=method, allow_negative=True)
        assert [f.code for f in check(wb) if f.severity == "error"] == [], period
        val = value_month(wb)
        check_warehouses(val)
        _assert_identities(val)
        t = val.by_warehouse
        assert t is not None
        assert (t.loc[t["closing_qty"] > 0, "closing_cents"] >= 0).all()
        settled += int(t["cost_adj_cents"].abs().sum())
        rows = _carried(wb)
    assert settled > 0  # the negative stock was settled somewhere along the chain


@pytest.mark.parametrize("method", ("moving_average", "fifo"))
def test_a_value_left_at_zero_quantity_is_not_carried_by_the_next_receipt(method: str) -> None:
    """No negative stock: buy 10 @ 10 and 10 @ 12, sell 15, return 5 of P2 at its price 12 (qty 0, −5.00 left on the
    book under moving average), buy 1 @ 1: the 1 on hand is worth 1.00, never −4.00 (next month's opening would be
    refused as a negative unit cost); the −5.00 is the month's cost adjustment. FIFO is unchanged (nothing left)."""
    returns = [
        {
            "date": date(2026, 4, 12),
            "doc_no": "R1",
            "kind": "purchase_return",
            "orig_doc_no": "P2",
            "sku": "A",
            "qty": 5,
            "unit_price": 12,
        }
    ]
    buys = [
        _buy(date(2026, 4, 1), "P1", 10, 10),
        _buy(date(2026, 4, 2), "P2", 10, 12),
        _buy(date(2026, 4, 20), "P3", 1, 1),
    ]
    data = {
        "tblItems": ITEMS,
        "tblPurchases": buys,
        "tblSales": [_sale(date(2026, 4, 10), "S1", 15)],
        "tblReturns": returns,
    }
    wb = make_workbook(data, valuation=method)
    val = value_month(wb)
    st = val.stock.iloc[0]
    assert (st["closing_qty"], st["closing_cents"]) == (1, 100)
    assert st["cost_adj_cents"] == (500 if method == "moving_average" else 0)
    _assert_identities(val)
    assert _next_month_errors(wb, valuation=method) == []


def test_a_count_surplus_from_zero_and_a_return_taking_more_than_held_keep_a_positive_value() -> None:
    """Moving average (the audit's cases, no negative stock): buy 10 @ 10 and 10 @ 30, sell 15 (5 left at 100.00).
    Return 5 of P2 at 30 (qty 0, −50.00 left) and count 1: the unit found is at the unit cost (20.00), the −50.00 is
    the cost adjustment. Return 4 of P2 at 30 instead (1 left, −20.00): the unit stays at 20.00, +40.00 adjusted."""
    buys = [_buy(date(2026, 4, 1), "P1", 10, 10), _buy(date(2026, 4, 2), "P2", 10, 30)]
    sales = [_sale(date(2026, 4, 10), "S1", 15)]

    def month(returned: int, counted: list[dict[str, Any]]) -> Workbook:
        ret = {"date": date(2026, 4, 12), "doc_no": "R1", "kind": "purchase_return", "orig_doc_no": "P2"}
        ret |= {"sku": "A", "qty": returned, "unit_price": 30}
        data = {"tblItems": ITEMS, "tblPurchases": buys, "tblSales": sales, "tblReturns": [ret], "tblCounts": counted}
        return make_workbook(data, valuation="moving_average")

    for wb, adj in (
        (month(5, [{"date": date(2026, 4, 20), "sku": "A", "counted_qty": 1}]), 5000),
        (month(4, []), 4000),
    ):
        val = value_month(wb)
        st = val.stock.iloc[0]
        assert (st["closing_qty"], st["closing_cents"], st["cost_adj_cents"]) == (1, 2000, adj)
        _assert_identities(val)
        _assert_ties(card_lines(wb, val, "zh"), val.stock)
        assert _next_month_errors(wb) == []


@pytest.mark.parametrize("method", ["moving_average", "fifo"])  # month-end average: one cost at month end
def test_issues_at_a_unit_cost_below_a_cent_never_leave_a_negative_value(method: str) -> None:
    """5 units worth 0.03 (0.006 each), sold one by one: each line rounds up to 0.01, so the fourth would have left
    the last unit at −0.01 under moving average and FIFO (next month's opening refused as a negative cost). An
    issue takes no more than the value on hand while units stay: the last unit is worth 0.00 or more."""
    wb = make_workbook(
        {
            "tblItems": ITEMS,
            "tblOpening": [{"sku": "A", "qty": 5, "unit_cost": 0.006, "amount": 0.03}],
            "tblSales": [_sale(date(2026, 4, d), f"S{d}", 1) for d in (2, 3, 4, 5)],
        },
        period="2026-04",
        valuation=method,
    )
    val = value_month(wb)
    st = val.stock.iloc[0]
    assert st["closing_qty"] == 1 and 0 <= st["closing_cents"] <= 1
    assert st["sale_cents"] + st["closing_cents"] == 3
    _assert_identities(val)
    assert _next_month_errors(wb, valuation=method) == []
