"""库存 as the 收发存汇总 (issue 10.1) and no value at zero quantity (issue 12.1): the split receipt and issue
columns, the cost adjustment, the group headers above tblStock and its totals row with cached sums."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import python_calamine

from jxc_xl import close_month, read_workbook, sync_file, validate_file
from jxc_xl.consolidate import read_store
from jxc_xl.core.findings import col_letter
from jxc_xl.core.money import to_cents
from jxc_xl.core.valuation import value_month
from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.schema import (
    COUNTS,
    ITEMS,
    OPENING,
    PURCHASES,
    RETURNS,
    SALES,
    STOCK,
    STOCK_GROUPS,
    ColType,
)
from tests.factories import make_workbook, small_month, stock_rows, write_book

METHODS = ("moving_average", "monthly_average", "fifo")


def _line(day: int, doc: str, sku: str, qty: float, price: float) -> dict[str, Any]:
    return {"date": f"2026-11-{day:02d}", "doc_no": doc, "sku": sku, "qty": qty, "unit_price": price}


def _stock(v: Any, sku: str = "A") -> dict[str, Any]:
    return v.stock.set_index("sku").loc[sku].to_dict()


def _identity(st: Any) -> None:
    """closing = opening + receipts − issues + cost adjustment, and the net columns, per row to the cent."""
    receipts = st["purchase_cents"] + st["sales_return_cents"] + st["count_gain_cents"]
    issues = st["sale_cents"] + st["purchase_return_cents"] + st["count_loss_cents"]
    assert (st["closing_cents"] == st["opening_cents"] + receipts - issues + st["cost_adj_cents"]).all()
    net = st["opening_cents"] + st["in_cents"] - st["out_cents"] + st["adj_cents"] + st["cost_adj_cents"]
    assert (st["closing_cents"] == net).all()
    q_in = st["purchase_qty"] + st["sales_return_qty"] + st["count_gain_qty"]
    q_out = st["sale_qty"] + st["purchase_return_qty"] + st["count_loss_qty"]
    assert np.allclose(st["closing_qty"], st["opening_qty"] + q_in - q_out, rtol=0, atol=1e-9)
    assert (st.loc[st["closing_qty"] == 0, "closing_cents"] == 0).all()


# ---------------------------------------------------------------------------------------------------
# Issue 12's minimal case: a purchase return at the original price takes the SKU to 0 with a value left

RESIDUE = {
    ITEMS.name: [{"sku": "A", "name": "杯子", "unit": "个"}],
    PURCHASES.name: [_line(1, "P1", "A", 10, 10), _line(2, "P2", "A", 10, 12)],
    SALES.name: [_line(3, "S1", "A", 15, 30)],
    RETURNS.name: [
        {"date": "2026-11-04", "doc_no": "R1", "kind": "purchase_return", "orig_doc_no": "P1", "sku": "A", "qty": 5}
    ],
}


@pytest.mark.parametrize(
    ("method", "sale", "returned", "adj"),
    [
        # moving average: 220 / 20 = 11 → sale 165, the return leaves at 10 → 5.00 left at qty 0
        ("moving_average", 16500, 5000, -500),
        # month-end average: (220 − 50) / 15 → sale 170, nothing left
        ("monthly_average", 17000, 5000, 0),
        # FIFO: sale 100 + 5 × 12; P1's layer is gone, so the return leaves from the oldest layer at 12
        ("fifo", 16000, 6000, 0),
    ],
)
def test_zero_quantity_closes_at_zero_amount(method: str, sale: int, returned: int, adj: int) -> None:
    v = value_month(make_workbook(RESIDUE, period="2026-11", valuation=method))
    r = _stock(v)
    assert (r["closing_qty"], r["closing_cents"]) == (0, 0)
    assert (r["purchase_qty"], r["purchase_cents"]) == (20, 22000)
    assert (r["sale_qty"], r["sale_cents"]) == (15, sale)
    assert (r["purchase_return_qty"], r["purchase_return_cents"]) == (5, returned)
    assert r["cost_adj_cents"] == adj
    assert (r["in_cents"], r["out_cents"]) == (22000 - returned, sale)  # net columns keep their meaning
    _identity(v.stock)


@pytest.mark.parametrize("method", METHODS)
def test_a_closed_chain_validates_without_amount_mismatch(tmp_path: Path, method: str) -> None:
    src = write_book(tmp_path / "m11.xlsx", RESIDUE, settings={"valuation": method})
    synced = sync_file(src)
    stock = read_workbook(synced.path).df(STOCK.name).set_index("sku")
    assert stock.loc["A", "closing_qty"] == 0 and stock.loc["A", "closing_amount"] == 0
    nxt = tmp_path / "m12.xlsx"
    close_month(src, nxt)
    res = validate_file(nxt)
    assert not [f for f in res.findings if f.code == "amount-mismatch"], res.findings
    assert res.errors == 0, [(f.code, f.message) for f in res.findings if f.severity == "error"]
    opening = read_workbook(nxt).df(OPENING.name)
    assert not ((opening["qty"].fillna(0) == 0) & (opening["amount"].fillna(0) != 0)).any()


# ---------------------------------------------------------------------------------------------------
# The split columns by hand


def test_every_source_and_destination_by_hand() -> None:
    rows = {
        ITEMS.name: [{"sku": "A"}, {"sku": "B"}],
        OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 4}, {"sku": "B", "qty": 3, "unit_cost": 2.5}],
        PURCHASES.name: [_line(2, "P1", "A", 10, 6), _line(2, "P2", "B", 3, 2.5)],
        SALES.name: [_line(5, "S1", "A", 8, 20)],
        RETURNS.name: [
            {"date": "2026-11-06", "doc_no": "R1", "kind": "sales_return", "orig_doc_no": "S1", "sku": "A", "qty": 2},
            {
                "date": "2026-11-07",
                "doc_no": "R2",
                "kind": "purchase_return",
                "orig_doc_no": "P1",
                "sku": "A",
                "qty": 1,
            },
        ],
        COUNTS.name: [
            {"date": "2026-11-20", "sku": "A", "counted_qty": 14},  # book 13 → a gain of 1
            {"date": "2026-11-20", "sku": "B", "counted_qty": 4},  # book 6 → a loss of 2
        ],
    }
    v = value_month(make_workbook(rows, period="2026-11", valuation="moving_average"))
    a, b = _stock(v, "A"), _stock(v, "B")
    # A: 10 @ 4 + 10 @ 6 = 100 / 20 = 5; sale 8 → 40; return 2 @ 5 → 10; purchase return 1 @ 6 → 6 (13 @ 64/13)
    assert (a["opening_qty"], a["opening_unit_cost"], a["opening_cents"]) == (10, 4.0, 4000)
    assert (a["sale_qty"], a["sale_cents"], a["sales_return_qty"], a["sales_return_cents"]) == (8, 4000, 2, 1000)
    assert (a["purchase_return_qty"], a["purchase_return_cents"]) == (1, 600)
    assert (a["count_gain_qty"], a["count_gain_cents"], a["count_loss_qty"], a["count_loss_cents"]) == (1, 492, 0, 0)
    assert (a["closing_qty"], a["closing_cents"]) == (14, 6400 + 492)
    assert (a["in_qty"], a["out_qty"], a["adj_qty"]) == (9, 6, 1)
    assert (b["count_loss_qty"], b["count_loss_cents"], b["count_gain_qty"]) == (2, 500, 0)
    assert (b["adj_qty"], b["adj_cents"]) == (-2, -500)
    assert np.isnan(_stock(value_month(make_workbook({ITEMS.name: [{"sku": "Z"}]})), "Z")["opening_unit_cost"])
    _identity(v.stock)


def test_monthly_average_residual_without_a_sale_is_a_cost_adjustment() -> None:
    # 3 units for 0.20: the average is 0.0666…; two counts lose 1 unit each at ROUND(0.0666…) = 0.07 and the
    # month closes 1 unit at ROUND(0.0666…) = 0.07: 0.20 − 0.14 = 0.06 by the lines, so 0.01 is booked as the
    # cost adjustment (there is no sale line to carry it; out stays 0)
    rows = {
        PURCHASES.name: [_line(1, "P1", "A", 3, 0.2 / 3) | {"amount": 0.20}],
        COUNTS.name: [
            {"date": "2026-11-10", "sku": "A", "counted_qty": 2},
            {"date": "2026-11-20", "sku": "A", "counted_qty": 1},
        ],
    }
    v = value_month(make_workbook(rows, period="2026-11", valuation="monthly_average"))
    r = _stock(v)
    assert (r["purchase_cents"], r["count_loss_qty"], r["count_loss_cents"]) == (20, 2, 14)
    assert (r["closing_qty"], r["closing_cents"], r["out_cents"], r["cost_adj_cents"]) == (1, 7, 0, 1)
    _identity(v.stock)


# ---------------------------------------------------------------------------------------------------
# The sheet: group headers, totals row, formats


def test_group_headers_span_their_columns(tmp_path: Path) -> None:
    for lang in ("zh", "en"):
        p = write_book(tmp_path / f"{lang}.xlsx", small_month(), lang=lang)
        ws = openpyxl.load_workbook(p)[STOCK.sheet(lang)]
        merged = {str(r) for r in ws.merged_cells.ranges}
        keys = STOCK.keys()
        for zh, en, first, last in STOCK_GROUPS:
            a, b = f"{col_letter(keys.index(first))}1", f"{col_letter(keys.index(last))}1"
            assert (ws[a].value or "") == (zh if lang == "zh" else en)
            assert a == b or f"{a}:{b}" in merged
        assert [c.value for c in ws[2]][: len(keys)] == STOCK.headers(lang)
        assert ws.tables[STOCK.name].ref.startswith("A2:")
        covered = [k for _, _, f, t in STOCK_GROUPS for k in keys[keys.index(f) : keys.index(t) + 1]]
        assert covered == keys  # every column under exactly one group, in order


def _totals_row(path: Path) -> tuple[list[Any], list[list[Any]]]:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("库存").to_python()
    body = [r for r in rows[2:] if r[0] not in ("", None)]
    return body[-1], body[:-1]


def test_totals_row_equals_the_sum_of_each_column(tmp_path: Path) -> None:
    src = write_book(tmp_path / "m.xlsx", small_month())
    sync_file(src, backup=False)
    total, body = _totals_row(src)
    assert total[0] == "合计" and len(body) == len(small_month()[ITEMS.name])
    for j, c in enumerate(STOCK.columns):
        col = [r[j] for r in body]
        if c.type == ColType.MONEY:
            assert to_cents(total[j]) == sum(int(to_cents(x)) for x in col if x != ""), c.key
        elif c.type == ColType.QTY:
            assert total[j] == pytest.approx(sum(x for x in col if x != ""), abs=1e-9), c.key
        elif j:
            assert total[j] in ("", None), c.key  # unit costs and text: no total
    # a closing amount that is not a whole number of units: the cached sum is exact to the cent
    assert any(to_cents(x) % 100 for x in [r[STOCK.keys().index("closing_amount")] for r in body])
    sheet = _sheet_xml(src)
    assert re.search(r"<f>SUBTOTAL\(109,tblStock\[期末金额\]\)</f><v>[0-9.]+</v>", sheet)


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        wb = z.read("xl/workbook.xml").decode()
        rid = re.search(r'<sheet name="库存" sheetId="\d+" r:id="(rId\d+)"', wb)
        assert rid
        target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels
        )
        assert target
        return z.read("xl/" + target.group(1).removeprefix("/xl/")).decode()


def test_totals_follow_a_rewrite_and_sync_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    src = write_book(tmp_path / "m.xlsx", small_month())
    grown, shrunk = tmp_path / "g.xlsx", tmp_path / "s.xlsx"
    for base, dst, n in ((src, grown, 40), (grown, shrunk, 3)):
        df = stock_rows(n)
        write_tables(base, dst, {STOCK.name: df})
        total, body = _totals_row(dst)
        assert len(body) == n and total[0] == "合计"
        for key in ("opening_qty", "in_amount", "closing_amount", "adj_amount"):
            j = STOCK.keys().index(key)
            assert total[j] == pytest.approx(round(float(np.nansum(df[key].to_numpy(float))), 9), abs=1e-9), key
        stock = read_workbook(dst).df(STOCK.name)
        assert "合计" not in set(stock["sku"]) and len(stock) == n
    out1, out2 = tmp_path / "o1.xlsx", tmp_path / "o2.xlsx"
    sync_file(src, out1)
    sync_file(out1, out2)
    assert out1.read_bytes() == out2.read_bytes()


def test_unit_costs_and_money_print_with_two_decimals(tmp_path: Path) -> None:
    src = write_book(tmp_path / "m.xlsx", small_month())
    sync_file(src, backup=False)
    ws = openpyxl.load_workbook(src)[STOCK.sheet("zh")]
    for key in ("opening_unit_cost", "closing_unit_cost", "closing_amount", "cost_adj_amount"):
        cell = ws.cell(3, STOCK.keys().index(key) + 1)
        assert cell.number_format == "#,##0.00", key


def test_generated_table_readers_skip_the_group_row_and_the_totals_row(tmp_path: Path) -> None:
    src = write_book(tmp_path / "m.xlsx", small_month())
    sync_file(src, backup=False)
    wb = read_workbook(src)
    skus = wb.df(STOCK.name)["sku"].tolist()
    assert sorted(skus) == sorted(i["sku"] for i in small_month()[ITEMS.name])
    res = validate_file(src)
    assert not [f for f in res.findings if f.sheet == STOCK.sheet("zh")], res.findings
    store = read_store(src)
    assert store.status == "ok", store.message
    assert sorted(store.stock["sku"]) == sorted(skus)


def test_demo_style_month_identity_for_every_method() -> None:
    data = small_month()
    data[COUNTS.name] = [{"date": date(2026, 11, 28), "sku": "A002", "counted_qty": 150}]
    for method in METHODS:
        _identity(value_month(make_workbook(data, period="2026-11", valuation=method)).stock)
