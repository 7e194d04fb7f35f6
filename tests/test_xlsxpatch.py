"""write_tables: generated tables go in, every other byte of the package stays as it was."""

from __future__ import annotations

import math
import re
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import unescape as unescape_xml

import openpyxl
import pandas as pd
import pytest
import python_calamine
import xlsxwriter
from openpyxl.utils.escape import unescape

from jxc_xl.core.book import frame
from jxc_xl.core.findings import col_letter
from jxc_xl.errors import JxcError, NotAWorkbookError, WorkbookLockedError
from jxc_xl.io import package, xlsxpatch
from jxc_xl.io.package import SheetRef, TablePart, open_package, rewrite_parts, table_parts
from jxc_xl.io.sheetpatch import patch_sheet
from jxc_xl.io.xlsxpatch import TableNotFoundError, table_names, write_tables
from jxc_xl.schema import ANALYSIS, PLAN, STOCK, ColType, Table
from tests.factories import (
    GENERATED,
    USER_COL,
    analysis_rows,
    generated_frames,
    plan_rows,
    stock_rows,
    write_user_parts_book,
)

# ---------------------------------------------------------------------------------------------------
# Factory (the workbook and frames live in tests/factories.py)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_user_parts_book(tmp_path / "月报.xlsx", tmp_path)


# ---------------------------------------------------------------------------------------------------
# Helpers


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def part_names(path: Path) -> dict[str, str]:
    """Table name → (worksheet part, table part)."""
    p = parts_of(path)
    out = {}
    for name in p:
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            tname = re.search(rb'\sname="([^"]+)"', p[name]).group(1).decode()
            out[tname] = name
    return out


def sheet_part_for(path: Path, table: str) -> str:
    p = parts_of(path)
    tpart = part_names(path)[table]
    for name, data in p.items():
        if name.startswith("xl/worksheets/_rels/") and tpart.rsplit("/", 1)[1].encode() in data:
            return "xl/worksheets/" + name.rsplit("/", 1)[1].removesuffix(".rels")
    raise AssertionError(table)


