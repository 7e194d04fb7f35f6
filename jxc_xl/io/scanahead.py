"""The sheet scans (``io.sheetscan``) run ahead of python-calamine, on a second thread.

Every worksheet is scanned before calamine reads it: a sheet whose dense block would not fit in memory
aborts the process. The scan inflates the part and searches every cell tag, 0.9 s for the 383 MB ledger
sheet of a half-million-line month. Calamine releases the GIL while it parses a sheet, and zlib while it
inflates, so the scans run on one worker thread while the reader reads the sheets already scanned: the
reader names the parts it will read, in order (``Scans.start``), and asks for each one's extent when it reads
it (``Scans.extent``: the worker's result or its error, or the scan done on the spot when the worker has not
begun it). While the ledger's scan runs, the reader reads ahead the sheets after it that are scanned already
(``Scans.done``). On a machine with no idle core this gains nothing and costs nothing.

A part read whole by a scan is recorded in ``io.zipraw``: the write-back copies it without inflating it again.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jxc_xl.io import sheetscan, zipraw

__all__ = ["Scans", "scan_part"]


def scan_part(path: Path, part: str) -> sheetscan.SheetExtent | None:
    """``sheetscan.scan_sheet`` of the part, recorded in ``io.zipraw`` as read whole (its CRC checked).

    Raises:
        sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError: as ``scan_sheet``.
    """
    with zipfile.ZipFile(path) as zf:
        ext = sheetscan.scan_sheet(zf, part)
        zipraw.remember(zf, zf.getinfo(part))
    return ext


class Scans:
    """The scans of one workbook's worksheet parts: started ahead on one worker thread, or done on the spot."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[sheetscan.SheetExtent | None]] = {}

    def start(self, parts: Iterable[str]) -> None:
        """Scan these parts on the worker, in this order (a part asked for already is not scanned again)."""
        for part in parts:
            if part not in self._futures:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="jxc-sheetscan")
                self._futures[part] = self._pool.submit(scan_part, self.path, part)

    def done(self, part: str) -> bool:
        """The worker has finished the part's scan (its extent or its error is waiting)."""
        f = self._futures.get(part)
        return f is not None and f.done()

    def extent(self, part: str) -> sheetscan.SheetExtent | None:
        """The part's extent (``sheetscan.scan_sheet``): the worker's, waited for when it is scanning the part,
        else scanned here. Each scan is handed out once.

        Raises:
            sheetscan.PartTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError: as ``scan_sheet``.
        """
        f = self._futures.pop(part, None)
        if f is None or f.cancel():  # not started on the worker: no reason to wait for the ones before it
            return scan_part(self.path, part)
        return f.result()

    def close(self) -> None:
        """Drop the scans not begun; one under way finishes on its own (its result is not waited for)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._futures.clear()
