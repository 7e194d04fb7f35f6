"""Build jxc-xl workbooks with xlsxwriter from ``jxc_xl.schema``: the templates, ``jxc new`` and test fixtures.

Every table of the contract becomes an Excel Table (ListObject) on its own sheet, with the headers of the
chosen language, frozen header row, column widths and number formats from the schema, data validation and,
on the generated sheets, conditional formatting, the Pareto chart and the xlwings Lite sync button.

A table without rows keeps one blank data row (xlsxwriter cannot write a header-only table); readers skip
blank rows. The output is deterministic: two builds with the same arguments give identical bytes.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.findings import col_letter
from jxc_xl.errors import UsageError
from jxc_xl.schema import (
    ANALYSIS,
    ITEMS,
    PLAN,
    SETTINGS,
    SETTINGS_BY_KEY,
    SETTINGS_TABLE,
    STATUS,
    STOCK,
    TABLES,
    TABLES_BY_NAME,
    YES_NO,
    ColType,
    Column,
    Lang,
    SettingDef,
    Table,
)

# Fixed document dates so that two builds give byte-identical files.
CREATED = datetime(2026, 1, 1)
LAST_ROW = 1_048_575  # 0-based index of Excel's last row: validation and formats cover rows added later
BUTTON_NAME = "jxc_sync_button"
SKU_NAME = "jxc_skus"  # defined name → tblItems' SKU column, the list source of every SKU dropdown
PARETO_NAMES = {"sku": "jxc_pareto_sku", "cogs": "jxc_pareto_cogs", "cum_share": "jxc_pareto_cum_share"}
TABLE_STYLE = "Table Style Medium 2"
FONT = {"zh": "等线", "en": "Calibri"}  # Office's default body font for zh-CN / en

GUIDE_SHEET = {"zh": "说明", "en": "Guide"}
FORMULAS_SHEET = {"zh": "公式", "en": "Formulas"}

# Tables that get an SKU dropdown fed from tblItems.
SKU_DROPDOWN_TABLES = ("tblOpening", "tblPurchases", "tblSales", "tblReturns", "tblCounts", "tblHistory")

NUM_FORMATS: dict[ColType, str] = {
    ColType.DATE: "yyyy-mm-dd",
    ColType.MONEY: "#,##0.00",
    ColType.PRICE: "#,##0.00##",
    ColType.QTY: "General",  # "#,##0.##" would show "5." for whole numbers
    ColType.NUMBER: "General",
    ColType.PERIOD: "@",  # text: Excel would turn a typed 2026-12 into a date
}
# Columns whose number format depends on the meaning rather than the type.
KEY_FORMATS: dict[str, str] = {
    "gross_margin_rate": "0.0%",
    "cum_share": "0.0%",
    "avg_daily_demand": "#,##0.00",
    "forecast_qty": "#,##0.0",
    "safety_stock_generated": "#,##0.00",
    "reorder_point": "#,##0.00",
    "eoq": "#,##0.00",
    "turnover": "#,##0.00",
    "dsi": "#,##0.0",
}

Rows = pd.DataFrame | list[dict[str, Any]]


# ---------------------------------------------------------------------------------------------------
# Small helpers


def display_width(text: str) -> int:
    """Width of text in Excel character units: CJK and full-width characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def column_width(col: Column, lang: Lang) -> float:
    """Schema width, widened so the header and the table's filter button fit."""
    return max(col.width, display_width(col.header(lang)) + 4)


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _num_format(table: Table, col: Column) -> str | None:
    if table.generated and col.key in KEY_FORMATS:
        return KEY_FORMATS[col.key]
    if table.generated and col.key == "safety_stock":
        return KEY_FORMATS["safety_stock_generated"]
    return NUM_FORMATS.get(col.type)


def _is_blank(v: Any) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, float | np.floating) and math.isnan(v):
        return True
    return isinstance(v, str) and v == ""


def _rows_to_frame(name: str, rows: Rows | None) -> pd.DataFrame:
    if rows is None:
        return pd.DataFrame()
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    t = TABLES_BY_NAME[name]
    unknown = [k for k in df.columns if k not in t.keys() and k != "_row"]
    if unknown:
        raise UsageError(
            f"data for {name} has columns {unknown} that are not in the table; "
            f"use the column keys of jxc_xl.schema ({', '.join(t.keys())})"
        )
    return df.reset_index(drop=True)