def openpyxl_rows(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def expected_cell(table: Table, key: str, v: object) -> object:
    """What a reader should give back for a frame value."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if table.column(key).type == ColType.DATE:
        return pd.Timestamp(v).to_pydatetime()
    return v


def assert_values(path: Path, table: Table, df: pd.DataFrame, lang: str = "zh") -> None:
    rows = openpyxl_rows(path, table.sheet(lang))
    assert rows[0][: len(table.columns)] == tuple(table.headers(lang))
    width = len(table.columns)
    # openpyxl decodes Excel's _xHHHH_ escapes in shared strings only; inline strings it returns raw.
    got = [tuple(unescape(v) if isinstance(v, str) else v for v in r[:width]) for r in rows[1 : 1 + len(df)]]
    want = [
        tuple(expected_cell(table, k, v) for k, v in zip(table.keys(), rec, strict=True))
        for rec in df[table.keys()].itertuples(index=False)
    ]
    assert got == want


# ---------------------------------------------------------------------------------------------------
# Tests


def test_table_names(book: Path) -> None:
    assert table_names(book) == {"tblStock": "库存", "tblPlan": "采购计划", "tblAnalysis": "分析"}


def test_other_parts_byte_identical_and_values_read_back(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    fr = generated_frames(7)
    write_tables(book, out, fr)
    before, after = parts_of(book), parts_of(out)
    assert list(before) == list(after)  # same entries, same order
    allowed = set()
    for t in GENERATED:
        allowed |= {part_names(book)[t.name], sheet_part_for(book, t.name)}
    # A formula on the user sheet reads tblStock, but xlsxwriter already set fullCalcOnLoad: no change needed.
    unchanged = [n for n in before if n not in allowed]
    assert len(unchanged) > 15  # chart, drawing, image, comments, vml, styles, …
    for name in unchanged:
        assert before[name] == after[name], name
    for name in allowed:
        assert before[name] != after[name], name
    for t in GENERATED:
        assert_values(out, t, fr[t.name])


def test_sheet_outside_sheet_data_unchanged(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_tables(book, out, generated_frames(30))
    part = sheet_part_for(book, "tblStock")
    old, new = parts_of(book)[part].decode(), parts_of(out)[part].decode()
    # After </sheetData> (conditional formatting, validation, drawing, tableParts) byte for byte.
    assert old.split("</sheetData>")[1] == new.split("</sheetData>")[1]
    assert "conditionalFormatting" in new and "dataValidation" in new and "<drawing" in new
    head_old, head_new = old.split("<sheetData")[0], new.split("<sheetData")[0]
    assert re.sub(r'<dimension ref="[^"]+"/>', "", head_old) == re.sub(r'<dimension ref="[^"]+"/>', "", head_new)
    assert f'<dimension ref="A1:{col_letter(USER_COL)}31"/>' in head_new  # 30 data rows, the anchor column


def test_table_ref_and_autofilter(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_tables(book, out, generated_frames(9))
    xml = parts_of(out)[part_names(book)["tblStock"]].decode()
    assert re.search(rf'<table [^>]*ref="A1:{STOCK_LAST}10"', xml)
    assert f'<autoFilter ref="A1:{STOCK_LAST}10"' in xml
    assert xml.count("<tableColumn ") == len(STOCK.columns)
    wb = python_calamine.CalamineWorkbook.from_path(str(out), load_tables=True)
    t = wb.get_table_by_name("tblStock")
    assert t.height == 9 and t.width == len(STOCK.columns)
    plan = wb.get_table_by_name("tblPlan")
    assert plan.height == 4


def test_calamine_reads_values_and_types(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    fr = generated_frames(6)
    write_tables(book, out, fr)
    wb = python_calamine.CalamineWorkbook.from_path(str(out), load_tables=True)
    rows = wb.get_sheet_by_name("库存").to_python(skip_empty_area=False)
    df = fr["tblStock"]
    for i, rec in enumerate(df[STOCK.keys()].itertuples(index=False), start=1):
        for j, (k, v) in enumerate(zip(STOCK.keys(), rec, strict=True)):
            got = rows[i][j]
            if isinstance(v, float) and math.isnan(v):
                assert got == "", (k, got)
            else:
                assert got == v, (k, got, v)  # floats repr-exact, e.g. 0.1 + 0.2 and cost / 3
    plan = wb.get_sheet_by_name("采购计划").to_python(skip_empty_area=False)
    col = PLAN.keys().index("order_by")
    assert plan[1][col] == date(2026, 1, 31)
    assert plan[3][col] == ""  # NaT → no value


ORDER_BY = col_letter(PLAN.keys().index("order_by"))  # tblPlan's order-by column letter


def test_cell_xml_shapes(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_tables(book, out, generated_frames(6))
    xml = parts_of(out)[sheet_part_for(book, "tblStock")].decode()
    assert '<c r="B2" s="' in xml  # name column styled from its <col>
    assert '<is><t xml:space="preserve"> leading space</t></is>' in xml
    assert "<t>&lt;&amp;&gt;\"'</t>" in xml
    assert "<t>_x005F_x000D_ literal</t>" in xml  # Excel's escape for a literal _x…_
    assert re.search(r'<c r="D2" s="\d+"><v>\d+</v></c>', xml)  # integral float written without .0
    plan = parts_of(out)[sheet_part_for(book, "tblPlan")].decode()
    assert "<v>1e+20</v>" in plan
    assert re.search(rf'<c r="{ORDER_BY}2" s="\d+"><v>46053</v></c>', plan)  # 2026-01-31 as a 1900-system serial


def test_outside_cells_kept(book: Path, tmp_path: Path) -> None:
    grown, shrunk = tmp_path / "grown.xlsx", tmp_path / "shrunk.xlsx"
    write_tables(book, grown, {"tblStock": stock_rows(10)})
    rows = openpyxl_rows(grown, "库存")
    assert rows[2][USER_COL] == "按钮" and rows[0][USER_COL] == "右侧备注"
    assert rows[2][0] == "SKU00001"
    write_tables(grown, shrunk, {"tblStock": stock_rows(1)})
    rows = openpyxl_rows(shrunk, "库存")
    assert rows[2][USER_COL] == "按钮"  # the anchor survives on a row the table left
    assert all(v is None for v in rows[2][: len(STOCK.columns)])


def test_shrink_removes_old_rows(book: Path, tmp_path: Path) -> None:
    big, small = tmp_path / "big.xlsx", tmp_path / "small.xlsx"
    write_tables(book, big, {"tblAnalysis": analysis_rows(40)})
    write_tables(big, small, {"tblAnalysis": analysis_rows(3)})
    rows = openpyxl_rows(small, "分析")
    assert len(rows) == 4
    xml = parts_of(small)[sheet_part_for(book, "tblAnalysis")].decode()
    assert '<row r="5"' not in xml
    last = col_letter(len(ANALYSIS.columns) - 1)  # the analysis table's last column
    assert f'<dimension ref="A1:{last}4"/>' in xml
    assert re.search(rf'<table [^>]*ref="A1:{last}4"', parts_of(small)[part_names(book)["tblAnalysis"]].decode())
    assert_values(small, ANALYSIS, analysis_rows(3))


def test_zero_rows_keeps_one_styled_empty_row(book: Path, tmp_path: Path) -> None:
    full, empty = tmp_path / "full.xlsx", tmp_path / "empty.xlsx"
    write_tables(book, full, {"tblPlan": plan_rows(4)})
    write_tables(full, empty, {"tblPlan": frame(PLAN)})
    xml = parts_of(empty)[sheet_part_for(book, "tblPlan")].decode()
    tbl = parts_of(empty)[part_names(book)["tblPlan"]].decode()
    last = col_letter(len(PLAN.columns) - 1)
    assert re.search(rf'<table [^>]*ref="A1:{last}2"', tbl)
    row2 = re.search(r'<row r="2"[^>]*>(.*?)</row>', xml).group(1)
    assert "<v>" not in row2 and "<is>" not in row2
    assert re.search(rf'<c r="{ORDER_BY}2" s="\d+"/>', row2)  # the date style stays for the next sync
    assert '<row r="3"' not in xml
    assert len(openpyxl_rows(empty, "采购计划")) <= 2
    # The styles survive a round trip through an empty table.
    again = tmp_path / "again.xlsx"
    write_tables(empty, again, {"tblPlan": plan_rows(2)})
    orig = parts_of(book)[sheet_part_for(book, "tblPlan")].decode()
    s_date = re.search(rf'<c r="{ORDER_BY}2" s="(\d+)"', orig).group(1)
    assert f'<c r="{ORDER_BY}3" s="{s_date}"><v>' in parts_of(again)[sheet_part_for(book, "tblPlan")].decode()


@pytest.mark.slow
def test_deterministic_and_idempotent(book: Path, tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    write_tables(book, a, generated_frames(8))
    time.sleep(1.1)  # a wall-clock stamp anywhere would now differ
    write_tables(book, b, generated_frames(8))
    assert a.read_bytes() == b.read_bytes()
    write_tables(a, c, generated_frames(8))
    assert c.read_bytes() == a.read_bytes()  # sync the synced: nothing moves


def test_date1904(tmp_path: Path) -> None:
    src = write_user_parts_book(tmp_path / "m.xlsx", tmp_path, date_1904=True)
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {"tblPlan": plan_rows(2)})
    xml = parts_of(out)[sheet_part_for(src, "tblPlan")].decode()
    assert re.search(rf'<c r="{ORDER_BY}2" s="\d+"><v>44591</v></c>', xml)  # 46053 − 1462
    rows = openpyxl_rows(out, "采购计划")
    assert rows[1][PLAN.keys().index("order_by")] == datetime(2026, 1, 31)


def test_english_headers(tmp_path: Path) -> None:
    src = write_user_parts_book(tmp_path / "en.xlsx", tmp_path, lang="en")
    out = tmp_path / "out.xlsx"
    fr = generated_frames(3)
    write_tables(src, out, fr)
    for t in GENERATED:
        assert_values(out, t, fr[t.name], lang="en")


def test_missing_frame_columns_stay_blank(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    df = stock_rows(3)[["sku", "closing_qty"]]
    write_tables(book, out, {"tblStock": df})
    rows = openpyxl_rows(out, "库存")
    assert [r[0] for r in rows[1:4]] == list(df["sku"])
    assert [r[STOCK.keys().index("closing_qty")] for r in rows[1:4]] == list(df["closing_qty"])
    assert all(rows[i][1] is None for i in range(1, 4))


CALC_CHAIN_CT = (
    '<Override PartName="/xl/calcChain.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
)
CALC_CHAIN_REL = (
    '<Relationship Id="rId99" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
)


def add_calc_chain(src: Path, dst: Path, entries: str) -> None:
    """Copy src with an xl/calcChain.xml (and its rel and content type), as Excel would have saved it."""
    p = parts_of(src)
    p["xl/calcChain.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{entries}</calcChain>'
    ).encode()
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(b"</Types>", CALC_CHAIN_CT.encode() + b"</Types>")
    rels = "xl/_rels/workbook.xml.rels"
    p[rels] = p[rels].replace(b"</Relationships>", CALC_CHAIN_REL.encode() + b"</Relationships>")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in p.items():
            z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)


def test_calc_chain_entries_dropped(book: Path, tmp_path: Path) -> None:
    src, out = tmp_path / "cc.xlsx", tmp_path / "out.xlsx"
    # Sheet 1 is the user sheet (formula in B1, kept); sheet 2 is 库存 (its table-area entries go).
    add_calc_chain(book, src, '<c r="B1" i="1"/><c r="C2" i="2"/><c r="D3"/><c r="E4" i="3"/>')
    write_tables(src, out, {"tblStock": stock_rows(2)})
    after = parts_of(out)
    chain = after["xl/calcChain.xml"].decode()
    assert '<c r="B1" i="1"/>' in chain and '<c r="E4" i="3"/>' in chain
    assert 'r="C2"' not in chain and 'r="D3"' not in chain
    assert after["[Content_Types].xml"] == parts_of(src)["[Content_Types].xml"]


def test_calc_chain_removed_when_empty(book: Path, tmp_path: Path) -> None:
    src, out = tmp_path / "cc.xlsx", tmp_path / "out.xlsx"
    add_calc_chain(book, src, '<c r="C2" i="2"/><c r="D3" i="2"/>')
    write_tables(src, out, {"tblStock": stock_rows(2)})
    before, after = parts_of(src), parts_of(out)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert after["[Content_Types].xml"] == before["[Content_Types].xml"].replace(CALC_CHAIN_CT.encode(), b"")
    assert after["xl/workbook.xml"] == before["xl/workbook.xml"]  # fullCalcOnLoad was already on
    openpyxl.load_workbook(out).close()  # a consistent package


def test_full_calc_on_load_set_when_formulas_and_missing(book: Path, tmp_path: Path) -> None:
    p = parts_of(book)
    p["xl/workbook.xml"] = re.sub(rb"<calcPr[^>]*/>", b'<calcPr calcId="191029"/>', p["xl/workbook.xml"])
    src, out, out2 = tmp_path / "nocalc.xlsx", tmp_path / "out.xlsx", tmp_path / "out2.xlsx"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in p.items():
            z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
    write_tables(src, out, {"tblStock": stock_rows(2)})
    assert b'<calcPr calcId="191029" fullCalcOnLoad="1"/>' in parts_of(out)["xl/workbook.xml"]
    write_tables(out, out2, {"tblStock": stock_rows(2)})
    assert out2.read_bytes() == out.read_bytes()


def test_lock_file_refused(book: Path, tmp_path: Path) -> None:
    lock = book.with_name("~$" + book.name)
    lock.write_bytes(b"x")
    original = book.read_bytes()
    with pytest.raises(WorkbookLockedError, match=re.escape(book.name)) as e:
        write_tables(book, book, generated_frames(2))
    assert "Excel" in str(e.value)
    assert book.read_bytes() == original
    lock.unlink()
    dst = tmp_path / "other.xlsx"
    dst.with_name("~$other.xlsx").write_bytes(b"x")
    with pytest.raises(WorkbookLockedError, match=re.escape("other.xlsx")):
        write_tables(book, dst, generated_frames(2))
    assert not dst.exists()


def test_atomic_on_failure(book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = book.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    real = package.write_package

    def boom(fh, parts):  # write part of the file, then fail
        fh.write(b"PK partial")
        raise OSError("disk full")

    monkeypatch.setattr(package, "write_package", boom)
    with pytest.raises(OSError, match="disk full"):
        write_tables(book, book, generated_frames(2), backup=False)
    assert book.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no temp file left
    monkeypatch.setattr(package, "write_package", real)
    write_tables(book, book, generated_frames(2), backup=False)
    assert book.read_bytes() != original
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_backup_made_in_place(book: Path) -> None:
    original = book.read_bytes()
    write_tables(book, book, generated_frames(3))
    bak = book.with_name("月报.bak.xlsx")
    assert bak.read_bytes() == original
    assert book.read_bytes() != original
    assert_values(book, STOCK, stock_rows(3))


def test_no_backup_for_other_dst(book: Path, tmp_path: Path) -> None:
    write_tables(book, tmp_path / "o.xlsx", generated_frames(3))
    assert not list(tmp_path.glob("*.bak.xlsx"))


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a zip")
    with pytest.raises(NotAWorkbookError, match=re.escape("bad.xlsx")):
        write_tables(bad, tmp_path / "o.xlsx", generated_frames(1))
    with pytest.raises(NotAWorkbookError, match=re.escape("missing.xlsx")):
        write_tables(tmp_path / "missing.xlsx", tmp_path / "o.xlsx", generated_frames(1))
    assert not (tmp_path / "o.xlsx").exists()


def test_missing_table(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("库存").write("A1", "x")
    wb.close()
    with pytest.raises(TableNotFoundError, match="tblStock") as e:
        write_tables(path, tmp_path / "o.xlsx", {"tblStock": stock_rows(1)})
    assert "plain.xlsx" in str(e.value) and "Table Name" in str(e.value)
    assert [p.name for p in tmp_path.iterdir()] == ["plain.xlsx"]


@pytest.mark.slow
def test_write_10k_rows(book: Path, tmp_path: Path) -> None:
    # its time is a target of bench/bench_write.py
    df = stock_rows(10_000)
    out = tmp_path / "big.xlsx"
    write_tables(book, out, {"tblStock": df})
    wb = python_calamine.CalamineWorkbook.from_path(str(out), load_tables=True)
    assert wb.get_table_by_name("tblStock").height == 10_000
    rows = wb.get_sheet_by_name("库存").to_python()
    assert rows[10_000][0] == "SKU09999"


STOCK_LAST = col_letter(len(STOCK.columns) - 1)  # tblStock's last column letter
SIDE_NOTE = f"{col_letter(len(STOCK.columns) + 1)}2"  # a note right of tblStock (and of an added column)


def make_stock_book(path: Path, *, total_row: bool = False, calc_col: bool = False) -> Path:
    """Only tblStock, optionally with a totals row and a user-added calculated column."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(STOCK.zh_sheet)
    cols: list[dict] = [{"header": h} for h in STOCK.headers("zh")]
    if total_row:
        cols[0]["total_string"] = "合计"
        cols[STOCK.keys().index("closing_amount")]["total_function"] = "sum"
    if calc_col:
        cols.append({"header": "双倍数量", "formula": "=[@期末数量]*2"})
    last_row = 1 + (1 if total_row else 0)
    ws.add_table(0, 0, last_row, len(cols) - 1, {"name": "tblStock", "columns": cols, "total_row": total_row})
    ws.write_blank(1, STOCK.keys().index("closing_amount"), None, wb.add_format({"num_format": "#,##0.00"}))
    ws.write(SIDE_NOTE, "旁注")
    wb.close()
    return path


def test_totals_row_moves_to_the_new_end(tmp_path: Path) -> None:
    src = make_stock_book(tmp_path / "t.xlsx", total_row=True)
    grown, shrunk = tmp_path / "g.xlsx", tmp_path / "s.xlsx"
    amount_col = STOCK.keys().index("closing_amount") + 1
    for dst, n, base in ((grown, 6, src), (shrunk, 2, grown)):
        write_tables(base, dst, {"tblStock": stock_rows(n)})
        tbl = parts_of(dst)[part_names(dst)["tblStock"]].decode()
        assert re.search(rf'<table [^>]*ref="A1:{STOCK_LAST}{n + 2}"', tbl)
        assert f'<autoFilter ref="A1:{STOCK_LAST}{n + 1}"' in tbl
        ws = openpyxl.load_workbook(dst)[STOCK.zh_sheet]
        assert ws.cell(n + 2, 1).value == "合计"
        assert str(ws.cell(n + 2, amount_col).value).startswith("=SUBTOTAL(109,")
        assert ws.cell(n + 1, 1).value == f"SKU{n - 1:05d}"
        assert ws.cell(n + 3, 1).value is None
        assert ws[SIDE_NOTE].value == "旁注"


def test_calculated_column_formula_filled(tmp_path: Path) -> None:
    src = make_stock_book(tmp_path / "c.xlsx", calc_col=True)
    out = tmp_path / "o.xlsx"
    write_tables(src, out, {"tblStock": stock_rows(4)})
    formula = re.search(r"<calculatedColumnFormula>(.*?)</", parts_of(src)[part_names(src)["tblStock"]].decode())
    assert formula and "期末数量" in formula.group(1)
    ws = openpyxl.load_workbook(out)[STOCK.zh_sheet]
    calc = len(STOCK.columns) + 1  # the added column, right of the schema's
    for r in range(2, 6):
        assert ws.cell(r, calc).value == "=" + unescape_xml(formula.group(1))
    assert ws.cell(6, calc).value is None


def prefix_sheet_xml(xml: str) -> str:
    """The worksheet as some .NET writers save it: every main-namespace element with an x: prefix."""
    xml = xml.replace(f'xmlns="{xlsxpatch.NS_MAIN}"', f'xmlns:x="{xlsxpatch.NS_MAIN}"', 1)
    return re.sub(r"<(/?)(?![?!])([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", xml)


def test_prefixed_worksheet(book: Path, tmp_path: Path) -> None:
    p = parts_of(book)
    part = sheet_part_for(book, "tblAnalysis")
    p[part] = prefix_sheet_xml(p[part].decode()).encode()
    src, out = tmp_path / "x.xlsx", tmp_path / "o.xlsx"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in p.items():
            z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
    df = analysis_rows(3)
    write_tables(src, out, {"tblAnalysis": df})
    xml = parts_of(out)[part].decode()
    assert "<c " not in xml and "<row " not in xml and "<v>" not in xml
    root = ElementTree.fromstring(xml)
    ns = {"m": xlsxpatch.NS_MAIN}
    rows = root.findall("m:sheetData/m:row", ns)
    assert [r.get("r") for r in rows] == ["1", "2", "3", "4"]
    sku = [
        c.findtext("m:is/m:t", namespaces=ns) for r in rows[1:] for c in r.findall("m:c", ns) if c.get("r")[0] == "A"
    ]
    assert sku == list(df["sku"])
    rev = [c.findtext("m:v", namespaces=ns) for r in rows[1:] for c in r.findall("m:c", ns) if c.get("r")[0] == "D"]
    assert [float(v) for v in rev] == list(df["revenue"])
    assert root.find("m:dimension", ns).get("ref") == f"A1:{col_letter(len(ANALYSIS.columns) - 1)}4"


def cell_xml(xml: str, ref: str) -> str:
    m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)
    return m.group() if m else ""


