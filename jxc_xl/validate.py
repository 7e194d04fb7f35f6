"""Validate workbooks: one file or a folder of hundreds; findings as a terminal table, JSON or an xlsx report.

File level around ``core.rules``: read (``io.reader``), check, and for a batch the chain rules across months
of one company (period-gap; each month's tblOpening against the previous month's closing). Inputs are only
ever read. One broken file becomes a file-unreadable finding; it never stops the batch.
"""

from __future__ import annotations

import glob
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table as RichTable

from jxc_xl.core.book import ROW, TableData, Workbook
from jxc_xl.core.findings import Finding
from jxc_xl.core.messages import make_finding, phrase, word
from jxc_xl.core.periods import next_period, previous_period
from jxc_xl.core.rules import check, check_opening, check_returns_previous, original_index
from jxc_xl.errors import JxcError, NotAWorkbookError, UsageError
from jxc_xl.io.reader import read_workbook  # imported before any worker forks, so no worker imports it again
from jxc_xl.schema import INPUT_TABLES, OPENING, RETURNS, SETTINGS_TABLE, TABLES, Lang

SEVERITY_ORDER = {"error": 0, "warning": 1}
SHEET_ORDER = {s: i for i, t in enumerate(TABLES) for s in (t.zh_sheet, t.en_sheet)}  # findings in workbook order
TERMINAL_ROWS = 200  # findings shown per workbook in the terminal; the JSON and xlsx report carry all
XLSX_MAX_ROWS = 1_048_575  # Excel's row limit minus the header
XLSX_MAX_URLS = 65_530  # Excel's hyperlink limit per worksheet


@dataclass
class FileResult:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    period: str | None = None
    company: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    lang: Lang = "zh"  # the workbook's own language (its sheet names and headers)
    period_cell: tuple[str, str] | None = None  # (sheet, A1) of the period setting, to locate period-gap
    # Kept for the chain checks across months, then dropped (never reported):
    opening: TableData | None = None  # tblOpening, to compare with the month before
    closing: pd.DataFrame | None = None  # this month's closing per SKU, to compare with the month after
    originals: pd.DataFrame | None = None  # rules.original_index: for next month's returns of this month's docs
    open_returns: TableData | None = None  # tblReturns rows whose original is not in this workbook
    is_previous: bool = False  # the --previous workbook as a chain member: none of its findings are reported

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.errors == 0


@dataclass
class Report:
    files: list[FileResult]

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    @property
    def valid(self) -> int:
        return sum(f.valid for f in self.files)

    def summary(self) -> dict[str, int]:
        return {"files": len(self.files), "valid": self.valid, "errors": self.errors, "warnings": self.warnings}


@dataclass
class Previous:
    """Last month's workbook as the chain checks need it."""

    path: Path
    period: str | None
    company: str | None
    closing: pd.DataFrame | None  # tblStock as sync regenerates it; None when it cannot be computed
    originals: pd.DataFrame | None = None  # rules.original_index of its sales and purchases
    error: str | None = None  # why it cannot be read at all (then nothing else is known)


# Never swallowed; everything else a reader throws (even a Rust panic, a BaseException) is the file's problem.
_FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)


# ---------------------------------------------------------------------------------------------------
# One file


def _read(path: Path, lang: Lang) -> Workbook:
    return read_workbook(path, msg_lang=lang, generated=False)  # only the inputs are checked


def _crash_sheet(path: Path) -> str | None:
    """The first sheet on which python-calamine crashes (the reader does not say which one did)."""
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            try:
                book.get_sheet_by_name(name).to_python()
            except _FATAL:
                raise
            except BaseException:
                return str(name)
    except _FATAL:
        raise
    except BaseException:
        return None
    return None


def _crash_finding(path: Path, lang: Lang, error: BaseException) -> Finding:
    sheet = _crash_sheet(path)
    where = phrase("a_sheet", lang, sheet=sheet) if sheet else word("some_sheet", lang)
    detail = f"{type(error).__name__}: {error}".strip()
    return make_finding(
        "file-unreadable", lang, sheet=sheet, value=str(path), message_code="file-unreadable-panic", where=where,
        detail=detail[:300],
    )  # fmt: skip


