"""Many workbooks at once: which files the arguments name, a process pool that survives a crashing file, and a
progress bar. Knows nothing of what is done to each file (``validate`` passes its per-file function)."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import IO, Any, TypeVar

# Never swallowed; everything else a worker or a reader throws (even a Rust panic, a BaseException) is the
# file's problem.
FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # any case: Windows users write .XLSX; the classic add-in needs .xlsm

Job = TypeVar("Job", bound=tuple[Any, ...])  # one item's arguments (picklable, to reach a worker process)
Result = TypeVar("Result")


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


def run_all(
    fn: Callable[..., Result],
    args: Sequence[Job],
    jobs: int,
    tick: Callable[[], None],
    fallback: Callable[[Job, BaseException], Result],
) -> list[Result]:
    """``fn(*a)`` for every ``a``, in order; ``jobs`` > 1 in worker processes.

    A worker that dies or fails (a crash in a native reader, a result that cannot cross back) costs only its
    own item: that one is retried alone, and if it fails again gets ``fallback(a, error)``.

    Args:
        fn: the work for one item, called with the item's arguments (a module-level function, to pickle).
        args: each item's arguments, a tuple (a NamedTuple names them for ``fallback``).
        jobs: worker processes; 1 runs everything here.
        tick: called once per finished item.
        fallback: the result of an item whose ``fn`` failed, from its arguments and the error.

    Returns:
        The results in the order of ``args``.
    """
    out: dict[int, Result] = {}
    if jobs <= 1 or len(args) <= 1:
        for i, a in enumerate(args):
            try:
                out[i] = fn(*a)
            except FATAL:
                raise
            except BaseException as e:
                out[i] = fallback(a, e)
            tick()
        return [out[i] for i in range(len(args))]
    retry: list[int] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures: dict[Future[Result], int] = {pool.submit(fn, *a): i for i, a in enumerate(args)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                out[i] = fut.result()
                tick()
            except FATAL:
                raise
            except BaseException:  # BrokenProcessPool, PicklingError, anything the worker let through
                retry.append(i)
    for i in retry:  # each alone, so one crashing file cannot take the others down again
        try:
            with ProcessPoolExecutor(max_workers=1) as pool:
                out[i] = pool.submit(fn, *args[i]).result()
        except FATAL:
            raise
        except BaseException as e:
            out[i] = fallback(args[i], e)
        tick()
    return [out[i] for i in range(len(args))]


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
