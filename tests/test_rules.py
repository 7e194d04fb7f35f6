"""Frame-level tests of core.rules: a clean month has no finding; each code is triggered by a change that
triggers exactly it, located at the right sheet, row and cell."""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl.core.book import TableData, empty_frame, frame
from jxc_xl.core.chains import check_returns_previous, original_index
from jxc_xl.core.findings import CODES, Finding
from jxc_xl.core.messages import CATALOG, message
from jxc_xl.core.rules import check
from jxc_xl.schema import TABLES, TABLES_BY_NAME
from tests.factories import make_workbook

D = "2026-11-"


def base() -> dict[str, list[dict[str, Any]]]:
    """A small clean month (every return has a valid original, stock never negative)."""
    return {
        "tblItems": [
            {"sku": "A1", "name": "螺丝", "active": "yes"},
            {"sku": "A2", "name": "螺母", "active": "yes"},
            {"sku": "A3", "name": "垫片", "active": "是"},
            {"sku": "Z9", "name": "旧货", "active": "no"},
        ],
        "tblOpening": [
            {"sku": "A1", "qty": 10, "unit_cost": 2, "amount": 20},
            {"sku": "A2", "qty": 5, "unit_cost": 3, "amount": 15},
        ],
        "tblPurchases": [
            {"date": D + "02", "doc_no": "PO-1", "sku": "A1", "qty": 10, "unit_price": 2, "amount": 20},
            {"date": D + "02", "doc_no": "PO-1", "sku": "A3", "qty": 4, "unit_price": 5, "amount": 20},
        ],
        "tblSales": [
            {"date": D + "05", "doc_no": "SO-1", "sku": "A1", "qty": 8, "unit_price": 4, "amount": 32},
            {"date": D + "06", "doc_no": "SO-2", "sku": "A2", "qty": 2, "unit_price": 6, "amount": 12},
        ],
        "tblReturns": [
            {"date": D + "07", "doc_no": "RT-1", "kind": "sales_return", "orig_doc_no": "SO-1", "sku": "A1",
             "qty": 2, "unit_price": 4, "amount": 8},
            {"date": D + "08", "doc_no": "RT-2", "kind": "采购退货", "orig_doc_no": "PO-1", "sku": "A3",
             "qty": 1, "unit_price": 5, "amount": 5},
        ],
        "tblCounts": [{"date": D + "30", "sku": "A2", "counted_qty": 3}],
        "tblHistory": [{"sku": "A1", "period": "2026-10", "demand_qty": 12}],
    }  # fmt: skip


# Every test reads as a workbook of base()'s month unless it says otherwise (period=None: no settings).
book = partial(make_workbook, period="2026-11")


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def changed(**edits: Any) -> dict[str, list[dict[str, Any]]]:
    """base() with rows replaced/added: edits are table → {index: {col: value}} or table → [rows to add]."""
    d = copy.deepcopy(base())
    for name, e in edits.items():
        if isinstance(e, list):
            d[name].extend(e)
        else:
            for i, cols in e.items():
                d[name][i].update(cols)
    return d


def test_clean_month_has_no_finding() -> None:
    assert check(book(base())) == []


def test_every_code_has_messages_in_both_languages() -> None:
    for code in CODES:
        zh, en = CATALOG[code]
        assert zh and en and zh != en
        assert message(code, "zh") != message(code, "en")


def test_required_missing_located() -> None:
    f = check(book(changed(tblSales={1: {"doc_no": None}})))
    assert codes(f) == ["required-missing"]
    assert (f[0].sheet, f[0].row, f[0].column, f[0].cell) == ("销售出库", 3, "doc_no", "B3")
    assert "单号" in f[0].message


def test_required_missing_not_repeated_for_bad_type_or_missing_column() -> None:
    wb = book(changed(tblSales={0: {"date": None}}))
    wb.tables["tblSales"].bad["date"] = pd.Series([True, False]).to_numpy()
    assert "required-missing" not in codes(check(wb))
    wb = book(changed(tblSales={0: {"customer": "x"}}))
    wb.tables["tblSales"].df["doc_no"] = None
    wb.findings.append(Finding(code="column-missing", severity="error", sheet="销售出库", column="doc_no", message="m"))
    assert "required-missing" not in codes(check(wb))


