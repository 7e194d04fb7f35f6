"""Stock ageing (库龄, issue 12 part 6): the closing stock by receipt date in the bands of ageing_buckets, the
average age and the stale (积压) amount, per method; on 分析 and in the summary; the bands setting validated."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl.core.ageing import ageing_pieces, band_labels, stock_ageing
from jxc_xl.core.generate import generate
from jxc_xl.core.valuation import value_month
from jxc_xl.io.reader import read_workbook
from jxc_xl.schema import ANALYSIS, MAX_AGE_BANDS, OPENING, SUMMARY_SECTIONS, Settings, age_bounds
from jxc_xl.sync import close_month
from jxc_xl.validate import validate_file
from tests.factories import make_workbook, write_book
from tests.test_valuation import _ev, _ledger

METHODS = ("moving_average", "monthly_average", "fifo")
ITEMS = [{"sku": "A", "name": "甲", "unit": "个", "cost": 10, "price": 30, "lead_time_days": 5, "active": "yes"}]


def line(day: date, doc: str, qty: float, price: float, sku: str = "A", **kw: Any) -> dict[str, Any]:
    return {"date": day, "doc_no": doc, "sku": sku, "qty": qty, "unit_price": price, "amount": qty * price, **kw}


def lot(qty: float, cost: float, received: str | None, sku: str = "A") -> dict[str, Any]:
    return {"sku": sku, "qty": qty, "unit_cost": cost, "amount": round(qty * cost, 2), "receipt_date": received}


def november(method: str, **overrides: Any) -> Any:
    """A lot of 10 @ 10 received 10-01; buy 10 @ 12 on 11-05 and 5 @ 13 on 11-28; sell 8 on 11-10."""
    rows = {
        "tblOpening": [lot(10, 10, "2026-10-01")],
        "tblPurchases": [line(date(2026, 11, 5), "P1", 10, 12), line(date(2026, 11, 28), "P2", 5, 13)],
        "tblSales": [line(date(2026, 11, 10), "S1", 8, 30)],
    }
    return make_workbook(rows, period="2026-11", valuation=method, **overrides)


# At 11-30: the 10-01 lot is 60 days old (band 31-60), 11-05 25 days, 11-28 2 days (band 0-30); 17 on hand.
# FIFO: the sale took 8 of the lot: 2 @ 10 (20.00) old, 10 @ 12 + 5 @ 13 (185.00) new.
# Moving average: 197.00 at 11-30 (100 + 120 − 88.00 + 65); newest first 5, 10, then 2: cumulative shares 5/17,
# 15/17 of 19,700 cents → 5,794 and 17,382 ROUND_HALF_UP; the 2 of the lot get 19,700 − 17,382 = 2,318.
# Month-end average: unit cost 285 / 25 = 11.40, closing 193.80; 15/17 of it = 171.00, the lot 22.80.
HAND = {"fifo": (18500, 2000), "moving_average": (17382, 2318), "monthly_average": (17100, 2280)}


@pytest.mark.parametrize("method", METHODS)
def test_hand_checked_bands_to_the_cent_and_the_day(method: str) -> None:
    wb = november(method, stale_days=45)
    val = value_month(wb)
    age = stock_ageing(wb, val)
    new, old = HAND[method]
    assert age.bounds == (30, 60, 90, 180)
    assert age.band_cents[0].tolist() == [new, old, 0, 0, 0]
    assert age.band_cents[0].sum() == val.stock["closing_cents"].iloc[0]
    assert age.band_qty[0].tolist() == [15, 2, 0, 0, 0]
    assert age.avg_age_days[0] == pytest.approx((2 * 60 + 10 * 25 + 5 * 2) / 17)
    assert age.stale_cents.tolist() == [old]  # the 2 of the lot are older than 45 days
    pieces = ageing_pieces(wb, val)
    days = (pd.Timestamp("2026-11-30") - pieces["receipt_date"]).dt.days
    assert sorted(zip(days.tolist(), pieces["qty"].tolist(), strict=True)) == [(2, 5), (25, 10), (60, 2)]


@pytest.mark.parametrize("method", METHODS)
def test_opening_without_a_receipt_date_is_aged_from_before_the_period(method: str) -> None:
    rows = {"tblOpening": [{"sku": "A", "qty": 6, "amount": 60}], "tblSales": [line(date(2026, 11, 3), "S", 1, 9)]}
    wb = make_workbook(rows, period="2026-11", valuation=method, ageing_buckets="29,45")
    age = stock_ageing(wb, value_month(wb))
    # dated 10-31: 30 days at 11-30, just past the first bound of 29
    assert age.band_cents[0].tolist() == [0, 5000, 0, 0, 0]
    assert age.avg_age_days[0] == 30


@pytest.mark.parametrize("method", ["moving_average", "monthly_average"])
def test_average_methods_take_returns_and_count_surpluses_as_receipts(method: str) -> None:
    rows = {
        "tblOpening": [lot(10, 10, "2026-05-01")],  # 213 days at 11-30: stale
        "tblPurchases": [line(date(2026, 11, 2), "P1", 4, 10), line(date(2026, 11, 25), "P2", 5, 10)],
        "tblSales": [line(date(2026, 11, 3), "S1", 6, 30)],
        "tblReturns": [
            {"date": date(2026, 11, 20), "kind": "sales_return", "orig_doc_no": "S1", "sku": "A", "qty": 1},
            {"date": date(2026, 11, 26), "kind": "purchase_return", "orig_doc_no": "P2", "sku": "A", "qty": 5},
        ],
        "tblCounts": [{"date": date(2026, 11, 27), "sku": "A", "counted_qty": 11}],
    }
    wb = make_workbook(rows, period="2026-11", valuation=method)
    val = value_month(wb)
    assert val.stock["closing_qty"].iloc[0] == 11  # 10 + 4 − 6 + 1 (+5 −5) + a surplus of 2
    pieces = ageing_pieces(wb, val).sort_values("receipt_date")
    got = list(zip(pieces["receipt_date"].dt.strftime("%m-%d"), pieces["qty"], strict=True))
    # newest first: the surplus of 2 (11-27), the return of 1 (11-20), P1's 4 (11-02), then 4 of the opening lot;
    # P2 was sent back whole: none of it is on the shelf
    assert got == [("05-01", 4), ("11-02", 4), ("11-20", 1), ("11-27", 2)]
    age = stock_ageing(wb, val)
    assert age.band_cents[0].sum() == val.stock["closing_cents"].iloc[0] == 11000
    assert age.stale_cents[0] == 4000 and age.band_cents[0].tolist() == [7000, 0, 0, 0, 4000]


@pytest.mark.parametrize("method", METHODS)
def test_no_stock_on_hand_puts_the_closing_in_band_one(method: str) -> None:
    rows = {"tblOpening": [lot(2, 5, "2026-03-01")], "tblSales": [line(date(2026, 11, 2), "S1", 5, 9)]}
    wb = make_workbook(rows, period="2026-11", valuation=method, allow_negative=True)
    val = value_month(wb)
    age = stock_ageing(wb, val)
    closing = int(val.stock["closing_cents"].iloc[0])
    assert closing < 0 and age.band_cents[0].tolist() == [closing, 0, 0, 0, 0]
    assert np.isnan(age.avg_age_days[0]) and age.stale_cents[0] == 0


def test_fifo_lots_carried_by_close_age_from_their_first_receipt(tmp_path: Path) -> None:
    oct_ = write_book(
        tmp_path / "oct.xlsx",
        {
            "tblItems": ITEMS,
            "tblOpening": [lot(10, 8, "2026-05-20")],
            "tblPurchases": [line(date(2026, 10, 5), "P1", 10, 11, supplier="s")],
            "tblSales": [line(date(2026, 10, 9), "S1", 7, 30, customer="c")],
        },
        period="2026-10",
        settings={"valuation": "fifo"},
    )
    nov = tmp_path / "nov.xlsx"
    close_month(oct_, nov)
    wb = read_workbook(nov)
    val = value_month(wb)
    age = stock_ageing(wb, val)
    # 3 @ 8 of the May lot: 194 days at 11-30 (over 180, stale); the October purchase 56 days
    assert age.band_cents[0].tolist() == [0, 11000, 0, 0, 2400]
    assert age.stale_cents[0] == 2400
    assert age.avg_age_days[0] == pytest.approx((3 * 194 + 10 * 56) / 13)


@pytest.mark.parametrize("method", ["moving_average", "monthly_average"])
def test_average_methods_carry_the_age_by_receipt_date_and_age_an_undated_row_by_last_months_purchases(
    tmp_path: Path, method: str
) -> None:
    sep = write_book(
        tmp_path / "sep.xlsx",
        {
            "tblItems": ITEMS,
            "tblPurchases": [
                line(date(2026, 9, 3), "P1", 10, 10, supplier="s"),
                line(date(2026, 9, 20), "P2", 5, 12, supplier="s"),
            ],
            "tblSales": [line(date(2026, 9, 25), "S1", 8, 30, customer="c")],
        },
        period="2026-09",
        settings={"valuation": method},
    )
    oct_ = tmp_path / "oct.xlsx"
    close_month(sep, oct_)
    wb = read_workbook(oct_)
    op = wb.df("tblOpening")
    # the closing 7 by the FIFO assumption: 2 of P1 (09-03) and P2's 5 (09-20), oldest first, adding up to it
    assert op["qty"].tolist() == [2, 5]
    assert [str(pd.Timestamp(d).date()) for d in op["receipt_date"]] == ["2026-09-03", "2026-09-20"]
    sep_closing = value_month(read_workbook(sep)).stock["closing_cents"].iloc[0]
    assert round(op["amount"].sum() * 100) == sep_closing
    undated = op.iloc[[0]].assign(qty=7.0, amount=op["amount"].sum(), receipt_date=pd.NaT)  # as closed before
    for opening in (op, undated):
        wb.tables["tblOpening"].df = opening
        wb.tables["tblPurchases"].df = pd.DataFrame([line(date(2026, 10, 10), "P3", 3, 11, supplier="s", _row=2)])
        wb.derived.clear()
        assert wb.settings is not None
        wb.settings = wb.settings.model_copy(update={"ageing_buckets": "25,50"})
        val = value_month(wb)
        age = stock_ageing(wb, val)
        # at 10-31: the 3 of October (21 days); the opening 7 = P2's 5 (09-20, 41 days) and 2 of P1 (09-03, 58
        # days) — by the dates close wrote, or, undated, by last months' purchases in tblCarried
        assert age.band_qty[0].tolist() == [3, 5, 2, 0, 0]
        assert age.band_cents[0].sum() == val.stock["closing_cents"].iloc[0]
        assert age.avg_age_days[0] == pytest.approx((3 * 21 + 5 * 41 + 2 * 58) / 10)


def test_analysis_columns_and_summary_section_tie_to_the_closing() -> None:
    wb = november("fifo", ageing_buckets="15, 45")
    tables = generate(wb)
    an, stock, summary = tables["tblAnalysis"], tables["tblStock"], tables["tblSummary"]
    assert [k for k in ANALYSIS.keys() if k.startswith("age_band_")] == [f"age_band_{k}" for k in range(1, 6)]
    row = an.set_index("sku").loc["A"]
    # bands 0-15, 16-45, over 45: 11-28 (2 days); 11-05 (25 days); the lot (60 days); bands 4 and 5 unused
    assert [row[f"age_band_{k}"] for k in (1, 2, 3)] == [65.0, 120.0, 20.0]
    assert np.isnan(row["age_band_4"]) and np.isnan(row["age_band_5"])
    assert row["avg_age_days"] == 22.4 and row["stale_amount"] == 0.0  # (2·60 + 10·25 + 5·2) / 17; none over 180
    assert sum(row[f"age_band_{k}"] for k in (1, 2, 3)) == stock.set_index("sku").loc["A", "closing_amount"]
    sec = summary[summary["section"] == SUMMARY_SECTIONS["ageing"].label("zh")]
    stale = "积压（库龄超过 180 天）金额 / 商品数"
    assert sec["item"].tolist() == ["库龄 0-15 天", "库龄 16-45 天", "库龄超过 45 天", stale]
    assert sec["amount"].tolist() == [65.0, 120.0, 20.0, 0.0]
    assert round(sec["amount"].iloc[:3].sum(), 2) == stock["closing_amount"].sum()
    en = generate(wb, lang="en")["tblSummary"]
    en = en[en["section"] == SUMMARY_SECTIONS["ageing"].label("en")]
    assert en["item"].iloc[:3].tolist() == ["Age 0-15 days", "Age 16-45 days", "Age over 45 days"] and len(en) == 4
    assert en["item"].iloc[-1] == "Stale (over 180 days) amount / items"


def test_band_labels_and_bounds_parsing() -> None:
    assert band_labels((30, 60), "{lo}-{hi}", "> {hi}") == ["0-30", "31-60", "> 60"]
    assert age_bounds("30,60,90,180") == (30, 60, 90, 180)
    assert age_bounds(" 7，14；30 ") == (7, 14, 30) and age_bounds(90.0) == (90,)
    for bad in ("", "60,30", "30,30", "0,30", "a,b", "1.5", "10,20,30,40,50", "-5", "nan"):
        assert age_bounds(bad) is None, bad
    assert Settings(period="2026-11", ageing_buckets="oops").age_bounds == (30, 60, 90, 180)
    assert MAX_AGE_BANDS == 5


def test_bad_bands_setting_is_a_finding_and_the_default_applies(tmp_path: Path) -> None:
    path = write_book(tmp_path / "m.xlsx", {"tblItems": ITEMS}, period="2026-11", settings={"ageing_buckets": "90,30"})
    res = validate_file(path)
    bad = [f for f in res.findings if f.code == "settings-invalid"]
    assert len(bad) == 1 and bad[0].severity == "error" and "90,30" in bad[0].message and "递增" in bad[0].message
    wb = read_workbook(path)
    assert wb.settings is not None and wb.settings.age_bounds == (30, 60, 90, 180)
    good = write_book(tmp_path / "g.xlsx", {"tblItems": ITEMS}, period="2026-11", settings={"ageing_buckets": "7,14"})
    assert [f for f in validate_file(good).findings if f.code == "settings-invalid"] == []
    assert read_workbook(good).settings.age_bounds == (7, 14)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------------
# Generated ledgers: every SKU's bands add up to its closing amount, for every method


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(_ev, max_size=50),
    opening=st.dictionaries(st.sampled_from(["A", "B", "C"]), st.tuples(st.integers(0, 30), st.integers(1, 9999))),
    lot_days=st.lists(st.one_of(st.none(), st.integers(0, 400)), min_size=3, max_size=3),
    split=st.booleans(),
)
def test_bands_add_up_to_the_closing_for_generated_ledgers(lines, opening, lot_days, split) -> None:
    rows = _ledger(lines, opening)
    lots = []
    for (sku, (q, c)), back in zip(opening.items(), lot_days, strict=False):
        received = None if back is None else (date(2026, 3, 31) - timedelta(days=back)).isoformat()
        if split and q > 1:  # two lots: the first older
            lots += [lot(q // 2, c / 100, "2025-12-01", sku), lot(q - q // 2, c / 100 + 1, received, sku)]
        else:
            lots.append(lot(q, c / 100, received, sku))
    rows[OPENING.name] = lots
    for method in ("moving_average", "monthly_average", "fifo"):
        wb = make_workbook(rows, valuation=method)
        val = value_month(wb)
        age = stock_ageing(wb, val)
        closing_qty = val.stock["closing_qty"].to_numpy()
        assert (age.band_cents.sum(axis=1) == val.stock["closing_cents"].to_numpy()).all()
        on_hand = closing_qty > 0
        assert np.allclose(age.band_qty.sum(axis=1)[on_hand], closing_qty[on_hand])
        assert (age.stale_cents == np.where(on_hand, age.band_cents[:, 4], 0)).all()  # stale_days 180 = last bound
        assert np.isnan(age.avg_age_days[~on_hand]).all()
        assert ((age.avg_age_days[on_hand] >= 0) & (age.avg_age_days[on_hand] <= 31 + 400 + 150)).all()


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_stock_unsold_for_months_ages_past_180_days_through_any_number_of_closes(tmp_path: Path, method: str) -> None:
    """Issue 12 d: eight months built with ``jxc close``. A's 10 bought 01-05 are never sold; B is bought and
    partly sold every month. Each month A's stock is aged from 01-05 — past 180 days from July on, in the last
    band and in 积压 — for every method (the average methods through the opening rows close dates), and every
    SKU's bands add up to its closing to the cent; the last month, synced, ties 分析 to 库存."""
    from jxc_xl.core.ageing import age_band
    from jxc_xl.io.xlsxpatch import write_tables
    from jxc_xl.sync import sync_file

    items = [ITEMS[0], ITEMS[0] | {"sku": "B", "name": "乙"}]
    periods = [f"2026-{m:02d}" for m in range(1, 9)]
    path = write_book(tmp_path / "m1.xlsx", {"tblItems": items}, period=periods[0], settings={"valuation": method})
    for k, period in enumerate(periods):
        m = k + 1
        buys = [line(date(2026, m, 3), f"P{m}B", 6, 5 + m / 10, "B", supplier="s")]
        if m == 1:
            buys.insert(0, line(date(2026, 1, 5), "P1A", 10, 10, "A", supplier="s"))
        sales = [line(date(2026, m, 20), f"S{m}B", 5, 30, "B", customer="c")]
        write_tables(path, path, {"tblPurchases": pd.DataFrame(buys), "tblSales": pd.DataFrame(sales)}, backup=False)
        wb = read_workbook(path)
        val = value_month(wb)
        age = stock_ageing(wb, val)
        assert wb.settings is not None and wb.settings.period == period
        a_age = (wb.settings.last_day - date(2026, 1, 5)).days
        a = val.stock.index[val.stock["sku"] == "A"][0]
        want = np.zeros(MAX_AGE_BANDS, dtype=np.int64)
        want[int(age_band(np.array([float(a_age)]), age.bounds)[0])] = 10000
        assert age.band_cents[a].tolist() == want.tolist(), period
        assert age.stale_cents[a] == (10000 if a_age > 180 else 0), period
        assert (age.band_cents.sum(axis=1) == val.stock["closing_cents"].to_numpy()).all(), period
        if m < len(periods):
            nxt = tmp_path / f"m{m + 1}.xlsx"
            close_month(path, nxt)
            path = nxt
    assert a_age > 210 and age.band_cents[a][-1] == 10000
    sync_file(path, backup=False)
    synced = read_workbook(path)
    an, stock = synced.df("tblAnalysis").set_index("sku"), synced.df("tblStock").set_index("sku")
    bands = an[[f"age_band_{k}" for k in range(1, 6)]].fillna(0).sum(axis=1)
    assert (np.round(bands * 100) == np.round(stock.loc[bands.index, "closing_amount"] * 100)).all()
    assert an.loc["A", "age_band_5"] == 100.0 and an.loc["A", "stale_amount"] == 100.0
