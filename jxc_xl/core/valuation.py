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
from jxc_xl.core.ledger import KIND_ORDER, clean_keys, ledger_events, opening_lines, running_balance
from jxc_xl.core.money import cents_of, mul_cents

P, SR, PR, S, C = (KIND_ORDER[k] for k in ("purchase", "sales_return", "purchase_return", "sale", "count"))
QTY_DECIMALS = 9  # quantities are rounded here to stop float drift (0.1 + 0.2) from leaking into results

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
    """

    method: str
    stock: pd.DataFrame
    events: pd.DataFrame
    daily_demand: pd.DataFrame


def _sku_index(wb: Workbook, events: pd.DataFrame, opening: pd.DataFrame) -> pd.Index:
    items = clean_keys(wb.df("tblItems")["sku"]) if "tblItems" in wb.tables else pd.Series([], dtype="object")
    seen = pd.concat([items.dropna(), opening["sku"], events["sku"].astype("object")], ignore_index=True)
    return pd.Index(pd.unique(seen.to_numpy(dtype=object)), dtype="object")


def _opening(wb: Workbook) -> pd.DataFrame:
    """Opening per SKU: qty, cents and the first opening line's unit cost."""
    return (
        opening_lines(wb)
        .groupby("sku", sort=False)
        .agg(qty=("qty", "sum"), cents=("cents", "sum"), unit_cost=("unit_cost", "first"))
        .reset_index()
    )


def _std_cost(wb: Workbook, skus: pd.Index) -> np.ndarray:
    td = wb.tables.get("tblItems")
    if td is None or not len(td.df):
        return np.full(len(skus), np.nan)
    df = td.df
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


def _loop_state(n: int, codes: np.ndarray, n_skus: int) -> tuple[list, list, list, list[int], list[int]]:
    """Per-line outputs (cost cents, adj qty, issue unit cost) and the event positions grouped by SKU.

    The valuation loops run over plain Python lists: per-element numpy access would cost more than the work.
    """
    order = np.argsort(codes, kind="stable")  # event order kept within each SKU
    bounds = np.searchsorted(codes[order], np.arange(n_skus + 1)).tolist()
    return [0] * n, [0.0] * n, [float("nan")] * n, order.tolist(), bounds


def _moving_average(kind, qty, amt, price, orig, codes, oq, ov, uc0, whole=False):
    """Moving average per SKU; ``whole``: every quantity is an integer, so no rounding against float drift."""
    cost, adj, issue_uc, order_l, bounds = _loop_state(len(kind), codes, len(oq))
    kind_l, qty_l, amt_l, price_l, orig_l = kind.tolist(), qty.tolist(), amt.tolist(), price.tolist(), orig.tolist()
    closing_uc = list(uc0)
    for s in range(len(oq)):
        lo, hi = bounds[s], bounds[s + 1]
        q, v, uc = oq[s], ov[s], uc0[s]
        for j in range(lo, hi):
            i = order_l[j]
            k = kind_l[i]
            x = qty_l[i]
            if k == P:
                a = amt_l[i]
                q = q + x if whole else round(q + x, QTY_DECIMALS)
                v += a
                if q > 0:
                    uc = v / q / 100.0
            elif k == S:
                a = v + cents_of((x - q) * uc) if 0 <= q <= x else cents_of(x * uc)
                issue_uc[i] = uc
                q = q - x if whole else round(q - x, QTY_DECIMALS)
                v -= a
            elif k == SR:
                o = orig_l[i]
                u = issue_uc[o] if o >= 0 and issue_uc[o] == issue_uc[o] else uc
                a = cents_of(x * u)
                q = q + x if whole else round(q + x, QTY_DECIMALS)
                v += a
                if q > 0:
                    uc = v / q / 100.0
            elif k == PR:
                o = orig_l[i]
                if o >= 0:
                    a = cents_of(x * price_l[o])
                else:
                    a = v + cents_of((x - q) * uc) if 0 <= q <= x else cents_of(x * uc)
                q = q - x if whole else round(q - x, QTY_DECIMALS)
                v -= a
                if q > 0:
                    uc = v / q / 100.0
            else:  # count: x is the counted qty at the end of the date
                d = round(x - q, QTY_DECIMALS)
                if x == 0:
                    a = -v
                elif d >= 0:
                    a = cents_of(d * uc)
                else:
                    a = -cents_of(-d * uc)
                adj[i] = d
                q = x
                v += a
            cost[i] = a
        closing_uc[s] = v / q / 100.0 if q > 0 else uc
    return np.array(cost, dtype=np.int64), np.array(adj, dtype=np.float64), np.array(closing_uc, dtype=np.float64)


