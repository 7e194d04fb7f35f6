"""read_workbook: round trips, tolerant layouts, typed conversion, findings, unreadable files."""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl.core.book import ROW, frame
from jxc_xl.core.cell_values import to_number as _to_number
from jxc_xl.core.findings import col_letter
from jxc_xl.errors import NotAWorkbookError
from jxc_xl.io.reader import read_workbook
from jxc_xl.schema import RETURNS, SALES, SETTINGS, SETTINGS_TABLE, TABLES, ColType, table
from tests.factories import small_month, write_book

INPUT_DATA_TABLES = ["tblItems", "tblOpening", "tblPurchases", "tblSales", "tblReturns", "tblCounts", "tblHistory"]


def _codes(wb: Any) -> list[str]:
    return [f.code for f in wb.findings]


def _write_raw(path: Path, sheets: dict[str, dict[str, Any]]) -> Path:
    """Sheets by name: {"rows": [[header…], [values…]…], "table": name or None, "at": (row0, col0)}.

    Cells are written by Python type (str stays text, dates with a date format)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, spec in sheets.items():
        ws = wb.add_worksheet(name)
        rows = spec["rows"]
        r0, c0 = spec.get("at", (0, 0))
        if spec.get("table"):
            ws.add_table(
                r0,
                c0,
                r0 + max(len(rows) - 1, 1),
                c0 + len(rows[0]) - 1,
                {"name": spec["table"], "columns": [{"header": h} for h in rows[0]]},
            )
        else:
            ws.write_row(r0, c0, rows[0])
        for i, row in enumerate(rows[1:], start=1):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, date | datetime):
                    ws.write_datetime(r0 + i, c0 + j, v, date_fmt)
                elif isinstance(v, bool):
                    ws.write_boolean(r0 + i, c0 + j, v)
                elif isinstance(v, int | float):
                    ws.write_number(r0 + i, c0 + j, v)
                else:
                    ws.write_string(r0 + i, c0 + j, v)
    wb.close()
    return path


def _settings_rows(lang: str = "zh", period: str = "2026-11") -> list[list[Any]]:
    return [SETTINGS_TABLE.headers(lang), ["会计期间" if lang == "zh" else "period", period, ""]]


def _assert_frame_matches(got: pd.DataFrame, name: str, rows: list[dict]) -> None:
    want = frame(table(name), rows)
    for c in table(name).columns:
        g, w = got[c.key], want[c.key]
        if c.type in (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER):
            np.testing.assert_allclose(g.to_numpy(), w.to_numpy(), equal_nan=True, err_msg=f"{name}.{c.key}")
        elif c.type == ColType.DATE:
            assert (g.fillna(pd.Timestamp(0)) == w.fillna(pd.Timestamp(0))).all(), f"{name}.{c.key}"
        else:
            # blank text ("" in the factory) reads back as None
            norm = [None if (v is None or v != v or v == "") else v for v in w.tolist()]
            assert g.tolist() == norm, f"{name}.{c.key}"


# ---------------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_round_trip(tmp_path: Path, lang: str) -> None:
    data = small_month()
    p = write_book(tmp_path / f"m_{lang}.xlsx", data, lang=lang)
    wb = read_workbook(p)
    assert wb.findings == []
    assert wb.lang == lang
    assert wb.settings is not None and wb.settings.period == "2026-11"
    assert wb.settings.valuation == "moving_average" and wb.settings.allow_negative is False
    for name in INPUT_DATA_TABLES:
        td = wb.tables[name]
        t = table(name)
        assert td.sheet == t.sheet(lang)
        assert td.header_row == 1
        assert td.col_letters == {c.key: col_letter(j) for j, c in enumerate(t.columns)}
        assert td.df[ROW].tolist() == list(range(2, 2 + len(data[name])))
        assert list(td.df.columns) == [*t.keys(), ROW]
        _assert_frame_matches(td.df, name, data[name])
        for c in t.columns:
            dtype = td.df[c.key].dtype
            if c.type in (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER):
                assert dtype == np.float64
            elif c.type == ColType.DATE:
                assert dtype == np.dtype("datetime64[ns]")
            else:
                assert dtype == np.dtype(object)
    assert wb.tables["tblReturns"].df["kind"].tolist() == ["sales_return", "purchase_return"]
    assert wb.tables["tblItems"].df["active"].eq("yes").all()
    # generated tables: present but empty (their single blank template row is skipped)
    for t in TABLES:
        if t.generated:
            assert wb.tables[t.name].present and wb.tables[t.name].df.empty
    cell = wb.setting_cells["period"]
    assert (cell.sheet, cell.row, cell.cell, cell.raw) == (SETTINGS_TABLE.sheet(lang), 3, "B3", "2026-11")


def test_plain_range_from_builder(tmp_path: Path) -> None:
    data = small_month()
    p = write_book(tmp_path / "plain.xlsx", data, plain=["tblSales", "tblItems"])
    wb = read_workbook(p)
    assert wb.findings == []
    _assert_frame_matches(wb.df("tblSales"), "tblSales", data["tblSales"])
    _assert_frame_matches(wb.df("tblItems"), "tblItems", data["tblItems"])


def test_plain_range_on_other_sheet_with_offset_extra_columns_and_shuffled_order(tmp_path: Path) -> None:
    """A range made in another tool: sheet named otherwise, header in row 3 from column B, extra columns,
    columns in another order, headers with stray whitespace, blank rows in the middle and at the end."""
    heads = {c.key: c.zh for c in SALES.columns}
    order = ["sku", "qty", "date", "doc_no", "unit_price", "amount", "customer", "note"]
    header = [f"  {heads[k]} " for k in order]
    header.insert(2, "业务员")  # a user column
    lines = [
        ["A001", 2, "王五", date(2026, 11, 3), "SO-1", 39.0, 78.0, "张记超市", None],
        ["  ", None, None, " ", None, None, None, None, None],  # whitespace only: blank
        ["A002", 5, "王五", date(2026, 11, 4), "SO-2", 15.0, 75.0, "李氏百货", "急"],
        [None, None, "只有业务员", None, None, None, None, None, None],  # only a user column: blank for us
        [None] * 9,
    ]
    p = _write_raw(
        tmp_path / "other.xlsx",
        {
            "参数": {"rows": _settings_rows(), "table": "tblSettings"},
            "我的销售": {"rows": [header, *lines], "at": (2, 1)},
        },
    )
    wb = read_workbook(p)
    td = wb.tables["tblSales"]
    assert td.sheet == "我的销售" and td.header_row == 3
    assert td.df[ROW].tolist() == [4, 6]
    assert td.df["sku"].tolist() == ["A001", "A002"]
    assert td.df["qty"].tolist() == [2.0, 5.0]
    assert td.df["date"].tolist() == [pd.Timestamp("2026-11-03"), pd.Timestamp("2026-11-04")]
    assert td.df["customer"].tolist() == ["张记超市", "李氏百货"]
    assert td.df["note"].tolist() == [None, "急"]
    assert td.col_letters["sku"] == "B" and td.col_letters["qty"] == "C" and td.col_letters["date"] == "E"
    assert td.col_letters["note"] == "J"
    assert "table-missing" in _codes(wb)  # the other input tables are absent
    assert not any(f.sheet == "我的销售" for f in wb.findings)


def test_table_with_shuffled_and_extra_columns_at_offset(tmp_path: Path) -> None:
    heads = {c.key: c.en for c in SALES.columns}
    order = ["qty", "sku", "date", "doc_no", "unit_price"]  # optional columns absent: filled with blanks
    header = [heads[k] for k in order] + ["Salesman"]
    rows = [header, [3, "X1", date(2026, 11, 5), "SO-9", 2.5, "Ann"], [1, "X2", date(2026, 11, 6), "SO-9", 4.0, "Bo"]]
    p = _write_raw(
        tmp_path / "t.xlsx",
        {
            "Settings": {"rows": _settings_rows("en"), "table": "tblSettings"},
            "Sales": {"rows": rows, "table": "tblSales", "at": (4, 2)},
        },
    )
    wb = read_workbook(p)
    assert wb.lang == "en"
    td = wb.tables["tblSales"]
    assert td.header_row == 5 and td.df[ROW].tolist() == [6, 7]
    assert td.col_letters == {"qty": "C", "sku": "D", "date": "E", "doc_no": "F", "unit_price": "G"}
    assert td.df["qty"].tolist() == [3.0, 1.0] and td.df["sku"].tolist() == ["X1", "X2"]
    assert td.df["amount"].isna().all() and td.df["customer"].isna().all()
    assert td.cell("qty", 7) == "C7"
    assert not [f for f in wb.findings if f.sheet == "Sales"]


# ---------------------------------------------------------------------------------------------------
# Typed conversion


def test_trailing_and_middle_blank_rows(tmp_path: Path) -> None:
    data = small_month()
    blank = dict.fromkeys(SALES.keys())
    sales = data["tblSales"][:2] + [blank, blank] + data["tblSales"][2:4] + [blank] * 5
    data["tblSales"] = sales
    wb = read_workbook(write_book(tmp_path / "b.xlsx", data))
    td = wb.tables["tblSales"]
    assert td.df[ROW].tolist() == [2, 3, 6, 7]
    assert td.df["doc_no"].tolist() == [s["doc_no"] for s in sales if s["doc_no"]]
    assert wb.findings == []


def test_numbers_stored_as_text_and_float_sku_codes(tmp_path: Path) -> None:
    data = small_month()
    data["tblItems"].append({"sku": 1001, "name": "数字编码商品", "active": "yes"})
    data["tblOpening"].append({"sku": 1001, "qty": " 3 ", "unit_cost": "1,234.50", "amount": "3703.5"})
    p = write_book(tmp_path / "txt.xlsx", data)
    wb = read_workbook(p)
    assert wb.findings == []
    op = wb.df("tblOpening").iloc[-1]
    assert op["sku"] == "1001"
    assert (op["qty"], op["unit_cost"], op["amount"]) == (3.0, 1234.5, 3703.5)
    assert wb.df("tblItems")["sku"].iloc[-1] == "1001"


def test_iso_date_strings_serials_and_excel_dates(tmp_path: Path) -> None:
    heads = [c.zh for c in SALES.columns]
    vals = [date(2026, 11, 3), "2026-11-04", "2026/11/5", " 2026/11/06 ", 46333.0, datetime(2026, 11, 8, 0, 0)]
    rows = [heads] + [[v, f"SO-{i}", None, "A001", 1, 2.0, 2.0, None] for i, v in enumerate(vals)]
    p = _write_raw(
        tmp_path / "d.xlsx",
        {"参数": {"rows": _settings_rows(), "table": "tblSettings"}, "销售出库": {"rows": rows, "table": "tblSales"}},
    )
    wb = read_workbook(p)
    got = wb.df("tblSales")["date"].tolist()
    assert got == [pd.Timestamp(f"2026-11-0{d}") for d in range(3, 9)]
    assert not [f for f in wb.findings if f.code == "bad-type"]


def test_bad_types_become_findings_with_cells(tmp_path: Path) -> None:
    data = small_month()
    data["tblSales"][1]["qty"] = "十二"  # row 3
    data["tblSales"][2]["date"] = "2026-13-01"  # row 4
    data["tblReturns"][0]["kind"] = "换货"  # row 2
    data["tblHistory"][0]["period"] = "去年"  # row 2
    p = write_book(tmp_path / "bad.xlsx", data)
    wb = read_workbook(p)
    bad = {(f.sheet, f.cell, f.column): f for f in wb.findings if f.code == "bad-type"}
    ql, dl = col_letter(SALES.keys().index("qty")), col_letter(SALES.keys().index("date"))
    kl = col_letter(RETURNS.keys().index("kind"))
    assert set(bad) == {
        ("销售出库", f"{ql}3", "qty"),
        ("销售出库", f"{dl}4", "date"),
        ("退货", f"{kl}2", "kind"),
        ("需求历史", "B2", "period"),
    }
    f = bad[("退货", f"{kl}2", "kind")]
    assert f.row == 2 and f.value == "换货" and f.severity == "error"
    assert "销售退货" in f.message and "采购退货" in f.message
    assert bad[("销售出库", f"{ql}3", "qty")].value == "十二"
    sales = wb.tables["tblSales"]
    assert sales.bad["qty"].tolist() == [False, True] + [False] * (len(sales.df) - 2)
    assert sales.bad["date"].sum() == 1 and np.isnan(sales.df["qty"].iloc[1])
    assert pd.isna(wb.df("tblReturns")["kind"].iloc[0])


def test_bad_type_message_in_english(tmp_path: Path) -> None:
    data = small_month()
    data["tblSales"][0]["unit_price"] = "n/a"
    wb = read_workbook(write_book(tmp_path / "e.xlsx", data, lang="en"), msg_lang="en")
    (f,) = [f for f in wb.findings if f.code == "bad-type"]
    assert f.sheet == "Sales" and "a number" in f.message and f.value == "n/a"


# ---------------------------------------------------------------------------------------------------
# Structural findings


def test_missing_table(tmp_path: Path) -> None:
    wb = read_workbook(write_book(tmp_path / "m.xlsx", omit=["tblSales", "tblStock"]))
    missing = [f for f in wb.findings if f.code == "table-missing"]
    assert [(f.sheet, f.severity) for f in missing] == [("销售出库", "error")]  # a generated table is not required
    assert "tblSales" in missing[0].message and "销售出库" in missing[0].message
    assert not wb.tables["tblSales"].present and wb.df("tblSales").empty
    assert list(wb.df("tblSales").columns) == [*SALES.keys(), ROW]


def test_missing_required_column(tmp_path: Path) -> None:
    heads = [c.zh for c in SALES.columns if c.key != "qty"]
    rows = [heads, [date(2026, 11, 3), "SO-1", None, "A001", 2.0, 4.0, None]]
    p = _write_raw(
        tmp_path / "c.xlsx",
        {"参数": {"rows": _settings_rows(), "table": "tblSettings"}, "销售出库": {"rows": rows, "table": "tblSales"}},
    )
    wb = read_workbook(p)
    (f,) = [f for f in wb.findings if f.code == "column-missing"]
    assert (f.sheet, f.column, f.row) == ("销售出库", "qty", 1)
    assert "数量" in f.message and "单号" in f.message  # names the missing one and lists the expected headers
    df = wb.df("tblSales")
    assert df["qty"].isna().all() and df["unit_price"].tolist() == [2.0]


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("valuation", "后进先出", "先进先出"),
        ("service_level", 1.5, "< 1"),
        ("abc_a", "很多", "≤ 1"),
        ("allow_negative", "也许", "是 | 否"),
    ],
)
def test_bad_settings(tmp_path: Path, key: str, value: Any, fragment: str) -> None:
    row = [s.key for s in SETTINGS].index(key) + 2  # the settings sheet lists SETTINGS in order under its header
    wb = read_workbook(write_book(tmp_path / "s.xlsx", settings={key: value}))
    (f,) = [f for f in wb.findings if f.code == "settings-invalid"]
    assert (f.sheet, f.row, f.cell, f.column) == ("参数", row, f"B{row}", "value")
    assert fragment in f.message
    assert wb.settings is not None  # the bad one falls back to its default
    assert (
        getattr(wb.settings, key)
        == {"valuation": "moving_average", "service_level": 0.95, "abc_a": 0.8, "allow_negative": False}[key]
    )


def test_bad_or_missing_period_gives_no_settings(tmp_path: Path) -> None:
    wb = read_workbook(write_book(tmp_path / "p.xlsx", period="2026-13"))
    (f,) = [f for f in wb.findings if f.code == "settings-invalid"]
    assert f.cell == "B3" and "YYYY-MM" in f.message and wb.settings is None
    wb2 = read_workbook(write_book(tmp_path / "q.xlsx", period=None))
    assert [f.code for f in wb2.findings] == ["settings-invalid"] and wb2.settings is None


def test_settings_typed_from_text_and_labels(tmp_path: Path) -> None:
    wb = read_workbook(
        write_book(
            tmp_path / "ok.xlsx",
            settings={"valuation": "先进先出", "service_level": "0.98", "allow_negative": "是", "company": 123},
        )
    )
    s = wb.settings
    assert s is not None and wb.findings == []
    assert (s.valuation, s.service_level, s.allow_negative, s.company) == ("fifo", 0.98, True, "123")


# ---------------------------------------------------------------------------------------------------
# Files that are not workbooks; the file is never modified


def test_not_a_workbook(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    with pytest.raises(NotAWorkbookError, match=r"nope\.xlsx"):
        read_workbook(missing)
    text = tmp_path / "notes.xlsx"
    text.write_text("this is not a zip")
    with pytest.raises(NotAWorkbookError, match=r"notes\.xlsx"):
        read_workbook(text)
    good = write_book(tmp_path / "good.xlsx")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(NotAWorkbookError, match=r"cut\.xlsx"):
        read_workbook(cut)
    empty_zip = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(NotAWorkbookError, match=r"empty\.xlsx"):
        read_workbook(empty_zip)


def test_reader_never_modifies_the_file(tmp_path: Path) -> None:
    p = write_book(tmp_path / "ro.xlsx")
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    mtime = p.stat().st_mtime_ns
    read_workbook(p)
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
    assert p.stat().st_mtime_ns == mtime
    assert sorted(x.name for x in tmp_path.iterdir()) == ["ro.xlsx"]  # no lock or temp file left behind


def test_boolean_cells_and_percent_text(tmp_path: Path) -> None:
    rows = [
        SETTINGS_TABLE.headers("en"),
        ["period", "2026-11", ""],
        ["Service level", " 97.5% ", ""],
        ["allow_negative", True, ""],
    ]
    items = [
        [c.en for c in table("tblItems").columns if c.key in ("sku", "name", "active")],
        ["A1", "one", True],
        ["A2", "two", False],
        ["A3", "three", "No"],
    ]
    p = _write_raw(
        tmp_path / "b.xlsx",
        {"Settings": {"rows": rows, "table": "tblSettings"}, "Items": {"rows": items, "table": "tblItems"}},
    )
    wb = read_workbook(p)
    assert wb.settings is not None
    assert wb.settings.service_level == pytest.approx(0.975) and wb.settings.allow_negative is True
    assert wb.df("tblItems")["active"].tolist() == ["yes", "no", "no"]
    assert wb.setting_cells["service_level"].raw == " 97.5% "


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.decimals(min_value=-1e9, max_value=1e9, places=2, allow_nan=False), min_size=1, max_size=30),
    st.sampled_from(["plain", "comma", "spaced", "float"]),
)
def test_number_text_forms_parse_exactly(values: list[Any], form: str) -> None:
    cells = []
    for d in values:
        x = float(d)
        cells.append({"plain": f"{d}", "comma": f"{d:,}", "spaced": f"  {d} ", "float": x}[form])
    out, bad, blank = _to_number(np.array([*cells, "", "abc"], dtype=object))
    np.testing.assert_array_equal(out[:-2], [float(d) for d in values])
    assert bad.tolist() == [False] * len(values) + [False, True]
    assert blank.tolist() == [False] * len(values) + [True, False]


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_workbook_saved_by_libreoffice(tmp_path: Path, fmt: str) -> None:
    """A workbook re-saved by another tool: LibreOffice rewrites the table parts (xlsx) or has none (ods)."""
    from tests.libreoffice import convert, require_soffice

    require_soffice()
    data = small_month()
    src = write_book(tmp_path / "src.xlsx", data)
    out = convert(src, tmp_path / "out", fmt=fmt)
    wb = read_workbook(out)
    assert wb.findings == [] and wb.settings is not None and wb.settings.period == "2026-11"
    for name in INPUT_DATA_TABLES:
        _assert_frame_matches(wb.df(name), name, data[name])
        assert wb.df(name)[ROW].tolist() == list(range(2, 2 + len(data[name])))


# ---------------------------------------------------------------------------------------------------
# Editing a built workbook's parts (what another tool, or Excel with auto-extend off, leaves behind)


def sheet_parts(path: Path, sheet: str) -> tuple[str, list[str]]:
    """The worksheet part of ``sheet`` and its table parts, by the package's relationships."""

    def rels(part: str) -> dict[str, str]:
        d, f = posixpath.split(part)
        name = posixpath.join(d, "_rels", f + ".rels")
        if name not in z.namelist():
            return {}
        xml = z.read(name).decode()
        return {
            m[1]: posixpath.normpath(posixpath.join(d, m[2]))
            for m in re.finditer(r'<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', xml)
        }

    with zipfile.ZipFile(path) as z:
        wb_xml = z.read("xl/workbook.xml").decode()
        rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', wb_xml)[1]
        ws = rels("xl/workbook.xml")[rid]
        return ws, [t for t in rels(ws).values() if "/tables/" in t]


