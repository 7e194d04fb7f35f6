"""The template's look: fixed names, fonts, number formats, column widths and the per-workbook format cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format

from jxc_xl.core.messages import word
from jxc_xl.schema import (
    COUNTS,
    HISTORY,
    LANGS,
    OPENING,
    ORDERS,
    OTHER,
    PURCHASES,
    RETURNS,
    SALES,
    TRANSFERS,
    ColType,
    Column,
    Lang,
    Table,
)

# Fixed document dates so that two builds give byte-identical files.
CREATED = datetime(2026, 1, 1)
LAST_ROW = 1_048_575  # 0-based index of Excel's last row: validation and formats cover rows added later
SKU_NAME = "jxc_skus"  # defined name → tblItems' SKU column, the list source of every SKU dropdown
WAREHOUSE_NAME = "jxc_warehouses"  # defined name → tblWarehouses' code column, the warehouse dropdowns' source
PARETO_NAMES = {"sku": "jxc_pareto_sku", "cogs": "jxc_pareto_cogs", "cum_share": "jxc_pareto_cum_share"}
TABLE_STYLE = "Table Style Medium 2"
FONT = {"zh": "等线", "en": "Calibri"}  # Office's default body font for zh-CN / en
# Same look as the table style's header, written explicitly so viewers without table styles (LibreOffice) show it.
HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#4472C4", "valign": "vcenter"}

GUIDE_SHEET: dict[Lang, str] = {lang: word("tpl_guide_sheet", lang) for lang in LANGS}
FORMULAS_SHEET: dict[Lang, str] = {lang: word("tpl_formulas_sheet", lang) for lang in LANGS}

# Tables that get an SKU dropdown fed from tblItems.
SKU_DROPDOWN_TABLES = tuple(
    t.name for t in (OPENING, PURCHASES, SALES, RETURNS, COUNTS, HISTORY, ORDERS, OTHER, TRANSFERS)
)
WAREHOUSE_KEYS = ("warehouse", "from_warehouse", "to_warehouse")  # input columns with the warehouse dropdown

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
    "days_cover": "#,##0.0",
    "avg_age_days": "#,##0.0",  # issue 12.6
    "loss_rate": "0.00%",  # issue 12.3: a few per mille is typical, so two decimals
}


def display_width(text: str) -> int:
    """Width of text in Excel character units: CJK and full-width characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def column_width(col: Column, lang: Lang) -> float:
    """Schema width, widened so the header and the table's filter button fit."""
    return max(col.width, display_width(col.header(lang)) + 4)


def quote_sheet(name: str) -> str:
    """A sheet name quoted for a formula reference: ``'name'!A1`` (inner quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


def num_format(table: Table, col: Column) -> str | None:
    """The number format of a column: by meaning on the generated sheets, else by type."""
    if table.generated and col.key in KEY_FORMATS:
        return KEY_FORMATS[col.key]
    if table.generated and col.key == "safety_stock":
        return KEY_FORMATS["safety_stock_generated"]
    return NUM_FORMATS.get(col.type)


class Formats:
    """xlsxwriter formats, created once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **props: Any) -> Format:
        """The format with these properties (one object per distinct set)."""
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def num(self, fmt: str | None) -> Format | None:
        """A number-format-only format, or None for General."""
        return self.get(num_format=fmt) if fmt and fmt != "General" else None
