"""jxc_xl.core.cells: cell typing per column type, table blocks → frames and findings, settings."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jxc_xl.core.book import ROW, TableData
from jxc_xl.core.cell_values import convert, parse_number, to_choice, to_date, to_number, to_period, to_text
from jxc_xl.core.cells import (
    HEADER_SCAN_ROWS,
    ROWS_SHOWN,
    detect_lang,
    find_header_row,
    is_summary_label,
    match_headers,
    rows_text,
    table_data,
)
from jxc_xl.core.settings_table import read_settings
from jxc_xl.schema import (
    HISTORY,
    ITEMS,
    OPENING,
    RETURNS,
    SALES,
    SETTINGS_BY_KEY,
    SETTINGS_TABLE,
    TABLES,
    ColType,
    Lang,
)

ROOT = Path(__file__).resolve().parent.parent


def col(*values: Any) -> np.ndarray:
    a = np.empty(len(values), dtype=object)
    a[:] = list(values)
    return a


def serial(d: dt.date) -> int:
    """Excel's 1900-system day number of ``d`` (serial 0 = 1899-12-30)."""
    return (d - dt.date(1899, 12, 30)).days


def days(a: np.ndarray) -> list[dt.date | None]:
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in a]


# ---------------------------------------------------------------------------------------------------
# Numbers


def test_numbers_stored_as_text_are_read() -> None:
    out, bad, blank = to_number(col("1,234.50", " 3 ", "97.5%", "１２．５", "\u00a0-7\u00a0", 4, 2.25))
    assert out.tolist() == [1234.5, 3.0, 0.975, 12.5, -7.0, 4.0, 2.25]
    assert not bad.any() and not blank.any()


def test_number_blanks_and_garbage() -> None:
    out, bad, blank = to_number(col("", "   ", None, np.nan, "abc", True, "1.2.3", "inf", 5.0))
    assert blank.tolist() == [True, True, True, True, False, False, False, False, False]
    assert bad.tolist() == [False, False, False, False, True, True, True, True, False]
    assert np.isnan(out[:8]).all() and out[8] == 5.0


def test_all_float_column_takes_the_fast_path_unchanged() -> None:
    vals = np.random.default_rng(1).normal(size=1000) * 1000
    out, bad, blank = to_number(col(*vals.tolist()))
    assert np.array_equal(out, vals) and not bad.any() and not blank.any()


def test_a_column_of_numbers_only_keeps_the_rules_of_any_column() -> None:
    """NaN is blank, a number beyond MAX_NUMBER or an infinity is bad, ints are numbers: as in a mixed column."""
    out, bad, blank = to_number(col(1.5, np.nan, 1e16, -np.inf, 3, 2.0))
    assert blank.tolist() == [False, True, False, False, False, False]
    assert bad.tolist() == [False, False, True, True, False, False]
    assert out[0] == 1.5 and out[4] == 3.0 and np.isnan(out[1:4]).all()
    assert [x.tolist() for x in to_number(col(1.5, np.nan, 1e16, -np.inf, 3, 2.0, ""))][1][:6] == bad.tolist()


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=99))
def test_thousands_separators_round_trip(whole: int, cents: int) -> None:
    text = f"{whole:,}.{cents:02d}"
    out, bad, _ = to_number(col(text))
    expected = float(f"{whole}.{cents:02d}")
    assert not bad[0] and out[0] == expected


@pytest.mark.parametrize(
    "text",
    ["12,50", "1,5", "1.234,56", "1,2345", "12,3456.7", ",123", "1,234,56", "1,,234", "1,234.", "１２，５０", "1，5"],
)
def test_commas_other_than_thousands_groups_are_bad(text: str) -> None:
    """A decimal comma ('12,50' for 12.50) must be reported, never read 100× too large."""
    out, bad, blank = to_number(col(text, "7"))
    assert bad.tolist() == [True, False] and not blank.any()
    assert np.isnan(out[0]) and out[1] == 7.0
    assert np.isnan(parse_number(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234", 1234.0),
        ("-1,234.5", -1234.5),
        ("+12,345,678.25", 12345678.25),
        (" 1,234 ", 1234.0),
        ("１，２３４．５", 1234.5),  # full-width digits, comma and point
        ("1，234", 1234.0),  # a full-width comma between proper groups
        ("12,345%", 123.45),
        ("999", 999.0),
        ("0.5", 0.5),
    ],
)
def test_proper_thousands_groups_still_read(text: str, value: float) -> None:
    out, bad, _ = to_number(col(text))
    assert not bad[0] and out[0] == pytest.approx(value, rel=0, abs=1e-12)


