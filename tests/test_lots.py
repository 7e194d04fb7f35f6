"""FIFO lots carried across months (issue 12 part 4): several opening rows per SKU with receipt dates, FIFO
issues them oldest first, close writes the layers left, validation accepts them; the averages merge them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jxc_xl.core.closing import carry_forward
from jxc_xl.core.ledger import ledger_events
from jxc_xl.core.rules import check
from jxc_xl.core.valuation import _cost, _inputs, value_month
from jxc_xl.errors import ValidationFailedError
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.sync import close_month, sync_file
from jxc_xl.validate import validate_file
from tests.factories import make_workbook, write_book

ITEMS = [{"sku": "A", "name": "甲", "unit": "个", "cost": 10, "price": 30, "lead_time_days": 5, "active": "yes"}]


def line(day: date, doc: str, qty: float, price: float, sku: str = "A", **kw: Any) -> dict[str, Any]:
    return {"date": day, "doc_no": doc, "sku": sku, "qty": qty, "unit_price": price, "amount": qty * price, **kw}


def lot(qty: float, cost: float, received: str | None, sku: str = "A") -> dict[str, Any]:
    return {"sku": sku, "qty": qty, "unit_cost": cost, "amount": round(qty * cost, 2), "receipt_date": received}


def stock_row(wb_stock: pd.DataFrame, sku: str = "A") -> dict[str, Any]:
    return {str(k): v for k, v in wb_stock.set_index("sku").loc[sku].items()}


def test_textbook_fifo_across_a_month_boundary_through_close(tmp_path: Path) -> None:
    """October buy 10 @ 10, buy 10 @ 20, sell 5; close; November sell 10 → COGS 150.00, closing 100.00."""
    oct_ = write_book(
        tmp_path / "oct.xlsx",
        {
            "tblItems": ITEMS,
            "tblPurchases": [
                line(date(2026, 10, 1), "P1", 10, 10, supplier="s"),
                line(date(2026, 10, 2), "P2", 10, 20, supplier="s"),
            ],
            "tblSales": [line(date(2026, 10, 3), "S1", 5, 30, customer="c")],
        },
        period="2026-10",
        settings={"valuation": "fifo"},
    )
    nov = tmp_path / "nov.xlsx"
    assert close_month(oct_, nov).opening_rows == 2
    opening = read_workbook(nov).df("tblOpening")
    assert opening[["qty", "unit_cost", "amount"]].to_numpy().tolist() == [[5, 10, 50], [10, 20, 200]]
    assert opening["receipt_date"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-02")]

    wb = read_workbook(nov)
    wb.tables["tblSales"].df = pd.DataFrame([line(date(2026, 11, 5), "S9", 10, 30, customer="c", _row=2)])
    wb.derived.clear()
    r = stock_row(value_month(wb).stock)
    assert (r["sale_cents"], r["closing_cents"], r["closing_qty"]) == (15000, 10000, 5)
    assert [f for f in check(wb) if f.severity == "error"] == []


def test_fifo_issues_opening_lots_oldest_receipt_first_undated_oldest() -> None:
    rows = [lot(4, 30, "2026-03-20"), lot(3, 10, None), lot(5, 20, "2026-02-01")]
    wb = make_workbook({"tblOpening": rows, "tblSales": [line(date(2026, 4, 2), "S1", 9, 99)]}, valuation="fifo")
    v = value_month(wb)
    # 3 @ 10 (undated), 5 @ 20 (Feb), then 1 of the March lot @ 30
    assert v.events["cost_cents"].tolist() == [3000 + 10000 + 3000]
    assert v.lots is not None
    assert v.lots[["qty", "cents"]].to_numpy().tolist() == [[3, 9000]]
    assert v.lots["receipt_date"].tolist() == [pd.Timestamp("2026-03-20")]


def test_layers_left_carry_the_receipt_date_of_what_received_them() -> None:
    wb = make_workbook(
        {
            "tblOpening": [lot(2, 5, "2026-03-01"), lot(2, 6, "2026-03-15")],
            "tblPurchases": [line(date(2026, 4, 3), "P1", 4, 7)],
            "tblSales": [line(date(2026, 4, 4), "S1", 3, 99)],
            "tblCounts": [{"date": date(2026, 4, 9), "sku": "A", "counted_qty": 6}],
        },
        valuation="fifo",
    )
    v = value_month(wb)
    assert v.lots is not None
    got = list(zip(v.lots["qty"], v.lots["cents"], v.lots["receipt_date"].dt.strftime("%m-%d"), strict=True))
    # 2 @ 5 and 1 @ 6 issued; left: 1 @ 6 (Mar 15), 4 @ 7 (Apr 3), a count surplus of 1 at the average (Apr 9)
    assert got == [(1, 600, "03-15"), (4, 2800, "04-03"), (1, 680, "04-09")]


@pytest.mark.parametrize("method", ["moving_average", "monthly_average"])
def test_average_methods_merge_the_lots_into_one_opening(method: str) -> None:
    ledger = {"tblSales": [line(date(2026, 4, 2), "S1", 4, 99)], "tblPurchases": [line(date(2026, 4, 1), "P", 2, 13)]}
    lots = make_workbook(
        {"tblOpening": [lot(3, 10, "2026-03-02"), lot(5, 20, "2026-01-05")], **ledger}, valuation=method
    )
    merged = make_workbook({"tblOpening": [{"sku": "A", "qty": 8, "amount": 130}], **ledger}, valuation=method)
    a, b = value_month(lots), value_month(merged)
    cols = ["opening_qty", "opening_cents", "out_cents", "closing_qty", "closing_cents"]
    assert a.stock[cols].equals(b.stock[cols])
    assert a.lots is None
    opening = carry_forward(lots).opening
    # close carries the closing 6 by receipt date (the FIFO assumption the ageing makes): 1 of the 01-05 lot, the
    # 03-02 lot, the 04-01 purchase, oldest first, adding up to the closing to the cent
    assert opening["qty"].tolist() == [1, 3, 2]
    assert [str(d.date()) for d in opening["receipt_date"]] == ["2026-01-05", "2026-03-02", "2026-04-01"]
    assert round(opening["amount"].sum() * 100) == a.stock["closing_cents"].iloc[0]


def test_one_row_per_sku_values_exactly_as_without_lots() -> None:
    """Today's shape: the FIFO loop from the opening lots gives what it gave from the per-SKU opening."""
    rng = np.random.default_rng(7)
    rows = [
        {"sku": "A", "qty": 3.0, "amount": 31.5},
        {"sku": "B", "qty": 0.0},
        {"sku": "C", "qty": 7.0, "amount": 70.07},
    ]
    n = 30
    days, qty, price, sku = (
        rng.integers(1, 28, n),
        rng.integers(1, 9, n),
        rng.integers(100, 3000, n),
        rng.choice(list("ABC"), n),
    )
    purchases = [
        line(date(2026, 4, int(days[i])), f"P{i}", int(qty[i]), price[i] / 100, sku=str(sku[i])) for i in range(n)
    ]
    sales = [line(date(2026, 4, int(days[i] % 7 + 20)), f"S{i}", 1, 99, sku=str(sku[i - 1])) for i in range(n)]
    data = {"tblOpening": rows, "tblPurchases": purchases, "tblSales": sales}
    wb = make_workbook(data, valuation="fifo", allow_negative=True)
    frame = ledger_events(wb)
    skus, ev, start = _inputs(wb, frame)
    assert start.lots is not None and all(len(x) <= 1 for x in start.lots)
    with_lots = _cost("fifo", frame, ev, skus, start)
    without = _cost("fifo", frame, ev, skus, start._replace(lots=None, lot_dates=None))
    assert with_lots.cost.tolist() == without.cost.tolist()
    assert np.array_equal(with_lots.closing_uc, without.closing_uc, equal_nan=True)


