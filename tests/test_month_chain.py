"""Three-month chains built with ``jxc close`` (issue 12 part 4): for every method, random ledgers; every month
validates with 0 errors (the chain checks included) and each month's 库存 agrees to the cent with a reference
computed here, independently, over the concatenated months. Returns name lines of their own month or of the
two before (issue 12 part 5: carried documents), never more than is left to return.

The reference (``Reference``) is the valuation rules of ``core.valuation`` written out plainly for ledgers
without negative stock, run once over the whole chain, with two month-end conventions and nothing else:
a SKU at qty 0 keeps no value (the cost adjustment, at month end or when stock comes in again), and what goes on
into the next month goes on at its value:
FIFO each layer left at its amount / qty, moving average at value / qty; a sale of an earlier month comes
back at its cost / qty (what tblCarried holds). Monthly average is a month's average
by definition: its month end is the chain's. Quantities are whole and prices have two decimals, so an
undivided layer keeps its purchase price exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from jxc_xl.core.closing import CARRIED_MONTHS
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.sync import close_month, sync_file
from jxc_xl.validate import validate_paths
from tests.factories import write_book

METHODS = ("fifo", "moving_average", "monthly_average")
PERIODS = ("2026-10", "2026-11", "2026-12")
SKUS = ("A", "B", "C", "D")


def cents(x: float) -> int:
    """ROUND_HALF_UP to the cent, from the decimal the float shows (as Excel's ROUND)."""
    return int((Decimal(repr(round(float(x), 9))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Line:
    """One ledger line of the chain, as typed (a return names its original line)."""

    day: date
    kind: str  # purchase, sale, sales_return, purchase_return, count
    sku: str
    qty: int  # a count's counted qty
    price: float = 0.0
    doc: str = ""
    orig: Line | None = None
    cost: int = 0  # filled by the reference: the line's cost in cents


# ---------------------------------------------------------------------------------------------------
# Random months without negative stock: at most one line per SKU and day, returns of this month's lines


def random_month(rng: random.Random, period: str, on_hand: dict[str, int], before: list[Line]) -> list[Line]:
    """A month of random lines; its returns may name lines of this month or of the two months ``before`` it."""
    y, m = map(int, period.split("-"))
    lines: list[Line] = []
    cutoff = date(y, m, 1) - pd.DateOffset(months=CARRIED_MONTHS - 1)
    recent = [x for x in before if pd.Timestamp(x.day) >= cutoff]
    for day in range(1, 29):
        for sku in SKUS:
            if rng.random() > 0.3:
                continue
            q, d = on_hand[sku], date(y, m, day)
            mine = [x for x in recent + lines if x.sku == sku and x.day < d]
            kind = rng.choice(
                ["purchase", "purchase", "sale", "sale", "sale", "sales_return", "purchase_return", "count"]
            )
            doc = f"{kind[:2].upper()}-{period}-{len(lines)}"
            if kind == "purchase" or (kind == "sale" and q == 0):
                x = Line(d, "purchase", sku, rng.randint(1, 12), rng.randint(150, 4000) / 100, doc)
                on_hand[sku] += x.qty
            elif kind == "sale":
                x = Line(d, "sale", sku, rng.randint(1, q), 99.0, doc)
                on_hand[sku] -= x.qty
            elif kind == "count" and q > 0:
                x = Line(d, "count", sku, max(0, q + rng.choice([-2, -1, 1, 2])))
                on_hand[sku] = x.qty
            elif kind in ("sales_return", "purchase_return"):
                want = "sale" if kind == "sales_return" else "purchase"
                done = before + lines
                left = {id(o): o.qty - sum(r.qty for r in done if r.orig is o) for o in mine if o.kind == want}
                if kind == "purchase_return":  # never below zero stock
                    left = {k: min(n, q) for k, n in left.items()}
                pool = [o for o in mine if o.kind == want and left[id(o)] > 0]
                if not pool:
                    continue
                o = rng.choice(pool)
                x = Line(d, kind, sku, rng.randint(1, left[id(o)]), o.price, doc, o)
                on_hand[sku] += x.qty if kind == "sales_return" else -x.qty
            else:
                continue
            lines.append(x)
    return lines


# ---------------------------------------------------------------------------------------------------
# The reference


@dataclass
class Reference:
    """One SKU's state through the whole chain, by ``method`` (see the module docstring)."""

    method: str
    q: int = 0
    v: int = 0
    uc: float = 0.0
    layers: list[list[Any]] = field(default_factory=list)  # [qty, cents, unit cost, purchase line or None]

    def take(self, x: int) -> int:
        c = 0
        while x > 0:
            layer = self.layers[0]
            if x >= layer[0]:
                c, x = c + layer[1], x - layer[0]
                self.layers.pop(0)
            else:
                part = cents(x * layer[2])
                c, layer[0], layer[1], x = c + part, layer[0] - x, layer[1] - part, 0
        return c

    def book(self, ln: Line) -> None:
        fifo = self.method == "fifo"
        if ln.kind == "count":
            d = ln.qty - self.q
            if ln.qty == 0:
                a = -self.v
                self.layers = []
            elif d > 0:
                if self.q == 0 and not fifo:
                    self.v = 0  # a value left at qty 0: the surplus ends it (the cost adjustment)
                avg = self.v / self.q / 100 if fifo else self.uc
                a = cents(d * avg)
                self.layers.append([d, a, avg, None])
            else:
                a = -(self.take(-d) if fifo else cents(-d * self.uc))
            self.q, self.v, ln.cost = ln.qty, self.v + a, a
            return
        x = ln.qty
        if ln.kind in ("purchase", "sales_return") and self.q == 0:
            self.v = 0  # a value left at qty 0 goes to the cost adjustment when stock comes in again
        if ln.kind == "purchase":
            a = cents(x * ln.price)
            self.layers.append([x, a, ln.price, ln])
        elif ln.kind == "sale":
            a = self.take(x) if fifo else (self.v if x == self.q else cents(x * self.uc))  # all on hand: its value
            ln.price = a / x / 100 if fifo else self.uc  # the unit cost it was issued at, for its returns
        elif ln.kind == "sales_return":
            assert ln.orig is not None
            earlier = (ln.orig.day.year, ln.orig.day.month) != (ln.day.year, ln.day.month)
            u = ln.orig.cost / ln.orig.qty / 100 if earlier else ln.orig.price  # carried: at its cost / qty
            a = cents(x * u)
            self.layers.append([x, a, u, None])
        else:  # purchase return at the original price, FIFO from the original's layer first
            assert ln.orig is not None
            a = cents(x * ln.orig.price)
            if fifo:
                mine = [layer for layer in self.layers if layer[3] is ln.orig]
                layer = mine[0] if mine else None
                t = min(x, layer[0]) if layer else 0
                a = (layer[1] if t >= layer[0] else cents(t * ln.orig.price)) if layer and t else 0
                if layer and t:
                    layer[0], layer[1] = layer[0] - t, layer[1] - a
                    if layer[0] == 0:
                        self.layers.remove(layer)
                a += self.take(x - t)
        sign = 1 if ln.kind in ("purchase", "sales_return") else -1
        self.q, self.v, ln.cost = self.q + sign * x, self.v + sign * a, a
        if ln.kind == "purchase_return" and not fifo and self.q > 0 and self.v < 0:
            self.v = cents(self.q * self.uc)  # the original price took more than held: on hand at its cost
        if ln.kind != "sale" and self.q > 0:
            self.uc = self.v / self.q / 100

    def month_end(self) -> None:
        if self.q == 0:
            self.v, self.layers = 0, []
        else:  # what goes on into next month goes on at its value
            self.uc = self.v / self.q / 100
            for layer in self.layers:
                layer[2] = layer[1] / layer[0] / 100


def monthly_average(opening: tuple[int, int], lines: list[Line]) -> tuple[int, int]:
    """A month by the month-end weighted average: (closing qty, closing cents) of one SKU."""
    q, v = opening
    den = (
        q
        + sum(ln.qty for ln in lines if ln.kind == "purchase")
        - sum(ln.qty for ln in lines if ln.kind == "purchase_return")
    )
    num = v + sum(cents(ln.qty * ln.price) for ln in lines if ln.kind == "purchase")
    num -= sum(cents(ln.qty * ln.orig.price) for ln in lines if ln.kind == "purchase_return" and ln.orig)
    for ln in lines:
        q = ln.qty if ln.kind == "count" else q + (1 if ln.kind in ("purchase", "sales_return") else -1) * ln.qty
    return q, (cents(q * num / den / 100) if q else 0)


# ---------------------------------------------------------------------------------------------------
# The chain, through files and jxc close


def ledger_tables(lines: list[Line]) -> dict[str, pd.DataFrame]:
    p: list[dict[str, Any]] = []
    s: list[dict[str, Any]] = []
    r: list[dict[str, Any]] = []
    c: list[dict[str, Any]] = []
    for ln in lines:
        ts = pd.Timestamp(ln.day)
        if ln.kind == "count":
            c.append({"date": ts, "sku": ln.sku, "counted_qty": ln.qty})
        elif ln.kind in ("purchase", "sale"):
            party = {"supplier": "s"} if ln.kind == "purchase" else {"customer": "c"}
            row = {"date": ts, "doc_no": ln.doc, **party, "sku": ln.sku, "qty": ln.qty, "unit_price": ln.price}
            (p if ln.kind == "purchase" else s).append(row | {"amount": cents(ln.qty * ln.price) / 100})
        else:
            assert ln.orig is not None
            r.append(
                {
                    "date": ts,
                    "doc_no": ln.doc,
                    "kind": ln.kind,
                    "orig_doc_no": ln.orig.doc,
                    "sku": ln.sku,
                    "qty": ln.qty,
                }
            )
    keys = {"tblPurchases": p, "tblSales": s, "tblReturns": r, "tblCounts": c}
    return {k: pd.DataFrame(v) for k, v in keys.items() if v}


def build_chain(folder: Path, method: str, months: list[list[Line]]) -> list[Path]:
    items = [{"sku": s, "name": s, "unit": "个", "cost": 10, "price": 30, "lead_time_days": 5} for s in SKUS]
    first = folder / f"m-{PERIODS[0]}.xlsx"
    write_book(first, {"tblItems": items}, period=PERIODS[0], settings={"valuation": method, "company": "链"})
    paths = [first]
    for k, lines in enumerate(months):
        path = paths[-1]
        # ledgers typed into the month (sales are priced 99; their cost is the valuation's)
        write_tables(path, path, ledger_tables(lines), backup=False)
        sync_file(path, backup=False)
        if k + 1 < len(months):
            nxt = folder / f"m-{PERIODS[k + 1]}.xlsx"
            close_month(path, nxt)
            paths.append(nxt)
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_three_month_chain_validates_and_agrees_with_the_whole_chain(tmp_path: Path, method: str, seed: int) -> None:
    rng = random.Random(seed * 31 + METHODS.index(method))
    on_hand = dict.fromkeys(SKUS, 0)
    months: list[list[Line]] = []
    for p in PERIODS:
        months.append(random_month(rng, p, on_hand, [x for month in months for x in month]))
    paths = build_chain(tmp_path, method, months)

    report = validate_paths([tmp_path])
    assert sorted((Path(r.path).name, r.errors) for r in report.files) == [(p.name, 0) for p in paths], [
        (f.code, f.sheet, f.row, f.message) for r in report.files for f in r.findings if f.severity == "error"
    ]

    refs = {s: Reference(method) for s in SKUS}
    avg_state = dict.fromkeys(SKUS, (0, 0))
    for path, lines in zip(paths, months, strict=True):
        stock = read_workbook(path).df("tblStock").set_index("sku")
        for sku in SKUS:
            mine = [ln for ln in lines if ln.sku == sku]
            if method == "monthly_average":
                avg_state[sku] = want = monthly_average(avg_state[sku], mine)
                sold = None
            else:
                for ln in mine:
                    refs[sku].book(ln)
                refs[sku].month_end()
                want = (refs[sku].q, refs[sku].v)
                sold = sum(ln.cost for ln in mine if ln.kind == "sale")
            got = stock.loc[sku].to_dict()
            assert (got["closing_qty"], cents(got["closing_amount"])) == want, (path.name, sku)
            if sold is not None:
                assert cents(got["sale_amount"]) == sold, (path.name, sku)


def test_reference_textbook_vector() -> None:
    """The reference itself on the textbook case: FIFO COGS 150.00 in November, closing 100.00."""
    ref = Reference("fifo")
    oct_ = [
        Line(date(2026, 10, 1), "purchase", "A", 10, 10.0, "P1"),
        Line(date(2026, 10, 2), "purchase", "A", 10, 20.0, "P2"),
        Line(date(2026, 10, 3), "sale", "A", 5, 99.0, "S1"),
    ]
    for ln in oct_:
        ref.book(ln)
    ref.month_end()
    nov = Line(date(2026, 11, 3), "sale", "A", 10, 99.0, "S2")
    ref.book(nov)
    assert (nov.cost, ref.q, ref.v) == (15000, 5, 10000)
