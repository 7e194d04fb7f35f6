"""Pages that print: every sheet of a new and of a synced workbook carries its print setup in its XML, sync keeps
it and writes the plan's page breaks (one supplier a page), and the synced demo rendered through LibreOffice
prints each sheet on a sane number of pages with every column on the page."""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from jxc_xl.demo import write_demo
from jxc_xl.io.pagebreaks import group_ends, set_row_breaks
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.template import FORMULAS_SHEET, GUIDE_SHEET, build_workbook
from jxc_xl.io.template.printing import PORTRAIT_PX, column_px, is_wide
from jxc_xl.schema import (
    HISTORY,
    ITEMS,
    LANGS,
    PLAN,
    SALES,
    SETTINGS_TABLE,
    STOCK,
    SUMMARY,
    SUMMARY_SECTIONS,
    TABLES,
    Lang,
)
from jxc_xl.sync import sync_file
from tests.factories import small_month, write_book
from tests.libreoffice import convert

_PRINT_ELEMENTS = ("sheetPr", "printOptions", "pageMargins", "pageSetup", "headerFooter")


def _sheets(path: Path) -> dict[str, str]:
    """Sheet name → its worksheet XML, in workbook order."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        out = {}
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', wb):
            target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
            out[name] = z.read("xl/" + target.lstrip("/").removeprefix("xl/")).decode()
        return out


def _defined_names(path: Path, name: str) -> dict[int, str]:
    """localSheetId → value of the workbook's defined names ``name`` (e.g. _xlnm.Print_Titles)."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
    pat = rf'<definedName name="{re.escape(name)}" localSheetId="(\d+)">([^<]*)</definedName>'
    return {int(i): v for i, v in re.findall(pat, wb)}


def _print_part(xml: str) -> dict[str, str]:
    """The print elements of a worksheet as written."""
    out = {}
    for el in _PRINT_ELEMENTS:
        m = re.search(rf"<{el}\b[^>]*?(?:/>|>.*?</{el}>)", xml, flags=re.S)
        out[el] = m.group() if m else ""
    return out


def _assert_print_setup(path: Path, lang: Lang, company: str | None) -> None:
    sheets = _sheets(path)
    titles = _defined_names(path, "_xlnm.Print_Titles")
    assert next(iter(sheets)) == GUIDE_SHEET[lang] and list(sheets)[-1] == FORMULAS_SHEET[lang]
    for i, (name, xml) in enumerate(sheets.items()):
        p = _print_part(xml)
        assert 'paperSize="9"' in p["pageSetup"], name  # A4
        assert 'fitToHeight="0"' in p["pageSetup"] and 'fitToWidth="' not in p["pageSetup"], name  # 1 page wide
        assert 'fitToPage="1"' in p["sheetPr"], name
        header = re.search(r"<oddHeader>(.*?)</oddHeader>", p["headerFooter"]).group(1)
        footer = re.search(r"<oddFooter>(.*?)</oddFooter>", p["headerFooter"]).group(1)
        assert "&amp;A" in header and "2026-11" in header, name  # sheet name and period
        assert ("&amp;L" + company in header) if company else "&amp;L" not in header, name
        assert "&amp;P" in footer and "&amp;N" in footer, name  # page x of y
        if name not in (GUIDE_SHEET[lang], FORMULAS_SHEET[lang]):
            assert 'gridLines="1"' in p["printOptions"], name
            assert i in titles, f"{name}: no header rows repeated"
    by_sheet = {t.sheet(lang): t for t in TABLES}
    for i, name in enumerate(sheets):
        t = by_sheet.get(name)
        if t is None:
            continue
        header_row = 2 if t is STOCK else 1  # 库存 has its group headers above the table's header row
        assert titles[i].endswith(f"!$1:${header_row}"), (name, titles[i])
    assert 'orientation="landscape"' in _print_part(sheets[ITEMS.sheet(lang)])["pageSetup"]  # 15 columns
    assert 'orientation="portrait"' in _print_part(sheets[HISTORY.sheet(lang)])["pageSetup"]  # 3 columns


