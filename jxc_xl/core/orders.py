"""Goods on order (在途) from tblOrders, per SKU, for the purchase plan's inventory position.

* A line is on order unless its status is received (closed, even if short) or cancelled; blank status = open.
* Its open quantity is ordered − received (blank received = 0), never below 0: an over-delivery leaves nothing on
  order (and is a warning of the rules, order-received-exceeds).
* Its arrival is the expected date, else the order date + the item's lead time (blank lead time = 7 days, as the
  plan); a line without a usable order date and expected date still counts, with no arrival.
* Lines whose SKU, quantity or dates the rules reject (unknown SKU, qty ≤ 0) are reported there; here a line
  counts only with a positive ordered quantity.

The plan then reads inventory position = on hand + on order (negative on hand is the backorder).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.ledger import clean_keys, table_frame
from jxc_xl.schema import ORDERS


class OnOrder(NamedTuple):
    """Per SKU (aligned with the SKUs asked for): the open quantity and the earliest expected arrival."""

    qty: np.ndarray  # float64, 0 where nothing is on order
    arrival: pd.Series  # datetime64, NaT where nothing is on order (or no date is known)


def open_lines(wb: Workbook, lead_days: pd.Series | None = None) -> pd.DataFrame:
    """The open lines of tblOrders: sku, open_qty (> 0) and arrival; empty when the workbook has none.

    ``lead_days``: the items' lead time in days by SKU, for lines without an expected date.
    """
    df = table_frame(wb, ORDERS.name)
    if df is None:
        return pd.DataFrame({"sku": pd.Series(dtype=object), "open_qty": [], "arrival": pd.Series(dtype="M8[ns]")})
    sku, open_qty, counts = _open(df)
    ordered = pd.to_datetime(df["order_date"], errors="coerce")
    lead = lead_days.reindex(sku.to_numpy()).to_numpy(np.float64) if lead_days is not None else np.full(len(df), 7.0)
    lead = np.where(np.isnan(lead), 7.0, lead)
    fallback = ordered + pd.to_timedelta(np.ceil(lead), unit="D")
    arrival = pd.to_datetime(df["expected_date"], errors="coerce").fillna(fallback)
    out = pd.DataFrame({"sku": sku, "open_qty": open_qty, "arrival": arrival})
    return out.loc[counts.to_numpy()].reset_index(drop=True)


def _open(df: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each line's cleaned SKU, open quantity, and whether it is on order (the rules of the module docstring)."""
    sku = clean_keys(df["sku"])
    qty = pd.to_numeric(df["qty"], errors="coerce").astype("float64")
    received = pd.to_numeric(df["received_qty"], errors="coerce").astype("float64").fillna(0.0).clip(lower=0)
    status = df["status"].astype(object).where(df["status"].notna(), "open")
    open_qty = (qty - received).clip(lower=0).round(9)
    return sku, open_qty, sku.notna() & (qty > 0) & status.eq("open") & (open_qty > 0)


def open_rows(wb: Workbook) -> pd.DataFrame:
    """The tblOrders rows still on order, as typed (every column key): what ``jxc close`` carries forward."""
    df = table_frame(wb, ORDERS.name)
    if df is None:
        return pd.DataFrame(columns=ORDERS.keys())
    counts = _open(df)[2]
    return df.loc[counts.to_numpy(), ORDERS.keys()].reset_index(drop=True)


def on_order(wb: Workbook, skus: pd.Index, lead_days: pd.Series | None = None) -> OnOrder:
    """Open order quantity and earliest expected arrival of each SKU of ``skus`` (0 and NaT without orders)."""
    lines = open_lines(wb, lead_days)
    by_sku = lines.groupby("sku", sort=False).agg(open_qty=("open_qty", "sum"), arrival=("arrival", "min"))
    qty = by_sku["open_qty"].reindex(skus).fillna(0.0).to_numpy(np.float64)
    arrival = pd.to_datetime(by_sku["arrival"].reindex(skus))
    return OnOrder(qty=np.round(qty, 9), arrival=arrival)
