"""The summary sheet (tblSummary) ties to 库存 and 分析 to the cent; sync writes the cached values of the charts
that plot generated tables, resizes their whole-column ranges, and leaves every other chart as it was."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
import python_calamine
import xlsxwriter

from jxc_xl.core.findings import col_letter
from jxc_xl.core.generate import generate
from jxc_xl.core.money import to_cents
from jxc_xl.core.summary import summary_rows
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.schema import (
    ANALYSIS,
    PLAN,
    STATUS,
    STOCK,
    SUMMARY,
    SUMMARY_SECTIONS,
    SUMMARY_TOP,
    Lang,
)
from jxc_xl.sync import sync_file
from tests.factories import GENERATED, generated_frames, write_book
from tests.libreoffice import convert

# ---------------------------------------------------------------------------------------------------
# Helpers


def cents(values: object) -> int:
    return int(to_cents(np.asarray(values, dtype=np.float64)).sum())


def sheet_frame(path: Path, sheet: str) -> pd.DataFrame:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0]).replace("", np.nan)


def by_key(path: Path) -> dict[str, pd.DataFrame]:
    """库存, 采购计划, 分析 and 概览 as the reader reads them back from the file (columns by schema key)."""
    wb = read_workbook(path)
    return {t.name: wb.df(t.name)[t.keys()].reset_index(drop=True) for t in (STOCK, PLAN, ANALYSIS, SUMMARY)}


def section(summary: pd.DataFrame, key: str, lang: Lang) -> pd.DataFrame:
    return summary[summary["section"] == SUMMARY_SECTIONS[key].label(lang)].reset_index(drop=True)


def month_figures(summary: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    return section(summary, "month", lang)


def chart_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}


def series_caches(xml: str) -> dict[str, list[str | None]]:
    """Each series reference (its <c:f>) → the cached values by index (None where a point is left out)."""
    out: dict[str, list[str | None]] = {}
    for m in re.finditer(r"<c:(?:num|str)Ref><c:f>(.*?)</c:f>(.*?)</c:(?:num|str)Ref>", xml, re.S):
        count = re.search(r'<c:ptCount val="(\d+)"/>', m.group(2))
        values: list[str | None] = [None] * (int(count.group(1)) if count else 0)
        for p in re.finditer(r'<c:pt idx="(\d+)"><c:v>(.*?)</c:v></c:pt>', m.group(2), re.S):
            values[int(p.group(1))] = p.group(2)
        out[m.group(1)] = values
    return out


def all_caches(path: Path) -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for xml in chart_parts(path).values():
        out |= series_caches(xml)
    return out


def synced_month(tmp_path: Path, lang: Lang = "zh") -> Path:
    path = write_book(tmp_path / f"month-{lang}.xlsx", lang=lang)
    sync_file(path, backup=False)
    return path


# ---------------------------------------------------------------------------------------------------
# The figures


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_ties_to_stock_and_analysis_to_the_cent(tmp_path: Path, lang: Lang) -> None:
    path = synced_month(tmp_path, lang)
    t = by_key(path)
    stock, plan, an, summary = t[STOCK.name], t[PLAN.name], t[ANALYSIS.name], t[SUMMARY.name]
    month = month_figures(summary, lang)
    amount = [cents([v]) if pd.notna(v) else None for v in month["amount"]]
    opening, receipts, issues, adj, closing, revenue, cogs, margin = amount[:8]
    assert opening == cents(stock["opening_amount"]) and opening > 0
    assert receipts == cents(stock["in_amount"]) and receipts > 0
    assert issues == cents(stock["out_amount"]) and issues > 0
    assert adj == cents(stock["adj_amount"])
    assert closing == cents(stock["closing_amount"]) == opening + receipts - issues + adj
    assert revenue == cents(an["revenue"]) and revenue > 0
    assert cogs == cents(an["cogs"])
    assert margin == cents(an["gross_margin"]) == revenue - cogs
    assert month["rate"][7] == pytest.approx(margin / revenue)
    avg = (opening + closing) / 2
    assert month["value"][8] == round(cogs / avg, 2)
    assert month["value"][9] == round(avg / cogs * 30, 1)  # November
    out = {STATUS["out"].label(lang), STATUS["negative"].label(lang)}
    assert month["value"][10] == stock["status"].isin(out).sum()
    assert month["value"][11] == (stock["status"] == STATUS["reorder"].label(lang)).sum()
    assert month["value"][12] == an["slow_moving"].notna().sum()
    assert month["value"][13] == (stock["status"] == STATUS["overstock"].label(lang)).sum()
    assert amount[14] == cents(plan["amount"])
    assert month["value"][14] == (plan["order_qty"] > 0).sum()
    # Sections add up to their month figure, shares to 1.
    suppliers = section(summary, "supplier", lang)
    assert cents(suppliers["amount"]) == amount[14]
    categories = section(summary, "category", lang)
    assert cents(categories["amount"]) == closing and categories["value"].sum() == len(stock)
    assert categories["rate"].sum() == pytest.approx(1.0)
    top = section(summary, "top_margin", lang)
    assert len(top) == min(SUMMARY_TOP, len(an))
    best = an.sort_values("gross_margin", ascending=False)["gross_margin"].head(len(top)).to_numpy()
    np.testing.assert_array_equal(top["amount"].to_numpy(), best)


def test_demo_month_ties_and_sections_are_complete(tmp_path: Path) -> None:
    from jxc_xl.demo import write_demo

    wb = read_workbook(write_demo(tmp_path / "demo"))
    tables = generate(wb)
    stock, an, summary = tables[STOCK.name], tables[ANALYSIS.name], tables[SUMMARY.name]
    assert list(summary.columns) == SUMMARY.keys()
    month = month_figures(summary, "zh")
    assert cents(month["amount"][4:5]) == cents(stock["closing_amount"])
    assert cents(month["amount"][6:7]) == cents(an["cogs"])
    categories = section(summary, "category", "zh")
    assert len(categories) == wb.df("tblItems")["category"].nunique()
    assert cents(categories["amount"]) == cents(stock["closing_amount"])
    assert month["value"][13] == (stock["status"] == STATUS["overstock"].label("zh")).sum()
    assert list(summary["section"].drop_duplicates()) == [c.zh for c in SUMMARY_SECTIONS.values()]


def test_labels_speak_the_workbook_language(tmp_path: Path) -> None:
    for lang in ("zh", "en"):
        wb = read_workbook(write_book(tmp_path / f"{lang}.xlsx", lang=lang))
        labels = [r.item for r in summary_rows(wb, generate(wb, lang), lang)]
        assert labels and not any("sum_" in x or "tbl" in x for x in labels)
        cjk = [bool(re.search(r"[\u4e00-\u9fff]", x)) for x in labels[:15]]
        assert all(cjk) if lang == "zh" else not any(cjk)


def test_empty_month(tmp_path: Path) -> None:
    path = write_book(tmp_path / "empty.xlsx", data={})
    sync_file(path, backup=False)
    summary = by_key(path)[SUMMARY.name]
    month = month_figures(summary, "zh")
    assert len(month) == 15
    # and the backtest section says why it has no figures
    assert section(summary, "backtest", "zh")["item"].tolist() == ["需求历史不足：可重演 0 个月，至少需要 6 个"]
    assert cents(month["amount"].fillna(0)) == 0
    caches = all_caches(path)
    assert caches["'概览'!jxc_sum_category_amount"] == []  # an empty section: no points, no stale ones


# ---------------------------------------------------------------------------------------------------
# Chart caches


def test_sync_writes_every_chart_cache_from_the_values_written(tmp_path: Path) -> None:
    path = synced_month(tmp_path)
    t = by_key(path)
    caches = all_caches(path)
    an, summary = t[ANALYSIS.name], t[SUMMARY.name]
    assert caches["'分析'!jxc_pareto_sku"] == list(an["sku"])
    assert [float(v) for v in caches["'分析'!jxc_pareto_cogs"] if v is not None] == list(an["cogs"].dropna())
    assert len(caches["'分析'!jxc_pareto_cum_share"]) == len(an)
    categories = section(summary, "category", "zh")
    assert caches["'概览'!jxc_sum_category_item"] == list(categories["item"])
    assert [float(v or 0) for v in caches["'概览'!jxc_sum_category_amount"]] == list(categories["amount"])
    top = section(summary, "top_margin", "zh")
    assert caches["'概览'!jxc_sum_top_item"] == list(top["item"])


def test_sync_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    path = synced_month(tmp_path)
    once = path.read_bytes()
    sync_file(path, backup=False)
    assert path.read_bytes() == once


CLOSING = col_letter(STOCK.keys().index("closing_amount"))


def _book_with_charts(path: Path) -> Path:
    """The three generated tables (one empty row each) and four charts on a user sheet: over tblStock's SKU and
    closing columns as Excel writes them (A1 ranges of the data rows), over the user's own cells, over
    tblAnalysis' COGS by structured reference, and over a fixed range of 库存 the user chose."""
    wb = xlsxwriter.Workbook(str(path))
    user = wb.add_worksheet("图表")
    user.write_column("A1", [1, 2, 3])
    for t in GENERATED:
        ws = wb.add_worksheet(t.sheet("zh"))
        ws.add_table(0, 0, 1, len(t.columns) - 1, {"name": t.name, "columns": [{"header": h} for h in t.headers("zh")]})
    for row, (cats, vals) in enumerate(
        [
            ("='库存'!$A$2:$A$2", f"='库存'!${CLOSING}$2:${CLOSING}$2"),
            ("='图表'!$A$1:$A$3", "='图表'!$A$1:$A$3"),
            ("=tblAnalysis[商品编码]", "=tblAnalysis[销售成本]"),
            ("='库存'!$A$2:$A$20", "='库存'!$A$2:$A$20"),
        ]
    ):
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"categories": cats, "values": vals})
        user.insert_chart(row * 16, 3, chart)
    wb.close()
    return path


