"""`jxc sync` on a month kept as plain ranges: the generated tables it lacks are made as real Excel Tables.

A plain month (titles, a merged title, 合计 rows, no Excel Table: ``factories.plain_month``) gets 库存, 采购计划
and 分析 as sheets copied from the template (io.addtables); a workbook whose tables were converted to ranges
gets its tables back over the header rows it still has. Every part the sync need not touch keeps its bytes,
syncing twice gives the same bytes, and the output opens in python-calamine, openpyxl and LibreOffice.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc

from jxc_xl.errors import TableNotFoundError
from jxc_xl.io.reader import read_workbook
from jxc_xl.schema import ANALYSIS, GENERATED_TABLES, INPUT_TABLES, PLAN, STOCK, STOCK_TOTAL_LABEL, Table
from jxc_xl.sync import sync_file
from jxc_xl.validate import validate_file
from tests.factories import plain_month, small_month, write_book
from tests.libreoffice import convert

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = [t for t in GENERATED_TABLES if not t.optional]
# What sync may change in a plain month besides adding parts: the sheets' list, its relationships, the content
# types and (for the copied sheets' formats) the styles.
STRUCTURE = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "jxc_xl.cli", *args], capture_output=True, text=True, env=env)


def _stock(path: Path) -> pd.DataFrame:
    return read_workbook(path).df(STOCK.name).drop(columns=["_row"], errors="ignore").reset_index(drop=True)


def _column(ws: Any, table: Table, key: str) -> int:
    """1-based column of ``key`` on the sheet, by its header in row 2 (under 库存's group headers)."""
    head = next(c.zh for c in table.columns if c.key == key)
    return next(c.column for c in ws[2] if c.value == head)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _tables(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {name: ws.title for ws in wb.worksheets for name in ws.tables}


def table_ids(path: Path) -> list[str]:
    """The ``id`` of every table part (Excel repairs a workbook where two tables share one)."""
    import re

    with zipfile.ZipFile(path) as z:
        tags = [re.search(rb"<table\b[^>]*>", z.read(n)) for n in z.namelist() if n.startswith("xl/tables/")]
    return [re.search(rb'\sid="(\d+)"', t.group()).group(1).decode() for t in tags if t]  # type: ignore[union-attr]


def _ranges(src: Path, dst: Path) -> Path:
    """``src`` with every Excel Table converted to a plain range (what openpyxl keeps when they are removed)."""
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        for name in list(ws.tables):
            del ws.tables[name]
    wb.save(dst)
    return dst


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("plain_sync")
    template = write_book(d / "template.xlsx")
    out = {"plain": plain_month(d / "plain.xlsx"), "template": template}
    sync_file(template, d / "template_synced.xlsx")
    out["template_synced"] = d / "template_synced.xlsx"
    out["ranges"] = _ranges(out["template_synced"], d / "ranges.xlsx")
    return out


def test_cli_syncs_a_plain_month_and_makes_its_generated_tables(synced: dict[str, Path], tmp_path: Path) -> None:
    src = synced["plain"]
    before = src.read_bytes()
    assert validate_file(src).errors == 0 and validate_file(src).valid  # warnings only (合计 rows)
    out = tmp_path / "out.xlsx"
    run = _cli("sync", str(src), "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert "库存" in run.stdout and src.read_bytes() == before
    assert _tables(out) == {t.name: t.zh_sheet for t in REQUIRED}
    assert (
        openpyxl.load_workbook(src).sheetnames + [t.zh_sheet for t in REQUIRED]
        == openpyxl.load_workbook(out).sheetnames
    )
    # The same 库存 figures as the same data in the template (in the columns the copied 库存 has: a month without
    # 其他出入库 gets no other-movement columns).
    shown = _stock(out).dropna(axis=1, how="all")
    assert "closing_amount" in shown and "other_in_qty" not in shown
    pd.testing.assert_frame_equal(shown, _stock(synced["template_synced"])[shown.columns])
    assert len(read_workbook(out).df(PLAN.name)) == len(read_workbook(synced["template_synced"]).df(PLAN.name))
    result = validate_file(out)
    assert result.errors == 0 and {f.code for f in result.findings} == {"total-row-skipped"}


def test_only_structure_parts_change_and_a_second_sync_gives_the_same_bytes(
    synced: dict[str, Path], tmp_path: Path
) -> None:
    src = synced["plain"]
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    sync_file(src, first)
    sync_file(first, second)
    assert first.read_bytes() == second.read_bytes()
    a, b = _parts(src), _parts(first)
    assert {n for n in a if a[n] != b[n]} == STRUCTURE
    added = set(b) - set(a)
    assert sum(n.startswith("xl/tables/") for n in added) == len(REQUIRED)
    assert sum(n.startswith("xl/worksheets/sheet") for n in added) == len(REQUIRED)
    assert any(n.startswith("xl/charts/") for n in added)  # the analysis' Pareto chart came along
    drawings = b"".join(b[n] for n in added if n.startswith("xl/drawings/drawing"))
    assert b'name="jxc_sync_button"' in drawings  # and the plan's sync button


def test_the_copied_sheets_have_the_template_look(synced: dict[str, Path], tmp_path: Path) -> None:
    out = sync_file(synced["plain"], tmp_path / "out.xlsx").path
    wb = openpyxl.load_workbook(out)
    ws = wb[STOCK.zh_sheet]
    header = ws.cell(2, 1)  # tblStock's header under the group headers
    assert header.value == STOCK.columns[0].zh and header.font.b and header.fill.fgColor.rgb == "FF4472C4"
    assert ws.freeze_panes == "C3" and ws.column_dimensions["B"].width > 10
    money = _column(ws, STOCK, "closing_amount")
    assert ws.cell(3, money).number_format == "#,##0.00"
    assert ws.cell(3 + len(small_month()["tblItems"]), 1).value == STOCK_TOTAL_LABEL["zh"]  # the totals row
    assert wb[ANALYSIS.zh_sheet].conditional_formatting  # status colours came along
    names = {n for n in wb.defined_names} | {n for s in wb.worksheets for n in s.defined_names}
    assert {"jxc_pareto_sku", "jxc_pareto_cogs"} <= names


def test_tables_converted_to_ranges_get_their_tables_back(synced: dict[str, Path], tmp_path: Path) -> None:
    src = synced["ranges"]
    assert _tables(src) == {}
    out = sync_file(src, tmp_path / "out.xlsx").path
    # Every generated table, the optional 概览 and 明细账 too: their sheets hold their header rows, as the button
    # finds them.
    assert _tables(out) == {t.name: t.zh_sheet for t in GENERATED_TABLES}
    assert openpyxl.load_workbook(out).sheetnames == openpyxl.load_workbook(src).sheetnames
    pd.testing.assert_frame_equal(_stock(out), _stock(synced["template_synced"]))
    rows = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name(STOCK.zh_sheet).to_python()
    total = rows[2 + len(small_month()["tblItems"])]  # the 合计 row kept as the table's totals row, summed
    j = STOCK.keys().index("closing_amount")
    assert total[0] == "合计" and total[j] == pytest.approx(float(_stock(out)["closing_amount"].sum()))
    again = sync_file(out, tmp_path / "again.xlsx").path
    assert again.read_bytes() == out.read_bytes()
    ids = table_ids(out)
    assert len(ids) == len(GENERATED_TABLES) and len(set(ids)) == len(ids)
    a, b = _parts(src), _parts(out)
    sheets = {p for p in a if p.startswith("xl/worksheets/sheet")}
    generated_parts = {n for n in sheets if a[n] != b[n]}
    assert len(generated_parts) == len(GENERATED_TABLES)  # the generated sheets, no input sheet


def test_a_generated_sheet_whose_header_cannot_head_a_table_is_refused(synced: dict[str, Path], tmp_path: Path) -> None:
    src = tmp_path / "dup.xlsx"
    wb = openpyxl.load_workbook(synced["ranges"])
    ws = wb[PLAN.zh_sheet]
    ws.cell(1, 2).value = ws.cell(1, 1).value  # two columns named 商品编码
    wb.save(src)
    before = src.read_bytes()
    with pytest.raises(TableNotFoundError, match="B1"):
        sync_file(src)
    assert src.read_bytes() == before and not src.with_name("dup.bak.xlsx").exists()


def test_a_pandas_export_syncs(tmp_path: Path) -> None:
    """Each input table written by DataFrame.to_excel on its own sheet (header in row 1, an index column)."""
    src = tmp_path / "export.xlsx"
    data = small_month()
    with pd.ExcelWriter(src, engine="openpyxl") as xl:
        pd.DataFrame([["会计期间", "2026-11"], ["计价方法", "移动加权平均"]], columns=["参数", "值"]).to_excel(
            xl, sheet_name="参数", index=False
        )
        for t in INPUT_TABLES:
            if t.name in data:
                frame = pd.DataFrame(data[t.name]).rename(columns={c.key: c.zh for c in t.columns})
                frame.to_excel(xl, sheet_name=t.zh_sheet)
    synced = sync_file(src, tmp_path / "out.xlsx")
    assert synced.rows[STOCK.name] == len(data["tblItems"])
    assert {t.name for t in REQUIRED} <= set(_tables(synced.path))


@pytest.mark.slow
def test_libreoffice_opens_the_synced_plain_month(synced: dict[str, Path], tmp_path: Path) -> None:
    out = sync_file(synced["plain"], tmp_path / "out.xlsx").path
    converted = convert(out, tmp_path / "lo")
    wb = openpyxl.load_workbook(converted, data_only=True)
    assert {t.zh_sheet for t in REQUIRED} <= set(wb.sheetnames)
    ws = wb[STOCK.zh_sheet]
    j = _column(ws, STOCK, "closing_amount")
    n = len(small_month()["tblItems"])
    assert [ws.cell(3 + i, j).value for i in range(n)] == pytest.approx(_stock(out)["closing_amount"].tolist())


@pytest.mark.slow
def test_the_excel_button_and_the_cli_write_the_same_tables(synced: dict[str, Path], tmp_path: Path) -> None:
    """Tables converted to ranges: the button (jxc_xl.excel through xlwings' Office.js engine) writes the plain
    ranges where the CLI makes Tables; both write the same tables with the same rows."""
    import json
    import os

    src = synced["ranges"]
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONPATH": str(ROOT)}
    probe = ROOT / "tests" / "excel_server_probe.py"
    scenario = json.dumps([{"xlsx": str(src), "sync": True}])
    proc = subprocess.run(
        [sys.executable, str(probe)], input=scenario, capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    run = json.loads(proc.stdout)["runs"][0]
    assert "error" not in run
    cli = sync_file(src, tmp_path / "out.xlsx")
    assert run["rows"] == cli.rows


def test_an_english_plain_month_gets_english_sheets(tmp_path: Path) -> None:
    names = [t.name for t in INPUT_TABLES]
    src = write_book(tmp_path / "en.xlsx", lang="en", plain=names, omit=[t.name for t in GENERATED_TABLES])
    assert _tables(src) == {}
    out = sync_file(src, tmp_path / "out.xlsx")
    assert out.lang == "en" and _tables(out.path) == {t.name: t.en_sheet for t in REQUIRED}
    ws = openpyxl.load_workbook(out.path)[STOCK.en_sheet]
    assert [c.value for c in ws[2]][:2] == STOCK.headers("en")[:2]
    assert sync_file(out.path, tmp_path / "again.xlsx").path.read_bytes() == out.path.read_bytes()


def test_a_plain_month_with_other_movements_gets_their_stock_columns(tmp_path: Path) -> None:
    """Audit: 库存 copied from the template for a month kept by hand that has 其他出入库 lacked its columns, so
    its rows did not add up on the sheet (a 报损 of 2 hidden)."""
    data = {**small_month()}
    data["tblOther"] = [{"date": "2026-11-20", "doc_no": "QT1", "reason": "damage", "sku": "A001", "qty": 2}]
    src = plain_month(tmp_path / "plain.xlsx", data)
    out = sync_file(src, tmp_path / "out.xlsx").path
    stock = _stock(out).set_index("sku")
    assert stock.loc["A001", "other_out_qty"] == 2 and stock.loc["A001", "other_out_amount"] > 0
    assert _tables(out) == {t.name: t.zh_sheet for t in REQUIRED}  # no second 其他出入库 came along
    again = sync_file(out, tmp_path / "again.xlsx").path
    assert again.read_bytes() == sync_file(again, tmp_path / "third.xlsx").path.read_bytes()