def _fifo(kind, qty, amt, price, orig, codes, oq, ov, uc0, whole=False):
    cost, adj, issue_uc, order_l, bounds = _loop_state(len(kind), codes, len(oq))
    kind_l, qty_l, amt_l, price_l, orig_l = kind.tolist(), qty.tolist(), amt.tolist(), price.tolist(), orig.tolist()
    closing_uc = list(uc0)
    for s in range(len(oq)):
        idx = order_l[bounds[s] : bounds[s + 1]]
        closing_uc[s] = _fifo_sku(
            idx, kind_l, qty_l, price_l, amt_l, orig_l, cost, adj, issue_uc, oq[s], ov[s], uc0[s], whole
        )
    return np.array(cost, dtype=np.int64), np.array(adj, dtype=np.float64), np.array(closing_uc, dtype=np.float64)


def _fifo_sku(idx, kind_l, qty_l, price_l, amt_l, orig_l, cost, adj, issue_uc, q, v, last_uc, whole) -> float:
    """FIFO over one SKU's events (positions idx, in event order); fills cost/adj/issue_uc, returns closing uc."""
    # Positive layers lq/lv/lu/lid from head h; a non-positive balance (negative stock, or qty 0 with a
    # value left) lives in tq/tv only while there is no positive layer.
    lq: list[float] = []
    lv: list[int] = []
    lu: list[float] = []
    lid: list[int] = []
    h = 0
    tq, tv = 0.0, 0
    if q > 0:
        lq.append(q), lv.append(v), lu.append(v / q / 100.0), lid.append(-1)
    else:
        tq, tv = q, v

    def receive(x: float, a: int, u: float, ident: int) -> None:
        nonlocal tq, tv
        if tq != 0 or tv != 0:
            nq, nv = round(tq + x, QTY_DECIMALS), tv + a
            if nq > 0:
                lq.append(nq), lv.append(nv), lu.append(nv / nq / 100.0), lid.append(ident)
                tq, tv = 0.0, 0
            else:
                tq, tv = nq, nv
        else:
            lq.append(x), lv.append(a), lu.append(u), lid.append(ident)

    def take(x: float) -> int:
        """Issue x from the oldest layers; the part beyond on hand at the last unit cost."""
        nonlocal h, tq, tv
        c = 0
        while x > 0 and h < len(lq):
            have = lq[h]
            if x >= have:
                c += lv[h]
                x = x - have if whole else round(x - have, QTY_DECIMALS)
                lq[h], lv[h] = 0.0, 0
                h += 1
            else:
                part = cents_of(x * lu[h])
                c += part
                lq[h] = have - x if whole else round(have - x, QTY_DECIMALS)
                lv[h] -= part
                x = 0.0
        if x > 0:  # beyond on hand: any value left at qty 0 goes with it, the rest at the last unit cost
            part = cents_of(x * last_uc)
            c += part + (tv if tq >= 0 else 0)
            tv = (tv - part) if tq < 0 else -part
            tq = round(min(tq, 0.0) - x, QTY_DECIMALS)
        return c

    for i in idx:
        k = kind_l[i]
        x = qty_l[i]
        avg = v / q / 100.0 if q > 0 else last_uc
        if k == P:
            a = amt_l[i]
            u = price_l[i]
            receive(x, a, u, i)
            last_uc = u
            q = q + x if whole else round(q + x, QTY_DECIMALS)
            v += a
        elif k == S:
            if h < len(lq) and x < lq[h]:  # the common case, inlined: the oldest layer covers the issue
                a = cents_of(x * lu[h])
                lq[h] = lq[h] - x if whole else round(lq[h] - x, QTY_DECIMALS)
                lv[h] -= a
            else:
                a = take(x)
            issue_uc[i] = a / x / 100.0
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == SR:
            o = orig_l[i]
            u = issue_uc[o] if o >= 0 and issue_uc[o] == issue_uc[o] else avg
            a = cents_of(x * u)
            receive(x, a, u, -1)
            q = q + x if whole else round(q + x, QTY_DECIMALS)
            v += a
        elif k == PR:
            o = orig_l[i]
            a = 0
            rest = x
            if o >= 0:
                for m in range(len(lq) - 1, h - 1, -1):
                    if lid[m] == o:
                        if lq[m] > 0:
                            t = min(rest, lq[m])
                            part = lv[m] if t >= lq[m] else cents_of(t * price_l[o])
                            lq[m] = round(lq[m] - t, QTY_DECIMALS)
                            lv[m] -= part
                            a += part
                            rest = round(rest - t, QTY_DECIMALS)
                        break
            if rest > 0:
                a += take(rest)
            if lq and h < len(lq):  # drop emptied layers at the head
                while h < len(lq) and lq[h] <= 0 and lv[h] == 0:
                    h += 1
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        else:  # count
            d = round(x - q, QTY_DECIMALS)
            if x == 0:
                a = -v
                h = len(lq)
                tq, tv = 0.0, 0
            elif d > 0:
                a = cents_of(d * avg)
                receive(d, a, avg, -1)
            elif d < 0:
                a = -take(-d)
            else:
                a = 0
            adj[i] = d
            q = x
            v += a
        # keep empty layers from blocking the head
        while h < len(lq) and lq[h] <= 0 and lv[h] == 0:
            h += 1
        if h < len(lq) and lq[h] <= 0:  # a value left at qty 0 inside the layers: move it to the tail
            tv += lv[h]
            h += 1
        cost[i] = a
    return v / q / 100.0 if q > 0 else last_uc