def _closing_of(wb: Workbook) -> pd.DataFrame | None:
    """Last month's closing per SKU, regenerated by the sync rules (None when that month cannot be computed)."""
    if wb.settings is None:
        return None
    from jxc_xl.core.generate import stock_balances

    try:
        return stock_balances(wb)[["sku", "closing_qty", "closing_amount"]]
    except Exception:  # a month too broken to value: its own findings say why; the next month is told
        return None


def load_previous(path: Path, lang: Lang = "zh") -> Previous:
    """Read ``path`` as last month's workbook. Raises NotAWorkbookError when it cannot be read."""
    path = Path(path)
    try:
        wb = _read(path, lang)
    except JxcError:
        raise
    except _FATAL:
        raise
    except BaseException as e:  # a crash of the native reader on one cell
        raise NotAWorkbookError(_crash_finding(path, lang, e).message) from None
    s = wb.settings
    return Previous(path, s.period if s else None, s.company if s else None, _closing_of(wb), original_index(wb))


def _load_previous_safe(path: Path, lang: Lang) -> Previous:
    """``load_previous`` that records an unreadable file instead of raising."""
    try:
        return load_previous(path, lang)
    except JxcError as e:
        return Previous(Path(path), None, None, None, error=str(e))


def _unreadable(path: Path, lang: Lang, reason: str, t0: float, *, explained: bool = False) -> FileResult:
    variant = "file-unreadable-reason" if explained else None
    f = make_finding("file-unreadable", lang, value=str(path), reason=reason, message_code=variant)
    return FileResult(path=path, findings=[f], stats=_stats({}, [f], t0))


def _stats(rows: dict[str, int], findings: list[Finding], t0: float) -> dict[str, Any]:
    return {
        "rows": rows,
        "errors": sum(f.severity == "error" for f in findings),
        "warnings": sum(f.severity == "warning" for f in findings),
        "elapsed_s": round(time.perf_counter() - t0, 3),
    }


def _validate(path: Path, lang: Lang, keep: bool, need_closing: bool) -> FileResult:
    """Every finding of one file. ``keep``: also keep what the chain checks need (``need_closing``: the closing)."""
    t0 = time.perf_counter()
    try:
        wb = _read(path, lang)
    except NotAWorkbookError as e:
        return _unreadable(path, lang, str(e), t0, explained=True)
    except _FATAL:
        raise
    except BaseException as e:  # any other failure of the reader, a native panic included: one finding
        f = _crash_finding(path, lang, e)
        return FileResult(path=path, findings=[f], stats=_stats({}, [f], t0))
    s = wb.settings
    res = FileResult(path=path, period=s.period if s else None, company=s.company if s else None, lang=wb.lang)
    pc = wb.setting_cells.get("period")
    if pc is not None:
        res.period_cell = (pc.sheet, pc.cell)
    try:
        findings = [*wb.findings, *check(wb, lang=lang)]
        if keep:
            _keep_for_chains(res, wb, findings, need_closing)
    except _FATAL:
        raise
    except BaseException as e:  # a bug of ours on strange data: report the file instead of crashing the batch
        return _unreadable(path, lang, f"internal error while checking ({type(e).__name__}: {e})", t0)
    res.findings = findings
    rows = {t.name: len(wb.tables[t.name].df) for t in INPUT_TABLES if t.name in wb.tables}
    res.stats = _stats(rows, findings, t0)
    return res


def _keep_for_chains(res: FileResult, wb: Workbook, findings: list[Finding], need_closing: bool) -> None:
    if (op := wb.tables.get(OPENING.name)) is not None and op.present:
        res.opening = op
    res.originals = original_index(wb)
    rt = wb.tables.get(RETURNS.name)
    rows = {f.row for f in findings if f.code == "return-unknown-original" and f.severity == "warning"}
    if rows and rt is not None and rt.present:
        sel = rt.df[ROW].isin(rows).to_numpy()
        res.open_returns = TableData(
            table=rt.table,
            df=rt.df[sel],
            sheet=rt.sheet,
            header_row=rt.header_row,
            col_letters=rt.col_letters,
            bad={k: np.asarray(v)[sel] for k, v in rt.bad.items()},
        )
    if need_closing:
        res.closing = _closing_of(wb)


