"""Warehouses and transfers (issue 12.2): stock valued per (warehouse, SKU), the company as their sum.

* A workbook uses warehouses when a line of 期初 / 采购入库 / 销售出库 / 退货 / 盘点 names one in its 仓库 column or
  调拨 holds a transfer. Otherwise it is one warehouse and is valued exactly as before (no key, no extra work).
* A blank 仓库 cell is the default warehouse: the first row of 仓库 (the warehouse list), else the unnamed only
  warehouse (shown blank).
* With warehouses each (warehouse, SKU) is valued on its own by the month's method, as one SKU was before: its
  opening (the 期初 rows of that warehouse; FIFO lots per warehouse), its receipts and issues, its counts (a
  count states the quantity on hand in its warehouse). An item of 商品 that no line names has a row at the
  default warehouse.
* A transfer (调拨) is booked as a transfer out of the source warehouse, then into the destination, after the
  date's purchases and returns and before its sales. The out leaves at the source's cost at that moment (moving
  average: its unit cost; FIFO: from its oldest layers; month-end average: the source's month average, the
  destination's average counting the transfer in at that amount). The destination receives exactly the amount
  that left, so a transfer changes no company total, to the cent.
* FIFO: the destination receives the layers the out took, each piece as a layer at its own amount with its own
  receipt date and receipt document (a purchase's, an opening lot's), placed after the destination's layers
  received on or before that date — so it issues them in receipt order, ages them from their first receipt, and
  ``jxc close`` carries them as lots with their 入库日期 (next month sorts the lots by that date: the same order).
  A part beyond what the source held (negative stock allowed) arrives as a layer received on the transfer date.
* A return goes back to (or leaves from) the warehouse of its own line. A sales return comes back at the issue
  cost of its original sale wherever that sale left from; a purchase return leaves at its original price.
* 库存 (tblStock) is the company: per SKU the sum over its warehouses of every quantity and amount (transfers
  cancel and are not shown there); its opening unit cost is opening amount / qty, its closing unit cost closing
  amount / qty (a SKU kept in one warehouse, or a closing qty of 0 or below: that / the first warehouse's closing
  unit cost). The month-end average's
  rounding is per warehouse, so the company's closing is the sum of each warehouse's ROUND(qty × unit cost).
* 分仓库存 (tblStockByWarehouse) is one row per (warehouse, SKU), none for a workbook of one warehouse:
  收入 = 采购入库 + 销售退回 + 盘盈 + 其他入库, 发出 = 销售出库 + 采购退货 + 盘亏 + 其他出库, and 调入 / 调出;
  closing = opening + 收入 + 调入 − 发出 − 调出 + 成本调整, exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.ledger import clean_keys, ledger_events, opening_lines, table_frame
from jxc_xl.core.money import from_cents
from jxc_xl.schema import ITEMS, STOCK_BY_WAREHOUSE, TRANSFERS, WAREHOUSES

SEP = "\x1f"  # between warehouse and SKU in a key (no code holds it: it cannot be typed in a cell)


class Keyed(NamedTuple):
    """The methods run per (warehouse, SKU) key instead of per SKU."""

    keys: pd.Index  # every key, in the order the stock by warehouse lists them
    skus: np.ndarray  # object: the SKU of each key
    events: np.ndarray  # object: the key of each event (``ledger_events`` order)
    lines: np.ndarray  # object: the key of each opening line (``ledger.opening_lines`` order)


def warehouse_list(wb: Workbook) -> list[str]:
    """The codes of 仓库 (tblWarehouses) in row order, blanks and repeats left out; [] without the table."""
    df = table_frame(wb, WAREHOUSES.name)
    if df is None:
        return []
    return list(dict.fromkeys(c for c in clean_keys(df["code"]) if c is not None))


def default_warehouse(wb: Workbook) -> str:
    """The warehouse of a blank 仓库 cell: the first of 仓库, else "" (the unnamed only warehouse)."""
    codes = warehouse_list(wb)
    return codes[0] if codes else ""


def _filled(values: pd.Series | np.ndarray, default: str) -> np.ndarray:
    a = np.asarray(values, dtype=object).copy()
    a[pd.isna(a)] = default
    return a


def _join(wh: np.ndarray, sku: np.ndarray) -> np.ndarray:
    """Each (warehouse, SKU) pair's key, joining each distinct pair once (pairs as integer codes: fast)."""
    if not len(wh):
        return np.array([], dtype=object)
    wc, wu = pd.factorize(wh)
    sc, su = pd.factorize(sku)
    n = max(len(su), 1)
    codes, pairs = pd.factorize(wc.astype(np.int64) * n + sc)
    joined = np.array([f"{wu[p // n]}{SEP}{su[p % n]}" for p in pairs.tolist()], dtype=object)
    return joined[codes]