def edit_parts(src: Path, dst: Path, edits: dict[str, Callable[[str], str]]) -> Path:
    """A copy of ``src`` with each named part's XML text passed through its edit (which must change it)."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info.filename)
            if info.filename in edits:
                text = data.decode()
                new = edits[info.filename](text)
                assert new != text, info.filename
                data = new.encode()
            zo.writestr(info, data)
    return dst


def shrink_table(src: Path, dst: Path, sheet: str, last_row: int) -> Path:
    """``src`` with the (single) table on ``sheet`` ending at Excel row ``last_row``; the cells below stay."""
    _, (part,) = sheet_parts(src, sheet)
    return edit_parts(src, dst, {part: lambda x: re.sub(r'ref="([A-Z]+\d+:[A-Z]+)\d+"', rf'ref="\g<1>{last_row}"', x)})


def sales_below_table(path: Path, *, bad_qty: Any = None) -> tuple[Path, list[dict[str, Any]]]:
    """A workbook whose tblSales ref ends at row 5, with sales lines in rows 6–7 and 9 (row 8 blank) below it.

    Returns the file and the sales lines of rows 2–7 and 9 as written."""
    data = small_month()
    lines = data["tblSales"][:7]
    if bad_qty is not None:
        lines[6]["qty"] = bad_qty
    data["tblSales"] = [*lines[:6], dict.fromkeys(SALES.keys()), *lines[6:]]
    full = write_book(path.with_name(path.stem + "_full.xlsx"), data)
    return shrink_table(full, path, SALES.zh_sheet, 5), lines


def test_rows_typed_below_a_table_are_read(tmp_path: Path) -> None:
    p, lines = sales_below_table(tmp_path / "below.xlsx")
    with zipfile.ZipFile(p) as z:  # the file really is what the test says: a table ending at row 5
        last = col_letter(len(SALES.columns) - 1)
        assert f'ref="A1:{last}5"' in z.read(sheet_parts(p, SALES.zh_sheet)[1][0]).decode()
    wb = read_workbook(p)
    td = wb.tables["tblSales"]
    assert td.df[ROW].tolist() == [2, 3, 4, 5, 6, 7, 9]
    _assert_frame_matches(td.df, "tblSales", lines)
    assert td.cell("qty", 9) == "E9"
    # computed, and named once: the user's own formulas over the table (ref A1:H5) miss these lines
    (f,) = wb.findings
    assert (f.code, f.severity, f.sheet, f.row, f.cell) == ("rows-below-table", "warning", SALES.zh_sheet, 6, "A6")
    assert "第 6、7、9 行" in f.message and "第 5 行" in f.message


def test_rows_below_a_table_are_validated(tmp_path: Path) -> None:
    p, _ = sales_below_table(tmp_path / "below_bad.xlsx", bad_qty="12,50")
    wb = read_workbook(p)
    (f,) = [f for f in wb.findings if f.code == "bad-type"]
    assert (f.sheet, f.row, f.cell, f.column, f.value) == (SALES.zh_sheet, 9, "E9", "qty", "12,50")
    assert wb.tables["tblSales"].df[ROW].tolist() == [2, 3, 4, 5, 6, 7, 9]


def test_generated_table_reads_only_its_ref(tmp_path: Path) -> None:
    data = small_month()
    data["tblStock"] = [{"sku": f"S{i}", "name": "旧行", "closing_qty": i} for i in range(4)]
    full = write_book(tmp_path / "stock_full.xlsx", data)
    # 库存: group headers in row 1, the header in row 2; a ref ending at row 5 holds rows 3–4 and its totals row
    wb = read_workbook(shrink_table(full, tmp_path / "stock.xlsx", "库存", 5))
    assert wb.tables["tblStock"].df["sku"].tolist() == ["S0", "S1"]


def totals_sales_book(path: Path) -> Path:
    """tblSales A1:H4 with a totals row (row 4): lines in rows 2–3 and one typed below the totals row (row 5)."""
    heads = SALES.headers("zh")
    line = [None, None, None, "A001", 2, 3.0, 6.0, None]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("参数")
    ws.add_table(0, 0, 1, 2, {"name": "tblSettings", "columns": [{"header": h} for h in SETTINGS_TABLE.headers("zh")]})
    ws.write_row(1, 0, _settings_rows()[1])
    ws = wb.add_worksheet(SALES.zh_sheet)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    cols = [{"header": h} for h in heads]
    cols[4] = {"header": heads[4], "total_function": "sum"}
    ws.add_table(0, 0, 3, len(heads) - 1, {"name": "tblSales", "columns": cols, "total_row": True})
    for r in (1, 2, 4):
        ws.write_row(r, 0, line)
        ws.write_datetime(r, 0, datetime(2026, 11, 3), date_fmt)
        ws.write_string(r, 1, f"SO-{r}")
    wb.close()
    return path


def test_totals_row_is_not_data_but_rows_below_it_are(tmp_path: Path) -> None:
    got = read_workbook(totals_sales_book(tmp_path / "totals.xlsx"))
    assert got.tables["tblSales"].df[ROW].tolist() == [2, 3, 5]
    assert got.tables["tblSales"].df["doc_no"].tolist() == ["SO-1", "SO-2", "SO-4"]
    found = [(f.code, f.row) for f in got.findings if f.sheet == SALES.zh_sheet]
    assert found == [("rows-below-table", 5)]  # the line under the totals row (ref A1:H4)


def titled_sales_book(path: Path) -> tuple[Path, list[list[Any]]]:
    """tblSales as a plain range under a title: title in row 1, a note in row 2, headers in row 3, a blank
    row in the middle of the lines (row 6) and lines after it. Returns the file and the lines (rows 4–5, 7–8)."""
    heads = SALES.headers("zh")
    lines = [
        [date(2026, 11, 3), "SO-1", "张记超市", "A001", 2, 39.0, 78.0, None],
        [date(2026, 11, 4), "SO-2", None, "A002", 5, 15.0, 75.0, "急"],
        [date(2026, 11, 6), "SO-3", None, "C001", 1, 7.5, 7.5, None],
        [date(2026, 11, 7), "SO-4", "李氏百货", "A001", 3, 39.0, 117.0, None],
    ]
    rows: list[list[Any]] = [
        ["销售出库单 2026年11月", *[None] * 7],
        ["制表：张三", None, None, None, "日期：2026-11-30", None, None, None],
        heads,
        lines[0],
        lines[1],
        [None] * 8,
        lines[2],
        lines[3],
    ]
    sheets = {"参数": {"rows": _settings_rows(), "table": "tblSettings"}, SALES.zh_sheet: {"rows": rows}}
    # _write_raw takes rows[0] as the header: write the title there and every other row as data
    return _write_raw(path, sheets), lines


def test_plain_range_under_a_title_row_with_a_blank_row_inside(tmp_path: Path) -> None:
    p, lines = titled_sales_book(tmp_path / "titled.xlsx")
    wb = read_workbook(p)
    td = wb.tables["tblSales"]
    assert td.present and td.sheet == SALES.zh_sheet and td.header_row == 3
    assert td.df[ROW].tolist() == [4, 5, 7, 8]
    _assert_frame_matches(td.df, "tblSales", [dict(zip(SALES.keys()[: len(r)], r, strict=True)) for r in lines])
    assert "table-missing" not in [f.code for f in wb.findings if f.sheet == SALES.zh_sheet]


def test_plain_range_missing_a_required_column_on_its_own_sheet_is_column_missing(tmp_path: Path) -> None:
    heads = [c.zh for c in SALES.columns if c.key != "qty"]
    rows = [["销售出库单"] + [None] * 6, heads, [date(2026, 11, 3), "SO-1", None, "A001", 2.0, 4.0, None]]
    p = _write_raw(
        tmp_path / "c.xlsx", {"参数": {"rows": _settings_rows(), "table": "tblSettings"}, "销售出库": {"rows": rows}}
    )
    wb = read_workbook(p)
    assert [(f.code, f.column, f.row) for f in wb.findings if f.sheet == "销售出库"] == [("column-missing", "qty", 2)]
    assert wb.df("tblSales")["unit_price"].tolist() == [2.0]


# ---------------------------------------------------------------------------------------------------
# A sheet calamine cannot read


def _date_cell_made_impossible(tmp_path: Path) -> Path:
    """The sales sheet's first date cell (A2, date-formatted) holding -1e12: calamine panics converting it."""
    src = write_book(tmp_path / "src.xlsx")
    ws, _ = sheet_parts(src, SALES.zh_sheet)
    return edit_parts(
        src,
        tmp_path / "panic.xlsx",
        {ws: lambda x: re.sub(r'(<c r="A2"[^>]*><v>)[^<]*(</v>)', r"\g<1>-1000000000000\g<2>", x, count=1)},
    )


