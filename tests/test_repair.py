"""`jxc repair`: each kind of loss a foreign save makes is listed by the dry run and put back by --apply.

Losses made as people make them: an openpyxl save (the 同步 button), a LibreOffice round trip (table styles),
tables converted to ranges and a month kept by hand (tables, dropdowns, names, generated sheets), lines typed
below a table. After --apply every data cell is what it was — the values as python-calamine reads them on
every sheet, and the raw ``<c>`` elements of the input sheets — and a second repair has nothing to do.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

from jxc_xl import RepairReport, repair_file
from jxc_xl.io.package import open_package, workbook_sheets
from jxc_xl.io.reader import read_workbook
from jxc_xl.schema import INPUT_TABLES, PLAN, SALES, SYNC_BUTTON_SHAPE
from jxc_xl.sync import sync_file
from jxc_xl.validate import validate_file
from tests.factories import plain_month, small_month, write_book
from tests.libreoffice import convert
from tests.test_plain_sync import table_ids

ROOT = Path(__file__).resolve().parent.parent
INPUT_SHEETS = {t.zh_sheet for t in INPUT_TABLES}


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("repair")
    src = write_book(d / "template.xlsx", lookups=True)
    return sync_file(src, d / "synced.xlsx").path


def _openpyxl_saved(src: Path, dst: Path, edit: object = None) -> Path:
    wb = openpyxl.load_workbook(src)
    if callable(edit):
        edit(wb)
    wb.save(dst)
    return dst


def _values(path: Path) -> dict[str, list[list[object]]]:
    book = pc.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _raw_cells(path: Path) -> dict[str, list[str]]:
    """The ``<c>`` elements of the input sheets as written."""
    with open_package(path) as parts:
        return {
            s.name: re.findall(r"<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)", parts[s.part].decode("utf-8"), re.S)
            for s in workbook_sheets(parts, path)
            if s.name in INPUT_SHEETS
        }


def _kinds(report: RepairReport) -> set[str]:
    return {r.kind for r in report.restored}


def _repaired(src: Path, dst: Path) -> RepairReport:
    """Dry run (nothing written), then --apply to ``dst``: the same list; data cells unchanged; a second
    repair finds nothing."""
    before = src.read_bytes()
    dry = repair_file(src)
    assert dry.written is None and src.read_bytes() == before and not dry.nothing_to_do
    done = repair_file(src, apply=True, out=dst)
    assert done.written == dst and [r for r in done.restored] == [r for r in dry.restored]
    assert src.read_bytes() == before
    after = _values(dst)
    for sheet, values in _values(src).items():
        assert after[sheet] == values, sheet
    raw = _raw_cells(dst)
    for sheet, cells in _raw_cells(src).items():
        assert raw[sheet] == cells, sheet
    again = repair_file(dst)
    assert again.nothing_to_do, again.lines()
    ids = table_ids(dst)
    assert len(set(ids)) == len(ids)  # every table its own id
    return done


def test_an_intact_template_workbook_has_nothing_to_restore(month: Path) -> None:
    report = repair_file(month)
    assert report.nothing_to_do and report.written is None
    assert report.lines("en") == [f"{month}: nothing to restore"]


def test_an_openpyxl_save_loses_the_button_and_repair_puts_it_back(month: Path, tmp_path: Path) -> None:
    src = _openpyxl_saved(month, tmp_path / "openpyxl.xlsx")
    done = _repaired(src, tmp_path / "fixed.xlsx")
    assert _kinds(done) == {"button"} and done.restored[0].sheet == PLAN.zh_sheet
    with open_package(done.written) as parts:  # type: ignore[arg-type]
        drawings = b"".join(parts[n] for n in parts if n.startswith("xl/drawings/drawing"))
        rels = b"".join(parts[n] for n in parts if n.startswith("xl/drawings/_rels/"))
    assert f'name="{SYNC_BUTTON_SHAPE}"'.encode() in drawings and f"'{PLAN.zh_sheet}'!".encode() in rels
    assert "采购计划" in done.lines()[1]


def test_tables_converted_to_ranges_are_made_tables_again(month: Path, tmp_path: Path) -> None:
    def convert_all(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            for name in list(ws.tables):
                del ws.tables[name]

    src = _openpyxl_saved(month, tmp_path / "ranges.xlsx", convert_all)
    done = _repaired(src, tmp_path / "fixed.xlsx")
    assert {"input_table", "generated_table", "button"} <= _kinds(done)
    wb = openpyxl.load_workbook(done.written)  # type: ignore[arg-type]
    tables = {name: ws.tables[name].ref for ws in wb.worksheets for name in ws.tables}
    assert tables[SALES.name] == f"A1:{openpyxl.utils.get_column_letter(len(wb[SALES.zh_sheet][1]))}9"
    assert read_workbook(done.written).df(SALES.name).equals(read_workbook(month).df(SALES.name))  # type: ignore[arg-type]


def test_a_month_kept_by_hand_gets_tables_dropdowns_names_and_generated_sheets(tmp_path: Path) -> None:
    src = plain_month(tmp_path / "plain.xlsx")
    done = _repaired(src, tmp_path / "fixed.xlsx")
    assert {"input_table", "generated_sheet", "validation", "defined_name"} <= _kinds(done)
    wb = openpyxl.load_workbook(done.written)  # type: ignore[arg-type]
    sales = wb[SALES.zh_sheet]
    assert list(sales.tables) == [SALES.name] and sales.data_validations.dataValidation
    assert "jxc_skus" in wb.defined_names
    result = validate_file(done.written)  # type: ignore[arg-type]
    assert result.errors == 0 and {f.code for f in result.findings} == {"total-row-skipped"}
    synced = sync_file(done.written, tmp_path / "synced.xlsx")  # type: ignore[arg-type]
    assert synced.rows["tblStock"] == len(small_month()["tblItems"])


def test_lines_typed_below_a_table_are_taken_into_it(month: Path, tmp_path: Path) -> None:
    def type_below(wb: openpyxl.Workbook) -> None:
        ws = wb[SALES.zh_sheet]
        row = ws.max_row + 1
        ws.cell(row, 1, date(2026, 11, 28)).number_format = "yyyy-mm-dd"
        for j, v in ((2, "SO-X"), (4, "A001"), (8, 1), (9, 39.0)):
            ws.cell(row, j, v)

    src = _openpyxl_saved(month, tmp_path / "below.xlsx", type_below)
    assert any(f.code == "rows-below-table" for f in validate_file(src).findings)
    done = _repaired(src, tmp_path / "fixed.xlsx")
    assert {"extend_table", "button"} == _kinds(done)
    wb = openpyxl.load_workbook(done.written)  # type: ignore[arg-type]
    assert wb[SALES.zh_sheet].tables[SALES.name].ref.endswith("10")
    assert not any(f.code == "rows-below-table" for f in validate_file(done.written).findings)  # type: ignore[arg-type]


def test_cli_dry_run_then_apply_in_place_keeps_a_backup(month: Path, tmp_path: Path) -> None:
    src = _openpyxl_saved(month, tmp_path / "book.xlsx")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    dry = subprocess.run([sys.executable, "-m", "jxc_xl.cli", "repair", str(src), "--lang", "en"], **_run(env))
    assert dry.returncode == 0 and "would restore 1 item" in dry.stdout and "Sync button" in dry.stdout
    before = src.read_bytes()
    done = subprocess.run([sys.executable, "-m", "jxc_xl.cli", "repair", str(src), "--apply"], **_run(env))
    assert done.returncode == 0 and "已恢复 1 项" in done.stdout
    assert src.with_name("book.bak.xlsx").read_bytes() == before and src.read_bytes() != before
    again = subprocess.run([sys.executable, "-m", "jxc_xl.cli", "repair", str(src)], **_run(env))
    assert again.returncode == 0 and "没有需要恢复的内容" in again.stdout


def _run(env: dict[str, str]) -> dict[str, object]:
    return {"capture_output": True, "text": True, "env": env}


@pytest.mark.slow
def test_a_libreoffice_round_trip_loses_table_styles_and_repair_restores_them(month: Path, tmp_path: Path) -> None:
    src = convert(month, tmp_path / "lo")
    done = _repaired(src, tmp_path / "fixed.xlsx")
    assert {"table_style", "table_formula", "validation_extended"} <= _kinds(done)
    styles = [r for r in done.restored if r.kind == "table_style"]
    assert {r.table for r in styles} >= {t.name for t in INPUT_TABLES if t.name != "tblCarried"} - {"tblSettings"}
    wb = openpyxl.load_workbook(done.written)  # type: ignore[arg-type]
    assert wb[SALES.zh_sheet].tables[SALES.name].tableStyleInfo.name == "TableStyleMedium2"
    formulas = {c.name: c.calculatedColumnFormula for c in wb[SALES.zh_sheet].tables[SALES.name].tableColumns}
    assert "INDEX(tblItems[商品名称]" in str(formulas["商品名称"])
    sku = next(v for v in wb[SALES.zh_sheet].data_validations.dataValidation if v.promptTitle == "商品编码")
    assert str(sku.sqref).endswith("1048576")  # LibreOffice had cut it at row 1006 or so


def test_a_header_no_table_can_have_is_said_and_the_rest_restored(month: Path, tmp_path: Path) -> None:
    def convert_and_blank(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            for name in list(ws.tables):
                del ws.tables[name]
        sales = wb[SALES.zh_sheet]
        sales.cell(1, 3).value = sales.cell(1, 2).value  # 客户 → a second 单号

    src = _openpyxl_saved(month, tmp_path / "dup.xlsx", convert_and_blank)
    report = repair_file(src, apply=True, out=tmp_path / "fixed.xlsx")
    assert [(r.kind, r.sheet, r.detail) for r in report.cannot] == [("cannot", SALES.zh_sheet, "C1")]
    assert "input_table" in _kinds(report) and SALES.name not in {r.table for r in report.restored}
    assert any("C1" in line for line in report.lines("en"))
    wb = openpyxl.load_workbook(report.written)  # type: ignore[arg-type]
    assert not wb[SALES.zh_sheet].tables and wb["商品"].tables


@pytest.mark.slow
def test_a_repaired_month_kept_by_hand_opens_in_libreoffice(tmp_path: Path) -> None:
    done = repair_file(plain_month(tmp_path / "plain.xlsx"), apply=True, out=tmp_path / "fixed.xlsx")
    converted = convert(done.written, tmp_path / "lo")  # type: ignore[arg-type]
    wb = openpyxl.load_workbook(converted)
    assert SALES.name in wb[SALES.zh_sheet].tables and "库存" in wb.sheetnames
    assert [c.value for c in wb[SALES.zh_sheet][4]][:2] == [
        c.value for c in openpyxl.load_workbook(done.written)[SALES.zh_sheet][4]
    ][:2]  # type: ignore[arg-type]


@pytest.mark.slow
def test_repair_over_the_damaged_corpus_never_crashes(tmp_path: Path) -> None:
    """Every case of tests/corpus.py but the file-system ones (pipes, links: validate's and sync's tests cover
    those paths) is repaired or refused with one JxcError line: never another exception."""
    from jxc_xl.errors import JxcError
    from tests.corpus import build_corpus

    crashed = []
    for i, case in enumerate(c for c in build_corpus(tmp_path / "corpus") if c.kind != "fs"):
        before = case.path.read_bytes()
        try:
            repair_file(case.path, apply=True, out=tmp_path / f"out{i}.xlsx")
        except JxcError:
            pass
        except Exception as e:  # the test's point: name every crash
            crashed.append(f"{case.kind}/{case.name}: {type(e).__name__}: {e}")
        assert case.path.read_bytes() == before, case.name
    assert crashed == []


def _without_column_formulas(src: Path, dst: Path) -> Path:
    """``src`` with every calculated column formula gone from its table parts (as LibreOffice saves them)."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/tables/"):
                data = re.sub(rb"<calculatedColumnFormula>.*?</calculatedColumnFormula>", b"", data)
            zout.writestr(info, data)
    return dst


def _count_formulas(path: Path) -> dict[str, str]:
    from jxc_xl.io.package import table_parts

    with open_package(path) as parts:
        tp = next(tp for tp in table_parts(parts, path) if tp.display_name == "tblCounts")
        return {tp.columns[i]: f for i, f in tp.calc_formulas.items()}


@pytest.mark.parametrize("omit", [[], ["tblTransfers"], ["tblWarehouses"], ["tblWarehouses", "tblOther"]])
def test_repair_restores_the_book_formula_of_the_workbooks_shape(tmp_path: Path, omit: list[str]) -> None:
    """盘点's calculated columns come back as the workbook's shape has them: per warehouse with 仓库 (with
    transfers with 调拨), the company's without it, with 其他出入库 only where it is a Table."""
    src = write_book(tmp_path / "m.xlsx", lookups=True, omit=omit)
    want = _count_formulas(src)
    assert ("tblWarehouses[" in want["账面数量"]) == ("tblWarehouses" not in omit)
    bare = _without_column_formulas(src, tmp_path / "bare.xlsx")
    assert _count_formulas(bare) == {}
    report = repair_file(bare, apply=True, out=tmp_path / "fixed.xlsx")
    assert report.written is not None and _count_formulas(Path(report.written)) == want