def test_date_outside_period() -> None:
    f = check(book(changed(tblPurchases={0: {"date": "2026-10-31"}})))
    assert codes(f) == ["date-outside-period"]
    assert f[0].cell == "A2" and f[0].value == "2026-10-31" and "2026-10 " in f[0].message


def test_date_rule_skipped_without_settings() -> None:
    wb = book(changed(tblPurchases={1: {"date": "2026-12-01"}}), period=None)
    assert wb.settings is None
    assert "date-outside-period" not in codes(check(wb))


@pytest.mark.parametrize(
    ("table", "col", "value", "expect"),
    [
        ("tblSales", "qty", -2, True),
        ("tblSales", "qty", 0, True),
        ("tblCounts", "counted_qty", -1, True),
        ("tblCounts", "counted_qty", 0, False),
        ("tblOpening", "qty", 0, False),
    ],
)
def test_non_positive_qty(table: str, col: str, value: float, expect: bool) -> None:
    row = 1 if table in ("tblSales", "tblOpening") else 0
    edit = {col: value} | ({"amount": None} if table != "tblCounts" else {})
    if table == "tblOpening":
        edit = {"qty": value, "amount": 0}
    f = check(book(changed(**{table: {row: edit}})))
    if table == "tblOpening":  # A2 without opening stock: its sale of 2 goes negative, nothing else
        assert codes(f) == ["negative-stock"]
    elif expect:
        assert codes(f) == ["non-positive-qty"]
        assert f[0].column == col and f[0].value == value
    else:
        assert f == []


def test_negative_lead_time_is_reported_without_quantity_wording() -> None:
    f = check(book(changed(tblItems={0: {"lead_time_days": -3}})), lang="en")
    assert codes(f) == ["non-positive-qty"]
    assert f[0].sheet == "商品" and f[0].value == -3 and "at least 0" in f[0].message
    assert "quantities" not in f[0].message


def test_wrong_qty_is_not_also_an_amount_mismatch() -> None:
    f = check(book(changed(tblSales={1: {"qty": -2}})))  # amount 12 no longer equals -2 × 6
    assert codes(f) == ["non-positive-qty"]


def test_unknown_sku_sale_is_not_also_negative_stock() -> None:
    sale = {"date": D + "09", "doc_no": "SO-3", "sku": "NOPE", "qty": 5, "unit_price": 6}
    assert codes(check(book(changed(tblSales=[sale])))) == ["unknown-sku"]


def test_negative_price_and_amount() -> None:
    f = check(book(changed(tblPurchases={1: {"unit_price": -5, "amount": None}})))
    assert codes(f) == ["negative-price"] and f[0].cell == "F3"
    f = check(book(changed(tblOpening={0: {"unit_cost": None, "amount": -1}})))
    assert codes(f) == ["negative-price"] and f[0].column == "amount"


def test_amount_mismatch_beyond_a_cent_only() -> None:
    f = check(book(changed(tblSales={0: {"amount": 33}})))
    assert codes(f) == ["amount-mismatch"]
    assert f[0].cell == "G2" and f[0].value == 33 and "32" in f[0].message
    assert check(book(changed(tblSales={0: {"amount": 32.01}}))) == []
    f = check(book(changed(tblOpening={1: {"amount": 16}})))
    assert codes(f) == ["amount-mismatch"] and f[0].sheet == "期初"


def test_duplicate_sku_reports_the_second() -> None:
    f = check(book(changed(tblItems=[{"sku": "A1", "name": "again"}])))
    assert codes(f) == ["duplicate-sku"]
    assert f[0].row == 6 and "2" in f[0].message


def test_unknown_sku_with_suggestion() -> None:
    f = check(
        book(changed(tblPurchases=[{"date": D + "03", "doc_no": "PO-2", "sku": "A1x", "qty": 1, "unit_price": 1}]))
    )
    assert codes(f) == ["unknown-sku"]
    assert f[0].cell == "D4" and f[0].value == "A1x" and "A1" in f[0].message.replace("A1x", "")
    f = check(book(changed(tblHistory=[{"sku": "Q", "period": "2026-09", "demand_qty": 1}])))
    assert codes(f) == ["unknown-sku"] and f[0].sheet == "需求历史"


