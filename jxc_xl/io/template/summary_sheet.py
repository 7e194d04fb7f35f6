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
from jxc_xl.io.template.styles import LAST_ROW, PARETO_NAMES, Formats, column_width, quote_sheet
from jxc_xl.schema import ANALYSIS, SUMMARY, SUMMARY_SECTIONS, SUMMARY_SERIES, Lang

__all__ = ["summary_sheet"]

_FORMATS = {"amount": "#,##0.00", "value": "#,##0.##;-#,##0.##;0", "rate": "0.0%"}
_CHART_COLUMN = len(SUMMARY.columns) + 1  # one blank column right of the table
_BLUE, _ORANGE, _GREEN = "#4472C4", "#ED7D31", "#70AD47"


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


def _pareto(wb: xlsxwriter.Workbook, lang: Lang) -> xlsxwriter.chart.Chart:
    """The ABC Pareto of the analysis sheet (the names its chart defines), smaller and without SKU labels."""
    sheet = quote_sheet(ANALYSIS.sheet(lang))
    bars = wb.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": ANALYSIS.column("cogs").header(lang),
            "categories": f"={sheet}!{PARETO_NAMES['sku']}",
            "values": f"={sheet}!{PARETO_NAMES['cogs']}",
            "fill": {"color": _BLUE},
            "gap": 30,
        }
    )
    line = wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": ANALYSIS.column("cum_share").header(lang),
            "categories": f"={sheet}!{PARETO_NAMES['sku']}",
            "values": f"={sheet}!{PARETO_NAMES['cum_share']}",
            "y2_axis": True,
            "line": {"color": _ORANGE, "width": 2},
        }
    )
    bars.combine(line)
    bars.set_title({"name": word("tpl_chart_title", lang), "name_font": {"size": 11}})
    bars.set_x_axis({"label_position": "none", "major_tick_mark": "none"})  # 10,000 SKUs would not fit
    bars.set_y_axis({"num_format": "#,##0"})
    line.set_y2_axis({"num_format": "0%", "min": 0, "max": 1})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 560, "height": 300})
    return bars


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
        ws.insert_chart(32, _CHART_COLUMN, _pareto(wb, lang))
