"""One contract table on its sheet: the Excel Table (or plain header) with its rows, and its data validation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.messages import phrase, word
from jxc_xl.io.template.cells import write_column
from jxc_xl.io.template.lookups import (
    COMPUTED_FILL,
    ComputedOut,
    Warehouses,
    formula,
    is_computed,
    memoize_formulas,
    sheet_columns,
    write_computed,
)
from jxc_xl.io.template.styles import (
    HEADER,
    LAST_ROW,
    SKU_DROPDOWN_TABLES,
    TABLE_STYLE,
    WAREHOUSE_KEYS,
    Formats,
    column_width,
    num_format,
)
from jxc_xl.schema import OTHER, ColType, Column, Lang, SettingDef, Table

_BOUNDED = (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER)


def write_table(
    ws: Worksheet,
    table: Table,
    df: pd.DataFrame,
    lang: Lang,
    fm: Formats,
    *,
    plain: bool = False,
    cell_formats: list[Format | None] | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
    warehouses: Warehouses | None = None,
) -> int:
    """Header + rows at A1; returns the number of data rows written (≥ 1 for a ListObject).

    ``frames`` (the rows of the Excel Tables the formulas read, by table name: 其他出入库 only where it is one):
    given, an Excel Table gets its computed columns (``lookups``: name, spec and unit beside the SKU; 盘点's book
    quantity and difference) with their values cached; without, the table has its input columns only (as
    workbooks of earlier versions). ``warehouses``: the workbook has 仓库 as an Excel Table
    (``lookups.book_warehouses``): 盘点's book quantity is then its warehouse's."""
    n = len(df)
    computed = frames is not None and not plain
    layout = sheet_columns(table, computed)
    col_fmts = [_column_format(fm, table, c) for c in layout]
    for j, c in enumerate(layout):
        ws.set_column(j, j, column_width(c, lang), col_fmts[j])
    header_fmt = fm.get(**HEADER)
    if plain:
        for j, c in enumerate(layout):
            ws.write_string(0, j, c.header(lang), header_fmt)
    else:
        columns: list[dict[str, Any]] = [{"header": c.header(lang), "header_format": header_fmt} for c in layout]
        for spec, c in zip(columns, layout, strict=True):
            if is_computed(table, c):
                other = frames is not None and OTHER.name in frames
                spec["formula"] = formula(table, c, lang, other=other, warehouses=warehouses)
                memoize_formulas(ws)
        ws.add_table(0, 0, max(n, 1), len(layout) - 1, {"name": table.name, "style": TABLE_STYLE, "columns": columns})
    for j, c in enumerate(layout):
        if c.key in df.columns and not is_computed(table, c):
            cells = cell_formats if (cell_formats is not None and c.key == "value") else None
            write_column(ws, j, df[c.key], c, col_fmts[j], lang, cells)
    if computed and frames is not None:
        fmt = fm.get(bg_color=COMPUTED_FILL)
        write_computed(ws, table, layout, df, ComputedOut(frames, max(n, 1), lang, fmt, warehouses))
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # print one page wide, header row repeated
    ws.repeat_rows(0)
    return max(n, 1)


# ---------------------------------------------------------------------------------------------------
# Data validation


def _column_format(fm: Formats, table: Table, c: Column) -> Format | None:
    """A column's number format; a computed column's cells are shaded (a formula fills them, not the user)."""
    if is_computed(table, c):
        fmt = num_format(table, c)
        return fm.get(bg_color=COMPUTED_FILL, **({"num_format": fmt} if fmt and fmt != "General" else {}))
    return fm.num(num_format(table, c))


def schema_doc(d: Column | SettingDef | Table, lang: Lang) -> str:
    """The schema's own doc text of a column, setting or table in ``lang``."""
    return d.doc_zh if lang == "zh" else d.doc_en


def clip(text: str, limit: int) -> str:
    """``text`` cut to Excel's length limit of a validation title (32) or message (255)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choose_rule(labels: list[str], lang: Lang) -> dict[str, Any]:
    """A dropdown of ``labels`` whose error message lists them."""
    return {
        "validate": "list",
        "source": labels,
        "error_message": phrase("tpl_dv_choose", lang, choices=" / ".join(labels)),
    }


def period_rule(lang: Lang) -> dict[str, Any]:
    """Seven characters, YYYY-MM."""
    return {"validate": "length", "criteria": "==", "value": 7, "error_message": word("tpl_dv_period", lang)}


def _column_rule(
    c: Column, table: Table, lang: Lang, sku_source: str | None, warehouse_source: str | None = None
) -> dict[str, Any] | None:
    """The rule of one column (without its input texts), or None when the column has none."""
    if c.key in WAREHOUSE_KEYS and not table.generated and warehouse_source:  # issue 12.2: from the 仓库 list
        return {
            "validate": "list",
            "source": warehouse_source,
            "error_type": "warning",
            "error_message": word("tpl_dv_warehouse", lang),
        }
    if c.key == "sku" and table.name in SKU_DROPDOWN_TABLES and sku_source:
        return {
            "validate": "list",
            "source": sku_source,
            "error_type": "warning",
            "error_message": word("tpl_dv_sku", lang),
        }
    if c.choices:
        return choose_rule(c.choice_labels(lang), lang)
    if c.type in _BOUNDED and (c.gt is not None or c.ge is not None):
        crit, val = (">", c.gt) if c.gt is not None else (">=", c.ge)
        bound = word("tpl_dv_gt" if crit == ">" else "tpl_dv_ge", lang)
        message = phrase("tpl_dv_number", lang, bound=bound, value=f"{val:g}")
        return {"validate": "decimal", "criteria": crit, "value": val, "error_message": message}
    if c.type == ColType.DATE:
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": date(2000, 1, 1),
            "maximum": date(2099, 12, 31),
            "error_type": "warning",
            "error_message": word("tpl_dv_date", lang),
        }
    if c.type == ColType.PERIOD:
        rule = period_rule(lang)
        return {**rule, "error_type": "warning", "error_message": rule["error_message"]}
    return None


def column_validations(
    ws: Worksheet,
    table: Table,
    lang: Lang,
    sku_source: str | None,
    *,
    lookups: bool = False,
    warehouse_source: str | None = None,
) -> None:
    """Each column's rule from row 2 to Excel's last row, with the column doc as the input message;
    ``lookups``: the table was written with its computed columns (they get their doc, no rule);
    ``warehouse_source``: the list of the warehouse columns' dropdown (issue 12.2)."""
    for j, c in enumerate(sheet_columns(table, lookups)):
        title = clip(c.header(lang), 32)
        doc = schema_doc(c, lang) or c.header(lang)
        rule = None if is_computed(table, c) else _column_rule(c, table, lang, sku_source, warehouse_source)
        if rule is not None:
            opts = {"input_title": title, "input_message": clip(doc, 255), "error_title": title, **rule}
        elif doc != c.header(lang):
            # No rule, but the column doc still helps the user as an input message.
            opts = {"validate": "any", "input_title": title, "input_message": clip(doc, 255)}
        else:
            continue
        ws.data_validation(1, j, LAST_ROW, j, opts)
