"""Month end: what closing a month carries into the next.

* Opening: each SKU's closing quantity, unit cost and amount, for every SKU with a quantity or an amount.
  FIFO carries its lots: one row per layer left (its quantity, amount, amount / qty as unit cost and its receipt
  date: the date of the purchase, sales return or count surplus that received it, or the opening lot's own
  date — also for a layer a transfer moved to another warehouse), oldest first, so next month issues them in
  the same order; a layer goes on at its amount / qty. The average methods carry the age of their stock the same
  way: one row per receipt date of the closing's FIFO-assumption pieces (``core.ageing.ageing_pieces``: this
  month's receipts newest first, then the opening rows by their 入库日期; what nothing covers dated the day
  before the period starts), oldest first, each at its amount / qty; the amounts add up to the closing amount
  to the cent, so next month's valuation (which sums a SKU's opening rows into one) is the same as from one
  row, and its ageing goes on from those dates however many months are closed. A SKU whose closing quantity is
  not positive, or whose layers do not make up its closing (FIFO, negative stock), is one row.
* Warehouses (issue 12.2, ``core.warehouses``): the opening per warehouse — one row (or FIFO one row per lot) per
  (warehouse, SKU) with its 仓库, as above (the average methods: one undated row per warehouse and SKU; ageing is
  the company's and not split by warehouse); the warehouse list goes on into a new month's workbook.
* Demand history: this month's net demand per SKU (sales − sales returns, below 0 counted as 0) of every item
  and every SKU that moved, added to the history both months hold; the latest figure of a (SKU, month) wins,
  so closing a month again replaces its demand; the last 24 months are kept.
* Items: this month's item list, when next month has none yet (an item list the user keeps is never rewritten).
* Orders: the tblOrders lines still on order, as typed (received so far included), when next month has typed no
  order yet — its buyer goes on tracking what arrives.
* Carried documents (tblCarried): the purchase and sale lines of this month and of the CARRIED_MONTHS − 1
  months before it (those this month carries itself) with the quantity still returnable — the line's qty less
  the returns naming it (same doc_no and sku), 0 for a line returned in full — and their unit cost: a
  purchase's price paid (unit price, else amount / qty), a sale's issue cost (its cost / qty), and its
  supplier or customer (往来单位: the stock card's counterparty of a return of it). A line of one document and
  SKU is one row (the first line's date, cost and counterparty, the quantities summed). Next month a return
  naming one is valued at that unit cost (FIFO: a purchase return leaves from the lot the purchase received,
  tblOpening's 入库单号, as within a month) and may not exceed the quantity still returnable; its own returns
  then lower it again.

Pure: ``jxc_xl.sync.close_month`` reads this month's workbook, asks ``carry_forward`` what next month receives,
and writes it (a new workbook from the template, or those tables of next month's workbook in place).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxc_xl.core.ageing import ageing_pieces
from jxc_xl.core.book import ROW, Workbook
from jxc_xl.core.carried import carried_lines
from jxc_xl.core.generate import stock_balances, stock_by_warehouse
from jxc_xl.core.ledger import RETURN_ORIGINAL_KIND, line_parties, net_demand
from jxc_xl.core.money import from_cents, to_cents
from jxc_xl.core.orders import open_rows
from jxc_xl.core.periods import shift_period
from jxc_xl.core.valuation import Valuation, value_month
from jxc_xl.core.warehouses import SEP, split_keys, warehouse_list
from jxc_xl.schema import CARRIED, HISTORY, ITEMS, WAREHOUSES

HISTORY_MONTHS = 24  # tblHistory keeps this many months per SKU
CARRIED_MONTHS = 3  # tblCarried keeps the lines of the last this many months
QTY_EPS = 1e-9  # layers make up a closing quantity within float noise
_HISTORY_COLUMNS = ["sku", "period", "demand_qty"]


@dataclass(frozen=True)
class CarryForward:
    """What next month receives from this one (frames keyed by column key)."""

    opening: pd.DataFrame  # tblOpening: this month's closing of every SKU with a quantity or an amount
    items: pd.DataFrame  # tblItems as this month has it
    demand: pd.DataFrame  # this month's net demand per SKU, a tblHistory part
    orders: pd.DataFrame  # tblOrders lines still on order, as typed: next month keeps tracking them
    carried: pd.DataFrame  # tblCarried: the lines a return of next month may name, with qty returnable and cost
    warehouses: pd.DataFrame | None = None  # tblWarehouses as this month has it (None: it has none)


def carry_forward(wb: Workbook) -> CarryForward:
    """Next month's opening, items, open orders and this month's demand, from one valuation of ``wb``.

    Args:
        wb: this month, with usable settings.

    Returns:
        The CarryForward of ``wb``.
    """
    val = value_month(wb)
    if val.by_warehouse is not None:
        opening = _per_warehouse(wb, val)
    else:
        opening = opening_of(stock_balances(wb, val), val.lots if val.lots is not None else dated_pieces(wb, val))
    return CarryForward(
        opening=opening,
        items=wb.df(ITEMS.name).drop(columns=[ROW]),
        demand=month_demand(wb, val),
        orders=open_rows(wb),
        carried=carried_docs(wb, val),
        warehouses=wb.df(WAREHOUSES.name).drop(columns=[ROW]) if warehouse_list(wb) else None,
    )


def carried_docs(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """Next month's tblCarried (module docstring): kind as a label of the workbook's language."""
    ev = val.events
    docs_of = (ev["kind"].isin(["purchase", "sale"]) & ev["doc_no"].notna()).to_numpy()
    own = ev[docs_of]
    qty = own["qty"].to_numpy(dtype=np.float64)
    price = own["unit_price"].to_numpy(dtype=np.float64)
    paid = np.where(np.isnan(price), own["amount_cents"].to_numpy() / 100.0 / qty, price)
    issued = own["cost_cents"].to_numpy() / 100.0 / qty
    lines = pd.DataFrame(
        {
            "kind": own["kind"].to_numpy(dtype=object),
            "doc_no": own["doc_no"].to_numpy(dtype=object),
            "sku": own["sku"].to_numpy(dtype=object),
            "date": own["date"].to_numpy(),
            "qty": qty,
            "unit_cost": np.where(own["kind"].to_numpy() == "purchase", paid, issued),
            "counterparty": line_parties(wb, ev)[docs_of],
        }
    )
    lines = lines.groupby(["kind", "doc_no", "sku"], sort=False, as_index=False).agg(
        date=("date", "first"),
        qty=("qty", "sum"),
        unit_cost=("unit_cost", "first"),
        counterparty=("counterparty", "first"),
    )
    keys = ["kind", "doc_no", "sku"]
    before = carried_lines(wb)
    seen = pd.MultiIndex.from_frame(lines[keys])
    before = before[~pd.MultiIndex.from_frame(before[keys]).isin(seen)] if len(before) else before
    docs = pd.concat([lines, before], ignore_index=True)
    rt = ev[ev["kind"].isin(list(RETURN_ORIGINAL_KIND)) & ev["orig_doc_no"].notna()]
    returned = (
        rt.assign(kind=rt["kind"].map(RETURN_ORIGINAL_KIND), doc_no=rt["orig_doc_no"])
        .groupby(keys, sort=False)["qty"]
        .sum()
    )
    left = (
        docs["qty"].to_numpy(dtype=np.float64)
        - returned.reindex(pd.MultiIndex.from_frame(docs[keys])).fillna(0.0).to_numpy()
    )
    first_day = pd.Timestamp(shift_period(val.settings.period, 1 - CARRIED_MONTHS) + "-01")
    # a line returned in full stays (0 left): a further return of it is then "more than the original", not unknown
    docs = docs.assign(qty=np.maximum(np.round(left, 9), 0.0))
    docs = docs[pd.to_datetime(docs["date"]) >= first_day]
    kind = CARRIED.column("kind")
    labels = {c.key: c.label(wb.lang) for c in kind.choices}
    return docs.assign(kind=docs["kind"].map(labels))[CARRIED.keys()].reset_index(drop=True)


def month_demand(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """This month's net demand per SKU (``ledger.net_demand``, negative clipped to 0) of every item and every
    SKU that moved, as tblHistory rows of the month."""
    ev = val.events
    demand = net_demand(ev).groupby(ev["sku"]).sum()
    items = wb.df(ITEMS.name)["sku"].dropna()
    demand = demand.reindex(pd.Index(items.unique()).union(demand.index), fill_value=0.0)
    period = val.settings.period
    return pd.DataFrame({"sku": demand.index, "period": period, "demand_qty": demand.clip(lower=0).values})


def dated_pieces(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """The average methods' closing as lots (sku, qty, cents, receipt_date, doc_no): the ageing pieces merged per
    SKU and receipt date, in the closing's SKU order, oldest first (module docstring)."""
    p = ageing_pieces(wb, val)
    p = p.groupby(["sku", "receipt_date"], sort=False, as_index=False).agg(qty=("qty", "sum"), cents=("cents", "sum"))
    rank = p["sku"].map({sku: k for k, sku in enumerate(val.stock["sku"])}).to_numpy()
    p = p.iloc[np.lexsort((p["receipt_date"].to_numpy(), rank))].reset_index(drop=True)
    return p.assign(qty=np.round(p["qty"].to_numpy(np.float64), 9), doc_no=pd.Series(None, index=p.index, dtype=object))


