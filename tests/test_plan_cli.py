"""`jxc plan`: the plan as sync writes it, per supplier, and the backtest of its policy on the history."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jxc_xl.cli import app
from jxc_xl.core.backtest import MIN_MONTHS, backtest_plan
from jxc_xl.core.policy import ItemTerms
from jxc_xl.io.reader import read_workbook
from jxc_xl.planning import plan_file
from jxc_xl.schema import HISTORY, PLAN, SUMMARY, SUMMARY_SECTIONS
from jxc_xl.sync import sync_file
from tests.factories import small_month, write_book

runner = CliRunner()


def test_plan_equals_what_sync_writes(tmp_path: Path) -> None:
    src = write_book(tmp_path / "m.xlsx")
    rep = plan_file(src)
    synced = read_workbook(sync_file(src, tmp_path / "out.xlsx").path).df(PLAN.name)
    assert len(rep.plan) == len(synced) > 0
    assert rep.plan["sku"].tolist() == synced["sku"].tolist()
    assert rep.plan["order_qty"].tolist() == synced["order_qty"].astype(float).tolist()
    assert rep.plan["amount"].tolist() == synced["amount"].astype(float).tolist()
    assert rep.backtest is None


def test_cli_prints_one_block_per_supplier_in_the_workbooks_language(tmp_path: Path) -> None:
    src = write_book(tmp_path / "m.xlsx")
    plan = plan_file(src).plan
    res = runner.invoke(app, ["plan", str(src)], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "采购计划" in res.output and "建议订货量" in res.output
    for supplier, lines in plan.groupby("supplier", sort=False):
        assert f"供应商 {supplier}：{len(lines)} 行，金额 {lines['amount'].sum():,.2f}" in res.output
    en = runner.invoke(app, ["plan", str(src), "--lang", "en"], env={"COLUMNS": "160"})
    assert en.exit_code == 0 and "Purchase plan" in en.output and "Order qty" in en.output
    assert "采购计划" not in en.output and "再订货点" not in en.output  # one language: the reasons follow --lang


def test_cli_json_and_backtest(tmp_path: Path) -> None:
    src = write_book(tmp_path / "m.xlsx")
    res = runner.invoke(app, ["plan", str(src), "--backtest", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [r["sku"] for r in doc["plan"]] == plan_file(src).plan["sku"].tolist()
    bt = doc["backtest"]
    assert bt["months"] == 10 - 3 - 1 and bt["target"] == 0.95  # 10 months of history, 3 to warm up
    groups = {ln["group"]: ln for ln in bt["lines"]}
    assert groups["all"]["skus"] == sum(ln["skus"] for g, ln in groups.items() if g != "all") == 5
    shown = runner.invoke(app, ["plan", str(src), "--backtest"], env={"COLUMNS": "160"})
    assert "回测" in shown.output and "周期服务水平" in shown.output and "满足率" in shown.output


def test_backtest_needs_enough_history(tmp_path: Path) -> None:
    data = small_month()
    data[HISTORY.name] = [r for r in data[HISTORY.name] if r["period"] >= "2026-06"]  # 5 months
    src = write_book(tmp_path / "m.xlsx", data)
    rep = plan_file(src, backtest=True)
    assert rep.backtest is not None and rep.backtest.lines == () and rep.backtest.months < MIN_MONTHS
    res = runner.invoke(app, ["plan", str(src), "--backtest"], env={"COLUMNS": "160"})
    assert res.exit_code == 0 and "至少需要 6 个" in res.output


def test_missing_file_is_usage_error() -> None:
    assert runner.invoke(app, ["plan", "nope.xlsx"]).exit_code == 2


def _terms(n: int, lead: float) -> ItemTerms:
    return ItemTerms(
        lead=np.full(n, lead),
        lead_sd=np.zeros(n),
        order_cost=np.full(n, 30.0),
        holding_cost=np.full(n, 2.0),
        fixed_ss=np.full(n, np.nan),
        max_cover_days=np.full(n, 90.0),
    )


@pytest.mark.parametrize("target", [0.9, 0.98])
def test_backtest_of_steady_poisson_demand_meets_its_target(target: float) -> None:
    # 60 SKUs with Poisson monthly demand (mean 300): the replayed policy reaches its target within 0.03,
    # and a higher target gives at least as much service and fill rate, for more stock.
    rng = np.random.default_rng(7)
    skus = pd.Index([f"S{i:02d}" for i in range(60)])
    periods = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]
    hist = pd.DataFrame([{"sku": s, "period": p, "demand_qty": int(rng.poisson(300))} for s in skus for p in periods])
    bt = backtest_plan(hist, "2026-11", skus, _terms(len(skus), 10.0), target)
    low = backtest_plan(hist, "2026-11", skus, _terms(len(skus), 10.0), 0.8)
    (all_line,) = [ln for ln in bt.lines if ln.group == "all"]
    (low_all,) = [ln for ln in low.lines if ln.group == "all"]
    assert bt.months == 12 and all_line.skus == 60 and all_line.cycles > 100
    assert all_line.cycle_service >= target - 0.03
    assert all_line.cycle_service >= low_all.cycle_service and all_line.fill_rate >= low_all.fill_rate
    assert all_line.stock_days > low_all.stock_days
    again = backtest_plan(hist, "2026-11", skus, _terms(len(skus), 10.0), target)
    assert again == bt  # a fixed seed: the same workbook gives the same figures


def test_a_month_with_nothing_to_order_shows_its_as_of_date(tmp_path: Path) -> None:
    data = small_month()
    data["tblOpening"] = [{**r, "qty": 100_000, "amount": r["unit_cost"] * 100_000} for r in data["tblOpening"]]
    src = write_book(tmp_path / "m.xlsx", data)
    rep = plan_file(src)
    assert rep.plan.empty and str(rep.as_of) == "2026-11-25"  # the last ledger date
    res = runner.invoke(app, ["plan", str(src)], env={"COLUMNS": "160"})
    assert res.exit_code == 0 and "计划日期 2026-11-25，无需订货" in res.output


def test_backtest_without_usable_history_gives_no_lines_and_an_old_line_does_not_hide_the_rest() -> None:
    skus = pd.Index(["A", "B"])
    periods = [f"2025-{m:02d}" for m in range(1, 13)]
    zero = pd.DataFrame([{"sku": s, "period": p, "demand_qty": 0} for s in skus for p in periods])
    assert backtest_plan(zero, "2026-01", skus, _terms(2, 7.0), 0.95).lines == ()  # no demand: nothing to replay
    some = zero.assign(demand_qty=30)
    old = pd.DataFrame([{"sku": "GONE", "period": "2023-06", "demand_qty": 5}])  # a discontinued SKU, long ago
    bt = backtest_plan(pd.concat([some, old]), "2026-01", skus, _terms(2, 7.0), 0.95)
    assert bt.months == 8 and [ln.skus for ln in bt.lines if ln.group == "all"] == [2]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_sheet_shows_the_backtest_jxc_plan_prints(tmp_path: Path, lang: str) -> None:
    src = write_book(tmp_path / "m.xlsx", lang=lang)
    bt = plan_file(src, backtest=True).backtest
    assert bt is not None and bt.lines
    summary = read_workbook(sync_file(src, tmp_path / "out.xlsx").path).df(SUMMARY.name)
    label = SUMMARY_SECTIONS["backtest"].label(lang)  # type: ignore[arg-type]
    rows = summary[summary["section"] == label].reset_index(drop=True)
    assert len(rows) == 1 + 2 * len(bt.lines)
    assert rows.loc[0, "rate"] == bt.target and rows.loc[0, "value"] == bt.months
    for i, ln in enumerate(bt.lines):
        service, fill = rows.loc[1 + 2 * i], rows.loc[2 + 2 * i]
        assert service["value"] == ln.cycles and service["rate"] == pytest.approx(ln.cycle_service, nan_ok=True)
        assert fill["rate"] == pytest.approx(ln.fill_rate, nan_ok=True) and fill["value"] == pytest.approx(
            ln.stock_days, abs=0.05
        )
    words = " ".join(rows["item"].astype(str))
    assert ("周期服务水平" in words) == (lang == "zh") and ("cycle service" in words) == (lang == "en")
