"""The largest sheet of a big workbook scanned (``io.sheetscan``), then parsed by python-calamine on worker threads.

A half-million-line month is one 416 MB ledger sheet: its scan takes ~1.6 s, calamine's parse of it 6-7 s.
Calamine releases the GIL while it parses; the scan's search holds it. So the reader scans that sheet first
(``Ahead.start``) and hands it to worker threads, each parsing with a calamine book of its own, and meanwhile
reads every other sheet it needs itself; it takes the workers' rows when it comes to the sheet (``Ahead.take``).
With cores to spare the sheet is parsed in pieces, one per core, each begun as soon as the scan has written it
(``io.sheetsplit``); else whole, on one worker. A sheet whose dense block would not fit is left to the reader
(it reads a trimmed copy, as always); the scan's error is raised by ``take``, calamine's is handed back and raised
where the reader reads the sheet, as if it had read it itself. With no idle core this gains nothing and costs
little.

A part read whole by a scan is recorded in ``io.zipraw``: the write-back copies it without inflating it again.
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from pathlib import Path
from typing import NamedTuple

import python_calamine as pc

from jxc_xl.io import sheetscan, zipraw
from jxc_xl.io.package import WORKBOOK, open_package, workbook_sheets
from jxc_xl.io.sheetsplit import Loaded, Splitter, merge

__all__ = ["Ahead", "Loaded", "Outcome", "cores", "parse_part", "part_sizes", "scan_part", "sheet_parts"]


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


# The scan's extent, and the rows calamine read (None: not read, the sheet must be trimmed) or its error.
Outcome = tuple[sheetscan.SheetExtent | None, Loaded | BaseException | None]


def scan_part(path: Path, part: str, sink: Callable[[bytes, int], None] | None = None) -> sheetscan.SheetExtent | None:
    """``sheetscan.scan_sheet`` of the part (``sink``: as there), recorded in ``io.zipraw`` as read whole (its CRC
    checked).

    Raises:
        sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError: as ``scan_sheet``.
    """
    with zipfile.ZipFile(path) as zf:
        seen: list[int] = []
        ext = sheetscan.scan_sheet(zf, part, seen, sink)
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


def cores() -> int:
    """The cores this process may run on: its CPU affinity, within a cgroup's CPU quota (a container's)."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counted is not None:
        n = int(counted() or 1)
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:
        n = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            n = min(n, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 quota to read: the affinity stands
    return n


MAX_PIECES = 4  # the big sheet is parsed in at most this many pieces (io.sheetsplit), one per core


_Reads = list[Future[Loaded | BaseException]]
_Opener = Callable[[Path], pc.CalamineWorkbook]


class _Pieces(NamedTuple):
    """A sheet parsed in pieces: their reads, and how to read it whole should they not merge."""

    reads: _Reads
    splitter: Splitter
    whole: Callable[[], Loaded | BaseException]


_Job = Future[Loaded | BaseException] | _Pieces


def _remove_after(reads: _Reads, splitter: Splitter) -> None:
    """The splitter's pieces removed once every read of them has ended: now, or when the last one does."""
    running = [f for f in reads if not f.done()]
    if not running:
        splitter.remove()
        return
    left = [len(running)]
    lock = threading.Lock()

    def ended(_: Future[Loaded | BaseException]) -> None:
        with lock:
            left[0] -= 1
            last = not left[0]
        if last:
            splitter.remove()

    for f in running:
        f.add_done_callback(ended)


def _whole_after(abandoned: _Reads, path: Path, name: str, opener: _Opener) -> Loaded | BaseException:
    """The sheet read whole once the pieces already handed over are read (and dropped): never both in memory."""
    wait(abandoned)
    return parse_part(path, name, opener)


class Ahead:
    """Sheets scanned here and parsed on worker threads (``parse_part``; in pieces, ``io.sheetsplit``), each taken
    once."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._started: dict[str, Exception | tuple[sheetscan.SheetExtent | None, _Job]] = {}

    def start(self, path: Path, name: str, part: str, opener: _Opener) -> None:
        """Scan sheet ``name`` (worksheet ``part``) now, alone (the scan holds the GIL while it searches), and parse
        it on the workers: in pieces when there are cores to spare and it may be split, each piece as soon as the
        scan has written it (``io.sheetsplit``); else whole, after the scan, unless its block is too big (the
        reader then trims it). A scan error is kept for ``take``.
        """
        n = min(cores(), MAX_PIECES)
        pool = self._pool = self._pool or ThreadPoolExecutor(n, thread_name_prefix="jxc-sheet")
        reads: _Reads = []
        splitter = None
        if n > 1:
            splitter = Splitter(path, part, n, lambda piece: reads.append(pool.submit(parse_part, piece, name, opener)))
        try:
            ext = scan_part(path, part, splitter)
        except BaseException as e:  # PartTooLarge, a damaged part …: raised where the reader reads the sheet
            if splitter is not None:
                _remove_after(reads, splitter)  # pieces already handed over are read and dropped
            if not isinstance(e, Exception):
                raise
            self._started[name] = e
            return
        split = splitter is not None and splitter.finish(checked=ext is None)
        if splitter is not None and not split:
            _remove_after(reads, splitter)
        if ext is not None and ext.size > sheetscan.MAX_CELLS:
            return  # not started: the reader scans it again and reads a trimmed copy
        if splitter is not None and split:
            self._started[name] = (ext, _Pieces(reads, splitter, partial(parse_part, path, name, opener)))
        else:
            self._started[name] = (ext, pool.submit(_whole_after, reads, path, name, opener))

    def pending(self, name: str) -> bool:
        """The sheet was started and not taken yet."""
        return name in self._started

    def done(self, name: str) -> bool:
        """The workers have finished the sheet (or have nothing to do for it)."""
        got = self._started.get(name)
        if not isinstance(got, tuple):
            return True
        job = got[1]
        return all(f.done() for f in job.reads) if isinstance(job, _Pieces) else job.done()

    def take(self, name: str) -> Outcome:
        """The sheet's scan and what the workers read, waited for (pieces that do not merge: read whole here).

        Raises:
            sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError …: the scan's.
        """
        got = self._started.pop(name)
        if isinstance(got, Exception):
            raise got
        ext, job = got
        if not isinstance(job, _Pieces):
            return ext, job.result()
        try:
            reads = [f.result() for f in job.reads]
        finally:
            _remove_after(job.reads, job.splitter)  # interrupted: once the reads end
        loaded = [r for r in reads if isinstance(r, Loaded)]
        merged = merge(loaded) if len(loaded) == len(reads) else None
        if merged is not None:
            return ext, merged
        del reads, loaded  # the pieces' rows go before the whole sheet is read
        return ext, job.whole()

    def close(self) -> None:
        """Drop what was not begun; a read under way finishes on its own (its result is not waited for)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        for got in self._started.values():
            if isinstance(got, tuple) and isinstance(got[1], _Pieces):
                _remove_after(got[1].reads, got[1].splitter)
        self._started.clear()
