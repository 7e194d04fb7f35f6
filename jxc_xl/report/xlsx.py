"""The report as an xlsx workbook: one row per finding whose cell reference opens the source workbook at that
cell (问题/Findings), and one row per workbook (汇总/Summary)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from jxc_xl.core.messages import phrase, word
from jxc_xl.report.grouping import FindingGroup, column_label, group_findings
from jxc_xl.report.result import FileResult, Report
from jxc_xl.schema import INPUT_TABLES, Lang

XLSX_MAX_ROWS = 1_048_575  # Excel's row limit minus the header
XLSX_MAX_URLS = 65_530  # Excel's hyperlink limit per worksheet
XLSX_MAX_URL_LEN = 2079  # Excel's longest hyperlink
# One row per group of alike findings (report.grouping): the first one's place, its count and rows.
FINDING_COLUMNS = [
    "file", "period", "severity", "code", "sheet", "row", "column", "cell", "value", "message", "count", "rows_list",
]  # fmt: skip
FINDING_WIDTHS = [36, 9, 8, 24, 12, 7, 12, 9, 16, 90, 7, 24]


class _Formats(NamedTuple):
    bold: Any
    red: Any
    amber: Any
    link: Any
    wrap: Any  # long texts (the message) wrap in their column instead of running under the next one
    head: Any  # the summary's heads, wrapped in their narrow columns (they were cut: "Rows Purchas")


@dataclass
class _Sheet:
    """The findings sheet while it is written: its last row, and the hyperlinks used so far."""

    ws: Any
    fmt: _Formats
    report_dir: Path
    lang: Lang
    row: int = 0
    urls: int = 0


def _link(src: Path, report_dir: Path, sheet: str | None, cell: str | None) -> str | None:
    """An ``external:`` hyperlink opening ``src`` at ``sheet!cell``; relative to the report when possible, so
    the link survives moving the folder (and Excel on Windows resolves it like any relative link)."""
    try:
        target = os.path.relpath(src.resolve(), report_dir.resolve())
    except ValueError:  # another drive on Windows
        target = str(src.resolve())
    if "#" in target:
        return None  # Excel reads # as the start of the location
    url = "external:" + target
    if sheet:
        url += "#'" + sheet.replace("'", "''") + "'!" + (cell or "A1")
    return url if len(url) <= XLSX_MAX_URL_LEN else None


def write_report_xlsx(report: Report, path: str | Path, lang: Lang = "zh") -> Path:
    """Write the findings workbook.

    Args:
        report: the batch's result.
        path: the .xlsx to write (its folder is created).
        lang: the language of the sheet names and heads.

    Returns:
        ``path`` as a Path. xlsxwriter's FileCreateError (and OSError) pass through when it cannot be written.
    """
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False})
    fmt = _Formats(
        bold=wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        red=wb.add_format({"font_color": "#C00000"}),
        amber=wb.add_format({"font_color": "#9C5700"}),
        link=wb.add_format({"font_color": "#0563C1", "underline": 1}),
        wrap=wb.add_format({"text_wrap": True, "valign": "top"}),
        head=wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
    )
    _findings_sheet(wb, report, fmt, path.parent, lang)
    _summary_sheet(wb, report, fmt, path.parent, lang)
    wb.close()
    return path


def _printable(ws: Any, lang: Lang) -> None:
    """Landscape, every column on the page's width, the header row on every page (it printed three columns a
    page, the messages on pages of their own), the sheet's name above and page x of y below."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_header('&C&"-,Bold"&A', {"margin": 0.5})  # 0.5 in: see jxc_xl.io.template.printing
    ws.set_footer(f"&C{word('tpl_print_page', lang)}", {"margin": 0.5})


