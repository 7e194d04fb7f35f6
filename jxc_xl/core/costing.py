"""Per-event costing: moving average and FIFO walk each SKU's events in event order.

A receipt that ends negative stock (the quantity before it < 0, after it ≥ 0) leaves what is then on hand at
its own unit cost and books the rest as the event's cost adjustment (``settle_deficit``; per SKU in
``Costed.cost_adj``); the rule is the valuation's (negative stock).

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
    day: list[int]  # FIFO with transfers: each event's date (ns), else empty (``_Layers.receive_dated``)
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


def settle_deficit(q: float, v: int, x: float, a: int, nq: float) -> int:
    """The value on hand after a receipt of ``x`` at ``a`` cents that ends negative stock (``q`` < 0 before, ``nq``
    ≥ 0 after, ``v`` the value before): the ``nq`` units on hand at the receipt's unit cost. The caller books
    what the book held beyond that (``v + a`` − it) as the cost adjustment."""
    return cents_of(nq * (a / x / 100.0)) if nq > 0 else 0


def _ended(i: int, q: float, v: int, x: float, a: int, nq: float, settled: dict[int, int]) -> int:
    """The value after receipt ``i`` that ends negative stock (``settle_deficit``); the difference is booked."""
    w = settle_deficit(q, v, x, a, nq)
    settled[i] = w - v - a
    return w


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
            nq = q + x if whole else round(q + x, QTY_DECIMALS)
            if q < 0 <= nq:  # negative stock ends: what is on hand at this receipt's cost (module docstring)
                v, uc = _ended(i, q, v, x, a, nq, settled), a / x / 100.0
            else:
                v += a
            q = nq
            if q > 0:
                uc = v / q / 100.0
        elif k == S:
            a = v + cents_of((x - q) * uc) if 0 <= q <= x else cents_of(x * uc)
            issue_uc[i] = uc
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == SR:
            o, cp = orig_l[i], carried_l[i]
            while 0 <= o < i and issue_uc[o] != issue_uc[o]:  # a sale of another warehouse, not costed yet
                yield o
            u = issue_uc[o] if o >= 0 and issue_uc[o] == issue_uc[o] else (cp if cp == cp else uc)
            a = cents_of(x * u)
            nq = q + x if whole else round(q + x, QTY_DECIMALS)
            if q < 0 <= nq:
                v, uc = _ended(i, q, v, x, a, nq, settled), u
            else:
                v += a
            q = nq
            if q > 0:
                uc = v / q / 100.0
        elif k == PR:
            o, cp = orig_l[i], carried_l[i]
            if o >= 0:
                a = cents_of(x * price_l[o])
            elif cp == cp:  # last months' purchase, carried: at its price
                a = cents_of(x * cp)
            else:
                a = v + cents_of((x - q) * uc) if 0 <= q <= x else cents_of(x * uc)
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
            if q > 0:
                uc = v / q / 100.0
        elif k == OO:  # other issue: as a sale, at the current unit cost
            a = v + cents_of((x - q) * uc) if 0 <= q <= x else cents_of(x * uc)
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == OI:  # other receipt: at the current unit cost, which it leaves as it is
            a = cents_of(x * uc)
            nq = q + x if whole else round(q + x, QTY_DECIMALS)
            v = _ended(i, q, v, x, a, nq, settled) if q < 0 <= nq and x > 0 else v + a
            q = nq
        elif k == TO:  # transfer out: issued at the current unit cost, as a sale
            a = v + cents_of((x - q) * uc) if 0 <= q <= x else cents_of(x * uc)
            issue_uc[i] = uc
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == TI:  # transfer in: exactly what left the source (the event before)
            while issue_uc[i - 1] != issue_uc[i - 1]:
                yield i - 1
            a = cost[i - 1]
            nq = q + x if whole else round(q + x, QTY_DECIMALS)
            if q < 0 <= nq:
                v, uc = _ended(i, q, v, x, a, nq, settled), a / x / 100.0
            else:
                v += a
            q = nq
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
            v = _ended(i, q, v, d, a, x, settled) if q < 0 < x else v + a  # a surplus ending negative stock
            q = x
        cost[i] = a
    return v / q / 100.0 if q > 0 else uc


_NAT = int(np.datetime64("NaT", "ns").astype(np.int64))  # the smallest int64: an undated layer sorts first


def _receipt_day(source: int, day: list[int], lot_day: list[int]) -> int:
    """A layer's receipt date (ns) by its source: its event's date, an opening lot's own; undated the oldest."""
    if source >= 0:
        return day[source]
    return lot_day[-2 - source] if source <= -2 and lot_day else _NAT


