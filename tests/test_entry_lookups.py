"""Names beside codes (issue 10.4): the entry sheets' computed columns — name, spec and unit looked up from
商品, and 盘点's book quantity and difference — as Excel Table formulas that LibreOffice computes, with cached
values the builder writes, and that the reader ignores (also where a workbook has no such columns)."""

from __future__ import annotations

import html
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import python_calamine as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl import read_workbook, sync_file, validate_file
from jxc_xl.core.book import ROW
from jxc_xl.io.template import build_workbook
from jxc_xl.io.template.lookups import (
    Warehouses,
    book_values,
    book_warehouses,
    default_warehouse,
    formula,
    sheet_columns,
)
from jxc_xl.schema import (
    COMPUTED,
    COUNTS,
    INPUT_TABLES,
    ITEMS,
    LANGS,
    ORDERS,
    PURCHASES,
    TABLES_BY_NAME,
    WAREHOUSES,
    Lang,
)
from tests.factories import make_workbook, small_month, write_book
from tests.libreoffice import recalc, require_soffice

D = lambda day: date(2026, 11, day)  # noqa: E731
ENTRY = ("tblOpening", "tblPurchases", "tblSales", "tblReturns", "tblCounts", "tblOrders")


def _month() -> dict[str, list[dict[str, Any]]]:
    """small_month with two counts of A001 (the second starts from the first), a count of an unknown SKU and a
    purchase whose SKU is not in 商品 (its name stays blank)."""
    m = small_month()
    m["tblCounts"] = [
        *m["tblCounts"],  # A002 on the 15th: 120 + 100 − 45 = 175, counted 175
        # A001 on the 13th: 40 − 12 + 60 − 30 = 58 (the sales return of the 14th is later); counted 55: −3
        {"date": D(13), "sku": "A001", "counted_qty": 55},
        # A001 on the 20th: 55 (the count of the 13th) + 2 (sales return of the 14th) = 57; counted 57: 0
        {"date": D(20), "sku": "A001", "counted_qty": 57},
        # B002 on the 11th: 60 + 48 − 6 (purchase return); the sale of the 12th is later: 102; counted 100: −2
        {"date": D(11), "sku": "B002", "counted_qty": 100},
        {"date": D(11), "sku": "ZZ99", "counted_qty": 1},  # unknown: no name, book 0
    ]
    m["tblPurchases"] = [*m["tblPurchases"], {**m["tblPurchases"][0], "sku": "NOPE", "doc_no": "PO-X"}]
    return m


EXPECTED_BOOK = [175.0, 58.0, 57.0, 102.0, 0.0]
EXPECTED_DIFF = [0.0, -3.0, 0.0, -2.0, 1.0]


def _sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    try:
        return wb.get_sheet_by_name(sheet).to_python()
    finally:
        wb.close()


def _column(rows: list[list[Any]], header: str) -> list[Any]:
    j = rows[0].index(header)
    return [r[j] for r in rows[1:]]


