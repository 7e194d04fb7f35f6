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

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw
from pydantic import ValidationError
from xlwings import script

from jxc_xl.core.book import ROW, SettingCell, TableData, Workbook, empty_frame, frame
from jxc_xl.core.findings import CODES, Finding, col_letter
from jxc_xl.errors import JxcError, ValidationFailedError
from jxc_xl.schema import (
    GENERATED_TABLES,
    PERIOD_RE,
    PLAN,
    SETTINGS,
    SETTINGS_TABLE,
    TABLES,
    TABLES_BY_NAME,
    ColType,
    Lang,
    SettingDef,
    Settings,
    Table,
    normalise_header,
)

# The template's sheet button: a shape with this name whose hyperlink points at the cell it covers, one blank
# column right of tblPlan in row 2 (jxc_xl/io/template.py, _sync_button). xlwings Lite runs the script whose
# ``button`` is "[shape]Sheet!Cell" when that link is followed.
BUTTON_SHAPE = "jxc_sync_button"
BUTTON_CELL = f"{col_letter(len(PLAN.columns) + 1)}2"
BUTTON_ZH = f"[{BUTTON_SHAPE}]{PLAN.zh_sheet}!{BUTTON_CELL}"
BUTTON_EN = f"[{BUTTON_SHAPE}]{PLAN.en_sheet}!{BUTTON_CELL}"
RUNPYTHON = "import jxc_xl.excel as x; x.sync_caller()"

_NUMERIC = (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 0 of the 1900 date system (after the 1900 leap-year bug)
_HEADER_SCAN_ROWS = 30  # a plain-range fallback looks for its header row this far down the sheet
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_BLOCK_ROWS = 2000  # rows per read while a plain range's end is not yet known


# ---------------------------------------------------------------------------------------------------
# Locating a table in the open book


@dataclass
class _Located:
    """Where one table stands in the open book."""

    sheet: Any  # xw.Sheet
    top: int  # 1-based Excel row of the header
    left: int  # 1-based Excel column of the first header cell
    headers: list[Any]  # header cells as found
    body: list[list[Any]]  # data rows under the header (a ListObject's body, or rows up to the first blank one)
    listobject: Any = None  # xw.Table, None for a plain range

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


def _header_score(row: list[Any], table: Table) -> int:
    """How many distinct column keys a row's cells name; every required key must be among them."""
    hmap = table.header_map()
    keys = {hmap.get(normalise_header(v)) for v in row if isinstance(v, str)} - {None}
    return len(keys) if set(table.required_keys()) <= keys else 0


def _find_range(book: Any, table: Table) -> _Located | None:
    """A plain range whose header row matches ``table`` on the table's zh or en sheet.

    Reads in blocks: a used range can reach row 1,048,576 when whole columns are formatted, and in desktop
    Excel every cell read crosses COM.
    """
    names = {s.name: s for s in book.sheets}
    hmap = table.header_map()
    for sheet_name in (table.zh_sheet, table.en_sheet):
        sheet = names.get(sheet_name)
        if sheet is None:
            continue
        used = sheet.used_range
        r0, c0 = used.row, used.column
        last_row, last_col = used.last_cell.row, used.last_cell.column
        head = _values(sheet.range((r0, c0), (min(r0 + _HEADER_SCAN_ROWS - 1, last_row), last_col)))
        best: tuple[int, int] | None = None
        for i, row in enumerate(head):
            score = _header_score(row, table)
            if score and (best is None or score > best[1]):
                best = (i, score)
        if best is None:
            continue
        i = best[0]
        known = [j for j, v in enumerate(head[i]) if isinstance(v, str) and normalise_header(v) in hmap]
        first, last = min(known), max(known)
        top, left, right = r0 + i, c0 + first, c0 + last
        body: list[list[Any]] = []
        r = top + 1
        while r <= last_row:
            block = _values(sheet.range((r, left), (min(r + _BLOCK_ROWS - 1, last_row), right)))
            for row in block:
                if all(_blank(v) for v in row):
                    return _Located(sheet, top, left, head[i][first : last + 1], body)
                body.append(row)
            r += _BLOCK_ROWS
        return _Located(sheet, top, left, head[i][first : last + 1], body)
    return None


def _locate(book: Any, table: Table) -> _Located | None:
    found = _find_listobject(book, table.name)
    if found is not None:
        sheet, t = found
        rng = t.range
        values = _values(rng)
        if values:
            body = values[1:]
            # A ListObject always keeps one body row; an empty one is no data.
            if len(body) == 1 and all(v is None or v == "" for v in body[0]):
                body = []
            return _Located(sheet, rng.row, rng.column, values[0], body, t)
    return _find_range(book, table)


# ---------------------------------------------------------------------------------------------------
# Reading


def _excel_date(v: Any) -> Any:
    """A date cell as a datetime: xlwings gives datetimes; a serial number arrives when the cell lost its format."""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v)) and 0 < v < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=float(v))
    return v


