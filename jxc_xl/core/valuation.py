"""Month valuation (收发存): opening, receipts, issues, adjustments and closing per SKU by one of three methods.

Follows the contract's "Accounting rules". Money is int cents throughout; unit costs are full-precision
floats. Every SKU row satisfies, exactly in qty and in cents, because the closing amount is the sum of the
booked flows (the per-method state only decides what each flow costs):

    closing = opening + (purchase + sales_return + count_gain + other_in)
                      − (sale + purchase_return + count_loss + other_out) + cost_adj
            = opening + in − out + adj + other_in − other_out + cost_adj

Receipts (本期收入) are purchases (采购入库), sales returns (销售退回) and count gains (盘盈); issues (本期发出)
are sales (销售出库, at cost), purchase returns (采购退货) and count losses (盘亏), each with its qty and amount.
The net columns of earlier versions keep their meaning: in = purchase − purchase_return (net purchases),
out = sale − sales_return (the net cost of sales, what the analysis reads as COGS), adj = count_gain −
count_loss. cost_adj has no quantity: it is money alone (the month-end rule below).

Other movements (其他出入库, tblOther, issue 12.3) have their own columns: other_in (其他入库: 受赠, 其他入库)
among the receipts, other_out (其他出库: 报损, 领用, 赠送, 样品, 其他出库) among the issues. They are in none of
the net columns — in and out stay net purchases and the net cost of sales (COGS: a 报损 or a 领用 is no cost
of sales), adj stays the count result — so a row is checked from the columns shown as opening + receipts −
issues + cost_adj = closing. A workbook without tblOther has these columns at 0 (and a 库存 sheet of an older
template without them is written as before). Valued at the current cost (``core.costing``): moving average at
the running unit cost; FIFO an issue from the oldest layers, a receipt as a layer at value / qty on hand (else
the last unit cost); month-end average both at the month's unit cost, like the sales, outside the average (as
count differences; the rounding residual still goes to the SKU's last sale line, else to cost_adj).

Decisions the contract leaves open (documented here, tested in tests/test_valuation.py):

* Starting unit cost of a SKU: opening amount / opening qty; else the opening line's unit cost; else the
  item's std cost; else (monthly average only) the month's average purchase price; else 0. It is used only
  where stock is issued while nothing has been received at a known cost.
* Opening amount: tblOpening amount if given, else ROUND_HALF_UP(qty × unit_cost); 0 where both are blank.
* Opening lots: a SKU may have several tblOpening rows (lots, as ``jxc close`` writes them). FIFO starts
  from them as layers, each at its amount / qty, oldest receipt date (入库日期) first — rows without one
  before dated ones, ties in row order; rows of a SKU not all of positive qty are one merged layer. The
  average methods sum them into one opening (their rows by receipt date only age the stock, ``core.ageing``).
* Negative stock (allowed by settings): an issue first takes the remaining on-hand quantity with all of its
  remaining value; the part beyond on hand is costed at the current unit cost. The book value then goes
  negative with the quantity; a receipt that leaves it still negative is merged into it. A receipt (purchase,
  sales return, other receipt, transfer in, count surplus) that brings a negative quantity back to 0 or more
  ends the negative stock: the units then on hand are valued at that receipt's unit cost (ROUND(qty × its
  amount / its qty); 0 at qty 0; FIFO: one layer at that value), and the difference against the merged book
  (what the oversold units were issued at against what replaced them) is booked as the month's cost
  adjustment (成本调整, cost_adj; the stock card shows it in its month-end cost-adjustment line). So a positive
  quantity never carries a negative value into ``jxc close``. The receipt's own amount is booked as ever.
* Monthly average with a negative opening qty: the month's unit cost is the receipts' alone (purchases less
  purchase returns at a known price, as below, without the opening), else the starting unit cost; the
  opening is settled at it: ROUND(opening qty × unit cost) − opening amount is the SKU's cost adjustment. Every
  flow is then costed at that non-negative unit cost and the closing back-solved as ever.
* Opening unit cost (期初单价): opening amount / opening qty; blank where the opening qty is 0.
* Zero quantity with a value left (e.g. a purchase return at the original price took the last units): within
  the month the value stays on the book until the next event, which takes it (an issue or a count to 0) or,
  moving average and FIFO, is a receipt that ends it as it ends negative stock: the units received are on hand
  at the receipt's own cost and the value left is the cost adjustment (a receipt absorbing it could leave a
  positive quantity with a negative value, an opening next month refuses); a count surplus from 0 alike. A count
  to 0 always writes the whole remaining value off. Moving average: a purchase return at the original price that
  takes more than the value on hand while units remain leaves them at the unit cost they had, the rest booked as
  the cost adjustment.
* Month end leaves no value at zero quantity: a SKU whose closing qty is 0 closes at amount 0; the value
  still left (either sign) is booked as its cost adjustment (成本调整, cost_adj −= value left), so ``jxc
  close`` never carries an opening of qty 0 with an amount. cost_adj is the sum of this and the negative-stock
  settlements above (a month without negative stock has only this).
* Count gain or loss: a count line whose difference is positive is a gain, negative a loss; a count without
  a difference that writes a value off (a count to 0 of a SKU at qty 0 with a value) by the sign of that
  amount. A SKU counted twice in a month may show both a gain and a loss.
* Moving average: receipts (purchases, sales returns) and purchase returns reset unit cost = value / qty
  while qty > 0; issues and count differences do not change it.
* A purchase return whose original purchase line (same doc_no and sku) is in this workbook leaves at that
  line's unit price (its amount / qty where the price is blank); otherwise at the current unit cost (FIFO:
  from the oldest layers; monthly average: at the month's average, which leaves the average unchanged).
  FIFO takes it from the original purchase's layer first, at that layer's cost; units beyond what is left of
  that layer (it was partly issued already) leave from the oldest layers at their cost, so every layer keeps
  its own unit cost.
* A return whose original line is not in this workbook but in tblCarried (last months' documents, carried by
  ``jxc close``): a purchase return leaves at the price paid (FIFO: from the lot that purchase received, the
  opening row with its 入库单号, as above), a sales return comes back at the sale's issue cost (its cost / qty;
  monthly average: the month's unit cost, as ever).
* A sales return comes back at the unit cost at which its original sale line (same doc_no and sku) was
  issued — moving average: the unit cost at that moment; FIFO: the line's cost / qty; monthly average:
  the month's unit cost. If the original sale is not in the workbook or not issued yet (a same-day return
  is booked before the day's sales), at the current unit cost.
* Monthly average: the back-solved out amount is split over the sale lines as ROUND(qty × unit cost); the
  rounding residual goes to the SKU's last sale line (so per-line COGS add up to sale and out_amount); a
  SKU without a sale line books the residual as its cost adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.carried import carried_prices
from jxc_xl.core.costing import (
    OI,
    OO,
    PR,
    QTY_DECIMALS,
    SR,
    TI,
    TO,
    C,
    Costed,
    Events,
    Opening,
    P,
    S,
    moving_average_sku,
    per_sku,
)
from jxc_xl.core.fifo import fifo_sku
from jxc_xl.core.ledger import (
    KIND_ORDER,
    clean_keys,
    ledger_events,
    net_demand,
    opening_lines,
    original_lines,
    table_frame,
)
from jxc_xl.core.lots import closing_lots, lot_originals, opening_lots
from jxc_xl.core.money import line_over_limit, mul_cents, sum_cents
from jxc_xl.core.monthly import monthly_average
from jxc_xl.core.warehouses import Keyed, company_stock, split_keys, workbook_keys
from jxc_xl.schema import ITEMS, Settings

STOCK_COLUMNS = [
    "sku",
    "opening_qty",
    "opening_unit_cost",
    "opening_cents",
    # receipts and issues by source and destination (closing = opening + receipts − issues + cost_adj)
    *(f"{k}_{x}" for k in ("purchase", "sales_return", "count_gain", "other_in") for x in ("qty", "cents")),
    *(f"{k}_{x}" for k in ("sale", "purchase_return", "count_loss", "other_out") for x in ("qty", "cents")),
    # the net movements (in = purchase − purchase_return, out = sale − sales_return, adj = gain − loss)
    "in_qty",
    "in_cents",
    "out_qty",
    "out_cents",
    "adj_qty",
    "adj_cents",
    "cost_adj_cents",
    "closing_qty",
    "closing_cents",
    "closing_unit_cost",
]


@dataclass
class Valuation:
    """The month valued.

    stock: one row per SKU (all of tblItems, then other SKUs seen in opening and ledgers) with STOCK_COLUMNS
    (qty float, *_cents int64; opening_unit_cost float, NaN at opening qty 0; closing_unit_cost float, NaN
    where no cost is known at all). cost_adj_cents is not in ``events``: it is booked at month end.
    events: ledger_events(wb) plus ``cost_cents`` (int64: purchase = booked amount; purchase return, sale,
    sales return = its cost; count = signed adjustment amount) and ``adj_qty`` (count difference, else 0).
    daily_demand: net demand (sales − sales returns qty) per SKU (index, same order as stock) and day of
    the month (columns 1..days).
    settings: the workbook's settings the month was valued under (plan and analysis read theirs here).
    lots: FIFO only (else None): the layers left at the end, oldest first (sku, qty, cents, receipt_date;
    ``lots.closing_lots``), what ``jxc close`` carries as next month's opening lots; with warehouses also
    their warehouse.
    by_warehouse: with warehouses (issue 12.2, ``core.warehouses``) one row per (warehouse, SKU): warehouse, then
    STOCK_COLUMNS and transfer_in/out qty and cents; None for a workbook of one warehouse (``stock`` is it).
    """

    method: str
    stock: pd.DataFrame
    events: pd.DataFrame
    daily_demand: pd.DataFrame
    settings: Settings
    lots: pd.DataFrame | None = None
    by_warehouse: pd.DataFrame | None = None

    @cached_property
    def event_rows(self) -> np.ndarray:
        """Each event's row in ``stock`` (int64; −1 for a SKU stock lacks): per-SKU sums and maxima over the events
        as numpy reductions, without hashing half a million SKU texts once per question."""
        return pd.Index(self.stock["sku"].to_numpy(dtype=object)).get_indexer(self.events["sku"].to_numpy(dtype=object))


def _sku_index(wb: Workbook, events: pd.DataFrame, opening: pd.DataFrame) -> pd.Index:
    items = clean_keys(wb.df(ITEMS.name)["sku"]) if ITEMS.name in wb.tables else pd.Series([], dtype="object")
    seen = pd.concat([items.dropna(), opening["sku"], events["sku"].astype("object")], ignore_index=True)
    return pd.Index(pd.unique(seen.to_numpy(dtype=object)), dtype="object")


def _opening(wb: Workbook, keys: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Opening per SKU (qty, cents and the first opening line's unit cost), and the lines it sums (FIFO lots);
    with ``keys`` (each line's warehouse key, issue 12.2) per key."""
    lines = opening_lines(wb)
    if keys is not None:
        lines = lines.assign(sku=keys)
    over = line_over_limit(lines["qty"], lines["unit_cost"], lines["cents"])
    lines.loc[over, "cents"] = 0  # beyond money.MAX_LINE_AMOUNT: an amount-too-large error; forced, no money
    per_sku = (
        lines.groupby("sku", sort=False)
        .agg(qty=("qty", "sum"), cents=("cents", "sum"), unit_cost=("unit_cost", "first"))
        .reset_index()
    )
    return per_sku, lines


