"""Month-end weighted average costing (月末一次加权平均), vectorised: one unit cost per SKU (or warehouse key) for
every flow of the month, no per-event loop. The rules are the valuation's (``core.valuation``); the closing is
back-solved there (``_back_solve``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.costing import OI, OO, PR, QTY_DECIMALS, SR, TI, TO, C, Costed, Events, Opening, P, S
from jxc_xl.core.ledger import running_balance
from jxc_xl.core.money import mul_cents


def monthly_average(frame: pd.DataFrame, ev: Events, skus: pd.Index, start: Opening) -> Costed:
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
    if ev.orig_price is not None:  # a purchase return of last months' purchase (tblCarried): at its price
        carried = is_pr & (orig < 0) & ~np.isnan(ev.orig_price)
        cost[carried] = mul_cents(qty[carried], ev.orig_price[carried])
        known = known | carried

    def per_sku(mask: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=w[mask].astype(np.float64), minlength=ns)

    p_q, p_c = per_sku(is_p, qty), per_sku(is_p, cost)
    k_q, k_c = per_sku(known, qty), per_sku(known, cost)
    short = oq < 0  # a negative opening: the month's cost is the receipts' alone, the opening settled at it
    den = np.round(np.where(short, 0.0, oq) + p_q - k_q, QTY_DECIMALS)
    num = np.where(short, 0, start.cents) + p_c - k_c
    purchase_avg = np.where(p_q > 0, p_c / 100.0 / np.where(p_q > 0, p_q, 1.0), np.nan)
    fallback = np.where(np.isnan(start.unit_cost), purchase_avg, start.unit_cost)
    uc = np.where(den > 0, num / 100.0 / np.where(den > 0, den, 1.0), fallback)
    is_to = kind == TO
    if is_to.any():  # issue 12.2: a transfer in is a receipt at the source's month average
        uc = _transfer_averages(ev, cost, (den, num, fallback), uc)
    ucz = np.nan_to_num(uc)
    cost_adj = None
    if short.any():  # the negative opening valued at the month's cost: the difference is the cost adjustment
        cost_adj = np.where(short, mul_cents(oq, ucz) - start.cents, 0).astype(np.int64)

    unknown = is_pr & ~known
    other = (kind == OI) | (kind == OO)  # other movements: at the month's unit cost, as the sales
    for m in (unknown, is_s, is_sr, other, is_to):  # an unknown-original return at the average leaves it unchanged
        cost[m] = mul_cents(qty[m], ucz[codes[m]])
    if is_to.any():
        ti = np.flatnonzero(kind == TI)
        cost[ti] = cost[ti - 1]  # the transfer in: exactly what left the source
    adj = np.zeros(len(kind), dtype=np.float64)
    if is_c.any():
        bal = running_balance(frame, pd.Series(oq, index=skus)).to_numpy()
        before = pd.Series(bal).groupby(codes).shift(1).to_numpy(dtype=np.float64, copy=True)
        first = np.isnan(before)
        before[first] = oq[codes[first]]
        d = np.round(qty - before, QTY_DECIMALS)
        adj[is_c] = d[is_c]
        cost[is_c] = mul_cents(d[is_c], ucz[codes[is_c]])
    return Costed(cost, adj, uc, None, cost_adj)


def _transfer_averages(
    ev: Events, cost: np.ndarray, base: tuple[np.ndarray, np.ndarray, np.ndarray], uc: np.ndarray
) -> np.ndarray:
    """Month-end average per (warehouse, SKU) key with transfers: each key's average counts its transfers in at
    the source key's average, which may in turn count transfers in. Iterated to a fixed point (a chain of n
    transfers settles in n + 1 rounds; a cycle stops after 64, where the cents may still move by one)."""
    den0, num0, fallback = base
    ti = np.flatnonzero(ev.kind == TI)
    src, dst, qty = ev.codes[ti - 1], ev.codes[ti], ev.qty[ti]
    ns = len(den0)
    den = np.round(den0 + np.bincount(dst, weights=qty, minlength=ns), QTY_DECIMALS)
    moved = np.zeros(len(ti), dtype=np.int64)
    for rounds in range(64):
        now = mul_cents(qty, np.nan_to_num(uc)[src])
        if rounds and np.array_equal(now, moved):
            break
        moved = now
        num = num0 + np.bincount(dst, weights=moved.astype(np.float64), minlength=ns)
        uc = np.where(den > 0, num / 100.0 / np.where(den > 0, den, 1.0), fallback)
    cost[ti] = moved
    return uc
