"""How big a worksheet is, found before python-calamine reads it; and a copy with far-away cells left out.

python-calamine builds one dense block per sheet, from its first used cell to its last: a single stray cell at
XFD1048576 asks for 17 billion cells (512 GB) and the process aborts, which no ``except`` can catch. So the
reader scans each worksheet part first, streaming its XML (never more than one chunk inflated at a time):

* Most sheets are decided by one regular-expression pass that stops only at an unusual cell: every cell must
  name its position plainly (``<c r="B12"``) within a bound of rows × columns no bigger than ``MAX_CELLS``.
  The bound starts from the sheet's own ``<dimension>`` (a guess: every cell is still checked against it) and
  grows, in a few steps, when a cell lies beyond it; a ledger of 500,000 rows × 20 columns is decided so.
* Otherwise the cells' positions are read exactly (as calamine places them, a cell without ``r`` next to the
  one before) and the block measured. A block over ``MAX_CELLS`` is trimmed: the outermost rows or columns
  of cells are left out, the ones that shrink the block most first, until it fits; the reader then reads a
  copy of the sheet without them and says which cells it left out (finding ``cells-ignored``). The user's
  data in A1:H500 with one stray cell far away is read as it is; only that cell is not.
* A part that inflates past ``MAX_PART_BYTES`` (a zip bomb, or a sheet no workbook of this size holds) is
  refused.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from jxc_xl.core.findings import col_index, col_letter

__all__ = [
    "MAX_CELLS",
    "MAX_PART_BYTES",
    "PartTooLarge",
    "SheetExtent",
    "read_part",
    "scan_sheet",
    "trim_sheet",
    "without_cells",
]

MAX_CELLS = 10_000_000  # dense cells of one sheet: calamine ≈ 32 B each, then Python lists and a numpy array
MAX_PART_BYTES = 768 * 1024**2  # inflated bytes of one part (the largest real ledger sheet seen: 135 MB)
_CHUNK = 1 << 18  # small enough for the searches to find it in the cache (measured: 4 MB chunks 15% slower)
MAX_COL, MAX_ROW = 16_384, 1_048_576

# Fast path: a cell tag that does not start with a plain position (prefixed tags are searched apart: a `[<:]c`
# prefix would cost the search its literal start), the position read from it, and the sheet's dimension.
_PREFIXED_C = re.compile(rb":c[\s/>]")
_PLAIN = re.compile(rb' r="([A-Z]{1,3})([1-9]\d{0,6})"')
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref="(?:[A-Z]{1,3}[1-9]\d{0,6}:)?([A-Z]{1,3})([1-9]\d{0,6})"')
# Exact path: every row and cell start tag (any namespace prefix).
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*["\']([^"\']*)["\']')
_REF = re.compile(rb"^\$?([A-Za-z]{1,3})\$?(\d{1,10})$")


class PartTooLarge(Exception):
    """A part inflates past ``MAX_PART_BYTES``."""


def _chunks(zf: zipfile.ZipFile, part: str, seen: list[int] | None = None) -> Iterator[bytes]:
    """The part's bytes in chunks cut just before a ``<`` (no tag is split), at most ``MAX_PART_BYTES``; the
    number of bytes it inflated to is appended to ``seen`` at the end."""
    total = 0
    carry = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            total += len(chunk)
            if total > MAX_PART_BYTES:
                raise PartTooLarge(part)
            if not chunk:
                if seen is not None:
                    seen.append(total)
                if carry:
                    yield carry
                return
            buf = carry + chunk
            cut = buf.rfind(b"<")
            cut = cut if cut > 0 else len(buf)
            carry = buf[cut:]
            yield buf[:cut]


def read_part(zf: zipfile.ZipFile, part: str) -> bytes:
    """A part's bytes, refusing one that inflates past ``MAX_PART_BYTES`` (``PartTooLarge``)."""
    return b"".join(_chunks(zf, part))


@dataclass(frozen=True)
class SheetExtent:
    """Where a sheet's cells are: the block calamine would build (1-based, inclusive) and its cells."""

    r1: int
    c1: int
    r2: int
    c2: int
    cells: tuple[tuple[int, int], ...] = ()  # (row, col) of every cell; only filled by the exact scan

    @property
    def size(self) -> int:
        return (self.r2 - self.r1 + 1) * (self.c2 - self.c1 + 1) if self.r2 >= self.r1 else 0