def _text(v: Any) -> Any:
    """Numbers typed into text columns (SKU 1001) come back as floats: keep their digits, not ``1001.0``."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return v


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "") or (isinstance(v, float) and math.isnan(v))


def _reader_convert() -> Any:
    """The file reader's column converters (``jxc_xl.io.reader._convert``), so both readers type cells alike.

    None where the reader cannot be imported (python-calamine missing, e.g. a Pyodide without its wheel):
    ``_simple_convert`` stands in.
    """
    try:
        from jxc_xl.io.reader import _convert
    except ImportError:
        return None
    return _convert


_CONVERT = _reader_convert()


def _simple_convert(c: Any, a: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(values, bad or None, blank) of one raw column, as the reader's converter but with fewer text forms."""
    blank = np.array([_blank(v) for v in a], dtype=bool)
    vals = [None if b else v for v, b in zip(a, blank, strict=True)]
    if c.type == ColType.DATE:
        vals = [_excel_date(v) for v in vals]
    elif c.type in _NUMERIC:
        vals = [_number_text(v) if isinstance(v, str) else (None if isinstance(v, bool) else v) for v in vals]
    elif c.type == ColType.PERIOD:
        vals = [f"{v.year:04d}-{v.month:02d}" if isinstance(v, dt.date) else _text(v) for v in vals]
    elif c.type in (ColType.TEXT, ColType.CHOICE):
        vals = [_text(v).strip() if isinstance(_text(v), str) else _text(v) for v in vals]
    typed = frame(
        Table(name="_", zh_sheet="_", en_sheet="_", filled_by="user", columns=(c,)), [{c.key: v} for v in vals]
    )
    out = typed[c.key].to_numpy()
    if c.type == ColType.TEXT:
        return out, None, blank
    if c.type == ColType.PERIOD:
        ok = np.array([isinstance(v, str) and PERIOD_RE.match(v) is not None for v in out], dtype=bool)
        out = np.where(ok, out, None)
    return out, ~blank & pd.isna(out), blank


def _number_text(v: str) -> float | None:
    """Text typed into a number cell: thousands separators, spaces, full-width digits and % are accepted."""
    t = v.translate(_FULLWIDTH).strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
    pct = t.endswith("%")
    try:
        x = float(t[:-1] if pct else t)
    except ValueError:
        return None
    return x / 100 if pct else x if math.isfinite(x) else None


def _type_name(c: Any, lang: Lang) -> str:
    if c.type in _NUMERIC:
        return "数字" if lang == "zh" else "a number"
    if c.type == ColType.CHOICE:
        labels = " | ".join(c.choice_labels(lang))
        return f"以下之一：{labels}" if lang == "zh" else f"one of: {labels}"
    if c.type == ColType.DATE:
        return "日期（如 2026-11-03）" if lang == "zh" else "a date (e.g. 2026-11-03)"
    if c.type == ColType.PERIOD:
        return "期间（YYYY-MM）" if lang == "zh" else "a period (YYYY-MM)"
    return "文本" if lang == "zh" else "text"


