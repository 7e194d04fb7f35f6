"""The largest sheet parsed in pieces, one per core: its rows written into temporary packages while it is scanned.

python-calamine parses one sheet on one core (6-7 s for the 416 MB ledger sheet of a half-million-line month)
and releases the GIL while it does. So, when the machine has cores to spare, the reader's scan of that sheet
(``io.sheetscan``, which inflates it chunk by chunk anyway) also hands each chunk to a ``Splitter``: the rows go
into ``n`` small packages in a temporary folder, each a copy of the workbook whose big sheet holds one run of
the rows (stored, not deflated: calamine reads it without inflating it again), cut between two rows. Each
piece is parsed by its own calamine book on a worker thread and ``merge`` puts the rows back together as one
book would have read them: calamine places every cell by its position, and the sheet's start, height and width
follow from the pieces'.

A sheet is split only when nothing in it could read differently in pieces: the scan decided it on its fast path
(every cell names its position plainly, within a bound that fits), its rows start at an unprefixed
``<sheetData>`` after nothing but plain tags and text, and after that there is no comment, CDATA or processing
instruction (every ``<`` is then a tag, so a cut between ``</row>`` and ``<row`` is between two rows); the rows
end where calamine ends them (the first ``</sheetData>``, with any prefix or spaces). Anything else — a sheet
that is not so, a piece calamine cannot read, pieces whose rows overlap — and the sheet is read whole, as
before: splitting is only ever faster, never different.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple

from jxc_xl.io.package import copy_raw
from jxc_xl.io.sheetscan import MAX_CELLS

__all__ = ["Loaded", "Splitter", "merge"]

_HEAD_END = b"<sheetData>"
_TAIL = b"</sheetData>"
_ROWS_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")  # where calamine stops reading rows: any prefix, spaces
# Before the rows: an XML declaration, then only text and plain tags whose quoted values hold no `<` (so the
# `<sheetData>` found is the real start of the rows, not inside a comment or a value), no other sheetData.
_HEAD = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:<\?xml\s[^<>?]*+\?>)?"
    rb"(?:[^<]++|</?[\w.:-]++(?:\s++[\w.:-]++\s*+=\s*+(?:\"[^\"<]*+\"|'[^'<]*+'))*+\s*+/?>)*+"
)
_OTHER_ROWS = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s/>]")
_ROOT = re.compile(rb"<(?![?!])([\w.:-]+)")  # the document element: the first tag not a declaration or comment
# Entries a piece leaves out: the other sheets and what calamine never reads for cell values (a piece it cannot
# read is read whole, so leaving out too much costs time, never a different read).
_LEFT_OUT = (
    "xl/worksheets/",
    "xl/media/",
    "xl/embeddings/",
    "xl/drawings/",
    "xl/charts/",
    "xl/pivotCache/",
    "xl/pivotTables/",
    "xl/externalLinks/",
    "xl/printerSettings/",
    "customXml/",
    "docProps/",
)
MAX_ENTRIES = 1000  # a package of more entries (a workbook holds a few dozen) is read whole, not in pieces
BUDGET_CELLS = 2 * MAX_CELLS  # the pieces read at once hold at most twice the dense cells a whole read may
_BETWEEN_ROWS = re.compile(rb"</row>\s*(?=<row[\s>])")
_NOT_MARKUP = re.compile(rb"<[!?]")  # a comment, CDATA or processing instruction: a `<` that is not a tag
_MAX_HEAD = 1 << 20  # the sheet's properties and columns before its rows: a few KB in any real sheet


class Loaded(NamedTuple):
    """A sheet read by calamine: the position of its top-left cell (None: A1) and its rows."""

    start: tuple[int, int] | None
    rows: list[list[Any]]


class Splitter:
    """Takes a worksheet part's chunks as the scan checks them (in order, each cut before a ``<``) and writes
    them as up to ``n`` pieces; each piece, once written, goes to ``ready`` at once, while the scan goes on.

    A piece is handed over only when every cell in it has been checked within the scan's bound, and while the
    pieces handed over, and the one after them, fit in ``BUDGET_CELLS`` at that bound: so, whatever the rest of
    the sheet holds, the pieces read at once never hold more than twice what a whole read may (rows written out
    of order could make each piece as wide as the sheet). Every piece but the last ends its rows with
    ``</sheetData>`` and the document's end tag (what follows the rows — filters, merged cells, formats —
    holds no cell values). Never raises while it takes chunks: a problem (no temporary folder, a full disk, a
    sheet that may not be split) only stops it, and ``finish`` then says no.
    """

    def __init__(self, path: Path, part: str, n: int, ready: Callable[[Path], None]) -> None:
        self._folder: Path | None = None
        self._ready = ready
        self._n = n
        self._book: zipfile.ZipFile | None = None
        self._writer: IO[bytes] | None = None
        self._head: bytes | None = None
        self._end = b""  # ``</sheetData>`` and the document's end tag: closes every piece but the last
        self._pending = b""  # the chunks before the head is complete
        self._rows_done = False  # the end of the rows was met: no more cuts
        self._pos = 0  # bytes of the part taken so far
        self._k = 0  # the piece being written
        self._bound = 0  # dense cells of the scan's bound so far
        self.ok = True
        try:
            with zipfile.ZipFile(path) as src:
                info = src.getinfo(part)
                self._size = info.file_size  # where the cuts go: as the zip says, a guess only
                self._date = info.date_time
                self._part = part
                self._src = path
                if len(src.infolist()) > MAX_ENTRIES:
                    raise ValueError(path)  # reading and copying them for every piece would cost more than it gains
            self._folder = Path(tempfile.mkdtemp(prefix="jxc-pieces-"))
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError, RuntimeError):
            self._stop()

    def __call__(self, chunk: bytes, bound: int) -> None:
        """The next chunk of the part; ``bound``: the dense cells of a bound every cell so far lies in (0: none
        that fits: the sheet is read exactly, not in pieces)."""
        if not self.ok:
            return
        if not bound:
            self._stop()
            return
        self._bound = bound
        try:
            self._take(chunk)
        except (OSError, ValueError, RuntimeError, zipfile.BadZipFile, KeyError, EOFError):
            self._stop()

    def _take(self, chunk: bytes) -> None:
        start = self._pos
        self._pos += len(chunk)
        if self._head is None:
            chunk, start = self._pending + chunk, start - len(self._pending)
            end = chunk.find(_HEAD_END)
            root = _ROOT.search(chunk, 0, max(end, 0))
            if end < 0 or root is None:
                self._pending = chunk
                if len(chunk) > _MAX_HEAD or end >= 0:
                    self._stop()
                return
            if not _HEAD.fullmatch(chunk, 0, end) or _OTHER_ROWS.search(chunk, 0, end):
                self._stop()
                return
            self._pending = b""
            self._head = chunk[: end + len(_HEAD_END)]
            self._end = _TAIL + b"</" + root.group(1) + b">"
            self._open_piece()
            chunk, start = chunk[len(self._head) :], start + len(self._head)
        if (b"!" in chunk or b"?" in chunk) and _NOT_MARKUP.search(chunk):  # `!` and `?` are rare: found fast
            self._stop()
            return
        if not self._rows_done:
            # The end's search only where it may be: `</` starts every end tag, and the search costs 0.6 s a pass
            found = _ROWS_END.search(chunk) if b"sheetData" in chunk else None
            chunk = self._cut(chunk, start, len(chunk) if found is None else found.start())
            self._rows_done = found is not None
        assert self._writer is not None
        self._writer.write(chunk)

    def _cut(self, chunk: bytes, start: int, rows_end: int) -> bytes:
        """Hand over whole pieces out of ``chunk`` (its rows end at ``rows_end``), each cut at the first row
        boundary past its share of the part; the rest of the chunk."""
        while self._k < self._n - 1 and (self._k + 2) * self._bound <= BUDGET_CELLS:
            target = self._size * (self._k + 1) // self._n - start
            if target >= rows_end:
                break
            m = _BETWEEN_ROWS.search(chunk, max(target, 0), rows_end)
            if m is None:
                break
            assert self._writer is not None
            self._writer.write(chunk[: m.end()] + self._end)
            self._close_piece()
            chunk, start, rows_end = chunk[m.end() :], start + m.end(), rows_end - m.end()
            self._k += 1
            self._open_piece()
        return chunk

    def _piece(self, k: int) -> Path:
        assert self._folder is not None
        return self._folder / f"piece{k}.xlsx"

    def _open_piece(self) -> None:
        """A new piece: the workbook's other entries copied as they are, then the sheet's head."""
        with zipfile.ZipFile(self._src) as src:
            self._book = _copy_without(src, self._part, self._piece(self._k))
        self._writer = self._book.open(zipfile.ZipInfo(self._part, date_time=self._date), "w", force_zip64=True)
        assert self._head is not None
        self._writer.write(self._head)

    def _close_piece(self) -> None:
        """The piece being written closed and handed over."""
        self._close()
        self._ready(self._piece(self._k))

    def finish(self, checked: bool) -> bool:
        """Close the last piece and hand it over when the sheet was split (``checked``: the scan decided it on its
        fast path); False when it was not (a problem, all its rows in one piece, or the pieces would pass the
        budget at the bound the scan ended with)."""
        fits = (self._k + 1) * self._bound <= BUDGET_CELLS
        if not (self.ok and checked and fits and self._rows_done and self._k > 0):
            self._stop()
            return False
        try:
            self._close_piece()
        except (OSError, ValueError, RuntimeError):
            self._stop()
            return False
        return True

    def _stop(self) -> None:
        self.ok = False
        self._pending = b""
        try:
            self._close()
        except (OSError, ValueError, RuntimeError):
            pass

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._book is not None:
            self._book.close()
        self._writer, self._book = None, None

    def remove(self) -> None:
        """The pieces and their folder gone (call it once no worker reads them)."""
        self._stop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def _copy_without(src: zipfile.ZipFile, part: str, dst: Path) -> zipfile.ZipFile:
    """A new zip at ``dst`` with the entries of ``src`` calamine may read for a sheet's values (not ``part``,
    the other sheets, images, charts …: ``_LEFT_OUT``), copied compressed as they are, open for more.

    The entries are not checked: the piece is read only by calamine, which checks what it reads, and a piece
    it cannot read is read whole instead."""
    z = zipfile.ZipFile(dst, "w")
    for info in src.infolist():
        if not info.filename.startswith(_LEFT_OUT):
            copy_raw(z, src, info, checked=False)
    return z


def merge(pieces: Sequence[Loaded]) -> Loaded | None:
    """The pieces' rows as one read of the whole sheet; None when their rows overlap or are out of order."""
    got = [p for p in pieces if p.start is not None and p.rows]
    if not got:
        return Loaded(None, [])
    starts = [p.start for p in got if p.start is not None]
    r0 = starts[0][0]
    c0 = min(c for _, c in starts)
    c1 = max(c + len(p.rows[0]) for (_, c), p in zip(starts, got, strict=True))
    rows: list[list[Any]] = []
    for (r, c), p in zip(starts, got, strict=True):
        gap = r - (r0 + len(rows))
        if gap < 0:
            return None
        rows.extend([""] * (c1 - c0) for _ in range(gap))
        left, right = c - c0, c1 - c - len(p.rows[0])
        if left or right:  # a piece narrower than the sheet (a column empty in all its rows): padded in place
            for row in p.rows:
                row[:0] = [""] * left
                row.extend([""] * right)
        rows.extend(p.rows)
    return Loaded((r0, c0), rows)
