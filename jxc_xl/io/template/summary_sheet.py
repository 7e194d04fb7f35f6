"""The summary sheet's extras (概览 / Summary): number formats, the section names its charts plot, the charts.

tblSummary holds its sections one under the other (``core.summary``), so a chart of one section cannot name
fixed rows: each section's item and amount cells are sheet-scoped defined names (``schema.SUMMARY_SERIES``)
whose formula finds the section's rows by its label (OFFSET over MATCH and COUNTIF), so Excel's charts follow
the rows whichever way the table was rewritten. Sync also writes the charts' cached values (``io.chartcache``)
for LibreOffice, WPS and previews, which show those instead.
"""

from __future__ import annotations

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.findings import col_letter
from jxc_xl.core.messages import word
from jxc_xl.io.template.generated import pareto_figure
from jxc_xl.io.template.styles import LAST_ROW, Formats, column_width, quote_sheet
from jxc_xl.schema import SUMMARY, SUMMARY_SECTIONS, SUMMARY_SERIES, Lang

__all__ = ["summary_sheet"]

_FORMATS = {"amount": "#,##0.00", "value": "#,##0.##;-#,##0.##;0", "rate": "0.0%"}
_CHART_COLUMN = len(SUMMARY.columns) + 1  # one blank column right of the table
_BLUE, _GREEN = "#4472C4", "#70AD47"


def _define_section_names(wb: xlsxwriter.Workbook, sheet: str, lang: Lang) -> None:
    """Each SUMMARY_SERIES name → its section's rows of its column, found by the section's label."""
    keys = SUMMARY.keys()
    sec = col_letter(keys.index("section"))
    for name, (section, key) in SUMMARY_SERIES.items():
        label = SUMMARY_SECTIONS[section].label(lang).replace('"', '""')
        col = col_letter(keys.index(key))
        where = f"{sheet}!${sec}:${sec}"
        formula = f'=OFFSET({sheet}!${col}$1,MATCH("{label}",{where},0)-1,0,COUNTIF({where},"{label}"),1)'
        wb.define_name(f"{sheet}!{name}", formula)


def _bar_chart(wb: xlsxwriter.Workbook, sheet: str, series: str, title: str, color: str) -> xlsxwriter.chart.Chart:
    """A horizontal bar chart of one section: its items down the side, largest on top, amounts labelled."""
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": title,
            "categories": f"={sheet}!jxc_sum_{series}_item",
            "values": f"={sheet}!jxc_sum_{series}_amount",
            "fill": {"color": color},
            "gap": 40,
            "data_labels": {"value": True, "num_format": "#,##0"},
        }
    )
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": 300})
    return chart


def summary_sheet(wb: xlsxwriter.Workbook, ws: Worksheet, lang: Lang, fm: Formats, *, pareto: bool) -> None:
    """Formats of tblSummary's columns, its section names and its charts (stock by category, the top items by
    gross margin and, when the analysis sheet is there, the Pareto chart) right of the table."""
    keys = SUMMARY.keys()
    for key, fmt in _FORMATS.items():
        j = keys.index(key)
        ws.set_column(j, j, column_width(SUMMARY.column(key), lang), fm.num(fmt))
    # Each section starts under a rule; its label, repeated on every row for filters, shows once.
    last = len(keys) - 1
    ws.conditional_format(1, 0, LAST_ROW, last, {"type": "formula", "criteria": "=$A2<>$A1", "format": fm.get(top=1)})
    ws.conditional_format(
        1, 0, LAST_ROW, 0, {"type": "formula", "criteria": "=$A2=$A1", "format": fm.get(font_color="#A6A6A6")}
    )
    sheet = quote_sheet(SUMMARY.sheet(lang))
    _define_section_names(wb, sheet, lang)
    ws.insert_chart(0, _CHART_COLUMN, _bar_chart(wb, sheet, "category", word("sum_chart_category", lang), _GREEN))
    ws.insert_chart(16, _CHART_COLUMN, _bar_chart(wb, sheet, "top", word("sum_chart_top", lang), _BLUE))
    if pareto:
        ws.insert_chart(32, _CHART_COLUMN, pareto_figure(wb, lang, compact=True))
