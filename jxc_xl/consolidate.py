"""Consolidate a group's store workbooks into one workbook (``jxc consolidate``).

File side around ``core.group``: read each store (``io.reader``, its generated tables too), check it
(``core.rules``), decide its status — ``stale`` means its tblStock or tblPlan differs from what sync would write
from its ledgers now (closing quantity and value per SKU, order quantity and amount per order line) — then roll
the stores up and write the group workbook with xlsxwriter as Excel Tables (to a temporary file that replaces
the target). Stores are only read. Paths and the progress bar are ``jxc_xl.batch``; the stores are read here,
in a process pool or on a Dask cluster by ``jxc_xl.dispatch``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.batch import ProgressBar, workbooks
from jxc_xl.core.book import Workbook
from jxc_xl.core.group import Group, StoreBook, StoreStatus, roll_up
from jxc_xl.core.messages import phrase, word
from jxc_xl.core.money import to_cents
from jxc_xl.dispatch import run_all
from jxc_xl.errors import JxcError, UsageError
from jxc_xl.report.jsondoc import text_safe
from jxc_xl.schema import DEFAULT_LANG, ITEMS, PLAN, STOCK, Lang

__all__ = ["ConsolidateResult", "consolidate_paths", "read_store"]


@dataclass
class ConsolidateResult:
    """What ``consolidate_paths`` wrote: the file, its period and language, and the group's tables."""

    path: Path
    period: str
    lang: Lang
    group: Group

    @property
    def stock_value(self) -> float:
        return self.group.stock_cents / 100

    @property
    def plan_amount(self) -> float:
        return self.group.plan_cents / 100

    def statuses(self) -> list[tuple[str, str, StoreStatus, str]]:
        """(store, path, status, message) of every store, in order."""
        st = self.group.status
        return list(zip(st["store"], st["path"], st["status"], st["message"], strict=True))


def _differs(
    wb: Workbook, stock: pd.DataFrame, plan: pd.DataFrame, metrics: pd.DataFrame, val_stock: pd.DataFrame
) -> bool:
    """Whether the stored tblStock/tblPlan differ from what sync would write now."""
    have = stock.set_index(stock["sku"].astype(str))
    want = val_stock.set_index(val_stock["sku"].astype(str))
    if sorted(have.index) != sorted(want.index):
        return True
    have = have.loc[want.index]
    if not np.array_equal(
        np.round(have["closing_qty"].to_numpy(np.float64), 6), np.round(want["closing_qty"].to_numpy(np.float64), 6)
    ):
        return True
    if not np.array_equal(
        to_cents(have["closing_amount"].to_numpy(np.float64)), want["closing_cents"].to_numpy(np.int64)
    ):
        return True
    planned = metrics.loc[metrics["enters"]]
    p = plan.set_index(plan["sku"].astype(str))
    if sorted(p.index) != sorted(planned.index.astype(str)):
        return True
    p = p.loc[planned.index.astype(str)]
    same_qty = np.array_equal(
        np.round(p["order_qty"].to_numpy(np.float64), 6), np.round(planned["order_qty"].to_numpy(np.float64), 6)
    )
    return not (
        same_qty
        and np.array_equal(to_cents(p["amount"].to_numpy(np.float64)), planned["amount_cents"].to_numpy(np.int64))
    )


