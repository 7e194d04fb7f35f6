"""Warehouses and transfers (issue 12.2): per-warehouse valuation by each method, transfers at the source's cost,
the company as the sum, the findings, and close carrying the opening per warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl.core.generate import generate
from jxc_xl.core.rules import check
from jxc_xl.core.valuation import Valuation, value_month
from jxc_xl.io.reader import read_workbook
from jxc_xl.schema import (
    COUNTS,
    ITEMS,
    OPENING,
    PURCHASES,
    RETURNS,
    SALES,
    STOCK_BY_WAREHOUSE,
    TRANSFERS,
    WAREHOUSES,
)
from jxc_xl.sync import close_month, sync_file
from jxc_xl.validate import validate_file
from tests.factories import make_workbook, small_month, warehouse_month, write_book

METHODS = ("moving_average", "monthly_average", "fifo")
WAREHOUSE_CODES = {"unknown-warehouse", "transfer-to-itself", "transfer-exceeds-stock", "negative-stock"}


def d(day: int) -> str:
    return f"2026-04-{day:02d}"


def line(day: int, doc: str, qty: float, price: float, wh: str | None, sku: str = "A") -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "sku": sku, "qty": qty, "unit_price": price, "warehouse": wh}


def move(day: int, doc: str, src: str, dst: str, qty: float, sku: str = "A") -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "from_warehouse": src, "to_warehouse": dst, "sku": sku, "qty": qty}


def by_wh(v: Valuation) -> pd.DataFrame:
    assert v.by_warehouse is not None
    return v.by_warehouse.set_index(["warehouse", "sku"])


# W1: opening 10 @ 10.00; buys 10 @ 13.00 (day 2). W2: buys 5 @ 20.00 (day 3). Day 4: 12 moved W1 → W2. Day 5: W2
# sells 8. Day 6: W1 buys 4 @ 16.00.
HAND = {
    OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 10, "warehouse": "W1"}],
    PURCHASES.name: [line(2, "P1", 10, 13, "W1"), line(3, "P2", 5, 20, "W2"), line(6, "P3", 4, 16, "W1")],
    TRANSFERS.name: [move(4, "T1", "W1", "W2", 12)],
    SALES.name: [line(5, "S1", 8, 30, "W2")],
}
# (transfer, sale, W1 closing, W2 closing) in cents, worked by hand:
# moving average: W1 (100 + 130) / 20 = 11.50 → T 138.00, W1 left 8 @ 11.50 = 92.00, + 64.00 = 156.00;
#   W2 (100 + 138) / 17 = 14.00 → sale 112.00, left 9 → 126.00.
# month-end average: W1 (100 + 130 + 64) / 24 = 12.25 → T 147.00, W1 12 × 12.25 = 147.00; W2 (100 + 147) / 17
#   = 14.529… → closing ROUND(9 × 14.529…) = 130.76, sale back-solved 247.00 − 130.76 = 116.24.
# FIFO: T = 10 @ 10 + 2 @ 13 = 126.00; W1 left 8 @ 13 + 4 @ 16 = 168.00; W2 receives the two layers as they were
#   (10 @ 10 of the undated opening, 2 @ 13 of 04-02), older than its own 5 @ 20 of 04-03: it sells 8 of the
#   opening layer = 80.00, left 2 @ 10 + 2 @ 13 + 5 @ 20 = 146.00.
HAND_CENTS = {
    "moving_average": (13800, 11200, 15600, 12600),
    "monthly_average": (14700, 11624, 14700, 13076),
    "fifo": (12600, 8000, 16800, 14600),
}


@pytest.mark.parametrize("method", METHODS)
def test_hand_checked_transfer(method: str) -> None:
    v = value_month(make_workbook(HAND, valuation=method))
    moved, sold, w1, w2 = HAND_CENTS[method]
    ev = v.events.set_index("kind")
    assert ev.loc["transfer_out", "cost_cents"] == moved == ev.loc["transfer_in", "cost_cents"]
    assert ev.loc["sale", "cost_cents"] == sold
    t = by_wh(v)
    assert t.loc[("W1", "A"), "closing_cents"] == w1 and t.loc[("W2", "A"), "closing_cents"] == w2
    assert t.loc[("W1", "A"), "transfer_out_cents"] == moved == t.loc[("W2", "A"), "transfer_in_cents"]
    assert t.loc[("W1", "A"), "closing_qty"] == 12 and t.loc[("W2", "A"), "closing_qty"] == 9
    company = v.stock.set_index("sku").loc["A"]
    assert company["closing_qty"] == 21 and company["closing_cents"] == w1 + w2
    assert company["opening_cents"] + company["purchase_cents"] - company["sale_cents"] == w1 + w2


def check_warehouses(v: Valuation) -> None:
    """Per warehouse row: closing = opening + receipts + transfers in − issues − transfers out + cost_adj; per SKU
    the rows sum to 库存 to the cent; every transfer's in equals its out."""
    t = v.by_warehouse
    assert t is not None
    receipts = t[["purchase_cents", "sales_return_cents", "count_gain_cents", "transfer_in_cents"]].sum(axis=1)
    issues = t[["sale_cents", "purchase_return_cents", "count_loss_cents", "transfer_out_cents"]].sum(axis=1)
    assert (t["closing_cents"] == t["opening_cents"] + receipts - issues + t["cost_adj_cents"]).all()
    q_in = t[["purchase_qty", "sales_return_qty", "count_gain_qty", "transfer_in_qty"]].sum(axis=1)
    q_out = t[["sale_qty", "purchase_return_qty", "count_loss_qty", "transfer_out_qty"]].sum(axis=1)
    assert np.allclose(t["closing_qty"], t["opening_qty"] + q_in - q_out, rtol=0, atol=1e-6)
    summed = t.groupby("sku", sort=False)[[c for c in t.columns if c.endswith("_cents")]].sum()
    company = v.stock.set_index("sku")
    for c in ("opening_cents", "closing_cents", "sale_cents", "purchase_cents", "cost_adj_cents"):
        assert (summed[c].reindex(company.index, fill_value=0) == company[c]).all(), c
    assert (summed["transfer_in_cents"] == summed["transfer_out_cents"]).all()
    ev = v.events
    out = ev.index[ev["kind"] == "transfer_out"].to_numpy()
    assert (ev.loc[out, "cost_cents"].to_numpy() == ev.loc[out + 1, "cost_cents"].to_numpy()).all()
    assert (ev.loc[out + 1, "kind"] == "transfer_in").all()