def scan_sheet(
    zf: zipfile.ZipFile, part: str, seen: list[int] | None = None, sink: Callable[[bytes, int], None] | None = None
) -> SheetExtent | None:
    """The sheet's extent when it may be too big for one dense block; None when it surely is not. ``seen``:
    gets the size the part inflated to (``_chunks``); ``sink``: given every chunk once checked, in order, and
    the dense cells of a bound every cell so far lies in (0: none that fits; ``io.sheetsplit``).

    Raises:
        PartTooLarge: the part inflates past ``MAX_PART_BYTES``.
        zipfile.BadZipFile, zlib.error (from zipfile), EOFError, OSError: the part cannot be inflated.
    """
    bound: _Bound | None = None
    for buf in _chunks(zf, part, seen):
        if bound is None:
            bound = _first_bound(buf)
        if bound.rows:
            bound = _checked(buf, bound)
        if sink is not None:
            sink(buf, bound.rows * bound.cols)
    if bound is None or bound.rows:
        return None
    return _exact(read_part(zf, part))


class _Bound(NamedTuple):
    """Every cell checked so far lies in rows 1..rows, columns 1..cols; rows 0: undecided, read exactly."""

    rows: int
    cols: int


def _round_up(n: int) -> int:
    """``n`` rounded up to two significant digits (475,885 → 479,999): fewer distinct bounds and patterns."""
    step = 10 ** max(len(str(n)) - 2, 0)
    return n // step * step + step - 1


def _first_bound(buf: bytes) -> _Bound:
    """The bound the sheet's ``<dimension>`` suggests (from A1), when it is within ``MAX_CELLS``; else 1 × 1."""
    m = _DIMENSION.search(buf)
    if m:
        rows, cols = _round_up(int(m.group(2))), col_index(m.group(1).decode()) + 1
        if rows * cols <= MAX_CELLS:
            return _Bound(rows, cols)
    return _Bound(1, 1)


def _checked(buf: bytes, bound: _Bound) -> _Bound:
    """The bound grown over every cell tag of ``buf``; rows 0 when a tag has no plain position or the bound
    would pass ``MAX_CELLS``."""
    if _PREFIXED_C.search(buf):  # a namespace prefix on cells: positions are not searchable as bytes
        return _Bound(0, 0)
    pos = 0
    while m := _beyond(bound).search(buf, pos):
        ref = _PLAIN.match(buf, m.start() + 2)
        if ref is None:
            return _Bound(0, 0)
        bound = _grown(bound, int(ref.group(2)), col_index(ref.group(1).decode()) + 1)
        if not bound.rows:
            return bound
        pos = m.start()
    return bound


