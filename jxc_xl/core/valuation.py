"""Month valuation (收发存): opening, in, out, adjustment and closing per SKU by one of three methods.

Follows the contract's "Accounting rules". Money is int cents throughout; unit costs are full-precision
floats. Every SKU row satisfies closing = opening + in − out + adj exactly, in qty and in cents, because the
closing amount is the sum of the booked flows (the per-method state only decides what each flow costs).

Decisions the contract leaves open (documented here, tested in tests/test_valuation.py):

* Starting unit cost of a SKU: opening amount / opening qty; else the opening line's unit cost; else the
  item's std cost; else (monthly average only) the month's average purchase price; else 0. It is used only
  where stock is issued while nothing has been received at a known cost.
* Opening amount: tblOpening amount if given, else ROUND_HALF_UP(qty × unit_cost); 0 where both are blank.
* Negative stock (allowed by settings): an issue first takes the remaining on-hand quantity with all of its
  remaining value; the part beyond on hand is costed at the current unit cost. The book value then goes
  negative with the quantity; the next receipt is merged into that negative balance (moving average: unit
  cost = value / qty once qty is positive again; FIFO: the negative balance and the receipt become one layer).
* Zero quantity with a value left (e.g. a purchase return at the original price took the last units): the
  value stays on the book until the next event, which takes it (an issue or a count to 0) or absorbs it (a
  receipt). A count to 0 always writes the whole remaining value off.
* Moving average: receipts (purchases, sales returns) and purchase returns reset unit cost = value / qty
  while qty > 0; issues and count differences do not change it.
* A purchase return whose original purchase line (same doc_no and sku) is in this workbook leaves at that
  line's unit price (its amount / qty where the price is blank); otherwise at the current unit cost (FIFO:
  from the oldest layers; monthly average: at the month's average, which leaves the average unchanged).
  FIFO takes it from the original purchase's layer first, at that layer's cost; units beyond what is left of
  that layer (it was partly issued already) leave from the oldest layers at their cost, so every layer keeps
  its own unit cost.
* A sales return comes back at the unit cost at which its original sale line (same doc_no and sku) was
  issued — moving average: the unit cost at that moment; FIFO: the line's cost / qty; monthly average:
  the month's unit cost. If the original sale is not in the workbook or not issued yet (a same-day return
  is booked before the day's sales), at the current unit cost.
* Monthly average: the back-solved out amount is split over the sale lines as ROUND(qty × unit cost); the
  rounding residual goes to the SKU's last sale line (so per-line COGS add up to out_amount).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.costing import (
    PR,
    QTY_DECIMALS,
    SR,
    C,
    Costed,
    Events,
    Opening,
    P,
    S,
    fifo_sku,
    moving_average_sku,
    per_sku,
)
from jxc_xl.core.ledger import (
    KIND_ORDER,
    clean_keys,
    ledger_events,
    net_demand,
    opening_lines,
    running_balance,
    table_frame,
)
from jxc_xl.core.money import line_over_limit, mul_cents, sum_cents
from jxc_xl.schema import ITEMS, Settings

STOCK_COLUMNS = [
    "sku",
    "opening_qty",
    "opening_cents",
    "in_qty",
    "in_cents",
    "out_qty",
    "out_cents",
    "adj_qty",
    "adj_cents",
    "closing_qty",
    "closing_cents",
    "closing_unit_cost",
]


@dataclass
class Valuation:
    """The month valued.

    stock: one row per SKU (all of tblItems, then other SKUs seen in opening and ledgers) with STOCK_COLUMNS
    (qty float, *_cents int64, closing_unit_cost float; NaN where no cost is known at all).
    events: ledger_events(wb) plus ``cost_cents`` (int64: purchase = booked amount; purchase return, sale,
    sales return = its cost; count = signed adjustment amount) and ``adj_qty`` (count difference, else 0).
    daily_demand: net demand (sales − sales returns qty) per SKU (index, same order as stock) and day of
    the month (columns 1..days).
    settings: the workbook's settings the month was valued under (plan and analysis read theirs here).
    """

    method: str
    stock: pd.DataFrame
    events: pd.DataFrame
    daily_demand: pd.DataFrame
    settings: Settings


def _sku_index(wb: Workbook, events: pd.DataFrame, opening: pd.DataFrame) -> pd.Index:
    items = clean_keys(wb.df(ITEMS.name)["sku"]) if ITEMS.name in wb.tables else pd.Series([], dtype="object")
    seen = pd.concat([items.dropna(), opening["sku"], events["sku"].astype("object")], ignore_index=True)
    return pd.Index(pd.unique(seen.to_numpy(dtype=object)), dtype="object")


def _opening(wb: Workbook) -> pd.DataFrame:
    """Opening per SKU: qty, cents and the first opening line's unit cost."""
    lines = opening_lines(wb)
    over = line_over_limit(lines["qty"], lines["unit_cost"], lines["cents"])
    lines.loc[over, "cents"] = 0  # beyond money.MAX_LINE_AMOUNT: an amount-too-large error; forced, no money
    return (
        lines.groupby("sku", sort=False)
        .agg(qty=("qty", "sum"), cents=("cents", "sum"), unit_cost=("unit_cost", "first"))
        .reset_index()
    )