def _shown(v: Any) -> Any:
    """A cell value for a finding (JSON-friendly: dates as ISO text)."""
    if v is None or isinstance(v, str | int | bool | float):
        return v
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _table_data(loc: _Located, table: Table, lang: Lang) -> tuple[TableData, dict[str, list[Any]], list[Finding]]:
    """Typed frame of one located table; also its raw cells by key (for settings) and its findings."""
    keys = loc.keys(table)
    col_of: dict[str, int] = {}
    for j, k in enumerate(keys):
        if k is not None and k not in col_of:  # a duplicated header: the first column wins
            col_of[k] = j
    letters = {k: col_letter(loc.left - 1 + j) for k, j in col_of.items()}
    sheet = loc.sheet.name
    findings = []
    for k in table.required_keys():
        if k not in col_of:
            c = table.column(k)
            all_h = ("、" if lang == "zh" else ", ").join(table.headers(lang))
            msg = (
                f"工作表“{sheet}”的表 {table.name} 缺少必填列“{c.zh}”（表头行第 {loc.top} 行）；请添加该列。"
                f"该表的列应为：{all_h}"
                if lang == "zh"
                else f"Table {table.name} on sheet '{sheet}' lacks the required column '{c.en}' (header row "
                f"{loc.top}); add it. Expected columns: {all_h}"
            )
            findings.append(
                Finding(
                    code="column-missing",
                    severity=CODES["column-missing"],
                    sheet=sheet,
                    row=loc.top,
                    column=k,
                    value=c.header(lang),
                    message=msg,
                )
            )
    n_raw = len(loc.body)
    convert = _CONVERT or _simple_convert
    raw: dict[str, np.ndarray] = {}
    conv: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray]] = {}
    for c in table.columns:
        j = col_of.get(c.key)
        if j is None:
            continue
        a = np.empty(n_raw, dtype=object)
        a[:] = [row[j] if j < len(row) else None for row in loc.body]
        raw[c.key] = a
        conv[c.key] = convert(c, a)
    row_blank = (
        np.logical_and.reduce([b for _, _, b in conv.values()]) if conv and n_raw else np.ones(n_raw, dtype=bool)
    )
    keep = np.flatnonzero(~row_blank)
    excel_rows = (loc.top + 1 + keep).astype(np.int64)
    kept_raw = {k: v[keep].tolist() for k, v in raw.items()}
    if len(keep) == 0:
        td = TableData(table, empty_frame(table), sheet, loc.top, letters, {})
        return td, kept_raw, findings
    n = len(keep)
    data: dict[str, Any] = {}
    bad: dict[str, np.ndarray] = {}
    for c in table.columns:
        if c.key not in conv:
            if c.type in _NUMERIC:
                data[c.key] = np.full(n, np.nan)
            elif c.type == ColType.DATE:
                data[c.key] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
            else:
                data[c.key] = np.full(n, None, dtype=object)
            continue
        values, mask, _ = conv[c.key]
        data[c.key] = values[keep]
        if mask is None or not mask[keep].any():
            continue
        bad[c.key] = mask[keep]
        tname = _type_name(c, lang)
        for i in np.flatnonzero(bad[c.key]):
            r, v = int(excel_rows[i]), _shown(raw[c.key][keep[i]])
            cell = f"{letters[c.key]}{r}"
            msg = (
                f"{sheet}!{cell}：“{c.zh}”应为{tname}，实际为“{v}”"
                if lang == "zh"
                else f"{sheet}!{cell}: '{c.en}' must be {tname}, found '{v}'"
            )
            findings.append(
                Finding(
                    code="bad-type",
                    severity=CODES["bad-type"],
                    sheet=sheet,
                    row=r,
                    column=c.key,
                    cell=cell,
                    value=v,
                    message=msg,
                )
            )
    data[ROW] = excel_rows
    # text columns stay object (str or None), as the file reader keeps them
    df = pd.DataFrame({k: pd.Series(v, dtype=object) if v.dtype == object else v for k, v in data.items()})
    return TableData(table, df, sheet, loc.top, letters, bad), kept_raw, findings


def _setting_lookup() -> dict[str, SettingDef]:
    out: dict[str, SettingDef] = {}
    for s in SETTINGS:
        for label in (s.key, s.zh, s.en):
            out[normalise_header(label)] = s
    return out


def _setting_value(sd: SettingDef, v: Any) -> Any:
    """One settings cell → the typed value Settings expects; raises ValueError when it cannot be read."""
    if sd.type == ColType.PERIOD:
        if isinstance(v, (dt.date, dt.datetime)):  # Excel turns a typed 2026-03 into a date
            return f"{v.year:04d}-{v.month:02d}"
        s = str(_text(v)).strip().replace("/", "-").replace(".", "-")
        y, _, m = s.partition("-")
        return f"{y}-{int(m):02d}" if m.isdigit() and len(y) == 4 else s
    if sd.type == ColType.CHOICE:
        ch = sd.choice_for(v)
        if ch is None:
            raise ValueError(v)
        return ch.key == "yes" if sd.key == "allow_negative" else ch.key
    if sd.type in _NUMERIC:
        if isinstance(v, str) and v.strip().endswith("%"):
            return float(v.strip()[:-1]) / 100
        return float(v)
    return str(_text(v))