def _monthly_average(ev, kind, qty, amt, price, orig, codes, skus, oq, ov, uc0):
    """Month-end weighted average, vectorised: one unit cost per SKU for every flow of the month.

    Returns per-event costs (sale lines before the residual), count differences, the unit cost per SKU.
    """
    ns = len(skus)
    cost = np.zeros(len(kind), dtype=np.int64)
    is_p, is_pr, is_s, is_sr, is_c = (kind == P), (kind == PR), (kind == S), (kind == SR), (kind == C)
    known = is_pr & (orig >= 0)
    cost[is_p] = amt[is_p]
    cost[known] = mul_cents(qty[known], price[orig[known]])

    def per_sku(mask: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=w[mask].astype(np.float64), minlength=ns)

    p_q, p_c = per_sku(is_p, qty), per_sku(is_p, cost)
    k_q, k_c = per_sku(known, qty), per_sku(known, cost)
    den = np.round(oq + p_q - k_q, QTY_DECIMALS)
    num = ov + p_c - k_c
    purchase_avg = np.where(p_q > 0, p_c / 100.0 / np.where(p_q > 0, p_q, 1.0), np.nan)
    fallback = np.where(np.isnan(uc0), purchase_avg, uc0)
    uc = np.where(den > 0, num / 100.0 / np.where(den > 0, den, 1.0), fallback)
    ucz = np.nan_to_num(uc)

    unknown = is_pr & (orig < 0)
    for m in (unknown, is_s, is_sr):  # an unknown-original return at the average leaves the average unchanged
        cost[m] = mul_cents(qty[m], ucz[codes[m]])
    adj = np.zeros(len(kind), dtype=np.float64)
    if is_c.any():
        bal = running_balance(ev, pd.Series(oq, index=skus)).to_numpy()
        before = pd.Series(bal).groupby(codes).shift(1).to_numpy(dtype=np.float64, copy=True)
        first = np.isnan(before)
        before[first] = oq[codes[first]]
        d = np.round(qty - before, QTY_DECIMALS)
        adj[is_c] = d[is_c]
        cost[is_c] = mul_cents(d[is_c], ucz[codes[is_c]])
    return cost, adj, uc


def _aggregate(skus: pd.Index, kind, qty, cost, adj, codes, oq, ov) -> pd.DataFrame:
    ns = len(skus)

    def tot(k: int, w: np.ndarray) -> np.ndarray:
        m = kind == k
        return np.bincount(codes[m], weights=w[m], minlength=ns)

    def tot_c(k: int) -> np.ndarray:  # exact int sums (bincount weights are float64: exact below 2**53 cents)
        m = kind == k
        return np.bincount(codes[m], weights=cost[m].astype(np.float64), minlength=ns).round().astype(np.int64)

    in_q = np.round(tot(P, qty) - tot(PR, qty), QTY_DECIMALS)
    out_q = np.round(tot(S, qty) - tot(SR, qty), QTY_DECIMALS)
    adj_q = np.round(tot(C, adj), QTY_DECIMALS)
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