def _grown(bound: _Bound, row: int, col: int) -> _Bound:
    """A bound over ``bound`` and (row, col), a quarter more than needed on the side that grows when that
    still fits: a sheet read without a dimension grows its bound a few dozen times, not once a row."""
    least = _Bound(max(bound.rows, _round_up(row)), max(bound.cols, col))
    if least.rows * least.cols > MAX_CELLS:
        return _Bound(0, 0)
    more = _Bound(
        _round_up(max(least.rows, bound.rows + bound.rows // 4)) if row > bound.rows else least.rows,
        max(least.cols, bound.cols + bound.cols // 4) if col > bound.cols else least.cols,
    )
    return more if more.rows * more.cols <= MAX_CELLS else least


@lru_cache(maxsize=256)
def _beyond(bound: _Bound) -> re.Pattern[bytes]:
    """A cell tag (``<c`` then a space, ``/`` or ``>``) whose start is not a plain position within ``bound``."""
    inside = _letters_upto(col_letter(bound.cols - 1)) + _digits_upto(str(bound.rows))
    return re.compile(rb'<c(?! r="' + inside.encode() + rb'")[\s/>]')


def _upto(top: str, first: str, alphabet: str) -> str:
    """Strings as long as ``top``, over ``alphabet`` (its first character not below ``first``), up to ``top``."""
    last = alphabet[-1]
    head = top.rstrip(last)
    n = len(top) - len(head)  # the trailing top characters: any character there
    any_char = f"[{alphabet[0]}-{last}]"
    if head:
        tail = f"{any_char}{{{n}}}" if n else ""
    else:
        tail = f"[{first}-{last}]" + (f"{any_char}{{{n - 1}}}" if n > 1 else "")
    alts = [head + tail]
    for i, ch in enumerate(head):
        low = first if i == 0 else alphabet[0]
        if ch > low:
            rest = len(top) - i - 1
            alts.append(f"{head[:i]}[{low}-{chr(ord(ch) - 1)}]" + (f"{any_char}{{{rest}}}" if rest else ""))
    return "|".join(alts)


def _digits_upto(top: str) -> str:
    """A row number 1..``top`` (no leading zero): those as long as ``top`` first, the common case in big sheets."""
    shorter = f"|[1-9][0-9]{{0,{len(top) - 2}}}+" if len(top) > 1 else ""
    return f"(?:{_upto(top, '1', '0123456789')}{shorter})"


def _letters_upto(top: str) -> str:
    """Column letters A..``top``: the shorter ones first (most columns have one letter)."""
    shorter = f"[A-Z]{{1,{len(top) - 1}}}|" if len(top) > 1 else ""
    return f"(?:{shorter}{_upto(top, 'A', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')})"


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _exact(xml: bytes) -> SheetExtent:
    """Every cell's position as calamine places it: from ``r``, else next to the cell before in its row."""
    cells: list[tuple[int, int]] = []
    row = 0
    col = 0
    for m in _TAG.finditer(xml):
        a = _R_ATTR.search(m.group(2))
        if m.group(1) == b"row":
            row = int(a.group(1)) if a and a.group(1).isdigit() else row + 1
            col = 0
            continue
        ref = _REF.match(a.group(1).strip()) if a else None
        if ref:
            col, row_of = _col(ref.group(1)), int(ref.group(2))
            row = row_of
        else:
            col += 1
        if not m.group(2).rstrip().endswith(b"/"):  # an empty <c …/> holds no value: calamine leaves it out
            cells.append((row, col))
    if not cells:
        return SheetExtent(1, 1, 0, 0)
    rows = [r for r, _ in cells]
    cols = [c for _, c in cells]
    return SheetExtent(min(rows), min(cols), max(rows), max(cols), tuple(cells))


def trim_sheet(ext: SheetExtent) -> tuple[SheetExtent, list[tuple[int, int]]]:
    """The block within ``MAX_CELLS`` and the cells left out of it: the outermost rows or columns go first,
    the side whose removal shrinks the block most."""
    import numpy as np

    pos = np.array(ext.cells, dtype=np.int64).reshape(-1, 2)
    keep = np.ones(len(pos), dtype=bool)
    for _ in range(100_000):
        r, c = pos[keep, 0], pos[keep, 1]
        if not len(r):
            break
        box = (int(r.min()), int(c.min()), int(r.max()), int(c.max()))
        if (box[2] - box[0] + 1) * (box[3] - box[1] + 1) <= MAX_CELLS:
            break
        best: tuple[int, np.ndarray] | None = None
        for axis, value in ((0, box[0]), (0, box[2]), (1, box[1]), (1, box[3])):
            drop = keep & (pos[:, axis] == value)
            rest = keep & ~drop
            if not rest.any():
                continue
            rr, cc = pos[rest, 0], pos[rest, 1]
            size = int((rr.max() - rr.min() + 1) * (cc.max() - cc.min() + 1))
            if best is None or size < best[0]:
                best = (size, drop)
        if best is None:
            break
        keep &= ~best[1]
    kept = pos[keep]
    dropped = [(int(a), int(b)) for a, b in pos[~keep]]
    if not len(kept):
        return SheetExtent(1, 1, 0, 0), dropped
    out = SheetExtent(int(kept[:, 0].min()), int(kept[:, 1].min()), int(kept[:, 0].max()), int(kept[:, 1].max()))
    return out, dropped


def without_cells(xml: bytes, box: SheetExtent) -> bytes:
    """The worksheet XML with every cell outside ``box`` removed (positions as ``_exact`` reads them)."""
    out: list[bytes] = []
    last = 0
    row = 0
    col = 0
    cell_re = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?c>)", re.S)
    pos = 0
    while True:
        m = _TAG.search(xml, pos)
        if m is None:
            break
        a = _R_ATTR.search(m.group(2))
        if m.group(1) == b"row":
            row = int(a.group(1)) if a and a.group(1).isdigit() else row + 1
            col = 0
            pos = m.end()
            continue
        ref = _REF.match(a.group(1).strip()) if a else None
        if ref:
            col, row = _col(ref.group(1)), int(ref.group(2))
        else:
            col += 1
        whole = cell_re.match(xml, m.start())
        end = whole.end() if whole else m.end()
        if not (box.r1 <= row <= box.r2 and box.c1 <= col <= box.c2) and not m.group(2).rstrip().endswith(b"/"):
            out.append(xml[last : m.start()])
            out.append(b"" if ref else b"<c/>")  # an implied position keeps its place for the cells after it
            last = end
        pos = end
    out.append(xml[last:])
    return b"".join(out)