def test_validation_accepts_several_rows_per_sku_and_checks_each_row() -> None:
    rows = [lot(3, 10, "2026-03-02"), lot(5, 20, "2026-01-05"), {**lot(2, 7, "2026-04-03"), "amount": 15}]
    wb = make_workbook({"tblItems": [{"sku": "A", "name": "甲"}], "tblOpening": rows}, valuation="fifo")
    found = [(f.code, f.severity, f.row, f.column) for f in check(wb)]
    assert ("amount-mismatch", "error", 4, "amount") in found  # 2 × 7 ≠ 15, on its own row
    assert ("date-outside-period", "warning", 4, "receipt_date") in found  # a lot received this month
    assert len(found) == 2  # the two earlier lots of A are no duplicate, their dates no period error
    en = check(wb, lang="en")
    assert any("Receipt date" in f.message for f in en)


def test_close_writes_one_row_per_layer_and_next_month_validates(tmp_path: Path) -> None:
    src = write_book(
        tmp_path / "oct.xlsx",
        {
            "tblItems": ITEMS,
            "tblOpening": [lot(4, 8, "2026-08-30"), lot(6, 9, "2026-09-12")],
            "tblPurchases": [line(date(2026, 10, 5), "P1", 10, 11, supplier="s")],
            "tblSales": [line(date(2026, 10, 9), "S1", 7, 30, customer="c")],
        },
        period="2026-10",
        settings={"valuation": "fifo"},
    )
    sync_file(src, backup=False)
    nxt = tmp_path / "nov.xlsx"
    close_month(src, nxt)
    op = read_workbook(nxt).df("tblOpening")
    assert op["amount"].tolist() == [27.0, 110.0]  # 3 @ 9 left of the September lot, the October purchase
    assert op["receipt_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-09-12", "2026-10-05"]
    res = validate_file(nxt, previous=src)
    assert res.errors == 0, [f.message for f in res.findings]