def _moved_pieces(pieces: list[Lot], x: float, a: int, arrival: int) -> list[Lot]:
    """What a transfer out of ``x`` at ``a`` cents hands its transfer in: the layer pieces ``take`` recorded, and
    any part beyond them (negative stock at the source) as a piece received by the transfer in (``arrival``,
    dated the transfer date); a value without quantity goes with the last piece, so the pieces add up to ``a``."""
    rest_q = round(x - sum(p[0] for p in pieces), QTY_DECIMALS)
    rest_c = a - sum(p[1] for p in pieces)
    if rest_q > 0:
        pieces.append((rest_q, rest_c, arrival))
    elif rest_c:
        px, pa, po = pieces[-1]
        pieces[-1] = (px, pa + rest_c, po)
    return pieces


class _Layers:
    """One SKU's FIFO layers.

    Positive layers (qty, value, unit cost, source line) from ``head`` on; a non-positive balance (negative
    stock, or qty 0 with a value left) lives in ``tail_qty``/``tail_value`` only while no positive layer is left.
    ``booked``: the cost adjustment of a receipt that ended negative stock (``settle_deficit``), until the loop
    takes it.
    """

    __slots__ = ("booked", "head", "qty", "source", "tail_qty", "tail_value", "unit_cost", "value", "whole")

    def __init__(self, q: float, v: int, whole: bool, lots: list[Lot] | None) -> None:
        self.qty: list[float] = []
        self.value: list[int] = []
        self.unit_cost: list[float] = []
        self.source: list[int] = []  # the event a layer was received by, an opening lot (≤ −2), −1 for others
        self.head = 0
        self.tail_qty, self.tail_value = 0.0, 0
        self.booked = 0
        self.whole = whole
        if lots is not None and len(lots) > 1 and all(x > 0 for x, _, _ in lots):
            for x, a, o in lots:  # several opening lots, oldest first: each a layer at its own amount / qty
                self._push(x, a, a / x / 100.0, o)
        elif q > 0:
            self._push(q, v, v / q / 100.0, lots[0][2] if lots is not None and len(lots) == 1 else -1)
        else:
            self.tail_qty, self.tail_value = q, v

    def remaining(self) -> list[Lot]:
        """The layers left (qty > 0), oldest first; a non-positive balance is no layer (one opening row)."""
        lq, lv, src = self.qty, self.value, self.source
        return [(lq[m], lv[m], src[m]) for m in range(self.head, len(lq)) if lq[m] > 0]

    def _push(self, x: float, a: int, u: float, source: int) -> None:
        self.qty.append(x)
        self.value.append(a)
        self.unit_cost.append(u)
        self.source.append(source)

    def receive(self, x: float, a: int, u: float, source: int) -> None:
        """A receipt of ``x`` at ``a`` cents; merged into a non-positive balance if there is one, except that one
        ending negative stock leaves what is on hand at its own cost (``settle_deficit``, the rest ``booked``)."""
        if self.tail_qty != 0 or self.tail_value != 0:
            tq = self.tail_qty
            nq, nv = round(tq + x, QTY_DECIMALS), self.tail_value + a
            if tq < 0 <= nq:
                w = settle_deficit(tq, self.tail_value, x, a, nq)
                self.booked += w - nv
                if nq > 0:
                    self._push(nq, w, w / nq / 100.0, source)
                self.tail_qty, self.tail_value = 0.0, 0
            elif nq > 0:
                self._push(nq, nv, nv / nq / 100.0, source)
                self.tail_qty, self.tail_value = 0.0, 0
            else:
                self.tail_qty, self.tail_value = nq, nv
        else:
            self._push(x, a, u, source)

    def transfer_out(self, x: float, last_uc: float, i: int, moved: dict[int, list[Lot]]) -> int:
        """Transfer out ``x`` (event ``i``): its cents, as ``take``; ``moved[i]``: the pieces its transfer in (the
        next event) receives (``_moved_pieces``)."""
        pieces: list[Lot] = []
        a = self.take(x, last_uc, pieces)
        moved[i] = _moved_pieces(pieces, x, a, i + 1)
        return a

    def transfer_in(self, pieces: list[Lot], day: list[int], lot_day: list[int]) -> None:
        """The layers a transfer out took, each at its own amount and source: placed after every layer received on
        or before its receipt date (``_receipt_day``), so the warehouse issues them in receipt order, as ``jxc
        close`` carries them into next month; the first merged into a non-positive balance if there is one."""
        src = self.source
        for x, a, o in pieces:
            u = a / x / 100.0
            if self.tail_qty != 0 or self.tail_value != 0:
                self.receive(x, a, u, o)
                continue
            d = _receipt_day(o, day, lot_day)
            m = len(src)
            while m > self.head and _receipt_day(src[m - 1], day, lot_day) > d:
                m -= 1
            self.qty.insert(m, x)
            self.value.insert(m, a)
            self.unit_cost.insert(m, u)
            src.insert(m, o)

    def take(self, x: float, last_uc: float, into: list[Lot] | None = None) -> int:
        """Issue ``x`` from the oldest layers (cents); the part beyond on hand at ``last_uc``. ``into`` (a transfer
        out) receives each positive piece taken from a layer, with that layer's source."""
        lq, lv, lu, h, whole = self.qty, self.value, self.unit_cost, self.head, self.whole
        c = 0
        while x > 0 and h < len(lq):
            have = lq[h]
            if x >= have:
                c += lv[h]
                if into is not None and have > 0:
                    into.append((have, lv[h], self.source[h]))
                x = x - have if whole else round(x - have, QTY_DECIMALS)
                lq[h], lv[h] = 0.0, 0
                h += 1
            else:
                part = cents_of(x * lu[h])
                c += part
                if into is not None:
                    into.append((x, part, self.source[h]))
                lq[h] = have - x if whole else round(have - x, QTY_DECIMALS)
                lv[h] -= part
                x = 0.0
        self.head = h
        if x > 0:  # beyond on hand: any value left at qty 0 goes with it, the rest at the last unit cost
            tq, tv = self.tail_qty, self.tail_value
            part = cents_of(x * last_uc)
            c += part + (tv if tq >= 0 else 0)
            self.tail_value = (tv - part) if tq < 0 else -part
            self.tail_qty = round(min(tq, 0.0) - x, QTY_DECIMALS)
        return c

    def return_purchase(self, x: float, o: int, price: float, last_uc: float) -> int:
        """A purchase return of ``x`` (cents): from original line ``o``'s layer (an opening lot: o ≤ −2) at
        ``price``, the rest oldest first."""
        lq, lv = self.qty, self.value
        a = 0
        rest = x
        if o != -1:
            for m in range(len(lq) - 1, self.head - 1, -1):
                if self.source[m] == o:
                    if lq[m] > 0:
                        t = min(rest, lq[m])
                        part = lv[m] if t >= lq[m] else cents_of(t * price)
                        lq[m] = round(lq[m] - t, QTY_DECIMALS)
                        lv[m] -= part
                        a += part
                        rest = round(rest - t, QTY_DECIMALS)
                    break
        if rest > 0:
            a += self.take(rest, last_uc)
        self._drop_empty_head()
        return a

    def count(self, x: float, d: float, v: int, avg: float, last_uc: float, source: int) -> int:
        """A count to ``x`` (difference ``d`` against the book, book value ``v``): the adjustment in cents.

        A surplus is a layer received by the count (``source``)."""
        if x == 0:  # a count to 0 writes the whole remaining value off
            self.head = len(self.qty)
            self.tail_qty, self.tail_value = 0.0, 0
            return -v
        if d > 0:
            a = cents_of(d * avg)
            self.receive(d, a, avg, source)
            return a
        if d < 0:
            return -self.take(-d, last_uc)
        return 0

    def _drop_empty_head(self) -> None:
        """Move the head past layers emptied of quantity and value."""
        lq, lv, h = self.qty, self.value, self.head
        while h < len(lq) and lq[h] <= 0 and lv[h] == 0:
            h += 1
        self.head = h

    def settle(self) -> None:
        """Keep empty layers from blocking the head; a value left at qty 0 inside the layers moves to the tail."""
        self._drop_empty_head()
        h = self.head
        if h < len(self.qty) and self.qty[h] <= 0:
            self.tail_value += self.value[h]
            self.head = h + 1


