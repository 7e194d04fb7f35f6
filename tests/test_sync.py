"""Sync and close through real files: workbook in, generated sheets out, nothing else touched."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jxc_xl.core.rules import check
from jxc_xl.errors import JxcError, ValidationFailedError, WorkbookLockedError
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.xlsxpatch import lock_file
from jxc_xl.schema import GENERATED_TABLES, STOCK, table
from jxc_xl.sync import close_month, sync_file
from tests.factories import small_month, write_book

ITEMS = [{"sku": "A", "name": "测试商品", "unit": "件", "cost": 3, "price": 12, "lead_time_days": 5}]


def _vector_10() -> dict:
    """Textbook vector 10: 4/1 300 @ 3; 4/3 issue 100; 4/12 receive 200 @ 10; 4/27 issue 350."""
    return {
        "tblItems": ITEMS,
        "tblOpening": [{"sku": "A", "qty": 300, "unit_cost": 3}],
        "tblPurchases": [{"date": "2026-04-12", "doc_no": "P1", "sku": "A", "qty": 200, "unit_price": 10}],
        "tblSales": [
            {"date": "2026-04-03", "doc_no": "S1", "sku": "A", "qty": 100, "unit_price": 12},
            {"date": "2026-04-27", "doc_no": "S2", "sku": "A", "qty": 350, "unit_price": 12},
        ],
    }


def _vector_11() -> dict:
    """Textbook vector 11: opening 200 @ 300; +350 @ 310; −300; +400 @ 290; −500."""
    return {
        "tblItems": ITEMS,
        "tblOpening": [{"sku": "A", "qty": 200, "unit_cost": 300}],
        "tblPurchases": [
            {"date": "2026-04-05", "doc_no": "P1", "sku": "A", "qty": 350, "unit_price": 310},
            {"date": "2026-04-15", "doc_no": "P2", "sku": "A", "qty": 400, "unit_price": 290},
        ],
        "tblSales": [
            {"date": "2026-04-10", "doc_no": "S1", "sku": "A", "qty": 300, "unit_price": 400},
            {"date": "2026-04-20", "doc_no": "S2", "sku": "A", "qty": 500, "unit_price": 400},
        ],
    }


def stock_rows(path: Path) -> dict[str, dict]:
    """tblStock as written in the file, read back with python-calamine: sku → {key: value}."""
    wb = read_workbook(path)
    df = wb.df(STOCK.name)
    return {r["sku"]: r for r in df.to_dict("records")}


@pytest.mark.parametrize(
    ("vector", "method", "cogs", "closing"),
    [
        (_vector_10, "fifo", 2400.00, 500.00),
        (_vector_10, "monthly_average", 2610.00, 290.00),
        (_vector_10, "moving_average", 2575.00, 325.00),
        (_vector_11, "fifo", 241000.00, 43500.00),
        (_vector_11, "monthly_average", 239578.95, 44921.05),
    ],
)
def test_valuation_vectors_through_the_file(tmp_path, vector, method, cogs, closing):
    src = write_book(tmp_path / "m.xlsx", vector(), period="2026-04", settings={"valuation": method})
    res = sync_file(src, tmp_path / "out.xlsx")
    row = stock_rows(res.path)["A"]
    assert row["out_amount"] == pytest.approx(cogs, abs=0.001)
    assert row["closing_amount"] == pytest.approx(closing, abs=0.001)
    # the identity, in the written cells
    assert row["opening_amount"] + row["in_amount"] - row["out_amount"] + row["adj_amount"] == pytest.approx(
        row["closing_amount"], abs=0.001
    )


def test_moving_average_unit_cost_vector_10(tmp_path):
    src = write_book(tmp_path / "m.xlsx", _vector_10(), period="2026-04", settings={"valuation": "moving_average"})
    sync_file(src, backup=False)
    row = stock_rows(src)["A"]
    assert row["closing_qty"] == 50
    assert row["closing_unit_cost"] == pytest.approx(6.5)


def test_rounding_vector_12_half_up(tmp_path):
    # average of 1 @ 13.13 and 1 @ 12.20 = 12.665 → issuing one unit costs 12.67 (not Python's 12.66)
    data = {
        "tblItems": ITEMS,
        "tblOpening": [{"sku": "A", "qty": 1, "unit_cost": 13.13}],
        "tblPurchases": [{"date": "2026-04-02", "doc_no": "P1", "sku": "A", "qty": 1, "unit_price": 12.20}],
        "tblSales": [{"date": "2026-04-03", "doc_no": "S1", "sku": "A", "qty": 1, "unit_price": 20}],
    }
    src = write_book(tmp_path / "m.xlsx", data, period="2026-04", settings={"valuation": "moving_average"})
    sync_file(src, backup=False)
    row = stock_rows(src)["A"]
    assert row["out_amount"] == pytest.approx(12.67, abs=1e-9)
    assert row["closing_amount"] == pytest.approx(12.66, abs=1e-9)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _generated_parts(path: Path) -> set[str]:
    """Worksheet and table parts of the generated tables (the only parts sync may change)."""
    parts = _parts(path)
    names = [f'name="{t.name}"'.encode() for t in GENERATED_TABLES]
    tables = {n for n, b in parts.items() if n.startswith("xl/tables/") and any(x in b for x in names)}
    sheets = set()
    for n, b in parts.items():
        if n.startswith("xl/worksheets/_rels/") and any(t.rsplit("/", 1)[1].encode() in b for t in tables):
            sheets.add("xl/worksheets/" + n.rsplit("/", 1)[1].removesuffix(".rels"))
    assert len(tables) == len(GENERATED_TABLES) and len(sheets) == len(GENERATED_TABLES)
    return tables | sheets


def test_sync_changes_only_generated_parts(tmp_path):
    src = write_book(tmp_path / "m.xlsx", small_month())
    before = _parts(src)
    res = sync_file(src)
    after = _parts(res.path)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed, "sync wrote nothing"
    charts = {n for n in before if n.startswith("xl/charts/")}  # the template's charts plot generated tables
    allowed = _generated_parts(src) | {"xl/calcChain.xml"} | charts
    assert changed <= allowed, f"sync touched user parts: {sorted(changed - allowed)}"
    assert set(after) <= set(before)
    assert _parts(tmp_path / "m.bak.xlsx") == before


def test_sync_output_leaves_input_untouched_and_is_deterministic(tmp_path):
    src = write_book(tmp_path / "m.xlsx", small_month())
    original = src.read_bytes()
    sync_file(src, tmp_path / "a.xlsx")
    sync_file(src, tmp_path / "b.xlsx")
    sync_file(tmp_path / "a.xlsx", tmp_path / "c.xlsx")  # sync of the synced
    assert src.read_bytes() == original
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "c.xlsx").read_bytes()
    assert not (tmp_path / "m.bak.xlsx").exists()


def test_sync_refuses_errors_unless_forced(tmp_path):
    data = small_month()
    data["tblSales"] = [
        *data["tblSales"],
        {"date": "2026-11-05", "doc_no": "S-X", "sku": "NOPE", "qty": 1, "unit_price": 1},
    ]
    src = write_book(tmp_path / "m.xlsx", data)
    original = src.read_bytes()
    with pytest.raises(ValidationFailedError, match="--force"):
        sync_file(src)
    assert src.read_bytes() == original
    res = sync_file(src, force=True)
    assert res.forced


def test_sync_refuses_while_excel_has_the_file_open(tmp_path):
    src = write_book(tmp_path / "m.xlsx", small_month())
    lock_file(src).write_bytes(b"owner")
    with pytest.raises(WorkbookLockedError, match=r"close it|Excel"):
        sync_file(src)


def test_close_creates_next_month_and_updates_it(tmp_path):
    src = write_book(tmp_path / "2026-11.xlsx", small_month())
    sync_file(src, backup=False)
    closing = stock_rows(src)
    nxt = tmp_path / "2026-12.xlsx"
    res = close_month(src, nxt)
    assert res.created and res.period == "2026-12"
    wb = read_workbook(nxt)
    assert wb.settings.period == "2026-12"
    # per SKU its rows (the average methods: one per receipt date of the closing, issue 12 d) add up to its closing
    opening = wb.df("tblOpening").groupby("sku")[["qty", "amount"]].sum()
    for sku, row in closing.items():
        if row["closing_qty"]:
            assert opening.loc[sku, "qty"] == pytest.approx(row["closing_qty"], abs=1e-9)
            assert opening.loc[sku, "amount"] == pytest.approx(row["closing_amount"], abs=0.001)
    hist = wb.df("tblHistory")
    assert "2026-11" in set(hist["period"])
    assert len(wb.df("tblItems")) == len(read_workbook(src).df("tblItems"))
    # closing again updates the same file: no duplicate history rows for the month
    res2 = close_month(src, nxt)
    assert not res2.created
    hist2 = read_workbook(nxt).df("tblHistory")
    assert not hist2.duplicated(subset=["sku", "period"]).any()
    assert len(hist2) == len(hist)


def test_next_month_opening_validates_against_previous(tmp_path):
    from jxc_xl.validate import validate_file

    src = write_book(tmp_path / "2026-11.xlsx", small_month())
    nxt = tmp_path / "2026-12.xlsx"
    close_month(src, nxt)
    res = validate_file(nxt, previous=src)
    assert [f.code for f in res.findings if f.code == "opening-mismatch"] == []


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["moving_average", "monthly_average", "fifo"]),
    sales=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5),
)
def test_sync_twice_gives_the_same_bytes(tmp_path, method, sales):
    data = {
        "tblItems": ITEMS,
        "tblOpening": [{"sku": "A", "qty": 500, "unit_cost": 3.33}],
        "tblSales": [
            {"date": f"2026-11-{i + 1:02d}", "doc_no": f"S{i}", "sku": "A", "qty": q, "unit_price": 9.99}
            for i, q in enumerate(sales)
        ],
    }
    src = write_book(tmp_path / f"h-{method}.xlsx", data, settings={"valuation": method})
    sync_file(src, backup=False)
    once = src.read_bytes()
    sync_file(src, backup=False)
    assert src.read_bytes() == once
    row = stock_rows(src)["A"]
    assert row["closing_qty"] == 500 - sum(sales)


def test_synced_file_reads_back_with_calamine(tmp_path):
    src = write_book(tmp_path / "m.xlsx", small_month())
    sync_file(src, backup=False)
    wb = CalamineWorkbook.from_path(str(src))
    stock_sheet = table("tblStock").sheet("zh")
    rows = wb.get_sheet_by_name(stock_sheet).to_python()
    assert rows[0][:2] == ["商品", ""]  # the group headers above the table
    assert rows[1][: len(STOCK.columns)] == STOCK.headers("zh")
    assert len([r for r in rows[2:] if r[0] not in ("", None)]) == len(small_month()["tblItems"]) + 1
    assert rows[-1][0] == "合计"


@pytest.mark.libreoffice
@pytest.mark.slow
def test_synced_workbook_opens_in_libreoffice_and_values_read_back(tmp_path, lo_recalc):
    import openpyxl

    src = write_book(tmp_path / "m.xlsx", small_month())
    sync_file(src, backup=False)
    expected = stock_rows(src)
    recalculated = lo_recalc(src)
    wb = openpyxl.load_workbook(recalculated, data_only=True, read_only=True)
    ws = wb[table("tblStock").sheet("zh")]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[1][: len(STOCK.columns)])
    assert header == STOCK.headers("zh")
    got = {r[0]: dict(zip(STOCK.keys(), r, strict=False)) for r in rows[2:] if r[0]}
    total = got.pop("合计")  # the totals row, recalculated by LibreOffice
    assert set(got) == set(expected)
    for sku, row in expected.items():
        for key in ("closing_qty", "closing_amount", "out_amount"):
            assert got[sku][key] == pytest.approx(row[key], abs=0.001), (sku, key)
    for key in ("closing_qty", "closing_amount", "out_amount", "purchase_amount"):
        assert total[key] == pytest.approx(sum(r[key] for r in expected.values()), abs=0.001), key
    wb.close()


RECEIVED = ("purchase", "sales_return", "count_gain", "other_in")  # 本期收入
ISSUED = ("sale", "purchase_return", "count_loss", "other_out")  # 本期发出


def assert_row_adds_up(row: dict) -> None:
    """A 库存 row as written: opening + receipts − issues (+ 成本调整, money alone) = closing, in qty and to the
    cent, and the same through the net columns (other movements are in none of them)."""
    received_q, issued_q = (sum(row[f"{k}_qty"] for k in keys) for keys in (RECEIVED, ISSUED))
    assert row["opening_qty"] + received_q - issued_q == pytest.approx(row["closing_qty"])
    net_q = row["in_qty"] - row["out_qty"] + row["adj_qty"] + row["other_in_qty"] - row["other_out_qty"]
    assert row["opening_qty"] + net_q == pytest.approx(row["closing_qty"])
    c = {k: round(row[k] * 100) for k in row if k.endswith("_amount")}
    received, issued = (sum(c[f"{k}_amount"] for k in keys) for keys in (RECEIVED, ISSUED))
    assert c["opening_amount"] + received - issued + c["cost_adj_amount"] == c["closing_amount"]
    net = c["in_amount"] - c["out_amount"] + c["adj_amount"] + c["other_in_amount"] - c["other_out_amount"]
    assert c["opening_amount"] + net + c["cost_adj_amount"] == c["closing_amount"]


_GARBAGE = st.sampled_from([None, "", "abc", -5, 0, 1e12, "2026-13-45", "  ", 3.14159, "是", "销售退货", -0.01, 10**9])


@pytest.mark.slow
@pytest.mark.filterwarnings("error::RuntimeWarning")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), _GARBAGE), max_size=6),
    method=st.sampled_from(["moving_average", "monthly_average", "fifo"]),
)
# A001's opening qty blank: 12 sold from nothing at the std cost, the purchase ending it books 成本调整 −3.60
@example(edits=[(38, 0, 1, None)], method="moving_average")
def test_forced_sync_of_corrupted_month_keeps_identities(tmp_path, edits, method):
    data = small_month()
    for t, r, k, value in edits:
        name = sorted(data)[t % len(data)]
        if data[name]:
            row = data[name][r % len(data[name])]
            row[sorted(row)[k % len(row)]] = value
    src = write_book(tmp_path / f"c-{method}.xlsx", data, settings={"valuation": method})
    try:
        sync_file(src, force=True, backup=False)
    except JxcError as e:  # a workbook that cannot be computed at all says so in one message
        assert str(e)
        return
    for row in stock_rows(src).values():
        assert_row_adds_up(row)


@pytest.mark.parametrize(("method", "cost_adj"), [("moving_average", -3.6), ("fifo", -3.6), ("monthly_average", 0)])
def test_forced_sync_of_an_opening_line_without_qty(tmp_path, method, cost_adj):
    """A001's opening line has no qty (its amount 740.00 kept): the validator reports it and the line is not
    used, so 库存 opens at 0 / 0.00, what the valuation starts from. The 12 sold on the 2nd leave from nothing
    (negative stock, reported too) at the std cost 18.50; moving average and FIFO: the purchase of 60 @ 18.80
    ends it, the 12 revalued at its cost: 12 × (18.50 − 18.80) = −3.60 成本调整 (month-end average: all 42
    sold at 18.80, nothing to settle)."""
    data = small_month()
    data["tblOpening"][0]["qty"] = None
    src = write_book(tmp_path / "m.xlsx", data, settings={"valuation": method})
    errors = {(f.code, f.sheet, f.column) for f in check(read_workbook(src)) if f.severity == "error"}
    assert errors == {("required-missing", "期初", "qty"), ("negative-stock", "销售出库", "qty")}
    sync_file(src, force=True, backup=False)
    rows = stock_rows(src)
    a = rows["A001"]
    assert (a["opening_qty"], a["opening_amount"], a["closing_qty"], a["closing_amount"]) == (0, 0, 20, 376)
    assert a["cost_adj_amount"] == pytest.approx(cost_adj, abs=1e-9)
    for row in rows.values():
        assert_row_adds_up(row)


def test_forced_sync_computes_with_invalid_item_and_abc_settings(tmp_path):
    data = small_month()
    data["tblItems"][0]["order_cost"] = -1
    data["tblItems"][1]["safety_stock"] = -5
    src = write_book(tmp_path / "m.xlsx", data, settings={"abc_a": 0.99, "abc_b": 0.5})
    with pytest.raises(ValidationFailedError):
        sync_file(src)
    res = sync_file(src, force=True, backup=False)
    assert res.forced and res.rows["tblStock"] == len(data["tblItems"])
    plan = read_workbook(src).df("tblPlan")
    assert (plan["reorder_point"].dropna() >= 0).all()
    assert set(read_workbook(src).df("tblAnalysis")["abc"].dropna()) <= {"A", "C"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", "有 1 个校验错误，已拒绝同步，未写入任何内容。请改正这些错误（见 `jxc validate"),
        ("en", "1 validation error(s); sync refused, nothing was written. Fix them (see `jxc validate"),
    ],
)
def test_refusal_speaks_the_workbooks_language_and_names_the_fix(tmp_path, lang, expected):
    data = small_month()
    data["tblSales"][0]["qty"] = -3
    src = write_book(tmp_path / "m.xlsx", data, lang=lang)
    before = src.read_bytes()
    with pytest.raises(ValidationFailedError) as e:
        sync_file(src)
    assert expected in str(e.value) and "--force" in str(e.value)
    assert src.read_bytes() == before and not (tmp_path / "m.bak.xlsx").exists()
