"""Read a monthly workbook into typed frames (``jxc_xl.core.book.Workbook``), fast and read-only.

Values come from python-calamine (one ``to_python`` per sheet, read once, freed after its tables); table
locations from the package's small XML parts (workbook.xml, the .rels files, xl/tables/*.xml) through
``jxc_xl.io.package`` — calamine's own table API re-reads the sheet (1.7 s on a 475k-row sheet). A table
converted to a plain range is found by its header row (``jxc_xl.core.cells.find_header_row``, as the Excel
button finds it). An input table also takes the non-blank rows typed just below its ref (Excel did not
extend it): they are the user's data, so they are read, validated and counted rather than silently left
out, and named in a rows-below-table warning (the user's own formulas over the table miss them). This
module only opens the file and locates each table's block of cells; typing the cells, the
findings about them and the settings are ``jxc_xl.core.cells``, and the ``Workbook`` around them
``jxc_xl.core.assemble`` (both shared with the Excel button). Data problems become findings; only a file
that is not a workbook at all (or a sheet calamine cannot read) raises ``NotAWorkbookError``. The file is
opened read-only and never written.
"""

from __future__ import annotations

import gc
import io
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import python_calamine as pc

from jxc_xl.core.assemble import assemble_workbook
from jxc_xl.core.book import Workbook
from jxc_xl.core.cells import HEADER_SCAN_ROWS, HeaderRow, ReadTable, detect_lang, find_header_row, table_data
from jxc_xl.core.findings import Finding, col_letter
from jxc_xl.core.messages import make_finding
from jxc_xl.errors import NotAWorkbookError
from jxc_xl.io import sheetscan
from jxc_xl.io.package import (
    TablePart,
    check_file,
    open_package,
    rewrite_parts,
    table_parts,
    unreadable,
)
from jxc_xl.io.scanahead import Ahead, Loaded, part_sizes, scan_part, sheet_parts
from jxc_xl.schema import TABLES, TABLES_BY_NAME, Lang, Table

__all__ = ["read_workbook"]

# ---------------------------------------------------------------------------------------------------
# Opening the file


def _calamine(path: Path) -> pc.CalamineWorkbook:
    """python-calamine's book of ``path``; a name that is not UTF-8 (Linux allows any bytes) is opened here and
    handed over as a file, since calamine takes the path as UTF-8 text."""
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    return pc.CalamineWorkbook.from_path(name)


def _open(path: Path) -> pc.CalamineWorkbook:
    check_file(path)
    try:
        return _calamine(path)
    except pc.PasswordError as e:
        raise NotAWorkbookError.said("io_password", path=path, error=str(e)) from e
    except (pc.CalamineError, pc.ZipError, pc.XmlError, OSError, ValueError) as e:
        raise unreadable(path, e) from e


# ---------------------------------------------------------------------------------------------------
# Sheets and table locations


@dataclass
class _Sheet:
    """One sheet's values (calamine rows, "" for empty) with the Excel position of the top-left cell."""

    name: str
    values: np.ndarray  # 2-D object array, "" for empty cells
    row0: int  # 0-based Excel row of values[0]
    col0: int  # 0-based Excel column of values[:, 0]

    @property
    def n_rows(self) -> int:
        return self.values.shape[0]

    @property
    def width(self) -> int:
        return self.values.shape[1]

    def row(self, i: int, c0: int = 0, c1: int | None = None) -> list[Any]:
        return list(self.values[i, c0:c1]) if 0 <= i < self.n_rows else []


@dataclass
class _Region:
    """Where one table is, in 0-based Excel coordinates (the sheet itself is read only when needed)."""

    sheet: str
    header_r: int  # Excel row of the header
    end_r: int | None  # exclusive end row of the data; None: to the end of the sheet
    c0: int  # first column
    c1: int | None  # exclusive end column; None: to the end of the sheet
    totals: tuple[int, int] | None = None  # Excel rows [start, end) of a totals row inside the data: not data
    ref_end: int | None = None  # an input Excel Table's exclusive end row: the lines read below it are named


