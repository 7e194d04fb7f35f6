"""Stock ageing (库龄): the closing stock of each SKU split by receipt date into the bands of setting ageing_buckets.

* Age of a receipt: days from its receipt date to the period's last day (the day of 库存's closing balance,
  whatever the date of the last document; the plan's as-of date is the plan's, not the balance's). Band k holds
  the ages up to the k-th bound (default 0-30, 31-60, 61-90, 91-180 days), the last band those above the last
  bound.
* FIFO: the layers the costing leaves (``Valuation.lots``): each layer at its own amount, aged from the date of
  the purchase, sales return or count surplus that received it, or from the opening lot's own 入库日期 (lots that
  ``jxc close`` carried keep their first receipt date month after month, and a layer moved by a transfer keeps
  its own; an undated lot: the day before the period starts). A value the layers do not hold (a
  remainder left at quantity 0 inside the month that a later receipt absorbed) goes with the newest layer, so the
  bands add up to the closing amount to the cent. A SKU whose layers do not make up its closing quantity is aged
  as for the average methods.
* Average methods (moving, month-end weighted): the FIFO assumption over receipts — the closing quantity is the
  most recent receipts, taken backwards from the last: purchases (less the returns of that purchase line within
  the month), sales returns and count surpluses (goods back on the shelf, dated the day they came back or were
  found), then the opening lines, newest 入库日期 first. The pieces are valued at the closing unit cost: the
  closing amount is split over them by cumulative quantity, ROUND_HALF_UP, so they add up to it exactly.
* ``jxc close`` carries the average methods' closing as these pieces, one opening row per receipt date
  (``core.closing``), so the next month goes on from their dates, month after month.
* Opening stock without a 入库日期 (a typed first opening, one closed before close carried dates, or a workbook
  with warehouses, carried one row per warehouse and SKU) is, by the same assumption, last months' latest
  purchases: the purchase lines of tblCarried (what ``jxc close`` carries of the last three months, the quantity
  still returnable of each), newest first. What they do not cover is dated the day before the period starts: at
  least that old, its true age unknown (carried by close with that date, it goes on ageing). Closing quantity
  beyond every receipt and opening line is dated so too.
* A SKU with no stock on hand (closing qty ≤ 0) has no age: its closing amount (0; negative with negative stock)
  is put in band 1 so that the bands still add up to 库存's closing; its average age is blank.
* Average age: the quantity-weighted mean age of the closing stock, in days. 积压 (stale): the amount of the
  pieces older than setting stale_days (default 180).

Vectorised over all pieces (numpy sorts and cumulative sums per SKU): no Python call per SKU or band.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.carried import carried_lines
from jxc_xl.core.ledger import opening_lines, original_lines
from jxc_xl.core.money import sum_cents
from jxc_xl.core.valuation import Valuation
from jxc_xl.schema import MAX_AGE_BANDS

__all__ = ["Ageing", "age_band", "ageing_columns", "ageing_pieces", "band_labels", "stock_ageing"]

QTY_EPS = 1e-9  # layers make up a closing quantity within float noise


class Ageing(NamedTuple):
    """Per SKU of the valuation (stock order): its closing stock by age band."""

    skus: pd.Index
    bounds: tuple[int, ...]  # the bands' upper bounds in days (len(bounds) + 1 bands)
    band_cents: np.ndarray  # int64 (SKUs × MAX_AGE_BANDS): bands past len(bounds) + 1 are 0
    band_qty: np.ndarray  # float64 (SKUs × MAX_AGE_BANDS)
    avg_age_days: np.ndarray  # float64, NaN where nothing is on hand
    stale_cents: np.ndarray  # int64: the amount older than stale_days


class _Pieces(NamedTuple):
    """Receipts (or layers) as parallel arrays: SKU position, qty, receipt date in days since the epoch."""

    code: np.ndarray
    qty: np.ndarray
    day: np.ndarray  # int64


def age_band(age_days: np.ndarray, bounds: tuple[int, ...]) -> np.ndarray:
    """The 0-based band of each age: band k holds ages up to bounds[k], the last band those above them all."""
    return np.searchsorted(np.asarray(bounds, dtype=np.float64), age_days, side="left")


def band_labels(bounds: tuple[int, ...], span: str, over: str) -> list[str]:
    """Labels of the bands: ``span`` filled with each band's first and last day (lo, hi: "0-30", "31-60" …), the
    last band ``over`` filled with the last bound (hi)."""
    lo = [0, *(b + 1 for b in bounds)]
    labels = [span.format(lo=a, hi=b) for a, b in zip(lo, bounds, strict=False)]
    return [*labels, over.format(hi=bounds[-1])] if bounds else labels


def _epoch_days(d: date | np.ndarray) -> np.ndarray:
    return np.asarray(np.datetime64(d, "D") if isinstance(d, date) else d, dtype="datetime64[D]").astype(np.int64)


def _receipts(wb: Workbook, val: Valuation, skus: pd.Index, undated: int) -> _Pieces:
    """Every receipt of the month and every opening line with a positive qty, as pieces (module docstring)."""
    ev = val.events
    kind = ev["kind"].to_numpy(dtype=object)
    qty = ev["qty"].to_numpy(dtype=np.float64).copy()
    is_p, is_sr = kind == "purchase", kind == "sales_return"
    is_gain = (kind == "count") & (ev["adj_qty"].to_numpy(dtype=np.float64) > 0)
    qty[is_gain] = ev["adj_qty"].to_numpy(dtype=np.float64)[is_gain]
    pr = kind == "purchase_return"
    if pr.any():  # a purchase line returned within the month: only what is left of it is on the shelf
        both = np.flatnonzero(is_p | pr)  # matched among purchases alone (the sales are most of the lines)
        orig = original_lines(ev.iloc[both].reset_index(drop=True))
        ret = pr[both] & (orig >= 0)
        np.subtract.at(qty, both[orig[ret]], qty[both[ret]])
    take = (is_p | is_sr | is_gain) & (qty > 0)
    ev_day = _epoch_days(ev["date"].to_numpy(dtype="datetime64[ns]")[take])
    lines = opening_lines(wb)
    lines = lines[lines["qty"].to_numpy(dtype=np.float64) > 0]
    dated = lines["receipt_date"].notna().to_numpy()
    month = _Pieces(
        skus.get_indexer(pd.Index(ev["sku"].to_numpy(dtype=object)[take])).astype(np.int64), qty[take], ev_day
    )
    lots = _Pieces(
        skus.get_indexer(pd.Index(lines["sku"].to_numpy(dtype=object)[dated])).astype(np.int64),
        lines["qty"].to_numpy(np.float64)[dated],
        _epoch_days(lines["receipt_date"].to_numpy(dtype="datetime64[ns]")[dated]),
    )
    older = _undated_opening(wb, lines[~dated], skus, undated)
    return _Pieces(*(np.concatenate([getattr(p, f) for p in (month, lots, older)]) for f in _Pieces._fields))


def _undated_opening(wb: Workbook, lines: pd.DataFrame, skus: pd.Index, undated: int) -> _Pieces:
    """Opening lines without a 入库日期, per SKU: last months' purchases that ``jxc close`` carried (tblCarried,
    what is left of each line to return), newest first; the rest dated ``undated``."""
    ns = len(skus)
    code = skus.get_indexer(pd.Index(lines["sku"].to_numpy(dtype=object)))
    want = np.bincount(code[code >= 0], weights=lines["qty"].to_numpy(np.float64)[code >= 0], minlength=ns)
    carried = carried_lines(wb)
    carried = carried[(carried["kind"] == "purchase") & carried["date"].notna() & (carried["qty"] > 0)]
    bought = _Pieces(
        skus.get_indexer(pd.Index(carried["sku"].to_numpy(dtype=object))).astype(np.int64),
        carried["qty"].to_numpy(np.float64),
        _epoch_days(carried["date"].to_numpy(dtype="datetime64[ns]")),
    )
    return _newest_first(bought, want, undated)


def _newest_first(p: _Pieces, closing_qty: np.ndarray, undated: int) -> _Pieces:
    """The closing quantity of each SKU taken from its newest pieces backwards (ties: the later piece first),
    plus a piece dated ``undated`` for any quantity beyond them all."""
    ok = p.code >= 0
    code, qty, day = p.code[ok], p.qty[ok], p.day[ok]
    seq = np.arange(len(code))
    order = np.lexsort((-seq, -day, code))
    code, qty, day = code[order], qty[order], day[order]
    cum = np.cumsum(qty)
    start = np.searchsorted(code, code, side="left")
    before = cum - qty - np.where(start > 0, cum[start - 1], 0.0)
    taken = np.clip(closing_qty[code] - before, 0.0, qty)
    keep = taken > QTY_EPS
    code, taken, day = code[keep], taken[keep], day[keep]
    got = np.bincount(code, weights=taken, minlength=len(closing_qty))
    short = np.flatnonzero(closing_qty - got > QTY_EPS)
    return _Pieces(
        np.concatenate([code, short]),
        np.concatenate([taken, closing_qty[short] - got[short]]),
        np.concatenate([day, np.full(len(short), undated, dtype=np.int64)]),
    )


def _allocate(code: np.ndarray, qty: np.ndarray, closing_cents: np.ndarray, closing_qty: np.ndarray) -> np.ndarray:
    """Each SKU's closing cents split over its pieces by cumulative quantity (ROUND_HALF_UP): they add up exactly.

    ``code`` must be sorted (a SKU's pieces together)."""
    cum = np.cumsum(qty)
    start = np.searchsorted(code, code, side="left")
    within = cum - np.where(start > 0, cum[start - 1], 0.0)
    last = np.r_[code[1:] != code[:-1], True] if len(code) else np.zeros(0, bool)
    share = np.where(last, 1.0, within / closing_qty[code])
    total = closing_cents[code].astype(np.float64)
    upto = np.floor(total * share + 0.5).astype(np.int64)
    upto[last] = closing_cents[code[last]]
    prev = np.r_[0, upto[:-1]] if len(upto) else upto
    return upto - np.where(start == np.arange(len(code)), 0, prev)


def _fifo_layers(val: Valuation, skus: pd.Index, undated: int) -> tuple[_Pieces, np.ndarray, np.ndarray]:
    """FIFO's closing layers as pieces with their cents (the residual on each SKU's newest layer), for the SKUs
    whose layers make up their closing quantity; and the mask of those SKUs."""
    st = val.stock
    closing_qty = st["closing_qty"].to_numpy(np.float64)
    closing_cents = st["closing_cents"].to_numpy(np.int64)
    lots = val.lots if val.lots is not None else pd.DataFrame(columns=["sku", "qty", "cents", "receipt_date"])
    code = skus.get_indexer(pd.Index(lots["sku"].to_numpy(dtype=object))).astype(np.int64)
    qty = lots["qty"].to_numpy(np.float64)
    cents = lots["cents"].to_numpy(np.int64)
    dates = lots["receipt_date"].to_numpy(dtype="datetime64[ns]")
    day = np.where(np.isnat(dates), undated, _epoch_days(dates))
    ns = len(skus)
    have = np.bincount(code, weights=qty, minlength=ns) if len(code) else np.zeros(ns)
    whole = (closing_qty > 0) & (np.abs(have - closing_qty) <= QTY_EPS * np.maximum(1.0, closing_qty))
    keep = whole[code] if len(code) else np.zeros(0, bool)
    code, qty, cents, day = code[keep], qty[keep], cents[keep].copy(), day[keep]
    newest = np.r_[code[1:] != code[:-1], True] if len(code) else np.zeros(0, bool)  # lots are oldest first
    resid = closing_cents - sum_cents(code, cents, ns)
    cents[newest] += resid[code[newest]]
    return _Pieces(code, qty, day), cents, whole


def _closing_pieces(wb: Workbook, val: Valuation) -> tuple[_Pieces, np.ndarray]:
    """The pieces the closing stock is made of (SKUs with stock on hand only) and their cents."""
    s = val.settings
    skus = pd.Index(val.stock["sku"].to_numpy(dtype=object))
    closing_qty = val.stock["closing_qty"].to_numpy(np.float64)
    closing_cents = val.stock["closing_cents"].to_numpy(np.int64)
    undated = int(_epoch_days(s.first_day - timedelta(days=1)))
    parts: list[tuple[_Pieces, np.ndarray]] = []
    rest = closing_qty > 0
    if val.method == "fifo" and val.lots is not None:
        layers, cents, whole = _fifo_layers(val, skus, undated)
        parts.append((layers, cents))
        rest &= ~whole
    if rest.any():
        want = np.where(rest, closing_qty, 0.0)
        p = _newest_first(_receipts(wb, val, skus, undated), want, undated)
        order = np.argsort(p.code, kind="stable")
        p = _Pieces(p.code[order], p.qty[order], p.day[order])
        parts.append((p, _allocate(p.code, p.qty, closing_cents, closing_qty)))
    if not parts:
        return _Pieces(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)), np.zeros(0, np.int64)
    pieces = _Pieces(*(np.concatenate([getattr(p, f) for p, _ in parts]) for f in _Pieces._fields))
    return pieces, np.concatenate([c for _, c in parts])