class _Formats:
    """xlsxwriter formats, created once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def num(self, fmt: str | None) -> Format | None:
        return self.get(num_format=fmt) if fmt and fmt != "General" else None


# ---------------------------------------------------------------------------------------------------
# Cells


def _write_value(ws: Worksheet, r: int, c: int, v: Any, col: Column | None, fmt: Format | None, lang: Lang) -> None:
    """One typed cell: the Python type decides the cell type (a str stays text even in a number column,
    so tests can build bad cells); choice keys become the label of ``lang``."""
    if _is_blank(v):
        return
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)
    if isinstance(v, Decimal):
        v = float(v)
    if col is not None and col.choices:
        ch = col.choice_for(v) if not isinstance(v, bool) else col.choice_for("yes" if v else "no")
        if ch is not None:
            ws.write_string(r, c, ch.label(lang), fmt)
            return
    if isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            ws.write_string(r, c, str(v), fmt)
        else:
            ws.write_number(r, c, v, fmt)
    elif isinstance(v, datetime | date):
        if col is not None and col.type == ColType.PERIOD:
            ws.write_string(r, c, f"{v.year:04d}-{v.month:02d}", fmt)
            return
        if isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        if isinstance(v, datetime) and v.tzinfo is not None:
            v = v.replace(tzinfo=None)
        ws.write_datetime(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def _write_column(
    ws: Worksheet,
    j: int,
    col: pd.Series,
    column: Column,
    fmt: Format | None,
    lang: Lang,
    cell_formats: list[Format | None] | None = None,
) -> None:
    """One column of data rows from row 2. Numeric and datetime columns skip the per-cell type dispatch
    (xlsxwriter still takes one call per cell, which is most of the cost)."""
    if cell_formats is None and not column.choices:
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            a = col.to_numpy(dtype=np.float64, na_value=np.nan)
            ok = np.flatnonzero(np.isfinite(a))
            write = ws.write_number
            for i, v in zip(ok.tolist(), a[ok].tolist(), strict=True):
                write(i + 1, j, v, fmt)
            for i in np.flatnonzero(np.isinf(a)).tolist():  # keep ±inf visible as text, as _write_value does
                ws.write_string(i + 1, j, str(a[i]), fmt)
            return
        if pd.api.types.is_datetime64_any_dtype(col.dtype) and column.type != ColType.PERIOD:
            s = col.dt.tz_localize(None) if getattr(col.dt, "tz", None) is not None else col
            ok = np.flatnonzero(s.notna().to_numpy())
            write = ws.write_datetime
            for i, v in zip(ok.tolist(), s.iloc[ok].dt.to_pydatetime().tolist(), strict=True):
                write(i + 1, j, v, fmt)
            return
    for i, v in enumerate(col.tolist()):
        _write_value(ws, i + 1, j, v, column, cell_formats[i] if cell_formats is not None else fmt, lang)


# ---------------------------------------------------------------------------------------------------
# Tables


def _setting_rows(lang: Lang, period: str | None, overrides: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    values["period"] = period
    for k, v in (overrides or {}).items():
        if k not in SETTINGS_BY_KEY:
            raise UsageError(f"unknown setting {k!r}; settings are {', '.join(SETTINGS_BY_KEY)}")
        values[k] = v
    rows = []
    for s in SETTINGS:
        v = values[s.key]
        if s.choices and not _is_blank(v):
            ch = s.choice_for(("yes" if v else "no") if isinstance(v, bool) else v)
            v = ch.label(lang) if ch else v
        rows.append({"key": s.label(lang), "value": v, "note": s.doc_zh if lang == "zh" else s.doc_en})
    return rows


def _write_table(
    ws: Worksheet,
    table: Table,
    df: pd.DataFrame,
    lang: Lang,
    fm: _Formats,
    *,
    plain: bool = False,
    cell_formats: list[Format | None] | None = None,
) -> int:
    """Header + rows at A1; returns the number of data rows written (≥ 1 for a ListObject)."""
    n = len(df)
    col_fmts = [fm.num(_num_format(table, c)) for c in table.columns]
    for j, c in enumerate(table.columns):
        ws.set_column(j, j, column_width(c, lang), col_fmts[j])
    # Explicit header look (same as the table style's) so viewers without table styles (LibreOffice) show it.
    header_fmt = fm.get(bold=True, font_color="#FFFFFF", bg_color="#4472C4", valign="vcenter")
    if plain:
        for j, c in enumerate(table.columns):
            ws.write_string(0, j, c.header(lang), header_fmt)
    else:
        ws.add_table(
            0,
            0,
            max(n, 1),
            len(table.columns) - 1,
            {
                "name": table.name,
                "style": TABLE_STYLE,
                "columns": [{"header": c.header(lang), "header_format": header_fmt} for c in table.columns],
            },
        )
    for j, c in enumerate(table.columns):
        if c.key not in df.columns:
            continue
        _write_column(
            ws,
            j,
            df[c.key],
            c,
            col_fmts[j],
            lang,
            cell_formats if (cell_formats is not None and c.key == "value") else None,
        )
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # print one page wide, header row repeated
    ws.repeat_rows(0)
    return max(n, 1)


# ---------------------------------------------------------------------------------------------------
# Data validation


def _msg(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dv(ws: Worksheet, col: int, opts: dict[str, Any], first_row: int = 1, last_row: int = LAST_ROW) -> None:
    ws.data_validation(first_row, col, last_row, col, opts)


def _column_validations(ws: Worksheet, table: Table, lang: Lang, sku_source: str | None) -> None:
    zh = lang == "zh"
    for j, c in enumerate(table.columns):
        title = _msg(c.header(lang), 32)
        doc = (c.doc_zh if zh else c.doc_en) or c.header(lang)
        base = {"input_title": title, "input_message": _msg(doc, 255), "error_title": title}
        if c.key == "sku" and table.name in SKU_DROPDOWN_TABLES and sku_source:
            _dv(
                ws,
                j,
                {
                    **base,
                    "validate": "list",
                    "source": sku_source,
                    "error_type": "warning",
                    "error_message": "此商品编码不在“商品”表中。" if zh else "This SKU is not in the Items table.",
                },
            )
        elif c.choices:
            labels = c.choice_labels(lang)
            _dv(
                ws,
                j,
                {
                    **base,
                    "validate": "list",
                    "source": labels,
                    "error_message": ("请选择：" if zh else "Choose one of: ") + " / ".join(labels),
                },
            )
        elif c.type in (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER) and (
            c.gt is not None or c.ge is not None
        ):
            crit, val = (">", c.gt) if c.gt is not None else (">=", c.ge)
            word = ("大于" if crit == ">" else "大于或等于") if zh else ("greater than" if crit == ">" else "at least")
            _dv(
                ws,
                j,
                {
                    **base,
                    "validate": "decimal",
                    "criteria": crit,
                    "value": val,
                    "error_message": f"请输入{word} {val:g} 的数字。" if zh else f"Enter a number {word} {val:g}.",
                },
            )
        elif c.type == ColType.DATE:
            _dv(
                ws,
                j,
                {
                    **base,
                    "validate": "date",
                    "criteria": "between",
                    "minimum": date(2000, 1, 1),
                    "maximum": date(2099, 12, 31),
                    "error_type": "warning",
                    "error_message": "请输入日期，格式 yyyy-mm-dd。" if zh else "Enter a date, yyyy-mm-dd.",
                },
            )
        elif c.type == ColType.PERIOD:
            _dv(
                ws,
                j,
                {
                    **base,
                    "validate": "length",
                    "criteria": "==",
                    "value": 7,
                    "error_type": "warning",
                    "error_message": "格式 YYYY-MM，例如 2026-11。" if zh else "Format YYYY-MM, e.g. 2026-11.",
                },
            )
        elif doc != c.header(lang):
            # No rule, but the column doc still helps the user as an input message.
            _dv(ws, j, {"validate": "any", "input_title": title, "input_message": _msg(doc, 255)})


def _setting_validations(ws: Worksheet, lang: Lang, rows: int) -> None:
    """Per-row rules on tblSettings' value cells (column B), for the rows of schema.SETTINGS."""
    zh = lang == "zh"
    for i, s in enumerate(SETTINGS[:rows]):
        r = i + 1
        title = _msg(s.label(lang), 32)
        base = {"input_title": title, "input_message": _msg(s.doc_zh if zh else s.doc_en, 255), "error_title": title}
        opts: dict[str, Any]
        if s.choices:
            labels = [c.label(lang) for c in s.choices]
            opts = {
                "validate": "list",
                "source": labels,
                "error_message": ("请选择：" if zh else "Choose one of: ") + " / ".join(labels),
            }
        elif s.type == ColType.PERIOD:
            opts = {
                "validate": "length",
                "criteria": "==",
                "value": 7,
                "error_message": "格式 YYYY-MM，例如 2026-11。" if zh else "Format YYYY-MM, e.g. 2026-11.",
            }
        elif s.type in (ColType.NUMBER, ColType.MONEY):
            opts = _range_rule(s, zh)
        else:
            opts = {"validate": "any"}
        ws.data_validation(r, 1, r, 1, {**base, **opts})