def opening_of(stock: pd.DataFrame, lots: pd.DataFrame | None = None) -> pd.DataFrame:
    """Next month's tblOpening: this month's closing of every SKU with a quantity or an amount; with ``lots`` (FIFO:
    ``Valuation.lots``; the average methods: ``dated_pieces``) one row per lot where the lots make up the SKU's
    closing exactly."""
    opening = pd.DataFrame(
        {
            "sku": stock["sku"],
            "qty": stock["closing_qty"],
            "unit_cost": stock["closing_unit_cost"],
            "amount": stock["closing_amount"],
        }
    )
    opening = opening[(opening["qty"] != 0) | (opening["amount"] != 0)].reset_index(drop=True)
    if lots is None:
        return opening
    per_sku = lots.groupby("sku", sort=False).agg(qty=("qty", "sum"), cents=("cents", "sum"))
    got = per_sku.reindex(pd.Index(opening["sku"]))
    whole = (np.abs(got["qty"].to_numpy() - opening["qty"].to_numpy()) <= QTY_EPS) & (
        got["cents"].to_numpy() == to_cents(opening["amount"].to_numpy())
    )
    carried = lots[lots["sku"].isin(opening["sku"][whole])]
    layer_rows = pd.DataFrame(
        {
            "sku": carried["sku"],
            "qty": carried["qty"],
            "unit_cost": carried["cents"] / 100.0 / carried["qty"],
            "amount": from_cents(carried["cents"].to_numpy()),
            "receipt_date": carried["receipt_date"],
            "doc_no": carried["doc_no"],
        }
    )
    one_row = opening[~opening["sku"].isin(carried["sku"])]
    one_row = one_row.assign(receipt_date=pd.Series(pd.NaT, index=one_row.index, dtype="datetime64[ns]"))
    order = {sku: k for k, sku in enumerate(opening["sku"])}  # the closing's SKU order, layers oldest first
    rows = pd.concat([layer_rows, one_row], ignore_index=True)
    rank = rows["sku"].map(order).to_numpy()
    return rows.iloc[np.lexsort((np.arange(len(rows)), rank))].reset_index(drop=True)


def _per_warehouse(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """Next month's tblOpening with warehouses (issue 12.2): ``opening_of`` per (warehouse, SKU), each row with its
    仓库 (blank for the unnamed default warehouse); FIFO lots per warehouse."""
    st = stock_by_warehouse(wb, val)
    wh = st["warehouse"].fillna("").to_numpy(dtype=object)
    keyed = st.assign(sku=[f"{w}{SEP}{s}" for w, s in zip(wh, st["sku"], strict=True)])
    lots = val.lots
    if lots is not None:
        lot_wh = lots["warehouse"].fillna("").to_numpy(dtype=object)
        lots = lots.assign(sku=[f"{w}{SEP}{s}" for w, s in zip(lot_wh, lots["sku"], strict=True)])
    opening = opening_of(keyed, lots)
    wh, sku = split_keys(opening["sku"].to_numpy(dtype=object))
    wh[wh == ""] = None
    return opening.assign(sku=sku, warehouse=wh)


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