def test_chart_ranges_follow_the_table_and_user_charts_stay(tmp_path: Path) -> None:
    src = _book_with_charts(tmp_path / "charts.xlsx")
    out = tmp_path / "out.xlsx"
    frames = generated_frames(7)
    before = chart_parts(src)
    write_tables(src, out, frames)
    after = chart_parts(out)
    whole, structured = after["xl/charts/chart1.xml"], after["xl/charts/chart3.xml"]
    assert after["xl/charts/chart2.xml"] == before["xl/charts/chart2.xml"]  # the user's own cells: untouched
    caches = series_caches(whole)
    closing = f"'库存'!${CLOSING}$2:${CLOSING}$8"
    assert list(caches) == ["'库存'!$A$2:$A$8", closing]  # resized to the 7 rows written
    assert caches["'库存'!$A$2:$A$8"] == list(frames[STOCK.name]["sku"])
    want = [float(v) for v in frames[STOCK.name]["closing_amount"]]
    assert [float(v or "nan") for v in caches[closing]] == want
    cogs = series_caches(structured)["tblAnalysis[销售成本]"]
    assert [float(v) for v in cogs] == [float(v) for v in frames[ANALYSIS.name]["cogs"]]
    # Rewriting the same frames again changes nothing more.
    again = tmp_path / "again.xlsx"
    write_tables(out, again, frames)
    assert chart_parts(again) == after


