"""A patched workbook opens in LibreOffice Calc and gives back the values written (skipped without soffice,
failed when CI=true: see tests/libreoffice.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.schema import ANALYSIS, PLAN, STOCK
from tests.factories import USER_ANCHOR, USER_SHEET, analysis_rows, plan_rows, stock_rows, write_user_parts_book

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]


def test_libreoffice_reads_patched_workbook(tmp_path: Path, lo_recalc: Callable[[Path], Path]) -> None:
    src = write_user_parts_book(tmp_path / "月报.xlsx", tmp_path)
    out_dir = tmp_path / "synced"
    out_dir.mkdir()
    out = out_dir / "月报.xlsx"
    stock, plan, analysis = stock_rows(12), plan_rows(4), analysis_rows(5)
    # Shrink after growing, so the file LibreOffice sees has had rows removed as well as added.
    write_tables(src, out, {"tblStock": stock_rows(30), "tblPlan": plan, "tblAnalysis": analysis})
    write_tables(out, out, {"tblStock": stock}, backup=False)

    converted = lo_recalc(out)
    wb = openpyxl.load_workbook(converted, data_only=True)
    try:
        ws = wb[STOCK.zh_sheet]
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0][: len(STOCK.columns)]) == STOCK.headers("zh")
        keys = STOCK.keys()
        for i, rec in enumerate(stock[keys].itertuples(index=False), start=1):
            for j, v in enumerate(rec):
                got = rows[i][j]
                if isinstance(v, float) and v != v:
                    assert got is None, (i, keys[j], got)
                elif isinstance(v, float):
                    assert got == pytest.approx(v, rel=1e-15, abs=1e-12), (i, keys[j])
                else:
                    assert got == v, (i, keys[j], got, v)
        # Rows the table left are empty, the anchor cell to the right is still there.
        assert ws.cell(13, 1).value == "SKU00011"
        assert all(ws.cell(14, c).value is None for c in range(1, len(STOCK.columns) + 1))
        assert ws[USER_ANCHOR].value == "按钮"

        plan_ws = wb[PLAN.zh_sheet]
        col = PLAN.keys().index("order_by") + 1
        assert plan_ws.cell(2, col).value == datetime(2026, 1, 31)
        assert plan_ws.cell(3, col).value == datetime(2026, 1, 30)
        assert wb[ANALYSIS.zh_sheet].cell(6, 1).value == "A4"

        # The user's formula over the table sees the new rows.
        assert wb[USER_SHEET]["B1"].value == pytest.approx(float(stock["closing_amount"].sum()))
    finally:
        wb.close()
