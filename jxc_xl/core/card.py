"""Stock card (明细账): every movement of the month per SKU in event order, with the running balance.

Built from the month's valuation: each event carries the cost the valuation booked for it, so the card shows
exactly what 库存 sums and each SKU's last line equals its closing quantity and amount to the cent.

* Per SKU (in 库存's order): one 期初 line (date = the month's first day; the opening balance), then the
  SKU's events in event order. SKUs with no opening and no movement have no card.
* Receipts: 采购入库 (purchase, at its booked amount), 销售退回 (sales return, at its issue cost), 盘盈
  (count above the book). Issues: 销售出库 (sale, at its cost), 采购退货 (purchase return, at the cost it
  left with), 盘亏 (count below the book, or a count to 0 writing off a value left at quantity 0). A count that
  finds the book quantity and moves no value is a line 盘点无差异 with no quantity.
* Other movements (tblOther): 其他入库 among the receipts, 其他出库 among the issues, each at the cost the
  valuation booked and with its reason beside the kind, e.g. 其他出库（报损） / Other issue (Damage/loss).
* Counterparty: a purchase's supplier, a sale's customer; a return's is its original line's: this month's
  line, or for a return of an earlier month's document tblCarried's 往来单位 (what ``jxc close`` carried of
  the original line; blank in a tblCarried older than the column). A return whose original is in neither has
  none (a 退货 line names no party of its own).
* Balance: running quantity and amount (int cents, exact); unit cost = balance amount / balance quantity
  where the quantity is above 0, else blank.
* 成本调整 (cost adjustment, dated the month's last day): what 库存's closing amount holds beyond the sum of
  the events' costs — under the month-end average the rounding residual of a SKU without a sale line to
  carry it, and the value left at a closing quantity of 0, which the valuation takes off at month end (库存's
  成本调整). No quantity; a value added is a receipt amount, a value taken off an issue amount, so the last
  line ties.
* Length: beyond the setting card_max_lines lines the sync table holds one note instead (``card_table``);
  one SKU's card (``card_lines`` with ``skus``, what ``jxc card`` prints) is always whole.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.carried import carried_lines, carried_originals
from jxc_xl.core.costing import QTY_DECIMALS
from jxc_xl.core.ledger import line_parties, original_lines
from jxc_xl.core.messages import phrase, word
from jxc_xl.core.money import from_cents, sum_cents
from jxc_xl.core.other import other_reasons, reason_label
from jxc_xl.core.plan import item_frame
from jxc_xl.core.valuation import Valuation
from jxc_xl.schema import CARD, CARD_KINDS, SETTINGS_BY_KEY, TRANSFERS, Lang

_IN_KINDS = ("purchase", "sales_return", "other_in", "transfer_in")
_OUT_KINDS = ("sale", "purchase_return", "other_out", "transfer_out")


class _Lines(NamedTuple):
    """Card lines before ordering: parallel arrays, one element per line."""

    code: np.ndarray  # int64 position of the SKU in val.stock
    seq: np.ndarray  # int64 order within the SKU: −1 opening, event position, n adjustment
    kind: np.ndarray  # object: CARD_KINDS key
    event: np.ndarray  # int64 event position, −1 for opening and adjustment lines
    in_qty: np.ndarray  # float64, NaN where not a receipt
    in_cents: np.ndarray  # int64 (0 where not a receipt)
    out_qty: np.ndarray
    out_cents: np.ndarray
    d_qty: np.ndarray  # float64 change of the balance quantity (opening: the balance itself)
    d_cents: np.ndarray  # int64 change of the balance amount


def _is(kind: np.ndarray, kinds: tuple[str, ...]) -> np.ndarray:
    return np.isin(kind, kinds)


def _event_lines(val: Valuation, codes: np.ndarray) -> _Lines:
    """One line per event: its kind in the card's words, receipt or issue, and its change of the balance."""
    ev = val.events
    n = len(ev)
    kind = ev["kind"].to_numpy(dtype=object)
    qty = ev["qty"].to_numpy(dtype=np.float64)
    cost = ev["cost_cents"].to_numpy(dtype=np.int64)
    adj = ev["adj_qty"].to_numpy(dtype=np.float64)
    is_in, is_out, is_c = _is(kind, _IN_KINDS), _is(kind, _OUT_KINDS), kind == "count"
    gain = is_c & ((adj > 0) | ((adj == 0) & (cost > 0)))
    loss = is_c & ((adj < 0) | ((adj == 0) & (cost < 0)))
    card_kind = kind.copy()
    card_kind[gain], card_kind[loss] = "count_gain", "count_loss"
    in_qty = np.where(is_in, qty, np.where(gain, adj, np.nan))
    out_qty = np.where(is_out, qty, np.where(loss, -adj, np.nan))
    in_cents = np.where(is_in | gain, cost, 0)
    out_cents = np.where(is_out, cost, np.where(loss, -cost, 0))
    d_qty = np.where(is_in, qty, 0.0) - np.where(is_out, qty, 0.0) + np.where(is_c, adj, 0.0)
    pos = np.arange(n, dtype=np.int64)
    return _Lines(codes, pos, card_kind, pos, in_qty, in_cents, out_qty, out_cents, d_qty, in_cents - out_cents)