def test_calamine_panic_on_a_sheet_is_not_a_workbook_error(tmp_path: Path) -> None:
    import python_calamine as pc

    p = _date_cell_made_impossible(tmp_path)
    # the premise: calamine itself panics, with an exception that `except Exception` does not catch
    with pytest.raises(BaseException) as raw:
        pc.CalamineWorkbook.from_path(str(p)).get_sheet_by_name(SALES.zh_sheet).to_python()
    assert not isinstance(raw.value, Exception) and type(raw.value).__name__ == "PanicException"

    with pytest.raises(NotAWorkbookError) as err:
        read_workbook(p)
    text = str(err.value)
    assert "panic.xlsx" in text and f"'{SALES.zh_sheet}'" in text
    assert "Excel" in text and "date" in text


def test_interrupts_while_reading_a_sheet_are_not_swallowed(tmp_path: Path) -> None:
    from jxc_xl.io import reader

    class _Wb:
        sheet_names = ("s",)

        def get_sheet_by_name(self, name: str) -> Any:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reader._Sheets(_Wb(), tmp_path / "x.xlsx").get("s")  # type: ignore[arg-type]


def test_inputs_only_read_skips_the_generated_tables(tmp_path: Path) -> None:
    from jxc_xl.schema import GENERATED_TABLES, INPUT_TABLES
    from jxc_xl.sync import sync_file
    from tests.factories import small_month, write_book

    path = write_book(tmp_path / "m.xlsx", small_month())
    sync_file(path, backup=False)
    full = read_workbook(path)
    inputs = read_workbook(path, generated=False)
    assert len(full.df("tblStock")) == len(small_month()["tblItems"])
    for t in GENERATED_TABLES:
        assert inputs.df(t.name).empty and not inputs.tables[t.name].present
    for t in INPUT_TABLES:
        pd.testing.assert_frame_equal(inputs.df(t.name), full.df(t.name))
    assert inputs.settings == full.settings and inputs.findings == full.findings


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_absent_optional_table_is_a_warning_and_a_required_one_an_error(tmp_path: Path, lang: str) -> None:
    p = write_book(tmp_path / "m.xlsx", lang=lang, omit=["tblHistory", "tblSales"])
    found = {f.code: f for f in read_workbook(p, msg_lang=lang).findings}
    assert set(found) == {"optional-table-missing", "table-missing"}
    hist, sales = found["optional-table-missing"], found["table-missing"]
    assert (hist.severity, hist.sheet) == ("warning", table("tblHistory").sheet(lang))
    assert (sales.severity, sales.sheet) == ("error", SALES.sheet(lang))
    assert ("可以不改" if lang == "zh" else "which may be right") in hist.message


