"""The largest sheet of a big workbook scanned (``io.sheetscan``) and read by python-calamine on a worker thread.

A half-million-line month is one 383 MB ledger sheet: its scan takes 0.9 s, calamine's parse of it 3.5 s,
and calamine releases the GIL while it parses (zlib too, while the scan inflates). So the reader hands that
sheet to one worker thread (``Ahead.start``: scan, then a calamine book of the worker's own reads it) and
meanwhile reads every other sheet it needs itself; it takes the worker's rows when it comes to the sheet
(``Ahead.take``). A sheet whose dense block would not fit is left to the reader after its scan (it reads a
trimmed copy, as always); the scan's errors are raised by ``take``, calamine's are handed back and raised
where the reader reads the sheet, as if it had read it itself. On a machine with no idle core this gains
little and costs nothing.

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

__all__ = ["Ahead", "Loaded", "Outcome", "load_part", "part_sizes", "scan_part", "sheet_parts"]


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
        ext = sheetscan.scan_sheet(zf, part)
        zipraw.remember(zf, zf.getinfo(part))
    return ext


def load_part(path: Path, name: str, part: str, opener: Callable[[Path], pc.CalamineWorkbook]) -> Outcome:
    """Scan sheet ``name`` (worksheet ``part``), then read it with a calamine book from ``opener`` unless its block
    is too big (the reader trims it). Calamine's error is returned, not raised.

    Raises:
        sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError: the scan's.
    """
    ext = scan_part(path, part)
    if ext is not None and ext.size > sheetscan.MAX_CELLS:
        return ext, None
    try:
        book = opener(path)
        try:
            sheet = book.get_sheet_by_name(name)
            return ext, Loaded(sheet.start, sheet.to_python())
        finally:
            book.close()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as e:  # a Rust panic included: the reader raises it where it reads the sheet
        return ext, e


class Ahead:
    """Sheets read on one worker thread (``load_part``), each taken once."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[Outcome]] = {}

    def start(self, path: Path, name: str, part: str, opener: Callable[[Path], pc.CalamineWorkbook]) -> None:
        """Scan and read sheet ``name`` on the worker."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="jxc-sheet")
        self._futures[name] = self._pool.submit(load_part, path, name, part, opener)

    def pending(self, name: str) -> bool:
        """The worker has the sheet (read, or being read) and it was not taken yet."""
        return name in self._futures

    def done(self, name: str) -> bool:
        """The worker has finished the sheet (or was never asked to read it)."""
        f = self._futures.get(name)
        return f is None or f.done()

    def take(self, name: str) -> Outcome:
        """The sheet's outcome, waited for.

        Raises:
            sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError: the scan's.
        """
        return self._futures.pop(name).result()

    def close(self) -> None:
        """Drop what was not begun; a read under way finishes on its own (its result is not waited for)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._futures.clear()