# ---------------------------------------------------------------------------------------------------
# Dates


def test_dates_from_every_form() -> None:
    d = dt.date(2026, 11, 3)
    cells = col(
        dt.datetime(2026, 11, 3, 14, 30),  # time of day dropped
        d,
        serial(d),  # an int serial: a date cell that lost its format
        float(serial(d)) + 0.75,  # a serial with a time part
        "2026-11-03",
        "2026/11/3",
        "2026年11月3日",
        " 2026-11-03 08:15 ",
        "２０２６－１１－０３",
    )
    out, bad, blank = to_date(cells)
    assert out.dtype == np.dtype("datetime64[ns]")
    assert days(out) == [d] * len(cells)
    assert not bad.any() and not blank.any()


def test_float_serials_only() -> None:
    ds = [dt.date(2026, 1, 31), dt.date(2024, 2, 29), dt.date(1900, 3, 1)]
    out, bad, _ = to_date(col(*[float(serial(x)) for x in ds], 0.0, -5.0))
    assert days(out)[:3] == ds
    assert bad.tolist() == [False, False, False, True, True]  # serial 0 and negatives are no dates


def test_bad_dates_and_blanks() -> None:
    out, bad, blank = to_date(col("2026-02-30", "next week", True, "", "  ", None, "2026-11"))
    assert bad.tolist() == [True, True, True, False, False, False, True]
    assert blank.tolist() == [False, False, False, True, True, True, False]
    assert pd.isna(out).all()


# ---------------------------------------------------------------------------------------------------
# Periods, choices, text


