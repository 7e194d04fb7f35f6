"""The demo month: deterministic, realistic in size and shape, and clean under the contract's rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jxc_xl.core.money import mul_cents, to_cents
from jxc_xl.demo import DemoMonth, generate_month, write_demo
from jxc_xl.io.reader import read_workbook

LEDGERS = ("tblPurchases", "tblSales", "tblReturns", "tblCounts")
# contract event order within one date
ORDER = {"purchase": 0, "sales_return": 1, "purchase_return": 2, "sale": 3, "count": 4}


@pytest.fixture(scope="module")
def month() -> DemoMonth:
    return generate_month(seed=7)


def _balances(m: DemoMonth) -> pd.DataFrame:
    """Every event with the running stock balance after it, in the contract's event order."""
    d = m.data
    ret = d["tblReturns"]
    parts = [
        pd.DataFrame(
            {
                "sku": d["tblOpening"]["sku"],
                "date": pd.Timestamp("1900-01-01"),
                "o": -1,
                "delta": d["tblOpening"]["qty"],
                "counted": np.nan,
            }
        ),
        pd.DataFrame(
            {
                "sku": d["tblPurchases"]["sku"],
                "date": d["tblPurchases"]["date"],
                "o": ORDER["purchase"],
                "delta": d["tblPurchases"]["qty"],
                "counted": np.nan,
            }
        ),
        pd.DataFrame(
            {
                "sku": ret["sku"],
                "date": ret["date"],
                "o": np.where(ret["kind"] == "sales_return", ORDER["sales_return"], ORDER["purchase_return"]),
                "delta": np.where(ret["kind"] == "sales_return", ret["qty"], -ret["qty"]),
                "counted": np.nan,
            }
        ),
        pd.DataFrame(
            {
                "sku": d["tblSales"]["sku"],
                "date": d["tblSales"]["date"],
                "o": ORDER["sale"],
                "delta": -d["tblSales"]["qty"],
                "counted": np.nan,
            }
        ),
        pd.DataFrame(
            {
                "sku": d["tblCounts"]["sku"],
                "date": d["tblCounts"]["date"],
                "o": ORDER["count"],
                "delta": 0.0,
                "counted": d["tblCounts"]["counted_qty"],
            }
        ),
    ]
    ev = pd.concat(parts, ignore_index=True).sort_values(["sku", "date", "o"], kind="stable").reset_index(drop=True)
    is_count = ev["counted"].notna().to_numpy()
    # a count sets the balance: its delta is counted − book just before it (one pass per count of a SKU)
    rank = ev[is_count].groupby("sku").cumcount()
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        book = ev.groupby("sku")["delta"].cumsum()
        idx = rank.index[rank == k]
        ev.loc[idx, "delta"] = ev.loc[idx, "counted"] - (book[idx] - ev.loc[idx, "delta"])
    ev["balance"] = ev.groupby("sku")["delta"].cumsum()
    ev["count_adj"] = np.where(is_count, ev["delta"], 0.0)
    return ev


def test_deterministic_for_a_seed() -> None:
    a, b, c = generate_month(seed=11), generate_month(seed=11), generate_month(seed=12)
    assert a.settings == b.settings
    for name, df in a.data.items():
        pd.testing.assert_frame_equal(df, b.data[name])
    assert not a.data["tblSales"].equals(c.data["tblSales"])


