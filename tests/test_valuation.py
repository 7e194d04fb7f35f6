"""Valuation: published vectors (test-vectors.md items 10–12), hand-checked returns and counts per method,
negative stock, and hypothesis ledgers checking closing = opening + in − out + adj + cost_adj exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jxc_xl.core.ledger import original_lines
from jxc_xl.core.valuation import Valuation, value_month
from jxc_xl.schema import COUNTS, ITEMS, OPENING, PURCHASES, RETURNS, SALES
from tests.factories import make_workbook

METHODS = ("moving_average", "monthly_average", "fifo")


def d(day: int) -> str:
    return f"2026-04-{day:02d}"


def buy(day: int, doc: str, qty: float, price: float, sku: str = "A") -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "sku": sku, "qty": qty, "unit_price": price}


def sell(day: int, doc: str, qty: float, sku: str = "A", price: float = 99.0) -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "sku": sku, "qty": qty, "unit_price": price}


def ret(day: int, kind: str, orig: str, qty: float, sku: str = "A") -> dict[str, Any]:
    return {"date": d(day), "doc_no": f"R-{orig}-{day}", "kind": kind, "orig_doc_no": orig, "sku": sku, "qty": qty}


def cents(x: Decimal | str | float) -> int:
    return int((Decimal(str(x)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def row(v: Valuation, sku: str = "A") -> dict[str, Any]:
    return v.stock.set_index("sku").loc[sku].to_dict()


def costs(v: Valuation, kind: str) -> list[int]:
    return v.events.loc[v.events["kind"] == kind, "cost_cents"].tolist()


def check_identity(v: Valuation, settled: bool = False) -> None:
    """The identities of every row; ``settled``: negative stock ended in the month, so a SKU with stock may
    carry a cost adjustment (the settlement). Moving average without negative stock may carry one too after a
    purchase return at its original price: one taking more than the stock's value while units remain leaves them
    at their unit cost, one leaving a value at qty 0 is ended by the next receipt (``core.valuation``)."""
    s = v.stock
    assert (s["closing_qty"] == s["opening_qty"] + s["in_qty"] - s["out_qty"] + s["adj_qty"]).all()
    assert (
        s["closing_cents"] == s["opening_cents"] + s["in_cents"] - s["out_cents"] + s["adj_cents"] + s["cost_adj_cents"]
    ).all()
    # the split columns: in = purchase − purchase return, out = sale − sales return, adj = gain − loss
    for net, plus, minus in (
        ("in", "purchase", "purchase_return"),
        ("out", "sale", "sales_return"),
        ("adj", "count_gain", "count_loss"),
    ):
        assert (s[f"{net}_cents"] == s[f"{plus}_cents"] - s[f"{minus}_cents"]).all()
        assert np.allclose(s[f"{net}_qty"], s[f"{plus}_qty"] - s[f"{minus}_qty"], rtol=0, atol=1e-9)
    assert (s[["count_gain_qty", "count_loss_qty"]] >= 0).all().all()
    cent_cols = [c for c in s.columns if c.endswith("_cents")]
    for c in cent_cols:
        assert s[c].dtype == np.int64
    assert s["out_cents"].sum() + s["closing_cents"].sum() == (
        s["opening_cents"].sum() + s["in_cents"].sum() + s["adj_cents"].sum() + s["cost_adj_cents"].sum()
    )
    # month end leaves no value at zero quantity; the cost adjustment is only that (or, monthly average, the
    # back-solve residual of a SKU without a sale line; or a negative-stock settlement)
    assert (s.loc[s["closing_qty"] == 0, "closing_cents"] == 0).all()
    ev = v.events
    has_sale = s["sku"].isin(ev.loc[ev["kind"] == "sale", "sku"])
    adjusted = s["cost_adj_cents"] != 0
    if v.method == "moving_average":  # a purchase return at its price may take more than held (core.valuation)
        adjusted &= ~s["sku"].isin(ev.loc[ev["kind"] == "purchase_return", "sku"])
    if v.method == "monthly_average" and not settled:
        assert not (adjusted & has_sale & (s["closing_qty"] != 0)).any()
    elif not settled:
        assert not (adjusted & (s["closing_qty"] != 0)).any()
    # per-line costs add up to the stock row (monthly average: the residual sits on the last sale line)
    per = ev.groupby(["sku", "kind"])["cost_cents"].sum().unstack(fill_value=0)
    for k in ("sale", "sales_return", "purchase", "purchase_return", "count"):
        if k not in per:
            per[k] = 0
    st_ = s.set_index("sku").loc[per.index]
    for k in ("sale", "sales_return", "purchase", "purchase_return"):
        assert (per[k] == st_[f"{k}_cents"]).all()
    assert (per["count"] == st_["adj_cents"]).all()


# ---------------------------------------------------------------------------------------------------
# Published vectors


VECTOR_10 = {
    OPENING.name: [{"sku": "A", "qty": 300, "unit_cost": 3}],
    PURCHASES.name: [buy(12, "P1", 200, 10)],
    SALES.name: [sell(3, "S1", 100), sell(27, "S2", 350)],
}


@pytest.mark.parametrize(
    ("method", "cogs", "closing", "unit"),
    [("fifo", "2400", "500", 10.0), ("monthly_average", "2610", "290", 5.8), ("moving_average", "2575", "325", 6.5)],
)
def test_vector_10(method: str, cogs: str, closing: str, unit: float) -> None:
    v = value_month(make_workbook(VECTOR_10, valuation=method))
    r = row(v)
    assert r["out_cents"] == cents(cogs) and r["closing_cents"] == cents(closing)
    assert r["closing_qty"] == 50 and r["closing_unit_cost"] == pytest.approx(unit, rel=1e-12)
    check_identity(v)


VECTOR_11 = {
    OPENING.name: [{"sku": "A", "qty": 200, "unit_cost": 300}],
    PURCHASES.name: [buy(2, "P1", 350, 310), buy(4, "P2", 400, 290)],
    SALES.name: [sell(3, "S1", 300), sell(5, "S2", 500)],
}


def test_vector_11_fifo_and_monthly_average() -> None:
    fifo = row(value_month(make_workbook(VECTOR_11, valuation="fifo")))
    assert (fifo["out_cents"], fifo["closing_cents"]) == (cents("241000"), cents("43500"))
    mavg = value_month(make_workbook(VECTOR_11, valuation="monthly_average"))
    r = row(mavg)
    assert r["closing_unit_cost"] == pytest.approx(299.4736842105263, rel=1e-15)
    assert (r["closing_cents"], r["out_cents"]) == (cents("44921.05"), cents("239578.95"))
    assert sum(costs(mavg, "sale")) == r["out_cents"]  # line COGS carry the back-solve residual
    check_identity(mavg)


def test_vector_11_moving_average_against_decimal_hand_calculation() -> None:
    # Decimal arithmetic, independent of the implementation: receipts reset cost = value / qty.
    q, val = Decimal(200), Decimal(60000)
    q, val = q + 350, val + 350 * 310
    c1 = (300 * val / q).quantize(Decimal("0.01"), ROUND_HALF_UP)
    q, val = q - 300, val - c1
    q, val = q + 400, val + 400 * 290
    c2 = (500 * val / q).quantize(Decimal("0.01"), ROUND_HALF_UP)
    v = value_month(make_workbook(VECTOR_11, valuation="moving_average"))
    assert costs(v, "sale") == [cents(c1), cents(c2)]
    assert row(v)["closing_cents"] == cents(val - c2)


def test_vector_12_half_up_rounding_of_the_average() -> None:
    rows = {
        OPENING.name: [{"sku": "A", "qty": 1, "unit_cost": 13.13}],
        PURCHASES.name: [buy(2, "P1", 1, 12.20)],
        SALES.name: [sell(3, "S1", 1)],
    }
    ma = value_month(make_workbook(rows, valuation="moving_average"))
    assert costs(ma, "sale") == [1267]  # 12.665 → 12.67 (round() would give 12.66)
    assert row(ma)["closing_cents"] == 2533 - 1267
    mavg = value_month(make_workbook(rows, valuation="monthly_average"))
    assert row(mavg)["closing_cents"] == 1267 and row(mavg)["out_cents"] == 2533 - 1267


# ---------------------------------------------------------------------------------------------------
# Purchase returns


PR_ROWS = {
    OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 5}],
    PURCHASES.name: [buy(2, "P1", 10, 8), buy(3, "P2", 10, 11)],
    RETURNS.name: [ret(4, "purchase_return", "P1", 4)],
    SALES.name: [sell(5, "S1", 12)],
}


@pytest.mark.parametrize("method", METHODS)
def test_purchase_return_leaves_at_the_original_lines_price(method: str) -> None:
    v = value_month(make_workbook(PR_ROWS, valuation=method))
    assert costs(v, "purchase_return") == [3200]  # 4 × 8.00, whatever the current cost is
    r = row(v)
    assert r["in_qty"] == 16 and r["in_cents"] == 8000 + 11000 - 3200
    # after the return: 26 units worth 50 + 80 + 110 − 32 = 208 → average 8.00
    expected_sale = {"moving_average": 12 * 800, "monthly_average": 12 * 800, "fifo": 10 * 500 + 2 * 800}[method]
    assert costs(v, "sale") == [expected_sale]
    if method == "fifo":  # the return emptied P1's layer by 4 first: 6 @ 8 left, of which the sale took 2
        assert r["closing_cents"] == 4 * 800 + 10 * 1100
    check_identity(v)


@pytest.mark.parametrize(
    ("method", "sale", "closing", "cost_adj"),
    [("moving_average", 872, 109, 891), ("fifo", 80, 10, 0), ("monthly_average", 80, 10, 0)],
)
def test_purchase_return_taking_more_than_held_without_negative_stock(
    method: str, sale: int, closing: int, cost_adj: int
) -> None:
    """9 @ 0.10 and 1 @ 10.00, 8 sold, then P2's unit returned at 10.00 with 2 on hand. Moving average: the 10
    stood at 1.09, the 2 left at 2.18; the return would leave −7.82 on 1 unit, so it stays at 1.09 and 8.91 is
    the cost adjustment. FIFO: the sale took 8 of P1, the return P2's layer, 1 @ 0.10 left. Month-end average:
    (10.90 − 10.00) / 9 = 0.10 a unit."""
    rows = {
        PURCHASES.name: [buy(1, "P1", 9, 0.10), buy(2, "P2", 1, 10)],
        SALES.name: [sell(3, "S1", 8)],
        RETURNS.name: [ret(4, "purchase_return", "P2", 1)],
    }
    v = value_month(make_workbook(rows, valuation=method))
    r = row(v)
    assert costs(v, "sale") == [sale] and costs(v, "purchase_return") == [1000]
    assert (r["closing_qty"], r["closing_cents"], r["cost_adj_cents"]) == (1, closing, cost_adj)
    check_identity(v)


@pytest.mark.parametrize("method", METHODS)
def test_purchase_return_without_original_leaves_at_current_cost(method: str) -> None:
    rows = {
        OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 5}],
        PURCHASES.name: [buy(2, "P1", 10, 7)],
        RETURNS.name: [ret(4, "purchase_return", "NOT-HERE", 5)],
    }
    v = value_month(make_workbook(rows, valuation=method))
    # moving/monthly average: 5 × 6.00; FIFO: the oldest layer (opening @ 5)
    assert costs(v, "purchase_return") == [2500 if method == "fifo" else 3000]
    check_identity(v)


def test_fifo_purchase_return_beyond_its_layer_takes_the_rest_from_the_oldest() -> None:
    rows = {
        OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 5}],
        PURCHASES.name: [buy(2, "P1", 10, 8)],
        SALES.name: [sell(3, "S1", 15)],  # opening 10 @ 5 + 5 of P1 @ 8
        RETURNS.name: [ret(4, "purchase_return", "P1", 5)],
    }
    v = value_month(make_workbook(rows, valuation="fifo"))
    assert costs(v, "sale") == [5000 + 4000]
    assert costs(v, "purchase_return") == [4000]
    assert row(v)["closing_qty"] == 0 and row(v)["closing_cents"] == 0


# ---------------------------------------------------------------------------------------------------
# Sales returns


SR_ROWS = {
    OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 4}],
    SALES.name: [sell(2, "S1", 6)],
    PURCHASES.name: [buy(3, "P1", 10, 10)],
    RETURNS.name: [ret(5, "sales_return", "S1", 2), ret(5, "sales_return", "UNKNOWN", 1)],
}


@pytest.mark.parametrize("method", METHODS)
def test_sales_return_comes_back_at_the_original_issue_cost(method: str) -> None:
    v = value_month(make_workbook(SR_ROWS, valuation=method))
    # S1 issued at 4.00 (moving average, FIFO); monthly: (40 + 100) / 20 = 7.00 for every flow.
    # The unknown original (booked after the first return: row order) comes back at the current cost:
    # 4 @ 4 + 10 @ 10 + 2 @ 4 returned = 124.00 for 16 → 7.75 (moving average and the FIFO layers' average);
    # monthly 7.00.
    cur = Decimal(124) / 16
    expected = {
        "moving_average": [800, cents(cur)],
        "fifo": [800, cents(cur)],
        "monthly_average": [1400, 700],
    }[method]
    assert costs(v, "sales_return") == expected
    r = row(v)
    assert r["out_qty"] == 6 - 3
    check_identity(v)


@pytest.mark.parametrize("method", ["moving_average", "fifo"])
def test_same_day_sales_return_is_booked_before_the_sale_so_uses_current_cost(method: str) -> None:
    rows = {
        OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 4}],
        PURCHASES.name: [buy(1, "P1", 10, 6)],
        SALES.name: [sell(2, "S1", 4)],
        RETURNS.name: [ret(2, "sales_return", "S1", 1)],
    }
    v = value_month(make_workbook(rows, valuation=method))
    assert costs(v, "sales_return") == [500]  # the average 5.00 on hand, S1 not issued yet
    check_identity(v)


# ---------------------------------------------------------------------------------------------------
# Counts


COUNT_ROWS = {
    OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 2}, {"sku": "B", "qty": 10, "unit_cost": 3}],
    PURCHASES.name: [buy(2, "P1", 10, 4), buy(2, "P2", 5, 7, sku="B")],
    SALES.name: [sell(3, "S1", 2)],
    COUNTS.name: [
        {"date": d(3), "sku": "A", "counted_qty": 21},  # book 18 → gain 3
        {"date": d(4), "sku": "B", "counted_qty": 12},  # book 15 → loss 3
    ],
}


@pytest.mark.parametrize("method", METHODS)
def test_count_gains_and_losses_at_current_cost(method: str) -> None:
    v = value_month(make_workbook(COUNT_ROWS, valuation=method))
    a, b = row(v, "A"), row(v, "B")
    assert a["adj_qty"] == 3 and b["adj_qty"] == -3
    if method == "fifo":
        # A: S1 took 2 @ 2 from the opening; gain 3 at the average of (8 @ 2 + 10 @ 4) = 56/18
        assert a["adj_cents"] == cents(Decimal(3) * 56 / 18)
        assert b["adj_cents"] == -900  # B's loss consumes the oldest layer (opening @ 3)
    else:
        # A: average 60/20 = 3.00; B: (30 + 35)/15 = 4.333…
        assert a["adj_cents"] == 900
        assert b["adj_cents"] == -cents(Decimal(3) * 65 / 15)
    check_identity(v)


@pytest.mark.parametrize("method", METHODS)
def test_count_to_zero_writes_off_the_whole_value(method: str) -> None:
    rows = {
        OPENING.name: [{"sku": "A", "qty": 3, "amount": 10.00}],
        COUNTS.name: [{"date": d(9), "sku": "A", "counted_qty": 0}],
    }
    r = row(value_month(make_workbook(rows, valuation=method)))
    assert r["adj_qty"] == -3 and r["adj_cents"] == -1000 and r["closing_cents"] == 0


def test_moving_average_issue_bringing_qty_to_zero_takes_the_remaining_value() -> None:
    rows = {OPENING.name: [{"sku": "A", "qty": 3, "amount": 10.00}], SALES.name: [sell(2, "S1", 1), sell(3, "S2", 2)]}
    v = value_month(make_workbook(rows, valuation="moving_average"))
    assert costs(v, "sale") == [333, 667]
    assert row(v)["closing_cents"] == 0


def test_opening_amount_rules_and_sku_set() -> None:
    rows = {
        ITEMS.name: [{"sku": "Z", "name": "z"}, {"sku": "A", "name": "a"}],
        OPENING.name: [{"sku": "A", "qty": 3, "unit_cost": 3.335}, {"sku": "B", "qty": 2, "amount": 7}],
        SALES.name: [sell(2, "S1", 1, sku="C")],
    }
    v = value_month(make_workbook(rows))
    assert list(v.stock["sku"]) == ["Z", "A", "B", "C"]
    assert row(v, "A")["opening_cents"] == 1001  # ROUND_HALF_UP(3 × 3.335 = 10.005)
    assert row(v, "B")["opening_cents"] == 700
    assert np.isnan(row(v, "C")["closing_unit_cost"])  # no cost known anywhere


# ---------------------------------------------------------------------------------------------------
# Negative stock (allowed by settings)


def test_moving_average_negative_stock_and_recovery() -> None:
    rows = {
        OPENING.name: [{"sku": "A", "qty": 2, "amount": 10.00}],
        SALES.name: [sell(2, "S1", 5)],  # 2 on hand with all their value + 3 beyond at 5.00
        PURCHASES.name: [buy(3, "P1", 10, 6)],
    }
    v = value_month(make_workbook(rows, valuation="moving_average"))
    assert costs(v, "sale") == [1000 + 1500]
    r = row(v)
    # book after S1: −3 units, −15.00; P1 ends the negative stock: 7 units at its 6.00 = 42.00, and the 3
    # oversold units issued at 5.00 but replaced at 6.00 are the cost adjustment: 42 − (−15 + 60) = −3.00
    assert r["closing_qty"] == 7 and r["closing_cents"] == 4200 and r["cost_adj_cents"] == -300
    assert r["closing_unit_cost"] == pytest.approx(6)
    check_identity(v, settled=True)


def test_fifo_receipt_ending_negative_stock_is_a_layer_at_its_cost() -> None:
    rows = {
        OPENING.name: [{"sku": "A", "qty": 2, "amount": 10.00}],
        SALES.name: [sell(2, "S1", 5), sell(4, "S2", 2)],
        PURCHASES.name: [buy(3, "P1", 10, 6)],
    }
    v = value_month(make_workbook(rows, valuation="fifo"))
    # S1: layer 2 @ 5 + 3 beyond at the last cost 5 → 25.00; P1 ends the negative stock: a layer of 7 at 6.00
    # (42.00), 42 − (60 − 15) = −3.00 booked as the cost adjustment; S2 takes 2 at 6.00.
    assert costs(v, "sale") == [2500, 1200]
    assert row(v)["cost_adj_cents"] == -300
    check_identity(v, settled=True)


# ---------------------------------------------------------------------------------------------------
# Generated ledgers: the identities hold exactly for every method


_ev = st.tuples(
    st.sampled_from(["purchase", "sale", "sales_return", "purchase_return", "count"]),
    st.sampled_from(["A", "B", "C"]),
    st.integers(1, 30),
    st.integers(1, 40),
    st.integers(1, 5000),  # price in cents
    st.booleans(),  # refer to an existing original?
)


def _ledger(lines: list[tuple[str, str, int, int, int, bool]], opening: dict[str, tuple[int, int]]):
    """Rows that keep stock ≥ 0 in event order (lines are sorted by day and kind before checking)."""
    order = {"purchase": 0, "sales_return": 1, "purchase_return": 2, "sale": 3, "count": 4}
    lines = sorted(lines, key=lambda t: (t[2], order[t[0]]))
    stock = {s: q for s, (q, _) in opening.items()}
    rows: dict[str, list[dict[str, Any]]] = {
        OPENING.name: [{"sku": s, "qty": q, "unit_cost": c / 100} for s, (q, c) in opening.items()],
        PURCHASES.name: [],
        SALES.name: [],
        RETURNS.name: [],
        COUNTS.name: [],
    }
    bought: dict[str, list[str]] = {}
    sold: dict[str, list[str]] = {}
    for i, (kind, sku, day, q, price, linked) in enumerate(lines):
        have = stock.get(sku, 0)
        if kind == "purchase":
            rows[PURCHASES.name].append(buy(day, f"P{i}", q, price / 100, sku))
            bought.setdefault(sku, []).append(f"P{i}")
            stock[sku] = have + q
        elif kind == "sale" and have > 0:
            q = min(q, have)
            rows[SALES.name].append(sell(day, f"S{i}", q, sku))
            sold.setdefault(sku, []).append(f"S{i}")
            stock[sku] = have - q
        elif kind == "sales_return":
            orig = sold[sku][-1] if linked and sold.get(sku) else "NONE"
            rows[RETURNS.name].append(ret(day, "sales_return", orig, q, sku))
            stock[sku] = have + q
        elif kind == "purchase_return" and have > 0:
            q = min(q, have)
            orig = bought[sku][-1] if linked and bought.get(sku) else "NONE"
            rows[RETURNS.name].append({**ret(day, "purchase_return", orig, q, sku), "doc_no": f"R{i}"})
            stock[sku] = have - q
        elif kind == "count":
            rows[COUNTS.name].append({"date": d(day), "sku": sku, "counted_qty": q % 7})
            stock[sku] = q % 7
    return rows


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(
    lines=st.lists(_ev, max_size=50),
    opening=st.dictionaries(st.sampled_from(["A", "B", "C"]), st.tuples(st.integers(0, 30), st.integers(1, 9999))),
)
# Moving average, a purchase return at its price taking more than held (see the test above); and as reported:
# 17 @ 0.01 and 1 @ 18.00, 2 returned naming the 18.00 line (more than it received: a finding), 16 left
@example(
    lines=[
        ("purchase", "A", 1, 9, 10, False),
        ("purchase", "A", 2, 1, 1000, False),
        ("sale", "A", 3, 8, 1, False),
        ("purchase_return", "A", 4, 1, 1, True),
    ],
    opening={},
)
@example(
    lines=[("purchase", "A", 1, 1, 1, False)] * 17
    + [("purchase", "A", 2, 1, 1800, False), ("purchase_return", "A", 3, 2, 1, True)],
    opening={},
)
def test_generated_ledgers_balance_exactly(lines, opening) -> None:
    rows = _ledger(lines, opening)
    for method in METHODS:
        v = value_month(make_workbook(rows, valuation=method))
        check_identity(v)
        s = v.stock
        if method == "fifo":  # stock never negative here → layers never negative; no units → no value
            assert (s["closing_cents"] >= 0).all()
            assert (s.loc[s["closing_qty"] == 0, "closing_cents"] == 0).all()
        if method == "monthly_average":  # closing = ROUND(closing qty × unit cost)
            exact = s["closing_qty"] * s["closing_unit_cost"].fillna(0) * 100
            assert ((s["closing_cents"] - exact).abs() <= 0.5 + 1e-6).all()


def test_daily_demand_matrix_is_net_of_returns() -> None:
    rows = {
        SALES.name: [sell(2, "S1", 5), sell(2, "S2", 1), sell(30, "S3", 2)],
        RETURNS.name: [ret(3, "sales_return", "S1", 2)],
    }
    v = value_month(make_workbook(rows))
    m = v.daily_demand.loc["A"]
    assert m.shape == (30,) and m[2] == 6 and m[3] == -2 and m[30] == 2 and m.sum() == 6


@pytest.mark.parametrize("method", METHODS)
def test_decimal_quantities_do_not_drift(method: str) -> None:
    # 0.1 + 0.2 ≠ 0.3 in binary floats; the book must still reach exactly 0 and hand over all the value.
    rows = {
        OPENING.name: [{"sku": "A", "qty": 0.3, "amount": 1.00}],
        SALES.name: [sell(2, "S1", 0.1), sell(3, "S2", 0.2)],
        COUNTS.name: [{"date": d(4), "sku": "A", "counted_qty": 0}],
    }
    v = value_month(make_workbook(rows, valuation=method))
    r = row(v)
    assert r["closing_qty"] == 0 and r["adj_qty"] == 0 and r["closing_cents"] == 0
    assert r["out_cents"] == 100 and r["adj_cents"] == 0
    check_identity(v)


def _first_original(rows: list[tuple[str, Any, Any, Any]]) -> list[int]:
    """original_lines by hand: each return's first earlier-or-later line of the other kind with its document
    and SKU (a blank matches a blank)."""
    pair = {"purchase_return": "purchase", "sales_return": "sale"}

    def same(a: Any, b: Any) -> bool:
        return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)

    out = []
    for kind, _, orig_doc, sku in rows:
        hit = -1
        if kind in pair:
            hit = next(
                (j for j, (k, d, _, s) in enumerate(rows) if k == pair[kind] and same(d, orig_doc) and same(s, sku)),
                -1,
            )
        out.append(hit)
    return out


_KINDS = st.sampled_from(["purchase", "sale", "purchase_return", "sales_return", "count"])
_DOCS = st.sampled_from([None, float("nan"), "A", "B", "a", 1.0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_KINDS, _DOCS, _DOCS, st.sampled_from(["x", "y", None])), max_size=30))
def test_original_lines_is_the_first_line_of_the_named_document(rows: list[tuple[str, Any, Any, Any]]) -> None:
    ev = pd.DataFrame(rows, columns=["kind", "doc_no", "orig_doc_no", "sku"], dtype=object)
    assert original_lines(ev).tolist() == _first_original(rows)