def test_value_types(book: Path, tmp_path: Path) -> None:
    from decimal import Decimal

    df = pd.DataFrame(
        {
            "sku": pd.Series(["a", None, "c", "d"], dtype="str"),
            "name": pd.Series([Decimal("1.10"), True, datetime(2026, 1, 2, 12), 7], dtype=object),
            "abc": pd.Series([True, False, True, False], dtype=bool),
            "revenue": pd.Series([1, None, 3, -4], dtype="Int64"),
            "cogs": pd.Series([1.5, math.inf, -0.0, 1e-7]),
            "gross_margin": pd.to_datetime(
                ["2026-01-31", None, "2026-02-01 06:00", "2026-01-01"], format="ISO8601"
            ).tz_localize("UTC"),
            "gross_margin_rate": pd.to_datetime(["1900-01-01", "1900-02-28", "1900-03-01", "1899-12-31"]),
        }
    )
    out = tmp_path / "o.xlsx"
    write_tables(book, out, {"tblAnalysis": df})
    xml = parts_of(out)[sheet_part_for(book, "tblAnalysis")].decode()
    v = {ref: re.sub(r'<c r="\w+"( s="\d+")?', "", cell_xml(xml, ref)) for ref in re.findall(r'<c r="(\w+)"', xml)}
    assert v["A2"] == ' t="inlineStr"><is><t>a</t></is></c>' and v.get("A3", "") in ("/>", "")
    assert v["B2"] == "><v>1.1</v></c>"
    assert v["B3"] == ' t="b"><v>1</v></c>'
    assert v["B4"] == "><v>46024.5</v></c>"  # 2026-01-02 12:00
    assert v["B5"] == "><v>7</v></c>"
    assert [v[f"C{r}"] for r in (2, 3)] == [' t="b"><v>1</v></c>', ' t="b"><v>0</v></c>']
    assert [v[f"D{r}"] for r in (2, 4, 5)] == ["><v>1</v></c>", "><v>3</v></c>", "><v>-4</v></c>"]
    assert v.get("D3", "/>") in ("/>", "")  # <NA>: no value
    assert [v[f"E{r}"] for r in (2, 4, 5)] == ["><v>1.5</v></c>", "><v>0</v></c>", "><v>1e-07</v></c>"]
    assert v.get("E3", "/>") in ("/>", "")  # inf: no value
    assert [v.get(f"F{r}") for r in (2, 4, 5)] == ["><v>46053</v></c>", "><v>46054.25</v></c>", "><v>46023</v></c>"]
    # Excel's serials around its phantom 1900-02-29; before 1900 there is none.
    assert [v.get(f"G{r}") for r in (2, 3, 4)] == ["><v>1</v></c>", "><v>59</v></c>", "><v>61</v></c>"]
    assert v.get("G5", "/>") in ("/>", "")
    wb = python_calamine.CalamineWorkbook.from_path(str(out))
    rows = wb.get_sheet_by_name("分析").to_python(skip_empty_area=False)
    assert rows[1][:5] == ["a", 1.1, True, 1, 1.5]