def _daily_demand(
    ev: pd.DataFrame, kind: np.ndarray, codes: np.ndarray, skus: pd.Index, days: int, first_day: pd.Timestamp
) -> pd.DataFrame:
    """Net demand (sales − sales returns) per SKU and day of the month; days without sales are 0."""
    mat = np.zeros((len(skus), days), dtype=np.float64)
    sign = np.where(kind == S, 1.0, np.where(kind == SR, -1.0, 0.0))
    day = ((ev["date"].to_numpy() - np.datetime64(first_day, "ns")) // np.timedelta64(1, "D")).astype(np.int64)
    ok = (sign != 0) & (day >= 0) & (day < days)
    np.add.at(mat, (codes[ok], day[ok]), sign[ok] * ev["qty"].to_numpy(dtype=np.float64)[ok])
    return pd.DataFrame(mat, index=pd.Index(skus, name="sku"), columns=pd.RangeIndex(1, days + 1, name="day"))


def value_month(wb: Workbook) -> Valuation:
    """Value the month of ``wb`` by ``wb.settings.valuation`` (see the module docstring for the rules)."""
    if wb.settings is None:
        raise ValueError("value_month needs usable settings (a valid period)")
    method = wb.settings.valuation
    ev = ledger_events(wb)
    opening = _opening(wb)
    skus = _sku_index(wb, ev, opening)
    codes = skus.get_indexer(ev["sku"].to_numpy(dtype=object)).astype(np.int64)

    op = opening.set_index("sku").reindex(skus)
    oq = np.round(op["qty"].fillna(0.0).to_numpy(dtype=np.float64), QTY_DECIMALS)
    ov = op["cents"].fillna(0).to_numpy(dtype=np.float64).round().astype(np.int64)
    std = _std_cost(wb, skus)
    with np.errstate(invalid="ignore", divide="ignore"):
        uc0 = np.where(oq > 0, ov / 100.0 / oq, op["unit_cost"].to_numpy(dtype=np.float64))
    uc0 = np.where(np.isnan(uc0), std, uc0)

    kind = ev["kind"].map(KIND_ORDER).to_numpy(dtype=np.int64)
    qty = ev["qty"].to_numpy(dtype=np.float64)
    amt = ev["amount_cents"].to_numpy(dtype=np.int64)
    price = _line_price(ev)
    orig = original_lines(ev)

    if method == "monthly_average":
        cost, adj, closing_uc = _monthly_average(ev, kind, qty, amt, price, orig, codes, skus, oq, ov, uc0)
    else:
        fn = _fifo if method == "fifo" else _moving_average
        whole = bool(np.all(qty == np.floor(qty)) and np.all(oq == np.floor(oq)) and np.all(np.abs(qty) < 2**52))
        cost, adj, closing_uc = fn(
            kind, qty, amt, price, orig, codes, oq.tolist(), ov.tolist(), np.nan_to_num(uc0).tolist(), whole
        )
        # No cost known at all (no opening cost, no std cost, nothing received): say so rather than 0.
        closing_uc = np.where(np.isnan(uc0) & ~_has_receipt(kind, codes, len(skus)), np.nan, closing_uc)

    stock = _aggregate(skus, kind, qty, cost, adj, codes, oq, ov)
    if method == "monthly_average":
        # Contract: closing = ROUND(closing qty × unit cost); out is back-solved (倒挤). The residual against
        # the per-line ROUND(qty × unit cost) goes to the SKU's last sale line.
        close_c = mul_cents(stock["closing_qty"].to_numpy(), np.nan_to_num(closing_uc))
        out_c = ov + stock["in_cents"].to_numpy() + stock["adj_cents"].to_numpy() - close_c
        resid = out_c - stock["out_cents"].to_numpy()
        s_idx = np.flatnonzero(kind == S)
        if len(s_idx):
            last = pd.Series(s_idx).groupby(codes[s_idx]).last()
            cost[last.to_numpy()] += resid[last.index.to_numpy()]
        stock["out_cents"] = out_c
        stock["closing_cents"] = close_c
    stock["closing_unit_cost"] = closing_uc
    ev = ev.assign(cost_cents=cost, adj_qty=adj)
    s = wb.settings
    demand = _daily_demand(ev, kind, codes, skus, s.days_in_month, pd.Timestamp(s.first_day))
    return Valuation(method=method, stock=stock, events=ev, daily_demand=demand)


def _has_receipt(kind: np.ndarray, codes: np.ndarray, ns: int) -> np.ndarray:
    has = np.zeros(ns, dtype=bool)
    has[codes[(kind == P) | (kind == SR) | (kind == C)]] = True
    return has