def read_store(path: str | Path, lang: Lang | None = None) -> StoreBook:
    """One store's workbook as consolidation needs it (never raises for the file's own problems).

    Args:
        path: the store's workbook.
        lang: the language of its status message; default the workbook's own.

    Returns:
        The StoreBook: company, period, status (ok, not_synced, stale, invalid, unreadable), validation errors
        and warnings, its generated stock and plan, and per SKU its reorder point and order quantity.
    """
    from jxc_xl.core.plan import plan_metrics
    from jxc_xl.core.refusal import errors_of
    from jxc_xl.core.rules import all_findings
    from jxc_xl.core.valuation import value_month
    from jxc_xl.io.reader import read_workbook

    p = str(path)
    try:
        wb = read_workbook(path, msg_lang=lang, generated=(STOCK.name, PLAN.name))  # not the card's 100,000 rows
    except JxcError as e:
        return StoreBook(p, "", None, "unreadable", message=str(e))
    say = lang or wb.lang
    s = wb.settings
    findings = all_findings(wb, lang=say)
    n_err = len(errors_of(findings))
    company, period = (s.company, s.period) if s else ("", None)
    book = StoreBook(p, company, period, "ok", n_err, len(findings) - n_err, lang=wb.lang)
    if s is None or n_err:
        return _with(book, "invalid", phrase("group_msg_invalid", say, n=n_err, path=p))
    stock, plan = wb.df(STOCK.name), wb.df(PLAN.name)
    if stock.empty and not wb.df(ITEMS.name).empty:
        return _with(book, "not_synced", phrase("group_msg_not_synced", say, path=p))
    val = value_month(wb)
    metrics = plan_metrics(wb, val)
    if _differs(wb, stock, plan, metrics, val.stock):
        return _with(book, "stale", phrase("group_msg_stale", say, path=p))
    book.stock, book.plan = stock, plan
    size = metrics["order_qty"].fillna(metrics["eoq"]).fillna(0.0)  # an unplanned SKU orders its EOQ
    levels = pd.DataFrame({"reorder_point": metrics["reorder_point"], "order_qty": size})
    book.levels = levels.set_axis(metrics.index.astype(str))
    return book


def _with(book: StoreBook, status: StoreStatus, message: str) -> StoreBook:
    book.status, book.message = status, message
    return book


class _Job(NamedTuple):
    path: str
    lang: Lang | None


def _crashed(job: _Job, error: BaseException) -> StoreBook:
    detail = f"{type(error).__name__}: {error}".strip()[:300]
    return StoreBook(job.path, "", None, "unreadable", message=detail)


def _group_lang(stores: list[StoreBook], lang: Lang | None) -> Lang:
    """``lang``, else the language the readable stores share (DEFAULT_LANG when they differ)."""
    if lang is not None:
        return lang
    known = {s.lang for s in stores if s.lang is not None}
    return known.pop() if len(known) == 1 else DEFAULT_LANG


def consolidate_paths(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    lang: Lang | None = None,
    jobs: int = 1,
    progress: bool = False,
    stderr: IO[str] | None = None,
    scheduler: str | None = None,
) -> ConsolidateResult:
    """Roll the stores' generated tables up into one group workbook (see ``core.group`` for the rules).

    Args:
        paths: the stores' workbooks: files, folders (searched recursively) or globs.
        out: the group workbook to write (.xlsx; replaced atomically if it exists).
        lang: the language of the group workbook and the messages; default the stores' common language.
        jobs: stores read in parallel (worker processes when > 1).
        progress: show a progress bar on ``stderr`` for more than one store.
        scheduler: read the stores on the Dask cluster of this scheduler (``tcp://host:8786``; ``jobs`` is then
            not used); each worker opens each store by its path (see ``jxc_xl.dispatch``); the group workbook,
            written here, is the same bytes.

    Returns:
        The ConsolidateResult: the path written, the period, the language and the group's tables (every store
        with its status; only stores whose status is ``ok`` are in the figures).

    Raises:
        UsageError: an argument matches no workbook, ``out`` is not an .xlsx name, its folder does not exist, or
            it is one of the stores; ``scheduler`` names no scheduler that answers, or Dask is not installed.
        JxcError: the stores are of different periods (the message names them), or none has a period.
    """
    out = Path(out)
    files = workbooks(paths, exclude=out)
    if out.suffix.lower() != ".xlsx" or not out.parent.is_dir() or out.is_dir():
        raise UsageError.said("group_bad_output", path=out)
    if any(f.resolve() == out.resolve() for f in files):
        raise UsageError.said("group_output_is_input", path=out)
    with ProgressBar(len(files), progress, stderr, label="consolidate") as tick:
        stores = run_all(read_store, [_Job(str(f), lang) for f in files], jobs, tick, _crashed, scheduler=scheduler)
    say = _group_lang(stores, lang)
    group = roll_up(stores, say)
    _write_atomic(group, out, say)
    return ConsolidateResult(out, group.period, say, group)


def _write_atomic(group: Group, out: Path, lang: Lang) -> None:
    from jxc_xl.io.template.build import cannot_create

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".xlsx", dir=out.parent)
    except OSError as e:  # a read-only folder: one line, nothing written (was: an internal error)
        raise cannot_create(out, e) from e
    os.close(fd)
    try:
        write_group(group, Path(tmp), lang)
        try:
            os.replace(tmp, out)
        except OSError as e:
            raise cannot_create(out, e) from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------------
