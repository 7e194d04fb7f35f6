"""The stock card (明细账): every movement per SKU with its running balance, ending on 库存's closing."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from jxc_xl import read_workbook, stock_card, sync_file
from jxc_xl.cli import app
from jxc_xl.core.card import card_lines, card_table, line_count
from jxc_xl.core.valuation import value_month
from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.schema import CARD, CARD_KINDS, CARRIED, RETURNS, SETTINGS_BY_KEY, STOCK, Lang
from jxc_xl.sync import close_month
from tests.factories import make_workbook, small_month, write_book

METHODS = ("moving_average", "monthly_average", "fifo")


def _cents(x: pd.Series) -> np.ndarray:
    return np.round(x.fillna(0).to_numpy(dtype=np.float64) * 100).astype(np.int64)


def _label(key: str, lang: Lang = "zh") -> str:
    return CARD_KINDS[key].zh if lang == "zh" else CARD_KINDS[key].en


def _assert_ties(card: pd.DataFrame, stock: pd.DataFrame, lang: Lang = "zh") -> None:
    """Each SKU's lines add up line by line, and its last line is its closing qty and cents."""
    assert list(card.columns) == CARD.keys()
    st = stock.set_index("sku")
    closing_qty, closing_cents = st["closing_qty"].to_dict(), st["closing_cents"].to_dict()
    for sku, lines in card.groupby("sku", sort=False):
        qty = lines["balance_qty"].to_numpy()
        cents = _cents(lines["balance_amount"])
        moved_q = lines["in_qty"].fillna(0).to_numpy() - lines["out_qty"].fillna(0).to_numpy()
        moved_c = _cents(lines["in_amount"]) - _cents(lines["out_amount"])
        assert lines["kind"].iloc[0] == _label("opening", lang)
        np.testing.assert_allclose(qty[1:], qty[:-1] + moved_q[1:], atol=1e-9, err_msg=str(sku))
        assert (cents[1:] == cents[:-1] + moved_c[1:]).all(), sku
        assert qty[-1] == closing_qty[sku], sku
        assert cents[-1] == closing_cents[sku], sku
    adjust = card[card["kind"] == _label("cost_adjustment", lang)]
    booked = pd.Series(_cents(adjust["in_amount"]) - _cents(adjust["out_amount"]), index=adjust["sku"].to_numpy())
    cost_adj = st["cost_adj_cents"]  # 库存's 成本调整: the card's cost-adjustment lines, SKU by SKU
    assert booked.reindex(st.index, fill_value=0).tolist() == cost_adj.tolist()
    without = ~st.index.isin(card["sku"].unique())
    assert (st.loc[without, "closing_qty"] == 0).all() and (st.loc[without, "closing_cents"] == 0).all()


@pytest.mark.parametrize("method", METHODS)
def test_small_month_ties_to_stock(method: str) -> None:
    wb = make_workbook(small_month(), period="2026-11", valuation=method)
    val = value_month(wb)
    card = card_lines(wb, val, "zh")
    _assert_ties(card, val.stock)
    assert len(card) == line_count(val) == 5 + 16  # an opening line per SKU and one line per event
    a001 = card[card["sku"] == "A001"]
    assert list(a001["kind"]) == [_label(k) for k in ("opening", "sale", "purchase", "sale", "sales_return")]
    assert list(a001["counterparty"].iloc[1:]) == ["张记超市", "华东贸易", "张记超市", "张记超市"]  # the return's sale
    assert a001["date"].iloc[0] == pd.Timestamp("2026-11-01") and a001["name"].iloc[0] == "不锈钢保温杯"
    b002 = card[card["sku"] == "B002"].set_index("kind")
    pr = b002.loc[_label("purchase_return")]
    assert pr["out_qty"] == 6 and pr["out_amount"] == 26.40 and np.isnan(pr["in_qty"])  # at the original price
    assert pr["counterparty"] == "南方家居" and pr["doc_no"] == "RT-202611-0002"
    count = card[(card["sku"] == "A002") & (card["kind"] == _label("count"))]
    assert len(count) == 1 and np.isnan(count["in_qty"].iloc[0]) and np.isnan(count["out_qty"].iloc[0])


