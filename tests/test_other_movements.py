"""Other movements (其他出入库, tblOther, issue 12.3): hand-checked costs per method to the cent, the identity of
every 库存 row on random ledgers, the stock card, the analysis' loss rate, the summary, the findings, and a
workbook without the table reading, validating and syncing as before."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl.core.analysis import analyse
from jxc_xl.core.card import card_lines
from jxc_xl.core.generate import generate
from jxc_xl.core.rules import check
from jxc_xl.core.summary import summary_rows
from jxc_xl.core.valuation import Valuation, value_month
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.template.generated import OTHER_STOCK_KEYS
from jxc_xl.schema import CARD_KINDS, COMPUTED, COUNTS, ITEMS, OPENING, OTHER, PURCHASES, SALES, STOCK, SUMMARY
from jxc_xl.sync import close_month, sync_file
from jxc_xl.validate import validate_file
from tests.factories import make_workbook, small_month, write_book
from tests.libreoffice import recalc, require_soffice

METHODS = ("moving_average", "monthly_average", "fifo")
RECEIPTS = ("purchase", "sales_return", "count_gain", "other_in")
ISSUES = ("sale", "purchase_return", "count_loss", "other_out")


def d(day: int) -> str:
    return f"2026-04-{day:02d}"


def buy(day: int, doc: str, qty: float, price: float, sku: str = "A") -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "sku": sku, "qty": qty, "unit_price": price}


def sell(day: int, doc: str, qty: float, sku: str = "A") -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "sku": sku, "qty": qty, "unit_price": 99.0}


def other(day: int, doc: str, reason: str, qty: float, sku: str = "A") -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "reason": reason, "sku": sku, "qty": qty}


def row(v: Valuation, sku: str = "A") -> dict[str, Any]:
    return v.stock.set_index("sku").loc[sku].to_dict()


def check_identity(v: Valuation) -> None:
    """Every row, exactly, from the columns 库存 shows: opening + receipts − issues + cost_adj = closing; the net
    columns keep their meaning, and the other movements are in none of them."""
    s = v.stock
    received_q = sum(s[f"{k}_qty"] for k in RECEIPTS)
    issued_q = sum(s[f"{k}_qty"] for k in ISSUES)
    np.testing.assert_allclose(s["closing_qty"], s["opening_qty"] + received_q - issued_q, rtol=0, atol=1e-9)
    received_c = sum(s[f"{k}_cents"] for k in RECEIPTS)
    issued_c = sum(s[f"{k}_cents"] for k in ISSUES)
    assert (s["closing_cents"] == s["opening_cents"] + received_c - issued_c + s["cost_adj_cents"]).all()
    net = s["in_cents"] - s["out_cents"] + s["adj_cents"] + s["other_in_cents"] - s["other_out_cents"]
    assert (s["closing_cents"] == s["opening_cents"] + net + s["cost_adj_cents"]).all()
    assert (s["in_cents"] == s["purchase_cents"] - s["purchase_return_cents"]).all()
    assert (s["out_cents"] == s["sale_cents"] - s["sales_return_cents"]).all()
    assert (s["adj_cents"] == s["count_gain_cents"] - s["count_loss_cents"]).all()
    for k in ("other_in", "other_out"):
        assert s[f"{k}_cents"].dtype == np.int64 and (s[f"{k}_qty"] >= 0).all()
    assert (s.loc[s["closing_qty"] == 0, "closing_cents"] == 0).all()
    ev = v.events  # each other line's cost adds up to its column
    for k in ("other_in", "other_out"):
        per = ev[ev["kind"] == k].groupby("sku")["cost_cents"].sum()
        assert (per == s.set_index("sku").loc[per.index, f"{k}_cents"]).all()


def check_card(wb: Any, v: Valuation) -> None:
    """The card's lines add up and each SKU's last line is its 库存 closing, to the cent."""
    card = card_lines(wb, v, "zh")
    closing = v.stock.set_index("sku")
    for sku, lines in card.groupby("sku", sort=False):
        cents = np.round(lines["balance_amount"].to_numpy() * 100).astype(np.int64)
        moved = np.round((lines["in_amount"].fillna(0) - lines["out_amount"].fillna(0)).to_numpy() * 100)
        assert (cents[1:] == cents[:-1] + moved.astype(np.int64)[1:]).all(), sku
        assert lines["balance_qty"].iloc[-1] == closing.loc[sku, "closing_qty"]
        assert cents[-1] == closing.loc[sku, "closing_cents"]


# ---------------------------------------------------------------------------------------------------
# Hand-checked costs


# buy 10 @ 10, buy 10 @ 12, 报损 3, sell 5
CASE_DAMAGE = {
    PURCHASES.name: [buy(1, "P1", 10, 10), buy(2, "P2", 10, 12)],
    OTHER.name: [other(3, "Q1", "报损", 3)],
    SALES.name: [sell(4, "S1", 5)],
}


@pytest.mark.parametrize(
    ("method", "damage", "sale", "closing"),
    [
        ("moving_average", 3300, 5500, 13200),  # unit cost 11 after both purchases
        ("monthly_average", 3300, 5500, 13200),  # the month's unit cost 220 / 20 = 11
        ("fifo", 3000, 5000, 14000),  # both from the first layer at 10; left 2 @ 10 + 10 @ 12
    ],
)
def test_damage_after_two_purchases(method: str, damage: int, sale: int, closing: int) -> None:
    wb = make_workbook(CASE_DAMAGE, valuation=method)
    v = value_month(wb)
    r = row(v)
    assert (r["other_out_qty"], r["other_out_cents"], r["other_in_qty"]) == (3, damage, 0)
    assert (r["sale_cents"], r["out_cents"], r["closing_qty"], r["closing_cents"]) == (sale, sale, 12, closing)
    assert (r["in_cents"], r["adj_cents"], r["cost_adj_cents"]) == (22000, 0, 0)  # not in the net columns
    check_identity(v)
    check_card(wb, v)
    an = analyse(wb, v)
    assert an.loc["A", "other_out_cents"] == damage
    assert an.loc["A", "loss_rate"] == pytest.approx(damage / 22000, rel=1e-12)  # 报损 / (opening + received)
    assert an.loc["A", "cogs_cents"] == sale  # a 报损 is no cost of sales


# buy 10 @ 10, 领用 3, buy 10 @ 12, sell 5: the issue before the second purchase
CASE_USE = {
    PURCHASES.name: [buy(1, "P1", 10, 10), buy(3, "P2", 10, 12)],
    OTHER.name: [other(2, "Q1", "领用", 3)],
    SALES.name: [sell(4, "S1", 5)],
}


@pytest.mark.parametrize(
    ("method", "use", "sale", "closing"),
    [
        ("moving_average", 3000, 5588, 13412),  # 3 @ 10; then 190 / 17 = 11.17647…, 5 × that = 55.88
        ("monthly_average", 3300, 5500, 13200),  # everything at 220 / 20 = 11
        ("fifo", 3000, 5000, 14000),  # 3 then 5 from the first layer at 10
    ],
)
def test_internal_use_between_purchases(method: str, use: int, sale: int, closing: int) -> None:
    wb = make_workbook(CASE_USE, valuation=method)
    v = value_month(wb)
    r = row(v)
    assert (r["other_out_cents"], r["sale_cents"], r["closing_qty"], r["closing_cents"]) == (use, sale, 12, closing)
    check_identity(v)
    check_card(wb, v)
    assert analyse(wb, v).loc["A", "loss_rate"] == 0  # 领用 is no loss


# opening 10 @ 10, buy 10 @ 12, 受赠 4, sell 6
CASE_GIFT_IN = {
    OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 10}],
    PURCHASES.name: [buy(2, "P1", 10, 12)],
    OTHER.name: [other(3, "Q1", "受赠", 4)],
    SALES.name: [sell(4, "S1", 6)],
}


@pytest.mark.parametrize(
    ("method", "gift", "sale", "closing", "unit"),
    [
        ("moving_average", 4400, 6600, 19800, 11.0),  # at the running 11, which it leaves unchanged
        ("monthly_average", 4400, 6600, 19800, 11.0),  # at the month's 11, outside the average
        ("fifo", 4400, 6000, 20400, 20400 / 18 / 100),  # a layer at 220 / 20 on hand; the sale from the opening
    ],
)
def test_gift_received_at_the_current_cost(method: str, gift: int, sale: int, closing: int, unit: float) -> None:
    wb = make_workbook(CASE_GIFT_IN, valuation=method)
    v = value_month(wb)
    r = row(v)
    assert (r["other_in_qty"], r["other_in_cents"], r["other_out_qty"]) == (4, gift, 0)
    assert (r["sale_cents"], r["closing_qty"], r["closing_cents"]) == (sale, 18, closing)
    assert r["closing_unit_cost"] == pytest.approx(unit, rel=1e-12)
    check_identity(v)
    check_card(wb, v)
    if method == "fifo":  # the gift is a layer of its own, received that day
        assert v.lots is not None
        assert v.lots["cents"].tolist() == [4000, 12000, 4400]


@pytest.mark.parametrize("method", METHODS)
def test_reasons_by_key_and_either_label_and_order_within_a_date(method: str) -> None:
    """Receipts of a date come before its issues: the same-day 受赠 lets the same-day 样品 go out of stock on hand."""
    rows = {
        PURCHASES.name: [buy(1, "P1", 2.5, 10)],
        OTHER.name: [other(5, "Q1", "Sample", 3), other(5, "Q2", "gift_in", 1), other(6, "Q3", "DAMAGE", 0.5)],
    }
    wb = make_workbook(rows, valuation=method)
    v = value_month(wb)
    r = row(v)
    assert (r["other_in_qty"], r["other_in_cents"], r["other_out_qty"], r["other_out_cents"]) == (1, 1000, 3.5, 3500)
    assert r["closing_qty"] == 0 and r["closing_cents"] == 0
    assert not [f for f in check(wb) if f.code == "negative-stock"]
    check_identity(v)


def test_card_names_the_reason() -> None:
    wb = make_workbook(CASE_DAMAGE | {OTHER.name: [*CASE_DAMAGE[OTHER.name], other(5, "Q2", "其他入库", 1)]})
    v = value_month(wb)
    card = card_lines(wb, v, "zh")
    kinds = card["kind"].tolist()
    assert kinds == ["期初", "采购入库", "采购入库", "其他出库（报损）", "销售出库", "其他入库"]
    damage = card.iloc[3]
    assert (damage["doc_no"], damage["out_qty"], damage["out_amount"], damage["balance_qty"]) == ("Q1", 3, 33.0, 17)
    en = card_lines(wb, v, "en")["kind"].tolist()
    assert en[3] == f"{CARD_KINDS['other_out'].en} (Damage/loss)" and en[5] == "Other receipt"


# ---------------------------------------------------------------------------------------------------
# Random ledgers

_line = st.tuples(
    st.sampled_from(["purchase", "sale", "count", "other_in", "other_out"]),
    st.sampled_from(["A", "B"]),
    st.integers(1, 30),  # day
    st.integers(1, 40),  # qty
    st.integers(1, 5000),  # price in cents
    st.sampled_from(["报损", "领用", "赠送", "样品", "其他出库"]),
)


def _ledger(lines: list[tuple[str, str, int, int, int, str]], opening: dict[str, tuple[int, int]]) -> dict:
    """Rows that keep stock ≥ 0 in event order (receipts of a date before its issues, counts last)."""
    order = {"purchase": 0, "other_in": 1, "sale": 2, "other_out": 3, "count": 4}
    lines = sorted(lines, key=lambda t: (t[2], order[t[0]]))
    stock = {s: q for s, (q, _) in opening.items()}
    rows: dict[str, list[dict[str, Any]]] = {
        OPENING.name: [{"sku": s, "qty": q, "unit_cost": c / 100} for s, (q, c) in opening.items()],
        PURCHASES.name: [],
        SALES.name: [],
        OTHER.name: [],
        "tblCounts": [],
    }
    for i, (kind, sku, day, q, price, reason) in enumerate(lines):
        have = stock.get(sku, 0)
        if kind == "purchase":
            rows[PURCHASES.name].append(buy(day, f"P{i}", q, price / 100, sku))
            stock[sku] = have + q
        elif kind == "other_in":
            rows[OTHER.name].append(other(day, f"Q{i}", "其他入库" if i % 2 else "受赠", q, sku))
            stock[sku] = have + q
        elif kind in ("sale", "other_out") and have > 0:
            q = min(q, have)
            line = sell(day, f"S{i}", q, sku) if kind == "sale" else other(day, f"Q{i}", reason, q, sku)
            rows[SALES.name if kind == "sale" else OTHER.name].append(line)
            stock[sku] = have - q
        elif kind == "count":
            rows["tblCounts"].append({"date": d(day), "sku": sku, "counted_qty": q % 7})
            stock[sku] = q % 7
    return rows


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(_line, max_size=40),
    opening=st.dictionaries(st.sampled_from(["A", "B"]), st.tuples(st.integers(0, 30), st.integers(1, 9999))),
)
def test_random_ledgers_balance_exactly_and_tie_to_the_card(lines, opening) -> None:
    rows = _ledger(lines, opening)
    for method in METHODS:
        wb = make_workbook(rows, valuation=method)
        v = value_month(wb)
        check_identity(v)
        check_card(wb, v)
        assert not [f for f in check(wb) if f.code == "negative-stock"]
        if method == "fifo":
            assert (v.stock["closing_cents"] >= 0).all()


# ---------------------------------------------------------------------------------------------------
# Findings


def _codes(wb: Any) -> list[tuple[str, int | None, str | None]]:
    return [(f.code, f.row, f.column) for f in check(wb) if f.sheet == OTHER.sheet("zh")]


def test_findings_fire_on_bad_lines() -> None:
    rows = {
        ITEMS.name: [{"sku": "A", "name": "a"}],
        PURCHASES.name: [buy(1, "P1", 2, 10)],
        OTHER.name: [
            other(2, "Q1", "报损", 1),  # row 2: fine
            other(3, "Q2", "丢了", 1),  # row 3: unknown reason
            other(3, "Q3", None, 1),  # row 4: no reason
            other(4, "Q4", "领用", 5),  # row 5: takes the stock to −4
            {**other(5, "Q5", "样品", 1), "sku": None},  # row 6: no SKU
            {**other(5, "Q6", "样品", 1), "qty": None},  # row 7: no qty
            {**other(5, "Q7", "样品", 1), "date": None},  # row 8: no date
            other(5, "Q8", "样品", 1, sku="ZZ"),  # row 9: not in the items
            other(5, "Q9", "样品", 0),  # row 10: qty 0
            {**other(5, "Q10", "样品", 1), "date": "2026-05-01"},  # row 11: outside the period
        ],
    }
    found = _codes(make_workbook(rows))
    assert ("other-unknown-reason", 3, "reason") in found
    assert ("required-missing", 4, "reason") in found
    assert ("negative-stock", 5, "qty") in found
    assert ("required-missing", 6, "sku") in found
    assert ("required-missing", 7, "qty") in found
    assert ("required-missing", 8, "date") in found
    assert ("unknown-sku", 9, "sku") in found
    assert ("non-positive-qty", 10, "qty") in found
    assert ("date-outside-period", 11, "date") in found
    assert not [f for f in found if f[1] == 2]
    (neg,) = [f for f in check(make_workbook(rows)) if f.code == "negative-stock"]
    assert "其他出库" in neg.message and "-4" in neg.message
    (unk,) = [f for f in check(make_workbook(rows, lang="en")) if f.code == "other-unknown-reason"]
    assert unk.severity == "error" and "丢了" in unk.message and "Damage/loss" in unk.message


def test_findings_do_not_fire_on_good_lines() -> None:
    rows = {
        ITEMS.name: [{"sku": "A", "name": "a"}],
        PURCHASES.name: [buy(1, "P1", 5, 10)],
        OTHER.name: [other(2, "Q1", "damage", 1), other(3, "Q2", "Internal use", 1), other(3, "Q3", "受赠", 2)],
    }
    assert _codes(make_workbook(rows)) == []
    assert [f for f in check(make_workbook(rows)) if f.severity == "error"] == []


def test_negative_stock_allowed_is_no_finding() -> None:
    rows = {ITEMS.name: [{"sku": "A", "name": "a"}], OTHER.name: [other(2, "Q1", "报损", 1)]}
    assert ("negative-stock", 2, "qty") in _codes(make_workbook(rows))
    assert _codes(make_workbook(rows, allow_negative=True)) == []


# ---------------------------------------------------------------------------------------------------
# Files: the sheet, and a workbook without it


def _month_with_other() -> dict[str, list[dict[str, Any]]]:
    data = small_month()
    sku = data[ITEMS.name][0]["sku"]
    data[OTHER.name] = [
        {"date": date(2026, 11, 20), "doc_no": "QT-1", "reason": "damage", "sku": sku, "qty": 1},
        {"date": date(2026, 11, 21), "doc_no": "QT-2", "reason": "gift_in", "sku": sku, "qty": 2},
        {"date": "合计", "qty": 3},  # a totals row typed below: skipped, as on every entry sheet
    ]
    return data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sync_writes_the_other_columns_and_summary(tmp_path: Path, lang: str) -> None:
    path = write_book(tmp_path / "m.xlsx", _month_with_other(), lang=lang, lookups=True)
    result = validate_file(path)
    assert result.errors == 0
    assert [f.code for f in result.findings if f.sheet == OTHER.sheet(lang)] == ["total-row-skipped"]
    sync_file(path, backup=False)
    wb = read_workbook(path)
    stock = wb.df(STOCK.name)
    first = stock.iloc[0]
    assert (first["other_in_qty"], first["other_out_qty"]) == (2, 1)
    assert first["other_out_amount"] == 18.7 and first["other_in_amount"] == 37.41
    for k in ("opening", "closing"):
        assert not stock[f"{k}_amount"].isna().any()
    received = sum(stock[f"{k}_amount"] for k in RECEIPTS)
    issued = sum(stock[f"{k}_amount"] for k in ISSUES)
    np.testing.assert_allclose(
        stock["closing_amount"], stock["opening_amount"] + received - issued + stock["cost_adj_amount"], atol=1e-9
    )
    items = wb.df(SUMMARY.name)["item"].tolist()
    assert items[15:17] == (
        ["其他入库金额", "其他出库成本（报损、领用等）"]
        if lang == "zh"
        else ["Other receipts value", "Other issues at cost (damage, internal use …)"]
    )
    summary = wb.df(SUMMARY.name)
    assert summary["amount"].iloc[15] == 37.41 and summary["amount"].iloc[16] == 18.7


def test_a_workbook_without_the_table_syncs_as_before(tmp_path: Path) -> None:
    """No tblOther (today's shape): no finding about it, 库存 without the other columns, the same figures as with
    an empty 其他出入库 sheet, and the summary without its rows."""
    old = write_book(tmp_path / "old.xlsx", omit=[OTHER.name], lookups=True)
    new = write_book(tmp_path / "new.xlsx", lookups=True)
    found_old, found_new = validate_file(old).findings, validate_file(new).findings
    assert [(f.code, f.sheet, f.cell) for f in found_old] == [(f.code, f.sheet, f.cell) for f in found_new]
    for p in (old, new):
        sync_file(p, backup=False)
    a, b = read_workbook(old), read_workbook(new)
    assert not a.tables[OTHER.name].present and b.tables[OTHER.name].present
    keys = [k for k in STOCK.keys() if k not in OTHER_STOCK_KEYS]
    sheet = python_calamine.CalamineWorkbook.from_path(str(old)).get_sheet_by_name(STOCK.sheet("zh")).to_python()
    headers = sheet[1]  # row 1: the group headers
    assert headers == [STOCK.column(k).zh for k in keys]
    pd.testing.assert_frame_equal(a.df(STOCK.name)[keys], b.df(STOCK.name)[keys])
    assert (b.df(STOCK.name)[list(OTHER_STOCK_KEYS)] == 0).all().all()
    for name in ("tblPlan", "tblSummary", "tblCard"):
        pd.testing.assert_frame_equal(a.df(name), b.df(name))


def test_summary_shows_other_rows_only_with_lines() -> None:
    empty = make_workbook(small_month(), period="2026-11")
    with_lines = make_workbook(
        _month_with_other() | {OTHER.name: _month_with_other()[OTHER.name][:2]}, period="2026-11"
    )
    rows_empty = summary_rows(empty, generate(empty), "zh")
    rows_lines = summary_rows(with_lines, generate(with_lines), "zh")
    assert len(rows_lines) == len(rows_empty) + 2
    assert [r.amount_cents for r in rows_lines[15:17]] == [3741, 1870]
    assert [r.section for r in rows_lines[15:17]] == ["month", "month"]


# ---------------------------------------------------------------------------------------------------
# 盘点's book quantity follows the other movements (formula and cached value)


def _counted_after_other() -> dict[str, list[dict[str, Any]]]:
    """small_month with 报损 2 and 受赠 1 of A001 on the 12th and a count of A001 on the 13th at the book:
    40 − 12 + 60 − 30 − 2 + 1 = 57 (the sales return of the 14th is later)."""
    data = small_month()
    data["tblCounts"] = [*data["tblCounts"], {"date": date(2026, 11, 13), "sku": "A001", "counted_qty": 57}]
    data[OTHER.name] = [
        {"date": date(2026, 11, 12), "doc_no": "QT-1", "reason": "damage", "sku": "A001", "qty": 2},
        {"date": date(2026, 11, 12), "doc_no": "QT-2", "reason": "gift_in", "sku": "A001", "qty": 1},
    ]
    return data


def _count_columns(path: Path, lang: str) -> tuple[list[Any], list[Any]]:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(COUNTS.sheet(lang)).to_python()
    book_h, diff_h = (c.header(lang) for c in COMPUTED[COUNTS.name][3:])
    return [r[rows[0].index(book_h)] for r in rows[1:]], [r[rows[0].index(diff_h)] for r in rows[1:]]


def test_count_book_quantity_follows_other_movements(tmp_path: Path) -> None:
    path = write_book(tmp_path / "m.xlsx", _counted_after_other(), lookups=True)
    assert _count_columns(path, "zh") == ([175.0, 57.0], [0.0, 0.0])
    sync_file(path, backup=False)
    a001 = read_workbook(path).df(STOCK.name).set_index("sku").loc["A001"]
    assert (a001["adj_qty"], a001["other_out_qty"], a001["other_in_qty"]) == (0, 2, 1)  # the count found the book
    old = write_book(tmp_path / "old.xlsx", small_month(), omit=[OTHER.name], lookups=True)
    with zipfile.ZipFile(old) as z:  # without the table no formula names it
        assert not any(b"tblOther[" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_libreoffice_computes_the_book_quantity_with_other_movements(tmp_path: Path, lang: str) -> None:
    require_soffice()
    src = write_book(tmp_path / "m.xlsx", _counted_after_other(), lang=lang, lookups=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp_path / "stale.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():  # every cached formula value 0: only a recalculation gives the book
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v>0</v>", re.sub(rb'(<c [^>]*?) t="str"', rb"\1", data))
            zout.writestr(info, data)
    out = openpyxl.load_workbook(recalc(tmp_path / "stale.xlsx", tmp_path / "lo"), data_only=True)
    rows = list(out[COUNTS.sheet(lang)].iter_rows(values_only=True))
    book_h = COMPUTED[COUNTS.name][3].header(lang)
    assert [r[rows[0].index(book_h)] for r in rows[1:]] == [175, 57]


@pytest.mark.parametrize("method", METHODS)
def test_close_carries_nothing_of_the_table(tmp_path: Path, method: str) -> None:
    """jxc close: the next month has an empty 其他出入库 and opens at this closing (FIFO: the layers, an other
    receipt's among them, dated the day it came in); it validates clean."""
    path = write_book(tmp_path / "m.xlsx", _month_with_other(), settings={"valuation": method}, lookups=True)
    sync_file(path, backup=False)
    nxt = tmp_path / "next.xlsx"
    close_month(path, nxt)
    assert validate_file(nxt).errors == 0
    wb = read_workbook(nxt)
    assert wb.tables[OTHER.name].present and len(wb.df(OTHER.name)) == 0
    closing = read_workbook(path).df(STOCK.name).set_index("sku")
    opening = wb.df(OPENING.name).groupby("sku")[["qty", "amount"]].sum()
    assert (opening["qty"] == closing.loc[opening.index, "closing_qty"]).all()
    np.testing.assert_allclose(opening["amount"], closing.loc[opening.index, "closing_amount"], atol=1e-9)
    if method == "fifo":
        lots = wb.df(OPENING.name)
        assert pd.Timestamp("2026-11-21") in set(lots.loc[lots["sku"] == "A001", "receipt_date"])