def test_negative_fifo_closing_is_one_row(tmp_path: Path) -> None:
    wb = make_workbook(
        {"tblOpening": [lot(2, 5, "2026-03-01")], "tblSales": [line(date(2026, 4, 2), "S1", 5, 99)]},
        valuation="fifo",
        allow_negative=True,
    )
    opening = carry_forward(wb).opening
    assert opening[["sku", "qty"]].to_numpy().tolist() == [["A", -3.0]]
    assert opening["receipt_date"].isna().all()


# ---------------------------------------------------------------------------------------------------
# Returns across months (issue 12 part 5): close carries the documents a return may name (tblCarried)


def october(tmp_path: Path, method: str) -> Path:
    """Buy P1 10 @ 10, P2 10 @ 20; sell S1 5, S2 8 (FIFO: S2 issued at 13.75, the averages at 15)."""
    return write_book(
        tmp_path / "oct.xlsx",
        {
            "tblItems": ITEMS,
            "tblPurchases": [
                line(date(2026, 10, 1), "P1", 10, 10, supplier="s"),
                line(date(2026, 10, 2), "P2", 10, 20, supplier="s"),
            ],
            "tblSales": [
                line(date(2026, 10, 3), "S1", 5, 30, customer="c"),
                line(date(2026, 10, 4), "S2", 8, 30, customer="c"),
            ],
            "tblReturns": [
                {
                    "date": date(2026, 10, 9),
                    "doc_no": "R0",
                    "kind": "sales_return",
                    "orig_doc_no": "S2",
                    "sku": "A",
                    "qty": 1,
                },
            ],
        },
        period="2026-10",
        settings={"valuation": method},
    )