def _finish(results: list[FileResult]) -> None:
    """Drop what the chain checks kept; recount the stats after them."""
    for r in results:
        r.opening = r.closing = r.originals = r.open_returns = None
        if r.stats:
            r.stats["errors"], r.stats["warnings"] = r.errors, r.warnings


def validate_file(path: str | Path, *, lang: Lang = "zh", previous: str | Path | None = None) -> FileResult:
    """Every finding of one workbook; with ``previous`` (last month's workbook of the same company), also its
    opening and its returns of last month's documents against it (or a warning saying why they cannot be)."""
    prev = _load_previous_safe(Path(previous), lang) if previous is not None else None
    res = _validate(Path(path), lang, keep=prev is not None, need_closing=False)
    if prev is not None:
        _link_chains([res], prev, lang)
    _finish([res])
    return res


def _worker(path: str, lang: Lang, keep: bool, need_closing: bool) -> FileResult:
    return _validate(Path(path), lang, keep, need_closing)


def _crashed(path: str, lang: Lang, keep: bool, need_closing: bool, error: BaseException) -> FileResult:
    """The result of a file whose worker process died or failed (a crash inside a native reader)."""
    f = _crash_finding(Path(path), lang, error)
    return FileResult(path=Path(path), findings=[f], stats=_stats({}, [f], time.perf_counter()))


# ---------------------------------------------------------------------------------------------------
# Chains: consecutive months of one company


def _chain_key(res: FileResult) -> tuple[str, str]:
    # Files without a company name chain by folder: one folder of monthly files is one business.
    return (res.company, "") if res.company else ("", str(res.path.resolve().parent))


def _company_label(company: str | None, path: Path, lang: Lang) -> str:
    return company or phrase("no_company", lang, folder=path.resolve().parent)


def _gap_findings(res: FileResult, before: str, after: str, lang: Lang) -> list[Finding]:
    """One period-gap finding per month missing strictly between ``before`` and ``after``."""
    out = []
    p = next_period(before)
    sheet, cell = res.period_cell or (SETTINGS_TABLE.sheet(res.lang), None)
    while p < after:
        out.append(
            make_finding(
                "period-gap",
                lang,
                sheet=sheet,
                column="value",
                cell=cell,
                value=p,
                company=_company_label(res.company, res.path, lang),
                before=before,
                after=after,
            )
        )
        p = next_period(p)
    return out


def _not_compared(res: FileResult, prev: Path, why: str, lang: Lang, **params: Any) -> Finding:
    """A warning on ``res``: its opening cannot be compared with ``prev`` (``why``: a WORDS key, its fix ``fix_…``)."""
    return make_finding(
        "opening-mismatch",
        lang,
        sheet=OPENING.sheet(res.lang),
        value=str(prev),
        message_code="opening-not-compared",
        severity="warning",
        prev_file=str(prev),
        reason=phrase(f"prev_{why}", lang, **params),
        fix=phrase(f"fix_{why}", lang, **params),
    )


def _previous_keys(groups: dict[tuple[str, str], dict[str, list[FileResult]]], prev: Previous) -> list[tuple[str, str]]:
    """The chains ``prev`` belongs to: its company's; without a company, its folder's, else every chain
    without a company (the user named it; nothing tells those apart)."""
    if prev.company:
        return [(prev.company, "")] if (prev.company, "") in groups else []
    own = ("", str(prev.path.resolve().parent))
    if own in groups:
        return [own]
    return [k for k in groups if k[0] == ""]


