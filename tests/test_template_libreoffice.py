"""Templates opened in LibreOffice Calc with forced recalculation: every formula outside JXC.* gives a value."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from jxc_xl.core.findings import col_letter
from jxc_xl.io.template import FORMULAS_SHEET, build_workbook
from jxc_xl.schema import LANGS, STOCK, TABLES
from tests.libreoffice import make_profile, recalc, require_soffice
from tests.test_template import _sample_data

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def _formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """(sheet, cell) → formula text of every formula cell."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    out[(ws.title, c.coordinate)] = c.value
    return out


def _check_values(src: Path, tmp: Path) -> int:
    """Recalculate ``src``; assert every non-JXC formula has a non-error value; return how many were checked."""
    formulas = _formula_cells(src)
    out = recalc(src, tmp / "lo")
    values = openpyxl.load_workbook(out, data_only=True)
    checked = 0
    for (sheet, cell), text in formulas.items():
        if text.lstrip("=").startswith(("JXC.", "INDEX(JXC.")):
            continue  # needs the add-in; LibreOffice gives #NAME?
        v = values[sheet][cell].value
        assert v is not None, f"{sheet}!{cell} {text} has no value after recalculation"
        assert not (isinstance(v, str) and v.startswith(ERRORS)), f"{sheet}!{cell} {text} → {v}"
        checked += 1
    return checked


def test_recalc_forces_recalculation(tmp_path: Path) -> None:
    """The harness recomputes formulas whose cached value is wrong (LibreOffice's default keeps them)."""
    require_soffice()
    src = tmp_path / "cached.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("S")
    ws.write_number("A1", 20)
    ws.write_formula("B1", "=A1*2+1", None, 999)  # stale cached value
    wb.close()
    out = recalc(src, tmp_path / "out")
    assert openpyxl.load_workbook(out, data_only=True)["S"]["B1"].value == 41
    assert (make_profile(tmp_path / "p") / "user" / "registrymodifications.xcu").read_text().count("OOXMLRecalcMode")


@pytest.mark.parametrize("lang", LANGS)
def test_template_formulas_compute_in_libreoffice(tmp_path: Path, lang: str) -> None:
    require_soffice()
    src = build_workbook(tmp_path / f"t_{lang}.xlsx", lang=lang)
    assert _check_values(src, tmp_path) >= 10  # the Formulas sheet's check column at least
    values = openpyxl.load_workbook(recalc(src, tmp_path / "again"), data_only=True)
    checks = [
        r[11]
        for r in values[FORMULAS_SHEET[lang]].iter_rows(min_row=5, values_only=True)
        if r[0] and str(r[0]).startswith("JXC.")
    ]
    assert set(checks) == {"加载项未启用" if lang == "zh" else "add-in not loaded"}


def test_workbook_with_data_opens_and_keeps_values(lo_recalc, tmp_path: Path) -> None:
    src = build_workbook(tmp_path / "data.xlsx", lang="zh", data=_sample_data())
    assert _check_values(src, tmp_path) >= 10
    out = openpyxl.load_workbook(lo_recalc(src), data_only=True)
    assert [ws.title for ws in out.worksheets][1:-1] == [t.sheet("zh") for t in TABLES]
    assert out["销售出库"]["D3"].value == "B-2"
    status = col_letter(STOCK.keys().index("status"))
    assert out["库存"][f"{status}3"].value == "低于再订货点"  # group headers in row 1, the header in row 2