def returns(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"date": pd.Timestamp(f"2026-11-{5 + k:02d}"), "doc_no": f"R{k + 1}", "kind": kind, "orig_doc_no": orig,
             "sku": sku, "qty": qty}
            for k, (kind, orig, sku, qty) in enumerate(rows)
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("method", "sales_return", "purchase_return", "closing"),
    [
        ("fifo", 27.5, 60.0, 121.25),  # opening 7 @ 20 (P2) + 1 @ 13.75; S2 at 13.75; 3 leave P2's lot at 20
        ("moving_average", 30.0, 60.0, 90.0),  # opening 8 @ 15; S2 at 15 (its cost / qty); P2 at its price 20
        ("monthly_average", 24.0, 60.0, 84.0),  # the month's average (120 − 60) / (8 − 3) = 12; P2 at 20
    ],
)
def test_returns_of_last_months_documents_at_their_original_cost(
    tmp_path: Path, method: str, sales_return: float, purchase_return: float, closing: float
) -> None:
    nov = tmp_path / "nov.xlsx"
    close_month(october(tmp_path, method), nov)
    carried = read_workbook(nov).df("tblCarried")
    assert carried[["kind", "doc_no", "qty"]].to_numpy().tolist() == [
        ["purchase", "P1", 10],
        ["purchase", "P2", 10],
        ["sale", "S1", 5],
        ["sale", "S2", 7],  # 8 less the 1 returned in October
    ]
    write_tables(nov, nov, {"tblReturns": returns(("sales_return", "S2", "A", 2), ("purchase_return", "P2", "A", 3))})
    res = validate_file(nov)
    assert (res.errors, res.warnings) == (0, 0), [f.message for f in res.findings]
    sync_file(nov, backup=False)
    r = stock_row(read_workbook(nov).df("tblStock"))
    got = (r["sales_return_amount"], r["purchase_return_amount"], r["closing_qty"], r["closing_amount"])
    assert got == (sales_return, purchase_return, 7, closing)


def test_a_return_beyond_what_is_left_of_last_months_document_is_refused_by_sync(tmp_path: Path) -> None:
    nov = tmp_path / "nov.xlsx"
    close_month(october(tmp_path, "fifo"), nov)
    write_tables(nov, nov, {"tblReturns": returns(("sales_return", "S2", "A", 7), ("sales_return", "S2", "A", 1))})
    found = [(f.code, f.row) for f in validate_file(nov).findings if f.severity == "error"]
    assert found == [("return-exceeds-original", 3)]  # 7 is all S2 has left; the second line passes it
    with pytest.raises(ValidationFailedError):
        sync_file(nov, backup=False)
    write_tables(nov, nov, {"tblReturns": returns(("sales_return", "S1", "B", 1), ("sales_return", "S9", "A", 1))})
    codes = {(f.code, f.severity, f.row) for f in validate_file(nov).findings}
    assert codes == {
        ("unknown-sku", "error", 2),  # B is no item
        ("return-sku-not-on-original", "error", 2),  # S1 carried, but not for B
        ("return-unknown-original", "warning", 3),  # S9 neither this month nor carried: maybe older
    }


def test_carried_documents_age_out_and_go_on_less_their_returns(tmp_path: Path) -> None:
    wb = make_workbook(
        {
            "tblItems": [{"sku": "A", "name": "甲"}],
            "tblCarried": [
                {"kind": "sale", "date": date(2026, 2, 27), "doc_no": "S-FEB", "sku": "A", "qty": 4, "unit_cost": 5.5},
                {"kind": "sale", "date": date(2026, 3, 2), "doc_no": "S-MAR", "sku": "A", "qty": 4, "unit_cost": 6.5},
                {
                    "kind": "purchase",
                    "date": date(2026, 3, 9),
                    "doc_no": "P-MAR",
                    "sku": "A",
                    "qty": 2,
                    "unit_cost": 4.0,
                },
            ],
            "tblOpening": [{"sku": "A", "qty": 20, "amount": 100}],
            "tblReturns": [
                {
                    "date": date(2026, 4, 3),
                    "doc_no": "R1",
                    "kind": "sales_return",
                    "orig_doc_no": "S-MAR",
                    "sku": "A",
                    "qty": 1,
                },
                {
                    "date": date(2026, 4, 4),
                    "doc_no": "R2",
                    "kind": "purchase_return",
                    "orig_doc_no": "P-MAR",
                    "sku": "A",
                    "qty": 2,
                },
            ],
        },
        valuation="moving_average",
        lang="en",
    )
    assert [f.code for f in check(wb, lang="en")] == []
    v = value_month(wb)
    assert v.events["cost_cents"].tolist() == [650, 800]  # at S-MAR's 6.50, at P-MAR's 4.00
    carried = carry_forward(wb).carried
    # April's next month keeps February to April: S-FEB (February) still, S-MAR less 1, P-MAR fully returned (0
    # left: a further return of it is more than the original, not a document nobody knows)
    assert carried[["kind", "doc_no", "qty", "unit_cost"]].to_numpy().tolist() == [
        ["sale", "S-FEB", 4, 5.5],
        ["sale", "S-MAR", 3, 6.5],
        ["purchase", "P-MAR", 0, 4.0],
    ]
    wb.settings = wb.settings.model_copy(update={"period": "2026-05"}) if wb.settings else None
    assert carry_forward(wb).carried["doc_no"].tolist() == ["S-MAR", "P-MAR"]  # May keeps March to May


