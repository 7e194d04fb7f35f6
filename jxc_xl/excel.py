"""The Excel side of sync: read the open workbook through xlwings, compute, write the generated tables back.

One adapter serves three runtimes, because they share xlwings' object model:
- xlwings Lite (Pyodide inside Excel): the ``@script`` functions ``jxc_sync`` / ``jxc_sync_en`` below, run from
  the add-in or from the template's sheet button (a shape named ``jxc_sync_button`` whose hyperlink points at
  ``采购计划!O2`` / ``Plan!O2``).
- classic xlwings on Windows/macOS: VBA ``RunPython "import jxc_xl.excel as x; x.sync_caller()"``.
- xlwings Server / tests: ``xw.Book(json=...)`` and the actions in ``book.json()``.

Only this module touches xlwings; ``jxc_xl.core`` stays free of it. Everything is read in one pass and written
in one pass (in Lite all writes travel to Excel as one batch when the script returns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw
from xlwings import script

from jxc_xl.core.assemble import assemble_workbook
from jxc_xl.core.book import Workbook
from jxc_xl.core.cell_values import NUMERIC, is_blank
from jxc_xl.core.cells import HEADER_SCAN_ROWS, ReadTable, detect_lang, find_header_row, table_data
from jxc_xl.core.findings import col_letter
from jxc_xl.core.messages import phrase
from jxc_xl.core.refusal import Caller, require_computable
from jxc_xl.errors import JxcError
from jxc_xl.schema import (
    GENERATED_TABLES,
    PLAN,
    SYNC_BUTTON_CELL,
    SYNC_BUTTON_SHAPE,
    TABLES,
    ColType,
    Lang,
    Table,
    normalise_header,
)

# The template's sheet button: a shape with this name whose hyperlink points at the cell it covers, one blank
# column right of tblPlan in row 2 (jxc_xl/io/template/button.py). xlwings Lite runs the script whose
# ``button`` is "[shape]Sheet!Cell" when that link is followed.
BUTTON_SHAPE = SYNC_BUTTON_SHAPE
BUTTON_CELL = SYNC_BUTTON_CELL
BUTTON_ZH = f"[{BUTTON_SHAPE}]{PLAN.zh_sheet}!{BUTTON_CELL}"
BUTTON_EN = f"[{BUTTON_SHAPE}]{PLAN.en_sheet}!{BUTTON_CELL}"
RUNPYTHON = "import jxc_xl.excel as x; x.sync_caller()"

_BLOCK_ROWS = 2000  # rows per read of a long range (in desktop Excel every read crosses COM)


# ---------------------------------------------------------------------------------------------------
# Locating a table in the open book


@dataclass
class _Located:
    """Where one table stands in the open book."""

    sheet: Any  # xw.Sheet
    top: int  # 1-based Excel row of the header
    left: int  # 1-based Excel column of the first header cell
    headers: list[Any]  # header cells as found
    # data rows under the header, blank ones kept so row numbers stay exact: a ListObject's body (an input
    # table's followed by the rows typed below it), or a plain range's rows to its last non-blank one
    body: list[list[Any]]
    listobject: Any = None  # xw.Table, None for a plain range
    ref_last_row: int | None = None  # an input ListObject's last row (totals row included): lines below it are named

    @property
    def width(self) -> int:
        return len(self.headers)

    def keys(self, table: Table) -> list[str | None]:
        """Column key of each header cell (None for a column the contract does not know)."""
        hmap = table.header_map()
        return [hmap.get(normalise_header(h)) if h is not None else None for h in self.headers]


def _values(rng: Any) -> list[list[Any]]:
    return rng.options(ndim=2, empty=None).value or []


def _find_listobject(book: Any, name: str) -> tuple[Any, Any] | None:
    for sheet in book.sheets:
        for t in sheet.tables:
            if t.name == name:
                return sheet, t
    return None


def _read_rows(sheet: Any, first: int, last: int, left: int, right: int) -> list[list[Any]]:
    """Rows ``first..last`` (1-based, inclusive) of columns ``left..right``, in blocks, trailing blank rows dropped.

    A used range can reach row 1,048,576 when whole columns are formatted: blocks keep each read small.
    """
    out: list[list[Any]] = []
    for r in range(first, last + 1, _BLOCK_ROWS):
        out.extend(_values(sheet.range((r, left), (min(r + _BLOCK_ROWS - 1, last), right))))
    while out and all(is_blank(v) for v in out[-1]):
        out.pop()
    return out


def _find_range(book: Any, table: Table) -> _Located | None:
    """A plain range whose header row matches ``table`` on the table's zh or en sheet.

    The header row is ``find_header_row``'s (as the file reader finds it); the data are every row below it to
    the end of the used range, blank rows left for ``table_data`` to skip.
    """
    names = {s.name: s for s in book.sheets}
    for sheet_name in (table.zh_sheet, table.en_sheet):
        sheet = names.get(sheet_name)
        if sheet is None:
            continue
        used = sheet.used_range
        r0, c0 = used.row, used.column
        last_row, last_col = used.last_cell.row, used.last_cell.column
        head = _values(sheet.range((r0, c0), (min(r0 + HEADER_SCAN_ROWS - 1, last_row), last_col)))
        hr = find_header_row(table, head, require_all=False)
        if hr is None:
            continue
        top, left, right = r0 + hr.index, c0 + hr.first, c0 + hr.last
        body = _read_rows(sheet, top + 1, last_row, left, right)
        return _Located(sheet, top, left, head[hr.index][hr.first : hr.last + 1], body)
    return None


def _locate(book: Any, table: Table) -> _Located | None:
    found = _find_listobject(book, table.name)
    if found is not None:
        sheet, t = found
        rng = t.range
        values = _values(rng)
        if values:
            body = values[1:]
            if table.generated:
                if body and t.show_totals:  # 库存's totals row: Excel keeps it below the rows sync writes
                    body = body[:-1]
                # A ListObject always keeps one body row: sync's empty one is no data.
                if len(body) == 1 and all(v is None or v == "" for v in body[0]):
                    body = []
            else:
                if body and t.show_totals:  # the totals row is not data (blank keeps the rows below in place)
                    body[-1] = [None] * len(values[0])
                # Rows typed just below the table, which Excel did not take in, are still the user's data.
                bottom, last_row = rng.row + len(values) - 1, sheet.used_range.last_cell.row
                if last_row > bottom:
                    body += _read_rows(sheet, bottom + 1, last_row, rng.column, rng.column + len(values[0]) - 1)
            bottom = None if table.generated else rng.row + len(values) - 1
            return _Located(sheet, rng.row, rng.column, values[0], body, t, bottom)
    return _find_range(book, table)


# ---------------------------------------------------------------------------------------------------
# Reading: xlwings gives each table's header and body cells; typing them is jxc_xl.core.cells, as for a file


def _block(rows: list[list[Any]], width: int) -> np.ndarray:
    """Body rows → a 2-D object array ``width`` wide (a short row padded with None)."""
    a = np.full((len(rows), width), None, dtype=object, order="F")  # columns contiguous, as the converters read
    if rows and all(len(r) == width for r in rows):
        a[:] = rows
    else:
        for i, r in enumerate(rows):
            a[i, : min(len(r), width)] = r[:width]
    return a


def _table_data(loc: _Located, table: Table, lang: Lang) -> ReadTable:
    """Typed frame of one located table; also its raw cells of the kept rows by key, and its findings."""
    return table_data(
        table,
        loc.headers,
        _block(loc.body, loc.width),
        sheet=loc.sheet.name,
        header_row=loc.top,
        first_col=loc.left - 1,
        lang=lang,
        ref_last_row=loc.ref_last_row,
    )


def book_to_workbook(book: Any) -> Workbook:
    """Every table of an open xlwings book as a ``Workbook``, as ``jxc_xl.io.reader`` reads a file.

    Settings typed; findings for a missing input table or required column and for unusable settings.
    """
    return _read(book)[0]


def _read(book: Any) -> tuple[Workbook, dict[str, _Located]]:
    located = {t.name: loc for t in TABLES if (loc := _locate(book, t)) is not None}
    lang = detect_lang({s.name for s in book.sheets}, ((name, loc.headers) for name, loc in located.items()))

    def read(table: Table) -> ReadTable | None:
        loc = located.get(table.name)
        return None if loc is None else _table_data(loc, table, lang)

    return assemble_workbook(None, lang, lang, read), located


# ---------------------------------------------------------------------------------------------------
# Writing


def _column_values(s: pd.Series, ctype: ColType) -> list[Any]:
    """One generated column as Excel cell values: None for blanks, datetime for dates, float for numbers."""
    if ctype == ColType.DATE or pd.api.types.is_datetime64_any_dtype(s):
        d = pd.to_datetime(s, errors="coerce")
        return [None if pd.isna(v) else v.to_pydatetime() for v in d]
    if ctype in NUMERIC or pd.api.types.is_numeric_dtype(s):
        a = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
        return [None if x != x else x for x in a.tolist()]  # NaN → None
    return s.astype(object).where(s.notna(), None).tolist()


def _runs(cols: list[int]) -> list[tuple[int, int]]:
    """Sorted column offsets → (first, last) of each contiguous run."""
    runs: list[tuple[int, int]] = []
    for j in cols:
        if runs and runs[-1][1] == j - 1:
            runs[-1] = (runs[-1][0], j)
        else:
            runs.append((j, j))
    return runs


def _target(book: Any, table: Table, loc: _Located | None, lang: Lang) -> _Located:
    """Where a generated table will be written; raises before anything is written when it cannot be."""
    if loc is None:
        raise JxcError(
            phrase(
                "book_table_missing",
                lang,
                book=book.name,
                table=table.name,
                zh_sheet=table.zh_sheet,
                en_sheet=table.en_sheet,
            )
        )
    if "sku" in table.keys() and "sku" not in loc.keys(table):  # tblSummary has none: found by its header row
        raise JxcError(
            phrase(
                "book_no_sku_column",
                lang,
                book=book.name,
                sheet=loc.sheet.name,
                cell=f"{col_letter(loc.left - 1)}{loc.top}",
                table=table.name,
                sku=table.column("sku").zh,
                headers=", ".join(table.headers("zh")),
            )
        )
    return loc


def _write_table(loc: _Located, table: Table, df: pd.DataFrame) -> int:
    """Resize ``table`` to ``len(df)`` body rows and write the columns its header names; headers stay as they are."""
    keys = loc.keys(table)
    cols = sorted(j for j, k in enumerate(keys) if k is not None and k in df.columns)
    sheet, top, left, n = loc.sheet, loc.top, loc.left, len(df)
    old = len(loc.body)
    if loc.listobject is not None:
        # A table keeps at least one body row: an empty result leaves one blank row.
        body = max(n, 1)
        loc.listobject.resize(sheet.range((top, left), (top + body, left + loc.width - 1)))
        old = max(old, 1)
    else:
        body = n
    if old > n:
        # Rows that fell out of the table (or off the end of a plain range) keep their values unless cleared;
        # a totals row (库存's) moves to just below the body and is not cleared.
        extra = 1 if loc.listobject is not None and loc.listobject.show_totals else 0
        for a, b in ((top + 1 + n, top + body), (top + body + 1 + extra, top + old + extra)):
            if a <= b:
                sheet.range((a, left), (b, left + loc.width - 1)).clear_contents()
    if n:
        by_key = {
            k: _column_values(df[k], table.column(k).type if k in table.keys() else ColType.TEXT)
            for k in {keys[j] for j in cols}
        }
        for a, b in _runs(cols):
            columns = [by_key[keys[j]] for j in range(a, b + 1)]
            sheet.range((top + 1, left + a), (top + n, left + b)).value = [list(r) for r in zip(*columns, strict=True)]
    return body


def sync_book(book: Any, *, force: bool = False) -> dict[str, int]:
    """Regenerate tblStock, tblPlan and tblAnalysis of an open xlwings book; returns rows written per table.

    Refuses (``ValidationFailedError``) when the inputs have validation errors, unless ``force``.
    """
    from jxc_xl.core.rules import all_findings

    wb, located = _read(book)
    caller = Caller(book.name, "sync", book=True, list_errors=True)
    require_computable(wb, all_findings(wb, lang=wb.lang), force=force, caller=caller)
    present = [t for t in GENERATED_TABLES if not (t.optional and located.get(t.name) is None)]  # e.g. no 明细账
    targets = {t.name: _target(book, t, located.get(t.name), wb.lang) for t in present}
    from jxc_xl.core.generate import generate  # imported late: a refused sync needs only the reader and rules

    generated = generate(wb, wb.lang)
    rows: dict[str, int] = {}
    for table in present:
        df = generated[table.name]
        _write_table(targets[table.name], table, df)
        rows[table.name] = len(df)
    return rows


# ---------------------------------------------------------------------------------------------------
# Entry points


@script(name="同步 jxc sync", button=BUTTON_ZH, show_taskpane=True)
def jxc_sync(book: xw.Book) -> None:
    """xlwings Lite: the 同步 button on 采购计划 (zh template)."""
    rows = sync_book(book)
    print("jxc sync:", ", ".join(f"{k} {v}" for k, v in rows.items()))


@script(name="jxc sync (en)", button=BUTTON_EN, show_taskpane=True)
def jxc_sync_en(book: xw.Book) -> None:
    """xlwings Lite: the Sync button on Plan (en template)."""
    rows = sync_book(book)
    print("jxc sync:", ", ".join(f"{k} {v}" for k, v in rows.items()))


def sync_caller() -> dict[str, int]:
    """Classic xlwings: ``RunPython "import jxc_xl.excel as x; x.sync_caller()"`` from the workbook's button."""
    book = xw.Book.caller()
    rows = sync_book(book)
    try:
        book.app.status_bar = "jxc sync: " + ", ".join(f"{k} {v}" for k, v in rows.items())
    except Exception:  # the status bar is a nicety; macOS and some hosts refuse it
        pass
    return rows