def _join_previous(groups: dict[tuple[str, str], dict[str, list[FileResult]]], prev: Previous, lang: Lang) -> None:
    """Make ``prev`` one more (unreported) member of its company's chain; say so where it cannot serve."""

    def firsts(keys: Iterable[tuple[str, str]]) -> list[FileResult]:
        return [m for k in keys for m in groups[k][min(groups[k])] if not m.is_previous]

    if prev.error is not None:
        for r in firsts(groups):
            r.findings.append(_not_compared(r, prev.path, "unreadable", lang, detail=prev.error))
        return
    keys = _previous_keys(groups, prev)
    if prev.period is None:  # not a jxc workbook, or no usable period: nothing to place it by
        for r in firsts(keys if prev.company and keys else groups):
            r.findings.append(_not_compared(r, prev.path, "no_period", lang))
        return
    if not keys:
        prev_company = _company_label(prev.company, prev.path, lang)
        for r in firsts(groups):
            company = _company_label(r.company, r.path, lang)
            r.findings.append(
                _not_compared(r, prev.path, "other_company", lang, prev_company=prev_company, company=company)
            )
        return
    member = FileResult(
        path=prev.path,
        period=prev.period,
        company=prev.company,
        closing=prev.closing,
        originals=prev.originals,
        is_previous=True,
    )
    for k in keys:
        months = groups[k]
        first = min(months)
        same = months.get(prev.period, [])
        if any(m.path.resolve() == prev.path.resolve() for m in same):
            continue  # it is in the batch already
        if prev.period >= max(months):
            for r in firsts([k]):
                r.findings.append(
                    _not_compared(
                        r, prev.path, "not_before", lang, prev_period=prev.period, period=first,
                        want=previous_period(first),
                    )
                )  # fmt: skip
            continue
        months.setdefault(prev.period, []).append(member)


def _link_chains(results: list[FileResult], prev: Previous | None, lang: Lang) -> None:
    """The chain findings, added to ``results`` in place: per company, each month against the month before
    (opening, returns of its documents), period-gap for a missing month, a warning for a month given twice."""
    groups: dict[tuple[str, str], dict[str, list[FileResult]]] = {}
    for r in results:
        if r.period is not None:
            groups.setdefault(_chain_key(r), {}).setdefault(r.period, []).append(r)
    if prev is not None:
        _join_previous(groups, prev, lang)
    for months in groups.values():
        periods = sorted(months)
        for p in periods:
            members = months[p]
            if len(members) > 1:
                files = ", ".join(str(m.path) for m in members)
                for m in members:
                    if not m.is_previous:
                        sheet, cell = m.period_cell or (SETTINGS_TABLE.sheet(m.lang), None)
                        m.findings.append(
                            make_finding(
                                "period-gap", lang, sheet=sheet, column="value", cell=cell, value=p,
                                message_code="period-duplicate", severity="warning", files=files,
                                company=_company_label(m.company, m.path, lang),
                            )
                        )  # fmt: skip
        for a, b in pairwise(periods):
            before = months[a][0]  # of a month given twice, the first (a batch file before --previous)
            for r in months[b]:
                if r.is_previous:
                    continue
                if next_period(a) == b:
                    found = _follow_on(before, r, lang)  # it may drop findings of r: assign r.findings after
                    r.findings += found
                else:
                    r.findings += _gap_findings(r, a, b, lang)


def _follow_on(prev: FileResult, res: FileResult, lang: Lang) -> list[Finding]:
    """``res`` against the month before it: its opening, and its returns of documents of that month."""
    out: list[Finding] = []
    if res.opening is not None:
        if prev.closing is None:
            out.append(_not_compared(res, prev.path, "no_closing", lang))
        else:
            wb = Workbook(path=res.path, lang=res.lang, settings=None, tables={OPENING.name: res.opening})
            out += check_opening(wb, prev.closing, lang=lang, previous_period=prev.period)
    if res.open_returns is not None and prev.originals is not None:
        rt = res.open_returns
        wb = Workbook(path=res.path, lang=res.lang, settings=None, tables={RETURNS.name: rt})
        rows = set(rt.df[ROW].tolist())
        res.findings = [
            f
            for f in res.findings
            if not (f.code == "return-unknown-original" and f.sheet == rt.sheet and f.row in rows)
        ]
        out += check_returns_previous(wb, prev.originals, lang=lang, previous_period=prev.period)
    return out


# ---------------------------------------------------------------------------------------------------
# Many files

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # any case: Windows users write .XLSX; the classic add-in needs .xlsm


