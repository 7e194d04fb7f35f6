"""The largest sheet of a big workbook scanned (``io.sheetscan``), then parsed by python-calamine on a worker thread.

A half-million-line month is one 383 MB ledger sheet: its scan takes 0.9 s, calamine's parse of it 3.1-3.5 s.
Calamine releases the GIL while it parses; the scan's search holds it. So the reader scans that sheet first,
alone (``Ahead.start``), then hands it to one worker thread, where a calamine book of the worker's own parses
it, and meanwhile reads every other sheet it needs itself; it takes the worker's rows when it comes to the
sheet (``Ahead.take``). A sheet whose dense block would not fit is left to the reader (it reads a trimmed copy,
as always); the scan's error is raised by ``take``, calamine's is handed back and raised where the reader reads
the sheet, as if it had read it itself. With no idle core this gains nothing and costs little.

A part read whole by a scan is recorded in ``io.zipraw``: the write-back copies it without inflating it again.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import python_calamine as pc

from jxc_xl.io import sheetscan, zipraw
from jxc_xl.io.package import WORKBOOK, open_package, workbook_sheets

__all__ = ["Ahead", "Loaded", "Outcome", "parse_part", "part_sizes", "scan_part", "sheet_parts"]


def part_sizes(path: Path) -> dict[str, int]:
    """Each zip entry's inflated size (as the zip says); empty when the file is not a readable zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            return {i.filename: i.file_size for i in zf.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its worksheet part; empty when the zip cannot be read that far (calamine then decides).

    Raises:
        NotAWorkbookError: a part on the way is refused (encrypted, a DOCTYPE, not XML): reading the sheets
            unguarded could abort the process, so the file is refused as sync would refuse it.
    """
    if not path.is_file():  # a book handed in without its file (tests): nothing to scan
        return {}
    try:
        with zipfile.ZipFile(path) as zf:
            if WORKBOOK not in zf.NameToInfo:  # not an xlsx package (an .ods): calamine reads it as it is
                return {}
        with open_package(path) as parts:
            return {s.name: s.part for s in workbook_sheets(parts, path)}
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, NotImplementedError):
        return {}


class Loaded(NamedTuple):
    """A sheet read by calamine: the position of its top-left cell (None: A1) and its rows."""

    start: tuple[int, int] | None
    rows: list[list[Any]]


# The scan's extent, and the rows calamine read (None: not read, the sheet must be trimmed) or its error.
Outcome = tuple[sheetscan.SheetExtent | None, Loaded | BaseException | None]


def scan_part(path: Path, part: str) -> sheetscan.SheetExtent | None:
    """``sheetscan.scan_sheet`` of the part, recorded in ``io.zipraw`` as read whole (its CRC checked).

    Raises:
        sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError: as ``scan_sheet``.
    """
    with zipfile.ZipFile(path) as zf:
        seen: list[int] = []
        ext = sheetscan.scan_sheet(zf, part, seen)
        info = zf.getinfo(part)
        if seen == [info.file_size]:  # zipfile checks the CRC, not a declared size larger than the data
            zipraw.remember(zf, info)
    return ext


def parse_part(path: Path, name: str, opener: Callable[[Path], pc.CalamineWorkbook]) -> Loaded | BaseException:
    """Sheet ``name`` as a calamine book from ``opener`` reads it; calamine's error is returned, not raised."""
    try:
        book = opener(path)
        try:
            sheet = book.get_sheet_by_name(name)
            return Loaded(sheet.start, sheet.to_python())
        finally:
            book.close()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as e:  # a Rust panic included: the reader raises it where it reads the sheet
        return e


class Ahead:
    """Sheets scanned here and parsed on one worker thread (``parse_part``), each taken once."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._started: dict[str, Exception | tuple[sheetscan.SheetExtent | None, Future[Loaded | BaseException]]] = {}

    def start(self, path: Path, name: str, part: str, opener: Callable[[Path], pc.CalamineWorkbook]) -> None:
        """Scan sheet ``name`` (worksheet ``part``) now, alone (the scan holds the GIL while it searches), then parse
        it on the worker unless its block is too big (the reader then trims it). A scan error is kept for ``take``.
        """
        try:
            ext = scan_part(path, part)
        except Exception as e:  # PartTooLarge, a damaged part …: raised where the reader reads the sheet
            self._started[name] = e
            return
        if ext is not None and ext.size > sheetscan.MAX_CELLS:
            return  # not started: the reader scans it again and reads a trimmed copy
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="jxc-sheet")
        self._started[name] = (ext, self._pool.submit(parse_part, path, name, opener))

    def pending(self, name: str) -> bool:
        """The sheet was started and not taken yet."""
        return name in self._started

    def done(self, name: str) -> bool:
        """The worker has finished the sheet (or has nothing to do for it)."""
        got = self._started.get(name)
        return not isinstance(got, tuple) or got[1].done()

    def take(self, name: str) -> Outcome:
        """The sheet's scan and what the worker read, waited for.

        Raises:
            sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError …: the scan's.
        """
        got = self._started.pop(name)
        if isinstance(got, Exception):
            raise got
        return got[0], got[1].result()

    def close(self) -> None:
        """Drop what was not begun; a read under way finishes on its own (its result is not waited for)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._started.clear()
