"""The template builder: tables, headers, validation, button, chart, formats and typed data round trip."""

from __future__ import annotations

import math
import re
import stat
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from jxc_xl.errors import UsageError
from jxc_xl.io import template as tpl
from jxc_xl.io.template import build_templates, build_workbook, new_workbook
from jxc_xl.schema import (
    ANALYSIS,
    ITEMS,
    LANGS,
    PLAN,
    RETURNS,
    SETTINGS,
    STATUS,
    STOCK,
    TABLES,
    TABLES_BY_NAME,
    ColType,
)
from tests.factories import sales_lines

ROOT = Path(__file__).resolve().parents[1]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _sheet_part(path: Path, sheet: str) -> str:
    """The zip part name of a worksheet, via workbook.xml and its rels."""
    parts = _parts(path)
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"', wb).group(1)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def _rel_targets(path: Path, part: str) -> list[str]:
    folder, name = part.rsplit("/", 1)
    rels = _parts(path).get(f"{folder}/_rels/{name}.rels", b"").decode()
    return re.findall(r'Target="([^"]+)"', rels)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("tpl")
    return {lang: build_workbook(d / f"{lang}.xlsx", lang=lang) for lang in LANGS}


# ---------------------------------------------------------------------------------------------------
# Committed files and determinism


def test_committed_templates_equal_builder_output(tmp_path: Path) -> None:
    built = build_templates(tmp_path)
    assert [p.name for p in built] == list(tpl.TEMPLATE_FILES.values())
    for p in built:
        committed = ROOT / "templates" / p.name
        assert committed.exists(), f"run: python -m jxc_xl.io.template ({committed} missing)"
        new, old = _parts(p), _parts(committed)
        assert sorted(new) == sorted(old)
        stale = [n for n in new if new[n] != old[n]]
        assert not stale, f"{committed.name} is stale in {stale}; run: python -m jxc_xl.io.template"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    data = {"tblItems": [{"sku": "A", "name": "甲", "cost": 1.25}]}
    a = build_workbook(tmp_path / "a.xlsx", data=data).read_bytes()
    b = build_workbook(tmp_path / "b.xlsx", data=data).read_bytes()
    assert a == b


def test_written_file_is_not_private_and_no_temp_left(tmp_path: Path) -> None:
    p = build_workbook(tmp_path / "x.xlsx")
    assert p.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH), "mkstemp's 0600 leaked into the workbook"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["x.xlsx"]


# ---------------------------------------------------------------------------------------------------
# Structure