def test_inactive_sku_is_a_warning() -> None:
    f = check(
        book(changed(tblPurchases=[{"date": D + "03", "doc_no": "PO-2", "sku": "Z9", "qty": 1, "unit_price": 1}]))
    )
    assert codes(f) == ["inactive-sku"] and f[0].severity == "warning"


def test_duplicate_line_second_occurrence() -> None:
    dup = dict(base()["tblPurchases"][0])
    f = check(book(changed(tblPurchases=[dup])))
    assert codes(f) == ["duplicate-line"]
    assert f[0].row == 4 and f[0].severity == "warning" and "2" in f[0].message


def test_negative_stock_first_line_per_sku_with_balance() -> None:
    sales = [
        {"date": D + "09", "doc_no": "SO-3", "sku": "A2", "qty": 5, "unit_price": 6},
        {"date": D + "10", "doc_no": "SO-4", "sku": "A2", "qty": 1, "unit_price": 6},
    ]
    f = check(book(changed(tblSales=sales)))
    assert codes(f) == ["negative-stock"]  # only the first line below zero
    assert f[0].row == 4 and f[0].cell == "E4" and f[0].value == -2
    assert "-2" in f[0].message
    assert check(book(changed(tblSales=sales), allow_negative=True)) == []


def test_negative_stock_follows_event_order_within_a_date() -> None:
    # A3: purchase of 4 on the 2nd; a sale of 4 on the same date comes after it: no negative stock.
    same_day = {"date": D + "02", "doc_no": "SO-3", "sku": "A3", "qty": 3, "unit_price": 6}
    assert check(book(changed(tblSales=[same_day]))) == []
    f = check(book(changed(tblSales=[same_day | {"qty": 5}])))
    assert codes(f) == ["negative-stock"] and f[0].value == -1


def test_return_unknown_original() -> None:
    f = check(book(changed(tblReturns={0: {"orig_doc_no": "SO-9"}})))
    assert codes(f) == ["return-unknown-original"]
    assert f[0].column == "orig_doc_no" and f[0].cell == "D2" and "销售出库" in f[0].message
    # It may be last month's sale (valued at current cost): a warning, which says so.
    assert f[0].severity == "warning" and "上月" in f[0].message


def test_returns_against_last_months_originals() -> None:
    prev = original_index(book(base()))  # last month: SO-1 sold 8 × A1; PO-1 bought A1 and A3
    ret = {"date": D + "03", "doc_no": "RT-9", "kind": "sales_return", "orig_doc_no": "SO-1", "sku": "A1", "qty": 3}
    rows = [
        ret,
        ret | {"orig_doc_no": "SO-404"},  # in neither month
        ret | {"sku": "A2"},  # not on SO-1
        ret | {"qty": 6},  # 3 + 6 > 8
        ret | {"kind": "purchase_return", "orig_doc_no": "PO-1", "sku": "A3", "qty": 4},
        ret | {"kind": "purchase_return", "orig_doc_no": "SO-1"},  # a sale's number as a purchase: unknown
    ]
    wb = book({"tblReturns": rows})
    f = check_returns_previous(wb, prev, previous_period="2026-10", lang="en")
    got = {(x.code, x.row, x.severity) for x in f}
    assert got == {
        ("return-unknown-original", 3, "error"),
        ("return-sku-not-on-original", 4, "error"),
        ("return-exceeds-original", 5, "error"),
        ("return-unknown-original", 7, "error"),
    }
    assert all("2026-10" in x.message for x in f if x.code != "return-exceeds-original")


def test_return_sku_not_on_original() -> None:
    f = check(book(changed(tblReturns={0: {"sku": "A2"}})))
    assert codes(f) == ["return-sku-not-on-original"]
    assert f[0].cell == "E2" and "A1" in f[0].message


def test_return_before_original() -> None:
    f = check(book(changed(tblReturns={0: {"date": D + "04"}})))
    assert codes(f) == ["return-before-original"]
    assert f[0].cell == "A2" and "2026-11-05" in f[0].message