def _range_rule(s: SettingDef, zh: bool) -> dict[str, Any]:
    lo = s.gt if s.gt is not None else s.ge
    hi = s.lt if s.lt is not None else s.le
    text = s.allowed("zh" if zh else "en")
    msg = f"允许范围：{text}" if zh else f"Allowed: {text}"
    if lo is not None and hi is not None:
        return {"validate": "decimal", "criteria": "between", "minimum": lo, "maximum": hi, "error_message": msg}
    if lo is not None:
        return {"validate": "decimal", "criteria": ">" if s.gt is not None else ">=", "value": lo, "error_message": msg}
    return {"validate": "decimal", "criteria": "between", "minimum": -1e300, "maximum": 1e300, "error_message": msg}


# ---------------------------------------------------------------------------------------------------
# Generated sheets: conditional formatting, chart, button


def _status_formats(ws: Worksheet, table: Table, lang: Lang, fm: _Formats) -> None:
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
        eq("status", STATUS["ok"].label(lang), green)
    elif table.name == PLAN.name:
        # Order-by dates already due (today or earlier) in red; A items bold.
        j = keys.index("order_by")
        L = col_letter(j)
        ws.conditional_format(
            *rng("order_by"), {"type": "formula", "criteria": f"=AND(ISNUMBER({L}2),{L}2<=TODAY())", "format": red}
        )
        eq("abc", "A", fm.get(bold=True, font_color="#1F4E78"))
    elif table.name == ANALYSIS.name:
        j = keys.index("slow_moving")
        L = col_letter(j)
        labels = {YES_NO[0].label(lang), YES_NO[0].key, STATUS["slow"].label(lang)}
        cond = ",".join(f'{L}2="{t}"' for t in sorted(labels))
        ws.conditional_format(*rng("slow_moving"), {"type": "formula", "criteria": f"=OR({cond})", "format": grey})
        eq("abc", "A", fm.get(bold=True, font_color="#1F4E78"))


def _pareto_chart(wb: xlsxwriter.Workbook, ws: Worksheet, lang: Lang, plain: bool) -> None:
    """Column = COGS per SKU, line = cumulative share on the secondary axis. The series refer to sheet-scoped
    defined names that refer to the table's columns, so the chart follows the table when sync rewrites it."""
    sheet = quote_sheet(ANALYSIS.sheet(lang))
    keys = ANALYSIS.keys()
    for key, name in PARETO_NAMES.items():
        col = ANALYSIS.column(key)
        if plain:
            L = col_letter(keys.index(key))
            ref = f"={sheet}!${L}$2:${L}$10001"
        else:
            ref = f"={ANALYSIS.name}[{col.header(lang)}]"
        wb.define_name(f"{sheet}!{name}", ref)
    zh = lang == "zh"
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
    bars.set_title({"name": "ABC 帕累托图" if zh else "ABC Pareto", "name_font": {"size": 12}})
    bars.set_y_axis({"num_format": "#,##0", "name": "销售成本" if zh else "COGS"})
    line.set_y2_axis({"num_format": "0%", "min": 0, "max": 1, "name": "累计占比" if zh else "Cumulative share"})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 720, "height": 360})
    ws.insert_chart(1, len(keys) + 1, bars)