def test_fixed_partial_range_untouched(tmp_path: Path) -> None:
    """A chart over rows a user chose ('库存'!$A$2:$A$20, not the table's data rows) stays as it was."""
    src = _book_with_charts(tmp_path / "charts.xlsx")
    out = tmp_path / "out.xlsx"
    write_tables(src, out, generated_frames(7))
    assert chart_parts(out)["xl/charts/chart4.xml"] == chart_parts(src)["xl/charts/chart4.xml"]


def test_workbook_without_summary_sheet_still_syncs(tmp_path: Path) -> None:
    src = _book_with_charts(tmp_path / "old.xlsx")  # made before the summary sheet: the three tables only
    wb = read_workbook(write_book(tmp_path / "m.xlsx"))
    summary = generate(wb)[SUMMARY.name]
    written = write_tables(src, tmp_path / "out.xlsx", generated_frames(3) | {SUMMARY.name: summary})
    assert SUMMARY.name not in written and set(written) == {t.name for t in GENERATED}


# ---------------------------------------------------------------------------------------------------
# LibreOffice shows the cached values


@pytest.mark.slow
def test_libreoffice_shows_the_charts_after_sync(tmp_path: Path) -> None:
    """LibreOffice takes a chart's data from its cache (it does not resolve these names): converted by it,
    the Pareto and the summary charts keep the values sync wrote (before this fix: one point of 0)."""
    path = synced_month(tmp_path)
    n = len(sheet_frame(path, ANALYSIS.sheet("zh")))
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    converted = convert(path, tmp_path / "lo", "xlsx", profile=profile)
    counts = sorted(len(re.findall(r"<c:pt ", x)) for x in chart_parts(converted).values())
    assert len(counts) == 4 and counts[-1] >= 4 * n  # Pareto (analysis and summary): categories, bars, line
    assert min(counts) > 2


def test_cached_text_is_well_formed_xml(tmp_path: Path) -> None:
    """Text XML must escape, or cannot carry at all (a control character), is written as Excel writes it."""
    src = _book_with_charts(tmp_path / "charts.xlsx")
    frames = generated_frames(3)
    frames[STOCK.name].loc[0, "sku"] = "A<&>\x01B"
    write_tables(src, tmp_path / "out.xlsx", frames)
    xml = chart_parts(tmp_path / "out.xlsx")["xl/charts/chart1.xml"]
    ElementTree.fromstring(xml)
    assert series_caches(xml)["'库存'!$A$2:$A$4"][0] == "A&lt;&amp;&gt;_x0001_B"