@pytest.mark.parametrize("method", METHODS)
def test_transfer_leaves_company_totals_unchanged(method: str) -> None:
    """Transfers after the month's other movements: the company is the same with and without them (moving
    average, FIFO: to the cent). Month-end average: each warehouse closes at ROUND(qty × its average), so the
    closing may move by a rounding cent per warehouse between closing and the back-solved cost of sales — their
    sum, what the month had, stays to the cent."""
    rows = {
        OPENING.name: [{"sku": "A", "qty": 10, "unit_cost": 10.123, "warehouse": "W1"}],
        PURCHASES.name: [line(2, "P1", 7, 13.07, "W1"), line(3, "P2", 3, 9.99, "W2")],
        SALES.name: [line(3, "S1", 4, 30, "W1")],
    }
    moved = rows | {TRANSFERS.name: [move(20, "T1", "W1", "W2", 9), move(21, "T2", "W2", "W3", 5)]}
    before = value_month(make_workbook(rows, valuation=method)).stock.set_index("sku")
    v = value_month(make_workbook(moved, valuation=method))
    after = v.stock.set_index("sku")
    cols = ["opening_cents", "purchase_cents", "closing_qty"]
    assert after.loc["A", cols].to_dict() == before.loc["A", cols].to_dict()
    total = ["sale_cents", "closing_cents"]
    assert after.loc["A", total].sum() == before.loc["A", total].sum()
    drift = abs(after.loc["A", "closing_cents"] - before.loc["A", "closing_cents"])
    assert drift == 0 if method != "monthly_average" else drift <= 3
    check_warehouses(v)
    t = by_wh(v)
    assert t.loc[("W3", "A"), "closing_qty"] == 5 and t.loc[("W2", "A"), "closing_qty"] == 7


