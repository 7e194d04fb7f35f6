"""Shared test factories, one home for each kind of test input.

* ``make_workbook``: an in-memory ``Workbook`` (what the reader produces) from rows keyed by column key.
* ``small_month`` / ``write_book``: a small clean month as rows, and a writer for it (the jxc template);
  ``sales_lines``: a big sales ledger.
* ``plain_month``: a month kept by hand as plain ranges (titles, 合计 and signature rows, no Excel Table).
* ``write_user_parts_book``: an xlsx with the generated tables plus the parts a user adds (a sync must keep
  them), and ``stock_rows`` / ``plan_rows`` / ``analysis_rows`` / ``generated_frames`` to write into it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import xlsxwriter
from openpyxl.utils import get_column_letter

from jxc_xl.core.book import TableData, Workbook, frame
from jxc_xl.core.findings import col_letter
from jxc_xl.core.money import round_half_up
from jxc_xl.io.template import build_workbook
from jxc_xl.schema import (
    ANALYSIS,
    HISTORY,
    INPUT_TABLES,
    ORDERS,
    PLAN,
    SETTINGS_TABLE,
    STOCK,
    ColType,
    Lang,
    Settings,
    Table,
)

# ---------------------------------------------------------------------------------------------------
# In-memory workbooks


def make_workbook(
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    lang: Lang = "zh",
    period: str | None = "2026-04",
    settings: Settings | None = None,
    **setting_overrides: Any,
) -> Workbook:
    """A ``Workbook`` as the reader would give it, without a file.

    Args:
        rows: table name → rows keyed by column key; absent or empty tables are present with no rows.
        lang: the workbook's language (sheet names follow it).
        period: the settings' period; ``None`` gives a workbook without usable settings.
        settings: the settings as they are (``period`` and overrides are then ignored).
        **setting_overrides: other ``Settings`` fields (``valuation="fifo"``, ``allow_negative=True``, …).

    Returns:
        Every input table, each on its sheet with its Excel column letters and rows from row 2.
    """
    tables = {
        t.name: TableData(
            table=t,
            df=frame(t, [dict(r) for r in rows.get(t.name, ())] or None),
            sheet=t.sheet(lang),
            col_letters={c.key: col_letter(i) for i, c in enumerate(t.columns)},
        )
        for t in INPUT_TABLES
    }
    if settings is None and period is not None:
        settings = Settings(period=period, **setting_overrides)
    return Workbook(path=None, lang=lang, settings=settings, tables=tables)


# ---------------------------------------------------------------------------------------------------
# A small clean month, written with the jxc template


def _amount(qty: float, price: float) -> float:
    return round_half_up(qty * price, 2)


def _line(d: date, doc: str, party_key: str, party: str, sku: str, qty: float, price: float) -> dict[str, Any]:
    return {
        "date": d,
        "doc_no": doc,
        party_key: party,
        "sku": sku,
        "qty": qty,
        "unit_price": price,
        "amount": _amount(qty, price),
    }


def _item(
    sku: str,
    name: str,
    spec: str,
    unit: str,
    category: str,
    supplier: str,
    cost: float,
    price: float,
    lead: float,
    lead_sd: float,
    **kw: Any,
) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": name,
        "spec": spec,
        "unit": unit,
        "category": category,
        "supplier": supplier,
        "cost": cost,
        "price": price,
        "lead_time_days": lead,
        "lead_time_sd_days": lead_sd,
        "active": "yes",
        **kw,
    }


def small_month() -> dict[str, list[dict[str, Any]]]:
    """A small clean month (2026-11): 5 items, opening, purchases, sales, one sales return, one purchase
    return with valid originals, and a count that agrees with the book. No validation problem at all."""
    d = lambda day: date(2026, 11, day)  # noqa: E731
    items = [
        _item("A001", "不锈钢保温杯", "500ml", "个", "杯具", "华东贸易", 18.5, 39.0, 7, 1),
        _item("A002", "陶瓷马克杯", "350ml", "个", "杯具", "华东贸易", 6.2, 15.0, 5, 0),
        _item("B001", "竹制砧板", "40x28cm", "块", "厨具", "南方家居", 22.0, 49.9, 10, 2, moq=20),
        _item("B002", "硅胶锅铲", "", "把", "厨具", "南方家居", 4.35, 9.9, 10, 2, order_multiple=12),
        _item("C001", "洗碗布（5片装）", "5片", "包", "清洁", "利洁日化", 3.1, 7.5, 3, 0),
    ]
    opening = [
        {"sku": "A001", "qty": 40, "unit_cost": 18.5, "amount": _amount(40, 18.5)},
        {"sku": "A002", "qty": 120, "unit_cost": 6.2, "amount": _amount(120, 6.2)},
        {"sku": "B001", "qty": 15, "unit_cost": 21.8, "amount": _amount(15, 21.8)},
        {"sku": "B002", "qty": 60, "unit_cost": 4.35, "amount": _amount(60, 4.35)},
        {"sku": "C001", "qty": 200, "unit_cost": 3.1, "amount": _amount(200, 3.1)},
    ]
    purchases = [
        _line(d(3), "PO-202611-0001", "supplier", "华东贸易", "A001", 60, 18.8),
        _line(d(3), "PO-202611-0001", "supplier", "华东贸易", "A002", 100, 6.15),
        _line(d(10), "PO-202611-0002", "supplier", "南方家居", "B001", 20, 22.0),
        _line(d(10), "PO-202611-0002", "supplier", "南方家居", "B002", 48, 4.4),
        _line(d(17), "PO-202611-0003", "supplier", "利洁日化", "C001", 150, 3.05),
    ]
    sales = [
        _line(d(2), "SO-202611-00001", "customer", "张记超市", "A001", 12, 39.0),
        _line(d(2), "SO-202611-00001", "customer", "张记超市", "C001", 30, 7.5),
        _line(d(5), "SO-202611-00002", "customer", "李氏百货", "A002", 45, 15.0),
        _line(d(8), "SO-202611-00003", "customer", "王家小店", "B001", 10, 49.9),
        _line(d(12), "SO-202611-00004", "customer", "张记超市", "A001", 30, 38.5),
        _line(d(12), "SO-202611-00004", "customer", "张记超市", "B002", 24, 9.9),
        _line(d(20), "SO-202611-00005", "customer", "李氏百货", "C001", 80, 7.2),
        _line(d(25), "SO-202611-00006", "customer", "王家小店", "B001", 12, 49.9),
    ]
    returns = [
        {
            "date": d(14),
            "doc_no": "RT-202611-0001",
            "kind": "sales_return",
            "orig_doc_no": "SO-202611-00004",
            "sku": "A001",
            "qty": 2,
            "unit_price": 38.5,
            "amount": _amount(2, 38.5),
            "reason": "包装破损",
        },
        {
            "date": d(11),
            "doc_no": "RT-202611-0002",
            "kind": "purchase_return",
            "orig_doc_no": "PO-202611-0002",
            "sku": "B002",
            "qty": 6,
            "unit_price": 4.4,
            "amount": _amount(6, 4.4),
            "reason": "质量问题",
        },
    ]
    # Book qty of A002 at end of 2026-11-15: 120 + 100 − 45 = 175; the count agrees.
    counts = [{"date": d(15), "sku": "A002", "counted_qty": 175, "note": "月中盘点"}]
    history = [
        {"sku": s, "period": p, "demand_qty": q}
        for s, base in (("A001", 40), ("A002", 50), ("B001", 20), ("B002", 25), ("C001", 100))
        for p, q in zip((f"2026-{m:02d}" for m in range(1, 11)), (base + (i % 3) * 2 for i in range(10)), strict=True)
    ]
    return {
        "tblItems": items,
        "tblOpening": opening,
        "tblPurchases": purchases,
        "tblSales": sales,
        "tblReturns": returns,
        "tblCounts": counts,
        "tblHistory": history,
    }


def sales_lines(n: int) -> pd.DataFrame:
    """``n`` one-unit sales lines of SKU A spread over November 2026 (a big ledger for size and speed)."""
    return pd.DataFrame(
        {
            "date": pd.Timestamp("2026-11-01") + pd.to_timedelta(np.arange(n) % 30, unit="D"),
            "doc_no": [f"S{i}" for i in range(n)],
            "sku": "A",
            "qty": 1.0,
            "unit_price": 2.5,
        }
    )


def write_book(
    path: str | Path,
    data: Mapping[str, list[dict[str, Any]] | pd.DataFrame] | None = None,
    *,
    lang: Lang = "zh",
    period: str = "2026-11",
    settings: Mapping[str, Any] | None = None,
    **kw: Any,
) -> Path:
    """Write ``data`` (default: ``small_month()``) as a workbook of the contract; extra keywords go to
    ``build_workbook`` (``omit=``, ``plain=``)."""
    return build_workbook(
        path, lang=lang, period=period, settings=settings, data=small_month() if data is None else data, **kw
    )


# ---------------------------------------------------------------------------------------------------
# A month kept by hand: plain ranges

PLAIN_ORDERS = [
    {"order_date": date(2026, 10, 28), "doc_no": "PO-9", "sku": "A001", "qty": 60, "received_qty": 20},
    {"order_date": date(2026, 11, 20), "doc_no": "PO-10", "sku": "B001", "qty": 20, "expected_date": date(2026, 12, 2)},
]
TITLE_ROWS = 2  # a merged title and a "单位：元" line above each header row
SUMMED = {"qty", "amount", "counted_qty", "demand_qty"}  # what a 合计 row adds up


def _cells(t: Table, rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r.get(c.key) for c in t.columns] for r in rows]


def _settings() -> list[list[Any]]:
    return [["会计期间", "2026-11", "本月"], ["计价方法", "移动加权平均", None], ["公司", "示例商贸", None]]


def _total_row(t: Table, rows: list[dict[str, Any]]) -> list[Any]:
    """合计 in the first column, the sums of the quantity and amount columns under them."""
    out: list[Any] = [sum(r.get(c.key) or 0 for r in rows) if c.key in SUMMED else None for c in t.columns]
    out[0] = "合计"
    return out


def plain_month(path: Path, data: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """``data`` (default ``small_month()``) as a month kept by hand: each input table a plain range on its zh sheet
    under a merged title and a note, a 合计 row under the ledgers and the opening, a blank row and a signature
    line; no Excel Table and no generated sheet. A table absent from ``data`` gets no sheet."""
    data = {**small_month(), ORDERS.name: PLAIN_ORDERS} if data is None else data
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for t in INPUT_TABLES:
        if t is not SETTINGS_TABLE and t.name not in data:
            continue
        ws = wb.create_sheet(t.zh_sheet)
        width = len(t.columns)
        ws.cell(1, 1, f"{t.zh_sheet} 2026年11月")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(2, 1, "单位：元")
        rows = _settings() if t is SETTINGS_TABLE else _cells(t, data[t.name])
        body = [t.headers("zh"), *rows]
        if t is not SETTINGS_TABLE and t is not HISTORY:  # the history is a list, not a ledger: no total
            body += [_total_row(t, data[t.name]), [None] * width, ["制表人：张三", None, "审核：李四"]]
        for i, row in enumerate(body, start=TITLE_ROWS + 1):
            for j, v in enumerate(row, start=1):
                if v is not None:
                    cell = ws.cell(i, j, v)
                    if isinstance(v, date):
                        cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions[get_column_letter(1)].width = 14
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------------
# A workbook with user parts, and generated frames to write into it

USER_SHEET = "说明"
USER_COL = len(STOCK.columns) + 1  # 0-based column one blank column right of tblStock
USER_ANCHOR = f"{col_letter(USER_COL)}3"  # a cell right of tblStock on a row the table grows into (a button's anchor)
GENERATED = (STOCK, PLAN, ANALYSIS)


def tiny_png() -> bytes:
    """A valid 2×2 RGB PNG, made here so the test needs no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def write_user_parts_book(path: Path, tmp: Path, *, lang: Lang = "zh", date_1904: bool = False) -> Path:
    """A workbook like the jxc template's generated sheets plus everything a user adds that must survive a
    sync: a user sheet with a formula, comment, image, text box, validation and defined name; per table a
    styled empty row, column style, conditional format and validation; a note, an anchor cell and a chart
    beside tblStock. ``tmp`` holds the image file."""
    png = tmp / "logo.png"
    png.write_bytes(tiny_png())
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    money = wb.add_format({"num_format": "#,##0.00"})
    qty = wb.add_format({"num_format": "0.###"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    text = wb.add_format({"font_color": "#1F4E79"})

    user = wb.add_worksheet(USER_SHEET)
    user.write("A1", "期末金额合计")
    user.write_formula("B1", "=SUM(tblStock[期末金额])", None, 0)
    user.write_comment("A1", "用户批注")
    user.insert_image("D2", str(png))
    user.insert_textbox("D8", "说明文字", {"width": 200, "height": 60})
    user.data_validation("B5", {"validate": "list", "source": ["是", "否"]})
    wb.define_name("期末合计", f"='{USER_SHEET}'!$B$1")

    for t in GENERATED:
        ws = wb.add_worksheet(t.sheet(lang))
        headers = t.headers(lang)
        n = len(headers)
        ws.add_table(0, 0, 1, n - 1, {"name": t.name, "columns": [{"header": h} for h in headers]})
        for j, c in enumerate(t.columns):
            fmt = {ColType.MONEY: money, ColType.QTY: qty, ColType.DATE: day}.get(c.type)
            if fmt is not None:
                ws.write_blank(1, j, None, fmt)  # the template's styled empty data row
        # The name column is styled through its <col> only: the fallback when the first row has no style.
        ws.set_column(1, 1, 22, text)
        ws.conditional_format(1, 0, 10_000, n - 1, {"type": "cell", "criteria": "<", "value": 0, "format": money})
        ws.data_validation(1, n - 1, 10_000, n - 1, {"validate": "length", "criteria": "<=", "value": 50})
    stock = wb.get_worksheet_by_name(STOCK.sheet(lang))
    stock.write(USER_ANCHOR, "按钮")
    stock.write(f"{col_letter(USER_COL)}1", "右侧备注")
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {"categories": f"='{STOCK.sheet(lang)}'!$A$2:$A$20", "values": f"='{STOCK.sheet(lang)}'!$N$2:$N$20"}
    )
    stock.insert_chart(f"{col_letter(USER_COL + 1)}5", chart)
    wb.close()
    return path


def stock_rows(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` tblStock rows of random figures, names with characters XML must escape."""
    rng = np.random.default_rng(seed)
    special = ["<&>\"'", " leading space", "line\nbreak", "_x000D_ literal", "tab\there", "普通文本"]
    rows = []
    for i in range(n):
        oq = float(rng.integers(0, 500))
        iq = float(rng.integers(0, 300))
        uq = float(rng.integers(0, 200))
        cost = round(float(rng.uniform(1, 99)), 2)
        rows.append(
            {
                "sku": f"SKU{i:05d}",
                "name": special[i % len(special)],
                "unit": "个",
                "opening_qty": oq,
                "opening_amount": round(oq * cost, 2),
                "in_qty": iq,
                "in_amount": round(iq * cost, 2),
                "out_qty": uq,
                "out_amount": round(uq * cost, 2),
                "adj_qty": None if i % 4 == 0 else 0.5,
                "adj_amount": 0.1 + 0.2,
                "closing_qty": oq + iq - uq,
                "closing_unit_cost": cost / 3,
                "closing_amount": round((oq + iq - uq) * cost, 2),
                "status": "正常",
            }
        )
    return frame(STOCK, rows)


def plan_rows(n: int) -> pd.DataFrame:
    """``n`` tblPlan rows with a blank supplier, a huge EOQ and a blank date among them."""
    rows = [
        {
            "sku": f"P{i}",
            "name": f"品{i}",
            "supplier": "供" if i % 2 else None,
            "on_hand": i * 1.5,
            "avg_daily_demand": 1 / 3,
            "safety_stock": 2.25,
            "reorder_point": 10,
            "eoq": 1e20 if i == 1 else 7,
            "order_qty": 12,
            "order_by": date(2026, 1, 31 - i) if i != 2 else None,
            "amount": 1234.56,
            "abc": "A",
            "reason": "低于再订货点",
        }
        for i in range(n)
    ]
    return frame(PLAN, rows)


def analysis_rows(n: int) -> pd.DataFrame:
    """``n`` tblAnalysis rows."""
    rows = [
        {
            "sku": f"A{i}",
            "name": "n",
            "abc": "B",
            "revenue": 100.0 + i,
            "cogs": 60.25,
            "gross_margin": 39.75 + i,
            "gross_margin_rate": 0.3975,
            "avg_inventory": 50,
            "turnover": 1.2,
            "dsi": 25.5,
            "slow_moving": "否",
            "cum_share": i / max(n, 1),
        }
        for i in range(n)
    ]
    return frame(ANALYSIS, rows)


def generated_frames(n: int = 5) -> dict[str, pd.DataFrame]:
    """The three generated tables for ``write_tables``: ``n`` stock, ``min(n, 4)`` plan, ``n`` analysis rows."""
    return {STOCK.name: stock_rows(n), PLAN.name: plan_rows(min(n, 4)), ANALYSIS.name: analysis_rows(n)}


def warehouse_month() -> dict[str, list[dict[str, Any]]]:
    """``small_month`` kept in two warehouses (issue 12.2): 仓库 lists WH (the default: blank cells) and BR; BR
    holds part of C001's opening and receives A002's purchase, which it sells; two transfers (A001 WH → BR, C001
    BR → WH); A001's sales return comes back to BR though its sale left WH. No validation problem at all."""
    data = small_month()
    d = lambda day: date(2026, 11, day)  # noqa: E731
    data["tblWarehouses"] = [
        {"code": "WH", "name": "总仓", "note": "默认仓库"},
        {"code": "BR", "name": "门店仓", "note": None},
    ]
    opening = data["tblOpening"]
    c001 = next(r for r in opening if r["sku"] == "C001")
    c001.update(qty=150, amount=_amount(150, 3.1))
    opening.append({"sku": "C001", "qty": 50, "unit_cost": 3.1, "amount": _amount(50, 3.1), "warehouse": "BR"})
    for r in data["tblPurchases"] + data["tblSales"]:
        if r["sku"] == "A002":
            r["warehouse"] = "BR"
    data["tblReturns"][0]["warehouse"] = "BR"  # A001 back into BR (its sale left WH)
    data["tblCounts"] = [{"date": d(15), "sku": "A002", "counted_qty": 120, "note": "月中盘点", "warehouse": "WH"}]
    data["tblTransfers"] = [
        {"date": d(6), "doc_no": "DB-0001", "from_warehouse": "WH", "to_warehouse": "BR", "sku": "A001", "qty": 10},
        {"date": d(18), "doc_no": "DB-0002", "from_warehouse": "BR", "to_warehouse": "WH", "sku": "C001", "qty": 20},
    ]
    return data
