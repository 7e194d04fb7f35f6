"""ledger_events (event order, amounts, dropped lines) and running_balance against a plain loop."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl.core.ledger import KINDS, ledger_events, running_balance
from jxc_xl.core.money import round_half_up
from jxc_xl.schema import COUNTS, PURCHASES, RETURNS, SALES
from tests.factories import make_workbook


def test_event_order_within_a_date_follows_the_contract_and_ties_keep_row_order() -> None:
    day = "2026-04-10"
    wb = make_workbook(
        {
            PURCHASES.name: [
                {"date": day, "doc_no": "P1", "sku": "A", "qty": 1, "unit_price": 1},
                {"date": "2026-04-02", "doc_no": "P0", "sku": "A", "qty": 5, "unit_price": 1},
                {"date": day, "doc_no": "P2", "sku": "A", "qty": 2, "unit_price": 1},
            ],
            SALES.name: [{"date": day, "doc_no": "S1", "sku": "A", "qty": 1, "unit_price": 2}],
            RETURNS.name: [
                {"date": day, "doc_no": "R1", "kind": "采购退货", "orig_doc_no": "P1", "sku": "A", "qty": 1},
                {"date": day, "doc_no": "R2", "kind": "销售退货", "orig_doc_no": "S0", "sku": "A", "qty": 1},
            ],
            COUNTS.name: [{"date": day, "sku": "A", "counted_qty": 3}],
        }
    )
    ev = ledger_events(wb)
    assert list(ev["doc_no"].fillna("count")) == ["P0", "P1", "P2", "R2", "R1", "S1", "count"]
    assert list(ev["kind"]) == ["purchase", "purchase", "purchase", "sales_return", "purchase_return", "sale", "count"]
    assert list(ev["table"]) == [PURCHASES.name] * 3 + [RETURNS.name] * 2 + [SALES.name, COUNTS.name]
    assert list(ev["_row"]) == [3, 2, 4, 3, 2, 2, 2]
    assert ev["date"].dtype.kind == "M" and ev["amount_cents"].dtype == np.int64
    assert set(ev["kind"]) <= set(KINDS)


def test_amount_cents_booked_amount_else_rounded_half_up_else_zero() -> None:
    wb = make_workbook(
        {
            PURCHASES.name: [
                {"date": "2026-04-01", "doc_no": "P1", "sku": "A", "qty": 1, "unit_price": 12.665},  # blank amount
                {"date": "2026-04-01", "doc_no": "P2", "sku": "A", "qty": 3, "unit_price": 1.0, "amount": 3.01},
            ],
            RETURNS.name: [
                {"date": "2026-04-02", "doc_no": "R", "kind": "sales_return", "orig_doc_no": "X", "sku": "A", "qty": 1}
            ],
        }
    )
    ev = ledger_events(wb)
    assert list(ev["amount_cents"]) == [int(round_half_up(12.665) * 100), 301, 0]
    assert ev["amount_cents"].iloc[0] == 1267  # Python's round() would give 1266
    assert np.isnan(ev["unit_price"].iloc[2])


def test_unusable_lines_are_dropped_but_a_count_of_zero_is_kept() -> None:
    wb = make_workbook(
        {
            SALES.name: [
                {"date": "2026-04-01", "doc_no": "S1", "sku": "A", "qty": 1, "unit_price": 1},
                {"date": None, "doc_no": "S2", "sku": "A", "qty": 1, "unit_price": 1},
                {"date": "2026-04-01", "doc_no": "S3", "sku": "  ", "qty": 1, "unit_price": 1},
                {"date": "2026-04-01", "doc_no": "S4", "sku": "A", "qty": 0, "unit_price": 1},
                {"date": "2026-04-01", "doc_no": "S5", "sku": "A", "qty": -2, "unit_price": 1},
                {"date": "2026-04-01", "doc_no": "S6", "sku": "A", "qty": None, "unit_price": 1},
            ],
            COUNTS.name: [
                {"date": "2026-04-03", "sku": " A ", "counted_qty": 0},
                {"date": "2026-04-03", "sku": "A", "counted_qty": -1},
            ],
        }
    )
    ev = ledger_events(wb)
    assert list(ev["doc_no"].fillna("count")) == ["S1", "count"]
    assert list(ev["sku"]) == ["A", "A"]  # whitespace around the code ignored


def test_empty_workbook_gives_empty_events_with_all_columns() -> None:
    ev = ledger_events(make_workbook({}))
    assert len(ev) == 0
    assert {
        "date",
        "sku",
        "kind",
        "qty",
        "unit_price",
        "amount_cents",
        "doc_no",
        "orig_doc_no",
        "table",
        "_row",
    } <= set(ev.columns)
    assert len(running_balance(ev, pd.Series(dtype="float64"))) == 0


def test_running_balance_hand_checked_with_count_reset() -> None:
    wb = make_workbook(
        {
            PURCHASES.name: [{"date": "2026-04-05", "doc_no": "P1", "sku": "A", "qty": 10, "unit_price": 1}],
            SALES.name: [
                {"date": "2026-04-02", "doc_no": "S1", "sku": "A", "qty": 4, "unit_price": 1},
                {"date": "2026-04-02", "doc_no": "S2", "sku": "B", "qty": 1, "unit_price": 1},
                {"date": "2026-04-06", "doc_no": "S3", "sku": "A", "qty": 3, "unit_price": 1},
            ],
            COUNTS.name: [{"date": "2026-04-05", "sku": "A", "counted_qty": 7}],
        }
    )
    ev = ledger_events(wb)
    bal = running_balance(ev, pd.Series({"A": 2.0}))
    # A: 2 − 4 = −2; +10 = 8; count → 7; −3 = 4.  B: 0 − 1 = −1.
    assert dict(zip(zip(ev["sku"], ev["doc_no"].fillna("C"), strict=True), bal, strict=True)) == {
        ("A", "S1"): -2.0,
        ("B", "S2"): -1.0,
        ("A", "P1"): 8.0,
        ("A", "C"): 7.0,
        ("A", "S3"): 4.0,
    }


_line = st.tuples(
    st.sampled_from(["purchase", "sale", "sales_return", "purchase_return", "count"]),
    st.sampled_from(["A", "B", "C"]),
    st.integers(1, 28),
    st.integers(0, 20),
)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(lines=st.lists(_line, max_size=40), opening=st.dictionaries(st.sampled_from(["A", "B"]), st.integers(0, 9)))
def test_running_balance_equals_a_plain_loop(lines: list[tuple[str, str, int, int]], opening: dict[str, int]) -> None:
    rows: dict[str, list[dict[str, Any]]] = {PURCHASES.name: [], SALES.name: [], RETURNS.name: [], COUNTS.name: []}
    for i, (kind, sku, day, q) in enumerate(lines):
        date = f"2026-04-{day:02d}"
        if kind == "count":
            rows[COUNTS.name].append({"date": date, "sku": sku, "counted_qty": q})
            continue
        line = {"date": date, "doc_no": f"D{i}", "sku": sku, "qty": q + 1, "unit_price": 1}
        if kind in ("sales_return", "purchase_return"):
            rows[RETURNS.name].append({**line, "kind": kind, "orig_doc_no": "X"})
        else:
            rows[PURCHASES.name if kind == "purchase" else SALES.name].append(line)
    ev = ledger_events(make_workbook(rows))
    got = running_balance(ev, pd.Series(opening, dtype="float64")).to_list()
    book = {k: float(v) for k, v in opening.items()}
    expected = []
    for kind, sku, q in zip(ev["kind"], ev["sku"], ev["qty"], strict=True):
        b = book.get(sku, 0.0)
        b = q if kind == "count" else b + (q if kind in ("purchase", "sales_return") else -q)
        book[sku] = b
        expected.append(b)
    assert got == expected
    # event order: dates non-decreasing, and within a date kinds in contract order
    key = list(zip(ev["date"], [KINDS.index(k) for k in ev["kind"]], strict=True))
    assert key == sorted(key)
