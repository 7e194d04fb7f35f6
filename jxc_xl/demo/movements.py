"""The demo's movements: the day-by-day stock simulation and the documents it gives (sales, purchases,
returns, the mid-month count, a few other issues) plus the opening that starts it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.money import from_cents, mul_cents
from jxc_xl.demo.catalog import (
    CUSTOMERS,
    PURCHASE_RETURN_REASONS,
    SALES_RETURN_REASONS,
    Calendar,
    Catalog,
    Demand,
)


def _doc_numbers(prefix: str, period: str, order: np.ndarray, width: int) -> np.ndarray:
    """Dense 1-based numbers for sorted group ids ``order`` → 'PO-202611-0001' strings."""
    ym = period.replace("-", "")
    w = max(width, len(str(int(order.max()) + 1 if len(order) else 1)))
    return np.array([f"{prefix}-{ym}-{i + 1:0{w}d}" for i in order], dtype=object)


def _group_rank(keys: np.ndarray) -> np.ndarray:
    """For a sorted key array: 0-based rank of each element within its run of equal keys."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, keys[1:] != keys[:-1]]
    idx = np.arange(n)
    first = np.maximum.accumulate(np.where(start, idx, 0))
    return idx - first


@dataclass(frozen=True)
class Stock:
    """The (s, S) simulation's result: what could be sold, what was ordered and the balances after sales."""

    opening_qty: np.ndarray
    kept_qty: np.ndarray  # per demand line: the qty actually sold (0 when out of stock)
    after_sales: np.ndarray  # (n, days): balance after each day's sales
    po_sku: np.ndarray  # purchase receipts inside the month
    po_day: np.ndarray
    po_qty: np.ndarray