def _messy_month(seed: int) -> dict[str, list[dict[str, Any]]]:
    """Random lines over 6 SKUs: fractional quantities, returns of known and unknown originals, counts up, down
    and to 0, stock allowed below 0, a SKU with an opening only and one with lines but no opening."""
    rnd = random.Random(seed)
    skus = ["K1", "K2", "K3", "K4", "K5", "K6"]
    items = [{"sku": s, "name": f"商品{s}", "unit": "个", "cost": 2.5} for s in skus]
    opening = [
        {"sku": "K1", "qty": 10, "amount": 33.33},
        {"sku": "K2", "qty": 3, "amount": 10.0},
        {"sku": "K3", "qty": 2.5, "unit_cost": 4.1},
        {"sku": "K6", "qty": 7, "amount": 70.0},  # nothing moves: the opening line is the card
    ]
    purchases, sales, returns, counts = [], [], [], []
    for i in range(60):
        d, sku = date(2026, 11, rnd.randint(1, 30)), rnd.choice(skus[:5])
        qty = rnd.choice([1, 2, 3, 0.5, 1.25, 7])
        r = rnd.random()
        if r < 0.3:
            price = rnd.choice([3.0, 3.33, 4.07, 2.999])
            purchases.append(
                {"date": d, "doc_no": f"P{i}", "supplier": f"供{i % 3}", "sku": sku, "qty": qty, "unit_price": price}
            )
        elif r < 0.7:
            sales.append(
                {"date": d, "doc_no": f"S{i}", "customer": f"客{i % 4}", "sku": sku, "qty": qty, "unit_price": 9.9}
            )
        elif r < 0.85:
            pick = [p for p in (purchases if r < 0.78 else sales) if p["sku"] == sku]
            orig = rnd.choice(pick)["doc_no"] if pick and rnd.random() < 0.8 else "NONE"
            kind = "purchase_return" if r < 0.78 else "sales_return"
            returns.append(
                {
                    "date": d,
                    "doc_no": f"R{i}",
                    "kind": kind,
                    "orig_doc_no": orig,
                    "sku": sku,
                    "qty": qty,
                    "unit_price": 3.0,
                }
            )
        else:
            counts.append({"date": d, "sku": sku, "counted_qty": rnd.choice([0, 1, 4.5, 12])})
    return {
        "tblItems": items,
        "tblOpening": opening,
        "tblPurchases": purchases,
        "tblSales": sales,
        "tblReturns": returns,
        "tblCounts": counts,
    }


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", range(12))
def test_messy_months_tie_to_stock(method: str, seed: int) -> None:
    wb = make_workbook(_messy_month(seed), period="2026-11", valuation=method, allow_negative=True)
    val = value_month(wb)
    card = card_lines(wb, val, "en")
    _assert_ties(card, val.stock, "en")
    assert len(card) == line_count(val)
    assert set(card["kind"]) <= {c.en for c in CARD_KINDS.values()}
    events = card[~card["kind"].isin([_label("opening", "en"), _label("cost_adjustment", "en")])]
    assert len(events) == len(val.events)  # every usable ledger line is on the card, once
    assert card[card["sku"] == "K6"]["kind"].tolist() == [_label("opening", "en")]


def test_cost_adjustment_line_when_the_closing_holds_more_than_the_events() -> None:
    """Month-end average, no sale: two count gains each rounded, the closing rounded once; the residual is a
    cost-adjustment line on the month's last day, and the card still ends on the closing."""
    data: dict[str, list[dict[str, Any]]] = {
        "tblItems": [{"sku": "X", "name": "X"}],
        "tblOpening": [{"sku": "X", "qty": 3, "amount": 10.0}],
        "tblCounts": [
            {"date": date(2026, 11, 5), "sku": "X", "counted_qty": 4},
            {"date": date(2026, 11, 9), "sku": "X", "counted_qty": 5},
        ],
    }
    wb = make_workbook(data, period="2026-11", valuation="monthly_average")
    val = value_month(wb)
    card = card_lines(wb, val, "zh")
    _assert_ties(card, val.stock)
    assert card["kind"].tolist() == [_label(k) for k in ("opening", "count_gain", "count_gain", "cost_adjustment")]
    last = card.iloc[-1]
    assert last["date"] == pd.Timestamp("2026-11-30") and last["in_amount"] == 0.01 and np.isnan(last["in_qty"])
    assert np.isnan(last["out_amount"]) and np.isnan(last["out_qty"])