def test_growing_table_refuses_to_overwrite_cells_below_it(book: Path, tmp_path: Path) -> None:
    parts = parts_of(book)
    sheet = sheet_part_for(book, "tblStock")
    note = b'<row r="6"><c r="B6" t="inlineStr"><is><t>\xe7\x9b\x98\xe7\x82\xb9\xe4\xba\xba</t></is></c></row>'
    parts[sheet] = parts[sheet].replace(b"</sheetData>", note + b"</sheetData>")
    src = tmp_path / "note.xlsx"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
    before = src.read_bytes()
    with pytest.raises(JxcError, match=r"B6") as e:
        write_tables(src, src, {"tblStock": stock_rows(10)}, backup=False)
    assert "note.xlsx" in str(e.value) and "Nothing was written" in str(e.value)
    assert src.read_bytes() == before
    write_tables(src, tmp_path / "ok.xlsx", {"tblStock": stock_rows(3)})  # rows 2-4 stay above the note
    assert "盘点人" in parts_of(tmp_path / "ok.xlsx")[sheet].decode()


# ---------------------------------------------------------------------------------------------------
# The package layer (io.package) and the worksheet patch (io.sheetpatch), exactly


def test_package_table_parts_agree_with_table_names(book: Path) -> None:
    with open_package(book) as parts:
        found = table_parts(parts, book)
    assert {t.name: t.sheet.name for t in found} == table_names(book)
    for t in found:
        c1, _r1, c2, _r2 = t.area
        assert len(t.columns) == c2 - c1 + 1
        assert t.part.startswith("xl/tables/") and t.sheet.part.startswith("xl/worksheets/")