@pytest.mark.parametrize("method", METHODS)
def test_warehouse_month_balances(method: str) -> None:
    wb = make_workbook(warehouse_month(), period="2026-11", valuation=method)
    v = value_month(wb)
    check_warehouses(v)
    t = by_wh(v)
    assert t.loc[("BR", "A002"), "closing_qty"] == 55 and t.loc[("WH", "A002"), "closing_qty"] == 120
    assert t.loc[("BR", "C001"), "closing_qty"] == 30 and t.loc[("WH", "C001"), "closing_qty"] == 210
    assert t.loc[("BR", "A001"), "closing_qty"] == 12  # 10 moved in, 2 returned there
    assert not {f.code for f in check(wb)} & WAREHOUSE_CODES


@pytest.mark.parametrize("method", METHODS)
def test_one_named_warehouse_values_as_none(method: str) -> None:
    """Every line in one named warehouse gives the same 库存 as the workbook without warehouses."""
    plain = make_workbook(small_month(), period="2026-11", valuation=method)
    named_rows = {
        k: [r | {"warehouse": "W"} if k in WITH_WAREHOUSE else r for r in v] for k, v in small_month().items()
    }
    named = make_workbook(named_rows, period="2026-11", valuation=method)
    a, b = value_month(plain), value_month(named)
    assert a.by_warehouse is None and b.by_warehouse is not None
    pd.testing.assert_frame_equal(a.stock, b.stock, check_dtype=False)
    assert (a.events["cost_cents"] == b.events["cost_cents"]).all()


WITH_WAREHOUSE = {OPENING.name, PURCHASES.name, SALES.name, RETURNS.name, COUNTS.name}


def test_today_shape_generates_no_warehouse_rows() -> None:
    """A workbook without warehouses: no keys, and 分仓库存 has no rows (库存 is the one warehouse)."""
    wb = make_workbook(small_month(), period="2026-11")
    assert value_month(wb).by_warehouse is None
    by = generate(wb)[STOCK_BY_WAREHOUSE.name]
    assert list(by.columns) == STOCK_BY_WAREHOUSE.keys() and len(by) == 0


def codes(rows: dict[str, list[dict[str, Any]]], **kw: Any) -> list[str]:
    return [f.code for f in check(make_workbook(rows, period="2026-11", **kw)) if f.code in WAREHOUSE_CODES]


def test_unknown_warehouse_fires_only_with_a_list() -> None:
    data = warehouse_month()
    data[SALES.name][0]["warehouse"] = "XX"
    data[TRANSFERS.name][0]["to_warehouse"] = "YY"
    data["tblOther"] = [
        {"date": "2026-11-20", "doc_no": "QT1", "reason": "other_in", "sku": "A001", "qty": 1, "warehouse": "ZZ"}
    ]
    found = check(make_workbook(data, period="2026-11"))
    unknown = [f for f in found if f.code == "unknown-warehouse"]
    assert sorted(f.value for f in unknown) == ["XX", "YY", "ZZ"]  # 其他出入库's 仓库 too (audit)
    assert {f.severity for f in unknown} == {"error"}
    without_list = {k: v for k, v in data.items() if k != WAREHOUSES.name}
    assert "unknown-warehouse" not in codes(without_list)


def test_transfer_to_itself() -> None:
    data = warehouse_month()
    data[TRANSFERS.name].append(
        {"date": "2026-11-19", "doc_no": "DB-9", "from_warehouse": "BR", "to_warehouse": "BR", "sku": "C001", "qty": 1}
    )
    found = [f for f in check(make_workbook(data, period="2026-11")) if f.code == "transfer-to-itself"]
    assert len(found) == 1 and found[0].row == 4 and "DB-9" in found[0].message


