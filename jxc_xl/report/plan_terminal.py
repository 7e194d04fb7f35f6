"""`jxc plan` in the terminal: the plan's lines per supplier with a subtotal each, then the backtest table.

Headers are the plan sheet's own (schema PLAN) in the language asked for; every value goes through
``rich.markup.escape`` (a SKU "[A1]" is no markup).
"""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from jxc_xl.core.backtest import Backtest
from jxc_xl.core.messages import money_text, phrase, show
from jxc_xl.planning import PlanReport
from jxc_xl.schema import DEMAND_CLASSES, PLAN, Lang

SHOWN = ("sku", "name", "order_qty", "order_by", "amount")  # the reason goes under the name


def _cell(key: str, v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if key == "order_by":
        return pd.Timestamp(v).strftime("%Y-%m-%d")  # type: ignore[arg-type]
    if key == "amount":
        return money_text(float(v))  # type: ignore[arg-type]
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    return escape(show(v))


def _supplier_table(lines: pd.DataFrame, lang: Lang) -> RichTable:
    t = RichTable(expand=True)
    for key in SHOWN:
        right = key in ("order_qty", "amount")
        t.add_column(escape(PLAN.column(key).header(lang)), justify="right" if right else "left",
                     overflow="fold", ratio=1 if key == "name" else None, no_wrap=key != "name")  # fmt: skip
    for row in lines.itertuples(index=False):
        cells = [_cell(k, getattr(row, k)) for k in SHOWN]
        reason = _cell("reason", row.reason)
        cells[1] += f"\n[dim]{reason}[/]" if reason else ""
        t.add_row(*cells)
    return t


def render_plan(rep: PlanReport, console: Console, lang: Lang) -> None:
    """The plan's lines, one block per supplier (as the plan sheet orders them), then the backtest if any."""
    plan = rep.plan
    as_of = rep.as_of.isoformat() if rep.as_of else ""
    if not len(plan):
        console.print(escape(phrase("plan_empty", lang, path=rep.path, as_of=as_of or "—")))
    else:
        total = money_text(float(plan["amount"].sum()))
        console.print(escape(phrase("plan_title", lang, path=rep.path, as_of=as_of, lines=len(plan), amount=total)))
        supplier = plan["supplier"].where(plan["supplier"].notna(), "").astype(str).str.strip()
        for name, lines in plan.groupby(supplier, sort=False):
            shown = name or phrase("plan_no_supplier", lang)
            amount = money_text(float(lines["amount"].sum()))
            console.print(
                "\n[bold]"
                + escape(phrase("plan_supplier", lang, supplier=shown, lines=len(lines), amount=amount))
                + "[/]"
            )
            console.print(_supplier_table(lines, lang))
    if rep.backtest is not None:
        console.print()
        render_backtest(rep.backtest, console, lang)


def _share(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.1%}"


def _against(x: float, target: float, measured: bool) -> str:
    """A share; yellow where it is the measure targeted and falls short of the target by more than 0.01."""
    short = measured and not math.isnan(x) and x < target - 0.01
    return f"[yellow]{_share(x)}[/]" if short else _share(x)


def render_backtest(bt: Backtest, console: Console, lang: Lang) -> None:
    """The backtest: one row per demand class and one for all, against the target."""
    from jxc_xl.core.backtest import MIN_MONTHS, WARM_UP

    if not bt.lines:
        need = MIN_MONTHS + WARM_UP + 1
        console.print(escape(phrase("plan_bt_short", lang, months=bt.months, need=MIN_MONTHS, history=need)))
        return
    measure = phrase("plan_bt_fill" if bt.measure == "fill_rate" else "plan_bt_service", lang)
    title = phrase("plan_bt_title", lang, months=bt.months, measure=measure, target=f"{bt.target:.0%}")
    console.print("[bold]" + escape(title) + "[/]")
    t = RichTable()
    t.add_column(phrase("plan_bt_group", lang))
    for key in ("plan_bt_skus", "plan_bt_cycles", "plan_bt_service", "plan_bt_fill", "plan_bt_days"):
        t.add_column(phrase(key, lang), justify="right")
    for ln in bt.lines:
        group = phrase("plan_bt_all", lang) if ln.group == "all" else DEMAND_CLASSES[ln.group].label(lang)
        fill = bt.measure == "fill_rate"
        days = "" if math.isnan(ln.stock_days) else f"{ln.stock_days:.0f}"
        service, rate = _against(ln.cycle_service, bt.target, not fill), _against(ln.fill_rate, bt.target, fill)
        t.add_row(group, str(ln.skus), str(ln.cycles), service, rate, days)
    console.print(t)
    console.print("[dim]" + escape(phrase("plan_bt_note", lang)) + "[/]")