def test_shape_of_the_month(month: DemoMonth) -> None:
    d = month.data
    items = d["tblItems"]
    assert len(items) >= 300 and items["sku"].is_unique and (items["active"] == "yes").all()
    assert items["category"].nunique() >= 5 and items["supplier"].nunique() >= 5
    assert set(d["tblOpening"]["sku"]) == set(items["sku"])
    assert 0.85 * 6000 <= month.n_lines <= 1.1 * 6000
    skus = set(items["sku"])
    for name in LEDGERS:
        assert set(d[name]["sku"]) <= skus, name
        dates = d[name]["date"]
        assert dates.between(pd.Timestamp("2026-11-01"), pd.Timestamp("2026-11-30")).all(), name
    # long tail: the top 10% of SKUs carry a large share of units sold, and some SKUs sell nothing at all
    per_sku = d["tblSales"].groupby("sku")["qty"].sum().reindex(items["sku"], fill_value=0).sort_values()[::-1]
    top = per_sku.iloc[: len(per_sku) // 10].sum() / per_sku.sum()
    assert top > 0.4 and (per_sku == 0).sum() > 5
    # weekends are quieter than weekdays
    wd = d["tblSales"]["date"].dt.day_of_week
    assert (wd >= 5).mean() < 2 / 7 * 0.9
    # doc numbers of the contract's form, one line per SKU per document (no duplicate lines)
    assert d["tblSales"]["doc_no"].str.fullmatch(r"SO-202611-\d{5,}").all()
    assert d["tblPurchases"]["doc_no"].str.fullmatch(r"PO-202611-\d{4,}").all()
    assert d["tblReturns"]["doc_no"].str.fullmatch(r"RT-202611-\d{4,}").all()
    for name in ("tblSales", "tblPurchases"):
        assert not d[name].duplicated(["doc_no", "sku"]).any(), name


def test_amounts_are_rounded_half_up(month: DemoMonth) -> None:
    d = month.data
    for name, price in (
        ("tblPurchases", "unit_price"),
        ("tblSales", "unit_price"),
        ("tblReturns", "unit_price"),
        ("tblOpening", "unit_cost"),
    ):
        df = d[name]
        assert (to_cents(df["amount"]) == mul_cents(df["qty"], df[price])).all(), name
    assert (d["tblSales"]["qty"] > 0).all() and (d["tblPurchases"]["qty"] > 0).all()


def test_no_negative_stock_in_event_order(month: DemoMonth) -> None:
    ev = _balances(month)
    assert ev["balance"].min() >= 0
    adj = ev["count_adj"][ev["o"] == ORDER["count"]]
    assert len(adj) > 0 and adj.abs().max() <= 2 and (adj != 0).any()  # small count differences exist


def test_returns_reference_real_originals(month: DemoMonth) -> None:
    d = month.data
    ret = d["tblReturns"]
    assert set(ret["kind"]) == {"sales_return", "purchase_return"}
    for kind, orig_name in (("sales_return", "tblSales"), ("purchase_return", "tblPurchases")):
        r = ret[ret["kind"] == kind]
        orig = d[orig_name].rename(
            columns={"doc_no": "orig_doc_no", "date": "orig_date", "qty": "orig_qty", "unit_price": "orig_price"}
        )
        j = r.merge(
            orig[["orig_doc_no", "sku", "orig_date", "orig_qty", "orig_price"]],
            on=["orig_doc_no", "sku"],
            how="left",
            validate="many_to_one",
        )
        assert j["orig_qty"].notna().all(), kind
        assert (j["date"] >= j["orig_date"]).all() and (j["unit_price"] == j["orig_price"]).all(), kind
        returned = j.groupby(["orig_doc_no", "sku"]).agg(q=("qty", "sum"), o=("orig_qty", "first"))
        assert (returned["q"] <= returned["o"]).all(), kind
    sr = ret[ret["kind"] == "sales_return"].merge(
        d["tblSales"][["doc_no", "sku", "date"]].rename(columns={"doc_no": "orig_doc_no", "date": "sale_date"}),
        on=["orig_doc_no", "sku"],
    )
    assert (sr["date"] > sr["sale_date"]).all()  # after the sale also in event order


def test_history_is_twelve_previous_months_consistent_with_demand(month: DemoMonth) -> None:
    h = month.data["tblHistory"]
    periods = sorted(h["period"].unique())
    assert periods == [f"2025-{m:02d}" for m in range(11, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]
    assert (h.groupby("sku")["period"].nunique() == 12).all()
    assert set(h["sku"]) == set(month.data["tblItems"]["sku"]) and (h["demand_qty"] >= 0).all()
    hist = h.groupby("sku")["demand_qty"].mean()
    sold = month.data["tblSales"].groupby("sku")["qty"].sum().reindex(hist.index, fill_value=0)
    assert np.corrcoef(np.log1p(hist), np.log1p(sold))[0, 1] > 0.7


@pytest.mark.slow
def test_large_month_is_sized() -> None:
    # its time is a target of bench/bench_read.py
    m = generate_month(seed=3, n_skus=10_000, n_lines=500_000)
    assert len(m.data["tblItems"]) == 10_000
    assert 450_000 <= m.n_lines <= 550_000
    assert _balances(m)["balance"].min() >= 0


def test_write_demo_reads_back_clean(tmp_path: Path) -> None:
    p = write_demo(tmp_path, seed=5, n_skus=300, n_lines=3000)
    assert p == tmp_path / "jxc_demo_2026-11.xlsx"
    m = generate_month(seed=5, n_skus=300, n_lines=3000)
    wb = read_workbook(p)
    assert wb.findings == [] and wb.settings is not None and wb.settings.company == m.settings["company"]
    for name, df in m.data.items():
        assert len(wb.df(name)) == len(df), name
    assert (wb.df("tblSales")["amount"].to_numpy() == m.data["tblSales"]["amount"].to_numpy()).all()
    from jxc_xl.validate import validate_file

    assert validate_file(p).findings == []


def test_the_company_name_speaks_the_workbooks_language(tmp_path: Path) -> None:
    """An en demo names its company in English (no Chinese characters); zh keeps its Chinese name."""
    names = {}
    for lang in ("zh", "en"):
        p = write_demo(tmp_path / lang, lang=lang, seed=5, n_skus=40, n_lines=300)
        settings = read_workbook(p).settings
        assert settings is not None
        names[lang] = settings.company
    assert names["zh"] == "示例商贸有限公司"
    assert names["en"] and not any("\u4e00" <= ch <= "\u9fff" for ch in names["en"]), names["en"]


def test_items_are_plausible(month: DemoMonth) -> None:
    """Each item is a kind its category sells, with that kind's unit and one of its specs, and a name of its own."""
    from jxc_xl.demo.catalog import _CATEGORIES

    items = month.data["tblItems"]
    assert items["name"].is_unique
    kinds = {(cat, p.noun): p for cat, (_, products) in _CATEGORIES.items() for p in products}
    for row in items.itertuples():
        kind = next((p for (cat, noun), p in kinds.items() if cat == row.category and row.name.endswith(noun)), None)
        assert kind is not None, row
        assert row.unit == kind.unit and row.spec in kind.specs, row
    pens = items[items["name"].str.endswith("中性笔")]
    assert len(pens) and pens["spec"].str.contains("mm").all() and (pens["unit"] == "支").all()
    # the brand the supplier sells in that category heads the name
    brand = {(cat, sup): b for cat, (pairs, _) in _CATEGORIES.items() for sup, b in pairs}
    assert all(
        n.startswith(brand[c, s]) for n, c, s in zip(items["name"], items["category"], items["supplier"], strict=True)
    )