def _std_cost(wb: Workbook, skus: pd.Index) -> np.ndarray:
    df = table_frame(wb, ITEMS.name)
    if df is None:
        return np.full(len(skus), np.nan)
    cost = pd.Series(pd.to_numeric(df["cost"], errors="coerce").to_numpy(), index=clean_keys(df["sku"]).to_numpy())
    cost = cost[cost.index.notna()]
    cost = cost[~cost.index.duplicated()]
    return cost.reindex(skus).to_numpy(dtype=np.float64)


def _line_price(ev: pd.DataFrame) -> np.ndarray:
    """Unit price of each line: unit_price, else amount / qty."""
    price = ev["unit_price"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # counts may have qty 0; their price is unused
        alt = ev["amount_cents"].to_numpy(dtype=np.float64) / 100.0 / ev["qty"].to_numpy(dtype=np.float64)
    return np.where(np.isnan(price), alt, price)


def _back_solve(stock: pd.DataFrame, ev: Events, costed: Costed) -> None:
    """Monthly average: closing = ROUND(closing qty × unit cost); out is back-solved (倒挤).

    The residual against the per-line ROUND(qty × unit cost) goes to the SKU's last sale line (in place) and
    so to sale and out; a SKU without a sale line books it as its cost adjustment.
    """
    close_c = mul_cents(stock["closing_qty"].to_numpy(), np.nan_to_num(costed.closing_uc))
    resid = stock["closing_cents"].to_numpy() - close_c
    s_idx = np.flatnonzero(ev.kind == S)
    sold = np.zeros(len(stock), dtype=bool)
    if len(s_idx):
        last = pd.Series(s_idx).groupby(ev.codes[s_idx]).last()
        costed.cost[last.to_numpy()] += resid[last.index.to_numpy()]
        sold[last.index.to_numpy()] = True
    on_sale = np.where(sold, resid, 0)
    stock["sale_cents"] += on_sale
    stock["out_cents"] += on_sale
    stock["cost_adj_cents"] -= resid - on_sale
    stock["closing_cents"] = close_c


def _clear_zero_stock(stock: pd.DataFrame) -> None:
    """Month end leaves no value at zero quantity: what is left is booked as the cost adjustment (in place)."""
    left = np.where(stock["closing_qty"].to_numpy() == 0, stock["closing_cents"].to_numpy(), 0)
    stock["cost_adj_cents"] -= left
    stock["closing_cents"] -= left


# The receipt and issue columns of tblStock per ledger kind (counts split by sign into gain and loss).
_SPLIT = (
    ("purchase", P),
    ("sales_return", SR),
    ("sale", S),
    ("purchase_return", PR),
    ("other_in", OI),
    ("other_out", OO),
)
TRANSFER_SPLIT = (("transfer_in", TI), ("transfer_out", TO))  # per (warehouse, SKU) key only (issue 12.2)
TRANSFER_COLUMNS = [f"{k}_{x}" for k, _ in TRANSFER_SPLIT for x in ("qty", "cents")]


def _aggregate(skus: pd.Index, ev: Events, costed: Costed, start: Opening) -> pd.DataFrame:
    """STOCK_COLUMNS per SKU from the per-event costs (before the month-end steps)."""
    ns = len(skus)
    kind, codes, cost, adj = ev.kind, ev.codes, costed.cost, costed.adj
    oq, ov = start.qty, start.cents
    with np.errstate(invalid="ignore", divide="ignore"):
        ouc = np.where(oq != 0, ov / 100.0 / np.where(oq != 0, oq, 1.0), np.nan)
    cols: dict[str, object] = {"sku": skus.to_numpy(dtype=object), "opening_qty": oq, "opening_unit_cost": ouc}
    cols["opening_cents"] = ov

    def qty_sum(m: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.round(np.bincount(codes[m], weights=w[m], minlength=ns), QTY_DECIMALS)

    for name, k in _SPLIT:
        m = kind == k
        cols[f"{name}_qty"], cols[f"{name}_cents"] = qty_sum(m, ev.qty), sum_cents(codes[m], cost[m], ns)
    is_c = kind == C
    gain = is_c & ((adj > 0) | ((adj == 0) & (cost > 0)))  # a count to 0 of a value alone: by its amount
    loss = is_c & ~gain
    cols["count_gain_qty"], cols["count_gain_cents"] = qty_sum(gain, adj), sum_cents(codes[gain], cost[gain], ns)
    cols["count_loss_qty"], cols["count_loss_cents"] = -qty_sum(loss, adj), -sum_cents(codes[loss], cost[loss], ns)
    st = pd.DataFrame(cols)
    st["in_qty"] = np.round(st["purchase_qty"] - st["purchase_return_qty"], QTY_DECIMALS)
    st["in_cents"] = st["purchase_cents"] - st["purchase_return_cents"]
    st["out_qty"] = np.round(st["sale_qty"] - st["sales_return_qty"], QTY_DECIMALS)
    st["out_cents"] = st["sale_cents"] - st["sales_return_cents"]
    st["adj_qty"] = np.round(st["count_gain_qty"] - st["count_loss_qty"], QTY_DECIMALS)
    st["adj_cents"] = st["count_gain_cents"] - st["count_loss_cents"]
    booked = costed.cost_adj if costed.cost_adj is not None else np.zeros(ns, dtype=np.int64)
    st["cost_adj_cents"] = booked  # negative stock settled in the month (module docstring), else 0
    other_qty = st["other_in_qty"] - st["other_out_qty"]  # other movements: in no net column (module docstring)
    st["closing_qty"] = np.round(oq + st["in_qty"] - st["out_qty"] + st["adj_qty"] + other_qty, QTY_DECIMALS)
    st["closing_cents"] = ov + st["in_cents"] - st["out_cents"] + st["adj_cents"]
    st["closing_cents"] += st["other_in_cents"] - st["other_out_cents"] + booked
    st["closing_unit_cost"] = np.nan
    if not (kind == TO).any():
        return st[STOCK_COLUMNS]
    for name, k in TRANSFER_SPLIT:  # issue 12.2: per (warehouse, SKU) key, in − out; they cancel per SKU
        m = kind == k
        st[f"{name}_qty"], st[f"{name}_cents"] = qty_sum(m, ev.qty), sum_cents(codes[m], cost[m], ns)
    st["closing_qty"] = np.round(st["closing_qty"] + st["transfer_in_qty"] - st["transfer_out_qty"], QTY_DECIMALS)
    st["closing_cents"] += st["transfer_in_cents"] - st["transfer_out_cents"]
    return st[STOCK_COLUMNS + TRANSFER_COLUMNS]


def _daily_demand(frame: pd.DataFrame, ev: Events, skus: pd.Index, days: int, first_day: pd.Timestamp) -> pd.DataFrame:
    """Net demand (``ledger.net_demand``) per SKU and day of the month; days without sales are 0."""
    mat = np.zeros((len(skus), days), dtype=np.float64)
    demand = net_demand(frame).to_numpy(dtype=np.float64)
    day = ((frame["date"].to_numpy() - np.datetime64(first_day, "ns")) // np.timedelta64(1, "D")).astype(np.int64)
    ok = ((ev.kind == S) | (ev.kind == SR)) & (day >= 0) & (day < days)
    np.add.at(mat, (ev.codes[ok], day[ok]), demand[ok])
    return pd.DataFrame(mat, index=pd.Index(skus, name="sku"), columns=pd.RangeIndex(1, days + 1, name="day"))


def _inputs(wb: Workbook, frame: pd.DataFrame, keyed: Keyed | None = None) -> tuple[pd.Index, Events, Opening]:
    """The SKU index, the event columns and the per-SKU opening the methods start from (with ``keyed``: the key
    index, the events' key positions and the opening per key)."""
    opening, lines = _opening(wb, None if keyed is None else keyed.lines)
    skus = _sku_index(wb, frame, opening) if keyed is None else keyed.keys
    op = opening.set_index("sku").reindex(skus)
    oq = np.round(op["qty"].fillna(0.0).to_numpy(dtype=np.float64), QTY_DECIMALS)
    ov = opening.set_index("sku")["cents"].reindex(skus, fill_value=0).to_numpy(dtype=np.int64)  # exact
    with np.errstate(invalid="ignore", divide="ignore"):
        uc0 = np.where(oq > 0, ov / 100.0 / oq, op["unit_cost"].to_numpy(dtype=np.float64))
    uc0 = np.where(np.isnan(uc0), _std_cost(wb, skus if keyed is None else pd.Index(keyed.skus)), uc0)
    qty, amt, price = (
        frame["qty"].to_numpy(dtype=np.float64),
        frame["amount_cents"].to_numpy(dtype=np.int64),
        _line_price(frame),
    )
    over = line_over_limit(qty, frame["unit_price"].to_numpy(dtype=np.float64), amt)
    if over.any():  # beyond money.MAX_LINE_AMOUNT: an amount-too-large error; forced, the line carries no money
        amt, price = np.where(over, 0, amt), np.where(over, 0.0, price)
    ev = Events(
        kind=frame["kind"].map(KIND_ORDER).to_numpy(dtype=np.int64),
        qty=qty,
        amt=amt,
        price=price,
        orig=original_lines(frame),
        codes=skus.get_indexer(pd.Index(frame["sku"].to_numpy(dtype=object) if keyed is None else keyed.events)).astype(
            np.int64
        ),
    )
    ev = ev._replace(orig_price=carried_prices(wb, frame, ev.orig))  # returns of last months' documents
    if wb.settings is not None and wb.settings.valuation == "fifo":  # FIFO starts from the lots, oldest first
        lots, lot_dates, lot_docs = opening_lots(lines, skus)
        ev = ev._replace(orig=lot_originals(frame if keyed is None else frame.assign(sku=keyed.events), ev, lines))
        if (ev.kind == TO).any():  # transferred layers keep their receipt date: they are ordered by it
            ev = ev._replace(day=frame["date"].to_numpy(dtype="datetime64[ns]").astype(np.int64))
        return skus, ev, Opening(oq, ov, uc0, lots, lot_dates, lot_docs)
    return skus, ev, Opening(oq, ov, uc0)


def _cost(method: str, frame: pd.DataFrame, ev: Events, skus: pd.Index, start: Opening) -> Costed:
    """Each event's cost and each SKU's closing unit cost by ``method``."""
    if method == "monthly_average":
        return monthly_average(frame, ev, skus, start)
    qty, oq = ev.qty, start.qty
    whole = bool(np.all(qty == np.floor(qty)) and np.all(oq == np.floor(oq)) and np.all(np.abs(qty) < 2**52))
    costed = per_sku(ev, start, whole, fifo_sku if method == "fifo" else moving_average_sku)
    # No cost known at all (no opening cost, no std cost, nothing received): say so rather than 0.
    unknown = np.isnan(start.unit_cost) & ~_has_receipt(ev.kind, ev.codes, len(skus))
    return costed._replace(closing_uc=np.where(unknown, np.nan, costed.closing_uc))


def value_month(wb: Workbook) -> Valuation:
    """Value the month of ``wb`` by ``wb.settings.valuation`` (see the module docstring for the rules).

    Args:
        wb: a workbook with usable settings (``ValueError`` otherwise: callers refuse such a workbook first).

    Returns:
        The Valuation: stock per SKU, the events with their costs, the daily net demand.
    """
    if wb.settings is None:
        raise ValueError("value_month needs usable settings (a valid period)")
    s = wb.settings
    method = s.valuation
    frame = ledger_events(wb)
    keys = workbook_keys(wb)  # None: one warehouse, valued per SKU (core.warehouses)
    skus, ev, start = _inputs(wb, frame, keys)
    costed = _cost(method, frame if keys is None else frame.assign(sku=keys.events), ev, skus, start)
    stock = _aggregate(skus, ev, costed, start)
    if method == "monthly_average":
        _back_solve(stock, ev, costed)
    _clear_zero_stock(stock)
    stock["closing_unit_cost"] = costed.closing_uc
    frame = frame.assign(cost_cents=costed.cost, adj_qty=costed.adj)
    lots = closing_lots(costed, start, skus, frame)
    by_warehouse = None
    if keys is not None:  # per (warehouse, SKU) key: the company is their sum per SKU
        stock, by_warehouse, lots = _per_sku(stock, keys, lots)
        skus = pd.Index(stock["sku"].to_numpy(dtype=object))
        ev = ev._replace(codes=skus.get_indexer(pd.Index(frame["sku"].to_numpy(dtype=object))).astype(np.int64))
    demand = _daily_demand(frame, ev, skus, s.days_in_month, pd.Timestamp(s.first_day))
    return Valuation(method, stock, frame, demand, s, lots, by_warehouse)


def _per_sku(
    stock: pd.DataFrame, keys: Keyed, lots: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The company stock per SKU, the stock per key (warehouse and sku split) and the lots with their warehouse."""
    wh, sku = split_keys(keys.keys)
    by_key = stock.assign(warehouse=wh, sku=sku)
    for c in TRANSFER_COLUMNS:
        if c not in by_key:
            by_key[c] = np.zeros(len(by_key), dtype=np.float64 if c.endswith("_qty") else np.int64)
    by_key = by_key[["warehouse", *STOCK_COLUMNS, *TRANSFER_COLUMNS]]
    if lots is not None:
        lot_wh, lot_sku = split_keys(lots["sku"].to_numpy(dtype=object))
        lots = lots.assign(sku=lot_sku, warehouse=lot_wh)
    return company_stock(by_key, STOCK_COLUMNS), by_key, lots


def _has_receipt(kind: np.ndarray, codes: np.ndarray, ns: int) -> np.ndarray:
    has = np.zeros(ns, dtype=bool)
    has[codes[(kind == P) | (kind == SR) | (kind == C) | (kind == OI) | (kind == TI)]] = True
    return has