def _fill(on_hand: np.ndarray, s_i: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Qty each of one day's lines gets: in order per SKU, the line that runs out gets the remainder."""
    cum = np.cumsum(q)
    start = np.r_[True, s_i[1:] != s_i[:-1]]
    base = np.maximum.accumulate(np.where(start, cum - q, 0))
    before = cum - q - base  # qty of earlier lines of the same sku today
    return np.clip(on_hand[s_i] - before, 0, q)


def simulate_stock(rng: np.random.Generator, items: Catalog, demand: Demand, days: int) -> Stock:
    """(s, S) per SKU, day by day: receipts, then sales as stock allows, then orders arriving after the lead time."""
    n, pack = items.n, items.pack
    daily = demand.daily
    s_level = np.ceil(daily * (items.lead + 2) * 1.15 + 1).astype(np.int64)
    big_s = s_level + np.ceil(daily * rng.uniform(7, 20, n) + pack).astype(np.int64)
    on_hand = (s_level + rng.integers(0, 1 << 30, n) % (big_s - s_level + 1)).astype(np.int64)
    opening_qty = on_hand.copy()
    on_order = np.zeros(n, dtype=np.int64)
    arrivals = np.zeros((n, days + 40), dtype=np.int64)
    kept_qty = np.zeros(len(demand.line_qty), dtype=np.int64)
    day_bounds = np.searchsorted(demand.line_day, np.arange(days + 1))
    po_sku, po_day, po_qty = [], [], []
    after_sales = np.zeros((n, days), dtype=np.int64)
    for d in range(days):
        on_hand += arrivals[:, d]
        on_order -= arrivals[:, d]
        lo, hi = day_bounds[d], day_bounds[d + 1]
        if hi > lo:
            s_i = demand.line_sku[lo:hi]
            kept_qty[lo:hi] = kq = _fill(on_hand, s_i, demand.line_qty[lo:hi])
            on_hand -= np.bincount(s_i, weights=kq, minlength=n).astype(np.int64)
        after_sales[:, d] = on_hand
        ip = on_hand + on_order
        need = np.flatnonzero(ip <= s_level)
        if len(need):
            q = big_s[need] - ip[need]
            q = (np.ceil(q / pack[need]) * pack[need]).astype(np.int64)
            arr = d + 1 + items.lead[need]
            arrivals[need, arr] += q
            on_order[need] += q
            inside = arr < days
            po_sku.append(need[inside])
            po_day.append(arr[inside])
            po_qty.append(q[inside])
    empty = np.zeros(0, dtype=np.int64)
    joined = [np.concatenate(a) if a else empty for a in (po_sku, po_day, po_qty)]
    return Stock(opening_qty, kept_qty, after_sales, *joined)


def sales_table(rng: np.random.Generator, items: Catalog, demand: Demand, stock: Stock, cal: Calendar) -> pd.DataFrame:
    """Sales documents: lines of one day grouped into orders, one line per SKU per order."""
    n = items.n
    keep = stock.kept_qty > 0
    s_sku, s_day, s_qty = demand.line_sku[keep], demand.line_day[keep], stock.kept_qty[keep]
    order_key = s_day.astype(np.int64) * n + s_sku
    rank = _group_rank(order_key)  # 0 for the first line of a sku on a day, 1 for its second, …
    shuffle = rng.random(len(s_sku))
    o = np.lexsort((shuffle, rank, s_day))
    s_sku, s_day, s_qty, rank = s_sku[o], s_day[o], s_qty[o], rank[o]
    block = s_day.astype(np.int64) * 1000 + np.minimum(rank, 999)
    pos = _group_rank(block)
    sizes = np.cumsum(rng.integers(1, 7, len(s_sku) + 1))
    local = np.searchsorted(sizes, pos, side="right")
    doc_key = block * (len(s_sku) + 2) + local
    uniq, doc_idx = np.unique(doc_key, return_inverse=True)
    so_no = _doc_numbers("SO", cal.period, np.arange(len(uniq)), 5)[doc_idx]
    cust = rng.choice(np.array(CUSTOMERS, dtype=object), len(uniq))[doc_idx]
    disc = np.where(rng.random(len(uniq)) < 0.12, rng.choice(np.array([0.9, 0.95, 0.98]), len(uniq)), 1.0)[doc_idx]
    s_price = np.round(items.price[s_sku] * disc, 2)
    s_amount = from_cents(mul_cents(s_qty, s_price))
    o = np.lexsort((s_sku, doc_idx))
    return pd.DataFrame(
        {
            "date": cal.day_dates[s_day[o]].astype("datetime64[ns]"),
            "doc_no": so_no[o],
            "customer": cust[o],
            "sku": items.sku[s_sku[o]],
            "qty": s_qty[o].astype(float),
            "unit_price": s_price[o],
            "amount": s_amount[o],
            "note": None,
        }
    )


def purchases_table(rng: np.random.Generator, items: Catalog, stock: Stock, cal: Calendar) -> pd.DataFrame:
    """Purchase documents: one per supplier and arrival day."""
    sup_codes, sup_idx = np.unique(items.supplier, return_inverse=True)
    o = np.lexsort((stock.po_sku, sup_idx[stock.po_sku], stock.po_day))
    p_sku, p_day, p_qty = stock.po_sku[o], stock.po_day[o], stock.po_qty[o]
    pkey = p_day.astype(np.int64) * len(sup_codes) + sup_idx[p_sku]
    _, p_doc = np.unique(pkey, return_inverse=True)
    po_no = _doc_numbers("PO", cal.period, p_doc, 4) if len(p_doc) else np.zeros(0, dtype=object)
    p_price = np.round(items.cost[p_sku] * rng.uniform(0.97, 1.03, len(p_sku)), 2)
    return pd.DataFrame(
        {
            "date": cal.day_dates[p_day].astype("datetime64[ns]"),
            "doc_no": po_no,
            "supplier": items.supplier[p_sku],
            "sku": items.sku[p_sku],
            "qty": p_qty.astype(float),
            "unit_price": p_price,
            "amount": from_cents(mul_cents(p_qty, p_price)),
            "note": None,
        }
    )


def _future_min(bal: np.ndarray) -> np.ndarray:
    """Per SKU and day: the lowest balance from that day on."""
    return np.minimum.accumulate(bal[:, ::-1], axis=1)[:, ::-1]


class _Returned(NamedTuple):
    """Returns of one kind: the original lines, the SKU indices, days and quantities."""

    orig: pd.DataFrame
    sku: np.ndarray
    day: np.ndarray
    qty: np.ndarray


def _sales_returns(rng: np.random.Generator, sku: np.ndarray, sales: pd.DataFrame, cal: Calendar) -> _Returned:
    """~0.4% of sales lines, one return per original line, 1–5 days after the sale (so also after it in event
    order, where sales returns of a date come before its sales)."""
    sale_day = cal.day_of(sales["date"].to_numpy())
    eligible = np.flatnonzero(sale_day < cal.days - 1)
    n_sr = min(len(eligible), max(1, int(len(sales) * 0.004)))
    pick = np.sort(rng.choice(eligible, n_sr, replace=False)) if n_sr else np.zeros(0, dtype=np.int64)
    orig = sales.iloc[pick]
    sr_sku = np.searchsorted(sku, orig["sku"].to_numpy())
    sr_day = np.minimum(cal.day_of(orig["date"].to_numpy()) + rng.integers(1, 6, n_sr), cal.days - 1).astype(np.int64)
    sr_qty = np.maximum(1, np.floor(orig["qty"].to_numpy() * rng.uniform(0.1, 1.0, n_sr))).astype(np.int64)
    return _Returned(orig, sr_sku, sr_day, sr_qty)


def _purchase_returns(
    rng: np.random.Generator, sku: np.ndarray, purchases: pd.DataFrame, bal: np.ndarray, cal: Calendar
) -> _Returned:
    """~3% of purchase lines, at most one per SKU, capped so stock stays ≥ 0 (``bal``: balances by day)."""
    n_pr = int(len(purchases) * 0.03) + (1 if len(purchases) else 0)
    if len(purchases):
        pick = rng.choice(len(purchases), min(n_pr, len(purchases)), replace=False)
    else:
        pick = np.zeros(0, dtype=np.int64)
    orig = purchases.iloc[np.sort(pick)].drop_duplicates("sku")
    pr_sku = np.searchsorted(sku, orig["sku"].to_numpy())
    shift = rng.integers(0, 4, len(orig))
    pr_day = np.minimum(cal.day_of(orig["date"].to_numpy()) + shift, cal.days - 1).astype(np.int64)
    room = _future_min(bal)[pr_sku, pr_day]  # lowest later balance: a return may take at most this
    want = np.maximum(1, np.floor(orig["qty"].to_numpy() * rng.uniform(0.05, 0.3, len(orig))))
    pr_qty = np.minimum(want, room).astype(np.int64)
    ok = pr_qty >= 1
    return _Returned(orig[ok], pr_sku[ok], pr_day[ok], pr_qty[ok])


def _returns_frame(rng: np.random.Generator, sr: _Returned, pr: _Returned, cal: Calendar) -> pd.DataFrame:
    ret = pd.DataFrame(
        {
            "date": np.concatenate([cal.day_dates[sr.day], cal.day_dates[pr.day]]).astype("datetime64[ns]"),
            "kind": ["sales_return"] * len(sr.orig) + ["purchase_return"] * len(pr.orig),
            "orig_doc_no": np.concatenate([sr.orig["doc_no"].to_numpy(), pr.orig["doc_no"].to_numpy()]),
            "sku": np.concatenate([sr.orig["sku"].to_numpy(), pr.orig["sku"].to_numpy()]),
            "qty": np.concatenate([sr.qty, pr.qty]).astype(float),
            "unit_price": np.concatenate([sr.orig["unit_price"].to_numpy(), pr.orig["unit_price"].to_numpy()]),
            "reason": np.concatenate(
                [
                    rng.choice(np.array(SALES_RETURN_REASONS, dtype=object), len(sr.orig)),
                    rng.choice(np.array(PURCHASE_RETURN_REASONS, dtype=object), len(pr.orig)),
                ]
            ),
        }
    )
    ret = ret.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)
    ret.insert(1, "doc_no", _doc_numbers("RT", cal.period, np.arange(len(ret)), 4) if len(ret) else [])
    ret.insert(7, "amount", from_cents(mul_cents(ret["qty"].to_numpy(), ret["unit_price"].to_numpy())))
    return ret


