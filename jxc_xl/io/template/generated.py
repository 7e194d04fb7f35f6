"""The generated sheets' extras: status colours (conditional formats), the ABC Pareto chart, and 库存 as the
收发存汇总 (group headers above tblStock, a totals row)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.findings import col_letter
from jxc_xl.core.messages import word
from jxc_xl.io.template.cells import write_value
from jxc_xl.io.template.styles import (
    HEADER,
    LAST_ROW,
    PARETO_NAMES,
    TABLE_STYLE,
    Formats,
    display_width,
    num_format,
    quote_sheet,
)
from jxc_xl.schema import (
    ANALYSIS,
    PLAN,
    STATUS,
    STOCK,
    STOCK_GROUPS,
    STOCK_TOTAL_LABEL,
    YES_NO,
    ColType,
    Column,
    Lang,
    Table,
)


def status_formats(ws: Worksheet, table: Table, lang: Lang, fm: Formats) -> None:
    """Colour the status of tblStock, due order dates of tblPlan, slow movers and stale stock of tblAnalysis; A
    items bold."""
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
        # issue 12.6: stale stock (积压) stands out like a slow mover
        ws.conditional_format(*rng("stale_amount"), {"type": "cell", "criteria": ">", "value": 0, "format": yellow})


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
    _define_pareto_names(wb, lang, plain)
    ws.insert_chart(1, len(ANALYSIS.keys()) + 1, pareto_figure(wb, lang))


def pareto_figure(wb: xlsxwriter.Workbook, lang: Lang, *, compact: bool = False) -> Chart:
    """The Pareto chart over the analysis sheet's names (``pareto_chart`` defines them); ``compact``: smaller,
    without SKU labels, axis titles and markers (the summary sheet's copy)."""
    sheet = quote_sheet(ANALYSIS.sheet(lang))
    bars = wb.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": ANALYSIS.column("cogs").header(lang),
            "categories": f"={sheet}!{PARETO_NAMES['sku']}",
            "values": f"={sheet}!{PARETO_NAMES['cogs']}",
            "fill": {"color": "#4472C4"},
            "gap": 30 if compact else 50,
        }
    )
    line = wb.add_chart({"type": "line"})
    marker = {} if compact else {"marker": {"type": "circle", "size": 4}}
    line.add_series(
        {
            "name": ANALYSIS.column("cum_share").header(lang),
            "categories": f"={sheet}!{PARETO_NAMES['sku']}",
            "values": f"={sheet}!{PARETO_NAMES['cum_share']}",
            "y2_axis": True,
            "line": {"color": "#ED7D31", "width": 2},
            **marker,
        }
    )
    bars.combine(line)
    bars.set_title({"name": word("tpl_chart_title", lang), "name_font": {"size": 11 if compact else 12}})
    if compact:  # 10,000 SKU labels would not fit
        bars.set_x_axis({"label_position": "none", "major_tick_mark": "none"})
        bars.set_y_axis({"num_format": "#,##0"})
        line.set_y2_axis({"num_format": "0%", "min": 0, "max": 1})
    else:
        bars.set_y_axis({"num_format": "#,##0", "name": word("tpl_chart_cogs", lang)})
        line.set_y2_axis({"num_format": "0%", "min": 0, "max": 1, "name": word("tpl_chart_cum_share", lang)})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 560, "height": 300} if compact else {"width": 720, "height": 360})
    return bars


# ---------------------------------------------------------------------------------------------------
# 库存: the 收发存汇总 with its group headers above the table and a totals row

STOCK_FIRST_ROW = 1  # 0-based row of tblStock's header: the group headers (STOCK_GROUPS) are the row above
_STOCK_WIDTHS = {ColType.QTY: 8.0, ColType.MONEY: 12.0, ColType.PRICE: 9.0}
_STOCK_TEXT_WIDTHS = {"name": 18.0}
# Fixed decimals: money and unit costs print with two, quantities as they are.
_STOCK_FORMATS = {ColType.MONEY: "#,##0.00", ColType.PRICE: "#,##0.00"}


def _stock_total(c: Column) -> bool:
    """Whether tblStock's totals row sums the column (quantities and amounts; not unit costs or text)."""
    return c.type in (ColType.QTY, ColType.MONEY)


OTHER_STOCK_KEYS = ("other_in_qty", "other_in_amount", "other_out_qty", "other_out_amount")  # issue 12.3


def stock_columns(other: bool = True) -> list[Column]:
    """tblStock's columns on the sheet: all of them, or (``other`` False: a workbook without 其他出入库, as
    templates before issue 12.3 wrote it) without the other movements' columns."""
    return [c for c in STOCK.columns if other or c.key not in OTHER_STOCK_KEYS]