def _std_cost(wb: Workbook, skus: pd.Index) -> np.ndarray:
    df = table_frame(wb, ITEMS.name)
    if df is None:
        return np.full(len(skus), np.nan)
    cost = pd.Series(pd.to_numeric(df["cost"], errors="coerce").to_numpy(), index=clean_keys(df["sku"]).to_numpy())
    cost = cost[cost.index.notna()]
    cost = cost[~cost.index.duplicated()]
    return cost.reindex(skus).to_numpy(dtype=np.float64)


def original_lines(ev: pd.DataFrame) -> np.ndarray:
    """For each return event the position of its original line (first purchase/sale line with the return's
    orig_doc_no and sku), else −1."""
    pos = np.full(len(ev), -1, dtype=np.int64)
    kind = ev["kind"].to_numpy(dtype=object)
    for ret, orig in (("purchase_return", "purchase"), ("sales_return", "sale")):
        r = np.flatnonzero(kind == ret)
        if not len(r):
            continue
        o = np.flatnonzero(kind == orig)
        key = pd.MultiIndex.from_arrays([ev["doc_no"].to_numpy(dtype=object)[o], ev["sku"].to_numpy(dtype=object)[o]])
        first = ~key.duplicated()
        key, o = key[first], o[first]
        want = pd.MultiIndex.from_arrays(
            [ev["orig_doc_no"].to_numpy(dtype=object)[r], ev["sku"].to_numpy(dtype=object)[r]]
        )
        at = key.get_indexer(want) if len(key) else np.full(len(r), -1)
        pos[r] = np.where(at >= 0, o[np.maximum(at, 0)] if len(o) else -1, -1)
    return pos


