"""Many workbooks at once: which files the arguments name, and a progress bar. Knows nothing of what is done to
each file; how the per-file work runs (here, a process pool, a Dask cluster) is ``jxc_xl.dispatch``."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from jxc_xl.dispatch import FATAL, run_all  # kept importable from here, where they were
from jxc_xl.errors import UsageError

__all__ = ["FATAL", "WORKBOOK_SUFFIXES", "ProgressBar", "expand_paths", "run_all", "workbooks"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # any case: Windows users write .XLSX; the classic add-in needs .xlsm


def _is_workbook(p: Path) -> bool:
    return p.suffix.lower() in WORKBOOK_SUFFIXES and p.is_file()


def expand_paths(
    paths: Iterable[str | os.PathLike[str]], *, exclude: str | os.PathLike[str] | None = None
) -> tuple[list[Path], list[str]]:
    """The workbooks that files, folders and globs name.

    Folders are searched recursively for ``*.xlsx``/``*.xlsm`` in any case. Excel's ``~$`` lock files are
    skipped, and so are sync's ``NAME.bak.xlsx`` backups and ``exclude`` (the report being written) where a
    folder or glob finds them; a file is listed once even when two arguments name it.

    Args:
        paths: files, folders or globs.
        exclude: a file folders and globs leave out.

    Returns:
        (the workbooks in order, the arguments that match none).
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
        # os.walk, not rglob: a subfolder that vanishes during the walk (another program's temp folder) is
        # skipped, where rglob raised FileNotFoundError and ended the whole batch
        files = (Path(root) / name for root, _dirs, names in os.walk(folder) for name in names)
        return sorted(f for f in files if _is_workbook(f))

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


def workbooks(paths: Sequence[str | os.PathLike[str]], *, exclude: str | os.PathLike[str] | None = None) -> list[Path]:
    """``expand_paths`` for a batch command: the workbooks, or a UsageError naming the arguments that match none.

    Raises:
        UsageError: an argument matches no workbook, or none is given (in English, like every usage line).
    """
    files, unmatched = expand_paths(paths, exclude=exclude)
    if unmatched or not files:
        what = ", ".join(unmatched) if unmatched else ", ".join(map(str, paths))
        raise UsageError.said("report_no_workbook", what=what)
    return files


class ProgressBar:
    """A rich progress bar on stderr for more than one file (a no-op otherwise).

    ``with ProgressBar(n, enabled, stderr) as tick:`` — call ``tick()`` once per finished file.
    """

    def __init__(self, total: int, enabled: bool, stderr: IO[str] | None, label: str = "validate") -> None:
        self.total, self.enabled, self.stderr = total, enabled and total > 1, stderr
        self.label = label  # the command's verb, shown left of the bar
        self.bar: Any = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self.stderr) if self.stderr is not None else Console(stderr=True)
        self.bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.bar.__enter__()
        task = self.bar.add_task(self.label, total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
