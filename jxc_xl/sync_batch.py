"""Sync a batch of store workbooks: files, folders and globs as validate takes them, in worker processes.

Each store is ``sync.sync_file`` in place (its ``NAME.bak.xlsx`` kept unless ``backup=False``); one store that
is refused (validation errors, Excel holds it open) or fails (unreadable, a folder that cannot be written, a
crash) is one line of the ``SyncReport`` and never stops the others. Paths and the progress bar are
``jxc_xl.batch``; the stores run here, in a process pool or on a Dask cluster by ``jxc_xl.dispatch``, exactly
as ``validate.validate_paths`` runs its files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

from jxc_xl.batch import ProgressBar, workbooks
from jxc_xl.core.messages import phrase
from jxc_xl.core.refusal import errors_of
from jxc_xl.dispatch import run_all
from jxc_xl.errors import JxcError, ValidationFailedError, WorkbookLockedError
from jxc_xl.schema import DEFAULT_LANG, LANGS, Lang
from jxc_xl.sync import sync_file

__all__ = ["StoreSync", "SyncReport", "sync_paths"]

SyncStatus = Literal["synced", "refused", "failed"]


@dataclass
class StoreSync:
    """One store of a batch: what sync did with it.

    status: ``synced`` (written), ``refused`` (sync chose not to write: validation errors, Excel holds the file
    open) or ``failed`` (the file could not be processed: unreadable, unwritable, a crash).
    errors: the validation errors found (0 when the file could not be read).
    message: the refusal or error, one line naming the file and the fix ("" when synced).
    """

    path: Path
    status: SyncStatus
    rows: dict[str, int] = field(default_factory=dict)
    stock_value: float | None = None
    plan_amount: float | None = None
    errors: int = 0
    forced: bool = False
    message: str = ""
    lang: Lang | None = None  # the workbook's language (or --lang); None when the file was not read
    said: tuple[str, str] | None = None  # a catalog message in zh and en: the terminal line speaks one language

    def json(self) -> dict[str, Any]:
        """The store as ``--json`` prints it: path, status, rows, stock_value, plan_amount, errors, message."""
        return {
            "path": str(self.path),
            "status": self.status,
            "rows": dict(self.rows),
            "stock_value": self.stock_value,
            "plan_amount": self.plan_amount,
            "errors": self.errors,
            "message": self.message,
        }


@dataclass
class SyncReport:
    """The stores of a batch, in the order the arguments name them."""

    stores: list[StoreSync]

    def count(self, status: SyncStatus) -> int:
        return sum(s.status == status for s in self.stores)

    def summary(self) -> dict[str, int]:
        """``{"stores", "synced", "refused", "failed"}``."""
        return {
            "stores": len(self.stores),
            "synced": self.count("synced"),
            "refused": self.count("refused"),
            "failed": self.count("failed"),
        }

    @property
    def ok(self) -> bool:
        """Every store synced."""
        return all(s.status == "synced" for s in self.stores)

    @property
    def lang(self) -> Lang:
        """The language the stores that were read share (DEFAULT_LANG when they differ or none was read)."""
        langs = {s.lang for s in self.stores if s.lang is not None}
        return langs.pop() if len(langs) == 1 else DEFAULT_LANG

    def json(self) -> dict[str, Any]:
        """``{"stores": [one object per store], "summary": {stores, synced, refused, failed}}``; a file name's
        bytes that are not UTF-8 are backslash escapes, as in validate's JSON."""
        from jxc_xl.report.jsondoc import text_safe  # validate's JSON does the same; one home for the rule

        return text_safe({"stores": [s.json() for s in self.stores], "summary": self.summary()})


class _Job(NamedTuple):
    """One store, as it is sent to a worker (``_worker(*job)``): plain values that pickle."""

    path: str
    force: bool
    backup: bool
    lang: Lang | None


def _both(e: JxcError) -> tuple[str, str] | None:
    """A catalog error's message in zh and in en (None: not from the catalog, or a refusal already in one)."""
    return (e.in_lang("zh"), e.in_lang("en")) if e.key is not None else None


def _worker(path: str, force: bool, backup: bool, lang: Lang | None) -> StoreSync:
    p = Path(path)
    try:
        res = sync_file(p, force=force, backup=backup, lang=lang)
    except (ValidationFailedError, WorkbookLockedError) as e:
        n = len(errors_of(e.findings)) if isinstance(e, ValidationFailedError) else 0
        said = getattr(e, "lang", None)  # a validation refusal speaks the workbook's language
        lang_of = lang or (said if said in LANGS else None)
        both = None if lang_of else _both(e)
        return StoreSync(p, "refused", errors=n, message=e.in_lang(lang or "en"), lang=lang_of, said=both)
    except JxcError as e:
        return StoreSync(p, "failed", message=e.in_lang(lang or "en"), lang=lang, said=_both(e))
    n_err = len(errors_of(res.findings))
    return StoreSync(
        p, "synced", rows=res.rows, stock_value=res.stock_value, plan_amount=res.plan_amount, errors=n_err,
        forced=res.forced, lang=lang or res.lang,
    )  # fmt: skip


def _crashed(job: _Job, error: BaseException) -> StoreSync:
    """A store whose worker died or raised what sync does not (a bug of ours, a native crash): failed."""
    lang = job.lang or DEFAULT_LANG
    detail = f"{type(error).__name__}: {error}".strip()[:300]
    msg = phrase("sync_batch_crash", lang, path=job.path, detail=detail)
    return StoreSync(Path(job.path), "failed", message=msg, lang=job.lang)


def sync_paths(
    paths: Sequence[str | Path],
    *,
    jobs: int = 1,
    force: bool = False,
    backup: bool = True,
    lang: Lang | None = None,
    progress: bool = False,
    stderr: IO[str] | None = None,
    scheduler: str | None = None,
) -> SyncReport:
    """Sync every workbook the arguments name, each in place; one store's refusal or failure never stops the rest.

    Args:
        paths: files, folders (searched recursively) or globs; see ``batch.expand_paths`` (backups
            ``NAME.bak.xlsx`` and Excel's ``~$`` lock files are skipped).
        jobs: stores synced in parallel (worker processes when > 1); the files written are the same bytes.
        force: write despite validation errors (each store then says so in its ``forced``).
        backup: keep ``NAME.bak.xlsx`` beside each store.
        lang: the language of the messages; default each workbook's own.
        progress: show a progress bar on ``stderr`` (default: the terminal's) for more than one store.
        scheduler: sync the stores on the Dask cluster of this scheduler (``tcp://host:8786``; ``jobs`` is then
            not used); each worker opens each store by its path, so the stores must be on a filesystem every
            worker reaches at that path (see ``jxc_xl.dispatch``). The stores and the report are the same.

    Returns:
        The SyncReport: one StoreSync per workbook, in the order the arguments name them.

    Raises:
        UsageError: when an argument matches no workbook, or none is given; ``scheduler`` names no scheduler that
            answers, or Dask is not installed.
    """
    files = workbooks(paths)
    todo = [_Job(str(f), force, backup, lang) for f in files]
    with ProgressBar(len(files), progress, stderr, label="sync") as tick:
        stores = run_all(_worker, todo, jobs, tick, _crashed, scheduler=scheduler)
    return SyncReport(stores)