def _line_price(ev: pd.DataFrame) -> np.ndarray:
    """Unit price of each line: unit_price, else amount / qty."""
    price = ev["unit_price"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # counts may have qty 0; their price is unused
        alt = ev["amount_cents"].to_numpy(dtype=np.float64) / 100.0 / ev["qty"].to_numpy(dtype=np.float64)
    return np.where(np.isnan(price), alt, price)


# ---------------------------------------------------------------------------------------------------
# Month-end weighted average: vectorised, no per-event loop


def _monthly_average(frame: pd.DataFrame, ev: Events, skus: pd.Index, start: Opening) -> Costed:
    """Month-end weighted average, vectorised: one unit cost per SKU for every flow of the month.

    Returns per-event costs (sale lines before the residual), count differences, the unit cost per SKU.
    """
    kind, qty, codes, orig, oq = ev.kind, ev.qty, ev.codes, ev.orig, start.qty
    ns = len(skus)
    cost = np.zeros(len(kind), dtype=np.int64)
    is_p, is_pr, is_s, is_sr, is_c = (kind == P), (kind == PR), (kind == S), (kind == SR), (kind == C)
    known = is_pr & (orig >= 0)
    cost[is_p] = ev.amt[is_p]
    cost[known] = mul_cents(qty[known], ev.price[orig[known]])

    def per_sku(mask: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=w[mask].astype(np.float64), minlength=ns)

    p_q, p_c = per_sku(is_p, qty), per_sku(is_p, cost)
    k_q, k_c = per_sku(known, qty), per_sku(known, cost)
    den = np.round(oq + p_q - k_q, QTY_DECIMALS)
    num = start.cents + p_c - k_c
    purchase_avg = np.where(p_q > 0, p_c / 100.0 / np.where(p_q > 0, p_q, 1.0), np.nan)
    fallback = np.where(np.isnan(start.unit_cost), purchase_avg, start.unit_cost)
    uc = np.where(den > 0, num / 100.0 / np.where(den > 0, den, 1.0), fallback)
    ucz = np.nan_to_num(uc)

    unknown = is_pr & (orig < 0)
    for m in (unknown, is_s, is_sr):  # an unknown-original return at the average leaves the average unchanged
        cost[m] = mul_cents(qty[m], ucz[codes[m]])
    adj = np.zeros(len(kind), dtype=np.float64)
    if is_c.any():
        bal = running_balance(frame, pd.Series(oq, index=skus)).to_numpy()
        before = pd.Series(bal).groupby(codes).shift(1).to_numpy(dtype=np.float64, copy=True)
        first = np.isnan(before)
        before[first] = oq[codes[first]]
        d = np.round(qty - before, QTY_DECIMALS)
        adj[is_c] = d[is_c]
        cost[is_c] = mul_cents(d[is_c], ucz[codes[is_c]])
    return Costed(cost, adj, uc)


def _back_solve(stock: pd.DataFrame, ev: Events, costed: Costed, start: Opening) -> None:
    """Monthly average: closing = ROUND(closing qty × unit cost); out is back-solved (倒挤).

    The residual against the per-line ROUND(qty × unit cost) goes to the SKU's last sale line (in place).
    """
    close_c = mul_cents(stock["closing_qty"].to_numpy(), np.nan_to_num(costed.closing_uc))
    out_c = start.cents + stock["in_cents"].to_numpy() + stock["adj_cents"].to_numpy() - close_c
    resid = out_c - stock["out_cents"].to_numpy()
    s_idx = np.flatnonzero(ev.kind == S)
    if len(s_idx):
        last = pd.Series(s_idx).groupby(ev.codes[s_idx]).last()
        costed.cost[last.to_numpy()] += resid[last.index.to_numpy()]
    stock["out_cents"] = out_c
    stock["closing_cents"] = close_c


def _aggregate(skus: pd.Index, ev: Events, costed: Costed, start: Opening) -> pd.DataFrame:
    ns = len(skus)
    kind, qty, codes, cost, oq, ov = ev.kind, ev.qty, ev.codes, costed.cost, start.qty, start.cents

    def tot(k: int, w: np.ndarray) -> np.ndarray:
        m = kind == k
        return np.bincount(codes[m], weights=w[m], minlength=ns)

    def tot_c(k: int) -> np.ndarray:  # exact int64 sums (money.sum_cents)
        m = kind == k
        return sum_cents(codes[m], cost[m], ns)

    in_q = np.round(tot(P, qty) - tot(PR, qty), QTY_DECIMALS)
    out_q = np.round(tot(S, qty) - tot(SR, qty), QTY_DECIMALS)
    adj_q = np.round(tot(C, costed.adj), QTY_DECIMALS)
    in_c = tot_c(P) - tot_c(PR)
    out_c = tot_c(S) - tot_c(SR)
    adj_c = tot_c(C)
    close_q = np.round(oq + in_q - out_q + adj_q, QTY_DECIMALS)
    return pd.DataFrame(
        {
            "sku": skus.to_numpy(dtype=object),
            "opening_qty": oq,
            "opening_cents": ov,
            "in_qty": in_q,
            "in_cents": in_c,
            "out_qty": out_q,
            "out_cents": out_c,
            "adj_qty": adj_q,
            "adj_cents": adj_c,
            "closing_qty": close_q,
            "closing_cents": ov + in_c - out_c + adj_c,
            "closing_unit_cost": np.nan,
        }
    )


def _daily_demand(frame: pd.DataFrame, ev: Events, skus: pd.Index, days: int, first_day: pd.Timestamp) -> pd.DataFrame:
    """Net demand (``ledger.net_demand``) per SKU and day of the month; days without sales are 0."""
    mat = np.zeros((len(skus), days), dtype=np.float64)
    demand = net_demand(frame).to_numpy(dtype=np.float64)
    day = ((frame["date"].to_numpy() - np.datetime64(first_day, "ns")) // np.timedelta64(1, "D")).astype(np.int64)
    ok = ((ev.kind == S) | (ev.kind == SR)) & (day >= 0) & (day < days)
    np.add.at(mat, (ev.codes[ok], day[ok]), demand[ok])
    return pd.DataFrame(mat, index=pd.Index(skus, name="sku"), columns=pd.RangeIndex(1, days + 1, name="day"))


def _inputs(wb: Workbook, frame: pd.DataFrame) -> tuple[pd.Index, Events, Opening]:
    """The SKU index, the event columns and the per-SKU opening the methods start from."""
    opening = _opening(wb)
    skus = _sku_index(wb, frame, opening)
    op = opening.set_index("sku").reindex(skus)
    oq = np.round(op["qty"].fillna(0.0).to_numpy(dtype=np.float64), QTY_DECIMALS)
    ov = opening.set_index("sku")["cents"].reindex(skus, fill_value=0).to_numpy(dtype=np.int64)  # exact
    with np.errstate(invalid="ignore", divide="ignore"):
        uc0 = np.where(oq > 0, ov / 100.0 / oq, op["unit_cost"].to_numpy(dtype=np.float64))
    uc0 = np.where(np.isnan(uc0), _std_cost(wb, skus), uc0)
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
        codes=skus.get_indexer(pd.Index(frame["sku"].to_numpy(dtype=object))).astype(np.int64),
    )
    return skus, ev, Opening(oq, ov, uc0)


def _cost(method: str, frame: pd.DataFrame, ev: Events, skus: pd.Index, start: Opening) -> Costed:
    """Each event's cost and each SKU's closing unit cost by ``method``."""
    if method == "monthly_average":
        return _monthly_average(frame, ev, skus, start)
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
    skus, ev, start = _inputs(wb, frame)
    costed = _cost(method, frame, ev, skus, start)
    stock = _aggregate(skus, ev, costed, start)
    if method == "monthly_average":
        _back_solve(stock, ev, costed, start)
    stock["closing_unit_cost"] = costed.closing_uc
    frame = frame.assign(cost_cents=costed.cost, adj_qty=costed.adj)
    demand = _daily_demand(frame, ev, skus, s.days_in_month, pd.Timestamp(s.first_day))
    return Valuation(method=method, stock=stock, events=frame, daily_demand=demand, settings=s)


def _has_receipt(kind: np.ndarray, codes: np.ndarray, ns: int) -> np.ndarray:
    has = np.zeros(ns, dtype=bool)
    has[codes[(kind == P) | (kind == SR) | (kind == C)]] = True
    return has