@pytest.mark.parametrize("lang", LANGS)
def test_every_sheet_of_a_new_workbook_prints(tmp_path: Path, lang: Lang) -> None:
    company = "示例商贸 & Co" if lang == "zh" else "Demo & Co"
    p = build_workbook(tmp_path / "b.xlsx", lang=lang, settings={"company": company})
    _assert_print_setup(p, lang, company.replace("&", "&amp;&amp;"))  # a literal & is doubled in a header
    blank = build_workbook(tmp_path / "blank.xlsx", lang=lang)  # no company: the header leaves it out
    _assert_print_setup(blank, lang, None)


def test_wide_is_measured_on_the_printed_columns() -> None:
    assert column_px(10) == 75 and column_px(20) == 145
    assert not is_wide([75] * 8)  # 600 px fit a portrait page
    assert is_wide([145] * 9)  # 1,305 px: portrait would print at 53 %
    limit = PORTRAIT_PX / 0.8  # below 80 % on a portrait page: landscape
    assert is_wide([math.floor(limit) + 1]) and not is_wide([math.floor(limit)])


# ---------------------------------------------------------------------------------------------------
# Sync keeps the print setup and writes the plan's page breaks


def _plan_month() -> dict[str, list[dict]]:
    """small_month with a third supplier that must reorder, so the plan has lines of several suppliers."""
    data = small_month()
    for item in data["tblItems"]:
        if item["sku"] == "C001":
            item["supplier"] = "蓝月亮经销"
    for row in data["tblOpening"]:
        row["qty"] = 1
        row["amount"] = round(row["unit_cost"], 2)
    return data


@pytest.mark.parametrize("lang", LANGS)
def test_sync_keeps_the_print_setup_and_breaks_the_plan_by_supplier(tmp_path: Path, lang: Lang) -> None:
    src = write_book(tmp_path / "m.xlsx", _plan_month(), lang=lang, settings={"company": "示例商贸"})
    before = _sheets(src)
    out = tmp_path / "out.xlsx"
    sync_file(src, out, force=True)
    after = _sheets(out)
    for name, xml in before.items():
        assert _print_part(after[name]) == _print_part(xml), name
    plan = read_workbook(out).df(PLAN.name)
    suppliers = plan["supplier"].tolist()
    assert len(set(suppliers)) >= 2, suppliers
    # grouped: each supplier's lines together, a manual break after the last line of each but the last
    runs = [s for i, s in enumerate(suppliers) if i == 0 or s != suppliers[i - 1]]
    assert len(runs) == len(set(runs))
    ends = [i + 1 for i in range(len(suppliers) - 1) if suppliers[i] != suppliers[i + 1]]  # sheet row = i + 2
    brks = re.findall(r'<brk id="(\d+)" max="16383" man="1"/>', after[PLAN.sheet(lang)])
    assert [int(b) for b in brks] == [e + 1 for e in ends]
    assert "<rowBreaks" not in after[STOCK.sheet(lang)] and "<rowBreaks" not in after[SALES.sheet(lang)]
    # twice = the same bytes
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    sync_file(out, backup=False, force=True)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest


def test_group_ends() -> None:
    assert group_ends(["a", "a", "b", "c", "c"], 2) == [3, 4]  # rows 2-3 a, 4 b, 5-6 c
    assert group_ends([None, float("nan"), " ", "x"], 2) == [4]  # blanks are one run
    assert group_ends(["a"], 2) == [] and group_ends([], 2) == []


def test_set_row_breaks_replaces_and_places_the_element() -> None:
    xml = (
        '<worksheet xmlns="m"><sheetData/><pageSetup paperSize="9"/><headerFooter/>'
        '<rowBreaks count="1" manualBreakCount="1"><brk id="9" max="16383" man="1"/></rowBreaks>'
        '<drawing r:id="rId2"/><tableParts count="1"/></worksheet>'
    )
    out = set_row_breaks(xml, [3, 7])
    assert out.count("<rowBreaks") == 1 and 'id="9"' not in out
    assert out.index("<headerFooter/>") < out.index("<rowBreaks") < out.index("<drawing")
    assert '<brk id="3" max="16383" man="1"/><brk id="7" max="16383" man="1"/>' in out
    assert set_row_breaks(out, []) == xml.replace(re.search(r"<rowBreaks.*?</rowBreaks>", xml).group(), "")
    bare = set_row_breaks('<worksheet xmlns="m"><sheetData/></worksheet>', [4])
    assert bare.endswith('<brk id="4" max="16383" man="1"/></rowBreaks></worksheet>')
    prefixed = set_row_breaks('<x:worksheet xmlns:x="m"><x:sheetData/><x:tableParts/></x:worksheet>', [2])
    assert '<x:rowBreaks count="1" manualBreakCount="1"><x:brk id="2"' in prefixed
    assert prefixed.index("<x:rowBreaks") < prefixed.index("<x:tableParts")