def _is_workbook(p: Path) -> bool:
    return p.suffix.lower() in WORKBOOK_SUFFIXES and p.is_file()


def expand_paths(
    paths: Iterable[str | os.PathLike[str]], *, exclude: str | os.PathLike[str] | None = None
) -> tuple[list[Path], list[str]]:
    """Files, folders (recursively, ``*.xlsx``/``*.xlsm`` in any case) and globs → (workbooks in order,
    arguments matching nothing).

    Excel's ``~$`` lock files are skipped, and so is ``exclude`` (the report being written) where a folder or
    glob finds it; a file is listed once even when two arguments name it.
    """
    found: list[Path] = []
    unmatched: list[str] = []
    seen: set[Path] = set()
    skip = Path(exclude).resolve() if exclude is not None else None

    def add(p: Path, explicit: bool) -> bool:
        if p.name.startswith("~$"):
            return False
        key = p.resolve()
        if not explicit and (key == skip or p.stem.lower().endswith(".bak")):
            return False  # the report itself, or sync's NAME.bak.xlsx backup: not a month to check
        if key not in seen:
            seen.add(key)
            found.append(p)
        return True

    def under(folder: Path) -> list[Path]:
        return sorted(f for f in folder.rglob("*") if _is_workbook(f))

    for arg in paths:
        p = Path(arg)
        hits: list[tuple[Path, bool]] = []
        if p.is_dir():
            hits = [(f, False) for f in under(p)]
        elif p.is_file():
            hits = [(p, True)]
        elif glob.has_magic(str(arg)):
            for g in sorted(glob.glob(str(arg), recursive=True)):
                gp = Path(g)
                hits += [(f, False) for f in under(gp)] if gp.is_dir() else [(gp, False)] if _is_workbook(gp) else []
        matched = [add(h, explicit) for h, explicit in hits]
        if not any(matched) and not (p.is_file() and p.name.startswith("~$")):
            unmatched.append(str(arg))
    return found, unmatched