def _edge_lines(val: Valuation, codes: np.ndarray) -> tuple[_Lines, _Lines]:
    """The opening line of every SKU that has a card, and the cost-adjustment line of those that need one."""
    st = val.stock
    ns, n = len(st), len(codes)
    oq = st["opening_qty"].to_numpy(dtype=np.float64)
    ov = st["opening_cents"].to_numpy(dtype=np.int64)
    moved = np.zeros(ns, dtype=bool)
    moved[codes] = True
    has = np.flatnonzero(moved | (oq != 0) | (ov != 0))
    k = len(has)
    nan, zero = np.full(k, np.nan), np.zeros(k, dtype=np.int64)
    opening = _Lines(
        has, np.full(k, -1), np.full(k, "opening", dtype=object), np.full(k, -1), nan, zero, nan, zero, oq[has], ov[has]
    )
    booked = ov + sum_cents(codes, _event_lines_cents(val), ns)
    resid = st["closing_cents"].to_numpy(dtype=np.int64) - booked
    r = np.flatnonzero(resid != 0)
    m, nan_m = len(r), np.full(len(r), np.nan)
    gain, loss = np.maximum(resid[r], 0), np.maximum(-resid[r], 0)
    adjust = _Lines(
        r, np.full(m, n), np.full(m, "cost_adjustment", dtype=object), np.full(m, -1), nan_m, gain, nan_m, loss,
        np.zeros(m), resid[r],
    )  # fmt: skip
    return opening, adjust


def _event_lines_cents(val: Valuation) -> np.ndarray:
    """Each event's change of the book value in cents (receipts +, issues −, counts as booked)."""
    kind = val.events["kind"].to_numpy(dtype=object)
    cost = val.events["cost_cents"].to_numpy(dtype=np.int64)
    sign = np.where(_is(kind, _OUT_KINDS), -1, 1)
    return cost * sign


def _sku_codes(val: Valuation) -> np.ndarray:
    skus = pd.Index(val.stock["sku"].to_numpy(dtype=object))
    return skus.get_indexer(pd.Index(val.events["sku"].to_numpy(dtype=object))).astype(np.int64)


def line_count(val: Valuation) -> int:
    """How many lines the whole card has (opening, movement and adjustment lines), without building it."""
    codes = _sku_codes(val)
    opening, adjust = _edge_lines(val, codes)
    return len(opening.code) + len(codes) + len(adjust.code)


def _counterparties(wb: Workbook, val: Valuation) -> np.ndarray:
    """Each event's supplier or customer; a return's is its original line's (this month's, else tblCarried's)."""
    ev = val.events
    out = line_parties(wb, ev)
    orig = original_lines(ev)
    ret = orig >= 0
    out[ret] = out[orig[ret]]
    carried = carried_lines(wb)
    at = carried_originals(carried, ev, orig)
    earlier = at >= 0
    out[earlier] = carried["counterparty"].to_numpy(dtype=object)[at[earlier]]
    table = ev["table"].to_numpy(dtype=object)
    moved = np.flatnonzero(table == TRANSFERS.name)  # a transfer's counterparty: the other warehouse
    if len(moved):
        wh = ev["warehouse"].to_numpy(dtype=object)
        partner = np.where(ev["kind"].to_numpy(dtype=object)[moved] == "transfer_out", moved + 1, moved - 1)
        out[moved] = wh[partner]  # (indexing after choosing: a transfer in may be the last event)
    return np.array([None if v is None or v != v else v for v in out], dtype=object) if len(out) else out


def _concat(parts: tuple[_Lines, ...], keep: np.ndarray | None) -> _Lines:
    """The parts as one set of lines, ordered by SKU then position (only SKU codes in ``keep`` if given)."""
    cat = _Lines(*(np.concatenate([getattr(p, f) for p in parts]) for f in _Lines._fields))
    order = np.lexsort((cat.seq, cat.code))
    if keep is not None:
        order = order[np.isin(cat.code[order], keep)]
    return _Lines(*(a[order] for a in cat))