def _settings(
    td: TableData, raw: dict[str, list[Any]], lang: Lang
) -> tuple[Settings | None, list[Finding], dict[str, SettingCell]]:
    lookup = _setting_lookup()
    vals: dict[str, Any] = {}
    findings: list[Finding] = []
    cells: dict[str, SettingCell] = {}
    where: dict[str, tuple[int, str | None]] = {}
    n = len(td.df)
    for key_cell, value, row in zip(
        raw.get("key", [None] * n), raw.get("value", [None] * n), td.df[ROW].tolist(), strict=True
    ):
        sd = lookup.get(normalise_header(key_cell)) if key_cell is not None else None
        if sd is None:
            continue
        cell = td.cell("value", row)
        where[sd.key] = (row, cell)
        cells[sd.key] = SettingCell(sheet=td.sheet or "", row=row, cell=cell or "", raw=value)
        if _blank(value):
            continue  # blank: the default applies (period is required, Settings says so)
        try:
            vals[sd.key] = _setting_value(sd, value)
        except (TypeError, ValueError):
            findings.append(_settings_finding(td, sd, where[sd.key], value, lang))
    while True:
        try:
            return Settings(**vals), findings, cells
        except ValidationError as e:
            bad = {str(err["loc"][0]) for err in e.errors() if err["loc"]}
            for k in bad:
                sd = next(s for s in SETTINGS if s.key == k)
                findings.append(_settings_finding(td, sd, where.get(k, (None, None)), vals.get(k), lang))
                vals.pop(k, None)
            if "period" in bad or not bad:
                return None, findings, cells


def _settings_finding(td: TableData, sd: SettingDef, where: tuple[int | None, str | None], value: Any, lang: Lang):
    row, cell = where
    shown = "(blank)" if value is None else repr(value)
    return Finding(
        code="settings-invalid",
        severity=CODES["settings-invalid"],
        sheet=td.sheet,
        row=row,
        column="value",
        cell=cell,
        value=None if value is None else str(value),
        message=f"{sd.label(lang)}: {shown} is not valid; allowed: {sd.allowed(lang)}",
    )


def _lang_of(book: Any, located: dict[str, _Located]) -> Lang:
    """As the file reader decides: by sheet names, then (sheets named otherwise) by header texts."""
    names = {s.name for s in book.sheets}
    zh = sum(t.zh_sheet in names for t in TABLES)
    en = sum(t.en_sheet in names for t in TABLES)
    if zh == en:
        for name, loc in located.items():
            heads = {normalise_header(h) for h in loc.headers if h is not None}
            cols = TABLES_BY_NAME[name].columns
            zh += sum(normalise_header(c.zh) in heads for c in cols)
            en += sum(normalise_header(c.en) in heads for c in cols)
    return "en" if en > zh else "zh"


def book_to_workbook(book: Any) -> Workbook:
    """Every table of an open xlwings book as a ``Workbook``, as ``jxc_xl.io.reader`` reads a file.

    Settings typed; findings for a missing input table or required column and for unusable settings.
    """
    return _read(book)[0]


def _read(book: Any) -> tuple[Workbook, dict[str, _Located]]:
    located = {t.name: loc for t in TABLES if (loc := _locate(book, t)) is not None}
    lang = _lang_of(book, located)
    tables: dict[str, TableData] = {}
    findings: list[Finding] = []
    raws: dict[str, dict[str, list[Any]]] = {}
    for table in TABLES:
        loc = located.get(table.name)
        if loc is None:
            tables[table.name] = TableData(table, empty_frame(table))
            if table.generated:  # sync writes these; only the input tables must exist
                continue
            sname = table.sheet(lang)
            msg = (
                f"找不到表 {table.name}（工作表“{sname}”）；请用 jxc new 生成的模板或添加该表"
                if lang == "zh"
                else f"Table {table.name} (sheet '{sname}') not found; use a template from `jxc new` or add the table"
            )
            findings.append(Finding(code="table-missing", severity=CODES["table-missing"], sheet=sname, message=msg))
            continue
        tables[table.name], raws[table.name], found = _table_data(loc, table, lang)
        findings.extend(found)
    settings, cells = None, {}
    if SETTINGS_TABLE.name in raws:
        settings, sfind, cells = _settings(tables[SETTINGS_TABLE.name], raws[SETTINGS_TABLE.name], lang)
        findings.extend(sfind)
    wb = Workbook(path=None, lang=lang, settings=settings, tables=tables, findings=findings, setting_cells=cells)
    return wb, located