def _findings_sheet(wb: Any, report: Report, fmt: _Formats, report_dir: Path, lang: Lang) -> None:
    ws = wb.add_worksheet(word("report_findings_sheet", lang))
    for c, (h, w) in enumerate(zip(FINDING_COLUMNS, FINDING_WIDTHS, strict=True)):
        ws.write_string(0, c, word(f"report_{h}", lang), fmt.bold)
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    _printable(ws, lang)
    sheet = _Sheet(ws, fmt, report_dir, lang)
    for res in sorted(report.files, key=lambda x: (x.valid, str(x.path))):
        for g in group_findings(res.findings):
            if sheet.row >= XLSX_MAX_ROWS:
                break
            sheet.row += 1
            _finding_row(sheet, res, g)
    ws.autofilter(0, 0, max(sheet.row, 1), len(FINDING_COLUMNS) - 1)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (CJK characters count two)."""
    return max(1, math.ceil(sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) / (width * 0.95)))


def _finding_row(sheet: _Sheet, res: FileResult, group: FindingGroup) -> None:
    ws, r, fmt, f = sheet.ws, sheet.row, sheet.fmt, group.first
    lines = _lines(f.message, FINDING_WIDTHS[9])
    if lines > 1:  # a row tall enough for the wrapped message (viewers do not grow it on their own)
        ws.set_row(r, 15 * lines)
    ws.write_string(r, 0, str(res.path))
    ws.write_string(r, 1, res.period or "")
    ws.write_string(r, 2, word(f"report_{f.severity}", sheet.lang), fmt.red if f.severity == "error" else fmt.amber)
    ws.write_string(r, 3, f.code)
    ws.write_string(r, 4, f.sheet or "")
    if f.row is not None:
        ws.write_number(r, 5, f.row)
    ws.write_string(r, 6, column_label(f, res.lang))
    url = _link(res.path, sheet.report_dir, f.sheet, f.cell) if sheet.urls < XLSX_MAX_URLS else None
    text = f.cell or f.sheet or ""
    if url and text:
        ws.write_url(r, 7, url, fmt.link, string=text)
        sheet.urls += 1
    else:
        ws.write_string(r, 7, text)
    if isinstance(f.value, int | float) and not isinstance(f.value, bool):
        ws.write_number(r, 8, f.value)
    elif f.value is not None:
        ws.write_string(r, 8, str(f.value))
    ws.write_string(r, 9, f.message, fmt.wrap)
    ws.write_number(r, 10, group.count)
    ws.write_string(r, 11, group.rows_text())


def _summary_sheet(wb: Any, report: Report, fmt: _Formats, report_dir: Path, lang: Lang) -> None:
    sm = wb.add_worksheet(word("report_summary_sheet", lang))
    tables = [t.name for t in INPUT_TABLES]  # rows per table, headed by its sheet name
    heads = [word(f"report_{k}", lang) for k in ("file", "period", "company", "valid", "errors", "warnings", "elapsed")]
    heads += [f"{word('report_rows', lang)} {t.sheet(lang)}" for t in INPUT_TABLES]
    sm.set_row(0, 30)  # two lines: "Rows" over the sheet's name
    for c, h in enumerate(heads):
        sm.write_string(0, c, h, fmt.head)
        sm.set_column(c, c, 36 if c == 0 else 11)
    sm.freeze_panes(1, 1)
    _printable(sm, lang)
    for i, res in enumerate(report.files, start=1):
        url = _link(res.path, report_dir, None, None)
        if url:
            sm.write_url(i, 0, url, fmt.link, string=str(res.path))
        else:
            sm.write_string(i, 0, str(res.path))
        sm.write_string(i, 1, res.period or "")
        sm.write_string(i, 2, res.company or "")
        sm.write_string(i, 3, word("report_yes" if res.valid else "report_no", lang), None if res.valid else fmt.red)
        sm.write_number(i, 4, res.errors)
        sm.write_number(i, 5, res.warnings)
        sm.write_number(i, 6, res.stats.elapsed_s if res.stats else 0.0)
        rows = res.stats.rows if res.stats else {}
        for c, t in enumerate(tables, start=7):
            if t in rows:
                sm.write_number(i, c, rows[t])
    sm.write_string(len(report.files) + 2, 0, phrase("report_summary", lang, **report.summary()), fmt.bold)