def ageing_pieces(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """What the closing stock is made of, by receipt (module docstring): sku, qty, cents, receipt_date
    (datetime64). Only SKUs with stock on hand; a SKU's cents add up to its closing amount."""
    p, cents = _closing_pieces(wb, val)
    skus = val.stock["sku"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "sku": pd.Series(skus[p.code], dtype=object),
            "qty": p.qty,
            "cents": cents,
            "receipt_date": p.day.astype("datetime64[D]").astype("datetime64[ns]"),
        }
    )


def stock_ageing(wb: Workbook, val: Valuation) -> Ageing:
    """The closing stock of ``val`` by age band, per SKU (module docstring).

    Args:
        wb: the workbook valued (its opening lines give the average methods' opening receipt dates).
        val: its valuation (``value_month``); its settings give the bands and stale_days.

    Returns:
        The Ageing of every SKU of ``val.stock``, in its order.
    """
    s = val.settings
    skus = pd.Index(val.stock["sku"].to_numpy(dtype=object))
    ns = len(skus)
    bounds = s.age_bounds
    p, cents = _closing_pieces(wb, val)
    code, qty = p.code, p.qty
    age = np.clip(_epoch_days(s.last_day) - p.day, 0, None)
    band = age_band(age.astype(np.float64), bounds)
    cell = code * MAX_AGE_BANDS + band
    band_cents = sum_cents(cell, cents, ns * MAX_AGE_BANDS).reshape(ns, MAX_AGE_BANDS)
    band_qty = np.bincount(cell, weights=qty, minlength=ns * MAX_AGE_BANDS).reshape(ns, MAX_AGE_BANDS)
    closing_qty = val.stock["closing_qty"].to_numpy(np.float64)
    none_on_hand = closing_qty <= 0
    band_cents[none_on_hand, 0] = val.stock["closing_cents"].to_numpy(np.int64)[none_on_hand]
    on_hand = np.bincount(code, weights=qty, minlength=ns)
    aged = np.bincount(code, weights=qty * age, minlength=ns)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(on_hand > 0, aged / np.where(on_hand > 0, on_hand, 1.0), np.nan)
    stale = sum_cents(code[age > s.stale_days], cents[age > s.stale_days], ns)
    return Ageing(skus, bounds, band_cents, band_qty, avg, stale)


def ageing_columns(age: Ageing) -> dict[str, np.ndarray]:
    """tblAnalysis' ageing columns (amounts as floats to the cent, bands past the setting's blank), in SKU order."""
    used = len(age.bounds) + 1
    cols: dict[str, np.ndarray] = {}
    for k in range(MAX_AGE_BANDS):
        amount = age.band_cents[:, k] / 100.0
        cols[f"age_band_{k + 1}"] = amount if k < used else np.full(len(amount), np.nan)
    cols["avg_age_days"] = np.round(age.avg_age_days, 1)
    cols["stale_amount"] = age.stale_cents / 100.0
    return cols