def _take_booked(layers: _Layers, i: int, settled: dict[int, int]) -> int:
    """Event ``i``'s cost adjustment (``_Layers.booked``), moved to ``settled``."""
    b, layers.booked = layers.booked, 0
    settled[i] = b
    return b


def fifo_sku(
    idx: list[int], ev: _Lists, out: _Out, q: float, v: int, last_uc: float, whole: bool, lots: list[Lot] | None
) -> Generator[int, None, float]:
    """FIFO over one SKU's events (positions ``idx``) from its opening ``lots``; fills ``out`` (its remaining
    layers appended to ``out.lots``), returns the closing unit cost."""
    kind_l, qty_l, amt_l, price_l, orig_l, carried_l, day_l, lot_day_l = ev
    cost, adj, issue_uc, lots_out, moved, settled = out
    layers = _Layers(q, v, whole, lots)
    lq, lv, lu = layers.qty, layers.value, layers.unit_cost  # for the inlined common issue
    for i in idx:
        k = kind_l[i]
        x = qty_l[i]
        if k == S:
            h = layers.head
            if h < len(lq) and x < lq[h]:  # the common case, inlined: the oldest layer covers the issue
                a = cents_of(x * lu[h])
                lq[h] = lq[h] - x if whole else round(lq[h] - x, QTY_DECIMALS)
                lv[h] -= a
            else:
                a = layers.take(x, last_uc)
            issue_uc[i] = a / x / 100.0
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == P:
            a = amt_l[i]
            u = price_l[i]
            layers.receive(x, a, u, i)
            last_uc = u
            q = q + x if whole else round(q + x, QTY_DECIMALS)
            v += a
            if layers.booked:
                v += _take_booked(layers, i, settled)
        elif k == SR:
            o, cp = orig_l[i], carried_l[i]
            while 0 <= o < i and issue_uc[o] != issue_uc[o]:  # a sale of another warehouse, not costed yet
                yield o
            if o >= 0 and issue_uc[o] == issue_uc[o]:
                u = issue_uc[o]
            else:
                u = cp if cp == cp else (v / q / 100.0 if q > 0 else last_uc)
            a = cents_of(x * u)
            layers.receive(x, a, u, i)
            q = q + x if whole else round(q + x, QTY_DECIMALS)
            v += a
            if layers.booked:
                v += _take_booked(layers, i, settled)
        elif k == PR:
            o = orig_l[i]
            a = layers.return_purchase(x, o, price_l[o] if o >= 0 else carried_l[i], last_uc)
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == OO or k == TO:  # other issue, transfer out (its pieces kept for its transfer in): as a sale
            a = layers.take(x, last_uc) if k == OO else layers.transfer_out(x, last_uc, i, moved)
            issue_uc[i] = a / x / 100.0
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == OI:  # other receipt: a layer at the cost on hand (value / qty), else the last unit cost
            u = v / q / 100.0 if q > 0 else last_uc
            a = cents_of(x * u)
            layers.receive(x, a, u, i)
            q = q + x if whole else round(q + x, QTY_DECIMALS)
            v += a
            if layers.booked:
                v += _take_booked(layers, i, settled)
        elif k == TI:  # transfer in: the layers that left the source (the event before), each at its own cost
            while issue_uc[i - 1] != issue_uc[i - 1]:
                yield i - 1
            a = cost[i - 1]
            last_uc = a / x / 100.0
            layers.transfer_in(moved.pop(i - 1), day_l, lot_day_l)
            q = q + x if whole else round(q + x, QTY_DECIMALS)
            v += a
            if layers.booked:
                v += _take_booked(layers, i, settled)
        else:  # count
            d = round(x - q, QTY_DECIMALS)
            a = layers.count(x, d, v, v / q / 100.0 if q > 0 else last_uc, last_uc, i)
            adj[i] = d
            q = x
            v += a
            if layers.booked:
                v += _take_booked(layers, i, settled)
        h = layers.head
        if h < len(lq) and lq[h] <= 0:
            layers.settle()
        cost[i] = a
    lots_out.append(layers.remaining())
    return v / q / 100.0 if q > 0 else last_uc
