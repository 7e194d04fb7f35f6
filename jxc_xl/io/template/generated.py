"""The generated sheets' extras: status colours (conditional formats) and the ABC Pareto chart."""

from __future__ import annotations

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.findings import col_letter
from jxc_xl.core.messages import word
from jxc_xl.io.template.styles import LAST_ROW, PARETO_NAMES, Formats, quote_sheet
from jxc_xl.schema import ANALYSIS, PLAN, STATUS, STOCK, YES_NO, Lang, Table


def status_formats(ws: Worksheet, table: Table, lang: Lang, fm: Formats) -> None:
    """Colour the status of tblStock, due order dates of tblPlan and slow movers of tblAnalysis; A items bold."""
    red = fm.get(bg_color="#FFC7CE", font_color="#9C0006")
    yellow = fm.get(bg_color="#FFEB9C", font_color="#9C5700")
    grey = fm.get(bg_color="#E7E6E6", font_color="#595959")
    dark = fm.get(bg_color="#C00000", font_color="#FFFFFF", bold=True)
    green = fm.get(bg_color="#C6EFCE", font_color="#006100")
    keys = table.keys()

    def rng(key: str) -> tuple[int, int, int, int]:
        j = keys.index(key)
        return (1, j, LAST_ROW, j)

    def eq(key: str, text: str, f: Format) -> None:
        ws.conditional_format(*rng(key), {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": f})

    if table.name == STOCK.name:
        eq("status", STATUS["negative"].label(lang), dark)
        eq("status", STATUS["out"].label(lang), red)
        eq("status", STATUS["reorder"].label(lang), yellow)
        eq("status", STATUS["slow"].label(lang), grey)
        eq("status", STATUS["overstock"].label(lang), fm.get(bg_color="#DDEBF7", font_color="#1F4E78"))
        eq("status", STATUS["ok"].label(lang), green)
    elif table.name == PLAN.name:
        # Order-by dates already due (today or earlier) in red; A items bold.
        L = col_letter(keys.index("order_by"))
        ws.conditional_format(
            *rng("order_by"), {"type": "formula", "criteria": f"=AND(ISNUMBER({L}2),{L}2<=TODAY())", "format": red}
        )
        eq("abc", "A", fm.get(bold=True, font_color="#1F4E78"))
    elif table.name == ANALYSIS.name:
        L = col_letter(keys.index("slow_moving"))
        labels = {YES_NO[0].label(lang), YES_NO[0].key, STATUS["slow"].label(lang)}
        cond = ",".join(f'{L}2="{t}"' for t in sorted(labels))
        ws.conditional_format(*rng("slow_moving"), {"type": "formula", "criteria": f"=OR({cond})", "format": grey})
        eq("abc", "A", fm.get(bold=True, font_color="#1F4E78"))


def _define_pareto_names(wb: xlsxwriter.Workbook, lang: Lang, plain: bool) -> str:
    """Sheet-scoped names → tblAnalysis' columns (or fixed ranges of a plain sheet); returns the quoted sheet."""
    sheet = quote_sheet(ANALYSIS.sheet(lang))
    keys = ANALYSIS.keys()
    for key, name in PARETO_NAMES.items():
        if plain:
            L = col_letter(keys.index(key))
            ref = f"={sheet}!${L}$2:${L}$10001"
        else:
            ref = f"={ANALYSIS.name}[{ANALYSIS.column(key).header(lang)}]"
        wb.define_name(f"{sheet}!{name}", ref)
    return sheet


def pareto_chart(wb: xlsxwriter.Workbook, ws: Worksheet, lang: Lang, plain: bool) -> None:
    """Column = COGS per SKU, line = cumulative share on the secondary axis. The series refer to sheet-scoped
    defined names that refer to the table's columns, so the chart follows the table when sync rewrites it."""
    sheet = _define_pareto_names(wb, lang, plain)
    bars = wb.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": ANALYSIS.column("cogs").header(lang),
            "categories": f"={sheet}!{PARETO_NAMES['sku']}",
            "values": f"={sheet}!{PARETO_NAMES['cogs']}",
            "fill": {"color": "#4472C4"},
            "gap": 50,
        }
    )
    line = wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": ANALYSIS.column("cum_share").header(lang),
            "categories": f"={sheet}!{PARETO_NAMES['sku']}",
            "values": f"={sheet}!{PARETO_NAMES['cum_share']}",
            "y2_axis": True,
            "line": {"color": "#ED7D31", "width": 2},
            "marker": {"type": "circle", "size": 4},
        }
    )
    bars.combine(line)
    bars.set_title({"name": word("tpl_chart_title", lang), "name_font": {"size": 12}})
    bars.set_y_axis({"num_format": "#,##0", "name": word("tpl_chart_cogs", lang)})
    line.set_y2_axis({"num_format": "0%", "min": 0, "max": 1, "name": word("tpl_chart_cum_share", lang)})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 720, "height": 360})
    ws.insert_chart(1, len(ANALYSIS.keys()) + 1, bars)