def test_count_to_zero_with_value_left_is_a_loss_of_value() -> None:
    """A purchase return at the original price takes the last units and leaves value at qty 0 (moving average);
    a count to 0 then writes it off: a 盘亏 line with no quantity and that amount."""
    data: dict[str, list[dict[str, Any]]] = {
        "tblItems": [{"sku": "Y", "name": "Y"}],
        "tblOpening": [{"sku": "Y", "qty": 2, "amount": 20.0}],
        "tblPurchases": [
            {"date": date(2026, 11, 2), "doc_no": "P1", "supplier": "S", "sku": "Y", "qty": 2, "unit_price": 8.0}
        ],
        "tblSales": [
            {"date": date(2026, 11, 3), "doc_no": "S1", "customer": "C", "sku": "Y", "qty": 2, "unit_price": 30.0}
        ],
        "tblReturns": [
            {
                "date": date(2026, 11, 4),
                "doc_no": "R1",
                "kind": "purchase_return",
                "orig_doc_no": "P1",
                "sku": "Y",
                "qty": 2,
                "unit_price": 8.0,
            }
        ],
        "tblCounts": [{"date": date(2026, 11, 6), "sku": "Y", "counted_qty": 0}],
    }
    wb = make_workbook(data, period="2026-11", valuation="moving_average")
    val = value_month(wb)
    card = card_lines(wb, val, "zh")
    _assert_ties(card, val.stock)
    after_return, loss = card.iloc[-2], card.iloc[-1]
    assert after_return["balance_qty"] == 0 and after_return["balance_amount"] == 2.0
    assert np.isnan(after_return["unit_cost"])  # no unit cost at qty 0
    assert loss["kind"] == _label("count_loss") and loss["out_qty"] == 0 and loss["out_amount"] == 2.0
    assert loss["balance_amount"] == 0


def test_value_left_at_zero_quantity_is_taken_off_at_month_end() -> None:
    """Moving average: a purchase return at the original price (8.00) takes the last units, which stood at 9.00,
    and leaves 2.00 at qty 0; nothing follows in the month: 库存 closes at 0 with −2.00 as its 成本调整, and the
    card's last line is that adjustment (FIFO and the month-end average leave nothing here)."""
    data: dict[str, list[dict[str, Any]]] = {
        "tblItems": [{"sku": "Z", "name": "Z"}],
        "tblOpening": [{"sku": "Z", "qty": 2, "amount": 20.0}],
        "tblPurchases": [
            {"date": date(2026, 11, 2), "doc_no": "P1", "supplier": "S", "sku": "Z", "qty": 2, "unit_price": 8.0}
        ],
        "tblSales": [
            {"date": date(2026, 11, 3), "doc_no": "S1", "customer": "C", "sku": "Z", "qty": 2, "unit_price": 30.0}
        ],
        "tblReturns": [
            {
                "date": date(2026, 11, 4),
                "doc_no": "R1",
                "kind": "purchase_return",
                "orig_doc_no": "P1",
                "sku": "Z",
                "qty": 2,
                "unit_price": 8.0,
            }
        ],
    }
    wb = make_workbook(data, period="2026-11", valuation="moving_average")
    val = value_month(wb)
    card = card_lines(wb, val, "zh")
    _assert_ties(card, val.stock)
    assert val.stock["closing_cents"].iloc[0] == 0 and val.stock["cost_adj_cents"].iloc[0] == -200
    before, last = card.iloc[-2], card.iloc[-1]
    assert before["kind"] == _label("purchase_return") and before["balance_amount"] == 2.0
    assert last["kind"] == _label("cost_adjustment") and last["date"] == pd.Timestamp("2026-11-30")
    assert last["out_amount"] == 2.0 and np.isnan(last["in_amount"]) and np.isnan(last["out_qty"])
    assert last["balance_qty"] == 0 and last["balance_amount"] == 0


def test_card_table_beyond_card_max_lines_is_one_note() -> None:
    wb = make_workbook(small_month(), period="2026-11", card_max_lines=20)
    val = value_month(wb)
    note = card_table(wb, val, "zh")
    assert len(note) == 1 and list(note.columns) == CARD.keys()
    text = note["name"].iloc[0]
    assert "21" in text and "20" in text and SETTINGS_BY_KEY["card_max_lines"].zh in text and "jxc card" in text
    assert note.drop(columns="name").isna().all(axis=None)
    wb = make_workbook(small_month(), period="2026-11", card_max_lines=21)
    whole = card_table(wb, value_month(wb), "zh")
    assert len(whole) == 21


def _sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sync_writes_the_card_sheet(tmp_path: Path, lang: Lang) -> None:
    path = write_book(tmp_path / "m.xlsx", lang=lang, settings={"valuation": "fifo"})
    res = sync_file(path, tmp_path / "out.xlsx")
    assert res.rows[CARD.name] == 21
    assert _sheet_rows(res.path, CARD.sheet(lang))[0] == CARD.headers(lang)  # the table starts at A1
    wb = read_workbook(res.path)
    card, stock = wb.df(CARD.name), wb.df(STOCK.name)
    assert len(card) == 21 and card["kind"].iloc[0] == _label("opening", lang)
    last = card.groupby("sku").tail(1).set_index("sku")
    closing = stock.set_index("sku").loc[last.index]
    assert (last["balance_qty"] == closing["closing_qty"]).all()
    assert (last["balance_amount"] == closing["closing_amount"]).all()