def returns_table(
    rng: np.random.Generator,
    items: Catalog,
    sales: pd.DataFrame,
    purchases: pd.DataFrame,
    stock: Stock,
    cal: Calendar,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The returns table and the balances by day (after sales, before counts) with the returns in."""
    delta = np.zeros((items.n, cal.days), dtype=np.int64)  # later movements' effect from their day on
    sr = _sales_returns(rng, items.sku, sales, cal)
    np.add.at(delta, (sr.sku, sr.day), sr.qty)  # receipts only raise later balances
    pr = _purchase_returns(rng, items.sku, purchases, stock.after_sales + np.cumsum(delta, axis=1), cal)
    np.add.at(delta, (pr.sku, pr.day), -pr.qty)
    bal = stock.after_sales + np.cumsum(delta, axis=1)
    return _returns_frame(rng, sr, pr, cal), bal


def counts_table(
    rng: np.random.Generator, items: Catalog, bal: np.ndarray, n_lines: int, cal: Calendar
) -> pd.DataFrame:
    """A mid-month count: small differences, losses never below a later zero."""
    n = items.n
    cday = min(14, cal.days - 1)
    n_cnt = min(n, max(5, int(n_lines * 0.015)))
    c_sku = np.sort(rng.choice(n, n_cnt, replace=False))
    book = bal[c_sku, cday]
    room = _future_min(bal[:, cday:])[c_sku, 0]
    diff = rng.choice(np.array([0, 0, 0, 0, 0, 0, -1, -1, -2, 1]), n_cnt)
    diff = np.maximum(diff, -room)
    counted = book + diff
    note = np.full(n_cnt, None, dtype=object)
    note[diff != 0] = "盘点差异"
    return pd.DataFrame(
        {
            "date": np.full(n_cnt, cal.day_dates[cday]).astype("datetime64[ns]"),
            "sku": items.sku[c_sku],
            "counted_qty": counted.astype(float),
            "note": note,
        }
    )


def opening_table(rng: np.random.Generator, items: Catalog, stock: Stock) -> pd.DataFrame:
    """tblOpening's rows: the simulation's starting stock at a cost near the item's."""
    open_cost = np.round(items.cost * rng.uniform(0.97, 1.03, items.n), 2)
    return pd.DataFrame(
        {
            "sku": items.sku,
            "qty": stock.opening_qty.astype(float),
            "unit_cost": open_cost,
            "amount": from_cents(mul_cents(stock.opening_qty, open_cost)),
        }
    )


# Other issues (tblOther, issue 12.3): mostly 报损, some 领用 and 样品, each with a plausible note.
_OTHER_REASONS = np.array(["damage", "damage", "damage", "internal_use", "internal_use", "sample"], dtype=object)
_OTHER_NOTES = {"damage": "破损", "internal_use": "门店自用", "sample": "客户样品"}


def other_table(
    rng: np.random.Generator, items: Catalog, bal: np.ndarray, counts: pd.DataFrame, n_lines: int, cal: Calendar
) -> pd.DataFrame:
    """A few other issues a month (up to ~0.4 % of the lines, at least 6 tried), 1–2 units of items not counted,
    never more than the lowest later balance (``bal``: balances by day after returns), so stock stays ≥ 0."""
    counted = np.isin(items.sku, counts["sku"].to_numpy())
    want = max(6, int(n_lines * 0.004))
    sku = rng.choice(items.n, want, replace=True)
    day = rng.integers(0, cal.days, want)
    qty = rng.integers(1, 3, want)
    reason = rng.choice(_OTHER_REASONS, want)
    order = np.lexsort((sku, day))
    sku, day, qty, reason = sku[order], day[order], qty[order], reason[order]
    room = _future_min(bal).astype(np.int64)
    keep = np.zeros(want, dtype=bool)
    for i in range(want):  # a few lines: each takes its units from every later balance of its item
        if not counted[sku[i]] and room[sku[i], day[i]] >= qty[i]:
            keep[i] = True
            s, d, q = sku[i], day[i], qty[i]
            room[s, :d] = np.minimum(room[s, :d], room[s, d] - q)  # the lowest later balance, before that day
            room[s, d:] -= q
    out = pd.DataFrame(
        {
            "date": cal.day_dates[day[keep]].astype("datetime64[ns]"),
            "reason": reason[keep],
            "sku": items.sku[sku[keep]],
            "qty": qty[keep].astype(float),
            "note": [_OTHER_NOTES[r] for r in reason[keep]],
        }
    )
    out.insert(1, "doc_no", _doc_numbers("QT", cal.period, np.arange(len(out)), 4) if len(out) else [])
    return out


def opening_receipt_dates(rng: np.random.Generator, opening: pd.DataFrame, first_day: pd.Timestamp) -> pd.DataFrame:
    """The opening with a 入库日期 per row, for the ageing (库龄) on 分析: most stock bought in the two months
    before, about one item in eight older than half a year. ``rng`` is the step's own generator, so every other
    draw of the month stays as it was."""
    n = len(opening)
    back = np.ceil(rng.gamma(1.3, 25.0, n))
    old = rng.random(n) < 0.12
    back = np.where(old, rng.integers(181, 540, n), back).clip(1, 720)
    return opening.assign(receipt_date=first_day - pd.to_timedelta(back, unit="D"))
