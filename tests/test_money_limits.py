"""Money beyond money.MAX_LINE_AMOUNT per line is an amount-too-large error, and never silently wrong cents."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from jxc_xl.core.money import MAX_LINE_AMOUNT, MAX_LINE_CENTS, line_over_limit, sum_cents
from jxc_xl.core.rules import all_findings
from jxc_xl.core.valuation import value_month
from jxc_xl.schema import ITEMS, OPENING, PURCHASES, SALES
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
