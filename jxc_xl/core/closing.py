"""Month end: what closing a month carries into the next.

* Opening: each SKU's closing quantity, unit cost and amount, for every SKU with a quantity or an amount.
* Demand history: this month's net demand per SKU (sales − sales returns, below 0 counted as 0) of every item
  and every SKU that moved, added to the history both months hold; the latest figure of a (SKU, month) wins,
  so closing a month again replaces its demand; the last 24 months are kept.
* Items: this month's item list, when next month has none yet (an item list the user keeps is never rewritten).
* Orders: the tblOrders lines still on order, as typed (received so far included), when next month has typed no
  order yet — its buyer goes on tracking what arrives.

Pure: ``jxc_xl.sync.close_month`` reads this month's workbook, asks ``carry_forward`` what next month receives,
and writes it (a new workbook from the template, or those tables of next month's workbook in place).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from jxc_xl.core.book import ROW, Workbook
from jxc_xl.core.generate import stock_balances
from jxc_xl.core.ledger import net_demand
from jxc_xl.core.orders import open_rows
from jxc_xl.core.valuation import Valuation, value_month
from jxc_xl.schema import HISTORY, ITEMS

HISTORY_MONTHS = 24  # tblHistory keeps this many months per SKU
_HISTORY_COLUMNS = ["sku", "period", "demand_qty"]


@dataclass(frozen=True)
class CarryForward:
    """What next month receives from this one (frames keyed by column key)."""

    opening: pd.DataFrame  # tblOpening: this month's closing of every SKU with a quantity or an amount
    items: pd.DataFrame  # tblItems as this month has it
    demand: pd.DataFrame  # this month's net demand per SKU, a tblHistory part
    orders: pd.DataFrame  # tblOrders lines still on order, as typed: next month keeps tracking them


def carry_forward(wb: Workbook) -> CarryForward:
    """Next month's opening, items, open orders and this month's demand, from one valuation of ``wb``.

    Args:
        wb: this month, with usable settings.

    Returns:
        The CarryForward of ``wb``.
    """
    val = value_month(wb)
    return CarryForward(
        opening=opening_of(stock_balances(wb, val)),
        items=wb.df(ITEMS.name).drop(columns=[ROW]),
        demand=month_demand(wb, val),
        orders=open_rows(wb),
    )


def month_demand(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """This month's net demand per SKU (``ledger.net_demand``, negative clipped to 0) of every item and every
    SKU that moved, as tblHistory rows of the month."""
    ev = val.events
    demand = net_demand(ev).groupby(ev["sku"]).sum()
    items = wb.df(ITEMS.name)["sku"].dropna()
    demand = demand.reindex(pd.Index(items.unique()).union(demand.index), fill_value=0.0)
    period = val.settings.period
    return pd.DataFrame({"sku": demand.index, "period": period, "demand_qty": demand.clip(lower=0).values})


def opening_of(stock: pd.DataFrame) -> pd.DataFrame:
    """Next month's tblOpening: this month's closing of every SKU with a quantity or an amount."""
    opening = pd.DataFrame(
        {
            "sku": stock["sku"],
            "qty": stock["closing_qty"],
            "unit_cost": stock["closing_unit_cost"],
            "amount": stock["closing_amount"],
        }
    )
    return opening[(opening["qty"] != 0) | (opening["amount"] != 0)].reset_index(drop=True)


def history_parts(*books: Workbook) -> list[pd.DataFrame]:
    """The tblHistory rows each workbook already holds, as parts for ``merge_history``."""
    return [wb.df(HISTORY.name)[_HISTORY_COLUMNS] for wb in books]


def merge_history(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """tblHistory from its parts, oldest first: the latest figure for a (sku, period) wins (re-closing a month
    replaces its demand); the last HISTORY_MONTHS periods are kept, sorted by sku and period."""
    hist = pd.concat(parts, ignore_index=True).dropna(subset=["sku", "period"])
    hist = hist.drop_duplicates(subset=["sku", "period"], keep="last")
    keep = sorted(hist["period"].unique())[-HISTORY_MONTHS:]
    return hist[hist["period"].isin(keep)].sort_values(["sku", "period"], kind="stable").reset_index(drop=True)
