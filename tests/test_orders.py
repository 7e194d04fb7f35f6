"""Goods on order (tblOrders, issue 9 item 4): the inventory position the plan orders on, the plan's on-order
and arrival columns, the reason text in words (item 5), the orders' validation codes, and the Excel button
against jxc sync on a month with orders."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jxc_xl.core.book import TableData, Workbook, empty_frame, frame
from jxc_xl.core.findings import CODES
from jxc_xl.core.plan import plan_metrics, purchase_plan
from jxc_xl.core.rules import check
from jxc_xl.core.valuation import value_month
from jxc_xl.schema import ORDERS, PLAN, SALES
from tests.factories import make_workbook, small_month, write_book
from tests.test_plan import item, month, month_end_book, plan_of

ORDER_CODES = ("order-expected-before-order", "order-received-exceeds", "order-duplicate-line", "order-overdue")


def order(sku: str, qty: float, **kw: Any) -> dict[str, Any]:
    return {"order_date": date(2026, 4, 20), "doc_no": f"PO-{sku}", "supplier": "S", "sku": sku, "qty": qty, **kw}


def with_orders(rows: dict[str, list], orders: list[dict[str, Any]], **kw: Any) -> Workbook:
    return month_end_book({**rows, ORDERS.name: orders}, **kw)


# A: opening 40, sales 30 on 1 April → on hand 10, d = 1 a day, ROP = 1 × 10 + 5 = 15, horizon 30 days.
A = month({"A": 40}, {"A": 30}, [item("A")])


def test_enough_on_order_is_not_ordered_again() -> None:
    assert "A" in plan_of(month_end_book(A)).index  # on hand 10 ≤ ROP 15
    m = plan_metrics(with_orders(A, [order("A", 36)]), value_month(with_orders(A, [order("A", 36)]))).loc["A"]
    assert m["on_hand"] == 10 and m["on_order"] == 36 and m["position"] == 46
    assert not m["enters"]  # 46 − 15 = 31 > 30 days of demand
    assert "A" in plan_of(with_orders(A, [order("A", 35)])).index  # 45 − 15 = 30: within the horizon


def test_partly_received_orders_count_their_open_part() -> None:
    wb = with_orders(A, [order("A", 50, received_qty=20, expected_date=date(2026, 5, 5))])
    p = plan_of(wb).loc["A"]
    assert p["on_hand"] == 10 and p["on_order"] == 30
    assert p["arrival"] == pd.Timestamp("2026-05-05")
    # position 40: 25 days to the reorder point; on hand lasts to 10 May, the order arrives on 5 May, so the
    # whole position lasts 40 days from 30 April: 9 June
    assert p["order_by"] == pd.Timestamp("2026-05-25")
    assert p["reason"] == "库存+在途 40，约 25 天后降到再订货点 15（日均需求 1）；预计 6月9日缺货"


def test_cancelled_and_closed_orders_do_not_count() -> None:
    before = plan_of(month_end_book(A))
    orders = [
        order("A", 100, status="cancelled"),
        {**order("A", 100, received_qty=60, status="received"), "doc_no": "PO-2"},  # closed short
        {**order("A", 10, received_qty=12), "doc_no": "PO-3"},  # over-delivered: nothing left
    ]
    after = plan_of(with_orders(A, orders))
    assert after.loc["A", "on_order"] == 0 and pd.isna(after.loc["A", "arrival"])
    pd.testing.assert_frame_equal(before, after)


def test_a_workbook_without_orders_plans_as_before() -> None:
    with_empty = month_end_book(A)
    absent = month_end_book(A)
    absent.tables[ORDERS.name] = TableData(ORDERS, empty_frame(ORDERS))  # what the reader gives for no sheet
    assert not absent.tables[ORDERS.name].present
    a, b = plan_of(with_empty), plan_of(absent)
    pd.testing.assert_frame_equal(a, b)
    assert (a["on_order"] == 0).all() and a["arrival"].isna().all()


def test_on_order_plans_like_the_same_stock_on_hand() -> None:
    """The plan orders only what the position needs: 12 on order is planned as 12 more on hand would be."""
    items = [item("A", moq=None, order_multiple=None, safety_stock=None)]
    rows = month({"A": 40}, {"A": 30}, items)
    hist = [{"sku": "A", "period": f"2025-{k:02d}", "demand_qty": 30 + k % 3} for k in range(1, 13)]
    ordered = plan_of(with_orders({**rows, "tblHistory": hist}, [order("A", 12)]))
    on_hand = plan_of(month_end_book({**month({"A": 52}, {"A": 30}, items), "tblHistory": hist}))
    for key in ("reorder_point", "order_qty", "order_by", "amount", "days_cover"):
        assert ordered.loc["A", key] == on_hand.loc["A", key], key
    assert ordered.loc["A", "on_hand"] == 10 and on_hand.loc["A", "on_hand"] == 22


def test_arrival_is_the_earliest_expected_date_else_order_date_plus_lead_time() -> None:
    orders = [
        order("A", 3),  # no expected date: 20 April + lead time 10 days
        {**order("A", 2, expected_date=date(2026, 5, 8)), "doc_no": "PO-2"},
    ]
    assert plan_of(with_orders(A, orders)).loc["A", "arrival"] == pd.Timestamp("2026-04-30")
    later = [{**order("A", 2, expected_date=date(2026, 5, 8)), "doc_no": "PO-2"}]
    assert plan_of(with_orders(A, later)).loc["A", "arrival"] == pd.Timestamp("2026-05-08")


def test_backorder_and_out_of_stock_in_the_reason() -> None:
    neg = month_end_book(month({"A": 25}, {"A": 30}, [item("A")]), allow_negative=True)
    assert plan_of(neg).loc["A", "reason"] == "库存 -5 ≤ 再订货点 15；已缺货，欠 5"
    out = plan_of(month_end_book(month({"A": 30}, {"A": 30}, [item("A")]))).loc["A", "reason"]
    assert out == "库存 0 ≤ 再订货点 15；已缺货"


def test_reason_shows_whole_units_for_whole_items_and_decimals_for_others() -> None:
    items = [item("W", safety_stock=None), item("K", safety_stock=None, unit="kg")]
    rows = month({"W": 12, "K": 12.5}, {"W": 10, "K": 10}, items)
    rows[SALES.name].append({"date": "2026-04-20", "doc_no": "S-W2", "sku": "W", "qty": 1, "unit_price": 20.0})
    p = plan_of(month_end_book(rows))
    w_rop, k_rop = p.loc["W", "reorder_point"], p.loc["K", "reorder_point"]
    assert w_rop != math.floor(w_rop)  # a computed reorder point with decimals
    assert p.loc["W", "reason"].startswith(f"库存 1 ≤ 再订货点 {math.floor(w_rop)}；")
    assert ".0" not in p.loc["W", "reason"].split("；")[0]
    k_text = f"{round(k_rop, 2):.2f}".rstrip("0").rstrip(".")
    assert p.loc["K", "reason"].startswith(f"库存 2.5 ≤ 再订货点 {k_text}；")


def test_english_reason_with_goods_on_order() -> None:
    wb = with_orders(A, [order("A", 1, expected_date=date(2027, 1, 4))], lang="en")
    reason = purchase_plan(wb, value_month(wb)).set_index("sku").loc["A", "reason"]
    assert reason == "On hand + on order 11 ≤ reorder point 15; runs out about May 10"
    assert list(purchase_plan(wb, value_month(wb)).columns[: len(PLAN.keys())]) == PLAN.keys()


# ---------------------------------------------------------------------------------------------------
# Validation


def _codes(orders: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    wb = make_workbook({**small_month(), ORDERS.name: orders}, period="2026-11")
    return [(f.code, f.cell) for f in check(wb) if f.sheet == ORDERS.zh_sheet]


def clean_orders() -> list[dict[str, Any]]:
    """Orders a buyer keeps: open, partly received, cancelled, closed short; placed last month, expected next."""
    return [
        {"order_date": date(2026, 10, 28), "doc_no": "PO-9", "sku": "A001", "qty": 60, "received_qty": 20},
        {
            "order_date": date(2026, 11, 20),
            "doc_no": "PO-10",
            "sku": "A001",
            "qty": 30,
            "expected_date": date(2026, 12, 2),
        },
        {"order_date": date(2026, 11, 20), "doc_no": "PO-10", "sku": "B001", "qty": 20, "status": "cancelled"},
        {
            "order_date": date(2026, 11, 21),
            "doc_no": "PO-11",
            "sku": "C001",
            "qty": 100,
            "received_qty": 90,
            "status": "received",
        },
    ]


def test_clean_orders_find_nothing_even_across_months() -> None:
    assert _codes(clean_orders()) == []
    wb = make_workbook({**small_month(), ORDERS.name: clean_orders()}, period="2026-11")
    m = plan_metrics(wb, value_month(wb))
    # A001: 40 open of PO-9 + 30 of PO-10; PO-9 has no expected date: 28 Oct + lead time 7 days
    assert m.loc["A001", "on_order"] == 70 and m.loc["A001", "arrival"] == pd.Timestamp("2026-11-04")
    assert m.loc["B001", "on_order"] == 0 and m.loc["C001", "on_order"] == 0  # cancelled; closed short


@pytest.mark.parametrize(
    ("change", "want"),
    [
        ({"sku": "A999"}, ("unknown-sku", "D2")),
        ({"qty": 0}, ("non-positive-qty", "E2")),
        ({"received_qty": -1}, ("non-positive-qty", "G2")),
        ({"order_date": None}, ("required-missing", "A2")),
        ({"expected_date": date(2026, 10, 27)}, ("order-expected-before-order", "F2")),
        ({"received_qty": 61}, ("order-received-exceeds", "G2")),
        ({"expected_date": date(2026, 11, 20)}, ("order-overdue", "F2")),  # open; the plan date is 25 November
        ({"expected_date": date(2026, 11, 20), "received_qty": 60}, None),  # all arrived
        ({"expected_date": date(2026, 11, 20), "status": "received"}, None),  # closed short
        ({"expected_date": date(2026, 11, 25)}, None),  # due on the plan date: not late yet
    ],
)
def test_each_order_rule_fires_on_a_minimal_case(change: dict[str, Any], want: tuple[str, str] | None) -> None:
    orders = clean_orders()
    orders[0] = {**orders[0], **change}
    assert _codes(orders) == ([want] if want else [])
    assert want is None or want[0] in CODES


def test_a_duplicate_order_line_is_a_warning() -> None:
    orders = [*clean_orders(), {**clean_orders()[1]}]
    wb = make_workbook({**small_month(), ORDERS.name: orders}, period="2026-11")
    found = [f for f in check(wb) if f.sheet == ORDERS.zh_sheet]
    assert [(f.code, f.severity, f.row) for f in found] == [("order-duplicate-line", "warning", 6)]
    assert "第 3 行" in found[0].message and "A001" in found[0].message


def test_english_messages_name_the_fix() -> None:
    orders = clean_orders()
    orders[0] = {**orders[0], "expected_date": date(2026, 10, 1), "received_qty": 70}
    wb = make_workbook({**small_month(), ORDERS.name: orders}, period="2026-11", lang="en")
    orders[1] = {**orders[1], "expected_date": date(2026, 11, 24)}
    wb = make_workbook({**small_month(), ORDERS.name: orders}, period="2026-11", lang="en")
    msgs = {f.code: f.message for f in check(wb, lang="en") if f.sheet == ORDERS.en_sheet}
    assert "before the order date 2026-10-28" in msgs["order-expected-before-order"]
    assert "Order PO-10, SKU A001 was expected on 2026-11-24, before the plan date 2026-11-25" in msgs["order-overdue"]
    assert "more than the ordered qty 60" in msgs["order-received-exceeds"]


@pytest.mark.slow
def test_the_demo_month_with_orders_finds_nothing_new(tmp_path: Path) -> None:
    from jxc_xl.demo import write_demo
    from jxc_xl.io.reader import read_workbook

    wb = read_workbook(write_demo(tmp_path, lang="zh"))
    before = [(f.code, f.sheet, f.cell) for f in check(wb)]
    assert not any(c in ORDER_CODES for c, _, _ in before)
    items = wb.df("tblItems").head(40)
    rng = np.random.default_rng(7)
    rows = [
        {
            "order_date": date(2026, 11, int(rng.integers(1, 28))) if i % 4 else date(2026, 10, 25),
            "doc_no": f"PO-{i // 3}",
            "supplier": sup,
            "sku": sku,
            "qty": float(rng.integers(10, 200)),
            "received_qty": [None, 0, 5, None][i % 4],
            "expected_date": date(2026, 12, 10) if i % 5 == 0 else None,
            "status": ["open", "open", "cancelled", "received"][i % 4],
        }
        for i, (sku, sup) in enumerate(zip(items["sku"], items["supplier"], strict=True))
    ]
    wb.tables[ORDERS.name] = TableData(ORDERS, frame(ORDERS, rows), sheet=ORDERS.zh_sheet)
    after = [(f.code, f.sheet, f.cell) for f in check(wb)]
    assert after == before
    m = plan_metrics(wb, value_month(wb))
    assert m["on_order"].sum() > 0


# ---------------------------------------------------------------------------------------------------
# The Excel button and jxc sync: one plan


@pytest.mark.slow
def test_button_and_sync_give_the_same_plan_with_orders(tmp_path: Path) -> None:
    from jxc_xl.io.reader import read_workbook
    from jxc_xl.sync import sync_file
    from tests.test_excel import PROBE, ROOT, _records, _written

    data = small_month()
    data[ORDERS.name] = [
        {**o, "status": {"open": "未结", "cancelled": "已取消", "received": "已结"}[o.get("status", "open")]}
        for o in clean_orders()
    ]
    data[ORDERS.name].append({"order_date": date(2026, 11, 26), "doc_no": "PO-12", "sku": "B001", "qty": 2})
    src = write_book(tmp_path / "orders.xlsx", data)
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(PROBE)],
        input=json.dumps([{"xlsx": str(src), "sync": True, "script": False, "simple": False}]),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    run = json.loads(proc.stdout)["runs"][0]
    from_file = _records(
        read_workbook(sync_file(src, tmp_path / "synced.xlsx").path).df(PLAN.name).drop(columns="_row")
    )
    written = _written(run, PLAN, "zh")
    assert len(written) == len(from_file) > 0
    assert [(r["sku"], r["on_order"]) for r in from_file] == [("B001", 2)]  # 13 + 2 on order, still planned
    for got, want in zip(written, from_file, strict=True):
        for key, value in got.items():
            expected = want[key]
            if isinstance(expected, str) and PLAN.column(key).type.value == "date":
                expected, value = expected[:10], str(value)[:10]
            if isinstance(expected, float):
                assert value == pytest.approx(expected, rel=1e-12, abs=1e-9), (want["sku"], key)
            else:
                assert (value if value not in ("", None) else None) == expected, (want["sku"], key)


def test_close_carries_the_open_orders_and_never_overwrites_typed_ones(tmp_path: Path) -> None:
    from jxc_xl.io.reader import read_workbook
    from jxc_xl.io.template import new_workbook
    from jxc_xl.sync import close_month

    data = small_month()
    data[ORDERS.name] = clean_orders()
    nov = write_book(tmp_path / "nov.xlsx", data)
    close_month(nov, tmp_path / "dec.xlsx")  # created: the two open lines go on (PO-9 A001 60/20, PO-10 A001 30)
    carried = read_workbook(tmp_path / "dec.xlsx").df(ORDERS.name)
    assert sorted(zip(carried["doc_no"], carried["sku"], carried["qty"], strict=True)) == [
        ("PO-10", "A001", 30.0),
        ("PO-9", "A001", 60.0),
    ]
    assert carried.set_index("doc_no").loc["PO-9", "received_qty"] == 20  # as typed: next month tracks the rest

    empty = new_workbook(tmp_path / "dec2.xlsx", period="2026-12")  # existing, no orders typed: it takes them
    close_month(nov, empty)
    assert len(read_workbook(empty).df(ORDERS.name)) == 2

    mine = [{"order_date": date(2026, 12, 1), "doc_no": "PO-99", "sku": "A002", "qty": 5}]
    typed = write_book(tmp_path / "dec3.xlsx", {**small_month(), ORDERS.name: mine}, period="2026-12")
    close_month(nov, typed)  # next month already keeps orders: they are the user's, left as they are
    assert list(read_workbook(typed).df(ORDERS.name)["doc_no"]) == ["PO-99"]