def test_transfer_exceeds_source_and_negative_stock_per_warehouse() -> None:
    data = warehouse_month()
    data[TRANSFERS.name][1]["qty"] = 51  # BR holds 50 of C001
    data[SALES.name].append(
        {"date": "2026-11-21", "doc_no": "SO-X", "customer": "x", "sku": "B001", "qty": 1, "unit_price": 49.9}
        | {"warehouse": "BR"}  # BR never held B001, though WH does (the company is not negative)
    )
    found = check(make_workbook(data, period="2026-11"))
    over = [f for f in found if f.code == "transfer-exceeds-stock"]
    assert len(over) == 1 and over[0].value == -1 and "DB-0002" in over[0].message
    neg = [f for f in found if f.code == "negative-stock"]
    assert len(neg) == 1 and "BR" in neg[0].message and neg[0].sheet == SALES.sheet("zh")
    allowed = check(make_workbook(data, period="2026-11", allow_negative=True))
    assert [f.severity for f in allowed if f.code == "transfer-exceeds-stock"] == ["warning"]
    assert not [f for f in allowed if f.code == "negative-stock"]


def test_findings_quiet_on_clean_data() -> None:
    assert codes(warehouse_month()) == []
    assert codes(small_month()) == []


@pytest.mark.parametrize("method", METHODS)
def test_close_carries_the_opening_per_warehouse(tmp_path: Path, method: str) -> None:
    src = write_book(tmp_path / "nov.xlsx", warehouse_month(), settings={"valuation": method})
    assert validate_file(src).errors == 0
    sync_file(src, backup=False)
    nxt = tmp_path / "dec.xlsx"
    close_month(src, nxt)
    nov = read_workbook(src).df(STOCK_BY_WAREHOUSE.name)
    dec = read_workbook(nxt)
    opening = dec.df(OPENING.name)
    assert set(opening["warehouse"]) == {"WH", "BR"}
    got = opening.assign(cents=np.round(opening["amount"] * 100)).groupby(["warehouse", "sku"])["cents"].sum()
    want = nov[nov["closing_qty"] != 0].set_index(["warehouse", "sku"])["closing_amount"] * 100
    assert got.sort_index().round().to_dict() == want.sort_index().round().to_dict()
    assert list(dec.df(WAREHOUSES.name)["code"]) == ["WH", "BR"]
    if method == "fifo":  # the lots of each warehouse: BR's A001 came by transfer (11-06) and by a return (11-14)
        br = opening[(opening["warehouse"] == "BR") & (opening["sku"] == "A001")]
        assert list(br["qty"]) == [10, 2]
    res = validate_file(nxt, previous=src)
    assert res.errors == 0, [f.message for f in res.findings if f.severity == "error"]
    again = value_month(dec)
    assert again.by_warehouse is not None
    assert (again.by_warehouse["opening_qty"] >= 0).all()


