"""Workbooks as people keep them: plain ranges under a title, 合计 and signature lines, tables a month lacks.

A month kept by hand (no Excel Tables: a merged title over each sheet, a 合计 row under the lines, the
signatures under that) must validate with warnings only and give the same stock figures as the same data in
the jxc template; the Excel button (jxc_xl.excel, driven through xlwings' Office.js machinery as in
tests/test_excel.py) must read it exactly as the file reader does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from jxc_xl.core.book import ROW
from jxc_xl.core.cell_values import NUMERIC
from jxc_xl.core.generate import stock_balances
from jxc_xl.io.reader import read_workbook
from jxc_xl.schema import COUNTS, HISTORY, INPUT_TABLES, OPENING, ORDERS, RETURNS, SALES, SETTINGS_TABLE
from jxc_xl.sync import close_month, sync_file
from jxc_xl.validate import validate_file
from tests.factories import PLAIN_ORDERS, TITLE_ROWS, plain_month, small_month, write_book

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "tests" / "excel_server_probe.py"
OPTIONAL = (RETURNS, COUNTS, HISTORY, ORDERS)


# Purchase orders kept by hand too (one placed last month, one partly received): the plain month has every table.
def _stock(path: Path) -> pd.DataFrame:
    return stock_balances(read_workbook(path, generated=False)).set_index("sku").sort_index()


# ---------------------------------------------------------------------------------------------------
# The file reader and validate


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("plain")
    first = {k: v for k, v in small_month().items() if k not in {t.name for t in OPTIONAL}}
    totals = small_month()
    sales = totals["tblSales"]
    totals["tblSales"] = [*sales, {"date": "合计", "qty": sum(r["qty"] for r in sales)}, {"date": "制表人：张三"}]
    totals["tblOpening"] = [*totals["tblOpening"], {"sku": "合计", "qty": 435, "amount": 240.0}]
    return {
        "template": write_book(d / "template.xlsx"),
        "plain": plain_month(d / "plain.xlsx"),
        "first": plain_month(d / "first.xlsx", first),  # a first month: no returns, counts or history
        "first_template": write_book(d / "first_template.xlsx", omit=[t.name for t in OPTIONAL]),
        "totals": write_book(d / "totals.xlsx", totals),  # 合计 and signature rows inside the Excel Tables
    }


def test_the_plain_month_really_has_no_tables_and_titles_above_the_headers(months: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(months["plain"])
    assert all(not ws.tables for ws in wb.worksheets)
    sales = wb[SALES.zh_sheet]
    title = f"A1:{get_column_letter(len(SALES.columns))}1"  # over the table's width
    assert [str(r) for r in sales.merged_cells.ranges] == [title] and sales["A1"].value == "销售出库 2026年11月"
    read = read_workbook(months["plain"])
    assert read.tables[SALES.name].header_row == TITLE_ROWS + 1
    assert len(read.df(SALES.name)) == len(small_month()[SALES.name])


def test_plain_month_validates_with_warnings_only(months: dict[str, Path]) -> None:
    result = validate_file(months["plain"])
    assert result.errors == 0 and result.valid
    skipped = {f.sheet: f for f in result.findings if f.code == "total-row-skipped"}
    ledgers = [t for t in INPUT_TABLES if t not in (SETTINGS_TABLE, HISTORY) and not t.quiet]  # quiet: close fills
    assert set(skipped) == {t.zh_sheet for t in ledgers}  # once per table
    assert {f.code for f in result.findings} == {"total-row-skipped"}
    n = len(small_month()[SALES.name])
    first_total = TITLE_ROWS + 2 + n  # header, then the lines, then 合计; a blank row; the signatures
    f = skipped[SALES.zh_sheet]
    assert (f.severity, f.row, f.cell, f.value) == ("warning", first_total, f"A{first_total}", "合计")
    assert f"第 {first_total}、{first_total + 2} 行" in f.message


def test_plain_month_computes_the_template_month_figures(months: dict[str, Path]) -> None:
    plain, template = _stock(months["plain"]), _stock(months["template"])
    assert len(plain) == len(small_month()["tblItems"])
    pd.testing.assert_frame_equal(plain, template)
    assert plain["closing_amount"].sum() == template["closing_amount"].sum() > 0


def test_total_rows_inside_excel_tables_add_no_phantom_sku(months: dict[str, Path]) -> None:
    result = validate_file(months["totals"])
    assert result.errors == 0
    found = sorted((f.code, f.sheet, f.row) for f in result.findings)
    n = len(small_month()[SALES.name])
    assert found == [("total-row-skipped", "期初", 7), ("total-row-skipped", SALES.zh_sheet, n + 2)]
    stock = _stock(months["totals"])
    assert "合计" not in stock.index
    pd.testing.assert_frame_equal(stock, _stock(months["template"]))


def test_a_first_month_without_optional_tables_only_warns(months: dict[str, Path]) -> None:
    for name in ("first", "first_template"):
        result = validate_file(months[name])
        missing = [f for f in result.findings if f.code == "optional-table-missing"]
        assert sorted(f.sheet for f in missing) == sorted(t.zh_sheet for t in OPTIONAL), name
        assert all(f.severity == "warning" for f in result.findings) and result.valid, name
        assert "可以不改" in missing[0].message


def test_a_first_month_without_optional_tables_syncs_and_closes(months: dict[str, Path], tmp_path: Path) -> None:
    src = months["first_template"]
    synced = sync_file(src, tmp_path / "synced.xlsx")
    assert not synced.forced and synced.rows["tblStock"] == len(small_month()["tblItems"])
    wb = read_workbook(synced.path)
    stock = wb.df("tblStock").set_index("sku").sort_index()
    want = _stock(src)
    assert stock["closing_amount"].tolist() == want["closing_amount"].tolist()
    assert synced.stock_value == pytest.approx(float(want["closing_amount"].sum()), abs=1e-9)
    assert len(wb.df("tblPlan")) == synced.rows["tblPlan"]  # the plan works without history
    closed = close_month(synced.path, tmp_path / "next.xlsx")
    nxt = read_workbook(closed.path)
    assert nxt.settings is not None and nxt.settings.period == "2026-12"
    history = nxt.df(HISTORY.name)
    assert set(history["period"]) == {"2026-11"} and closed.history_rows == len(history) > 0


# ---------------------------------------------------------------------------------------------------
# The Excel button reads the same


@pytest.mark.slow
def test_the_excel_button_reads_as_the_file_reader(months: dict[str, Path]) -> None:
    names = ["plain", "first", "totals", "first_template"]
    scenarios = [{"xlsx": str(months[n]), "sync": n in ("totals", "first_template")} for n in names]
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(PROBE)], input=json.dumps(scenarios), capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    runs = dict(zip(names, json.loads(proc.stdout)["runs"], strict=True))
    for name, run in runs.items():
        wb = read_workbook(months[name])
        assert run["findings"] == [f.model_dump() for f in wb.findings], name
        for tname, td in wb.tables.items():
            if td.table.generated:
                continue
            got = pd.DataFrame(run["frames"][tname]["records"])
            assert got.get(ROW, pd.Series(dtype=int)).tolist() == td.df[ROW].tolist(), (name, tname)
            for c in td.table.columns:
                if c.type in NUMERIC and len(got):
                    assert got[c.key].fillna(0).tolist() == td.df[c.key].fillna(0).tolist(), (name, tname, c.key)
    assert "error" not in runs["totals"] and runs["totals"]["rows"]["tblStock"] == len(small_month()["tblItems"])
    assert "error" not in runs["first_template"], runs["first_template"].get("error")


def _label_like_items() -> dict[str, list[dict[str, Any]]]:
    """small_month with items whose code and name start with a label word, each with an opening balance."""
    data = small_month()
    base = data["tblItems"][0]
    named = [("TOTAL 5W-30", "Total Quartz 5W-30 机油", 10, 500.0), ("合计杯", "合计杯", 2, 8.0)]
    data["tblItems"] = [*data["tblItems"], *({**base, "sku": s, "name": n} for s, n, _, _ in named)]
    opening = [{"sku": s, "qty": q, "unit_cost": a / q, "amount": a} for s, _, q, a in named]
    data["tblOpening"] = [*data["tblOpening"], *opening]
    return data


@pytest.mark.parametrize("kind", ["zh", "en", "plain"])
def test_items_named_like_totals_keep_their_opening_value(kind: str, tmp_path: Path) -> None:
    """ "TOTAL 5W-30" (Total Quartz 5W-30 机油) and 合计杯 are items: in 商品 and 期初 and in the stock value, in a
    zh or en template workbook and in a plain month whose own 合计 rows are still left out."""
    data = _label_like_items()
    path = tmp_path / f"{kind}.xlsx"
    if kind == "plain":
        plain_month(path, {**data, ORDERS.name: PLAIN_ORDERS})
    else:
        write_book(path, data, lang="en" if kind == "en" else "zh")
    result = validate_file(path)
    assert result.errors == 0
    skipped = [f for f in result.findings if f.code == "total-row-skipped"]
    assert all(f.value == "合计" for f in skipped) and (len(skipped) > 0) == (kind == "plain")
    stock = _stock(path)
    assert {"TOTAL 5W-30", "合计杯"} <= set(stock.index) and len(stock) == len(data["tblItems"])
    assert stock.loc["TOTAL 5W-30", "opening_qty"] == 10 and stock.loc["TOTAL 5W-30", "opening_amount"] == 500.0
    base = _stock(write_book(tmp_path / "base.xlsx"))
    extra = stock["opening_amount"].sum() - base["opening_amount"].sum()
    assert extra == pytest.approx(508.0, abs=1e-9)


@pytest.mark.parametrize("kind", ["zh", "plain"])
def test_an_item_coded_total_right_under_an_equal_line_is_no_total(kind: str, tmp_path: Path) -> None:
    """合计 with qty 40 right under A001's 40: one line above is no total (it was dropped, and the plain month's
    real 合计 row was then read as the item: a phantom 2,772.00)."""
    data = small_month()
    data["tblItems"] = [*data["tblItems"], {**data["tblItems"][0], "sku": "合计", "name": "合计（礼盒装）"}]
    first, *rest = data["tblOpening"]
    data["tblOpening"] = [first, {"sku": "合计", "qty": 40, "unit_cost": 2.0, "amount": 80.0}, *rest]
    path = tmp_path / f"{kind}.xlsx"
    plain_month(path, data) if kind == "plain" else write_book(path, data)
    assert validate_file(path).errors == 0
    stock = _stock(path)
    assert stock.loc["合计", "opening_qty"] == 40 and stock.loc["合计", "opening_amount"] == 80.0
    assert stock["opening_qty"].sum() == sum(r["qty"] for r in data["tblOpening"])


@pytest.mark.parametrize("kind", ["zh", "plain"])
def test_an_item_whose_sku_is_the_word_total_keeps_its_opening(kind: str, tmp_path: Path) -> None:
    """An item coded exactly 合计 (期初's only identity is the SKU) is an item when its figures are its own; a
    合计 row holding the sums above it is still a totals row (the plain month adds one under the lines)."""
    data = small_month()
    data["tblItems"] = [*data["tblItems"], {**data["tblItems"][0], "sku": "合计", "name": "合计（礼盒装）"}]
    data["tblOpening"] = [*data["tblOpening"], {"sku": "合计", "qty": 3, "unit_cost": 4.0, "amount": 12.0}]
    path = tmp_path / f"{kind}.xlsx"
    plain_month(path, data) if kind == "plain" else write_book(path, data)
    result = validate_file(path)
    assert result.errors == 0
    stock = _stock(path)
    assert stock.loc["合计", "opening_qty"] == 3 and stock.loc["合计", "opening_amount"] == 12.0
    skipped = {f.sheet for f in result.findings if f.code == "total-row-skipped"}
    assert (OPENING.zh_sheet in skipped) == (kind == "plain")