@pytest.mark.parametrize("lang", LANGS)
def test_every_table_on_its_sheet_with_headers_and_frozen_row(books: dict[str, Path], lang: str) -> None:
    wb = openpyxl.load_workbook(books[lang])
    assert wb.sheetnames[0] == tpl.GUIDE_SHEET[lang]
    assert wb.sheetnames[-1] == tpl.FORMULAS_SHEET[lang]
    assert wb.sheetnames[1:-1] == [t.sheet(lang) for t in TABLES]
    for t in TABLES:
        ws = wb[t.sheet(lang)]
        assert list(ws.tables) == [t.name]
        ref = ws.tables[t.name].ref
        first, last = ref.split(":")
        # 库存: group headers in row 1, the header in row 2, a totals row; its headers wrap in narrower columns
        top, totals = (2, 1) if t is STOCK else (1, 0)
        assert first == f"A{top}"
        rows = len(SETTINGS) if t.name == "tblSettings" else 1  # one blank data row in an empty table
        assert last == f"{tpl.col_letter(len(t.columns) - 1)}{rows + top + totals}"
        assert [c.value for c in ws[top]][: len(t.columns)] == t.headers(lang)
        assert ws.freeze_panes == ("C3" if t is STOCK else "A2")
        widths = {i: d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
        for j, c in enumerate(t.columns if t is not STOCK else ()):
            width = widths[j + 1]  # xlsxwriter groups equal neighbours into one <col min max>
            assert width >= c.width and width >= tpl.display_width(c.header(lang))


@pytest.mark.parametrize("lang", LANGS)
def test_settings_rows_labels_and_defaults(books: dict[str, Path], lang: str) -> None:
    ws = openpyxl.load_workbook(books[lang])[TABLES_BY_NAME["tblSettings"].sheet(lang)]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [s.label(lang) for s in SETTINGS]
    by_key = {s.key: r[1] for s, r in zip(SETTINGS, rows, strict=True)}
    assert by_key["period"] == "2026-11"
    valuation = SETTINGS[[s.key for s in SETTINGS].index("valuation")]
    assert by_key["valuation"] == valuation.choice_for(valuation.default).label(lang)
    assert by_key["allow_negative"] == ("否" if lang == "zh" else "no")
    for s in SETTINGS:
        if s.type in (ColType.NUMBER, ColType.MONEY):
            assert by_key[s.key] == s.default and isinstance(by_key[s.key], int | float)
    assert ws.tables["tblSettings"].ref == f"A1:C{len(SETTINGS) + 1}"


def test_settings_overrides_accept_keys_bools_and_labels(tmp_path: Path) -> None:
    p = build_workbook(
        tmp_path / "s.xlsx",
        lang="zh",
        period="2027-02",
        settings={"valuation": "fifo", "allow_negative": True, "company": "甲公司", "order_cost": 99.5},
    )
    rows = {r[0]: r[1] for r in openpyxl.load_workbook(p)["参数"].iter_rows(min_row=2, values_only=True)}
    assert rows["会计期间"] == "2027-02"
    assert rows["计价方法"] == "先进先出"
    assert rows["允许负库存"] == "是"
    assert rows["公司"] == "甲公司"
    assert rows["默认订货成本"] == 99.5
    with pytest.raises(UsageError, match="unknown setting"):
        build_workbook(tmp_path / "bad.xlsx", settings={"colour": "red"})


def _validations(ws) -> dict[str, object]:
    """First column letter of each validation's range → the validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[re.match(r"[A-Z]+", rng).group(0) + ":" + rng] = dv
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_data_validation(books: dict[str, Path], lang: str) -> None:
    wb = openpyxl.load_workbook(books[lang])
    sku_header = ITEMS.column("sku").header(lang)
    assert wb.defined_names[tpl.SKU_NAME].attr_text == f"{ITEMS.name}[{sku_header}]"
    for name in tpl.SKU_DROPDOWN_TABLES:
        t = TABLES_BY_NAME[name]
        ws = wb[t.sheet(lang)]
        L = tpl.col_letter(t.keys().index("sku"))
        dvs = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == f"{L}2:{L}1048576"]
        assert len(dvs) == 1 and dvs[0].type == "list" and dvs[0].formula1 == tpl.SKU_NAME, name
        assert dvs[0].prompt  # the column doc as input message
        for j, c in enumerate(t.columns):
            if c.gt is not None or c.ge is not None:
                L = tpl.col_letter(j)
                dv = next(d for d in ws.data_validations.dataValidation if str(d.sqref) == f"{L}2:{L}1048576")
                assert dv.type == "decimal"
                assert dv.operator == ("greaterThan" if c.gt is not None else "greaterThanOrEqual")
                assert float(dv.formula1) == (c.gt if c.gt is not None else c.ge)
                assert dv.error
    ws = wb[RETURNS.sheet(lang)]
    L = tpl.col_letter(RETURNS.keys().index("kind"))
    kind = next(d for d in ws.data_validations.dataValidation if str(d.sqref) == f"{L}2:{L}1048576")
    assert kind.formula1 == '"' + ",".join(RETURNS.column("kind").choice_labels(lang)) + '"'
    ws = wb[ITEMS.sheet(lang)]
    L = tpl.col_letter(ITEMS.keys().index("active"))
    active = next(d for d in ws.data_validations.dataValidation if str(d.sqref) == f"{L}2:{L}1048576")
    assert active.formula1 == '"' + ",".join(ITEMS.column("active").choice_labels(lang)) + '"'
    ws = wb[TABLES_BY_NAME["tblSettings"].sheet(lang)]
    row = 2 + [s.key for s in SETTINGS].index("valuation")
    val = next(d for d in ws.data_validations.dataValidation if str(d.sqref) == f"B{row}")
    assert val.type == "list" and SETTINGS[row - 2].choices[2].label(lang) in val.formula1


@pytest.mark.parametrize("lang", LANGS)
def test_sync_button_is_a_named_shape_linking_to_its_cell(books: dict[str, Path], lang: str) -> None:
    path = books[lang]
    sheet_part = _sheet_part(path, PLAN.sheet(lang))
    drawings = [t for t in _rel_targets(path, sheet_part) if "drawing" in t]
    assert len(drawings) == 1
    drawing_part = "xl/" + drawings[0].removeprefix("../")
    xml = _parts(path)[drawing_part].decode()
    m = re.search(r'<xdr:cNvPr id="\d+" name="jxc_sync_button"[^>]*>\s*<a:hlinkClick [^>]*r:id="(rId\d+)"', xml)
    assert m, xml[:500]
    cell = f"{tpl.col_letter(len(PLAN.columns) + 1)}2"
    assert f"'{PLAN.sheet(lang)}'!{cell}" in " ".join(
        t for t in _rel_targets(path, drawing_part) if t.startswith("#")
    ).replace("#", "")
    # The shape's anchor starts at the cell its link points to.
    frm = re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>", xml)
    assert (int(frm.group(1)), int(frm.group(2))) == (len(PLAN.columns) + 1, 1)
    assert ("同步" if lang == "zh" else "Sync") in xml


@pytest.mark.parametrize("lang", LANGS)
def test_pareto_chart_follows_table_columns_via_names(books: dict[str, Path], lang: str) -> None:
    path = books[lang]
    parts = _parts(path)
    wbxml = parts["xl/workbook.xml"].decode()
    index = [t.sheet(lang) for t in TABLES].index(ANALYSIS.sheet(lang)) + 1  # after the guide sheet
    for key, name in tpl.PARETO_NAMES.items():
        header = ANALYSIS.column(key).header(lang)
        assert f'<definedName name="{name}" localSheetId="{index}">{ANALYSIS.name}[{header}]</definedName>' in wbxml
    sheet_part = _sheet_part(path, ANALYSIS.sheet(lang))
    drawing = "xl/" + next(t for t in _rel_targets(path, sheet_part) if "drawing" in t).removeprefix("../")
    charts = ["xl/" + t.removeprefix("../") for t in _rel_targets(path, drawing) if "chart" in t]
    assert len(charts) == 1
    chart = parts[charts[0]].decode()
    assert "<c:barChart>" in chart and "<c:lineChart>" in chart
    q = f"'{ANALYSIS.sheet(lang)}'"
    for name in tpl.PARETO_NAMES.values():
        assert f"<c:f>{q}!{name}</c:f>" in chart
    assert chart.count("<c:valAx>") == 2  # secondary axis for the cumulative share


@pytest.mark.parametrize("lang", LANGS)
def test_status_conditional_formats_cover_whole_columns(books: dict[str, Path], lang: str) -> None:
    wb = openpyxl.load_workbook(books[lang])
    ws = wb[STOCK.sheet(lang)]
    L = tpl.col_letter(STOCK.keys().index("status"))
    rules = [r for cf in ws.conditional_formatting for r in cf.rules if str(cf.sqref) == f"{L}2:{L}1048576"]
    texts = {r.formula[0].strip('"') for r in rules}
    assert texts == {s.label(lang) for s in STATUS.values()}
    for t, key in ((ANALYSIS, "slow_moving"), (PLAN, "order_by")):
        L = tpl.col_letter(t.keys().index(key))
        ws = wb[t.sheet(lang)]
        assert any(str(cf.sqref) == f"{L}2:{L}1048576" for cf in ws.conditional_formatting), t.name


@pytest.mark.parametrize("lang", LANGS)
def test_guide_and_formulas_sheets(books: dict[str, Path], lang: str) -> None:
    wb = openpyxl.load_workbook(books[lang])
    guide = " ".join(str(v) for row in wb[tpl.GUIDE_SHEET[lang]].iter_rows(values_only=True) for v in row if v)
    for needle in ("xlwings Lite", "jxc addin", "jxc close", "jxc sync"):
        assert needle in guide
    for t in TABLES:
        assert t.sheet(lang) in guide
    # The user's words: no table names, column keys, module names, macros or documentation paths.
    internal = re.compile(r"\btbl[A-Z]\w*|\bjxc_\w+|\b[a-z]+_[a-z_]+\b|RunPython|\w*\.py\b|docs/")
    # What the user sees in the Settings sheet (en labels of settings and choices are written like keys).
    allowed = {s.label(lang) for s in SETTINGS} | {c.label(lang) for s in SETTINGS for c in s.choices}
    assert {m.group() for m in internal.finditer(guide)} <= allowed | {"main.py"}  # the file pasted into Lite
    ws = wb[tpl.FORMULAS_SHEET[lang]]
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] and str(r[0]).startswith("JXC.")]
    names = [r[0].removeprefix("JXC.") for r in rows]
    for required in (
        "EOQ",
        "EOQ_BACKORDER",
        "EOQ_DISCOUNT",
        "SAFETY_STOCK",
        "REORDER_POINT",
        "ABC",
        "XYZ",
        "TURNOVER",
        "DAYS_OF_INVENTORY",
        "FORECAST",
    ):
        assert required in names
    udfs = pytest.importorskip("jxc_xl.udfs")
    for name, r in zip(names, rows, strict=True):
        assert callable(getattr(udfs, name.lower(), None)), f"JXC.{name} is not in jxc_xl.udfs"
        live, text = r[8], r[9]
        needs = "需要加载项" if lang == "zh" else "needs the add-in"
        # The live cell says the add-in is needed rather than #NAME?; the text beside it is the call as typed.
        assert live == f'=IFERROR({text.removeprefix("=")},"{needs}")' and f"JXC.{name}(" in text
        assert r[10] is not None and r[10] != ("（未计算）" if lang == "zh" else "(not computed)")
        assert r[11].startswith("=IFERROR(")
    cached = openpyxl.load_workbook(books[lang], data_only=True)[tpl.FORMULAS_SHEET[lang]]
    assert {r[8] for r in cached.iter_rows(min_row=5, max_row=4 + len(rows), values_only=True)} == {needs}


def test_formulas_expected_values_come_from_invmath(books: dict[str, Path]) -> None:
    im = pytest.importorskip("jxc_xl.core.invmath")
    ws = openpyxl.load_workbook(books["en"])[tpl.FORMULAS_SHEET["en"]]
    got = {r[0]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] and str(r[0]).startswith("JXC.")}
    eoq = got["JXC.EOQ"]
    assert eoq[10] == pytest.approx(float(im.eoq(*eoq[3:6])), rel=1e-9)
    ss = got["JXC.SAFETY_STOCK"]
    assert ss[10] == pytest.approx(float(im.safety_stock(*ss[3:8])), rel=1e-6)


# ---------------------------------------------------------------------------------------------------
# Data


def _sample_data() -> dict[str, object]:
    return {
        "tblItems": [
            {
                "sku": "A-1",
                "name": "螺丝 M3",
                "unit": "个",
                "cost": 0.125,
                "price": 0.5,
                "lead_time_days": 7,
                "active": "yes",
            },
            {"sku": "B-2", "name": "Bolt", "cost": 12.3456, "active": False, "moq": 100},
        ],
        "tblOpening": pd.DataFrame({"sku": ["A-1"], "qty": [1000.0], "unit_cost": [0.12], "amount": [120.0]}),
        "tblPurchases": [
            {
                "date": date(2026, 11, 2),
                "doc_no": "P001",
                "supplier": "甲",
                "sku": "A-1",
                "qty": 500,
                "unit_price": 0.13,
                "amount": None,
            },
        ],
        "tblSales": pd.DataFrame(
            {
                "date": pd.to_datetime(["2026-11-03", "2026-11-04"]),
                "doc_no": ["S001", "S002"],
                "sku": ["A-1", "B-2"],
                "qty": [np.int64(20), np.nan],
                "unit_price": [0.5, 13.0],
                "note": [None, "abc"],
            }
        ),
        "tblReturns": [
            {
                "date": datetime(2026, 11, 5, 0, 0),
                "doc_no": "R1",
                "kind": "sales_return",
                "orig_doc_no": "S001",
                "sku": "A-1",
                "qty": 2,
            }
        ],
        "tblCounts": [{"date": date(2026, 11, 30), "sku": "A-1", "counted_qty": "lots"}],  # a bad cell on purpose
        "tblHistory": [
            {"sku": "A-1", "period": "2026-10", "demand_qty": 90},
            {"sku": "A-1", "period": pd.Timestamp("2026-09-01"), "demand_qty": 80},
        ],
        "tblStock": [
            {
                "sku": "A-1",
                "name": "螺丝 M3",
                "closing_qty": 1478,
                "closing_amount": 187.4,
                "status": STATUS["reorder"].zh,
            }
        ],
        "tblAnalysis": [{"sku": "A-1", "cogs": 2.5, "cum_share": 1.0, "abc": "A"}],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_round_trip_typed_cells(tmp_path: Path, lang: str) -> None:
    data = _sample_data()
    p = build_workbook(tmp_path / "d.xlsx", lang=lang, data=data)
    wb = openpyxl.load_workbook(p)
    for name, rows in data.items():
        t = TABLES_BY_NAME[name]
        ws = wb[t.sheet(lang)]
        n = len(rows)
        top, totals = (2, 1) if t is STOCK else (1, 0)  # 库存: group headers above, a totals row below
        assert ws.tables[name].ref == f"A{top}:{tpl.col_letter(len(t.columns) - 1)}{n + top + totals}"
    sales = wb[TABLES_BY_NAME["tblSales"].sheet(lang)]
    assert sales["A2"].value == datetime(2026, 11, 3) and sales["A2"].number_format == "yyyy-mm-dd"
    assert sales["E2"].value == 20 and isinstance(sales["E2"].value, int | float)
    assert sales["E3"].value is None  # NaN → blank
    assert sales["F3"].value == 13.0 and sales["F3"].number_format == "#,##0.00##"
    assert sales["H3"].value == "abc" and sales["H2"].value is None
    items = wb[ITEMS.sheet(lang)]
    active = tpl.col_letter(ITEMS.keys().index("active"))
    assert items[f"{active}2"].value == ITEMS.column("active").choices[0].label(lang)
    assert items[f"{active}3"].value == ITEMS.column("active").choices[1].label(lang)  # False → no
    assert items["A2"].value == "A-1" and items["B2"].value == "螺丝 M3"
    assert items["G3"].value == 12.3456
    opening = wb[TABLES_BY_NAME["tblOpening"].sheet(lang)]
    assert opening["D2"].value == 120.0 and opening["D2"].number_format == "#,##0.00"
    returns = wb[RETURNS.sheet(lang)]
    assert returns["C2"].value == RETURNS.column("kind").choices[0].label(lang)
    assert returns["A2"].value == datetime(2026, 11, 5)
    counts = wb[TABLES_BY_NAME["tblCounts"].sheet(lang)]
    assert counts["C2"].value == "lots"  # a str stays text, so tests can build bad cells
    hist = wb[TABLES_BY_NAME["tblHistory"].sheet(lang)]
    assert [hist["B2"].value, hist["B3"].value] == ["2026-10", "2026-09"]
    purchases = wb[TABLES_BY_NAME["tblPurchases"].sheet(lang)]
    assert purchases["G2"].value is None and purchases["E2"].value == 500


def test_round_trip_through_reader_frame(tmp_path: Path) -> None:
    """The cells read back with pandas give the values that went in (dates as dates, floats exact)."""
    rows = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-11-01", "2026-11-30"]),
            "doc_no": ["P1", "P2"],
            "sku": ["X", "Y"],
            "qty": [1.5, 2.0],
            "unit_price": [12.665, 0.1],
            "amount": [19.0, 0.2],
        }
    )
    p = build_workbook(tmp_path / "p.xlsx", lang="en", data={"tblPurchases": rows})
    back = pd.read_excel(p, sheet_name="Purchases", engine="openpyxl")
    assert list(back.columns) == TABLES_BY_NAME["tblPurchases"].headers("en")
    assert back["Date"].tolist() == rows["date"].tolist()
    assert back["Unit price"].tolist() == rows["unit_price"].tolist()
    assert back["SKU"].tolist() == ["X", "Y"]
    assert math.isnan(back["Note"][0])


def test_bad_arguments_raise_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown table"):
        build_workbook(tmp_path / "a.xlsx", data={"tblNope": []})
    with pytest.raises(UsageError, match="colour"):
        build_workbook(tmp_path / "a.xlsx", data={"tblItems": [{"sku": "A", "colour": "red"}]})
    with pytest.raises(UsageError, match="language"):
        build_workbook(tmp_path / "a.xlsx", lang="fr")  # type: ignore[arg-type]
    assert not (tmp_path / "a.xlsx").exists()


def test_omit_and_plain_tables(tmp_path: Path) -> None:
    p = build_workbook(
        tmp_path / "o.xlsx",
        lang="zh",
        omit=["tblCounts"],
        plain=["tblSales", "tblItems"],
        data={"tblSales": [{"doc_no": "S1", "qty": 3}]},
    )
    wb = openpyxl.load_workbook(p)
    assert "盘点" not in wb.sheetnames
    sales = wb["销售出库"]
    assert not sales.tables and [c.value for c in sales[1]] == TABLES_BY_NAME["tblSales"].headers("zh")
    assert sales["B2"].value == "S1" and sales["E2"].value == 3
    assert wb.defined_names[tpl.SKU_NAME].attr_text == "'商品'!$A$2:$A$10001"


def test_new_workbook_refuses_to_overwrite(tmp_path: Path) -> None:
    p = new_workbook(tmp_path / "m.xlsx", period="2027-01", lang="en")
    rows = {r[0]: r[1] for r in openpyxl.load_workbook(p)["Settings"].iter_rows(min_row=2, values_only=True)}
    assert rows["period"] == "2027-01"
    before = p.read_bytes()
    with pytest.raises(UsageError, match=re.escape(str(p))):
        new_workbook(p, period="2027-02", lang="en")
    assert p.read_bytes() == before
    with pytest.raises(UsageError, match="YYYY-MM"):
        new_workbook(tmp_path / "n.xlsx", period="2027-13", lang="en")


@pytest.mark.slow
def test_build_20k_rows(tmp_path: Path) -> None:
    """A month of 20,000 sales lines builds into one table (its time is a target of bench/bench_write.py)."""
    n = 20_000
    p = build_workbook(tmp_path / "big.xlsx", data={"tblSales": sales_lines(n)})
    ws = openpyxl.load_workbook(p, read_only=False)["销售出库"]
    last = tpl.col_letter(len(TABLES_BY_NAME["tblSales"].columns) - 1)  # the optional VAT columns end it
    assert ws.tables["tblSales"].ref == f"A1:{last}{n + 1}"