def test_sync_leaves_out_a_card_the_workbook_lacks(tmp_path: Path) -> None:
    path = write_book(tmp_path / "old.xlsx", omit=[CARD.name])  # a workbook made before the stock card
    res = sync_file(path, tmp_path / "out.xlsx")
    assert CARD.name not in res.rows and res.rows[STOCK.name] == 5
    assert CARD.sheet("zh") not in CalamineWorkbook.from_path(str(res.path)).sheet_names


def test_stock_card_of_a_file(tmp_path: Path) -> None:
    path = write_book(tmp_path / "m.xlsx", settings={"valuation": "monthly_average"})
    card = stock_card(path, " C001 ")
    assert (card.sku, card.name, card.unit, card.period, card.errors) == ("C001", "洗碗布（5片装）", "包", "2026-11", 0)
    assert card.method == "月末一次加权平均"
    assert card.lines["balance_qty"].iloc[-1] == card.closing_qty == 240
    assert card.lines["balance_amount"].iloc[-1] == card.closing_amount
    assert len(card.lines) == 4 and set(card.lines["sku"]) == {"C001"}


def test_a_return_of_last_months_document_shows_the_original_counterparty(tmp_path: Path) -> None:
    """jxc close carries each line's supplier or customer in tblCarried: next month's card shows it on a return
    of that line (there is no original line in the month to take it from)."""
    nov = write_book(tmp_path / "2026-11.xlsx", small_month())
    dec = close_month(nov, tmp_path / "2026-12.xlsx").path
    returns = [
        {"date": date(2026, 12, 3), "doc_no": "RT-1", "kind": "sales_return", "orig_doc_no": "SO-202611-00004",
         "sku": "A001", "qty": 1},
        {"date": date(2026, 12, 4), "doc_no": "RT-2", "kind": "purchase_return", "orig_doc_no": "PO-202611-0002",
         "sku": "B002", "qty": 2},
    ]  # fmt: skip
    write_tables(dec, dec, {RETURNS.name: pd.DataFrame(returns)}, backup=False)
    for sku, kind, party in (("A001", "sales_return", "张记超市"), ("B002", "purchase_return", "南方家居")):
        card = stock_card(dec, sku)
        assert card.errors == 0
        line = card.lines[card.lines["kind"] == _label(kind)]
        assert line["counterparty"].tolist() == [party], sku
    # A tblCarried older than its 往来单位 column: the return shows no counterparty rather than a guessed one.
    carried = read_workbook(dec).df(CARRIED.name).drop(columns=["_row", "counterparty"])
    wb = make_workbook(
        {RETURNS.name: returns, CARRIED.name: carried.to_dict("records"), "tblItems": small_month()["tblItems"]},
        period="2026-12",
    )
    card = card_lines(wb, value_month(wb), "zh")
    assert card.loc[card["kind"] == _label("sales_return"), "counterparty"].tolist() == [None]


def test_jxc_card_prints_in_the_workbooks_language(tmp_path: Path) -> None:
    runner = CliRunner()
    zh = write_book(tmp_path / "zh.xlsx")
    res = runner.invoke(app, ["card", str(zh), "B002"])
    assert res.exit_code == 0, res.output
    for text in ("B002 硅胶锅铲", "采购退货", "南方家居", "26.40", "结存金额", "期末结存：数量 78，金额 340.91"):
        assert text in res.output, text
    en = write_book(tmp_path / "en.xlsx", lang="en")
    res = runner.invoke(app, ["card", str(en), "B002"])
    assert res.exit_code == 0, res.output
    assert "Purchase return" in res.output and "Balance amount" in res.output and "Closing: qty 78" in res.output
    res = runner.invoke(app, ["card", str(zh), "B002", "--lang", "en"])
    assert "Purchase return" in res.output


def test_jxc_card_unknown_sku_names_similar_ones(tmp_path: Path) -> None:
    zh = write_book(tmp_path / "zh.xlsx")
    res = CliRunner().invoke(app, ["card", str(zh), "B00"])
    assert res.exit_code == 1
    assert "没有商品编码 B00" in res.output and "B001" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["card", str(tmp_path / "missing.xlsx"), "B001"])
    assert res.exit_code == 2