@st.composite
def ledgers(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    whs = ["W1", "W2", "W3"]
    skus = ["A", "B"]
    opening = [
        {"sku": s, "qty": draw(st.integers(0, 20)), "unit_cost": draw(st.integers(100, 900)) / 100, "warehouse": w}
        for s in skus
        for w in whs
        if draw(st.booleans())
    ]
    rows: dict[str, list[dict[str, Any]]] = {
        ITEMS.name: [{"sku": s, "name": s, "cost": 5} for s in skus],
        OPENING.name: opening,
        PURCHASES.name: [],
        SALES.name: [],
        TRANSFERS.name: [],
    }
    for i in range(draw(st.integers(1, 14))):
        day, sku, qty = draw(st.integers(1, 28)), draw(st.sampled_from(skus)), draw(st.integers(1, 12))
        kind = draw(st.sampled_from(["buy", "sell", "move"]))
        if kind == "move":
            src, dst = draw(st.sampled_from(whs)), draw(st.sampled_from(whs))
            rows[TRANSFERS.name].append(move(day, f"T{i}", src, dst, qty, sku))
        else:
            price = draw(st.integers(50, 2000)) / 100
            table = PURCHASES.name if kind == "buy" else SALES.name
            rows[table].append(line(day, f"D{i}", qty, price, draw(st.sampled_from(whs)), sku))
    return rows


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(rows=ledgers(), method=st.sampled_from(METHODS))
def test_warehouses_sum_to_the_company(rows: dict[str, list[dict[str, Any]]], method: str) -> None:
    wb = make_workbook(rows, valuation=method, allow_negative=True)
    v = value_month(wb)
    if v.by_warehouse is None:  # no line named a warehouse and no transfer
        return
    check_warehouses(v)
    company = v.stock.set_index("sku")
    qty = v.by_warehouse.groupby("sku")["closing_qty"].sum()
    assert np.allclose(qty.reindex(company.index, fill_value=0), company["closing_qty"], atol=1e-6)


def test_plan_per_warehouse_suggests_transfers_first() -> None:
    """plan_scope = warehouse: one line per warehouse that needs stock, the name carrying the warehouse; BR sells
    A002 and WH holds 120 of it with no demand (all excess), so BR's line moves them before buying anything."""
    company = generate(make_workbook(warehouse_month(), period="2026-11"))["tblPlan"]
    assert company["sku"].is_unique and not company["name"].str.contains("（").any()
    plan = generate(make_workbook(warehouse_month(), period="2026-11", plan_scope="warehouse"))["tblPlan"]
    lines = plan.set_index("name")
    a002 = lines.loc["陶瓷马克杯（BR）"]
    assert a002["reason"].startswith("先调拨：从 WH 调入 120（其富余 120）；") and a002["order_qty"] == 0
    b001 = lines.loc["竹制砧板（WH）"]  # B001 is only kept and sold at WH: the company's line
    assert b001["order_qty"] == company.set_index("sku").loc["B001", "order_qty"]
    assert "调拨" not in b001["reason"]
    en = generate(make_workbook(warehouse_month(), lang="en", period="2026-11", plan_scope="warehouse"))["tblPlan"]
    assert en["reason"].str.startswith("Transfer first: 120 from WH (its excess 120); ").any()


def test_plan_scope_warehouse_without_warehouses_is_the_company_plan() -> None:
    rows = small_month()
    a = generate(make_workbook(rows, period="2026-11"))["tblPlan"]
    b = generate(make_workbook(rows, period="2026-11", plan_scope="warehouse"))["tblPlan"]
    pd.testing.assert_frame_equal(a, b)


def test_jxc_plan_follows_the_scope(tmp_path: Path) -> None:
    from jxc_xl.planning import plan_file

    path = write_book(tmp_path / "wh.xlsx", warehouse_month(), settings={"plan_scope": "warehouse"})
    names = set(plan_file(path).plan["name"])
    assert "陶瓷马克杯（BR）" in names and "竹制砧板（WH）" in names


def test_stock_card_names_the_warehouse() -> None:
    from jxc_xl.core.card import card_lines

    wb = make_workbook(warehouse_month(), period="2026-11")
    card = card_lines(wb, value_month(wb), "zh", ["A001"])
    moved = card[card["kind"].str.startswith("调拨")]
    assert list(moved["kind"]) == ["调拨调出（WH）", "调拨调入（BR）"] and list(moved["counterparty"]) == ["BR", "WH"]
    assert list(moved["out_amount"].dropna()) == list(moved["in_amount"].dropna())  # at the source's cost
    assert "销售退回（BR）" in set(card["kind"])
    assert card["balance_amount"].iloc[-1] == pytest.approx(
        value_month(wb).stock.set_index("sku").loc["A001", "closing_cents"] / 100
    )


def test_close_into_a_month_without_the_warehouse_column_is_refused(tmp_path: Path) -> None:
    """An existing next month of an older template (期初 without 仓库): close says so rather than drop it."""
    import zipfile

    from jxc_xl.errors import JxcError

    src = write_book(tmp_path / "nov.xlsx", warehouse_month())
    made = write_book(tmp_path / "made.xlsx", {}, period="2026-12")
    nxt = tmp_path / "dec.xlsx"
    with zipfile.ZipFile(made) as zin, zipfile.ZipFile(nxt, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():  # every 仓库 header renamed: the reader finds no warehouse column
            data = zin.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace("<t>仓库</t>".encode(), "<t>旧列</t>".encode())
            zout.writestr(item, data)
    assert "warehouse" not in read_workbook(nxt).tables[OPENING.name].col_letters
    with pytest.raises(JxcError, match="仓库"):
        close_month(src, nxt)
    close_month(src, made)  # a next month with the column takes the opening per warehouse
    assert set(read_workbook(made).df(OPENING.name)["warehouse"]) == {"WH", "BR"}


@pytest.mark.parametrize("method", ["moving_average", "monthly_average", "fifo"])
def test_other_movements_in_warehouses_tie_everywhere(method: str) -> None:
    """Issues 12.2 + 12.3 + 12.6 together: a 报损 in BR and an other receipt in the default warehouse. Every
    库存 row and every 分仓库存 row holds its identity to the cent, the warehouses add up to the company, and
    the ageing bands add up to the closing."""
    from datetime import date

    from jxc_xl.core.money import to_cents

    data = warehouse_month()
    data["tblOther"] = [
        {"date": date(2026, 11, 20), "doc_no": "QT1", "reason": "damage", "sku": "A001", "qty": 2, "warehouse": "BR"},
        {"date": date(2026, 11, 21), "doc_no": "QT2", "reason": "other_in", "sku": "C001", "qty": 5},
    ]
    wb = make_workbook(data, period="2026-11", valuation=method)
    assert check(wb) == []
    t = generate(wb)
    stock, by_wh, an = t["tblStock"], t["tblStockByWarehouse"], t["tblAnalysis"]

    def cents(df: pd.DataFrame, key: str) -> np.ndarray:
        return to_cents(df[key].fillna(0).to_numpy(np.float64))

    ins = ("opening", "purchase", "sales_return", "count_gain", "other_in")
    outs = ("sale", "purchase_return", "count_loss", "other_out")
    net = sum(cents(stock, f"{k}_amount") for k in ins) - sum(cents(stock, f"{k}_amount") for k in outs)
    assert (net + cents(stock, "cost_adj_amount") == cents(stock, "closing_amount")).all()
    assert cents(stock, "other_out_amount").sum() > 0 and cents(stock, "other_in_amount").sum() > 0
    wh_net = (
        cents(by_wh, "opening_amount")
        + cents(by_wh, "received_amount")
        + cents(by_wh, "transfer_in_amount")
        - cents(by_wh, "issued_amount")
        - cents(by_wh, "transfer_out_amount")
        + cents(by_wh, "cost_adj_amount")
    )
    assert (wh_net == cents(by_wh, "closing_amount")).all()
    assert cents(by_wh, "closing_amount").sum() == cents(stock, "closing_amount").sum()
    bands = sum(cents(an, f"age_band_{k}") for k in range(1, 6))
    assert bands.sum() == cents(stock, "closing_amount").sum()


def test_plan_per_warehouse_plans_each_warehouse_on_its_own_demand() -> None:
    """A SKU sold at W1 (about 4 a day) and W2 (about 1 a day): each line's safety stock is above its share of the
    company's (a small warehouse's spread is √share of the SKU's, not share), its EOQ is √(its demand ÷ the
    SKU's) of the company's, not its share; the two daily demands add up to the company's."""
    from jxc_xl.core.plan import plan_metrics
    from jxc_xl.core.plan_warehouse import SHARE_PRIOR

    rng = np.random.default_rng(4)
    sold = {w: [int(q) for q in rng.poisson(lam, 20)] for w, lam in (("W1", 4.0), ("W2", 1.0))}
    rows = {
        WAREHOUSES.name: [{"code": "W1", "name": "一仓"}, {"code": "W2", "name": "二仓"}],
        ITEMS.name: [{"sku": "A", "name": "杯", "supplier": "S", "cost": 10.0, "lead_time_days": 7}],
        OPENING.name: [{"sku": "A", "qty": q, "unit_cost": 10, "warehouse": w} for w, q in (("W1", 100), ("W2", 30))],
        SALES.name: [line(i + 1, f"{w}{i}", q, 20, w) for w, qs in sold.items() for i, q in enumerate(qs) if q],
    }
    wb = make_workbook(rows, plan_scope="warehouse")
    company = plan_metrics(wb, value_month(wb)).loc["A"]
    plan = generate(wb)["tblPlan"].set_index("name")
    w1, w2 = plan.loc["杯（W1）"], plan.loc["杯（W2）"]
    q1, q2 = sum(sold["W1"]), sum(sold["W2"])
    for got, q in ((w1, q1), (w2, q2)):
        share = (q + SHARE_PRIOR) / (q1 + q2 + 2 * SHARE_PRIOR)
        assert got["safety_stock"] > company["safety_stock"] * share
        assert got["eoq"] == pytest.approx(
            company["eoq"] * np.sqrt(got["avg_daily_demand"] / company["avg_daily_demand"])
        )
    assert w1["avg_daily_demand"] + w2["avg_daily_demand"] == pytest.approx(company["avg_daily_demand"], rel=0.01)
    assert w1["safety_stock"] + w2["safety_stock"] > company["safety_stock"]  # the pooling the company's stock had


# FIFO transfers move the layers they take (issue 12.2, 12.4, 12.6). W1: a lot of 10 @ 10 received 01-10 and 10 @ 13
# bought 04-02 (P1); W2 buys 5 @ 20 on 04-03 (P2). Day 4: 12 moved W1 → W2, taking the lot and 2 of P1.
LAYERED = {
    ITEMS.name: [{"sku": "A", "name": "甲", "unit": "个", "cost": 10, "price": 30, "lead_time_days": 5}],
    WAREHOUSES.name: [{"code": "W1", "name": "一号"}, {"code": "W2", "name": "二号"}],
    OPENING.name: [
        {"sku": "A", "qty": 10, "unit_cost": 10, "amount": 100, "receipt_date": "2026-01-10", "warehouse": "W1"}
    ],
    PURCHASES.name: [line(2, "P1", 10, 13, "W1"), line(3, "P2", 5, 20, "W2")],
    TRANSFERS.name: [move(4, "T1", "W1", "W2", 12)],
}


def lot_rows(lots: pd.DataFrame, wh: str) -> list[tuple[float, int, str | None, str | None]]:
    mine = lots[lots["warehouse"] == wh]
    days = [None if pd.isna(d) else str(pd.Timestamp(d).date()) for d in mine["receipt_date"]]
    docs = [None if pd.isna(x) else x for x in mine["doc_no"]]
    return list(zip(mine["qty"], mine["cents"], days, docs, strict=True))


def test_fifo_transfer_moves_the_layers_with_their_cost_and_receipt_date() -> None:
    v = value_month(make_workbook(LAYERED, valuation="fifo"))
    assert v.lots is not None
    # W2 holds the lot (its 01-10), 2 of P1 (04-02, at 13) before its own P2 (04-03): in receipt order
    assert lot_rows(v.lots, "W2") == [
        (10, 10000, "2026-01-10", None),
        (2, 2600, "2026-04-02", "P1"),
        (5, 10000, "2026-04-03", "P2"),
    ]
    assert lot_rows(v.lots, "W1") == [(8, 10400, "2026-04-02", "P1")]
    t = by_wh(v)
    assert t.loc[("W1", "A"), "transfer_out_cents"] == 12600 == t.loc[("W2", "A"), "transfer_in_cents"]
    check_warehouses(v)
    unmoved = value_month(make_workbook({k: r for k, r in LAYERED.items() if k != TRANSFERS.name}, valuation="fifo"))
    cols = ["closing_qty", "closing_cents", "purchase_cents"]
    assert v.stock[cols].to_dict() == unmoved.stock[cols].to_dict()


def test_transferred_fifo_stock_ages_from_its_first_receipt() -> None:
    from jxc_xl.core.ageing import stock_ageing

    wb = make_workbook(LAYERED, valuation="fifo", stale_days=100)
    v = value_month(wb)
    age = stock_ageing(wb, v)
    # at 04-30: the 01-10 lot is 110 days old (91-180, stale over 100 days) wherever it is; the rest under 30
    assert age.band_cents[0].tolist() == [8 * 1300 + 2600 + 10000, 0, 0, 10000, 0]
    assert age.stale_cents[0] == 10000
    assert age.avg_age_days[0] == pytest.approx((10 * 110 + 10 * 28 + 5 * 27) / 25)


def test_close_carries_transferred_lots_and_next_month_issues_them_oldest_first(tmp_path: Path) -> None:
    src = write_book(tmp_path / "apr.xlsx", LAYERED, period="2026-04", settings={"valuation": "fifo"})
    sync_file(src, backup=False)
    nxt = tmp_path / "may.xlsx"
    close_month(src, nxt)
    opening = read_workbook(nxt).df(OPENING.name)
    w2 = opening[opening["warehouse"] == "W2"]
    assert w2["qty"].tolist() == [10, 2, 5] and w2["unit_cost"].tolist() == [10, 13, 20]
    assert [str(pd.Timestamp(d).date()) for d in w2["receipt_date"]] == ["2026-01-10", "2026-04-02", "2026-04-03"]
    res = validate_file(nxt, previous=src)
    assert res.errors == 0, [f.message for f in res.findings if f.severity == "error"]

    sale = {"date": "2026-05-06", "doc_no": "S1", "customer": "c", "sku": "A", "qty": 11, "unit_price": 30}
    from jxc_xl.io.xlsxpatch import write_tables

    write_tables(nxt, nxt, {SALES.name: pd.DataFrame([sale | {"warehouse": "W2"}])}, backup=False)
    may = value_month(read_workbook(nxt))
    assert may.events.set_index("kind").loc["sale", "cost_cents"] == 10 * 1000 + 1300  # the 01-10 lot, then P1
    # the same sale within April (after the transfer) costs the same: close changes nothing of the order
    april = LAYERED | {SALES.name: [line(20, "S1", 11, 30, "W2")]}
    assert (
        value_month(make_workbook(april, valuation="fifo")).events.set_index("kind").loc["sale", "cost_cents"] == 11300
    )


def test_fifo_transfer_beyond_the_source_stock_arrives_dated_the_transfer_day() -> None:
    """Negative stock allowed: W1 holds the 10 @ 10 lot of 01-10 only; moving 12 sends the lot as it is and the 2
    beyond it at the last unit cost, a layer received on the transfer date; W1 is left at −2."""
    rows = {k: LAYERED[k] for k in (ITEMS.name, WAREHOUSES.name, OPENING.name)}
    v = value_month(make_workbook(rows | {TRANSFERS.name: [move(4, "T1", "W1", "W2", 12)]}, valuation="fifo"))
    assert v.lots is not None
    assert lot_rows(v.lots, "W2") == [(10, 10000, "2026-01-10", None), (2, 2000, "2026-04-04", None)]
    t = by_wh(v)
    assert t.loc[("W1", "A"), "closing_qty"] == -2 and t.loc[("W2", "A"), "transfer_in_cents"] == 12000
    check_warehouses(v)


def test_goods_on_order_are_not_offered_as_a_transfer() -> None:
    """W1 holds 1 and sells nothing; W2 sells 2 a day and is short; a purchase order of 300 is open (it counts at
    the SKU's first warehouse): the plan must not move 301 out of W1, which holds 1 (the audit's case)."""
    from datetime import date

    from jxc_xl.core.plan import plan_metrics
    from jxc_xl.core.plan_warehouse import scoped_plan
    from jxc_xl.schema import HISTORY, ORDERS

    rows = {
        WAREHOUSES.name: [{"code": "W1", "name": "一"}, {"code": "W2", "name": "二"}],
        ITEMS.name: [{"sku": "E", "name": "E", "unit": "个", "cost": 10, "lead_time_days": 7, "supplier": "sup"}],
        HISTORY.name: [{"sku": "E", "period": f"2026-0{m}", "demand_qty": 60} for m in (1, 2, 3)],
        OPENING.name: [{"sku": "E", "qty": 1, "unit_cost": 10, "amount": 10, "warehouse": w} for w in ("W1", "W2")],
        SALES.name: [line(day, f"S{day}", 2, 30, "W2", "E") for day in range(1, 21)],
        ORDERS.name: [
            {
                "order_date": date(2026, 4, 18),
                "doc_no": "PO1",
                "supplier": "sup",
                "sku": "E",
                "qty": 300,
                "expected_date": date(2026, 4, 25),
                "status": "open",
            }
        ],
    }
    wb = make_workbook(rows, allow_negative=True, plan_scope="warehouse", as_of=date(2026, 4, 20))
    val = value_month(wb)
    plan = scoped_plan(wb, val, plan_metrics(wb, val), None, "en")
    w2 = plan[plan["name"].str.contains("W2")]
    assert len(w2) == 1 and "Transfer first: 1 from W1 (its excess 1)" in str(w2["reason"].iloc[0])  # all it holds
    assert w2["order_qty"].iloc[0] > 0  # the rest is ordered: the 300 on order is not W1's to move