def _stale(src: Path, dst: Path) -> Path:
    """A copy of ``src`` whose formula cells all hold the cached value 0 (so only a recalculation gives names)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text = re.sub(r'(<c [^>]*?) t="str"', r"\1", text)
                text = re.sub(r"(</f>)<v>[^<]*</v>|(</f>)<v/>", r"\1\2<v>0</v>", text)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return dst


# ---------------------------------------------------------------------------------------------------
# The template


@pytest.mark.parametrize("lang", LANGS)
def test_computed_columns_stand_beside_the_sku_as_calculated_columns(tmp_path: Path, lang: Lang) -> None:
    path = build_workbook(tmp_path / "t.xlsx", lang=lang, lookups=True)
    with zipfile.ZipFile(path) as z:
        tables = {
            re.search(r'displayName="(\w+)"', x).group(1): x  # type: ignore[union-attr]
            for x in (z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/tables/"))
        }
    for name in ENTRY:
        t = TABLES_BY_NAME[name]
        headers = _sheet_rows(path, t.sheet(lang))[0]
        assert headers == [c.header(lang) for c in sheet_columns(t)], name
        j = [c.key for c in sheet_columns(t)].index("sku")
        assert headers[j + 1 : j + 4] == [ITEMS.column(k).header(lang) for k in ("name", "spec", "unit")]
        xml = tables[name]
        for c in COMPUTED[name]:
            # Excel fills a calculated column's formula into every row the user adds
            assert re.search(
                rf'<tableColumn [^>]*name="{re.escape(c.header(lang))}"[^>]*><calculatedColumnFormula>', xml
            )
            f = formula(t, c, lang)
            assert not re.search(r"\b(XLOOKUP|XMATCH|LET|FILTER|UNIQUE)\(", f), f  # LibreOffice 7.4 computes it
    counts = _sheet_rows(path, COUNTS.sheet(lang))[0]
    assert counts.index(COUNTS.column("counted_qty").header(lang)) + 1 == counts.index(
        COMPUTED[COUNTS.name][3].header(lang)
    )


def test_by_default_the_builder_writes_the_input_columns_only(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "old.xlsx")
    for name in ENTRY:
        t = TABLES_BY_NAME[name]
        assert _sheet_rows(path, t.sheet("zh"))[0] == t.headers("zh")


def test_new_demo_and_close_write_the_computed_columns(tmp_path: Path) -> None:
    """What a user gets — jxc new, the demo, the month jxc close creates — has names beside codes."""
    from jxc_xl import close_month, new_workbook

    month = write_book(tmp_path / "m.xlsx", small_month())
    close_month(month, tmp_path / "next.xlsx")
    for path in (new_workbook(tmp_path / "new.xlsx"), tmp_path / "next.xlsx"):
        assert _sheet_rows(path, PURCHASES.sheet("zh"))[0] == [c.header("zh") for c in sheet_columns(PURCHASES)]
    nxt = _sheet_rows(tmp_path / "next.xlsx", "期初")
    names = {i["sku"]: i["name"] for i in small_month()["tblItems"]}
    assert _column(nxt, "商品名称") == [names[s] for s in _column(nxt, "商品编码")]
    # closing again updates that month in place: the table's rows are rewritten, its calculated columns refilled
    # (formulas without cached values, which Excel and LibreOffice compute on open)
    close_month(month, tmp_path / "next.xlsx")
    with zipfile.ZipFile(tmp_path / "next.xlsx") as z:
        sheets = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    opening = next(x for x in sheets if "tblOpening[[#This Row]" in x)
    assert opening.count("<f>") == 3 * (len(nxt) - 1)


def test_cached_values_are_the_names_and_book_quantities(tmp_path: Path) -> None:
    """Without recalculation (calamine, previews, LibreOffice's default), the cells show the computed values."""
    path = write_book(tmp_path / "m.xlsx", _month(), lookups=True)
    rows = _sheet_rows(path, PURCHASES.sheet("zh"))
    names = {i["sku"]: i for i in small_month()["tblItems"]}
    skus = _column(rows, "商品编码")
    assert _column(rows, "商品名称") == [names[s]["name"] if s in names else "" for s in skus]
    assert _column(rows, "规格") == [names[s]["spec"] if s in names else "" for s in skus]
    assert _column(rows, "单位") == [names[s]["unit"] if s in names else "" for s in skus]
    counts = _sheet_rows(path, COUNTS.sheet("zh"))
    assert _column(counts, "账面数量") == EXPECTED_BOOK
    assert _column(counts, "盘盈亏数量") == EXPECTED_DIFF
    assert _column(counts, "商品名称")[-1] == ""  # ZZ99 is no item


def test_book_values_follow_the_events_of_the_month() -> None:
    m = {k: pd.DataFrame(v) for k, v in _month().items()}
    assert book_values(m["tblCounts"], m) == EXPECTED_BOOK
    blank = pd.DataFrame({"date": [None, D(3)], "sku": ["A001", None], "counted_qty": [1, 1]})
    assert book_values(blank, m) == ["", ""]


def test_book_differences_tie_to_the_stock_adjustments(tmp_path: Path) -> None:
    """Per SKU, the 盘点 differences add up to what sync books as the count adjustment (库存 adj_qty): the
    book formula follows the valuation's events (a small demo month and the month above)."""
    from jxc_xl.demo import write_demo

    paths = [
        write_demo(tmp_path / "demo", n_skus=60, n_lines=900),
        write_book(tmp_path / "m.xlsx", _month(), lookups=True),
    ]
    for path in paths:
        sync_file(path, backup=False, force=True)
        counts = _sheet_rows(path, COUNTS.sheet("zh"))
        diff = pd.Series(_column(counts, "盘盈亏数量"), index=_column(counts, "商品编码"), dtype=float)
        diff = diff.groupby(level=0).sum()
        stock = read_workbook(path).df("tblStock").set_index("sku")["adj_qty"].astype(float)
        known = diff.index.intersection(stock.index)
        assert len(known) >= 3
        assert diff[known].tolist() == stock[known].fillna(0.0).tolist(), path.name


# ---------------------------------------------------------------------------------------------------
# The reader


def _frames(path: Path) -> dict[str, pd.DataFrame]:
    wb = read_workbook(path)
    return {t.name: wb.df(t.name).drop(columns=[ROW]) for t in INPUT_TABLES}


def _codes(path: Path) -> list[tuple[str, str | None, int | None]]:
    return sorted((f.code, f.sheet, f.row) for f in validate_file(path).findings)


def test_reader_ignores_the_computed_columns(tmp_path: Path) -> None:
    """Same values and the same findings with the computed columns, without them, and with their cached values
    spoiled (text, errors): they are never read."""
    new = write_book(tmp_path / "new.xlsx", _month(), lookups=True)
    old = write_book(tmp_path / "old.xlsx", _month())
    spoiled = tmp_path / "spoiled.xlsx"
    with zipfile.ZipFile(new) as zin, zipfile.ZipFile(spoiled, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v>#N/A</v>", data).replace(b' t="str"', b' t="e"')
            zout.writestr(info, data)
    base = _frames(old)
    for path in (new, spoiled):
        got = _frames(path)
        for name, df in base.items():
            pd.testing.assert_frame_equal(got[name], df, check_dtype=False, obj=f"{path.name} {name}")
    assert _codes(new) == _codes(old) == _codes(spoiled)
    assert all(f.column not in {c.key for cs in COMPUTED.values() for c in cs} for f in validate_file(new).findings)


def test_a_plain_range_with_names_beside_codes_reads_the_same(tmp_path: Path) -> None:
    """A user's own plain 采购入库 with 商品名称 / 规格 / 单位 typed beside the codes: those columns are not read."""
    base = write_book(tmp_path / "plain.xlsx", small_month(), plain=["tblPurchases"])
    wb = openpyxl.load_workbook(base)
    ws = wb[PURCHASES.sheet("zh")]
    j = PURCHASES.keys().index("sku") + 2  # 1-based column right of the SKU
    ws.insert_cols(j, 3)
    items = {i["sku"]: i for i in small_month()["tblItems"]}
    for k, h in enumerate(("商品名称", "规格", "单位")):
        ws.cell(1, j + k, h)
        for r in range(2, ws.max_row + 1):
            ws.cell(r, j + k, items[ws.cell(r, j - 1).value][("name", "spec", "unit")[k]] or None)
    named = tmp_path / "named.xlsx"
    wb.save(named)
    got, want = read_workbook(named), read_workbook(base)
    pd.testing.assert_frame_equal(
        got.df("tblPurchases").drop(columns=[ROW]), want.df("tblPurchases").drop(columns=[ROW])
    )
    assert not [f for f in got.findings if f.sheet == PURCHASES.sheet("zh")]


def test_sync_leaves_the_entry_sheets_as_they_are(tmp_path: Path) -> None:
    """Sync writes only the generated sheets: the computed columns' formulas and cached values stay; old
    workbooks without them sync to the same stock."""
    new = write_book(tmp_path / "new.xlsx", small_month(), lookups=True)
    old = write_book(tmp_path / "old.xlsx", small_month())
    with zipfile.ZipFile(new) as z:
        before = {n: z.read(n) for n in z.namelist() if n.startswith(("xl/worksheets/", "xl/tables/"))}
    sync_file(new, backup=False)
    once = new.read_bytes()
    sync_file(new, backup=False)
    assert new.read_bytes() == once  # sync twice = same bytes
    sync_file(old, backup=False)
    with zipfile.ZipFile(new) as z:
        entry_parts = [n for n in before if n.startswith("xl/tables/")]
        for n in entry_parts:
            if re.search(rb'displayName="(tblPurchases|tblSales|tblCounts|tblOpening|tblReturns)"', before[n]):
                assert z.read(n) == before[n], n
    pd.testing.assert_frame_equal(
        read_workbook(new).df("tblStock").drop(columns=[ROW]), read_workbook(old).df("tblStock").drop(columns=[ROW])
    )
    assert validate_file(old).valid and validate_file(new).valid


def test_plain_and_missing_tables_get_no_formulas(tmp_path: Path) -> None:
    """A table the formulas would read is a plain range or missing: no computed columns (no broken formula)."""
    for kw in ({"plain": ["tblItems"]}, {"omit": ["tblReturns"]}):
        path = build_workbook(tmp_path / "p.xlsx", lookups=True, **kw)  # type: ignore[arg-type]
        assert _sheet_rows(path, ORDERS.sheet("zh"))[0] == ORDERS.headers("zh")
        with zipfile.ZipFile(path) as z:
            assert not any(b"tblItems[" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


# ---------------------------------------------------------------------------------------------------
# LibreOffice computes the formulas


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_computes_names_and_book_quantities(tmp_path: Path, lang: Lang) -> None:
    require_soffice()
    src = write_book(tmp_path / "m.xlsx", _month(), lang=lang, lookups=True)
    stale = _stale(src, tmp_path / "stale.xlsx")
    assert set(_column(_sheet_rows(stale, PURCHASES.sheet(lang)), ITEMS.column("name").header(lang))) == {0.0}
    out = openpyxl.load_workbook(recalc(stale, tmp_path / "lo"), data_only=True)
    items = {i["sku"]: i for i in small_month()["tblItems"]}
    name_h, spec_h, unit_h = (ITEMS.column(k).header(lang) for k in ("name", "spec", "unit"))
    for table in ENTRY[:5]:
        t = TABLES_BY_NAME[table]
        ws = out[t.sheet(lang)]
        rows = list(ws.iter_rows(values_only=True))
        head = list(rows[0])
        for r in rows[1:]:
            sku = r[head.index(t.column("sku").header(lang))]
            item = items.get(sku, {})
            for h, k in ((name_h, "name"), (spec_h, "spec"), (unit_h, "unit")):
                assert (r[head.index(h)] or "") == (item.get(k) or ""), (table, sku, h)
    counts = list(out[COUNTS.sheet(lang)].iter_rows(values_only=True))
    book_h, diff_h = (c.header(lang) for c in COMPUTED[COUNTS.name][3:])
    assert [r[counts[0].index(book_h)] for r in counts[1:]] == EXPECTED_BOOK
    assert [r[counts[0].index(diff_h)] for r in counts[1:]] == EXPECTED_DIFF


# ---------------------------------------------------------------------------------------------------
# Warehouses (issue 12.2): the book quantity of the count's warehouse, with transfers


def _wline(day: int, doc: str, sku: str, qty: float, wh: str | None, party: dict[str, str]) -> dict[str, Any]:
    return {"date": D(day), "doc_no": doc, **party, "sku": sku, "qty": qty, "unit_price": 10.0, "warehouse": wh}


def _warehouse_month() -> dict[str, list[dict[str, Any]]]:
    """Two warehouses, W1 the default (blank cells), W2; purchases in both, transfers both ways, sales, returns,
    an earlier count in W2 only (W1's counts start from the opening), counts on the 15th in each warehouse, and
    one on the 20th in "W1" that starts from the blank (W1) count of the 15th."""
    sup, cus = {"supplier": "华东贸易"}, {"customer": "张记超市"}
    items = [i for i in small_month()["tblItems"] if i["sku"] in ("A001", "B001")]
    return {
        "tblItems": items,
        "tblWarehouses": [{"code": "W1", "name": "总仓"}, {"code": "W2", "name": "门店仓"}],
        "tblOpening": [
            {"sku": "A001", "qty": 40, "unit_cost": 10},  # W1
            {"sku": "A001", "qty": 10, "unit_cost": 10, "warehouse": "W2"},
            {"sku": "B001", "qty": 15, "unit_cost": 10, "warehouse": "W1"},
        ],
        "tblPurchases": [
            _wline(3, "PO-3", "A001", 60, None, sup),
            _wline(3, "PO-3", "A001", 20, "W2", sup),
            _wline(10, "PO-10", "B001", 20, "W2", sup),
        ],
        "tblSales": [
            _wline(2, "SO-2", "A001", 12, None, cus),
            _wline(12, "SO-12", "A001", 30, "W2", cus),
            _wline(12, "SO-12", "B001", 5, None, cus),
        ],
        "tblReturns": [
            {**_wline(14, "RT-1", "A001", 2, "W2", {}), "kind": "sales_return", "orig_doc_no": "SO-12"},
            {**_wline(11, "RT-2", "B001", 6, "W2", {}), "kind": "purchase_return", "orig_doc_no": "PO-10"},
        ],
        "tblTransfers": [
            {"date": D(6), "doc_no": "DB-1", "from_warehouse": "W1", "to_warehouse": "W2", "sku": "A001", "qty": 25},
            {"date": D(11), "doc_no": "DB-2", "from_warehouse": "W2", "to_warehouse": "W1", "sku": "B001", "qty": 4},
        ],
        "tblCounts": [
            {"date": D(5), "sku": "A001", "counted_qty": 29, "warehouse": "W2"},  # book 10 + 20 = 30: −1
            {"date": D(15), "sku": "A001", "counted_qty": 63},  # W1: 40 − 12 + 60 − 25 = 63 (the W2 count: not W1's)
            {"date": D(15), "sku": "A001", "counted_qty": 25, "warehouse": "W2"},  # 29 + 25 − 30 + 2 = 26: −1
            {"date": D(15), "sku": "B001", "counted_qty": 14, "warehouse": "W1"},  # 15 − 5 + 4 = 14
            {"date": D(15), "sku": "B001", "counted_qty": 11, "warehouse": "W2"},  # 20 − 6 − 4 = 10: +1
            {"date": D(20), "sku": "A001", "counted_qty": 60, "warehouse": "W1"},  # from the blank count: 63: −3
        ],
    }


WH_BOOK = [30.0, 63.0, 26.0, 14.0, 10.0, 63.0]
WH_DIFF = [-1.0, 0.0, -1.0, 0.0, 1.0, -3.0]


def _valuation_book(path: Path) -> list[float]:
    """Each count row's book quantity as the per-warehouse valuation books it: counted − its adjustment."""
    from jxc_xl.core.valuation import value_month

    ev = value_month(read_workbook(path)).events
    counts = ev[ev["kind"] == "count"].sort_values(ROW)
    return (counts["qty"] - counts["adj_qty"]).astype(float).tolist()


ALL_TABLES = frozenset(TABLES_BY_NAME)  # the template's shape: every table an Excel Table


def test_book_quantity_is_the_warehouse_stock_at_the_count_date(tmp_path: Path) -> None:
    path = write_book(tmp_path / "wh.xlsx", _warehouse_month(), lookups=True)
    assert validate_file(path).valid
    counts = _sheet_rows(path, COUNTS.sheet("zh"))
    assert _column(counts, "账面数量") == WH_BOOK == _valuation_book(path)
    assert _column(counts, "盘盈亏数量") == WH_DIFF
    m = {k: pd.DataFrame(v) for k, v in _warehouse_month().items()}
    whs = book_warehouses(ALL_TABLES)
    assert whs == Warehouses(transfers=True) and default_warehouse(m) == "w1"
    assert book_values(m["tblCounts"], m, whs) == WH_BOOK
    assert book_values(m["tblCounts"], m) != WH_BOOK  # the company's book is another quantity


def test_the_shape_chooses_the_formula_not_the_data() -> None:
    """仓库 an Excel Table: per warehouse (调拨 too: with transfers); without it the company's book."""
    assert book_warehouses(ALL_TABLES) == Warehouses(True)
    assert book_warehouses(ALL_TABLES - {"tblTransfers"}) == Warehouses(False)
    assert book_warehouses(ALL_TABLES - {"tblWarehouses"}) is None


def test_book_without_a_warehouse_list_or_a_transfer_table(tmp_path: Path) -> None:
    """仓库 empty: a blank cell is the unnamed warehouse (its own, apart from W1 and W2); no 调拨 Table: the
    formula and its values leave the transfers out (cached values follow the formula)."""
    m = _warehouse_month()
    del m["tblWarehouses"]
    path = write_book(tmp_path / "unnamed.xlsx", m, lookups=True)
    assert default_warehouse({k: pd.DataFrame(v) for k, v in m.items()}) == ""
    got = _column(_sheet_rows(path, COUNTS.sheet("zh")), "账面数量")
    # W1 is not the blank warehouse here: the blank count of A001 is the unnamed warehouse's (its opening,
    # purchase and sale, no transfer); B001 in "W1": 15 + 4 (the sale of 5 left the unnamed one); A001 in "W1" on
    # the 20th starts from no count of its own: W1's own lines are the transfer out of the 6th: −25.
    assert got == [30.0, 40.0 - 12 + 60, 26.0, 15.0 + 4, 10.0, -25.0]
    plain = write_book(tmp_path / "plain.xlsx", _warehouse_month(), lookups=True, plain=["tblTransfers"])
    with zipfile.ZipFile(plain) as z:
        assert not any(b"tblTransfers[" in z.read(n) for n in z.namelist() if n.startswith("xl/"))
    got = _column(_sheet_rows(plain, COUNTS.sheet("zh")), "账面数量")
    assert got == [30.0, 63.0 + 25, 26.0 - 25, 14.0 - 4, 10.0 + 4, 63.0]


def test_without_the_warehouse_table_the_book_is_the_companys(tmp_path: Path) -> None:
    path = write_book(tmp_path / "co.xlsx", _warehouse_month(), lookups=True, omit=["tblWarehouses"])
    assert "tblWarehouses[" not in _counts_sheet_xml(path) and "SUMPRODUCT" not in _counts_sheet_xml(path)
    m = {k: pd.DataFrame(v) for k, v in _warehouse_month().items()}
    assert _column(_sheet_rows(path, COUNTS.sheet("zh")), "账面数量") == book_values(m["tblCounts"], m)


@pytest.mark.parametrize("lang", LANGS)
def test_warehouse_book_formula_fits_excel(lang: Lang) -> None:
    """Within Excel's 8,192 characters, no function LibreOffice 7.4 or Excel 2019 lacks; the default warehouse
    is read from 仓库's first row, never written in (renaming it needs no new formula)."""
    c = COMPUTED[COUNTS.name][3]
    f = formula(COUNTS, c, lang, other=True, warehouses=Warehouses(True))
    assert len(f) < 8192
    assert not re.search(r"\b(XLOOKUP|XMATCH|LET|FILTER|UNIQUE|SORT|SEQUENCE)\(", f), f
    code = WAREHOUSES.column("code").header(lang)
    assert f"INDEX(tblWarehouses[{code}],1)" in f and "tblTransfers[" in f and "tblOther[" in f
    assert '{"=' not in f  # no code as a literal criterion
    assert "tblTransfers[" not in formula(COUNTS, c, lang, other=True, warehouses=Warehouses(False))
    assert formula(COUNTS, c, lang, other=True) == formula(COUNTS, c, lang, other=True, warehouses=None)


def _counts_sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(
            text
            for n in z.namelist()
            if n.startswith("xl/worksheets/sheet") and "tblCounts[[#This Row]" in (text := z.read(n).decode("utf-8"))
        )


def test_template_shape_without_warehouse_lines_caches_the_companys_book(tmp_path: Path) -> None:
    """The template's shape with no line naming a warehouse (仓库 empty or listing one; a 仓库 column left blank
    or none): the per-warehouse formula, and in every cell the same cached value as the company's formula."""
    base = _month()
    blank = {k: [{**r, "warehouse": None} if k in ENTRY[:5] else r for r in v] for k, v in _month().items()}
    listed = {**base, "tblWarehouses": [{"code": "WH", "name": "总仓"}]}
    a = write_book(tmp_path / "a.xlsx", base, lookups=True)
    b = write_book(tmp_path / "b.xlsx", blank, lookups=True)
    c = write_book(tmp_path / "c.xlsx", listed, lookups=True)
    company = write_book(tmp_path / "company.xlsx", base, lookups=True, omit=["tblWarehouses"])
    assert a.read_bytes() == b.read_bytes()
    want = formula(COUNTS, COMPUTED[COUNTS.name][3], "zh", other=True, warehouses=Warehouses(True))
    cached = re.compile(r'<c r="(\w+)"[^>]*><f>[^<]*</f>(.*?)</c>')  # each formula cell and its cached value
    for path in (a, c):
        sheet = _counts_sheet_xml(path)
        assert html.escape(want[1:], quote=False) in sheet
        assert len(cached.findall(sheet)) == 5 * 5  # 5 rows × (name, spec, unit, book, difference)
        assert cached.findall(sheet) == cached.findall(_counts_sheet_xml(company))
        assert _column(_sheet_rows(path, COUNTS.sheet("zh")), "账面数量") == EXPECTED_BOOK
    m = {k: pd.DataFrame(v) for k, v in listed.items()}
    assert book_values(m["tblCounts"], m, Warehouses(True)) == book_values(m["tblCounts"], m)


def test_a_plain_other_range_is_not_read_by_the_book(tmp_path: Path) -> None:
    """其他出入库 kept as a plain range with lines: the book formula names no tblOther (it is no Table) and the
    cached values leave its lines out, as the formula does; as a Table its issue counts."""
    m = {**_month(), "tblOther": [{"date": D(10), "doc_no": "QT-1", "reason": "damage", "sku": "A001", "qty": 5}]}
    plain = write_book(tmp_path / "plain.xlsx", m, lookups=True, plain=["tblOther"])
    with zipfile.ZipFile(plain) as z:
        assert not any(b"tblOther[" in z.read(n) for n in z.namelist() if n.startswith("xl/"))
    assert _column(_sheet_rows(plain, COUNTS.sheet("zh")), "账面数量") == EXPECTED_BOOK
    table = write_book(tmp_path / "table.xlsx", m, lookups=True)
    assert "tblOther[" in _counts_sheet_xml(table)
    assert _column(_sheet_rows(table, COUNTS.sheet("zh")), "账面数量") == [175.0, 53.0, 57.0, 102.0, 0.0]


@st.composite
def _warehouse_ledgers(draw: st.DrawFn, named: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Opening, purchases, sales and transfers of two SKUs over W1 and W2 (the first listed is the default, also
    blank cells), and counts of each (SKU, warehouse) on a few days, in either spelling of the default;
    ``named`` False: no line names a warehouse and there are no transfers (仓库 lists them, or is empty)."""
    codes = draw(st.permutations(["W1", "W2"])) if named or draw(st.booleans()) else []
    place = st.sampled_from([None, "W1", "W2"] if named else [None])
    day = lambda: f"2026-04-{draw(st.integers(1, 28)):02d}"  # noqa: E731
    rows: dict[str, list[dict[str, Any]]] = {
        "tblWarehouses": [{"code": c} for c in codes],
        "tblItems": [{"sku": s, "name": s, "cost": 5} for s in "AB"],
        "tblOpening": [
            {"sku": s, "qty": draw(st.integers(0, 20)), "unit_cost": 5, "warehouse": draw(place)} for s in "AB"
        ],
        "tblPurchases": [],
        "tblSales": [],
        "tblTransfers": [],
        "tblCounts": [],
    }
    for i in range(draw(st.integers(1, 14))):
        kinds = ["P", "S", "T"] if named else ["P", "S"]
        sku, qty, kind = draw(st.sampled_from("AB")), draw(st.integers(1, 12)), draw(st.sampled_from(kinds))
        if kind == "T":
            src = draw(st.sampled_from(["W1", "W2"]))
            moved = {"from_warehouse": src, "to_warehouse": "W2" if src == "W1" else "W1"}
            rows["tblTransfers"].append({"date": day(), "doc_no": f"T{i}", **moved, "sku": sku, "qty": qty})
        else:
            table = "tblPurchases" if kind == "P" else "tblSales"
            line = {"date": day(), "doc_no": f"{kind}{i}", "sku": sku, "qty": qty, "unit_price": 9}
            rows[table].append({**line, "warehouse": draw(place)})
    whs = ["W1", "W2"] if named else [codes[0] if codes else None]
    counted = {(c, draw(st.sampled_from(whs)), day()) for c in draw(st.lists(st.sampled_from("AB"), max_size=6))}
    for sku, wh, date_ in sorted(counted, key=str):
        cell = draw(st.sampled_from([None, wh])) if codes and wh == codes[0] else wh
        rows["tblCounts"].append(
            {"date": date_, "sku": sku, "counted_qty": draw(st.integers(0, 30)), "warehouse": cell}
        )
    return rows


def _valuations_book(rows: dict[str, list[dict[str, Any]]]) -> list[float]:
    from jxc_xl.core.valuation import value_month

    ev = value_month(make_workbook(rows, allow_negative=True)).events
    counts = ev[ev["kind"] == "count"].sort_values(ROW)
    return (counts["qty"] - counts["adj_qty"]).astype(float).tolist()


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(rows=_warehouse_ledgers())
def test_book_values_are_the_valuations_per_warehouse(rows: dict[str, list[dict[str, Any]]]) -> None:
    """Any month over two warehouses (either listed first): each count's cached book quantity is what the
    per-warehouse valuation finds before booking it (counted − its adjustment)."""
    frames = {k: pd.DataFrame(v) for k, v in rows.items()}
    got = book_values(frames["tblCounts"], frames, book_warehouses(ALL_TABLES)) if rows["tblCounts"] else []
    assert got == pytest.approx(_valuations_book(rows))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(rows=_warehouse_ledgers(named=False))
def test_book_values_without_warehouse_lines_are_the_companys(rows: dict[str, list[dict[str, Any]]]) -> None:
    """The template's shape and no line naming a warehouse: the per-warehouse values are the company's, to the
    bit (the cached values as before), and the valuation's."""
    frames = {k: pd.DataFrame(v) for k, v in rows.items()}
    if not rows["tblCounts"]:
        return
    got = book_values(frames["tblCounts"], frames, book_warehouses(ALL_TABLES))
    assert got == book_values(frames["tblCounts"], frames)
    assert got == pytest.approx(_valuations_book(rows))


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize(("lang", "first"), [("zh", "W1"), ("en", "W1"), ("zh", "W2")])
def test_libreoffice_computes_the_warehouse_book(tmp_path: Path, lang: Lang, first: str) -> None:
    """LibreOffice recomputes the per-warehouse formulas (zeroed cached values) to the values sync wrote and
    the valuation books; with W2 listed first the blank cells are W2's (the formula reads the default)."""
    require_soffice()
    m = _warehouse_month()
    m["tblWarehouses"].sort(key=lambda r: r["code"] != first)
    if first == "W2":  # the blank count of A001 is W2's: a day after W2's own (one count per item and day)
        m["tblCounts"][1]["date"] = D(16)
    src = write_book(tmp_path / "wh.xlsx", m, lang=lang, lookups=True)
    cached = _column(_sheet_rows(src, COUNTS.sheet(lang)), COMPUTED[COUNTS.name][3].header(lang))
    assert cached == _valuation_book(src)
    assert (cached == WH_BOOK) == (first == "W1")
    out = openpyxl.load_workbook(recalc(_stale(src, tmp_path / "stale.xlsx"), tmp_path / "lo"), data_only=True)
    counts = list(out[COUNTS.sheet(lang)].iter_rows(values_only=True))
    book_h, diff_h = (c.header(lang) for c in COMPUTED[COUNTS.name][3:])
    assert [r[counts[0].index(book_h)] for r in counts[1:]] == cached
    counted = [r[counts[0].index(COUNTS.column("counted_qty").header(lang))] for r in counts[1:]]
    assert [r[counts[0].index(diff_h)] for r in counts[1:]] == [c - b for c, b in zip(counted, cached, strict=True)]