def _sync_button(ws: Worksheet, lang: Lang, table: Table) -> None:
    """xlwings Lite button: a shape named jxc_sync_button whose hyperlink points to the cell it covers."""
    col = len(table.columns) + 1
    cell = f"{col_letter(col)}2"
    ws.insert_textbox(
        1,
        col,
        "同步" if lang == "zh" else "Sync",
        {
            "url": f"internal:{quote_sheet(table.sheet(lang))}!{cell}",
            "tip": "运行 jxc 同步" if lang == "zh" else "Run jxc sync",
            "description": BUTTON_NAME,  # marker for _name_button (xlsxwriter cannot name shapes)
            "width": 96,
            "height": 32,
            "font": {"bold": True, "size": 12, "color": "white", "name": FONT[lang]},
            "align": {"vertical": "middle", "horizontal": "center"},
            "fill": {"color": "#2F75B5"},
            "line": {"color": "#1F4E78"},
        },
    )


_BUTTON_RE = re.compile(rb'name="TextBox \d+" descr="' + BUTTON_NAME.encode() + b'"')


def _name_button(path: Path) -> None:
    """Rename the marked textbox to jxc_sync_button in the drawing XML; zip entries keep order and dates."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/drawings/drawing") and info.filename.endswith(".xml"):
                data = _BUTTON_RE.sub(
                    b'name="' + BUTTON_NAME.encode() + b'" descr="' + BUTTON_NAME.encode() + b'"', data
                )
            zout.writestr(info, data, compress_type=info.compress_type)
    path.write_bytes(out.getvalue())


# ---------------------------------------------------------------------------------------------------
# Guide and formulas sheets


_GUIDE: dict[Lang, dict[str, Any]] = {
    "zh": {
        "title": "进销存工作簿（jxc-xl）使用说明",
        "intro": "一个工作簿 = 一个公司（一个仓库）的一个会计月份。白色标签页由您填写，绿色标签页由 jxc sync 生成，"
        "请勿手工修改（下次同步会被覆盖）。所有表格都是 Excel 表格（表名固定，如 tblSales），请在表格末尾"
        "直接输入新行，表格会自动扩展；空白行会被忽略。",
        "workflow_h": "每月流程",
        "workflow": [
            "1. 期初：新月份的“期初”由 jxc close 从上月期末结转；第一次使用时手工录入期初数量和单价。",
            "2. 在“参数”中确认会计期间（YYYY-MM）与计价方法；在“商品”中登记所有商品（商品编码唯一）。",
            "3. 日常录入：“采购入库”“销售出库”“退货”（销售退货/采购退货，须填原单号）。数量一律为正数。",
            "4. 月末盘点：在“盘点”中录入实盘数量（当日终了的实存数），差额按盘盈/盘亏入账。",
            "5. 校验：jxc validate 工作簿.xlsx —— 列出每个问题所在的工作表、单元格和修改方法。",
            "6. 同步：jxc sync 工作簿.xlsx（或点击“采购计划”表上的“同步”按钮）—— 生成库存、采购计划和分析。",
            "7. 结账：jxc close 本月.xlsx 下月.xlsx —— 生成下月工作簿，期初 = 本月期末，需求历史向后结转。",
        ],
        "sheets_h": "各工作表的用途",
        "formulas_h": "启用 Python 公式（JXC.* 函数）和同步按钮",
        "formulas": [
            "方式一 xlwings Lite（Excel 365 / 网页版 / Mac，无需安装 Python）：在 Excel 的“加载项”中搜索并安装 "
            "xlwings Lite；在命令行运行 jxc addin，把打印出的 main.py 和 requirements.txt 分别粘贴到 xlwings Lite "
            "编辑器中，重启后 JXC.* 函数和“同步”按钮即可使用。",
            "方式二 经典 xlwings 加载项（Windows，本机已安装 Python）：pip install jxc-xl xlwings，"
            "然后 xlwings addin install；在 Excel 的 xlwings 选项卡中把 UDF Modules 设为 jxc_xl.udfs 并点击 "
            'Import Functions。同步宏：RunPython("import jxc_xl.excel as x; x.sync_caller()")。',
            "不使用 Excel 加载项时，也可以在命令行运行 jxc validate / jxc sync / jxc close，效果相同。",
            "“公式”表列出每个 JXC 函数的示例：左边是实时公式，右边是安装时用 Python 算出的预期值；"
            "“检查”列显示 OK 即表示加载项工作正常。",
        ],
        "buttons_h": "按钮",
        "buttons": [
            "“采购计划”表上的“同步”按钮（形状名 jxc_sync_button）：在 xlwings Lite 中运行同步——先校验，"
            "无错误时重新生成“库存”“采购计划”“分析”三张表；有错误时列出问题，不修改任何数据。",
        ],
        "rules_h": "注意",
        "rules": [
            "金额按分四舍五入（与 Excel ROUND 相同）。金额列留空时 = 数量 × 单价。",
            "计价方法：移动加权平均、月末一次加权平均、先进先出。月中请勿更改。",
            "可以增加自己的列，但请勿改名或删除表头；表名和表头是固定的（见 docs/workbook.md）。",
        ],
    },
    "en": {
        "title": "Inventory workbook (jxc-xl): guide",
        "intro": "One workbook = one company (one stock location) and one accounting month. You fill in the "
        "white tabs; the green tabs are generated by jxc sync — do not edit them (the next sync overwrites "
        "them). Every list is an Excel Table with a fixed name (e.g. tblSales): type new rows right below "
        "the table and it grows; blank rows are ignored.",
        "workflow_h": "Monthly workflow",
        "workflow": [
            "1. Opening: jxc close carries last month's closing into Opening; the first time, type the opening "
            "quantities and unit costs.",
            "2. In Settings check the period (YYYY-MM) and the valuation method; list every item in Items "
            "(SKUs unique).",
            "3. Day to day: Purchases, Sales, Returns (sales or purchase returns, with the original doc no). "
            "Quantities are always positive.",
            "4. Month end: type the counted quantities in Counts (quantity on hand at the end of that date); "
            "differences are booked as gains or losses.",
            "5. Validate: jxc validate book.xlsx — lists each problem with its sheet, cell and the fix.",
            "6. Sync: jxc sync book.xlsx (or the Sync button on the Plan sheet) — generates Stock, Plan and Analysis.",
            "7. Close: jxc close this.xlsx next.xlsx — creates next month's workbook; its opening is this "
            "month's closing and demand history is carried forward.",
        ],
        "sheets_h": "What each sheet is for",
        "formulas_h": "Enabling the Python formulas (JXC.* functions) and the Sync button",
        "formulas": [
            "Option 1, xlwings Lite (Excel 365, Excel on the web, Mac; no Python install): install the "
            "xlwings Lite add-in from the Office Add-ins store; run jxc addin and paste the printed main.py "
            "and requirements.txt into the xlwings Lite editor; after a restart the JXC.* functions and the "
            "Sync button work.",
            "Option 2, classic xlwings add-in (Windows with Python): pip install jxc-xl xlwings, then "
            "xlwings addin install; on Excel's xlwings tab set UDF Modules to jxc_xl.udfs and click Import "
            'Functions. Sync macro: RunPython("import jxc_xl.excel as x; x.sync_caller()").',
            "Without an add-in, jxc validate / jxc sync / jxc close on the command line do the same.",
            "The Formulas sheet shows each JXC function with sample inputs: the live formula and the value "
            "Python computed when this file was made; the Check column says OK when the add-in works.",
        ],
        "buttons_h": "Buttons",
        "buttons": [
            "Sync on the Plan sheet (shape jxc_sync_button): runs sync in xlwings Lite — validates first; "
            "without errors it regenerates Stock, Plan and Analysis; with errors it lists them and changes "
            "nothing.",
        ],
        "rules_h": "Good to know",
        "rules": [
            "Money is rounded half up to the cent (as Excel's ROUND). A blank amount means qty × price.",
            "Valuation: moving_average, monthly_average or fifo. Do not change it within a month.",
            "You may add your own columns, but do not rename or delete headers: table names and headers are "
            "fixed (see docs/workbook.md).",
        ],
    },
}


GUIDE_WIDTHS = (14, 86)
LINE_HEIGHT = 17.0  # points per wrapped line at 11 pt (CJK glyphs are taller than Latin ones)


def _wrapped_height(text: str) -> float:
    """Row height that shows ``text`` wrapped in the merged guide columns (Excel does not autofit merges)."""
    usable = sum(GUIDE_WIDTHS) * 0.92  # character units lost to padding and word breaks
    # A CJK glyph is two units wide; an average Latin letter is narrower than the unit ("0").
    width = sum(2.0 if ord(ch) > 0x2E7F else 0.85 for ch in text)
    return LINE_HEIGHT * max(1, math.ceil(width / usable))


def _write_guide(ws: Worksheet, lang: Lang, fm: _Formats) -> None:
    g = _GUIDE[lang]
    title = fm.get(bold=True, font_size=16, font_color="#1F4E78")
    head = fm.get(bold=True, font_size=12, font_color="#1F4E78", top=1, top_color="#BDD7EE")
    wrap = fm.get(text_wrap=True, valign="top")
    bold = fm.get(bold=True, valign="top")
    ws.set_column(0, 0, GUIDE_WIDTHS[0])
    ws.set_column(1, 1, GUIDE_WIDTHS[1])
    ws.hide_gridlines(2)
    ws.fit_to_pages(1, 0)
    r = 0
    ws.write_string(r, 0, g["title"], title)
    ws.set_row(r, 24)
    r += 1
    ws.merge_range(r, 0, r, 1, g["intro"], wrap)
    ws.set_row(r, _wrapped_height(g["intro"]))
    r += 2

    def section(heading: str, lines: list[str]) -> None:
        nonlocal r
        ws.write_string(r, 0, heading, head)
        ws.write_blank(r, 1, None, head)
        r += 1
        for line in lines:
            ws.merge_range(r, 0, r, 1, line, wrap)
            ws.set_row(r, _wrapped_height(line))
            r += 1
        r += 1

    section(g["workflow_h"], g["workflow"])
    ws.write_string(r, 0, g["sheets_h"], head)
    ws.write_blank(r, 1, None, head)
    r += 1
    for t in TABLES:
        ws.write_string(r, 0, t.sheet(lang), bold)
        ws.write_string(r, 1, f"{t.doc_zh if lang == 'zh' else t.doc_en} — {t.name}", wrap)
        r += 1
    ws.write_string(r, 0, FORMULAS_SHEET[lang], bold)
    ws.write_string(r, 1, "JXC.* 函数示例与自检" if lang == "zh" else "JXC.* function samples and self-check", wrap)
    r += 2
    section(g["formulas_h"], g["formulas"])
    section(g["buttons_h"], g["buttons"])
    section(g["rules_h"], g["rules"])


# (function, description zh, description en, inputs, formula args, python expected) — inputs are
# scalars in columns D..H; list inputs live in the sample-data block below and are passed as ranges.
_SAMPLE_ROWS = {  # name → values of one sample-data row (row label zh, en)
    "discount_breaks": ("折扣起点", "Breaks", [0, 200, 500]),
    "discount_prices": ("折扣单价", "Prices", [500, 475, 450]),
    "abc_values": ("ABC 金额", "ABC values", [5000, 2500, 1000, 600, 400, 200, 150, 80, 50, 20]),
    "history": ("需求历史", "History", [100, 120, 90, 110, 95, 105, 130, 98]),
}


def _formula_examples() -> list[dict[str, Any]]:
    """The JXC.* samples: name, docs, scalar inputs, extra formula args and the expected value from invmath."""
    return [
        {
            "fn": "EOQ",
            "zh": "经济订货批量（年需求 λ、订货成本 K、单位年持有成本 h）",
            "en": "Economic order quantity (annual demand λ, order cost K, holding cost h)",
            "inputs": [1300, 8, 0.225],
            "call": lambda im: im.eoq(1300, 8, 0.225),
        },
        {
            "fn": "EOQ_COST",
            "zh": "批量 Q=250 时的年订货+持有成本",
            "en": "Annual ordering + holding cost at Q=250",
            "inputs": [1300, 8, 0.225, 250],
            "call": lambda im: im.eoq_cost(1300, 8, 0.225, 250),
        },
        {
            "fn": "EOQ_BACKORDER",
            "zh": "允许缺货的经济订货批量（缺货成本 p=5）",
            "en": "EOQ with planned backorders (backorder cost p=5)",
            "inputs": [1300, 8, 0.225, 5],
            "call": lambda im: im.eoq_backorder(1300, 8, 0.225, 5),
        },
        {
            "fn": "EOQ_DISCOUNT",
            "zh": "全量折扣下的最优订货量（折扣表见下方样例数据）",
            "en": "Optimal quantity under all-units discounts (price table in the sample data below)",
            "inputs": [1000, 200, 0.2],
            "ranges": ["discount_breaks", "discount_prices"],
            "call": lambda im: im.eoq_discount(1000, 200, 0.2, [0, 200, 500], [500, 475, 450]),
        },
        {
            "fn": "EOQ_DISCOUNT_COST",
            "zh": "上述订货量的年总成本（含采购）",
            "en": "Annual total cost at that quantity (incl. purchases)",
            "inputs": [1000, 200, 0.2],
            "ranges": ["discount_breaks", "discount_prices"],
            "call": lambda im: im.eoq_discount_details(1000, 200, 0.2, [0, 200, 500], [500, 475, 450]).annual_cost,
        },
        {
            "fn": "SAFETY_STOCK",
            "zh": "安全库存（服务水平、σd、提前期 L、日均需求 d、σL）",
            "en": "Safety stock (service level, σd, lead time L, daily demand d, σL)",
            "inputs": [0.9, 5, 6, 50, 2],
            "call": lambda im: im.safety_stock(0.9, 5, 6, 50, 2),
        },
        {
            "fn": "REORDER_POINT",
            "zh": "再订货点 = d·L + 安全库存",
            "en": "Reorder point = d·L + safety stock",
            "inputs": [50, 6, 129.11],
            "call": lambda im: im.reorder_point(50, 6, 129.11),
        },
        {
            "fn": "ABC",
            "zh": "ABC 分类（第 5 项恰在 95% 上，为 B）",
            "en": "ABC class (the 5th item sits exactly on 95%: B)",
            "inputs": [0.8, 0.95],
            "ranges": ["abc_values"],
            "ranges_first": True,
            "index": 5,
            "call": lambda im: im.abc([5000, 2500, 1000, 600, 400, 200, 150, 80, 50, 20], 0.8, 0.95)[4],
        },
        {
            "fn": "XYZ",
            "zh": "XYZ 分类（需求变异系数）",
            "en": "XYZ class (coefficient of variation of demand)",
            "inputs": [0.5, 1.0],
            "ranges": ["history"],
            "ranges_first": True,
            "call": lambda im: im.xyz([100, 120, 90, 110, 95, 105, 130, 98], 0.5, 1.0),
        },
        {
            "fn": "TURNOVER",
            "zh": "存货周转率 = 销售成本 / 平均库存",
            "en": "Turnover = COGS / average inventory",
            "inputs": [12000, 2000, 4000],
            "call": lambda im: im.turnover(12000, 2000, 4000),
        },
        {
            "fn": "DAYS_OF_INVENTORY",
            "zh": "存货周转天数（期间 30 天）",
            "en": "Days of inventory (30-day period)",
            "inputs": [12000, 2000, 4000, 30],
            "call": lambda im: im.days_of_inventory(12000, 2000, 4000, 30),
        },
        {
            "fn": "FORECAST",
            "zh": "需求预测：下一期，3 期移动平均",
            "en": "Forecast: next period, 3-period moving average",
            "inputs": [1, "ma"],
            "ranges": ["history"],
            "ranges_first": True,
            "index": 1,
            "call": lambda im: im.forecast([100, 120, 90, 110, 95, 105, 130, 98], 1, "ma")[0],
        },
    ]


def _expected(call: Any) -> Any:
    """The sample's value from jxc_xl.core.invmath, or None when it is not available."""
    try:
        from jxc_xl.core import invmath

        v = call(invmath)
    except Exception:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, np.ndarray):
        v = v.reshape(-1)[0].item()
    return round(v, 6) if isinstance(v, float) else v


