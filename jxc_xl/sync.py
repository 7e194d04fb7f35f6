"""Sync and close: regenerate the generated sheets of a workbook file, and carry a month into the next.

File-level adapter: read (``io.reader``) → check (``core.rules``) → compute (``core.generate``) → write only
the generated tables back (``io.xlsxpatch``), leaving every other part of the package byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.findings import Finding
from jxc_xl.core.periods import next_period
from jxc_xl.errors import JxcError, UsageError, ValidationFailedError
from jxc_xl.io.xlsxpatch import check_unlocked, lock_file
from jxc_xl.schema import HISTORY, ITEMS, OPENING, Lang

HISTORY_MONTHS = 24  # tblHistory keeps this many months per SKU


@dataclass
class SyncResult:
    path: Path  # the file written
    rows: dict[str, int]  # generated table → rows written
    findings: list[Finding] = field(default_factory=list)
    forced: bool = False
    stock_value: float = 0.0
    plan_amount: float = 0.0


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def _read_checked(path: Path, lang: Lang | None, force: bool, verb: str) -> tuple[Workbook, list[Finding]]:
    from jxc_xl.core.rules import all_findings
    from jxc_xl.io.reader import read_workbook

    wb = read_workbook(path, generated=False)  # the generated tables are rewritten, not read
    findings = all_findings(wb, lang=lang or wb.lang)
    errors = errors_of(findings)
    if wb.settings is None:
        raise ValidationFailedError(
            f"{path}: the settings sheet has no usable 会计期间/period, so nothing can be computed. "
            "Fix the settings cell named above.",
            findings=findings,
        )
    if errors and not force:
        raise ValidationFailedError(
            f"{path}: {len(errors)} validation error(s); {verb} refused. Fix them (see `jxc validate {path}`)"
            + (" or pass --force to sync anyway." if verb == "sync" else "."),
            findings=findings,
        )
    return wb, findings


def sync_file(
    path: Path,
    out: Path | None = None,
    *,
    force: bool = False,
    backup: bool = True,
    lang: Lang | None = None,
) -> SyncResult:
    """Regenerate tblStock, tblPlan and tblAnalysis of ``path`` into ``out`` (default: in place)."""
    from jxc_xl.core.generate import generate
    from jxc_xl.io.xlsxpatch import write_tables

    path = Path(path)
    dst = Path(out) if out else path
    if not dst.parent.is_dir():
        raise UsageError(f"{dst}: the folder {dst.parent} does not exist; create it or choose another -o path.")
    check_unlocked(path, dst)
    wb, findings = _read_checked(path, lang, force, "sync")
    tables = generate(wb, wb.lang)  # the sheets speak the workbook's language; --lang is for messages
    write_tables(path, dst, tables, backup=backup and dst == path)
    stock = tables["tblStock"]
    plan = tables["tblPlan"]
    return SyncResult(
        path=dst,
        rows={name: len(df) for name, df in tables.items()},
        findings=findings,
        forced=bool(errors_of(findings)),
        stock_value=round(float(stock["closing_amount"].sum()), 2) if len(stock) else 0.0,
        plan_amount=round(float(plan["amount"].sum()), 2) if len(plan) else 0.0,
    )


@dataclass
class CloseResult:
    path: Path
    created: bool
    period: str
    opening_rows: int
    history_rows: int


def month_demand(wb) -> pd.DataFrame:
    """This month's net demand per SKU (sales − sales returns), for tblHistory."""
    from jxc_xl.core.ledger import ledger_events

    ev = ledger_events(wb)
    sign = ev["kind"].map({"sale": 1.0, "sales_return": -1.0}).fillna(0.0)
    demand = (ev["qty"] * sign).groupby(ev["sku"]).sum()
    items = wb.df("tblItems")["sku"].dropna()
    demand = demand.reindex(pd.Index(items.unique()).union(demand.index), fill_value=0.0)
    return pd.DataFrame({"sku": demand.index, "period": wb.settings.period, "demand_qty": demand.clip(lower=0).values})


def close_month(path: Path, next_path: Path, *, lang: Lang | None = None) -> CloseResult:
    """Carry this month's closing into next month's tblOpening and its demand into tblHistory.

    Creates ``next_path`` from the template (same settings, next period) or updates its two tables in place.
    """
    from jxc_xl.core.generate import stock_balances
    from jxc_xl.io.reader import read_workbook

    path, next_path = Path(path), Path(next_path)
    if path.resolve() == next_path.resolve():
        raise UsageError(f"{next_path}: next month's workbook must be another file than {path.name}.")
    check_unlocked(path, next_path)
    wb, _ = _read_checked(path, lang, False, "close")
    period = next_period(wb.settings.period)
    stock = stock_balances(wb)
    opening = pd.DataFrame(
        {
            "sku": stock["sku"],
            "qty": stock["closing_qty"],
            "unit_cost": stock["closing_unit_cost"],
            "amount": stock["closing_amount"],
        }
    )
    opening = opening[(opening["qty"] != 0) | (opening["amount"] != 0)].reset_index(drop=True)
    old_hist = wb.df("tblHistory")[["sku", "period", "demand_qty"]]
    created = not next_path.exists()
    items = wb.df("tblItems").drop(columns=["_row"])
    write_items = created
    if not created:
        nxt = read_workbook(next_path)
        if nxt.settings is not None and nxt.settings.period != period:
            raise UsageError(
                f"{next_path}: its period is {nxt.settings.period}, but the month after {wb.settings.period} is "
                f"{period}. Give the workbook of {period}, or a new file name to create it."
            )
        next_items = nxt.df("tblItems")["sku"].dropna()
        if next_items.empty:
            write_items = True  # e.g. made by `jxc new`: it gets this month's items
        else:
            missing = sorted(set(opening["sku"]) - set(next_items))
            if missing:
                # Rewriting a user's item list could drop their own columns: ask instead.
                shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
                raise JxcError(
                    f"{next_path}: {len(missing)} item(s) with closing stock are not in its 商品/Items sheet "
                    f"({shown}); add them there, or delete {next_path.name} and run close again to create it."
                )
        old_hist = pd.concat([old_hist, nxt.df("tblHistory")[["sku", "period", "demand_qty"]]])
    hist = pd.concat([old_hist, month_demand(wb)], ignore_index=True).dropna(subset=["sku", "period"])
    # The latest figure for a (sku, period) wins, so re-closing a month replaces its demand.
    hist = hist.drop_duplicates(subset=["sku", "period"], keep="last")
    keep = sorted(hist["period"].unique())[-HISTORY_MONTHS:]
    hist = hist[hist["period"].isin(keep)].sort_values(["sku", "period"], kind="stable").reset_index(drop=True)

    if created:
        from jxc_xl.io.template import build_workbook

        settings = wb.settings.model_dump()
        settings["period"] = period
        build_workbook(
            next_path,
            lang=wb.lang,
            period=period,
            settings=settings,
            data={"tblItems": items, OPENING.name: opening, HISTORY.name: hist},
        )
    else:
        from jxc_xl.io.xlsxpatch import write_tables

        tables = {OPENING.name: opening, HISTORY.name: hist} | ({ITEMS.name: items} if write_items else {})
        write_tables(next_path, next_path, tables, backup=True)
    return CloseResult(next_path, created, period, len(opening), len(hist))


__all__ = ["CloseResult", "JxcError", "SyncResult", "close_month", "lock_file", "sync_file"]