def test_return_exceeds_original_cumulative_in_date_order() -> None:
    # Row 4 is dated before row 2: in event order it returns 7 first, then row 2's 2 crosses 8.
    extra = {"date": D + "06", "doc_no": "RT-3", "kind": "sales_return", "orig_doc_no": "SO-1", "sku": "A1",
             "qty": 7, "unit_price": 4}  # fmt: skip
    f = check(book(changed(tblReturns=[extra])))
    assert codes(f) == ["return-exceeds-original"]
    assert f[0].row == 2 and f[0].value == 2
    assert "8" in f[0].message and "7" in f[0].message
    assert check(book(changed(tblReturns=[extra | {"qty": 6}]))) == []


def _closing(**over: tuple[float, float]) -> pd.DataFrame:
    rows = {"A1": (10, 20.0), "A2": (5, 15.0)} | over
    return pd.DataFrame(
        {
            "sku": list(rows),
            "closing_qty": [q for q, _ in rows.values()],
            "closing_amount": [a for _, a in rows.values()],
        }
    )


def test_opening_mismatch_qty_amount_and_missing_sku() -> None:
    assert check(book(base()), previous_closing=_closing(), previous_period="2026-10") == []
    f = check(book(base()), previous_closing=_closing(A2=(5, 15.01)), previous_period="2026-10")
    assert codes(f) == ["opening-mismatch"]
    assert (f[0].row, f[0].column, f[0].cell, f[0].value) == (3, "amount", "D3", 15)
    assert "15.01" in f[0].message and "2026-10" in f[0].message
    f = check(book(base()), previous_closing=_closing(A1=(11, 20.0), A3=(2, 10.0)))
    assert codes(f) == ["opening-mismatch", "opening-mismatch"]
    assert f[0].cell == "B2" and f[0].value == 10
    assert f[1].row is None and f[1].value == "A3" and "A3" in f[1].message


def test_english_messages() -> None:
    f = check(book(changed(tblSales={0: {"amount": 33}})), lang="en")
    assert "Amount 33 differs" in f[0].message


def test_garbage_frames_never_raise() -> None:
    wb = book(base())
    for td in wb.tables.values():
        td.df = td.df.iloc[0:0]
    assert check(wb) == []
    wb = book(base())
    wb.tables["tblSales"] = TableData(
        table=TABLES_BY_NAME["tblSales"], df=frame(TABLES_BY_NAME["tblSales"]), sheet=None
    )
    check(wb)  # a missing ledger table: skipped, no raise


cell_value = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 50),
    st.sampled_from(["A1", "A2", "A3", "Z9", "??", "", "SO-1", "PO-1", "sales_return", "2026-11-05", "2026-13-01"]),
)


@pytest.mark.slow
@pytest.mark.filterwarnings(  # frame() parsing odd test values; rules.py itself warns of nothing
    "ignore::UserWarning", "ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::RuntimeWarning:pandas.*"
)
@settings(max_examples=60, deadline=None)
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(base())), st.integers(0, 5), st.integers(0, 20), cell_value)))
def test_random_edits_never_raise_and_locate_rows(edits) -> None:
    d = copy.deepcopy(base())
    for name, i, key, value in edits:
        rows = d[name]
        cols = TABLES_BY_NAME[name].keys()
        rows[i % len(rows)][cols[key % len(cols)]] = value
    wb = book(d)
    found = check(wb, previous_closing=_closing(), previous_period="2026-10")
    for f in found:
        assert f.code in CODES and f.message and "?" not in f.message.replace("??", "")
        if f.row is not None:
            assert f.row in set(wb.tables[next(n for n, t in wb.tables.items() if t.sheet == f.sheet)].df["_row"])


def test_absent_optional_tables_are_empty_for_every_rule() -> None:
    """A month without returns, counts, history, orders or other movements (sheets absent, not just empty): no rule
    finds anything."""
    optional = [t for t in TABLES if t.optional and not t.generated]  # a generated one is only written, never read
    assert {t.name for t in optional} == {
        "tblReturns",
        "tblCounts",
        "tblHistory",
        "tblOrders",
        "tblCarried",
        "tblOther",
        "tblWarehouses",  # issue 12.2
        "tblTransfers",
    }
    d = {k: v for k, v in base().items() if k not in {t.name for t in optional}}
    wb = book(d)
    for t in optional:
        wb.tables[t.name] = TableData(t, empty_frame(t))  # what the reader gives for a table found nowhere
        assert not wb.tables[t.name].present
    assert check(wb, previous_closing=_closing(), previous_period="2026-10") == []
