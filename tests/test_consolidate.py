"""jxc consolidate (issue 13, part 3): the group workbook from the stores' synced tables."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from jxc_xl.cli import app
from jxc_xl.consolidate import consolidate_paths
from jxc_xl.core.generate import generate
from jxc_xl.core.money import to_cents
from jxc_xl.errors import JxcError
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.sync import sync_file
from jxc_xl.sync_batch import sync_paths
from tests.factories import small_month, write_book

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _month(scale: float, price_step: float) -> dict:
    """small_month with the opening scaled and purchase prices moved (amounts with odd cents)."""
    data = copy.deepcopy(small_month())
    for row in data["tblOpening"]:
        row["qty"] = round(row["qty"] * scale)
        row["amount"] = round(row["qty"] * row["unit_cost"], 2)
    for row in data["tblPurchases"]:
        row["unit_price"] = round(row["unit_price"] + price_step, 3)
        row["amount"] = round(row["qty"] * row["unit_price"], 2)
    return data


def _stores(folder: Path, lang: str = "zh") -> list[Path]:
    """Three synced stores: A short of B001 (and more), B holding far more B001 than it needs, C like A."""
    folder.mkdir()
    books = [
        write_book(folder / "a.xlsx", _month(1, 0.013), lang=lang, settings={"company": "东店"}),
        write_book(folder / "b.xlsx", _month(12, 0.007), lang=lang, settings={"company": "西店"}),
        write_book(folder / "c.xlsx", _month(1, 0.031), lang=lang, settings={"company": "南店"}),
    ]
    assert sync_paths([folder], backup=False).ok
    return books


def _sheet(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _cents(x: object) -> int:
    return int(to_cents([float(x)])[0])  # type: ignore[arg-type]


def test_totals_equal_the_sum_of_the_stores_to_the_cent(tmp_path: Path) -> None:
    books = _stores(tmp_path / "stores")
    out = tmp_path / "group.xlsx"
    res = run("consolidate", tmp_path / "stores", "-o", out)
    assert res.exit_code == 0, res.output
    assert "3/3" in res.stdout and "2026-11" in res.stdout
    want: dict[str, int] = {}
    want_plan: dict[str, int] = {}
    for b in books:
        wb = read_workbook(b)
        for sku, amount in zip(wb.df("tblStock")["sku"], wb.df("tblStock")["closing_amount"], strict=True):
            want[sku] = want.get(sku, 0) + _cents(amount)
        for sku, amount in zip(wb.df("tblPlan")["sku"], wb.df("tblPlan")["amount"], strict=True):
            want_plan[sku] = want_plan.get(sku, 0) + _cents(amount)
    head, *rows = _sheet(out, "公司库存")
    assert head == ["商品编码", "商品名称", "单位", "期末数量", "期末金额", "门店数"]
    got = {r[0]: _cents(r[4]) for r in rows}
    assert got == want and len(set(want.values())) > 1
    head, *rows = _sheet(out, "公司采购计划")
    assert {r[0]: _cents(r[3]) for r in rows} == want_plan
    # the per-store stock lines add up to the company's, and the status sheet to the grand total
    _, *store_rows = _sheet(out, "门店库存")
    assert len(store_rows) == 15 and {r[0] for r in store_rows} == {"东店", "西店", "南店"}
    _, *status = _sheet(out, "门店状态")
    assert sum(_cents(r[6]) for r in status) == sum(want.values())
    assert [r[3] for r in status] == ["已合并"] * 3


def test_a_store_with_excess_is_named_for_a_short_store(tmp_path: Path) -> None:
    _stores(tmp_path / "stores")
    res = consolidate_paths([tmp_path / "stores"], tmp_path / "g.xlsx")
    tr = res.group.transfers
    assert len(tr), "B001 is short at 东店/南店 and 西店 holds 12x their opening"
    assert set(tr["from_store"]) == {"西店"} and {"东店", "南店"} <= set(tr["store"])
    assert (tr["spare"] > 0).all() and (tr["suggested"] <= tr["order_qty"]).all()
    assert (tr["suggested"] == tr[["spare", "order_qty"]].min(axis=1)).all()
    head, *rows = _sheet(tmp_path / "g.xlsx", "调拨建议")
    assert head[2:] == ["需订货门店", "建议订货量", "可调出门店", "可调出数量", "建议调拨数量"] and len(rows) == len(tr)


def test_mixed_periods_are_refused_naming_them(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    write_book(folder / "nov.xlsx", lang="en")
    write_book(folder / "oct.xlsx", lang="en", period="2026-10")
    with pytest.raises(JxcError) as e:
        consolidate_paths([folder], tmp_path / "g.xlsx")
    assert "2026-10" in str(e.value) and "2026-11" in str(e.value) and "oct.xlsx" in str(e.value)
    res = run("consolidate", folder, "-o", tmp_path / "g.xlsx")
    assert res.exit_code == 1 and "different periods" in res.output
    assert not (tmp_path / "g.xlsx").exists()


def test_unsynced_stale_and_invalid_stores_are_named_and_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    good = write_book(folder / "good.xlsx", lang="en", settings={"company": "Good"})
    write_book(folder / "raw.xlsx", lang="en", settings={"company": "Raw"})  # never synced
    stale = write_book(folder / "stale.xlsx", _month(2, 0.0), lang="en", settings={"company": "Stale"})
    # stale: the generated tables of another month's ledgers, as if its inputs changed after the last sync
    write_tables(stale, stale, generate(read_workbook(good)), backup=False)
    bad = small_month()
    bad["tblSales"][0]["sku"] = "NOPE"
    write_book(folder / "bad.xlsx", bad, lang="en", settings={"company": "Bad"})
    value = sync_file(good, backup=False).stock_value
    res = run("consolidate", folder, "-o", tmp_path / "g.xlsx")
    assert res.exit_code == 1
    assert "1 of 4 stores included" in res.stdout
    for name, status in (("Raw", "not synced"), ("Stale", "changed since sync"), ("Bad", "validation errors")):
        assert f"{name} (" in res.stderr and status in res.stderr, (name, res.stderr)
    head, *rows = _sheet(tmp_path / "g.xlsx", "Store status")
    assert head[:4] == ["Store", "File", "Period", "Status"]
    assert {r[0]: r[3] for r in rows} == {
        "Bad": "validation errors", "Good": "included", "Raw": "not synced", "Stale": "changed since sync"
    }  # fmt: skip
    _, *totals = _sheet(tmp_path / "g.xlsx", "Company stock")
    assert sum(_cents(r[4]) for r in totals) == _cents(value)


def test_output_must_be_a_new_xlsx(tmp_path: Path) -> None:
    book = write_book(tmp_path / "a.xlsx")
    assert run("consolidate", book, "-o", tmp_path / "g.csv").exit_code == 2
    assert run("consolidate", book, "-o", book).exit_code == 2
    assert run("consolidate", tmp_path / "none", "-o", tmp_path / "g.xlsx").exit_code == 2


@pytest.mark.slow
def test_jobs_2_and_a_second_run_write_the_same_bytes(tmp_path: Path) -> None:
    _stores(tmp_path / "stores")
    consolidate_paths([tmp_path / "stores"], tmp_path / "g1.xlsx", jobs=1)
    consolidate_paths([tmp_path / "stores"], tmp_path / "g2.xlsx", jobs=2)
    consolidate_paths([tmp_path / "stores"], tmp_path / "g3.xlsx", jobs=1)
    one = (tmp_path / "g1.xlsx").read_bytes()
    assert one == (tmp_path / "g2.xlsx").read_bytes() == (tmp_path / "g3.xlsx").read_bytes()


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    sync_file(write_book(folder / "a.xlsx", lang="en", settings={"company": "=1+1"}), backup=False)
    res = run("consolidate", folder, "-o", tmp_path / "g.xlsx")
    assert res.exit_code == 0, res.output
    _, *rows = _sheet(tmp_path / "g.xlsx", "Store status")
    assert rows[0][0] == "=1+1"


def test_a_file_name_that_is_not_utf8_is_written_escaped(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "s"
    folder.mkdir()
    odd = Path(os.fsdecode(os.fsencode(str(folder)) + b"/st\xff.xlsx"))
    sync_file(write_book(odd, lang="en"), backup=False)
    res = consolidate_paths([folder], tmp_path / "g.xlsx")
    assert res.statuses()[0][2] == "ok"
    _, *rows = _sheet(tmp_path / "g.xlsx", "Store status")
    assert rows[0][0] == "st\\xff" and rows[0][1].endswith("st\\xff.xlsx")