# The group workbook

_MONEY, _QTY, _INT, _TEXT = "money", "qty", "int", "text"


class _Col(NamedTuple):
    """One column of a group table: its frame column, its header and how it is written."""

    key: str
    header: str
    kind: str


def _cols(lang: Lang, spec: str) -> list[_Col]:
    """Columns from a spec 'key:kind …'; headers of the store workbook's columns come from the schema, the
    others from the catalog (group_col_…); ``*_cents`` columns are written as amounts."""
    out = []
    for part in spec.split():
        key, kind = part.split(":")
        base = key.removesuffix("_cents")
        if base in STOCK.keys():
            header = STOCK.column(base).header(lang)
        elif base in PLAN.keys():
            header = PLAN.column(base).header(lang)
        else:
            header = word(f"group_col_{base}", lang)
        out.append(_Col(key, header, kind))
    return out


def _tables(group: Group, lang: Lang) -> list[tuple[str, str, pd.DataFrame, list[_Col]]]:
    """(sheet, table name, frame, columns) of every table of the group workbook."""
    status = group.status.assign(status=[word(f"group_status_{k}", lang) for k in group.status["status"]])
    return [
        ("group_sheet_status", "tblGroupStatus", status, _cols(
            lang, "store:text path:text period:text status:text errors:int warnings:int stock_value_cents:money "
            "plan_amount_cents:money message:text")),
        ("group_sheet_totals", "tblGroupStock", group.totals, _cols(
            lang, "sku:text name:text unit:text closing_qty:qty closing_amount_cents:money stores:int")),
        ("group_sheet_stock", "tblStoreStock", group.stock, _cols(
            lang, "store:text sku:text name:text unit:text closing_qty:qty closing_amount_cents:money")),
        ("group_sheet_company_plan", "tblGroupPlan", group.company_plan, _cols(
            lang, "sku:text name:text order_qty:qty amount_cents:money stores:int")),
        ("group_sheet_store_plan", "tblStorePlan", group.store_plan, _cols(
            lang, "store:text sku:text name:text supplier:text on_hand:qty reorder_point:qty order_qty:qty "
            "amount_cents:money")),
        ("group_sheet_transfers", "tblTransfers", group.transfers, _cols(
            lang, "sku:text name:text short_store:text order_qty:qty from_store:text spare:qty suggested:qty")),
    ]  # fmt: skip


_RENAMED = {
    "closing_amount_cents": "closing_cents",
    "stock_value_cents": "stock_cents",
    "plan_amount_cents": "plan_cents",
    "short_store": "store",
}


def _cell(value: object, kind: str) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if kind == _MONEY:
        return int(value) / 100  # type: ignore[call-overload]
    if kind in (_QTY,):
        return float(value)  # type: ignore[arg-type]
    if kind == _INT:
        return int(value)  # type: ignore[call-overload]
    return text_safe(str(value))  # a file name's bytes that are not UTF-8: backslash escapes, as in the JSON


def write_group(group: Group, path: Path, lang: Lang) -> None:
    """Write the group's tables to ``path``: one sheet per table, each an Excel Table with headers in ``lang``.
    The same group gives the same bytes."""
    import xlsxwriter

    from jxc_xl.io.template.styles import CREATED

    # Text stays text (a SKU "=1+1" or a path "http://…" is no formula or link); a fixed date: same bytes.
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"author": "jxc-xl", "subject": f"jxc-xl {group.period}", "created": CREATED})
    fmt = {_MONEY: book.add_format({"num_format": "#,##0.00"}), _QTY: book.add_format({"num_format": "#,##0.##"})}
    for sheet_key, name, df, cols in _tables(group, lang):
        ws = book.add_worksheet(word(sheet_key, lang))
        data = [
            [_cell(v, c.kind) for v, c in zip(row, cols, strict=True)]
            for row in df[[_RENAMED.get(c.key, c.key) for c in cols]].itertuples(index=False, name=None)
        ]
        columns = [{"header": c.header, **({"format": fmt[c.kind]} if c.kind in fmt else {})} for c in cols]
        last = max(len(data), 1)
        ws.add_table(0, 0, last, len(cols) - 1, {"name": name, "columns": columns, "data": data})
        for i, c in enumerate(cols):
            ws.set_column(i, i, 40 if c.key in ("path", "message") else 14)
        ws.freeze_panes(1, 0)
    book.close()