@pytest.mark.parametrize("from_bytes", [False, True])
def test_rewrite_parts_changes_one_part_and_copies_the_rest_compressed(
    book: Path, tmp_path: Path, from_bytes: bool
) -> None:
    out = tmp_path / "o.xlsx"
    rewrite_parts(book.read_bytes() if from_bytes else book, out, {"docProps/app.xml": b"<changed/>"})
    with zipfile.ZipFile(book) as a, zipfile.ZipFile(out) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            assert (x.date_time, x.compress_type, x.external_attr) == (y.date_time, y.compress_type, y.external_attr)
            if x.filename != "docProps/app.xml":
                assert (x.CRC, x.compress_size) == (y.CRC, y.compress_size), x.filename
        assert b.read("docProps/app.xml") == b"<changed/>"


def test_patch_sheet_exact_xml() -> None:
    sheet = SheetRef("s", 1, 1, "xl/worksheets/sheet1.xml")
    info = TablePart("tblStock", "tblStock", sheet, "xl/tables/table1.xml", "A1:B2", 1, 0, ["a", "b"], b"")
    head = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
    xml = (
        '<worksheet><dimension ref="A1:C2"/><sheetData>' + head + '<row r="2" spans="1:3"><c r="A2" s="3"/>'
        '<c r="B2"/><c r="C2"><v>9</v></c></row></sheetData></worksheet>'
    )
    frame = pd.DataFrame({"x": [1, 2], "y": ["p<", None]})
    new, area_end = patch_sheet(Path("w.xlsx"), xml, info, frame, ["x", "y"], False)
    assert area_end == 3
    assert new == (
        '<worksheet><dimension ref="A1:C3"/><sheetData>' + head + '<row r="2"><c r="A2" s="3"><v>1</v></c>'
        '<c r="B2" t="inlineStr"><is><t>p&lt;</t></is></c><c r="C2"><v>9</v></c></row>'
        '<row r="3"><c r="A3" s="3"><v>2</v></c></row></sheetData></worksheet>'
    )