BIG_SHEET_BYTES = 64 * 1024**2  # a worksheet this large (inflated) is scanned and read on a worker thread


class _Sheets:
    """Lazily read sheets (each read once, released when its tables are read)."""

    def __init__(self, wb: pc.CalamineWorkbook, path: Path) -> None:
        self.wb = wb
        self.path = path
        self.names: list[str] = list(wb.sheet_names)
        self._cache: dict[str, _Sheet] = {}
        self._parts: dict[str, str] | None = None  # sheet name → worksheet part, read on first use
        self.ignored: dict[str, tuple[sheetscan.SheetExtent, list[tuple[int, int]]]] = {}  # trimmed sheets
        self._ahead = Ahead()  # the largest sheet, read on a worker thread (io.scanahead)
        self._rest: list[str] = []  # the other sheets still to be read, in order (``plan``)
        self._got: dict[str, Loaded | BaseException | None] = {}  # what the worker read, until it is used

    def plan(self, order: list[str]) -> None:
        """The sheets the tables will be read from, in that order: the largest, when it is big, goes to a worker
        thread at once, and the others are read while it is read (``io.scanahead``)."""
        parts = self.parts()
        names = [n for n in dict.fromkeys(order) if n in parts and n not in self._cache]
        sizes = part_sizes(self.path)
        big = max(names, key=lambda n: sizes.get(parts[n], 0), default=None)
        if big is not None and sizes.get(parts[big], 0) >= BIG_SHEET_BYTES:
            self._ahead.start(self.path, big, parts[big], _calamine)
            self._rest = [n for n in names if n != big]

    def parts(self) -> dict[str, str]:
        """Sheet name → its worksheet part (``io.scanahead.sheet_parts``), read once."""
        if self._parts is None:
            self._parts = sheet_parts(self.path)
        return self._parts

    def get(self, name: str) -> _Sheet:
        if name not in self._cache:
            if name in self._rest:
                self._rest.remove(name)
            if self._ahead.pending(name):
                self._read_ahead(name)
            self._cache[name] = self._load(name)
        return self._cache[name]

    def _read_ahead(self, name: str) -> None:
        """While the worker reads sheet ``name``, read the other planned sheets here, in order.

        A sheet that fails to read here is read again in its turn, where its error is raised."""
        while self._rest and not self._ahead.done(name):
            other = self._rest.pop(0)
            try:
                self._cache[other] = self._load(other)
            except (KeyboardInterrupt, SystemExit, GeneratorExit):
                raise
            except BaseException:  # a panic included: raised again when the sheet is read in its turn
                return

    def _load(self, name: str) -> _Sheet:
        start, rows = self._read(name)
        r0, c0 = start or (0, 0)
        lengths = set(map(len, rows))
        width = max(lengths) if lengths else 0
        if len(lengths) > 1:  # defensive: calamine returns a rectangle, but never index past a short row
            rows = [list(r) + [""] * (width - len(r)) for r in rows]
        values = np.empty((len(rows), width), dtype=object, order="F")  # columns contiguous
        if len(rows) and width:
            values[:] = rows
        del rows
        return _Sheet(name, values, r0, c0)

    def _read(self, name: str) -> tuple[tuple[int, int] | None, list[list[Any]]]:
        """The sheet's top-left cell (None: A1) and its rows, as calamine reads them."""
        try:
            book = self._guarded(name)
            got = self._got.pop(name, None)
            if isinstance(got, BaseException):  # the worker's calamine failed: as if it failed here
                raise got
            if got is not None:
                return got.start, got.rows
            sh = book.get_sheet_by_name(name)
            return sh.start, sh.to_python()
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except (pc.CalamineError, pc.XmlError, pc.ZipError):
            raise  # read_workbook turns these into NotAWorkbookError
        except NotAWorkbookError:
            raise  # the package check already said what is wrong (an encrypted or damaged part)
        except BaseException as e:  # a Rust panic in calamine (pyo3 PanicException is a BaseException)
            error = f"{type(e).__name__}: {e}"
            raise NotAWorkbookError.said("io_sheet_panic", path=self.path, sheet=name, error=error) from e

    def _guarded(self, name: str) -> pc.CalamineWorkbook:
        """The calamine book to read sheet ``name`` from: ``self.wb``, or, for a sheet whose dense block would not
        fit in memory (``io.sheetscan``), a copy of the package whose sheet leaves out its far-away cells."""
        part = self.parts().get(name)
        if part is None:  # not found in the package as we read it: calamine has its own reading
            return self.wb
        try:
            if self._ahead.pending(name):  # scanned (and read, when it may be) on the worker thread
                ext, self._got[name] = self._ahead.take(name)
            else:
                ext = scan_part(self.path, part)
            if ext is None or ext.size <= sheetscan.MAX_CELLS:
                return self.wb
            box, dropped = sheetscan.trim_sheet(ext)
            with zipfile.ZipFile(self.path) as zf:
                xml = sheetscan.without_cells(sheetscan.read_part(zf, part), box)
        except sheetscan.PartTooLarge as e:
            raise NotAWorkbookError.said("io_part_too_large", path=self.path, part=part, sheet=name) from e
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
            raise unreadable(self.path, e) from e
        self.ignored[name] = (box, dropped)
        buf = io.BytesIO()
        rewrite_parts(self.path, buf, {part: xml})
        buf.seek(0)
        return pc.CalamineWorkbook.from_filelike(buf)

    def release(self, name: str) -> None:
        self._cache.pop(name, None)

    def close(self) -> None:
        """Let the worker go (a read that ends early, on an error, does not wait for it)."""
        self._ahead.close()