# ---------------------------------------------------------------------------------------------------
# Writing


def _column_values(s: pd.Series, ctype: ColType) -> list[Any]:
    """One generated column as Excel cell values: None for blanks, datetime for dates, float for numbers."""
    if ctype == ColType.DATE or pd.api.types.is_datetime64_any_dtype(s):
        d = pd.to_datetime(s, errors="coerce")
        return [None if pd.isna(v) else v.to_pydatetime() for v in d]
    if ctype in _NUMERIC or pd.api.types.is_numeric_dtype(s):
        a = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
        return np.where(np.isnan(a), None, a).tolist()
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


def _target(book: Any, table: Table, loc: _Located | None) -> _Located:
    """Where a generated table will be written; raises before anything is written when it cannot be."""
    if loc is None:
        raise JxcError(
            f"Workbook {book.name}: table {table.name} (sheet {table.zh_sheet} / {table.en_sheet}) is missing, so sync "
            "has nowhere to write. Copy that sheet from a new workbook (`jxc new`) or restore the template."
        )
    if "sku" not in loc.keys(table):
        raise JxcError(
            f"Workbook {book.name}, sheet {loc.sheet.name}, cell {col_letter(loc.left - 1)}{loc.top}: the header row "
            f"of {table.name} has no {table.column('sku').zh} / SKU column. Restore the headers: "
            f"{', '.join(table.headers('zh'))}."
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
        # Rows that fell out of the table (or off the end of a plain range) keep their values unless cleared.
        sheet.range((top + 1 + n, left), (top + old, left + loc.width - 1)).clear_contents()
    if n:
        by_key = {
            k: _column_values(df[k], table.column(k).type if k in table.keys() else ColType.TEXT)
            for k in {keys[j] for j in cols}
        }
        for a, b in _runs(cols):
            columns = [by_key[keys[j]] for j in range(a, b + 1)]
            sheet.range((top + 1, left + a), (top + n, left + b)).value = [list(r) for r in zip(*columns, strict=True)]
    return body


def _check(wb: Workbook, force: bool) -> list[Finding]:
    from jxc_xl.core.rules import check

    findings = [*wb.findings, *check(wb, lang=wb.lang)]
    errors = [f for f in findings if f.severity == "error"]
    if errors and not force:
        shown = "\n".join(f"  {f.sheet or ''}!{f.cell or f.row or ''} [{f.code}] {f.message}" for f in errors[:15])
        more = f"\n  … and {len(errors) - 15} more" if len(errors) > 15 else ""
        err = ValidationFailedError(
            f"{len(errors)} validation error(s); nothing was written. Fix these cells and run sync again "
            f"(or run `jxc validate` on the saved file for the full list):\n{shown}{more}"
        )
        err.findings = findings  # type: ignore[attr-defined]
        raise err
    return findings


def sync_book(book: Any, *, force: bool = False) -> dict[str, int]:
    """Regenerate tblStock, tblPlan and tblAnalysis of an open xlwings book; returns rows written per table.

    Refuses (``ValidationFailedError``) when the inputs have validation errors, unless ``force``.
    """
    wb, located = _read(book)
    if wb.settings is None:
        bad = [f for f in wb.findings if f.code in ("settings-invalid", "table-missing")]
        detail = "; ".join(f"{f.sheet}!{f.cell or ''} {f.message}" for f in bad[:5])
        raise ValidationFailedError(
            f"Workbook {book.name}: the settings sheet (参数 / Settings) has no usable 会计期间 / period (YYYY-MM), "
            f"so nothing can be computed. {detail}".strip()
        )
    _check(wb, force)
    targets = {t.name: _target(book, t, located.get(t.name)) for t in GENERATED_TABLES}
    from jxc_xl.core.generate import generate  # imported late: a refused sync needs only the reader and rules

    generated = generate(wb, wb.lang)
    rows: dict[str, int] = {}
    for table in GENERATED_TABLES:
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


def lite_main_py() -> str:
    """``main.py`` for xlwings Lite: it imports the package's scripts and custom functions.

    Lite lists every ``@script``/``@func`` it finds among main.py's members (``inspect.getmembers``), so
    imported functions register just like ones defined in the file.
    """
    return '''"""jxc-xl in xlwings Lite: the 同步 / Sync button and the JXC custom functions.

The code lives in the jxc-xl package (requirements.txt); this file only imports it.
"""

from jxc_xl.excel import jxc_sync, jxc_sync_en  # noqa: F401  the sync button on 采购计划 / Plan
from jxc_xl.udfs import *  # noqa: F401,F403  custom functions (EOQ, safety stock, ABC, ...)
'''


def lite_requirements_txt(wheel_url: str | None = None) -> str:
    """``requirements.txt`` for xlwings Lite (Pyodide).

    numpy, pandas, scipy and pydantic are Pyodide's own builds (never pin them: Pyodide fixes their
    versions); xlwings and jxc-xl are pure Python. ``wheel_url``: a jxc-xl wheel to install instead of PyPI's.
    """
    xlv = _version("xlwings")
    jxc = wheel_url or (f"jxc-xl=={v}" if (v := _version("jxc-xl")) else "jxc-xl")
    return "\n".join(
        [
            f"xlwings=={xlv}" if xlv else "xlwings",
            "numpy",
            "pandas",
            "scipy",
            "pydantic",
            jxc,
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
    if lang == "zh":
        return f"""## 在 Windows 桌面版 Excel 中使用（经典 xlwings）

1. 安装 Python 3.11 或更高版本，然后在命令行运行：`pip install jxc-xl`，再运行 `xlwings addin install`。
2. 运行 `jxc addin --out 某个文件夹`，得到 `xlwings.conf`、`jxc.bas`、`main.py`、`requirements.txt`。
3. 把 `xlwings.conf` 中 INTERPRETER_WIN 改成你的 pythonw.exe 路径，复制到 `%USERPROFILE%\\.xlwings\\xlwings.conf`
   （或者在工作簿里新建名为 `xlwings.conf` 的工作表，把两列内容写在 A、B 列）。
4. 把工作簿另存为 .xlsm（启用宏的工作簿）。按 Alt+F11 打开 VBA 编辑器：“工具 > 引用”勾选 xlwings；
   “文件 > 导入文件”导入 `jxc.bas`。
5. 在“采购计划”表上右键单击“同步”按钮 > 指定宏 > 选择 JxcSync。以后单击按钮即重算
   库存、采购计划和分析三张表（其他表不动）；若输入有错误，会弹出错误清单，什么也不写入。
6. 自定义函数：Excel 中 xlwings 选项卡 > Import Functions（UDF Modules 已设为 jxc_xl.udfs）。

宏调用的是：`RunPython "{RUNPYTHON}"`。
不想装 Python：用 xlwings Lite 加载项（Excel“加载项”中搜索 xlwings），把 `main.py` 与 `requirements.txt`
的内容粘贴到它的两个标签页，模板里的“同步”按钮即可直接使用。
"""
    return f"""## Desktop Excel on Windows (classic xlwings)

1. Install Python 3.11 or later, then run `pip install jxc-xl` and `xlwings addin install`.
2. Run `jxc addin --out SOME_FOLDER` to get `xlwings.conf`, `jxc.bas`, `main.py` and `requirements.txt`.
3. Set INTERPRETER_WIN in `xlwings.conf` to your pythonw.exe and copy the file to
   `%USERPROFILE%\\.xlwings\\xlwings.conf` (or add a sheet named `xlwings.conf` holding its two columns in A:B).
4. Save the workbook as .xlsm (macro-enabled). In the VBA editor (Alt+F11): Tools > References > tick xlwings;
   File > Import File > `jxc.bas`.
5. On the Plan sheet, right-click the Sync button > Assign Macro > JxcSync. A click then regenerates the Stock,
   Plan and Analysis tables (nothing else changes); when the inputs have errors, it lists them and writes nothing.
6. Custom functions: xlwings tab > Import Functions (UDF Modules is set to jxc_xl.udfs).

The macro runs `RunPython "{RUNPYTHON}"`.
No Python on the machine? Use the xlwings Lite add-in (Excel Add-ins, search "xlwings"), paste `main.py` and
`requirements.txt` into its two tabs, and the template's Sync button works as it is.
"""


def addin_files(wheel_url: str | None = None) -> dict[str, str]:
    """File name → text, for ``jxc addin`` (print them, or write them to ``--out DIR``)."""
    return {
        "main.py": lite_main_py(),
        "requirements.txt": lite_requirements_txt(wheel_url),
        "xlwings.conf": classic_conf(),
        "jxc.bas": classic_vba(),
        "README-excel.md": classic_setup_text("en") + "\n" + classic_setup_text("zh"),
    }