def _run_all(
    fn: Callable[..., Any],
    args: list[tuple[Any, ...]],
    jobs: int,
    tick: Callable[[], None],
    fallback: Callable[..., Any],
) -> list[Any]:
    """``fn(*a)`` for every ``a``, in order; ``jobs`` > 1 in worker processes. A worker that dies or fails
    (a crash in a native reader, a result that cannot cross back) costs only its own file: that one is retried
    alone, and if it fails again gets ``fallback(*a, error)``."""
    out: list[Any] = [None] * len(args)
    if jobs <= 1 or len(args) <= 1:
        for i, a in enumerate(args):
            try:
                out[i] = fn(*a)
            except _FATAL:
                raise
            except BaseException as e:
                out[i] = fallback(*a, e)
            tick()
        return out
    retry: list[int] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures: dict[Future[Any], int] = {pool.submit(fn, *a): i for i, a in enumerate(args)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                out[i] = fut.result()
                tick()
            except _FATAL:
                raise
            except BaseException:  # BrokenProcessPool, PicklingError, anything the worker let through
                retry.append(i)
    for i in retry:  # each alone, so one crashing file cannot take the others down again
        try:
            with ProcessPoolExecutor(max_workers=1) as pool:
                out[i] = pool.submit(fn, *args[i]).result()
        except _FATAL:
            raise
        except BaseException as e:
            out[i] = fallback(*args[i], e)
        tick()
    return out


def validate_paths(
    paths: list[str],
    *,
    lang: Lang = "zh",
    previous: str | Path | Previous | None = None,
    jobs: int = 1,
    progress: bool = False,
    stderr: IO[str] | None = None,
    exclude: str | Path | None = None,
) -> Report:
    """Validate every workbook the arguments name, then the chain rules across the months of each company.

    ``previous``: last month's workbook, one more member of its company's chain (never reported itself);
    ``exclude``: a file folders and globs leave out (the report). Raises UsageError when nothing matches
    (the CLI exits 2); see ``expand_paths``.
    """
    files, unmatched = expand_paths(paths, exclude=exclude)
    if unmatched or not files:
        what = ", ".join(unmatched) if unmatched else ", ".join(map(str, paths))
        raise UsageError(
            f"no workbook matches {what}; give .xlsx files, folders holding them, or globs like 'data/*.xlsx'."
        )
    prev = previous if isinstance(previous, Previous) or previous is None else _load_previous_safe(previous, lang)
    batch = len(files) > 1
    with _progress(len(files), progress, stderr) as tick:
        results: list[FileResult] = _run_all(
            _worker,
            [(str(f), lang, batch or prev is not None, batch) for f in files],
            jobs,
            tick,
            _crashed,
        )
    _link_chains(results, prev, lang)
    _finish(results)
    return Report(results)


class _progress:
    """A rich progress bar on stderr for more than one file (a no-op otherwise)."""

    def __init__(self, total: int, enabled: bool, stderr: IO[str] | None) -> None:
        self.total, self.enabled, self.stderr = total, enabled and total > 1, stderr
        self.bar: Any = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self.stderr) if self.stderr is not None else Console(stderr=True)
        self.bar = Progress(
            TextColumn("validate"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.bar.__enter__()
        task = self.bar.add_task("validate", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


# ---------------------------------------------------------------------------------------------------
# Output


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by sheet, row and column as they appear."""
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, 2),
            SHEET_ORDER.get(f.sheet or "", 99),
            f.sheet or "",
            f.row or 0,
            f.cell or "",
        ),
    )


def report_json(report: Report) -> dict[str, Any]:
    """The contract's JSON object: {"files": [{path, period, valid, findings, stats}], "summary": {…}}."""
    return {
        "files": [
            {
                "path": str(r.path),
                "period": r.period,
                "valid": r.valid,
                "findings": [f.model_dump(mode="json") for f in r.findings],
                "stats": r.stats,
            }
            for r in report.files
        ],
        "summary": report.summary(),
    }


_LABELS = {
    "zh": {
        "severity": "严重性",
        "code": "代码",
        "sheet": "工作表",
        "row": "行",
        "column": "列",
        "cell": "单元格",
        "value": "值",
        "message": "说明",
        "file": "文件",
        "period": "期间",
        "company": "公司",
        "valid": "有效",
        "errors": "错误",
        "warnings": "警告",
        "rows": "行数",
        "elapsed": "用时（秒）",
        "error": "错误",
        "warning": "警告",
        "yes": "是",
        "no": "否",
        "findings_sheet": "问题",
        "summary_sheet": "汇总",
        "more": "……另有 {n} 条（完整列表见 --json 或 --report）",
        "summary": "共 {files} 个工作簿：{valid} 个无错误；错误 {errors} 条，警告 {warnings} 条",
        "clean": "没有发现问题",
    },
    "en": {
        "severity": "Severity",
        "code": "Code",
        "sheet": "Sheet",
        "row": "Row",
        "column": "Column",
        "cell": "Cell",
        "value": "Value",
        "message": "Message",
        "file": "File",
        "period": "Period",
        "company": "Company",
        "valid": "Valid",
        "errors": "Errors",
        "warnings": "Warnings",
        "rows": "Rows",
        "elapsed": "Seconds",
        "error": "error",
        "warning": "warning",
        "yes": "yes",
        "no": "no",
        "findings_sheet": "Findings",
        "summary_sheet": "Summary",
        "more": "… {n} more (see --json or --report for all)",
        "summary": "{files} workbook(s): {valid} without errors; {errors} error(s), {warnings} warning(s)",
        "clean": "no problems found",
    },
}


def _findings_table(findings: list[Finding], lang: Lang, limit: int = TERMINAL_ROWS) -> RichTable:
    L = _LABELS[lang]
    t = RichTable(show_lines=False, expand=True)
    t.add_column(L["cell"], no_wrap=True)
    t.add_column(L["code"], no_wrap=True)
    t.add_column(L["message"], overflow="fold", ratio=1)
    for f in _sorted(findings)[:limit]:
        style = "red" if f.severity == "error" else "yellow"
        where = "!".join(x for x in (f.sheet, f.cell or (str(f.row) if f.row else None)) if x)
        t.add_row(where, f"[{style}]{f.code}[/]", f.message)
    return t


def render_findings(findings: list[Finding], console: Console, lang: Lang = "zh") -> None:
    """Findings of one workbook as a table, errors first (used when sync or close refuses)."""
    console.print(_findings_table(findings, lang))
    if len(findings) > TERMINAL_ROWS:
        console.print(_LABELS[lang]["more"].format(n=len(findings) - TERMINAL_ROWS))


def render_terminal(report: Report, console: Console, lang: Lang = "zh") -> None:
    """A table of findings per workbook (workbooks with errors first) and a summary line."""
    L = _LABELS[lang]
    for r in sorted(report.files, key=lambda r: (r.valid, r.warnings == 0)):
        mark = "[green]✓[/]" if r.valid else "[red]✗[/]"
        head = f"{mark} [bold]{r.path}[/]" + (f"  {r.period}" if r.period else "")
        counts = f"  {L['errors']} {r.errors}, {L['warnings']} {r.warnings}"
        console.print(head + counts, highlight=False, soft_wrap=True)
        if r.findings:
            render_findings(r.findings, console, lang)
    style = "green" if report.errors == 0 else "red"
    console.print(f"[bold {style}]" + L["summary"].format(**report.summary()) + "[/]", highlight=False)


def _link(src: Path, report_dir: Path, sheet: str | None, cell: str | None) -> str | None:
    """An ``external:`` hyperlink opening ``src`` at ``sheet!cell``; relative to the report when possible, so
    the link survives moving the folder (and Excel on Windows resolves it like any relative link)."""
    try:
        target = os.path.relpath(src.resolve(), report_dir.resolve())
    except ValueError:  # another drive on Windows
        target = str(src.resolve())
    if "#" in target:
        return None  # Excel reads # as the start of the location
    url = "external:" + target
    if sheet:
        url += "#'" + sheet.replace("'", "''") + "'!" + (cell or "A1")
    return url if len(url) <= 2079 else None


def write_report_xlsx(report: Report, path: str | Path, lang: Lang = "zh") -> Path:
    """Findings workbook: one row per finding whose cell reference opens the source workbook at that cell,
    plus a summary sheet per file."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    L = _LABELS[lang]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    red = wb.add_format({"font_color": "#C00000"})
    amber = wb.add_format({"font_color": "#9C5700"})
    link = wb.add_format({"font_color": "#0563C1", "underline": 1})

    ws = wb.add_worksheet(L["findings_sheet"])
    heads = ["file", "period", "severity", "code", "sheet", "row", "column", "cell", "value", "message"]
    widths = [36, 9, 8, 24, 12, 7, 12, 9, 16, 90]
    for c, (h, w) in enumerate(zip(heads, widths, strict=True)):
        ws.write_string(0, c, L[h], bold)
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    report_dir = path.parent
    r = 0
    urls = 0
    for res in sorted(report.files, key=lambda x: (x.valid, str(x.path))):
        for f in _sorted(res.findings):
            if r >= XLSX_MAX_ROWS:
                break
            r += 1
            fmt = red if f.severity == "error" else amber
            ws.write_string(r, 0, str(res.path))
            ws.write_string(r, 1, res.period or "")
            ws.write_string(r, 2, L[f.severity], fmt)
            ws.write_string(r, 3, f.code)
            ws.write_string(r, 4, f.sheet or "")
            if f.row is not None:
                ws.write_number(r, 5, f.row)
            ws.write_string(r, 6, f.column or "")
            url = _link(res.path, report_dir, f.sheet, f.cell) if urls < XLSX_MAX_URLS else None
            text = f.cell or f.sheet or ""
            if url and text:
                ws.write_url(r, 7, url, link, string=text)
                urls += 1
            else:
                ws.write_string(r, 7, text)
            if isinstance(f.value, int | float) and not isinstance(f.value, bool):
                ws.write_number(r, 8, f.value)
            elif f.value is not None:
                ws.write_string(r, 8, str(f.value))
            ws.write_string(r, 9, f.message)
    ws.autofilter(0, 0, max(r, 1), len(heads) - 1)

    sm = wb.add_worksheet(L["summary_sheet"])
    tables = [t.name for t in INPUT_TABLES]
    sheads = [L["file"], L["period"], L["company"], L["valid"], L["errors"], L["warnings"], L["elapsed"]]
    sheads += [f"{L['rows']} {t}" for t in tables]
    for c, h in enumerate(sheads):
        sm.write_string(0, c, h, bold)
        sm.set_column(c, c, 36 if c == 0 else 11)
    sm.freeze_panes(1, 1)
    for i, res in enumerate(report.files, start=1):
        url = _link(res.path, report_dir, None, None)
        if url:
            sm.write_url(i, 0, url, link, string=str(res.path))
        else:
            sm.write_string(i, 0, str(res.path))
        sm.write_string(i, 1, res.period or "")
        sm.write_string(i, 2, res.company or "")
        sm.write_string(i, 3, L["yes"] if res.valid else L["no"], None if res.valid else red)
        sm.write_number(i, 4, res.errors)
        sm.write_number(i, 5, res.warnings)
        sm.write_number(i, 6, float(res.stats.get("elapsed_s", 0.0)))
        rows = res.stats.get("rows", {})
        for c, t in enumerate(tables, start=7):
            if t in rows:
                sm.write_number(i, c, rows[t])
    n = len(report.files) + 2
    s = report.summary()
    sm.write_string(n, 0, L["summary"].format(**s), bold)
    wb.close()
    return path


def run_validate_cli(
    paths: list[str],
    *,
    as_json: bool = False,
    report: Path | None = None,
    previous: Path | None = None,
    jobs: int = 1,
    lang: Lang = "zh",
    stdout: IO[str],
    stderr: IO[str],
) -> int:
    """``jxc validate``: 0 when no errors, 1 when errors (or an unreadable file), 2 on wrong usage."""
    err = Console(file=stderr, highlight=False, soft_wrap=True)
    if jobs < 1:
        err.print(f"jxc validate: --jobs {jobs} must be at least 1.")
        return 2
    if report is not None and Path(report).suffix.lower() != ".xlsx":
        err.print(f"jxc validate: --report {report}: the report is written as an Excel file; name it *.xlsx.")
        return 2
    prev: Previous | None = None
    if previous is not None:
        if not Path(previous).exists():
            err.print(f"jxc validate: --previous {previous}: no such file; name last month's workbook.")
            return 2
        prev = _load_previous_safe(Path(previous), lang)
        if prev.error is not None:  # an unreadable file: exit 1 like any unreadable workbook, after the others
            err.print(f"jxc validate: --previous {previous} cannot be read, so no opening is compared with it: "
                      f"{prev.error}")  # fmt: skip
    if report is not None and any(Path(a).is_file() and Path(a).resolve() == Path(report).resolve() for a in paths):
        err.print(f"jxc validate: --report {report} is one of the workbooks to check; choose another name.")
        return 2
    try:
        res = validate_paths(
            paths, lang=lang, previous=prev, jobs=jobs, progress=True, stderr=stderr, exclude=report
        )  # a report inside a checked folder (from the last run) is left out, not checked
    except UsageError as e:
        err.print(f"jxc validate: {e}")
        return 2
    if as_json:
        stdout.write(json.dumps(report_json(res), ensure_ascii=False, indent=1) + "\n")
    else:
        render_terminal(res, Console(file=stdout, highlight=False, soft_wrap=False), lang)
    if report is not None:
        from xlsxwriter.exceptions import FileCreateError

        try:
            out = write_report_xlsx(res, report, lang)
        except (OSError, FileCreateError) as e:  # xlsxwriter raises FileCreateError, not OSError, on close
            cause = e.__cause__ or e.__context__ or e
            err.print(
                f"jxc validate: cannot write the report {report} ({cause}). If it is open in Excel close it; "
                "otherwise choose a path in a folder you can write to."
            )
            return 2
        err.print(f"report: {out}")
    if prev is not None and prev.error is not None:
        return 1
    return 0 if res.errors == 0 else 1