def _ignored_findings(sheets: _Sheets, lang: Lang) -> list[Finding]:
    """One cells-ignored warning per sheet read without its far-away cells."""
    out = []
    for name, (box, dropped) in sheets.ignored.items():
        shown = ", ".join(f"{col_letter(c - 1)}{r}" for r, c in dropped[:5]) + (" …" if len(dropped) > 5 else "")
        first_r, first_c = dropped[0]
        read = f"{col_letter(box.c1 - 1)}{box.r1}:{col_letter(box.c2 - 1)}{box.r2}" if box.size else "—"
        out.append(
            make_finding(
                "cells-ignored",
                lang,
                sheet=name,
                row=first_r,
                cell=f"{col_letter(first_c - 1)}{first_r}",
                cells=shown,
                count=len(dropped),
                box=read,
            )
        )
    return out


def _detect_lang(sheets: _Sheets, regions: dict[str, _Region]) -> Lang:
    def headers() -> Any:  # lazy: read only when the sheet names tie
        for name, reg in regions.items():
            sh = sheets.get(reg.sheet)
            yield name, sh.row(reg.header_r - sh.row0, max(reg.c0 - sh.col0, 0), reg.c1)

    return detect_lang(sheets.names, headers())


def _table_parts(path: Path) -> list[tuple[TablePart, tuple[int, int, int, int]]]:
    """Every Excel Table of an xlsx package with its 1-based (c1, r1, c2, r2), from the small XML parts only.

    Anything unexpected (not an xlsx zip, odd XML) gives no tables: the header-row fallback still works. A
    table without a usable ref is left out."""
    try:
        with open_package(path) as parts:
            found = table_parts(parts, path)
    except (NotAWorkbookError, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return []
    out: list[tuple[TablePart, tuple[int, int, int, int]]] = []
    for tp in found:
        if tp.ref is not None:
            try:
                out.append((tp, tp.area))
            except ValueError:
                continue
    return out


def _locate(path: Path, sheets: _Sheets) -> dict[str, _Region]:
    """Table name → region: first from the table parts, then plain ranges by their header row."""
    regions: dict[str, _Region] = {}
    by_lower = {t.name.casefold(): t for t in TABLES}
    claimed: set[tuple[str, int]] = set()
    for tp, (c1, r1, c2, r2) in _table_parts(path):
        t = by_lower.get(tp.display_name.casefold())
        sheet = tp.sheet.name
        if t is None or t.name in regions or tp.header_rows < 1 or sheet not in sheets.names:
            continue
        # _Region counts from 0 and its ends are exclusive; the ref's are 1-based and inclusive.
        end = r2 - tp.totals_rows
        if t.generated:  # sync rewrites these: the ref is the table
            regions[t.name] = _Region(sheet, r1 - 1, end, c1 - 1, c2)
        else:  # an input table also owns the rows typed just below it (Excel did not extend the ref)
            totals = (end, r2) if tp.totals_rows else None
            regions[t.name] = _Region(sheet, r1 - 1, None, c1 - 1, c2, totals, r2)
        claimed.add((sheet, r1 - 1))

    # Plain ranges: the sheet named per schema first (either language), then any unclaimed sheet whose header
    # row holds all the required headers.
    missing = [t for t in TABLES if t.name not in regions]
    head_cache: dict[str, list[list[Any]]] = {}
    used = {k[0] for k in claimed}

    def head(name: str) -> list[list[Any]]:
        """The sheet's first rows, where a plain range's header row is looked for."""
        if name not in head_cache:
            sh = sheets.get(name)
            head_cache[name] = [sh.row(i) for i in range(min(sh.n_rows, HEADER_SCAN_ROWS))]
        return head_cache[name]

    def claim(t: Table, sname: str, hr: HeaderRow) -> None:
        sh = sheets.get(sname)
        regions[t.name] = _Region(sname, sh.row0 + hr.index, None, sh.col0 + hr.first, sh.col0 + hr.last + 1)
        used.add(sname)

    for t in missing:
        for sname in (t.zh_sheet, t.en_sheet):
            if sname in sheets.names and sname not in used:
                hr = find_header_row(t, head(sname), require_all=False)
                if hr is not None:
                    claim(t, sname, hr)
                    break
    # Greedy over all (table, sheet) pairs, best match first: sales and purchases share their required
    # headers, so the one matching more headers (customer vs supplier) wins the sheet.
    rest = [t for t in missing if t.name not in regions]
    pairs: list[tuple[int, int, str, HeaderRow]] = []
    for ti, t in enumerate(rest):
        for sname in sheets.names:
            if sname in used:
                continue
            hr = find_header_row(t, head(sname))
            if hr is not None:
                pairs.append((-hr.score, ti, sname, hr))
    for _, ti, sname, hr in sorted(pairs, key=lambda x: x[:3]):
        if rest[ti].name not in regions and sname not in used:
            claim(rest[ti], sname, hr)
    for sname in set(head_cache) - used:
        sheets.release(sname)
    return regions


# ---------------------------------------------------------------------------------------------------
# Tables


def _read_table(t: Table, sheet: _Sheet, reg: _Region, lang: Lang, msg_lang: Lang) -> ReadTable:
    """The typed table, its raw (unconverted) columns of the kept rows and its findings."""
    header_i = reg.header_r - sheet.row0
    c_start = max(reg.c0 - sheet.col0, 0)
    c_end = sheet.width if reg.c1 is None else min(reg.c1 - sheet.col0, sheet.width)
    end_i = sheet.n_rows if reg.end_r is None else min(reg.end_r - sheet.row0, sheet.n_rows)
    i0 = max(header_i + 1, 0)
    i1 = max(end_i, i0)
    rows = sheet.values[i0:i1, c_start:c_end]  # a view: the columns stay contiguous, nothing is copied
    if reg.totals is not None:
        t0, t1 = (max(min(r - sheet.row0, i1), i0) - i0 for r in reg.totals)
        if t1 >= rows.shape[0]:  # nothing below the totals row: stop above it
            rows = rows[:t0]
        elif t1 > t0:  # rows below it (rare): blank the totals row in a copy, so row numbers stay exact
            rows = rows.copy(order="F")
            rows[t0:t1] = None
    return table_data(
        t,
        sheet.row(header_i, c_start, c_end),
        rows,
        sheet=sheet.name,
        header_row=reg.header_r + 1,
        first_col=sheet.col0 + c_start,
        first_row=sheet.row0 + i0 + 1,
        lang=lang,
        msg_lang=msg_lang,
        ref_last_row=reg.ref_end,  # 0-based exclusive = 1-based last row
    )


# ---------------------------------------------------------------------------------------------------
# Entry point


def read_workbook(
    path: str | Path, *, msg_lang: Lang | None = None, generated: bool | Collection[str] = True
) -> Workbook:
    """Read every table of the workbook at ``path`` (never modified) into typed frames, with findings.

    Tables are found as Excel Tables by name, else as plain ranges by their header row; data problems are
    findings on the result, never exceptions.

    Args:
        path: the .xlsx workbook.
        msg_lang: the language of the findings' messages; default the workbook's own (told by its sheet names
            and headers).
        generated: also read the generated tables (tblStock, tblPlan, …), or only those named. ``False``
            leaves them unread (empty frames): validate checks only the inputs and sync rewrites those tables,
            so neither needs their hundreds of thousands of cells; consolidation needs stock and plan only.

    Returns:
        The Workbook: typed frames per table (``wb.df("tblSales")``), settings, findings and its language.

    Raises:
        NotAWorkbookError: only when the file cannot be read as a workbook at all.
    """
    path = Path(path)
    wb = _open(path)
    # Reading allocates millions of small objects that all live until the end: the cyclic GC would scan them
    # again and again (measured: to_python 3× slower with it on), and there are no cycles to collect.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        sheets = _Sheets(wb, path)
        try:
            return _read_all(path, sheets, msg_lang, generated)
        except (pc.CalamineError, pc.XmlError, pc.ZipError) as e:
            error = f"{type(e).__name__}: {e}"
            raise NotAWorkbookError.said("io_sheet_unreadable", path=path, error=error) from e
        finally:
            sheets.close()
    finally:
        wb.close()
        if gc_was_enabled:
            gc.enable()


def _read_all(path: Path, sheets: _Sheets, msg_lang: Lang | None, generated: bool | Collection[str]) -> Workbook:
    regions = _locate(path, sheets)
    if generated is not True:
        wanted = set(generated) if generated else set()
        regions = {n: reg for n, reg in regions.items() if not TABLES_BY_NAME[n].generated or n in wanted}
    sheets.plan([regions[t.name].sheet for t in TABLES if t.name in regions])  # the order assemble reads them
    lang = _detect_lang(sheets, regions)
    msg = msg_lang or lang
    pending: dict[str, int] = {}  # sheet → its tables not read yet
    for reg in regions.values():
        pending[reg.sheet] = pending.get(reg.sheet, 0) + 1

    def read(t: Table) -> ReadTable | None:
        reg = regions.get(t.name)
        if reg is None:
            return None
        got = _read_table(t, sheets.get(reg.sheet), reg, lang, msg)
        pending[reg.sheet] -= 1
        if not pending[reg.sheet]:
            sheets.release(reg.sheet)  # a big ledger sheet is hundreds of MB as Python objects
        return got

    wb = assemble_workbook(path, lang, msg, read)
    wb.findings.extend(_ignored_findings(sheets, msg))
    return wb


def first_crashing_sheet(path: str | Path) -> str | None:
    """The first sheet python-calamine fails on: a native crash does not say which sheet it came from, so
    validate reads them one by one to name it in its file-unreadable finding.

    Args:
        path: the workbook whose reading crashed (never modified).

    Returns:
        The sheet's name; None when every sheet reads, or when the file cannot be opened at all.
    """
    path = Path(path)
    try:
        wb = _calamine(path)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # not even opened (a native panic included): no sheet to name
        return None
    try:
        sheets = _Sheets(wb, path)
        for name in sheets.names:
            try:
                sheets._read(name)  # the rows are dropped at once: only whether it reads matters
            except (NotAWorkbookError, pc.CalamineError, pc.XmlError, pc.ZipError):
                return str(name)
        return None
    finally:
        wb.close()