def test_periods() -> None:
    out, bad, blank = to_period(
        col("2026-11", "2026/1", "2026年3月", " 2026.04 ", "202605", 202606.0, 202607, dt.date(2026, 8, 1))
    )
    assert out.tolist() == ["2026-11", "2026-01", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
    assert not bad.any() and not blank.any()


def test_bad_periods_and_blanks() -> None:
    out, bad, blank = to_period(col("2026-13", "26-11", "abc", 1.5, "", "   ", None))
    assert bad.tolist() == [True, True, True, True, False, False, False]
    assert blank.tolist() == [False, False, False, False, True, True, True]
    assert all(v is None for v in out)


def test_choices_by_key_zh_or_en() -> None:
    kind = RETURNS.column("kind")
    out, bad, blank = to_choice(
        kind, col("销售退货", "Purchase_Return", " SALES_RETURN ", "purchase_return", "换货", "")
    )
    assert out.tolist() == ["sales_return", "purchase_return", "sales_return", "purchase_return", None, None]
    assert bad.tolist() == [False, False, False, False, True, False]
    assert blank.tolist() == [False] * 5 + [True]


def test_yes_no_choice_takes_booleans() -> None:
    active = ITEMS.column("active")
    out, bad, _ = to_choice(active, col(True, False, "是", "否", "YES", "no", "maybe"))
    assert out.tolist() == ["yes", "no", "yes", "no", "yes", "no", None]
    assert bad.tolist() == [False] * 6 + [True]
    # a boolean in a choice that is not yes/no is not a choice
    _, bad_kind, _ = to_choice(RETURNS.column("kind"), col(True))
    assert bad_kind.tolist() == [True]


def test_text() -> None:
    out, bad, blank = to_text(
        col(" A001 ", 1001.0, 1001, 12.5, True, dt.datetime(2026, 11, 3), dt.date(2026, 1, 2), "", "  ", None)
    )
    assert out.tolist() == ["A001", "1001", "1001", "12.5", "TRUE", "2026-11-03", "2026-01-02", None, None, None]
    assert bad is None
    assert blank.tolist() == [False] * 7 + [True] * 3


@pytest.mark.parametrize(
    ("table", "key", "cell", "expected"),
    [
        (SALES, "qty", "1,234", 1234.0),
        (SALES, "date", "2026/11/3", dt.date(2026, 11, 3)),
        (HISTORY, "period", "2026年1月", "2026-01"),
        (RETURNS, "kind", " Sales_Return ", "sales_return"),
        (SALES, "sku", 1001.0, "1001"),
    ],
)
def test_convert_dispatches_on_column_type(table: Any, key: str, cell: Any, expected: Any) -> None:
    c = table.column(key)
    out, bad, blank = convert(c, col(cell))
    got = days(out)[0] if c.type == ColType.DATE else out[0]
    assert got == expected
    assert (bad is None) == (c.type == ColType.TEXT) and not blank[0]


# ---------------------------------------------------------------------------------------------------
# Headers, tables, language


def test_match_headers_any_order_case_and_whitespace() -> None:
    heads = ["  Qty ", "备注", None, "", "商品编码", "SKU", "unit  price"]
    m = match_headers(SALES, heads)
    assert m == {"qty": 0, "note": 1, "sku": 4, "unit_price": 6}  # the first of two SKU columns wins


def test_find_header_row_passes_over_title_rows() -> None:
    heads = SALES.headers("zh")
    rows = [
        ["销售出库单 2026年11月", None, None],
        [None, None],
        ["制表：张三", "日期"],  # one header word in a note row: not the header
        [None, *heads, "业务员"],
        [None, "2026-11-03", "SO-1", None, "A001", 1, 2.0],
    ]
    hr = find_header_row(SALES, rows)
    assert hr is not None
    assert (hr.index, hr.first, hr.last, hr.score) == (3, 1, len(heads), len(heads))


def test_find_header_row_most_columns_wins_and_ties_go_up() -> None:
    req = [SALES.column(k).zh for k in SALES.required_keys()]
    full = SALES.headers("en")
    rows = [req, full, full]  # the fuller row wins; of two equal rows, the upper one
    hr = find_header_row(SALES, rows)
    assert hr is not None and (hr.index, hr.score) == (1, len(full))


def test_find_header_row_requires_every_required_header() -> None:
    partial = [h for c, h in zip(SALES.columns, SALES.headers("zh"), strict=True) if c.key != "qty"]
    rows = [["标题"], partial]
    assert find_header_row(SALES, rows) is None
    # on the table's own sheet: the best partial row, so the reader can name the missing column
    hr = find_header_row(SALES, rows, require_all=False)
    assert hr is not None and (hr.index, hr.score) == (1, len(partial))
    assert find_header_row(SALES, [["标题"], [None]], require_all=False) is None


def test_find_header_row_looks_only_at_the_first_rows() -> None:
    rows = [["x"]] * HEADER_SCAN_ROWS + [SALES.headers("zh")]
    assert find_header_row(SALES, rows) is None
    rows = [["x"]] * (HEADER_SCAN_ROWS - 1) + [SALES.headers("zh")]
    hr = find_header_row(SALES, rows)
    assert hr is not None and hr.index == HEADER_SCAN_ROWS - 1


def _block(rows: list[list[Any]]) -> np.ndarray:
    a = np.empty((len(rows), len(rows[0])), dtype=object)
    a[:] = rows
    return a


def test_table_data_types_drops_blank_rows_and_reports_bad_cells() -> None:
    heads = ["单号", "日期", "商品编码", "数量", "单价", "杂项"]  # no 客户/金额/备注; an unknown column
    rows = _block(
        [
            ["S1", "2026/11/3", "A001", "1,000", 2.5, "x"],
            ["", None, "  ", "", None, "ignored"],  # blank in every known column: dropped
            ["S2", dt.datetime(2026, 11, 4), 1001.0, "abc", "3.5", None],
        ]
    )
    td, raw, findings = table_data(SALES, heads, rows, sheet="销售出库", header_row=4, first_col=1, lang="zh")
    df = td.df
    assert df[ROW].tolist() == [5, 7]
    assert df["sku"].tolist() == ["A001", "1001"]
    assert df["qty"].iloc[0] == 1000.0 and np.isnan(df["qty"].iloc[1])
    assert df["unit_price"].tolist() == [2.5, 3.5]
    assert days(df["date"].to_numpy()) == [dt.date(2026, 11, 3), dt.date(2026, 11, 4)]
    assert df["customer"].isna().all() and df["amount"].isna().all()
    assert td.col_letters["doc_no"] == "B" and td.col_letters["qty"] == "E"
    assert raw["qty"].tolist() == ["1,000", "abc"]
    assert [(f.code, f.cell, f.value) for f in findings] == [("bad-type", "E7", "abc")]
    assert findings[0].message.startswith("销售出库!E7：“数量”应为数字")
    assert td.bad["qty"].tolist() == [False, True]


def test_table_data_reports_missing_required_columns_in_the_message_language() -> None:
    td, _, findings = table_data(
        SALES, ["SKU", "Qty"], np.empty((0, 2), dtype=object), sheet="Sales", header_row=1, first_col=0, lang="en"
    )
    assert len(td.df) == 0 and td.present
    missing = sorted(f.column for f in findings if f.code == "column-missing")
    assert missing == sorted(k for k in SALES.required_keys() if k not in ("sku", "qty"))
    assert all("lacks the required column" in f.message for f in findings)


_TOTALS = [
    "合计",
    "合 计",
    " 本月合计 ",
    "小计：",
    "总计",
    "共计:",
    "本年累计",
    "累计",
    "汇总",
    "本月汇总",
    "合计金额",
    "合计数量：",
    "合计：共 3 笔",
    "Total",
    "TOTAL:",
    "Total: 3 lines",
    "Totals",
    "Total amount",
    "Subtotal",
    "Sub-total",
    "Grand total",
    "Month total",
]
_SIGNATURES = [
    "制表人：张三",
    "制表：张三",
    "审核",
    "审核：李四",
    "经手人",
    "记账:王五",
    "Prepared by: Li",
    "approved by",
]


@pytest.mark.parametrize("text", [*_TOTALS, *_SIGNATURES, "Signature"])
def test_summary_labels(text: str) -> None:
    assert is_summary_label(text)


# item codes and names that start with a label word, then data: a space, bracket or dash and more text
_DATA = ["TOTAL 5W-30", "Total Quartz 5W-30 机油", "Total Care", "Total (OEM)", "Totals (Nov)", "Subtotal 2"]
_DATA_ZH = ["合计杯", "合计 大号", "汇总表夹", "累计器", "小计(赠品)", "审核 李四", "会计 教材"]
_OTHER = ["合计器", "A001", "Totally", "Total-100", "Signature Blend", "会计科目", "不锈钢保温杯", "审核通过的订单"]


@pytest.mark.parametrize("value", [*_DATA, *_DATA_ZH, *_OTHER, "Prepared by hand", "", None, 0, 12.5])
def test_not_summary_labels(value: Any) -> None:
    assert not is_summary_label(value)


_SALES_HEADS = SALES.headers("zh")  # 日期 单号 客户 商品编码 数量 单价 金额 备注


def test_total_and_signature_rows_are_left_out_and_named_once() -> None:
    rows = _block(
        [
            [dt.date(2026, 11, 3), "S1", "张记", "A001", 2, 3.0, 6.0, None],
            [None, None, "小计", None, 2, None, 6.0, None],  # label in the customer column, sums beside it
            [dt.date(2026, 11, 4), "S2", None, "A002", 5, 1.0, 5.0, "合计"],  # a note saying 合计: a real line
            ["合计", None, None, None, 7, None, 11.0, None],
            [None, None, None, None, None, None, None, None],
            ["制表人：张三", "审核：李四", None, None, "记账：王五", None, None, None],  # text in the qty column
        ]
    )
    td, raw, findings = table_data(SALES, _SALES_HEADS, rows, sheet="销售出库", header_row=1, first_col=0, lang="zh")
    assert td.df[ROW].tolist() == [2, 4]
    assert td.df["qty"].tolist() == [2.0, 5.0] and raw["qty"].tolist() == [2, 5]
    (f,) = findings  # no bad-type for the label in 日期 or the text in 数量: those rows are no documents
    assert (f.code, f.severity, f.row, f.cell, f.value) == ("total-row-skipped", "warning", 3, "C3", "小计")
    assert "第 3、5、7 行" in f.message and "日期、单号、商品编码" in f.message


def test_a_line_with_an_identity_is_never_a_total_row() -> None:
    """An item named 合计 keeps its SKU; a line labelled 小计 but with a SKU is a real (badly dated) line."""
    items = _block([["X1", "合计", None], ["合计", "合计", None], ["合计", None, 5]])
    heads = ["商品编码", "商品名称", "参考进价"]
    td, _, findings = table_data(ITEMS, heads, items, sheet="商品", header_row=1, first_col=0, lang="zh")
    assert td.df[ROW].tolist() == [2]  # an item named 合计 is an item; 合计 as SKU and name, or with no name, is not
    assert [(f.code, f.row) for f in findings] == [("total-row-skipped", 3)]
    sales = _block([["小计", "S9", None, "A001", 1, 2.0, 2.0, None]])
    td, _, findings = table_data(SALES, _SALES_HEADS, sales, sheet="销售出库", header_row=1, first_col=0, lang="zh")
    assert td.df[ROW].tolist() == [2]
    assert [(f.code, f.cell) for f in findings] == [("bad-type", "A2")]


def test_opening_total_row_adds_nothing() -> None:
    """The phantom SKU 合计 of an opening 合计 row (its qty and amount the column sums) is not read."""
    rows = _block([["A001", 10, 2.0, 20.0], ["B001", 5, 44.0, 220.0], ["合计", 15, None, 240.0]])
    args: dict[str, Any] = {"sheet": "Opening", "header_row": 1, "first_col": 0, "lang": "en"}
    td, _, findings = table_data(OPENING, OPENING.headers("en"), rows, **args)
    assert td.df["sku"].tolist() == ["A001", "B001"] and td.df["amount"].sum() == 240.0
    assert [f.code for f in findings] == ["total-row-skipped"]
    assert findings[0].message.startswith("Sheet 'Opening', row 4: total or signature lines (such as '合计')")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_item_whose_code_and_name_start_with_total_stays_with_its_opening(lang: Lang) -> None:
    """ "TOTAL 5W-30" / "Total Quartz 5W-30 机油" / "合计杯" are items: read in 商品 and 期初, value and all."""
    items = _block(
        [
            ["A001", "保温杯", None],
            ["TOTAL 5W-30", "Total Quartz 5W-30 机油", None],
            ["合计杯", "合计杯", None],
            ["Total Care", "Total Care 洗衣液", None],
            ["合计", None, None],  # the sheet's own 合计 row
        ]
    )
    heads = [*ITEMS.headers(lang)[:2], ITEMS.headers(lang)[6]]
    args: dict[str, Any] = {"header_row": 1, "first_col": 0, "lang": lang}
    td, _, findings = table_data(ITEMS, heads, items, sheet=ITEMS.sheet(lang), **args)
    assert td.df["sku"].tolist() == ["A001", "TOTAL 5W-30", "合计杯", "Total Care"]
    assert [(f.code, f.row) for f in findings] == [("total-row-skipped", 6)]
    opening = _block(
        [["A001", 2, 3.0, 6.0], ["TOTAL 5W-30", 10, 50.0, 500.0], ["合计杯", 1, 4.0, 4.0], ["Total:", 13, None, 510.0]]
    )
    td, _, findings = table_data(OPENING, OPENING.headers(lang), opening, sheet=OPENING.sheet(lang), **args)
    assert td.df["sku"].tolist() == ["A001", "TOTAL 5W-30", "合计杯"]
    assert td.df["qty"].tolist() == [2, 10, 1] and td.df["amount"].tolist() == [6.0, 500.0, 4.0]
    assert [(f.code, f.row, f.value) for f in findings] == [("total-row-skipped", 5, "Total:")]


@pytest.mark.parametrize("label", ["本年累计", "累计", "汇总", "合计金额", "Grand total", "Total amount"])
def test_total_rows_with_sums_and_a_blank_identity_are_left_out(label: str) -> None:
    """The label before the sums, or after them in the note column; the identity columns blank."""
    line = [dt.date(2026, 11, 3), "S1", None, "A001", 2, 3.0, 6.0, None]
    rows = _block([line, [label, None, None, None, 2, None, 6.0, None], [None, None, None, None, 2, None, 6.0, label]])
    langs: tuple[Lang, ...] = ("zh", "en")
    for lang in langs:
        td, _, findings = table_data(
            SALES, SALES.headers(lang), rows, sheet=SALES.sheet(lang), header_row=1, first_col=0, lang=lang
        )
        assert td.df[ROW].tolist() == [2]
        (f,) = findings
        assert (f.code, f.row, f.cell, f.value) == ("total-row-skipped", 3, "A3", label)
        assert ("第 3、4 行" if lang == "zh" else "rows 3, 4") in f.message
    opening = _block([["A001", 2, 3.0, 6.0], [None, 2, None, 6.0]])
    td, _, findings = table_data(
        OPENING, OPENING.headers("zh"), opening, sheet="期初", header_row=1, first_col=0, lang="zh"
    )
    assert td.df[ROW].tolist() == [2, 3]  # no label anywhere: a line without its SKU, read and named by the rules
    assert findings == []


def test_settings_table_keeps_every_row() -> None:
    rows = _block([["合计", "1"], ["period", "2026-11"]])
    td, _, findings = table_data(
        SETTINGS_TABLE, ["参数", "值"], rows, sheet="参数", header_row=1, first_col=0, lang="zh"
    )
    assert td.df[ROW].tolist() == [2, 3] and findings == []


def test_rows_below_the_table_range_are_named() -> None:
    line = [dt.date(2026, 11, 3), "S1", None, "A001", 1, 2.0, 2.0, None]
    rows = _block([line, line, [None] * 8, ["合计", None, None, None, 3, None, 6.0, None], line, line])
    args: dict[str, Any] = {"sheet": "Sales", "header_row": 1, "first_col": 2, "lang": "en"}
    td, _, findings = table_data(SALES, _SALES_HEADS, rows, ref_last_row=3, **args)
    assert td.df[ROW].tolist() == [2, 3, 6, 7]
    below = [f for f in findings if f.code == "rows-below-table"]
    assert [(f.severity, f.row, f.cell) for f in below] == [("warning", 6, "C6")]  # the 合计 row 5 is not named
    assert below[0].message.startswith("Sheet 'Sales', rows 6, 7: below the Excel table (which ends at row 3)")
    _, _, inside = table_data(SALES, _SALES_HEADS, rows, ref_last_row=7, **args)
    assert "rows-below-table" not in [f.code for f in inside]
    _, _, plain = table_data(SALES, _SALES_HEADS, rows, **args)  # a plain range has no range to be below
    assert "rows-below-table" not in [f.code for f in plain]


def test_rows_text_cuts_a_long_list() -> None:
    assert rows_text([5], "en") == "row 5" and rows_text([5, 6], "zh") == "第 5、6 行"
    long = rows_text(list(range(2, 2 + ROWS_SHOWN + 5)), "en")
    assert long.startswith("rows 2, 3,") and f"({ROWS_SHOWN + 5} rows)" in long and str(ROWS_SHOWN + 2) not in long


def test_detect_lang_by_sheet_names_then_headers() -> None:
    zh_sheets = [t.zh_sheet for t in TABLES]
    assert detect_lang(zh_sheets, iter(())) == "zh"
    assert detect_lang([t.en_sheet for t in TABLES], iter(())) == "en"

    def never() -> Any:
        raise AssertionError("headers read although the sheet names decide")
        yield

    assert detect_lang(zh_sheets, never()) == "zh"
    assert detect_lang(["S1", "S2"], [("tblSales", SALES.headers("en"))]) == "en"
    assert detect_lang(["S1", "S2"], [("tblSales", SALES.headers("zh"))]) == "zh"


# ---------------------------------------------------------------------------------------------------
# Settings


def _settings_table(pairs: list[tuple[Any, Any]], sheet: str = "参数") -> tuple[TableData, np.ndarray]:
    rows = _block([[k, v, None] for k, v in pairs])
    td, raw, findings = table_data(
        SETTINGS_TABLE, SETTINGS_TABLE.headers("zh"), rows, sheet=sheet, header_row=1, first_col=0, lang="zh"
    )
    assert findings == []
    return td, raw["value"]


def test_settings_by_key_zh_or_en_label_with_text_values() -> None:
    td, raw = _settings_table(
        [
            ("会计期间", dt.datetime(2026, 11, 1)),
            ("Service level", "97.5%"),
            ("valuation", "先进先出"),
            ("允许负库存", True),
            ("Order cost", "1,200"),
            ("my own note", "whatever"),
            ("service_level", 0.5),  # a repeated key: the first counts
        ]
    )
    s, cells, findings = read_settings(td, raw, "zh")
    assert findings == []
    assert s is not None
    assert (s.period, s.service_level, s.valuation, s.allow_negative, s.order_cost) == (
        "2026-11",
        0.975,
        "fifo",
        True,
        1200.0,
    )
    assert cells["service_level"].cell == "B3" and cells["service_level"].raw == "97.5%"
    assert cells["period"].raw == "2026-11-01"  # one json_value (messages.py): dates as ISO dates


def test_settings_invalid_values_are_findings() -> None:
    sl = SETTINGS_BY_KEY["service_level"]
    td, raw = _settings_table([("period", "2026-11"), ("service_level", 1.5), ("abc_a", 0.9), ("abc_b", 0.5)])
    s, _, findings = read_settings(td, raw, "en")
    assert s is not None and s.service_level == sl.default
    assert [(f.code, f.cell) for f in findings] == [("settings-invalid", "B3"), ("settings-invalid", "B5")]
    assert "out of range" in findings[0].message


def test_settings_without_period() -> None:
    td, raw = _settings_table([("company", "ACME")])
    s, cells, findings = read_settings(td, raw, "zh")
    assert s is None and list(cells) == ["company"]
    assert [(f.code, f.column) for f in findings] == [("settings-invalid", "key")]
    td, raw = _settings_table([("period", "  ")])
    s, _, findings = read_settings(td, raw, "en")
    assert s is None and [(f.cell, f.value) for f in findings] == [("B2", "  ")]
    assert "must not be blank" in findings[0].message


# ---------------------------------------------------------------------------------------------------
# Runs without python-calamine (xlwings Lite / Pyodide)


@pytest.mark.slow
def test_core_and_excel_side_import_without_calamine() -> None:
    code = """
import sys
sys.modules["python_calamine"] = None  # as in Pyodide: importing it fails
import numpy as np
import jxc_xl.core.cell_values as cell_values
import jxc_xl.core.cells
assert not {"xlwings", "jxc_xl.io", "jxc_xl.io.reader", "jxc_xl.cli"} & set(sys.modules), sorted(sys.modules)
import jxc_xl.excel  # the xlwings side types cells with jxc_xl.core.cells alone
from jxc_xl.schema import SALES
out, bad, blank = cell_values.convert(SALES.column("qty"), np.array(["1,234.5", "x"], dtype=object))
print(out[0], bad.tolist())
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1234.5", "[False,", "True]"]