def _group_headers(ws: Worksheet, lang: Lang, fm: Formats, columns: list[Column]) -> None:
    """The row above tblStock: 期初 / 本期收入 / 本期发出 / 期末结存 … merged over their columns."""
    every, keys = STOCK.keys(), [c.key for c in columns]
    fmt = fm.get(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", align="center", valign="vcenter", border=1)
    for zh, en, first, last in STOCK_GROUPS:
        span = [keys.index(k) for k in every[every.index(first) : every.index(last) + 1] if k in keys]
        j1, j2 = span[0], span[-1]
        label = zh if lang == "zh" else en
        if j2 > j1:
            ws.merge_range(STOCK_FIRST_ROW - 1, j1, STOCK_FIRST_ROW - 1, j2, label, fmt)
        else:
            ws.write_string(STOCK_FIRST_ROW - 1, j1, label, fmt)
    ws.set_row(STOCK_FIRST_ROW - 1, 20)


def _stock_totals(ws: Worksheet, row: int, lang: Lang, fm: Formats, columns: list[Column]) -> None:
    """The totals row's cells, bold with a rule above (viewers without table styles show it too); their
    SUBTOTAL(109, …) follows the table's filter. Sync writes the cached sums (``io.sheetpatch``)."""
    for j, c in enumerate(columns):
        fmt = fm.get(bold=True, top=1, **({"num_format": _STOCK_FORMATS[c.type]} if c.type in _STOCK_FORMATS else {}))
        if j == 0:
            ws.write_string(row, j, STOCK_TOTAL_LABEL[lang], fmt)
        elif _stock_total(c):
            ws.write_formula(row, j, f"=SUBTOTAL(109,{STOCK.name}[{c.header(lang)}])", fmt, 0)
        else:
            ws.write_blank(row, j, None, fmt)


def _stock_width(c: Column, lang: Lang) -> float:
    """A 库存 column's width: each English header word fits ("Purchased"), the status its longest label."""
    if c.key == "status":
        return max(c.width, max(display_width(s.label(lang)) for s in STATUS.values()) + 2.0)
    width = _STOCK_WIDTHS.get(c.type, _STOCK_TEXT_WIDTHS.get(c.key, c.width))
    words = c.header(lang).split(" ") if lang == "en" else []  # a word wider than its column breaks mid-word
    return max([width, *(display_width(w) + 1.5 for w in words)])


def _wrapped_lines(text: str, width: float) -> int:
    """Lines a header takes, wrapped at spaces (CJK anywhere) in a column ``width`` characters wide."""
    words = text.split(" ") if " " in text else list(text)
    lines, used = 1, 0
    for w in words:
        size = display_width(w) + (1 if used and " " in text else 0)
        if used and used + size > width - 1:
            lines, used = lines + 1, display_width(w)
        else:
            used += size
    return lines


def write_stock_table(
    ws: Worksheet, df: pd.DataFrame, lang: Lang, fm: Formats, *, plain: bool = False, other: bool = True
) -> None:
    """库存 as the 收发存汇总 an accountant knows: group headers in row 1, tblStock from row 2 with wrapped
    headers (the row as tall as its longest header wraps: "Sales returned qty" takes three lines), its rows and
    (an Excel Table) the totals row. ``other``: with the other movements' columns (``stock_columns``)."""
    n, top = len(df), STOCK_FIRST_ROW
    columns = stock_columns(other)
    fmts = [fm.num(_STOCK_FORMATS.get(c.type) or num_format(STOCK, c)) for c in columns]
    widths = [_stock_width(c, lang) for c in columns]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w, fmts[j])
    _group_headers(ws, lang, fm, columns)
    header_fmt = fm.get(**HEADER, text_wrap=True, align="center")
    lines = max(_wrapped_lines(c.header(lang), w) for c, w in zip(columns, widths, strict=True))
    ws.set_row(top, max(32, 15 * lines + 2))
    if plain:
        for j, c in enumerate(columns):
            ws.write_string(top, j, c.header(lang), header_fmt)
    else:
        body = max(n, 1)
        specs: list[dict[str, Any]] = [{"header": c.header(lang), "header_format": header_fmt} for c in columns]
        specs[0]["total_string"] = STOCK_TOTAL_LABEL[lang]
        for spec, c in zip(specs, columns, strict=True):
            if _stock_total(c):
                spec["total_function"] = "sum"
        table = {"name": STOCK.name, "style": TABLE_STYLE, "columns": specs, "total_row": True}
        ws.add_table(top, 0, top + body + 1, len(specs) - 1, table)
        _stock_totals(ws, top + body + 1, lang, fm, columns)
    for j, c in enumerate(columns):
        if c.key in df.columns:
            for i, v in enumerate(df[c.key].tolist()):
                write_value(ws, top + 1 + i, j, v, c, fmts[j], lang)
    ws.freeze_panes(top + 1, 2)
    # Printed: through 状态; the net columns (本期净额) repeat the receipts and issues and would shrink the page.
    ws.print_area(0, 0, LAST_ROW, [c.key for c in columns].index("status"))