# ---------------------------------------------------------------------------------------------------
# Sheets whose dense block would not fit in memory (io.sheetscan)


def _with_cell(src: Path, dst: Path, part: str, cell: bytes) -> Path:
    """``src`` with one more row holding ``cell`` appended to the sheetData of worksheet ``part``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = data.replace(b"</sheetData>", cell + b"</sheetData>", 1)
            zout.writestr(info, data)
    return dst


def _sheet_part(path: Path, sheet: str) -> str:
    from jxc_xl.io.package import open_package, workbook_sheets

    with open_package(path) as parts:
        return next(s.part for s in workbook_sheets(parts, path) if s.name == sheet)


_READ_IN_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
from jxc_xl.io.reader import read_workbook
wb = read_workbook(sys.argv[1])
print(len(wb.df("tblPurchases")), [(f.code, f.cell) for f in wb.findings if f.code == "cells-ignored"])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_stray_cell_at_xfd1048576_is_left_out_not_an_abort(tmp_path: Path) -> None:
    """python-calamine would build a 17-billion-cell block (512 GB) and abort: the sheet is read without that one
    cell, in a child under a 3 GB address limit, in well under 1 GB, and a warning names the cell."""
    import subprocess
    import sys

    base = write_book(tmp_path / "m.xlsx")
    part = _sheet_part(base, "采购入库")
    bad = _with_cell(base, tmp_path / "xfd.xlsx", part, b'<row r="1048576"><c r="XFD1048576"><v>7</v></c></row>')
    proc = subprocess.run([sys.executable, "-c", _READ_IN_CHILD, str(bad)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    first, rss_kb = proc.stdout.splitlines()
    assert first == f"{len(small_month()['tblPurchases'])} [('cells-ignored', 'XFD1048576')]"
    assert int(rss_kb) < 1024**2
    wb = read_workbook(bad)
    pd.testing.assert_frame_equal(wb.df("tblPurchases"), read_workbook(base).df("tblPurchases"))
    (f,) = [f for f in wb.findings if f.code == "cells-ignored"]
    last = col_letter(len(table("tblPurchases").columns) - 1)
    assert f.severity == "warning" and f.sheet == "采购入库" and f"A1:{last}" in f.message


def test_a_far_row_in_the_tables_columns_is_read(tmp_path: Path) -> None:
    """B1048576 keeps the block at 4 columns × 1,048,576 rows: read as it is (a line typed far below). On 盘点:
    the entry sheets of 12 columns and more (the optional VAT columns) pass sheetscan.MAX_CELLS at that row."""
    base = write_book(tmp_path / "m.xlsx")
    part = _sheet_part(base, "盘点")
    bad = _with_cell(
        base,
        tmp_path / "far.xlsx",
        part,
        b'<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>PO-X</t></is></c></row>',
    )
    wb = read_workbook(bad)
    assert not [f for f in wb.findings if f.code == "cells-ignored"]
    assert any(f.row == 1048576 for f in wb.findings)  # the incomplete far line is named, not dropped


def test_cells_without_a_position_are_placed_like_calamine(tmp_path: Path) -> None:
    from jxc_xl.io import sheetscan

    xml = (
        b'<worksheet><sheetData><row r="3"><c><v>1</v></c><c r="E3"><v>2</v></c><c><v>3</v></c><c s="1"/></row>'
        b"<row><c><v>4</v></c></row></sheetData></worksheet>"
    )
    ext = sheetscan._exact(xml)
    assert ext.cells == ((3, 1), (3, 5), (3, 6), (4, 1))
    assert (ext.r1, ext.c1, ext.r2, ext.c2) == (3, 1, 4, 6)
    trimmed = sheetscan.without_cells(xml, sheetscan.SheetExtent(3, 1, 4, 5))
    assert b"<v>3</v>" not in trimmed and b"<v>4</v>" in trimmed and b"<v>2</v>" in trimmed


def test_a_sheet_that_inflates_past_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jxc_xl.io import sheetscan

    monkeypatch.setattr(sheetscan, "MAX_PART_BYTES", 2000)
    base = write_book(tmp_path / "m.xlsx")
    with pytest.raises(NotAWorkbookError, match="inflates past"):
        read_workbook(base)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.integers(1, 9_999_999),
    cols=st.integers(1, 16_384),
    row=st.integers(0, 99_999_999),
    col=st.integers(1, 16_384),
)
def test_the_scan_bound_pattern_accepts_exactly_the_plain_positions_inside(
    rows: int, cols: int, row: int, col: int
) -> None:
    from jxc_xl.io import sheetscan

    pattern = sheetscan._beyond(sheetscan._Bound(rows, cols))
    for r in (row, rows, rows + 1, row % (rows + 1)):
        for c in (col, cols, cols + 1):
            tag = f'<c r="{col_letter(c - 1)}{r}" t="n"><v>1</v></c>'.encode()
            assert (pattern.search(tag) is None) == (1 <= r <= rows and c <= cols), (rows, cols, tag)
    for odd in (
        b'<c r="A01">',
        b'<c r="A0">',
        b'<c r="a1">',
        b"<c r='A1'>",
        b'<c  r="A1">',
        b'<c\nr="A1">',
        b"<c>",
        b"<c/>",
    ):
        assert pattern.search(odd) is not None, odd
    assert pattern.search(b'<col min="1"/><cols><cfRule type="x"/>') is None  # other elements are no cells


def _scan(tmp_path: Path, sheet_data: bytes, dimension: bytes = b"") -> Any:
    from jxc_xl.io import sheetscan

    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        xml = b'<?xml version="1.0"?><worksheet xmlns="x">' + dimension + b"<sheetData>" + sheet_data
        zf.writestr("sheet.xml", xml + b"</sheetData></worksheet>")
    with zipfile.ZipFile(path) as zf:
        return sheetscan.scan_sheet(zf, "sheet.xml")


def _rows(n_rows: int, n_cols: int, first: int = 1) -> bytes:
    return b"".join(
        f'<row r="{r}">'.encode()
        + b"".join(f'<c r="{col_letter(c)}{r}"><v>{c}</v></c>'.encode() for c in range(n_cols))
        + b"</row>"
        for r in range(first, first + n_rows)
    )


def test_a_wide_ledger_is_decided_without_reading_each_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """20 or 30 columns, with a dimension, a wrong one or none: no per-cell path (``_exact`` is never called)."""
    from jxc_xl.io import sheetscan

    def no_exact(xml: bytes) -> Any:
        raise AssertionError("the per-cell path was taken")

    monkeypatch.setattr(sheetscan, "_exact", no_exact)
    data = _rows(3000, 20) + _rows(10, 30, first=3001)
    assert _scan(tmp_path, data, b'<dimension ref="A1:AD3010"/>') is None
    assert _scan(tmp_path, data, b'<dimension ref="A1:B2"/>') is None
    assert _scan(tmp_path, data) is None
    assert _scan(tmp_path, _rows(2, 3) + b'<row r="1048576"><c r="I1048576"><v>1</v></c></row>') is None  # 9.4M cells
    base = write_book(tmp_path / "m.xlsx")
    assert len(read_workbook(base).df("tblSales"))  # every sheet of a month, the wide ones included


def test_a_far_cell_is_found_however_its_tag_is_written(tmp_path: Path) -> None:
    """Whatever lets calamine place a cell far away sends the scan to the exact path, which measures the block."""
    data = _rows(50, 12)
    for far in (
        b'<c r="XFD1048576"><v>7</v></c>',
        b'<c\nr="XFD1048576"><v>7</v></c>',  # any XML white space after the name
        b'<c\tt="n"\tr="XFD1048576"><v>7</v></c>',
        b'<c s="1" r="XFD1048576"><v>7</v></c>',
        b"<c r='XFD1048576'><v>7</v></c>",
        b'<x:c r="XFD1048576"><x:v>7</x:v></x:c>',  # calamine matches the local name
        b'<c r="$XFD$1048576"><v>7</v></c>',
    ):
        ext = _scan(tmp_path, data + b'<row r="1048576">' + far + b"</row>", b'<dimension ref="A1:L50"/>')
        assert ext is not None and (ext.r2, ext.c2) == (1_048_576, 16_384), far
    ext = _scan(tmp_path, data + b'<row r="1048576"><c/><c><v>1</v></c></row>', b'<dimension ref="A1:L50"/>')
    assert ext is not None and ext.r2 == 1_048_576  # cells without a position: placed by the exact path
    ext = _scan(tmp_path, _rows(500_000 // 25, 3) + b'<row r="999999"><c r="L999999"><v>1</v></c></row>')
    assert ext is not None and ext.size == 999_999 * 12  # the bound grew past MAX_CELLS: measured exactly


def test_an_encrypted_sheet_is_named_as_encrypted_not_as_a_bad_cell(tmp_path):
    # the package check's refusal must reach the user as it is, not rewrapped as a calamine panic on a sheet
    from tests.corpus import _entries, _write_zip, _zipcrypto

    base = write_book(tmp_path / "m.xlsx").read_bytes()
    entries = _entries(base)
    sheet = next(e.name for e in entries if e.name.startswith("xl/worksheets/sheet"))
    bad = tmp_path / "enc.xlsx"
    bad.write_bytes(_write_zip([_zipcrypto(e) if e.name == sheet else e for e in entries]))
    with pytest.raises(NotAWorkbookError) as e:
        read_workbook(bad)
    assert "password-protected" in str(e.value) and "impossible value" not in str(e.value)
