"""Validate workbooks: one file, or a batch of hundreds with the chain checks across months.

File level around ``core.rules``: read (``io.reader``), check, keep what the chain checks need
(``core.chains.MonthFacts``), then for a batch link the months of each company (``core.chains.link_months``).
Inputs are only ever read. One broken file becomes a file-unreadable finding; it never stops the batch. The
result is one ``Report`` (``jxc_xl.report``); its formats are ``report.jsondoc``, ``report.terminal`` and
``report.xlsx``; paths and the progress bar are ``jxc_xl.batch``; the files are checked here, in a process
pool or on a Dask cluster by ``jxc_xl.dispatch``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, NamedTuple

from jxc_xl.batch import ProgressBar, workbooks
from jxc_xl.core.book import Workbook
from jxc_xl.core.chains import MonthFacts, Previous, keep_for_chains, link_months, month_facts, previous_of
from jxc_xl.core.findings import Finding
from jxc_xl.core.messages import make_finding, phrase, word
from jxc_xl.core.rules import check
from jxc_xl.dispatch import FATAL, run_all
from jxc_xl.errors import JxcError, NotAWorkbookError
from jxc_xl.io.reader import first_crashing_sheet, read_workbook  # imported before workers fork: once for all
from jxc_xl.report.result import FileResult, Report, Stats, common_lang
from jxc_xl.schema import DEFAULT_LANG, INPUT_TABLES, Lang

__all__ = [
    "FileResult",
    "Previous",
    "Report",
    "load_previous",
    "try_load_previous",
    "validate_file",
    "validate_paths",
]


class _Checked(NamedTuple):
    """One file's result, and what the chain checks need of it (None when it could not be read)."""

    result: FileResult
    facts: MonthFacts | None = None


# ---------------------------------------------------------------------------------------------------
# One file


def _read(path: Path, lang: Lang | None) -> Workbook:
    return read_workbook(path, msg_lang=lang, generated=False)  # only the inputs are checked


def _crash_finding(path: Path, lang: Lang, error: BaseException) -> Finding:
    sheet = first_crashing_sheet(path)
    where = phrase("a_sheet", lang, sheet=sheet) if sheet else word("some_sheet", lang)
    detail = f"{type(error).__name__}: {error}".strip()
    return make_finding(
        "file-unreadable", lang, sheet=sheet, value=str(path), message_code="file-unreadable-panic", where=where,
        detail=detail[:300],
    )  # fmt: skip


def load_previous(path: str | Path, lang: Lang | None = None) -> Previous:
    """Read last month's workbook for the chain checks.

    Args:
        path: last month's workbook.
        lang: the language of the messages; default the workbook's own.

    Returns:
        Its period, company, closing and document index.

    Raises:
        NotAWorkbookError: when it cannot be read.
    """
    path = Path(path)
    try:
        wb = _read(path, lang)
    except JxcError:
        raise
    except FATAL:
        raise
    except BaseException as e:  # a crash of the native reader on one cell
        raise NotAWorkbookError(_crash_finding(path, lang or DEFAULT_LANG, e).message) from None
    return previous_of(path, wb)


def try_load_previous(path: str | Path, lang: Lang | None = None) -> Previous:
    """``load_previous`` that records an unreadable file in ``Previous.error`` instead of raising."""
    try:
        return load_previous(path, lang)
    except JxcError as e:
        return Previous(Path(path), None, None, None, error=str(e))


def _stats(rows: dict[str, int], t0: float) -> Stats:
    return Stats(rows=rows, elapsed_s=round(time.perf_counter() - t0, 3))


def _failed(path: Path, f: Finding, t0: float) -> _Checked:
    return _Checked(FileResult(path=path, findings=[f], stats=_stats({}, t0)))


def _unreadable(path: Path, lang: Lang, reason: str, t0: float, *, explained: bool = False) -> _Checked:
    variant = "file-unreadable-reason" if explained else None
    f = make_finding("file-unreadable", lang, value=str(path), reason=reason, message_code=variant)
    return _failed(path, f, t0)


