"""Per-event costing: moving average (here) and FIFO (``core.fifo``) walk each SKU's events in event order.

A receipt that ends negative stock (the quantity before it < 0, after it ≥ 0), or a value left at quantity 0
(``ends_deficit``), leaves what is then on hand at its own unit cost and books the rest as the event's cost
adjustment (``settle_deficit``; per SKU in ``Costed.cost_adj``); the rule is the valuation's (negative stock).

Other movements (tblOther, issue 12.3) are costed as the count differences are: an other issue (报损, 领用,
赠送, 样品 …) leaves as a sale does (moving average: at the current unit cost, all the value left when it takes
the last units; FIFO: from the oldest layers), an other receipt comes in at the current unit cost (moving
average: the running unit cost, which it leaves unchanged; FIFO: value / qty on hand, else the last unit cost,
as a new layer). No price is typed on them: one rule for every receipt that is not a purchase — a gift received
at a known value is a purchase at that price — so an other movement never moves the average cost.

The rules are the valuation's (``jxc_xl.core.valuation``, module docstring); this module holds the state
they run on. The loops run over plain Python lists and locals, once per ledger line (500,000 on a big month):
per-element numpy access, or attribute access in the common case, would cost more than the work.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import NamedTuple

import numpy as np

from jxc_xl.core.ledger import KIND_ORDER
from jxc_xl.core.money import cents_of, sum_cents

P, SR, PR, S, C = (KIND_ORDER[k] for k in ("purchase", "sales_return", "purchase_return", "sale", "count"))
OI, OO = KIND_ORDER["other_in"], KIND_ORDER["other_out"]  # other receipts and issues (tblOther), at current cost
TO, TI = KIND_ORDER["transfer_out"], KIND_ORDER["transfer_in"]  # issue 12.2: a transfer's out, then its in
QTY_DECIMALS = 9  # quantities are rounded here to stop float drift (0.1 + 0.2) from leaking into results


class Events(NamedTuple):
    """The event columns the methods read, as arrays aligned with ``ledger_events(wb)``."""

    kind: np.ndarray  # int64: KIND_ORDER of the kind
    qty: np.ndarray  # float64, positive (a count's counted qty)
    amt: np.ndarray  # int64 cents booked
    price: np.ndarray  # float64 unit price of the line (amount / qty where the price is blank)
    orig: np.ndarray  # int64 position of a return's original line; FIFO: opening lot k as −2 − k; else −1
    codes: np.ndarray  # int64 position of the event's SKU in the SKU index
    orig_price: np.ndarray | None = None  # float64: a return's carried original unit cost (tblCarried), else NaN
    day: np.ndarray | None = None  # int64 date (ns) of each event: FIFO with transfers orders layers by receipt date


# One lot: (qty, cents, source). Source: the event that received it (≥ 0), opening lot k as −2 − k, else −1.
Lot = tuple[float, int, int]


class Opening(NamedTuple):
    """Per SKU (SKU index order): what the month starts from."""

    qty: np.ndarray  # float64
    cents: np.ndarray  # int64
    unit_cost: np.ndarray  # float64 starting unit cost, NaN where none is known (module docstring)
    lots: list[list[Lot]] | None = None  # FIFO: per SKU its opening lots, oldest first (``core.lots.opening_lots``)
    lot_dates: np.ndarray | None = None  # datetime64 receipt date of opening lot k (NaT where none)
    lot_docs: np.ndarray | None = None  # object: receipt document of opening lot k (None where none)


class Costed(NamedTuple):
    """What a method returns: per event its cost and count difference, per SKU the closing unit cost."""

    cost: np.ndarray  # int64 cents per event (see Valuation.events)
    adj: np.ndarray  # float64 count difference per event, else 0
    closing_uc: np.ndarray  # float64 per SKU
    lots: list[list[Lot]] | None = None  # FIFO: per SKU the layers left at the end, oldest first
    cost_adj: np.ndarray | None = None  # int64 cents per SKU booked as 成本调整 in the month (``settle_deficit``)


class _Lists(NamedTuple):
    """Events as plain Python lists: the per-event loops index them (numpy element access costs more)."""

    kind: list[int]
    qty: list[float]
    amt: list[int]
    price: list[float]
    orig: list[int]
    orig_price: list[float]  # a return's carried original unit cost, NaN where none
    day: list[int]  # FIFO with transfers: each event's date (ns), else empty (``_Layers.transfer_in``)
    lot_day: list[int]  # FIFO with transfers: each opening lot's receipt date (ns, NaT the smallest), else empty


class _Out(NamedTuple):
    """Per-event outputs the loops fill in place."""

    cost: list[int]
    adj: list[float]
    issue_uc: list[float]  # unit cost at which a sale line was issued (NaN before, or for other kinds)
    lots: list[list[Lot]]  # FIFO appends each SKU's remaining layers (in SKU order); others leave it empty
    moved: dict[int, list[Lot]]  # FIFO: the layers a transfer out took (by its event), for its transfer in
    settled: dict[int, int]  # cost adjustment (cents) booked by a receipt that ends negative stock, by its event


# One SKU's loop: (its event positions, events, outputs, opening qty, cents, unit cost, whole, opening lots) →
# closing unit cost. A generator (issue 12.2): with warehouses each SKU is a (warehouse, SKU) key, and a key's
# transfer in needs what left the source key, a sales return the cost of a sale in another warehouse; where that
# event (at an earlier position) is not costed yet, the loop yields its position and ``per_sku`` resumes it later.
# Inside the loops the running state is kept in locals, named as in the valuation rules: q quantity on hand,
# v value on hand in cents, uc / last_uc unit cost; per event k kind, x quantity, a cents booked, o original line.
_SkuLoop = Callable[[list[int], _Lists, _Out, float, int, float, bool, list[Lot] | None], Generator[int, None, float]]


def per_sku(ev: Events, start: Opening, whole: bool, sku_loop: _SkuLoop) -> Costed:
    """Run ``sku_loop`` over each SKU's events (event order kept within a SKU); collect the outputs.

    ``whole``: every quantity is an integer, so the loops skip rounding against float drift.
    """
    n, ns = len(ev.kind), len(start.qty)
    carried = ev.orig_price.tolist() if ev.orig_price is not None else [float("nan")] * n
    day = ev.day.tolist() if ev.day is not None else []
    lot_day = start.lot_dates.astype(np.int64).tolist() if ev.day is not None and start.lot_dates is not None else []
    lists = _Lists(
        ev.kind.tolist(), ev.qty.tolist(), ev.amt.tolist(), ev.price.tolist(), ev.orig.tolist(), carried, day, lot_day
    )
    out = _Out([0] * n, [0.0] * n, [float("nan")] * n, [], {}, {})
    order = np.argsort(ev.codes, kind="stable")
    bounds = np.searchsorted(ev.codes[order], np.arange(ns + 1)).tolist()
    order_l = order.tolist()
    oq, ov, uc0 = start.qty.tolist(), start.cents.tolist(), np.nan_to_num(start.unit_cost).tolist()
    lots: list[list[Lot] | None] = list(start.lots) if start.lots is not None else [None] * ns
    closing_uc = [0.0] * ns
    finished: list[int] = []  # keys in the order their loops ended (FIFO appends their layers in that order)
    waiting: list[tuple[int, Generator[int, None, float], int]] = []
    for s in range(ns):
        loop = sku_loop(order_l[bounds[s] : bounds[s + 1]], lists, out, oq[s], ov[s], uc0[s], whole, lots[s])
        try:
            waiting.append((s, loop, next(loop)))
        except StopIteration as done:
            closing_uc[s] = done.value
            finished.append(s)
    while waiting:  # only with transfers: each round resumes every waiting key, at least one moves on
        still = []
        for s, loop, _need in waiting:
            try:
                still.append((s, loop, next(loop)))
            except StopIteration as done:
                closing_uc[s] = done.value
                finished.append(s)
        if [w[2] for w in still] == [w[2] for w in waiting]:
            raise RuntimeError("costing: keys wait on each other")  # cannot happen: waits are on earlier events
        waiting = still
    layers_out: list[list[Lot]] | None = None
    if len(out.lots) == ns:
        layers_out = [[] for _ in range(ns)]
        for j, s in enumerate(finished):
            layers_out[s] = out.lots[j]
    cost_adj = None
    if out.settled:  # only after negative stock: per SKU, the adjustments its receipts booked
        at = np.fromiter(out.settled.keys(), dtype=np.int64, count=len(out.settled))
        cents = np.fromiter(out.settled.values(), dtype=np.int64, count=len(out.settled))
        cost_adj = sum_cents(ev.codes[at], cents, ns)
    return Costed(
        np.array(out.cost, dtype=np.int64),
        np.array(out.adj, dtype=np.float64),
        np.array(closing_uc, dtype=np.float64),
        layers_out,
        cost_adj,
    )


def settle_deficit(x: float, a: int, nq: float) -> int:
    """The value on hand after a receipt of ``x`` at ``a`` cents that ends a deficit (``ends_deficit``; ``nq`` on
    hand after it): those units at the receipt's unit cost. The caller books what the book held beyond that as the
    cost adjustment."""
    return cents_of(nq * (a / x / 100.0)) if nq > 0 else 0


def ends_deficit(q: float, v: int, nq: float) -> bool:
    """A receipt taking the quantity from ``q`` to ``nq`` ends a deficit: negative stock, or a value left at quantity 0
    (a purchase return at the original price can leave one); what it leaves on hand is at its own cost."""
    return q < 0 <= nq or (q == 0 and v != 0 and nq > 0)


def _ended(i: int, v: int, x: float, a: int, nq: float, settled: dict[int, int]) -> int:
    """The value after receipt ``i`` that ends negative stock (``settle_deficit``); the difference is booked."""
    w = settle_deficit(x, a, nq)
    settled[i] = w - v - a
    return w


def _average_in(
    i: int, q: float, v: int, uc: float, x: float, a: int, u: float, whole: bool, settled: dict[int, int]
) -> tuple[float, int, float]:
    """Receipt ``i`` of ``x`` at ``a`` cents (unit cost ``u``) into moving-average stock of ``q`` at ``v`` cents and
    unit cost ``uc``: the new quantity, value and unit cost. One that ends a deficit (negative stock, or a value at
    quantity 0: ``ends_deficit``) leaves what is on hand at its own cost, the rest booked (``_ended``)."""
    nq = q + x if whole else round(q + x, QTY_DECIMALS)
    if ends_deficit(q, v, nq):
        v, uc = _ended(i, v, x, a, nq, settled), u
    else:
        v += a
    return nq, v, (v / nq / 100.0 if nq > 0 else uc)


def _issued(q: float, v: int, x: float, uc: float) -> int:
    """The cents an issue of ``x`` takes at unit cost ``uc`` from ``q`` on hand worth ``v``: all that is left when it
    takes the last units (0 ≤ q ≤ x); else ``x`` at ``uc``, but never more than the value on hand while units stay
    (rounding each line up from a unit cost below a cent would leave them at a negative value)."""
    if 0 <= q <= x:
        return v + cents_of((x - q) * uc)
    a = cents_of(x * uc)
    return min(a, max(v, 0)) if q > x else a


def moving_average_sku(
    idx: list[int], ev: _Lists, out: _Out, q: float, v: int, uc: float, whole: bool, lots: list[Lot] | None
) -> Generator[int, None, float]:
    """Moving average over one SKU's events (positions ``idx``); fills ``out``, returns the closing unit cost.

    Opening ``lots`` are merged into ``q``/``v`` (one average): unused here."""
    kind_l, qty_l, amt_l, price_l, orig_l, carried_l, _, _ = ev
    cost, adj, issue_uc, _, _, settled = out
    for i in idx:
        k = kind_l[i]
        x = qty_l[i]
        if k == P:
            a = amt_l[i]
            q, v, uc = _average_in(i, q, v, uc, x, a, a / x / 100.0, whole, settled)
        elif k == S:
            a = _issued(q, v, x, uc)
            issue_uc[i] = uc
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == SR:
            o, cp = orig_l[i], carried_l[i]
            while 0 <= o < i and issue_uc[o] != issue_uc[o]:  # a sale of another warehouse, not costed yet
                yield o
            u = issue_uc[o] if o >= 0 and issue_uc[o] == issue_uc[o] else (cp if cp == cp else uc)
            a = cents_of(x * u)
            q, v, uc = _average_in(i, q, v, uc, x, a, u, whole, settled)
        elif k == PR:
            o, cp = orig_l[i], carried_l[i]
            if o >= 0:
                a = cents_of(x * price_l[o])
            elif cp == cp:  # last months' purchase, carried: at its price
                a = cents_of(x * cp)
            else:
                a = _issued(q, v, x, uc)
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
            if q > 0 and v < 0:  # the original price took more than the stock held: on hand kept at its cost
                settled[i] = cents_of(q * uc) - v
                v += settled[i]
            if q > 0:
                uc = v / q / 100.0
        elif k == OO:  # other issue: as a sale, at the current unit cost
            a = _issued(q, v, x, uc)
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == OI:  # other receipt: at the current unit cost, which it leaves as it is
            a = cents_of(x * uc)
            nq = q + x if whole else round(q + x, QTY_DECIMALS)
            v = _ended(i, v, x, a, nq, settled) if ends_deficit(q, v, nq) and x > 0 else v + a
            q = nq
        elif k == TO:  # transfer out: issued at the current unit cost, as a sale
            a = _issued(q, v, x, uc)
            issue_uc[i] = uc
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == TI:  # transfer in: exactly what left the source (the event before)
            while issue_uc[i - 1] != issue_uc[i - 1]:
                yield i - 1
            a = cost[i - 1]
            q, v, uc = _average_in(i, q, v, uc, x, a, a / x / 100.0, whole, settled)
        else:  # count: x is the counted qty at the end of the date
            d = round(x - q, QTY_DECIMALS)
            if x == 0:
                a = -v
            elif d >= 0:
                a = cents_of(d * uc)
            else:
                a = -cents_of(-d * uc)
            adj[i] = d
            v = _ended(i, v, d, a, x, settled) if ends_deficit(q, v, x) else v + a  # a surplus ending a deficit
            q = x
        cost[i] = a
    return v / q / 100.0 if q > 0 else uc