# ---------------------------------------------------------------------------------------------------
# `jxc addin`: the files that wire a workbook to jxc-xl


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


# What the Lite main.py exposes: Lite lists every ``@script``/``@func`` among main.py's members
# (``inspect.getmembers``), so imported functions register just like ones defined in the file.
LITE_IMPORTS = """from jxc_xl.excel import jxc_sync, jxc_sync_en  # noqa: F401  the sync button on 采购计划 / Plan
from jxc_xl.udfs import *  # noqa: F401,F403  custom functions (EOQ, safety stock, ABC, ...)
"""


def lite_main_py(inline: bool = False) -> str:
    """``main.py`` for xlwings Lite: it imports the package's scripts and custom functions.

    ``inline``: a self-contained main.py that carries the modules as source (``jxc_xl.lite``), for a Lite
    that installs no jxc-xl.
    """
    if inline:
        from jxc_xl.lite import inline_main_py

        return inline_main_py(LITE_IMPORTS)
    return (
        '''"""jxc-xl in xlwings Lite: the 同步 / Sync button and the JXC custom functions.

The code lives in the jxc-xl package (requirements.txt); this file only imports it.
"""

'''
        + LITE_IMPORTS
    )


def lite_requirements_txt(wheel_url: str | None = None, inline: bool = False) -> str:
    """``requirements.txt`` for xlwings Lite (Pyodide).

    numpy, pandas and pydantic are Pyodide's own builds (never pin them: Pyodide fixes their versions);
    xlwings and jxc-xl are pure Python, jxc-xl pinned to this version. ``wheel_url``: a jxc-xl wheel to
    install instead of PyPI's. ``inline``: Pyodide's packages only (the inline main.py carries jxc-xl).
    """
    xlv = _version("xlwings")
    if inline:
        from jxc_xl.lite import inline_requirements_txt

        return inline_requirements_txt(xlv)
    from jxc_xl import __version__

    return "\n".join(
        [
            f"xlwings=={xlv}" if xlv else "xlwings",
            "numpy",
            "pandas",
            "pydantic",
            wheel_url or f"jxc-xl=={__version__}",
            "",
        ]
    )


