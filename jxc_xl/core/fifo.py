"""FIFO costing: one SKU's layers (``_Layers``) and its loop over the events (``fifo_sku``), run by
``core.costing.per_sku`` as the moving average is. The rules are the valuation's (``core.valuation``): issues take
the oldest layers first, a purchase return takes its own purchase's layer first, a transfer moves the layers it
takes with their receipt dates, and a receipt that ends negative stock or a value left at quantity 0 settles it
(``core.costing.settle_deficit``).
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from jxc_xl.core.costing import (
    OI,
    OO,
    PR,
    QTY_DECIMALS,
    SR,
    TI,
    TO,
    Lot,
    P,
    S,
    _Lists,
    _Out,
    ends_deficit,
    settle_deficit,
)
from jxc_xl.core.money import cents_of

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
            if ends_deficit(tq, self.tail_value, nq):
                w = settle_deficit(x, a, nq)
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
                part = min(cents_of(x * lu[h]), max(lv[h], 0))  # rounding up never takes the layer below 0
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


def _receive(layers: _Layers, i: int, x: float, a: int, u: float, settled: dict[int, int]) -> int:
    """Receipt ``i`` of ``x`` at ``a`` cents as a layer; what it moves the value beyond ``a`` (a deficit it ends,
    ``_take_booked``), else 0."""
    layers.receive(x, a, u, i)
    return _take_booked(layers, i, settled) if layers.booked else 0


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
            if h < len(lq) and x < lq[h]:  # the common case, inlined: the oldest layer covers the issue (as take)
                a = min(cents_of(x * lu[h]), max(lv[h], 0))
                lq[h] = lq[h] - x if whole else round(lq[h] - x, QTY_DECIMALS)
                lv[h] -= a
            else:
                a = layers.take(x, last_uc)
            issue_uc[i] = a / x / 100.0
            q = q - x if whole else round(q - x, QTY_DECIMALS)
            v -= a
        elif k == P:
            a, last_uc = amt_l[i], price_l[i]
            v += a + _receive(layers, i, x, a, last_uc, settled)
            q = q + x if whole else round(q + x, QTY_DECIMALS)
        elif k == SR:
            o, cp = orig_l[i], carried_l[i]
            while 0 <= o < i and issue_uc[o] != issue_uc[o]:  # a sale of another warehouse, not costed yet
                yield o
            if o >= 0 and issue_uc[o] == issue_uc[o]:
                u = issue_uc[o]
            else:
                u = cp if cp == cp else (v / q / 100.0 if q > 0 else last_uc)
            a = cents_of(x * u)
            v += a + _receive(layers, i, x, a, u, settled)
            q = q + x if whole else round(q + x, QTY_DECIMALS)
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
            v += a + _receive(layers, i, x, a, u, settled)
            q = q + x if whole else round(q + x, QTY_DECIMALS)
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