# ---------------------------------------------------------------------------------------------------
# The synced demo, rendered


def _pages(pdf: Path, *, layout: bool = True) -> list[str]:
    """The text of each page: as laid out (-layout), or in reading order, where a cell's wrapped lines follow
    each other."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert len(pages) >= n
    return pages[:n]


def _sheet_of(page: str, names: list[str], period_label: str) -> str | None:
    """The sheet named in the page's header (company · sheet · period), or None for a page without one."""
    head = next((ln for ln in page.splitlines()[:3] if period_label in ln), None)
    if head is None:
        return None
    fields = re.split(r"\s{2,}", head.strip())
    return next((f for f in reversed(fields[:-1]) if f in names), None)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_synced_demo_prints_sanely(tmp_path: Path, lang: Lang) -> None:
    pytest.importorskip("openpyxl")
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = write_demo(tmp_path / "demo", lang=lang)
    sync_file(path, backup=False)
    pdf = convert(path, tmp_path / "pdf", "pdf")
    pages = _pages(pdf)
    names = list(_sheets(path))
    label = "会计期间 2026-11" if lang == "zh" else "Period 2026-11"
    per_page = [_sheet_of(p, names, label) for p in pages]
    assert None not in per_page, [i + 1 for i, s in enumerate(per_page) if s is None]  # no blank, no stray page
    assert all(re.search(r"第 \d+ 页，共 \d+ 页|Page \d+ of \d+", p) for p in pages)
    count = Counter(per_page)
    assert set(count) == set(names)  # every sheet prints
    wb = read_workbook(path)
    # one page each for the guide, the settings and the formulas
    assert count[GUIDE_SHEET[lang]] <= 2 and count[SETTINGS_TABLE.sheet(lang)] == 1 and count[FORMULAS_SHEET[lang]] == 1
    for t in TABLES:
        if t.name in wb.tables and t not in (SETTINGS_TABLE, PLAN):  # the plan breaks its pages by supplier
            rows = len(wb.df(t.name))
            # ≥ 30 rows a page: columns fit the width at a readable size (销售出库 printed 146 narrow pages)
            assert count[t.sheet(lang)] <= max(1, math.ceil(rows / 30)) + 1, (t.sheet(lang), rows)
    # the plan: one supplier a page
    plan = wb.df(PLAN.name)
    assert count[PLAN.sheet(lang)] == plan["supplier"].nunique(dropna=False)
    # every printed column's header is on each page of the entry and generated sheets, whole (wrapped in its
    # cell at most): nothing cut off at the right or at a narrow column's edge
    reading = _pages(pdf, layout=False)
    # 库存 in both languages: its header row is as tall as its longest head wraps ("Sales returned qty": 3 lines)
    for t in (ITEMS, SALES, PLAN, STOCK):
        headers = [c.header(lang) for c in t.columns]
        if t is PLAN:
            headers = headers[: [c.key for c in t.columns].index("reason") + 1]
        if t is STOCK:
            headers = headers[: [c.key for c in t.columns].index("status") + 1]
        for page, sheet in zip(reading, per_page, strict=True):
            if sheet == t.sheet(lang):
                flat = re.sub(r"\s+", "", page)
                missing = [h for h in headers if re.sub(r"\s+", "", h) not in flat]
                assert not missing, (sheet, missing)
    # the summary's month and VAT labels whole (its item column is as wide as the longest; the demo books VAT)
    summary = wb.df(SUMMARY.name)
    kept = {SUMMARY_SECTIONS[k].label(lang) for k in ("month", "vat")}
    labels = [x for x, sec in zip(summary["item"], summary["section"], strict=True) if sec in kept]
    assert len(labels) == 20  # 15 month figures, other receipts and issues, 3 VAT rows of a general taxpayer
    flat = re.sub(r"\s+", "", "".join(p for p, s in zip(reading, per_page, strict=True) if s == SUMMARY.sheet(lang)))
    assert not [x for x in labels if re.sub(r"\s+", "", x) not in flat]