def _validate(path: Path, lang: Lang | None, keep: bool, need_closing: bool) -> _Checked:
    """Every finding of one file, in ``lang`` (None: the workbook's own language; for a file that is no
    workbook, DEFAULT_LANG). ``keep``: also keep what the chain checks need (``need_closing``: the closing)."""
    t0 = time.perf_counter()
    try:
        wb = _read(path, lang)
    except NotAWorkbookError as e:
        say = lang or DEFAULT_LANG  # the reason in the report's language too (it was English in a zh report)
        return _unreadable(path, say, e.in_lang(say), t0, explained=True)
    except FATAL:
        raise
    except BaseException as e:  # any other failure of the reader, a native panic included: one finding
        return _failed(path, _crash_finding(path, lang or DEFAULT_LANG, e), t0)
    facts = month_facts(path, wb)
    res = FileResult(path=path, period=facts.period, company=facts.company, lang=wb.lang)
    try:
        findings = [*wb.findings, *check(wb, lang=lang or wb.lang)]
        if keep:
            keep_for_chains(facts, wb, findings, need_closing=need_closing)
    except FATAL:
        raise
    except BaseException as e:  # a bug of ours on strange data: report the file instead of crashing the batch
        msg = f"internal error while checking ({type(e).__name__}: {e})"
        return _unreadable(path, lang or wb.lang, msg, t0)
    res.findings = findings
    rows = {t.name: len(wb.tables[t.name].df) for t in INPUT_TABLES if t.name in wb.tables}
    res.stats = _stats(rows, t0)
    return _Checked(res, facts)


def _link(checked: Sequence[_Checked], prev: Previous | None, lang: Lang | None) -> list[FileResult]:
    """The results with the chain findings across their months (and ``prev``) added; their messages in
    ``lang``, else in the language the workbooks share (the months of one company are kept alike)."""
    chained = [c for c in checked if c.facts is not None]
    chain_lang = lang or common_lang([c.result for c in chained])
    links = link_months([c.facts for c in chained if c.facts is not None], prev, chain_lang)
    for c, link in zip(chained, links, strict=True):
        c.result.findings = link.apply(c.result.findings)
    return [c.result for c in checked]


def validate_file(path: str | Path, *, lang: Lang | None = None, previous: str | Path | None = None) -> FileResult:
    """Every finding of one workbook.

    Args:
        path: the workbook (an unreadable one gives one file-unreadable finding, never an exception).
        lang: the language of the messages; default the workbook's own.
        previous: last month's workbook of the same company; then also its opening and its returns of last
            month's documents are checked against it (or a warning says why they cannot be).

    Returns:
        The workbook's FileResult.
    """
    prev = try_load_previous(previous, lang) if previous is not None else None
    checked = _validate(Path(path), lang, keep=prev is not None, need_closing=False)
    return _link([checked], prev, lang)[0]


class _Job(NamedTuple):
    """One file of a batch, as it is sent to a worker (``_worker(*job)``): plain values that pickle."""

    path: str
    lang: Lang | None
    keep: bool  # keep what the chain checks need
    need_closing: bool  # and the closing (a month after it may be checked)


def _worker(path: str, lang: Lang | None, keep: bool, need_closing: bool) -> _Checked:
    return _validate(Path(path), lang, keep, need_closing)


def _crashed(job: _Job, error: BaseException) -> _Checked:
    """The result of a file whose worker process died or failed (a crash inside a native reader)."""
    path = Path(job.path)
    return _failed(path, _crash_finding(path, job.lang or DEFAULT_LANG, error), time.perf_counter())


def validate_paths(
    paths: Sequence[str | Path],
    *,
    lang: Lang | None = None,
    previous: str | Path | Previous | None = None,
    jobs: int = 1,
    progress: bool = False,
    stderr: IO[str] | None = None,
    exclude: str | Path | None = None,
    scheduler: str | None = None,
) -> Report:
    """Validate every workbook the arguments name, then the chain rules across the months of each company.

    Args:
        paths: files, folders (searched recursively) or globs; see ``batch.expand_paths``.
        lang: the language of the messages; default each workbook's own.
        previous: last month's workbook, one more member of its company's chain (never reported itself).
        jobs: workbooks checked in parallel (worker processes when > 1).
        progress: show a progress bar on ``stderr`` (default: the terminal's) for more than one file.
        exclude: a file folders and globs leave out (the report).
        scheduler: check the files on the Dask cluster of this scheduler (``tcp://host:8786``; ``jobs`` is then
            not used); each worker opens each file by its path (see ``jxc_xl.dispatch``); the chain checks run
            here. The findings are the same.

    Returns:
        The Report: one FileResult per workbook, in the order the arguments name them.

    Raises:
        UsageError: when an argument matches no workbook, or none is given; ``scheduler`` names no scheduler that
            answers, or Dask is not installed.
    """
    files = workbooks(paths, exclude=exclude)
    prev = previous if isinstance(previous, Previous) or previous is None else try_load_previous(previous, lang)
    batch = len(files) > 1
    todo = [_Job(str(f), lang, batch or prev is not None, batch) for f in files]
    with ProgressBar(len(files), progress, stderr) as tick:
        checked = run_all(_worker, todo, jobs, tick, _crashed, scheduler=scheduler)
    return Report(_link(checked, prev, lang))
