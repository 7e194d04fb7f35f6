"""Money beyond money.MAX_LINE_AMOUNT per line is an amount-too-large error, and never silently wrong cents."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from jxc_xl.core.money import MAX_LINE_AMOUNT, MAX_LINE_CENTS, line_over_limit, sum_cents
from jxc_xl.core.rules import all_findings
from jxc_xl.core.valuation import value_month
from jxc_xl.schema import COUNTS, ITEMS, OPENING, PURCHASES, RETURNS, SALES
from tests.factories import make_workbook

METHODS = ("moving_average", "fifo", "monthly_average")
ITEM = {"sku": "A", "name": "a", "supplier": "S", "cost": 10.0, "lead_time_days": 7, "active": "yes"}


def _purchase(i: int, qty: float, price: float, amount: float | None = None) -> dict[str, object]:
    line: dict[str, object] = {"date": date(2026, 4, 2), "doc_no": f"P{i}", "supplier": "S", "sku": "A"}
    line.update(qty=qty, unit_price=price)
    if amount is not None:
        line["amount"] = amount
    return line


def _too_large(wb_rows: dict[str, list[dict[str, object]]], lang: str = "en") -> list:
    wb = make_workbook(wb_rows)
    return [f for f in all_findings(wb, lang=lang) if f.code == "amount-too-large"]  # type: ignore[arg-type]


def test_sum_cents_is_exact_beyond_2_53() -> None:
    cents = np.array([MAX_LINE_CENTS] * 10_000 + [1, 1], dtype=np.int64)
    codes = np.zeros(len(cents), dtype=np.int64)
    assert sum_cents(codes, cents, 1)[0] == 10_000 * MAX_LINE_CENTS + 2  # > 2**53: float bincount drops the cents
    assert 10_000 * MAX_LINE_CENTS + 2 > 2**53
    small = np.array([5, -3, 7], dtype=np.int64)
    assert sum_cents(np.array([0, 1, 0]), small, 3).tolist() == [12, -3, 0]


def test_line_over_limit_marks_amount_and_product() -> None:
    got = line_over_limit([1e9, 1.0, 1.0, np.nan], [1e9, MAX_LINE_AMOUNT, 1.0, 5.0], [0, 0, MAX_LINE_CENTS + 1, 0])
    assert got.tolist() == [True, False, True, False]


@pytest.mark.parametrize("method", METHODS)
def test_huge_product_without_amount_is_refused_and_left_out(method: str) -> None:
    rows = {
        ITEMS.name: [ITEM],
        OPENING.name: [{"sku": "A", "qty": 1.0, "unit_cost": 10.0}],
        PURCHASES.name: [_purchase(1, 1e9, 1e9), _purchase(2, 2.0, 10.0)],
    }
    found = _too_large(rows)
    assert [(f.sheet is not None, f.column, f.severity) for f in found] == [(True, "unit_price", "error")]
    assert "10,000,000,000" in found[0].message
    s = value_month(make_workbook(rows, valuation=method)).stock.iloc[0]
    assert s["in_cents"] == 2000  # the 1e9 × 1e9 line carries no money; its quantity still counts
    assert s["in_qty"] == 1e9 + 2
    assert (
        s["closing_cents"] == s["opening_cents"] + s["in_cents"] - s["out_cents"] + s["adj_cents"] + s["cost_adj_cents"]
    )
    assert s["closing_cents"] >= 0


@pytest.mark.parametrize("method", METHODS)
def test_many_large_amounts_never_wrap(method: str) -> None:
    rows = {ITEMS.name: [ITEM], PURCHASES.name: [_purchase(i, 1e8, 1e7, 1e15) for i in range(100)]}
    found = _too_large(rows)
    assert len(found) == 100 and {f.column for f in found} == {"amount"}
    s = value_month(make_workbook(rows, valuation=method)).stock.iloc[0]
    assert s["in_cents"] == 0 and s["closing_cents"] == 0  # left out, not −9223372036854775808


@pytest.mark.parametrize("method", METHODS)
def test_lines_at_the_limit_sum_exactly(method: str) -> None:
    n = 10_000  # 10,000 × 1e12 cents = 1e16 cents > 2**53: a float64 sum of cents would lose the 1-cent line
    lines = [_purchase(i, 1.0, MAX_LINE_AMOUNT) for i in range(n)] + [_purchase(n, 1.0, 0.01)]
    rows = {ITEMS.name: [ITEM], PURCHASES.name: lines}
    assert _too_large(rows) == []
    s = value_month(make_workbook(rows, valuation=method)).stock.iloc[0]
    assert s["in_cents"] == n * MAX_LINE_CENTS + 1
    assert (
        s["closing_cents"] == s["opening_cents"] + s["in_cents"] - s["out_cents"] + s["adj_cents"] + s["cost_adj_cents"]
    )
    if method != "monthly_average":  # its closing is ROUND(qty × average), the rest back-solved into out
        assert s["closing_cents"] == n * MAX_LINE_CENTS + 1


def test_opening_beyond_limit_is_refused_in_chinese() -> None:
    rows = {ITEMS.name: [ITEM], OPENING.name: [{"sku": "A", "qty": 1.0, "unit_cost": 1e12, "amount": 1e12}]}
    found = _too_large(rows, lang="zh")
    assert [f.column for f in found] == ["amount"]  # one finding per line, on the amount typed
    assert all("每行上限" in f.message for f in found)
    s = value_month(make_workbook(rows)).stock.iloc[0]
    assert s["opening_cents"] == 0 and s["opening_qty"] == 1.0


def test_sales_line_beyond_limit_is_refused() -> None:
    sale = {"date": date(2026, 4, 3), "doc_no": "S1", "customer": "C", "sku": "A", "qty": 1e6, "unit_price": 1e5}
    rows = {ITEMS.name: [ITEM], OPENING.name: [{"sku": "A", "qty": 1e6, "unit_cost": 1.0}], SALES.name: [sale]}
    assert [f.column for f in _too_large(rows)] == ["unit_price"]


# ---------------------------------------------------------------------------------------------------
# Money at cost (core.rules_cost): sales, returns and counts are valued at the SKU's unit cost, never typed

DEAR = {"sku": "A", "qty": 1.0, "unit_cost": 1e9, "amount": 1e9}  # within the limit: one piece at 1e9


def _cost_findings(rows: dict[str, list[dict[str, object]]], lang: str = "en", **kw: object) -> list:
    wb = make_workbook(rows, **kw)
    return [f for f in all_findings(wb, lang=lang) if f.code == "cost-too-large"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("table", "line", "column"),
    [
        (SALES.name, {"doc_no": "S1", "customer": "C", "qty": 1e12, "unit_price": 1e-6}, "qty"),
        (RETURNS.name, {"doc_no": "R1", "kind": "sales_return", "orig_doc_no": "S0", "qty": 1e15}, "qty"),
        (COUNTS.name, {"counted_qty": 1e15}, "counted_qty"),
    ],
)
def test_a_line_whose_money_at_cost_passes_the_limit_is_a_finding_on_its_quantity(
    table: str, line: dict[str, object], column: str
) -> None:
    rows = {ITEMS.name: [ITEM], OPENING.name: [DEAR], table: [{"date": date(2026, 4, 3), "sku": "A", **line}]}
    (f,) = _cost_findings(rows)
    assert (f.column, f.row, f.severity) == (column, 2, "error")
    assert "10,000,000,000" in f.message and "1000000000" in f.message  # the limit and the unit cost used
    (zh,) = _cost_findings(rows, lang="zh")
    assert "每行上限" in zh.message and "最高单位成本" in zh.message


def test_a_count_is_bounded_by_its_difference_from_the_book() -> None:
    """A count of a million pieces at 1,000 each is 1e9 in stock, no problem; what it moves is what it is off by."""
    opening = {"sku": "A", "qty": 1e6, "unit_cost": 1e3, "amount": 1e9}
    count = {"date": date(2026, 4, 3), "sku": "A", "counted_qty": 1e6 + 5}
    assert _cost_findings({ITEMS.name: [ITEM], OPENING.name: [opening], COUNTS.name: [count]}) == []
    far = {**count, "counted_qty": 1e8}  # 99,000,000 pieces over the book × 1,000 = 9.9e10
    (f,) = _cost_findings({ITEMS.name: [ITEM], OPENING.name: [opening], COUNTS.name: [far]})
    assert "99000000" in f.message


def test_a_purchase_return_is_bounded_by_the_purchase_price_and_a_typed_overflow_is_reported_once() -> None:
    buy = _purchase(1, 10.0, 1e6)
    ret = {"date": date(2026, 4, 5), "doc_no": "R1", "kind": "purchase_return", "orig_doc_no": "P1", "sku": "A"}
    rows = {ITEMS.name: [ITEM], PURCHASES.name: [buy], RETURNS.name: [{**ret, "qty": 1e5}]}
    assert [f.column for f in _cost_findings(rows)] == ["qty"]  # 1e5 × 1e6 = 1e11 at the purchase price
    rows[RETURNS.name] = [{**ret, "qty": 1e5, "unit_price": 1e6}]  # typed: amount-too-large on the price alone
    assert _cost_findings(rows) == [] and [f.column for f in _too_large(rows)] == ["unit_price"]


def test_without_any_cost_the_items_standard_cost_bounds_the_line() -> None:
    sale = {"date": date(2026, 4, 3), "doc_no": "S1", "customer": "C", "sku": "A", "qty": 1e12, "unit_price": 1e-6}
    rows = {ITEMS.name: [ITEM], SALES.name: [sale]}  # no opening, no purchase: ITEM's cost 10.0
    assert [f.column for f in _cost_findings(rows, allow_negative=True)] == ["qty"]
    assert _cost_findings({ITEMS.name: [{**ITEM, "cost": None}], SALES.name: [sale]}, allow_negative=True) == []