def card_lines(wb: Workbook, val: Valuation, lang: Lang, skus: list[str] | None = None) -> pd.DataFrame:
    """The stock card as a tblCard frame (schema keys; money as floats to the cent, blanks NaN/None).

    Args:
        wb: the workbook valued (item names, counterparties).
        val: its valuation (``value_month``).
        lang: language of the kind column.
        skus: only these SKUs' cards (in 库存's order); default every SKU's.

    Returns:
        One row per line, every SKU's lines together in event order (see the module docstring).
    """
    st = val.stock
    codes = _sku_codes(val)
    keep = None
    if skus is not None:
        keep = pd.Index(st["sku"].to_numpy(dtype=object)).get_indexer(pd.Index(skus, dtype=object))
        keep = keep[keep >= 0]
    opening, adjust = _edge_lines(val, codes)
    lines = _concat((opening, _event_lines(val, codes), adjust), keep)
    ev, s = val.events, val.settings
    ev_pos = lines.event
    has_ev = ev_pos >= 0
    at = np.where(has_ev, ev_pos, 0)

    def from_events(values: np.ndarray, blank: object) -> np.ndarray:
        out = np.full(len(at), blank, dtype=values.dtype if blank is not None else object)
        out[has_ev] = values[at[has_ev]] if len(values) else out[has_ev]
        return out

    first, last = np.datetime64(s.first_day, "ns"), np.datetime64(s.last_day, "ns")
    date = from_events(ev["date"].to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    date[lines.kind == "opening"], date[lines.kind == "cost_adjustment"] = first, last
    parties = _counterparties(wb, val) if has_ev.any() else np.array([], dtype=object)
    group = pd.Series(lines.code)
    bal_q = np.round(pd.Series(lines.d_qty).groupby(group).cumsum().to_numpy(dtype=np.float64), QTY_DECIMALS)
    bal_c = pd.Series(lines.d_cents).groupby(group).cumsum().to_numpy(dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(bal_q > 0, bal_c / 100.0 / bal_q, np.nan)
    sku = st["sku"].to_numpy(dtype=object)[lines.code]
    names = item_frame(wb, pd.Index(st["sku"].to_numpy(dtype=object)))["name"].to_numpy(dtype=object)[lines.code]
    labels = {k: c.label(lang) for k, c in CARD_KINDS.items()}
    kinds = np.array([labels.get(k, k) for k in lines.kind], dtype=object)
    if has_ev.any():  # other movements: the kind with its reason
        reasons = from_events(other_reasons(wb, ev, lang), None)
        with_reason = pd.notna(reasons)
        kinds[with_reason] = [
            reason_label(k, r, lang) for k, r in zip(kinds[with_reason], reasons[with_reason], strict=True)
        ]
    adjusts = lines.kind == "cost_adjustment"
    shows_in = ~np.isnan(lines.in_qty) | (adjusts & (lines.in_cents != 0))
    shows_out = ~np.isnan(lines.out_qty) | (adjusts & (lines.out_cents != 0))
    out = pd.DataFrame(
        {
            "sku": sku,
            "name": names,
            "date": date,
            "doc_no": from_events(ev["doc_no"].to_numpy(dtype=object), None),
            "kind": _at_warehouse(val, lines, kinds, lang),
            "counterparty": from_events(parties, None),
            "in_qty": lines.in_qty,
            "in_amount": np.where(shows_in, from_cents(lines.in_cents), np.nan),
            "out_qty": lines.out_qty,
            "out_amount": np.where(shows_out, from_cents(lines.out_cents), np.nan),
            "balance_qty": bal_q,
            "unit_cost": unit,
            "balance_amount": from_cents(bal_c),
        }
    )
    return out[CARD.keys()]


def _at_warehouse(val: Valuation, lines: _Lines, kinds: np.ndarray, lang: Lang) -> np.ndarray:
    """The 摘要 of each line (``kinds``); with warehouses (issue 12.2) a movement's warehouse beside its kind."""
    if val.by_warehouse is None:
        return kinds
    wh = val.events["warehouse"].to_numpy(dtype=object)
    at = np.flatnonzero(lines.event >= 0)
    named = [(j, wh[lines.event[j]]) for j in at.tolist() if isinstance(wh[lines.event[j]], str)]
    for j, w in named:
        kinds[j] = word("card_kind_at", lang).format(kind=kinds[j], warehouse=w)
    return kinds


def card_table(wb: Workbook, val: Valuation, lang: Lang) -> pd.DataFrame:
    """tblCard as sync writes it: the whole card, or one note line when it is longer than card_max_lines.

    Args:
        wb: the workbook valued.
        val: its valuation.
        lang: language of the kind column and the note.

    Returns:
        The tblCard frame (schema keys).
    """
    limit = int(val.settings.card_max_lines)
    count = line_count(val)
    if count <= limit:
        return card_lines(wb, val, lang)
    setting = SETTINGS_BY_KEY["card_max_lines"].label(lang)
    note = phrase("card_too_long", lang, lines=f"{count:,}", limit=f"{limit:,}", setting=setting)
    row = dict.fromkeys(CARD.keys()) | {"name": note}
    return pd.DataFrame([row], columns=CARD.keys())


def card_tables(wb: Workbook, val: Valuation, lang: Lang) -> dict[str, pd.DataFrame]:
    """``{"tblCard": card_table(...)}``: what ``core.generate`` adds to the generated tables."""
    return {CARD.name: card_table(wb, val, lang)}