def test_a_return_of_a_document_returned_in_full_last_month_is_refused() -> None:
    """Audit: a sale returned in full in December, returned again (50 units) in January, was a warning only."""
    wb = make_workbook(
        {
            "tblItems": [{"sku": "A", "name": "甲"}],
            "tblOpening": [{"sku": "A", "qty": 100, "amount": 1000}],
            "tblCarried": [
                {"kind": "sale", "date": date(2026, 3, 2), "doc_no": "S1", "sku": "A", "qty": 0, "unit_cost": 10}
            ],
            "tblReturns": [
                {
                    "date": date(2026, 4, 3),
                    "doc_no": "R1",
                    "kind": "sales_return",
                    "orig_doc_no": "S1",
                    "sku": "A",
                    "qty": 50,
                }
            ],
        },
        valuation="moving_average",
    )
    found = [(f.code, f.severity) for f in check(wb)]
    assert found == [("return-exceeds-original", "error")]


def test_a_workbook_without_carried_documents_says_nothing_of_them(tmp_path: Path) -> None:
    path = write_book(tmp_path / "m.xlsx", omit=["tblCarried"])
    res = validate_file(path)
    assert not [f for f in res.findings if "tblCarried" in f.message or "结转单据" in f.message]


@pytest.mark.parametrize("method", ["moving_average", "monthly_average"])
def test_average_close_by_receipt_date_values_next_month_as_one_row(method: str) -> None:
    """The average methods' opening rows by receipt date (issue 12 d) are one opening per SKU to the valuation: the
    next month's 库存 and every event cost are what one row per SKU gives, to the cent; the rows validate."""
    from jxc_xl.core.closing import opening_of
    from jxc_xl.core.generate import stock_balances

    rng = np.random.default_rng(12)
    skus = ["A", "B", "C"]
    buys = [
        line(date(2026, 4, d), f"P{d}{s}", float(rng.integers(1, 40)) / 4, float(rng.integers(101, 999)) / 37, s)
        for d in (2, 9, 17, 26)
        for s in skus
    ]
    sells = [line(date(2026, 4, 28), f"S{s}", 3.25, 50.0, s) for s in skus]
    items = [{"sku": s, "name": s, "unit": "个", "cost": 10, "price": 30, "lead_time_days": 5} for s in skus]
    april = make_workbook({"tblItems": items, "tblPurchases": buys, "tblSales": sells}, valuation=method)
    val = value_month(april)
    dated = carry_forward(april).opening
    one_row = opening_of(stock_balances(april, val))
    assert len(dated) > len(one_row) == len(skus)
    assert dated["receipt_date"].notna().all()
    may_lines = {
        "tblItems": items,
        "tblPurchases": [line(date(2026, 5, 3), f"Q{s}", 2.5, 13.37, s) for s in skus],
        "tblSales": [line(date(2026, 5, 20), f"T{s}", 4.75, 60.0, s) for s in skus],
    }

    def may(opening: pd.DataFrame) -> Any:
        rows = opening.astype(object).where(opening.notna(), None).to_dict("records")
        return make_workbook({"tblOpening": rows, **may_lines}, period="2026-05", valuation=method)

    a, b = may(dated), may(one_row)
    assert [f.code for f in check(a) if f.severity == "error"] == []
    va, vb = value_month(a), value_month(b)
    pd.testing.assert_frame_equal(va.stock, vb.stock)
    assert (va.events["cost_cents"] == vb.events["cost_cents"]).all()