def _write_formulas(ws: Worksheet, lang: Lang, fm: _Formats) -> None:
    """One row per JXC.* function: inputs, the live formula, its text, the Python value and a check."""
    zh = lang == "zh"
    head = fm.get(bold=True, bg_color="#DDEBF7", bottom=1, text_wrap=True, valign="top")
    title = fm.get(bold=True, font_size=14, font_color="#1F4E78")
    live = fm.get(bg_color="#FFF2CC", num_format="#,##0.0000")
    expect = fm.get(num_format="#,##0.0000")
    mono = fm.get(font_name="Consolas", font_color="#595959")
    wrap = fm.get(text_wrap=True, valign="top")
    ws.write_string(0, 0, "JXC 公式示例与自检" if zh else "JXC formulas: samples and self-check", title)
    ws.write_string(
        1,
        0,
        "黄色单元格是实时公式；安装加载项后，“检查”列应显示 OK。"
        if zh
        else "Yellow cells are live formulas; once the add-in is installed the Check column shows OK.",
    )
    headers = (
        ["函数", "说明", "", "输入1", "输入2", "输入3", "输入4", "输入5", "实时结果", "公式", "预期值", "检查"]
        if zh
        else [
            "Function",
            "Description",
            "",
            "Input 1",
            "Input 2",
            "Input 3",
            "Input 4",
            "Input 5",
            "Live result",
            "Formula",
            "Expected",
            "Check",
        ]
    )
    widths = [24, 46, 2, 9, 9, 9, 9, 9, 14, 54, 14, 18]
    for j, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.set_column(j, j, w)
        ws.write_string(3, j, h, head)
    examples = _formula_examples()
    first = 4
    # Sample lists (ranges passed to the functions) sit right of the table, one list per row, in narrow
    # columns of their own.
    label_col = len(widths) + 1
    ws.set_column(label_col, label_col, 12)
    longest = max(len(v) for _, _, v in _SAMPLE_ROWS.values())
    ws.set_column(label_col + 1, label_col + longest, 7)
    ws.write_string(3, label_col, "样例数据" if zh else "Sample data", head)
    for k in range(longest):
        ws.write_blank(3, label_col + 1 + k, None, head)
    ranges: dict[str, str] = {}
    for i, (key, (lzh, len_, values)) in enumerate(_SAMPLE_ROWS.items()):
        r = first + i
        ws.write_string(r, label_col, lzh if zh else len_)
        for k, v in enumerate(values):
            ws.write_number(r, label_col + 1 + k, v)
        ranges[key] = f"${col_letter(label_col + 1)}${r + 1}:${col_letter(label_col + len(values))}${r + 1}"
    not_loaded = "加载项未启用" if zh else "add-in not loaded"
    for i, ex in enumerate(examples):
        r = first + i
        row = r + 1
        ws.write_string(r, 0, f"JXC.{ex['fn']}", fm.get(bold=True))
        ws.write_string(r, 1, ex["zh"] if zh else ex["en"], wrap)
        args = []
        for k, v in enumerate(ex["inputs"]):
            if isinstance(v, str):
                ws.write_string(r, 3 + k, v)
            else:
                ws.write_number(r, 3 + k, v)
            args.append(f"{col_letter(3 + k)}{row}")
        rng = [ranges[n] for n in ex.get("ranges", [])]
        args = rng + args if ex.get("ranges_first") else args + rng
        call = f"JXC.{ex['fn']}({','.join(args)})"
        formula = f"=INDEX({call},{ex['index']})" if "index" in ex else f"={call}"
        ws.write_formula(r, 8, formula, live, "#N/A")
        ws.write_string(r, 9, formula, mono)
        value = _expected(ex["call"])
        if value is None:
            ws.write_string(r, 10, "（未计算）" if zh else "(not computed)")
        elif isinstance(value, str):
            ws.write_string(r, 10, value)
        else:
            ws.write_number(r, 10, value, expect)
        # Outside JXC.*: plain functions that LibreOffice and every Excel compute, errors caught.
        check = (
            f'=IFERROR(IF(ISNUMBER(K{row}),IF(ABS(I{row}-K{row})<=0.0001*MAX(1,ABS(K{row})),"OK","≠"),'
            f'IF(I{row}=K{row},"OK","≠")),"{not_loaded}")'
        )
        ws.write_formula(r, 11, check, None, not_loaded)
    ws.freeze_panes(4, 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


# ---------------------------------------------------------------------------------------------------
# The workbook


def build_workbook(
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    period: str | None = "2026-11",
    settings: Mapping[str, Any] | None = None,
    data: Mapping[str, Rows | None] | None = None,
    omit: Collection[str] = (),
    plain: Collection[str] = (),
    extras: bool = True,
) -> Path:
    """Write a workbook of the contract to ``path`` (atomically) and return the path.

    ``data``: table name → rows keyed by column key (a DataFrame or a list of dicts); cells are typed by
    the Python value (numbers, dates, text; None/NaN blank; choice keys become labels of ``lang``).
    Rows for ``tblSettings`` replace the generated settings rows entirely (for tests of odd settings).
    ``settings``: setting key → value, overriding the defaults; ``period`` fills the period setting.
    ``omit``: table names left out (for tests of a missing table); ``plain``: tables written as a plain
    header + range instead of an Excel Table. ``extras``: the guide and formulas sheets.
    """
    if lang not in ("zh", "en"):
        raise UsageError(f"language must be 'zh' or 'en', not {lang!r}")
    data = dict(data or {})
    for name in list(data) + list(omit) + list(plain):
        if name not in TABLES_BY_NAME:
            raise UsageError(f"unknown table {name!r}; tables are {', '.join(TABLES_BY_NAME)}")
    frames = {name: _rows_to_frame(name, rows) for name, rows in data.items()}

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~jxc-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _build(
            tmp,
            lang=lang,
            period=period,
            settings=settings,
            frames=frames,
            omit=set(omit),
            plain=set(plain),
            extras=extras,
        )
        _name_button(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the user's workbook private
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _build(
    path: Path,
    *,
    lang: Lang,
    period: str | None,
    settings: Mapping[str, Any] | None,
    frames: dict[str, pd.DataFrame],
    omit: set[str],
    plain: set[str],
    extras: bool,
) -> None:
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
            "default_format_properties": {"font_name": FONT[lang], "font_size": 11},  # CJK-friendly font in zh
        },
    )
    wb.set_properties(
        {
            "title": "进销存工作簿" if lang == "zh" else "Inventory workbook",
            "subject": f"jxc-xl {period or ''}".strip(),
            "author": "jxc-xl",
            "comments": "Generated by jxc-xl; see docs/workbook.md",
            "created": CREATED,
        }
    )
    wb.set_calc_mode("auto")
    fm = _Formats(wb)

    if extras:
        _write_guide(wb.add_worksheet(GUIDE_SHEET[lang]), lang, fm)

    items_plain = ITEMS.name in plain
    sku_source: str | None = None
    if ITEMS.name not in omit:
        sku_col = ITEMS.column("sku").header(lang)
        if items_plain:
            L = col_letter(ITEMS.keys().index("sku"))
            wb.define_name(SKU_NAME, f"={quote_sheet(ITEMS.sheet(lang))}!${L}$2:${L}$10001")
        else:
            wb.define_name(SKU_NAME, f"={ITEMS.name}[{sku_col}]")
        sku_source = f"={SKU_NAME}"

    for t in TABLES:
        if t.name in omit:
            continue
        ws = wb.add_worksheet(t.sheet(lang))
        is_plain = t.name in plain
        if t is SETTINGS_TABLE:
            if t.name in frames:
                df = frames[t.name]
                cell_fmts = None
            else:
                df = pd.DataFrame(_setting_rows(lang, period, settings))
                money = fm.get(num_format=NUM_FORMATS[ColType.MONEY], align="left")
                left = fm.get(align="left")
                text = fm.get(num_format="@", align="left")  # a typed 2026-12 must stay text, not a date
                cell_fmts = [
                    money if s.type == ColType.MONEY else text if s.type == ColType.PERIOD else left for s in SETTINGS
                ]
            _write_table(ws, t, df, lang, fm, plain=is_plain, cell_formats=cell_fmts)
            if t.name not in frames:
                _setting_validations(ws, lang, len(SETTINGS))
            ws.set_column(2, 2, column_width(t.column("note"), lang), fm.get(text_wrap=False))
            continue
        df = frames.get(t.name, pd.DataFrame())
        _write_table(ws, t, df, lang, fm, plain=is_plain)
        _column_validations(ws, t, lang, sku_source)
        if t.generated:
            ws.set_tab_color("#70AD47")
            _status_formats(ws, t, lang, fm)
        if t is PLAN:
            _sync_button(ws, lang, t)
        if t is ANALYSIS:
            _pareto_chart(wb, ws, lang, is_plain)

    if extras:
        _write_formulas(wb.add_worksheet(FORMULAS_SHEET[lang]), lang, fm)
    wb.close()


def new_workbook(path: str | os.PathLike[str], *, period: str = "2026-11", lang: Lang = "zh") -> Path:
    """What ``jxc new`` calls: an empty workbook for ``period``; refuses to overwrite an existing file."""
    p = Path(path)
    if p.exists():
        raise UsageError(f"{p} already exists; choose another file name or delete it first (jxc new never overwrites)")
    from jxc_xl.schema import PERIOD_RE

    if not PERIOD_RE.match(period):
        raise UsageError(f"period {period!r} is not YYYY-MM (e.g. 2026-11); cannot create {p}")
    return build_workbook(p, lang=lang, period=period)


TEMPLATE_FILES: dict[Lang, str] = {"zh": "jxc_workbook.xlsx", "en": "jxc_workbook_en.xlsx"}
TEMPLATE_PERIOD = "2026-11"


def build_templates(directory: str | os.PathLike[str]) -> list[Path]:
    """The committed templates (zh and en) in ``directory``."""
    d = Path(directory)
    return [build_workbook(d / f, lang=lang, period=TEMPLATE_PERIOD) for lang, f in TEMPLATE_FILES.items()]


def main() -> None:
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "templates"
    for p in build_templates(target):
        print(p)


if __name__ == "__main__":
    main()