def classic_conf() -> str:
    """Lines for ``%USERPROFILE%\\.xlwings\\xlwings.conf`` (or the workbook's ``xlwings.conf`` sheet, A:B)."""
    return "\n".join(
        [
            '"INTERPRETER_WIN","C:\\path\\to\\venv\\Scripts\\pythonw.exe"',
            '"UDF MODULES","jxc_xl.udfs"',
            '"SHOW_ERROR_POPUPS","True"',
            "",
        ]
    )


def classic_vba() -> str:
    """A VBA module (``jxc.bas``) whose macro runs sync; assign it to the 同步 / Sync shape.

    ASCII only: the VBA editor imports .bas files in the system code page, not UTF-8.
    """
    return "\n".join(
        [
            'Attribute VB_Name = "jxc"',
            "' jxc-xl: regenerate the Stock, Plan and Analysis tables of this workbook.",
            "' Needs the xlwings add-in (xlwings addin install) and, in the VBA editor,",
            "' Tools > References > xlwings.",
            "Sub JxcSync()",
            f'    RunPython "{RUNPYTHON}"',
            "End Sub",
            "",
        ]
    )


def classic_setup_text(lang: Lang = "en") -> str:
    """How to run sync from desktop Excel with classic xlwings on Windows (for README and the Guide sheet)."""
    return phrase("addin_classic_setup", lang, runpython=RUNPYTHON)


def addin_files(wheel_url: str | None = None, inline: bool = False) -> dict[str, str]:
    """File name → text, for ``jxc addin`` (print them, or write them to ``--out DIR``).

    ``inline``: the self-contained Lite main.py and its Pyodide-only requirements (``wheel_url`` unused).
    """
    return {
        "main.py": lite_main_py(inline),
        "requirements.txt": lite_requirements_txt(wheel_url, inline),
        "xlwings.conf": classic_conf(),
        "jxc.bas": classic_vba(),
        "README-excel.md": classic_setup_text("en") + "\n" + classic_setup_text("zh"),
    }
