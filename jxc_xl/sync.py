"""Sync and close: regenerate the generated sheets of a workbook file, and carry a month into the next.

File-level adapter: read (``io.reader``) → check (``core.rules``) → compute (``core.generate``) → write only
the generated tables back (``io.xlsxpatch``), leaving every other part of the package byte-identical.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jxc_xl.core.book import ROW, Workbook
from jxc_xl.core.findings import Finding
from jxc_xl.core.messages import phrase
from jxc_xl.core.periods import next_period
from jxc_xl.core.refusal import Caller, errors_of, require_computable
from jxc_xl.errors import JxcError, NotAWorkbookError, UsageError
from jxc_xl.io.package import check_file
from jxc_xl.io.xlsxpatch import check_unlocked
from jxc_xl.schema import CARRIED, HISTORY, ITEMS, OPENING, ORDERS, PLAN, STOCK, WAREHOUSES, Lang, Settings


@dataclass
class SyncResult:
    """What ``sync_file`` wrote."""

    path: Path  # the file written
    rows: dict[str, int]  # generated table → rows written
    findings: list[Finding] = field(default_factory=list)
    forced: bool = False
    stock_value: float = 0.0
    plan_amount: float = 0.0
    lang: Lang = "zh"  # the workbook's own language


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _require_input(path: Path) -> None:
    """A path that names no regular file is wrong usage (exit 2), as in validate: missing, a folder, a pipe."""
    try:
        check_file(path)
    except NotAWorkbookError as e:
        raise UsageError.from_error(e) from None


def _require_output(dst: Path, src: Path, lang: Lang) -> None:
    """Refuse an output that cannot be written as a workbook like ``src``: a folder, another file type, a pipe,
    or a folder that does not exist."""
    if dst.is_dir():
        raise UsageError.said("io_output_is_folder", path=dst, example=dst / (src.name or "out.xlsx"))
    suffix = src.suffix.lower() if src.suffix.lower() in WORKBOOK_SUFFIXES else ".xlsx"
    if dst.suffix.lower() != suffix:  # an .xlsm package named .xlsx (or .csv) is a file Excel refuses to open
        raise UsageError.said("io_output_suffix", path=dst, suffix=suffix)
    if not dst.parent.is_dir():
        raise UsageError(phrase("sync_no_folder", lang, dst=dst, folder=dst.parent))
    if dst.exists() and not dst.is_file():
        raise UsageError.said("io_not_regular", path=dst)


def _read_checked(
    path: Path, lang: Lang | None, force: bool, caller: Caller
) -> tuple[Workbook, Settings, list[Finding]]:
    """Read ``path`` and check it; refuses (``core.refusal``) unless it may be computed."""
    from jxc_xl.core.rules import all_findings
    from jxc_xl.io.reader import read_workbook

    wb = read_workbook(path, msg_lang=lang, generated=False)  # the generated tables are rewritten, not read
    findings = all_findings(wb, lang=lang or wb.lang)
    settings = require_computable(wb, findings, force=force, caller=caller, lang=lang)
    return wb, settings, findings


def sync_file(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    backup: bool = True,
    lang: Lang | None = None,
) -> SyncResult:
    """Regenerate tblStock, tblPlan and tblAnalysis of ``path`` into ``out`` (default: in place).

    Only the generated tables are rewritten; every other part of the file stays byte-identical. The write goes to
    a temporary file that replaces the target atomically.

    Args:
        path: the month's workbook.
        out: where to write (default: ``path`` itself); its folder must exist.
        force: write despite validation errors (never without a usable period).
        backup: keep ``NAME.bak.xlsx`` when writing in place.
        lang: language of the messages (default: the workbook's); the sheets keep the workbook's language.

    Returns:
        The SyncResult: the path written, rows per generated table, the findings, whether it was forced, and the
        closing stock value and planned amount.

    Raises:
        ValidationFailedError: the workbook has validation errors (and not ``force``) or no usable period.
        WorkbookLockedError: Excel holds the workbook open.
        UsageError: ``path`` names no file (missing, a folder, a pipe), or ``out`` is a folder, is not named like
            the input (.xlsx or .xlsm), or its folder does not exist.
        NotAWorkbookError: ``path`` is not a readable workbook.
        JxcError: the folder cannot be written (the file is left as it was).
    """
    from jxc_xl.core.generate import generate
    from jxc_xl.io.xlsxpatch import SheetLook, write_tables

    path = Path(path)
    dst = Path(out) if out else path
    _require_input(path)
    _require_output(dst, path, lang or "en")
    check_unlocked(path, dst)
    wb, settings, findings = _read_checked(path, lang, force, Caller(str(path), "sync", offers_force=True))
    tables = generate(wb, wb.lang)  # the sheets speak the workbook's language; --lang is for messages
    # A generated table the file lacks (plain ranges) is made as an Excel Table; an optional one is not written.
    look = SheetLook(
        wb.lang, settings.period, settings.company or None, frozenset(n for n, t in wb.tables.items() if t.present)
    )
    with _speaking(wb.lang):
        written = write_tables(path, dst, tables, backup=backup and dst == path, look=look)
    stock = tables[STOCK.name]
    plan = tables[PLAN.name]
    return SyncResult(
        path=dst,
        rows={name: len(df) for name, df in tables.items() if name in written},
        findings=findings,
        forced=bool(errors_of(findings)),
        stock_value=round(float(stock["closing_amount"].sum()), 2) if len(stock) else 0.0,
        plan_amount=round(float(plan["amount"].sum()), 2) if len(plan) else 0.0,
        lang=wb.lang,
    )


@dataclass
class CloseResult:
    """What ``close_month`` wrote: next month's workbook, whether it was created, its period and table rows."""

    path: Path
    created: bool
    period: str
    opening_rows: int
    history_rows: int
    lang: Lang = "zh"  # the workbook's own language


def _read_next(
    next_path: Path, period: str, this_period: str, opening: pd.DataFrame, lang: Lang
) -> tuple[Workbook, bool]:
    """Next month's existing workbook, and whether it takes this month's items (it has none yet).

    Refuses a workbook of another period, and one whose items lack SKUs with closing stock.
    """
    from jxc_xl.io.reader import read_workbook

    nxt = read_workbook(next_path)
    if nxt.settings is not None and nxt.settings.period != period:
        found = nxt.settings.period
        raise UsageError(
            phrase("close_wrong_period", lang, next=next_path, found=found, period=this_period, want=period)
        )
    has_wh = "warehouse" in opening.columns and opening["warehouse"].notna().any()
    if has_wh and "warehouse" not in nxt.tables[OPENING.name].col_letters:  # issue 12.2: never drop the 仓库
        raise JxcError(phrase("close_no_warehouse_column", lang, next=next_path, name=next_path.name))
    next_items = nxt.df(ITEMS.name)["sku"].dropna()
    if next_items.empty:
        return nxt, True  # e.g. made by `jxc new`: it gets this month's items
    missing = sorted(set(opening["sku"]) - set(next_items))
    if missing:
        # Rewriting a user's item list could drop their own columns: ask instead.
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise JxcError(
            phrase("close_items_missing", lang, next=next_path, count=len(missing), shown=shown, name=next_path.name)
        )
    return nxt, False


def _takes_orders(next_path: Path, nxt: Workbook) -> bool:
    """Whether next month's existing workbook takes this month's open orders: it has tblOrders as an Excel
    Table and no order typed in it yet (orders the user already keeps there are theirs, never overwritten)."""
    from jxc_xl.io.xlsxpatch import table_names

    has_table = ORDERS.name.casefold() in {name.casefold() for name in table_names(next_path)}
    return has_table and nxt.df(ORDERS.name).drop(columns=[ROW], errors="ignore").dropna(how="all").empty


def _has_table(next_path: Path, name: str) -> bool:
    """Whether next month's existing workbook has the Excel Table ``name`` (a workbook of an older template may
    lack tblCarried: then it gets none)."""
    from jxc_xl.io.xlsxpatch import table_names

    return name.casefold() in {n.casefold() for n in table_names(next_path)}


def close_month(
    path: str | os.PathLike[str], next_path: str | os.PathLike[str], *, lang: Lang | None = None
) -> CloseResult:
    """Carry this month's closing into next month's tblOpening, its demand into tblHistory, its open orders
    into tblOrders and the documents a return may still name into tblCarried.

    Creates ``next_path`` from the template (same settings, next period) or updates those tables in place
    (items only when next month has none yet, orders only when it has typed none).

    Args:
        path: this month's workbook (refused while it has validation errors).
        next_path: next month's workbook, created when it does not exist.
        lang: language of the messages (default: the workbook's).

    Returns:
        What was written: the path, whether it was created, its period and the rows of its two tables.

    Raises:
        ValidationFailedError: this month has validation errors or no usable period.
        WorkbookLockedError: Excel holds either workbook open.
        UsageError: ``path`` names no file; ``next_path`` is ``path`` itself, a folder, not an .xlsx/.xlsm name,
            in a folder that does not exist, or an existing workbook of another period.
        JxcError: an existing next month lacks items that have closing stock.
    """
    from jxc_xl.core.closing import carry_forward, history_parts, merge_history

    path, next_path = Path(path), Path(next_path)
    _require_input(path)
    if next_path.exists() and not next_path.is_file():
        _require_input(next_path)  # a folder or a pipe: said as for the input
    if next_path.suffix.lower() not in WORKBOOK_SUFFIXES or not next_path.parent.is_dir():
        _require_output(next_path, Path("month.xlsx"), lang or "en")
    if path.resolve() == next_path.resolve():
        raise UsageError(phrase("close_same_file", lang or "en", next=next_path, name=path.name))
    check_unlocked(path, next_path)
    wb, settings, _ = _read_checked(path, lang, False, Caller(str(path), "close"))
    period = next_period(settings.period)
    carried = carry_forward(wb)
    opening, items = carried.opening, carried.items
    history = history_parts(wb)
    created = not next_path.exists()
    write_items = created
    orders = carried.orders if len(carried.orders) else None  # open orders go on being tracked next month
    if not created:
        nxt, write_items = _read_next(next_path, period, settings.period, opening, lang or wb.lang)
        history += history_parts(nxt)
        if not _takes_orders(next_path, nxt):
            orders = None
    hist = merge_history([*history, carried.demand])
    extra = ({ITEMS.name: items} if write_items else {}) | ({ORDERS.name: orders} if orders is not None else {})
    if created or _has_table(next_path, CARRIED.name):  # filled by close alone: always this month's
        extra[CARRIED.name] = carried.carried
    if created and carried.warehouses is not None:  # issue 12.2: the warehouse list goes on
        extra[WAREHOUSES.name] = carried.warehouses

    with _speaking(wb.lang):
        _write_next(next_path, created, wb.lang, settings, period, {OPENING.name: opening, HISTORY.name: hist} | extra)
    return CloseResult(next_path, created, period, len(opening), len(hist), lang=wb.lang)


def _write_next(
    path: Path, created: bool, lang: Lang, settings: Settings, period: str, data: dict[str, pd.DataFrame]
) -> None:
    """Next month's workbook: made from the template with ``data``, or ``data`` written into it."""
    if created:
        from jxc_xl.io.template import build_workbook

        build_workbook(
            path,
            lang=lang,
            period=period,
            settings=settings.model_dump() | {"period": period},
            data=data,
            lookups=True,  # names beside codes, as jxc new writes them
        )
    else:
        from jxc_xl.io.xlsxpatch import write_tables

        write_tables(path, path, data, backup=True)


@contextmanager
def _speaking(lang: str) -> Iterator[None]:
    """A JxcError met while writing carries the workbook's language: the CLI says it in that language unless
    --lang asks for another (a zh workbook's \"folder cannot be written\" is Chinese)."""
    try:
        yield
    except JxcError as e:
        e.lang = e.lang or lang
        raise


__all__ = ["CloseResult", "SyncResult", "close_month", "sync_file"]