def split_keys(keys: pd.Index | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The warehouse and the SKU of each key."""
    parts = [str(k).split(SEP, 1) for k in keys]
    return np.array([p[0] for p in parts], dtype=object), np.array([p[1] for p in parts], dtype=object)


def workbook_keys(wb: Workbook) -> Keyed | None:
    """``keyed_of`` the workbook's ``ledger_events`` and ``opening_lines``, computed once per workbook
    (``wb.derived``); ``Keyed.events`` is aligned with ``ledger_events(wb)``'s index."""
    if "warehouse_keys" not in wb.derived:
        wb.derived["warehouse_keys"] = keyed_of(wb, ledger_events(wb), opening_lines(wb))
    got = wb.derived["warehouse_keys"]
    assert got is None or isinstance(got, Keyed)
    return got


def keyed_of(wb: Workbook, frame: pd.DataFrame, lines: pd.DataFrame) -> Keyed | None:
    """The keys of ``frame`` (``ledger_events``) and ``lines`` (``ledger.opening_lines``); None where the workbook
    is one warehouse (module docstring)."""
    used = frame["warehouse"].notna().any() or lines["warehouse"].notna().any()
    if not used and not (frame["table"] == TRANSFERS.name).any():
        return None
    default = default_warehouse(wb)
    ev_keys = _join(_filled(frame["warehouse"], default), frame["sku"].to_numpy(dtype=object))
    line_keys = _join(_filled(lines["warehouse"], default), lines["sku"].to_numpy(dtype=object))
    items = table_frame(wb, ITEMS.name)
    item_skus = clean_keys(items["sku"]).dropna().to_numpy(dtype=object) if items is not None else np.array([], object)
    seen = pd.unique(np.concatenate([line_keys, ev_keys]))
    seen_skus = split_keys(seen)[1]
    idle = pd.unique(item_skus[~pd.Index(item_skus).isin(seen_skus)])  # items that nothing names: the default
    keys = np.concatenate([seen, _join(np.full(len(idle), default, dtype=object), idle)])
    key_skus = split_keys(keys)[1]
    order = pd.Index(pd.unique(np.concatenate([item_skus, key_skus])))  # SKUs as 库存 lists them: items first
    index = pd.Index(keys[np.argsort(order.get_indexer(key_skus), kind="stable")], dtype="object")
    return Keyed(index, split_keys(index)[1], ev_keys, line_keys)


def company_stock(by_key: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """tblStock's frame (``columns``) from the stock per key: every quantity and amount summed per SKU (in the
    order the keys first name them), the unit costs recomputed (module docstring)."""
    summed = [c for c in columns if c.endswith(("_qty", "_cents"))]
    g = by_key.groupby("sku", sort=False)
    st = g[summed].sum()
    for c in summed:
        if c.endswith("_qty"):
            st[c] = np.round(st[c].to_numpy(dtype=np.float64), 9)
    st = st.reset_index()
    oq, ov = st["opening_qty"].to_numpy(np.float64), st["opening_cents"].to_numpy(np.float64)
    cq, cv = st["closing_qty"].to_numpy(np.float64), st["closing_cents"].to_numpy(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        st["opening_unit_cost"] = np.where(oq != 0, ov / 100.0 / np.where(oq != 0, oq, 1.0), np.nan)
        first_uc = g["closing_unit_cost"].first().to_numpy(dtype=np.float64)
        alone = g.size().to_numpy() == 1  # kept in one warehouse: its own closing unit cost, as without warehouses
        st["closing_unit_cost"] = np.where((cq > 0) & ~alone, cv / 100.0 / np.where(cq > 0, cq, 1.0), first_uc)
    return st[columns]


def by_warehouse_frame(by_key: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """tblStockByWarehouse's frame from the stock per key (``Valuation.by_warehouse``); ``items``: name and unit
    per row (``plan.item_frame`` of the rows' SKUs)."""
    st = by_key

    def money(*cols: str) -> np.ndarray:
        return from_cents(sum(st[c].to_numpy(dtype=np.int64) for c in cols))

    def qty(*cols: str) -> np.ndarray:
        return np.round(sum(st[c].to_numpy(dtype=np.float64) for c in cols), 9)

    wh = st["warehouse"].to_numpy(dtype=object).copy()
    wh[wh == ""] = None  # the unnamed only warehouse
    out = pd.DataFrame(
        {
            "warehouse": wh,
            "sku": st["sku"].to_numpy(dtype=object),
            "name": items["name"].to_numpy(dtype=object),
            "unit": items["unit"].to_numpy(dtype=object),
            "opening_qty": st["opening_qty"].to_numpy(np.float64),
            "opening_amount": money("opening_cents"),
            "received_qty": qty("purchase_qty", "sales_return_qty", "count_gain_qty", "other_in_qty"),
            "received_amount": money("purchase_cents", "sales_return_cents", "count_gain_cents", "other_in_cents"),
            "transfer_in_qty": st["transfer_in_qty"].to_numpy(np.float64),
            "transfer_in_amount": money("transfer_in_cents"),
            "issued_qty": qty("sale_qty", "purchase_return_qty", "count_loss_qty", "other_out_qty"),
            "issued_amount": money("sale_cents", "purchase_return_cents", "count_loss_cents", "other_out_cents"),
            "transfer_out_qty": st["transfer_out_qty"].to_numpy(np.float64),
            "transfer_out_amount": money("transfer_out_cents"),
            "cost_adj_amount": money("cost_adj_cents"),
            "closing_qty": st["closing_qty"].to_numpy(np.float64),
            "closing_unit_cost": st["closing_unit_cost"].to_numpy(np.float64),
            "closing_amount": money("closing_cents"),
        }
    )
    return out[STOCK_BY_WAREHOUSE.keys()]


def one_warehouse(stock: pd.DataFrame, default: str) -> pd.DataFrame:
    """The stock per key of a workbook of one warehouse: tblStock's rows at the default warehouse, no transfers."""
    zeros = np.zeros(len(stock))
    return stock.assign(
        warehouse=default,
        transfer_in_qty=zeros,
        transfer_in_cents=zeros.astype(np.int64),
        transfer_out_qty=zeros,
        transfer_out_cents=zeros.astype(np.int64),
    )
