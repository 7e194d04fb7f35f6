"""Shared test factories: a small clean month as rows keyed by column key, and a writer for it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from jxc_xl.core.money import round_half_up
from jxc_xl.io.template import build_workbook
from jxc_xl.schema import Lang


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
