"""Read a monthly workbook into typed frames (``jxc_xl.core.book.Workbook``), fast and read-only.

Values come from python-calamine (one ``to_python`` per sheet, read once, freed after its tables); table
locations from the package's small XML parts (workbook.xml, the .rels files, xl/tables/*.xml) with zipfile —
calamine's own table API re-reads the sheet (1.7 s on a 475k-row sheet). A table converted to a plain range
is found by its header row. Columns are converted whole (numpy/pandas; values that repeat — dates, SKUs,
choices — converted once per distinct value). Data problems become findings; only a file that is not a
workbook at all raises ``NotAWorkbookError``. The file is opened read-only and never written.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine as pc
from pandas.api.types import infer_dtype

from jxc_xl.core.book import ROW, SettingCell, TableData, Workbook, empty_frame
from jxc_xl.core.findings import CODES, Finding, col_letter
from jxc_xl.errors import NotAWorkbookError
from jxc_xl.schema import (
    PERIOD_RE,
    SETTINGS,
    SETTINGS_TABLE,
    TABLES,
    TABLES_BY_NAME,
    ColType,
    Column,
    Lang,
    SettingDef,
    Settings,
    Table,
    normalise_header,
)

__all__ = ["read_workbook"]

NUMERIC = (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER)
HEADER_SCAN_ROWS = 20  # a plain range's header row is the first non-empty row within these
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_PERIOD_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_PERIOD_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


# ---------------------------------------------------------------------------------------------------
# Messages


def _msg(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _type_name(col: Column, lang: Lang) -> str:
    zh = {ColType.DATE: "日期（如 2026-11-03）", ColType.PERIOD: "期间（YYYY-MM）"}
    en = {ColType.DATE: "a date (e.g. 2026-11-03)", ColType.PERIOD: "a period (YYYY-MM)"}
    if col.type in NUMERIC:
        return _msg(lang, "数字", "a number")
    if col.type == ColType.CHOICE:
        labels = " | ".join(col.choice_labels(lang))
        return _msg(lang, f"以下之一：{labels}", f"one of: {labels}")
    return (zh if lang == "zh" else en).get(col.type, _msg(lang, "文本", "text"))


def _json_value(v: Any) -> Any:
    """A cell value as JSON-friendly data (dates as ISO strings)."""
    if v is None or isinstance(v, str | int | bool):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    return str(v)


def _finding(code: str, message: str, **kw: Any) -> Finding:
    return Finding(code=code, severity=CODES[code], message=message, **kw)


# ---------------------------------------------------------------------------------------------------
# Opening the file


def _open(path: Path) -> pc.CalamineWorkbook:
    name = path.name
    if not path.exists():
        raise NotAWorkbookError(
            f"{path}: file not found (文件不存在) — check the path, or create one with `jxc new {name}`"
        )
    if path.is_dir():
        raise NotAWorkbookError(f"{path}: is a folder, not a workbook (这是文件夹，不是工作簿) — give the .xlsx file")
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as e:
        raise NotAWorkbookError(
            f"{path}: the workbook is password-protected (工作簿已加密) — save a copy without a password "
            f"(File › Info › Protect Workbook › Encrypt) and use that ({e})"
        ) from e
    except (pc.CalamineError, pc.ZipError, pc.XmlError, OSError, ValueError) as e:
        raise NotAWorkbookError(
            f"{path}: not a readable Excel workbook (无法读取：不是有效的 xlsx 文件，或文件已损坏/不完整) — "
            f"open it in Excel and save it again as .xlsx, or create a new one with `jxc new` ({type(e).__name__}: {e})"
        ) from e


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

    def column(self, j: int, i0: int, i1: int) -> np.ndarray:
        return self.values[i0:i1, j]


@dataclass
class _Region:
    """Where one table is, in 0-based Excel coordinates (the sheet itself is read only when needed)."""

    sheet: str
    header_r: int  # Excel row of the header
    end_r: int | None  # exclusive end row of the data; None: to the end of the sheet
    c0: int  # first column
    c1: int | None  # exclusive end column; None: to the end of the sheet


class _Sheets:
    """Lazily read sheets (each read once, released when its tables are read)."""

    def __init__(self, wb: pc.CalamineWorkbook) -> None:
        self.wb = wb
        self.names: list[str] = list(wb.sheet_names)
        self._cache: dict[str, _Sheet] = {}

    def get(self, name: str) -> _Sheet:
        if name not in self._cache:
            sh = self.wb.get_sheet_by_name(name)
            rows = sh.to_python()
            start = sh.start or (0, 0)
            lengths = set(map(len, rows))
            width = max(lengths) if lengths else 0
            if len(lengths) > 1:  # defensive: calamine returns a rectangle, but never index past a short row
                rows = [list(r) + [""] * (width - len(r)) for r in rows]
            values = np.empty((len(rows), width), dtype=object, order="F")  # columns contiguous
            if len(rows) and width:
                values[:] = rows
            del rows
            self._cache[name] = _Sheet(name, values, start[0], start[1])
        return self._cache[name]

    def release(self, name: str) -> None:
        self._cache.pop(name, None)


def _is_blank_cell(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def _header_row(sheet: _Sheet) -> int | None:
    """Index of the first non-empty row within the first rows of the sheet."""
    for i in range(min(sheet.n_rows, HEADER_SCAN_ROWS)):
        if any(not _is_blank_cell(v) for v in sheet.values[i]):
            return i
    return None


def _match_headers(table: Table, headers: list[Any]) -> dict[str, int]:
    """Column key → index in ``headers`` (first occurrence wins)."""
    hmap = table.header_map()
    out: dict[str, int] = {}
    for j, h in enumerate(headers):
        if _is_blank_cell(h):
            continue
        key = hmap.get(normalise_header(h))
        if key is not None and key not in out:
            out[key] = j
    return out


def _detect_lang(sheets: _Sheets, regions: dict[str, _Region]) -> Lang:
    zh = sum(t.zh_sheet in sheets.names for t in TABLES)
    en = sum(t.en_sheet in sheets.names for t in TABLES)
    if zh != en:
        return "zh" if zh > en else "en"
    # sheets named otherwise: vote by the header texts of the tables found
    zh_h = en_h = 0
    for name, reg in regions.items():
        t = TABLES_BY_NAME[name]
        sh = sheets.get(reg.sheet)
        heads = {normalise_header(v) for v in sh.row(reg.header_r - sh.row0, max(reg.c0 - sh.col0, 0), reg.c1)}
        zh_h += sum(normalise_header(c.zh) in heads for c in t.columns)
        en_h += sum(normalise_header(c.en) in heads for c in t.columns)
    return "en" if en_h > zh_h else "zh"


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


@dataclass
class _TablePart:
    name: str
    sheet: str
    r0: int  # 0-based Excel rows/cols of the ref, inclusive
    c0: int
    r1: int
    c1: int
    header_rows: int
    totals_rows: int


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, absolute part name) of ``part``'s .rels file (empty when it has none)."""
    d, f = posixpath.split(part)
    rels_name = posixpath.join(d, "_rels", f + ".rels")
    if rels_name not in z.NameToInfo:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for r in ET.fromstring(z.read(rels_name)).iter(f"{_NS_PKG}Relationship"):
        if r.get("TargetMode") == "External":
            continue
        target = r.get("Target", "")
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        out[r.get("Id", "")] = (r.get("Type", ""), full)
    return out


def _table_parts(path: Path) -> list[_TablePart]:
    """Every Excel Table of an xlsx package with its sheet and ref, from the small XML parts only.

    Anything unexpected (not an xlsx zip, odd XML) gives no tables: the header-row fallback still works."""
    try:
        with zipfile.ZipFile(path) as z:
            wb_rels = _rels(z, "xl/workbook.xml")
            root = ET.fromstring(z.read("xl/workbook.xml"))
            out: list[_TablePart] = []
            for s in root.iter(f"{_NS_MAIN}sheet"):
                rel = wb_rels.get(s.get(f"{_NS_REL}id", ""))
                if rel is None:
                    continue
                for typ, target in _rels(z, rel[1]).values():
                    if not typ.endswith("/table") or target not in z.NameToInfo:
                        continue
                    t = ET.fromstring(z.read(target))
                    m = _REF.match(t.get("ref", ""))
                    if not m:
                        continue
                    c0, r0 = _col_index(m[1]), int(m[2]) - 1
                    c1, r1 = (_col_index(m[3]), int(m[4]) - 1) if m[3] else (c0, r0)
                    out.append(
                        _TablePart(
                            name=t.get("displayName") or t.get("name") or "",
                            sheet=s.get("name", ""),
                            r0=r0,
                            c0=c0,
                            r1=r1,
                            c1=c1,
                            header_rows=int(t.get("headerRowCount", "1")),
                            totals_rows=int(t.get("totalsRowCount", "0")),
                        )
                    )
            return out
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError):
        return []


def _locate(path: Path, sheets: _Sheets) -> dict[str, _Region]:
    """Table name → region: first from the table parts, then plain ranges by their header row."""
    regions: dict[str, _Region] = {}
    by_lower = {t.name.casefold(): t for t in TABLES}
    claimed: set[tuple[str, int]] = set()
    for tp in _table_parts(path):
        t = by_lower.get(tp.name.casefold())
        if t is None or t.name in regions or tp.header_rows < 1 or tp.sheet not in sheets.names:
            continue
        regions[t.name] = _Region(tp.sheet, tp.r0, tp.r1 - tp.totals_rows + 1, tp.c0, tp.c1 + 1)
        claimed.add((tp.sheet, tp.r0))

    # Plain ranges: the sheet named per schema first (either language), then any unclaimed sheet whose header
    # row holds all the required headers.
    missing = [t for t in TABLES if t.name not in regions]
    header_cache: dict[str, tuple[int, list[Any]] | None] = {}
    used = {k[0] for k in claimed}

    def header_of(name: str) -> tuple[int, list[Any]] | None:
        if name not in header_cache:
            sh = sheets.get(name)
            hi = _header_row(sh)
            header_cache[name] = None if hi is None else (hi, sh.row(hi))
        return header_cache[name]

    def claim(t: Table, sname: str, hi: int) -> None:
        sh = sheets.get(sname)
        regions[t.name] = _Region(sname, sh.row0 + hi, None, sh.col0, None)
        used.add(sname)

    for t in missing:
        for sname in (t.zh_sheet, t.en_sheet):
            if sname in sheets.names and sname not in used:
                h = header_of(sname)
                if h and _match_headers(t, h[1]):
                    claim(t, sname, h[0])
                    break
    # Greedy over all (table, sheet) pairs, best match first: sales and purchases share their required
    # headers, so the one matching more headers (customer vs supplier) wins the sheet.
    rest = [t for t in missing if t.name not in regions]
    pairs: list[tuple[int, int, str, int]] = []
    for ti, t in enumerate(rest):
        for sname in sheets.names:
            if sname in used or not (h := header_of(sname)):
                continue
            m = _match_headers(t, h[1])
            if all(k in m for k in t.required_keys()):
                pairs.append((-len(m), ti, sname, h[0]))
    for _, ti, sname, hi in sorted(pairs):
        if rest[ti].name not in regions and sname not in used:
            claim(rest[ti], sname, hi)
    for sname in set(header_cache) - used:
        sheets.release(sname)
    return regions


# ---------------------------------------------------------------------------------------------------
# Column conversion, vectorised over whole columns. Each converter returns (values, bad, blank): blank
# covers "", None and whitespace-only text; bad = non-blank but not parseable as the column's type.

_NUMERIC_KINDS = ("floating", "integer", "mixed-integer-float")


def _base_blank(a: np.ndarray) -> np.ndarray:
    return pd.isna(a) | (a == "")


def _is_ws(v: Any) -> bool:
    return isinstance(v, str) and not v.strip()


def _parse_number_text(v: Any) -> float:
    """One non-float cell → float, or NaN: text numbers with spaces, thousands separators, full-width digits, %."""
    if isinstance(v, bool):
        return math.nan
    if isinstance(v, int | float):
        return float(v)
    if not isinstance(v, str):
        return math.nan
    s = v.translate(_FULLWIDTH).strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    try:
        x = float(s)
    except ValueError:
        return math.nan
    if not math.isfinite(x):
        return math.nan
    return x / 100 if pct else x


def _to_number(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    blank = _base_blank(a)
    out = np.full(len(a), np.nan)
    idx = np.flatnonzero(~blank)
    if len(idx):
        vals = a[idx] if len(idx) < len(a) else a
        if infer_dtype(vals, skipna=False) in _NUMERIC_KINDS:  # fast path: real numbers only
            out[idx] = vals.astype(np.float64)
        else:
            f = np.asarray(pd.to_numeric(vals, errors="coerce"), dtype=np.float64)
            # to_numeric turns booleans into 0/1 and misses "1,234.5": redo every non-float cell one by one
            slow = np.flatnonzero(np.fromiter((type(v) is not float for v in vals), dtype=bool, count=len(vals)))
            if len(slow):
                f[slow] = [_parse_number_text(v) for v in vals[slow]]
                ws = [i for i in slow if np.isnan(f[i]) and _is_ws(vals[i])]
                blank[idx[ws]] = True
            out[idx] = f
    bad = ~blank & np.isnan(out)
    return out, bad, blank


def _parse_date_one(v: Any) -> np.datetime64:
    if isinstance(v, dt.datetime):
        return np.datetime64(v.date(), "D")
    if isinstance(v, dt.date):
        return np.datetime64(v, "D")
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 1 <= v < 2958466:  # Excel serial day numbers (1900-01-01 … 9999-12-31), a date cell without format
            return _EXCEL_EPOCH + np.timedelta64(int(v), "D")
        return np.datetime64("NaT")
    if isinstance(v, str):
        m = _DATE_TEXT.match(v.translate(_FULLWIDTH).strip())
        if m:
            try:
                return np.datetime64(dt.date(int(m[1]), int(m[2]), int(m[3])), "D")
            except ValueError:
                return np.datetime64("NaT")
    return np.datetime64("NaT")


def _to_date(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    blank = _base_blank(a)
    out = np.full(len(a), np.datetime64("NaT"), dtype="datetime64[D]")
    idx = np.flatnonzero(~blank)
    if len(idx):
        vals = a[idx] if len(idx) < len(a) else a
        kind = infer_dtype(vals, skipna=False)
        if kind in ("date", "datetime"):  # fast path: real Excel dates (time of day dropped: dates are days)
            codes, uniques = pd.factorize(vals)  # a month has ~30 distinct dates
            out[idx] = pd.to_datetime(np.asarray(uniques, dtype=object)).to_numpy().astype("datetime64[D]")[codes]
        elif kind == "floating":  # serial numbers: a date column without a date format
            f = vals.astype(np.float64)
            ok = (f >= 1) & (f < 2958466)
            d = np.full(len(f), np.datetime64("NaT"), dtype="datetime64[D]")
            d[ok] = _EXCEL_EPOCH + np.floor(f[ok]).astype(np.int64).astype("timedelta64[D]")
            out[idx] = d
        else:
            d = _by_unique(vals, _parse_date_one).astype("datetime64[D]")
            ws = [i for i in np.flatnonzero(np.isnat(d)) if _is_ws(vals[i])]
            blank[idx[ws]] = True
            out[idx] = d
    bad = ~blank & np.isnat(out)
    return out.astype("datetime64[ns]"), bad, blank


def _text_one(v: Any) -> str | None:
    """One cell → text: a whole float shows without '.0' (SKU 1001.0 → '1001'), dates as ISO."""
    if isinstance(v, str):
        s = v.strip()
        return s or None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date().isoformat()
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    return None if v is None else str(v)


def _to_text(a: np.ndarray) -> tuple[np.ndarray, None, np.ndarray]:
    out = _by_unique(a, _text_one)  # codes, customers, SKUs repeat: convert each distinct value once
    return out, None, np.asarray(pd.isna(out), dtype=bool)


def _period_one(v: Any) -> str | None:
    if isinstance(v, dt.date | dt.datetime):  # Excel turns typed "2026-11" into 2026-11-01
        return f"{v.year:04d}-{v.month:02d}"
    if isinstance(v, float) and v.is_integer():
        v = str(int(v))
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str):
        return None
    s = v.translate(_FULLWIDTH).strip()
    m = _PERIOD_TEXT.match(s) or _PERIOD_COMPACT.match(s)
    if not m:
        return None
    p = f"{int(m[1]):04d}-{int(m[2]):02d}"
    return p if PERIOD_RE.match(p) else None


def _by_unique(a: np.ndarray, one: Any) -> np.ndarray:
    """Apply ``one`` to each distinct value only (periods, choices: few distinct values in long columns)."""
    codes, uniques = pd.factorize(a, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [one(u) for u in uniques]
    return mapped[codes]


def _to_period(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    blank = _base_blank(a)
    out = np.empty(len(a), dtype=object)
    idx = np.flatnonzero(~blank)
    if len(idx):
        vals = a[idx]
        res = _by_unique(vals, _period_one)
        out[idx] = res
        fail = np.flatnonzero(pd.isna(res))
        blank[idx[[i for i in fail if _is_ws(vals[i])]]] = True
    bad = ~blank & pd.isna(out)
    return out, bad, blank


def _to_choice(col: Column, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lookup: dict[str, str] = {}
    for c in col.choices:
        for lbl in (c.key, c.zh, c.en):
            lookup[lbl.strip().casefold()] = c.key
    is_yes_no = {c.key for c in col.choices} == {"yes", "no"}

    def one(v: Any) -> str | None:
        if isinstance(v, bool):  # a TRUE/FALSE cell in a yes/no column
            return ("yes" if v else "no") if is_yes_no else None
        return lookup.get(v.strip().casefold()) if isinstance(v, str) else None

    blank = _base_blank(a)
    out = np.empty(len(a), dtype=object)
    idx = np.flatnonzero(~blank)
    if len(idx):
        vals = a[idx]
        res = _by_unique(vals, one)
        out[idx] = res
        fail = np.flatnonzero(pd.isna(res))
        blank[idx[[i for i in fail if _is_ws(vals[i])]]] = True
    bad = ~blank & pd.isna(out)
    return out, bad, blank


def _convert(col: Column, a: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """A raw column → (typed values, bad mask or None, blank mask)."""
    if col.type in NUMERIC:
        return _to_number(a)
    if col.type == ColType.DATE:
        return _to_date(a)
    if col.type == ColType.PERIOD:
        return _to_period(a)
    if col.type == ColType.CHOICE:
        return _to_choice(col, a)
    return _to_text(a)


# ---------------------------------------------------------------------------------------------------
# Tables


def _read_table(
    t: Table, sheet: _Sheet, reg: _Region, lang: Lang, msg_lang: Lang, findings: list[Finding]
) -> tuple[TableData, dict[str, np.ndarray]]:
    """The typed table and its raw (unconverted) columns of the kept rows."""
    header_i = reg.header_r - sheet.row0
    c_start = max(reg.c0 - sheet.col0, 0)
    c_end = sheet.width if reg.c1 is None else min(reg.c1 - sheet.col0, sheet.width)
    end_i = sheet.n_rows if reg.end_r is None else min(reg.end_r - sheet.row0, sheet.n_rows)
    headers = sheet.row(header_i, c_start, c_end)
    match = _match_headers(t, headers)
    header_row = reg.header_r + 1
    letters = {k: col_letter(sheet.col0 + c_start + j) for k, j in match.items()}

    for c in t.columns:
        if c.required and c.key not in match:
            all_h = ("、" if msg_lang == "zh" else ", ").join(t.headers(lang))
            findings.append(
                _finding(
                    "column-missing",
                    _msg(
                        msg_lang,
                        f"工作表“{sheet.name}”的表 {t.name} 缺少必填列“{c.zh}”（表头行第 {header_row} 行）；"
                        f"请添加该列。该表的列应为：{all_h}",
                        f"Table {t.name} on sheet '{sheet.name}' lacks the required column '{c.en}' (header row "
                        f"{header_row}); add it. Expected columns: {all_h}",
                    ),
                    sheet=sheet.name,
                    row=header_row,
                    column=c.key,
                    value=c.header(lang),
                )
            )

    i0 = max(header_i + 1, 0)
    i1 = max(end_i, i0)
    n_raw = i1 - i0
    raw: dict[str, np.ndarray] = {}
    conv: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray]] = {}
    for c in t.columns:
        if c.key in match:
            raw[c.key] = sheet.column(c_start + match[c.key], i0, i1)
            conv[c.key] = _convert(c, raw[c.key])
    if conv and n_raw:
        row_blank = np.logical_and.reduce([b for _, _, b in conv.values()])
    else:
        row_blank = np.ones(n_raw, dtype=bool)
    keep = np.flatnonzero(~row_blank)
    all_kept = len(keep) == n_raw
    excel_rows = (sheet.row0 + i0 + 1 + keep).astype(np.int64)
    n = len(keep)
    if n == 0:
        return TableData(t, empty_frame(t), sheet.name, header_row, letters, {}), {}

    data: dict[str, Any] = {}
    bad: dict[str, np.ndarray] = {}
    for c in t.columns:
        if c.key not in conv:
            if c.type in NUMERIC:
                data[c.key] = np.full(n, np.nan)
            elif c.type == ColType.DATE:
                data[c.key] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
            else:
                data[c.key] = np.full(n, None, dtype=object)
            continue
        values, mask, _ = conv[c.key]
        data[c.key] = values if all_kept else values[keep]
        if mask is None:
            continue
        if not all_kept:
            mask = mask[keep]
        if not mask.any():
            continue
        bad[c.key] = mask
        tname = _type_name(c, msg_lang)
        a = raw[c.key] if all_kept else raw[c.key][keep]
        for i in np.flatnonzero(mask):
            r = int(excel_rows[i])
            v = _json_value(a[i])
            findings.append(
                _finding(
                    "bad-type",
                    _msg(
                        msg_lang,
                        f"{sheet.name}!{letters[c.key]}{r}：“{c.zh}”应为{tname}，实际为“{v}”",
                        f"{sheet.name}!{letters[c.key]}{r}: '{c.en}' must be {tname}, found '{v}'",
                    ),
                    sheet=sheet.name,
                    row=r,
                    column=c.key,
                    cell=f"{letters[c.key]}{r}",
                    value=v,
                )
            )
    data[ROW] = excel_rows
    # text columns stay object (str or None): pandas 3 would otherwise infer its str dtype
    # copy=False: no block consolidation (it copied every cell; the arrays are fresh, nothing shares them)
    df = pd.DataFrame(
        {k: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v for k, v in data.items()}, copy=False
    )
    kept = raw if all_kept else {k: v[keep] for k, v in raw.items()}
    return TableData(t, df, sheet.name, header_row, letters, bad), kept


# ---------------------------------------------------------------------------------------------------
# Settings


def _setting_key(text: Any) -> str:
    """A setting label as compared: header rules, and "Service level" = "service_level"."""
    return normalise_header(str(text).replace("_", " "))


def _setting_lookup() -> dict[str, SettingDef]:
    out: dict[str, SettingDef] = {}
    for s in SETTINGS:
        for lbl in (s.key, s.zh, s.en):
            out[_setting_key(lbl)] = s
    return out


def _read_settings(
    td: TableData, raw_values: dict[int, Any], msg_lang: Lang, findings: list[Finding], cells: dict[str, SettingCell]
) -> Settings | None:
    lookup = _setting_lookup()
    values: dict[str, Any] = {}
    sheet = td.sheet or SETTINGS_TABLE.sheet(msg_lang)

    def invalid(sd: SettingDef, raw: Any, row: int | None, cell: str | None, why_zh: str, why_en: str) -> None:
        allowed = sd.allowed(msg_lang)
        findings.append(
            _finding(
                "settings-invalid",
                _msg(
                    msg_lang,
                    f"参数“{sd.zh}”的值“{_json_value(raw)}”无效：{why_zh}；允许：{allowed}",
                    f"Setting '{sd.en}' has an invalid value '{_json_value(raw)}': {why_en}; allowed: {allowed}",
                ),
                sheet=sheet,
                row=row,
                column="value",
                cell=cell,
                value=_json_value(raw),
            )
        )

    df = td.df
    for key_text, r in zip(df["key"].tolist(), df[ROW].tolist(), strict=True):
        if key_text is None:
            continue
        sd = lookup.get(_setting_key(key_text))
        if sd is None or sd.key in cells:  # unknown key: a user note; a repeated key: the first one counts
            continue
        raw = raw_values.get(r)
        cell = td.cell("value", r)
        cells[sd.key] = SettingCell(sheet=sheet, row=r, cell=cell or "", raw=_json_value(raw))
        if _is_blank_cell(raw):
            if sd.required:
                invalid(sd, raw, r, cell, "不能为空", "must not be blank")
            continue
        if sd.type == ColType.CHOICE:
            ch = sd.choice_for(raw) if not isinstance(raw, bool) else sd.choice_for("yes" if raw else "no")
            if ch is None:
                invalid(sd, raw, r, cell, "不是可选值", "not one of the choices")
                continue
            values[sd.key] = (ch.key == "yes") if sd.key == "allow_negative" else ch.key
        elif sd.type == ColType.PERIOD:
            p = _period_one(raw)
            if p is None:
                invalid(sd, raw, r, cell, "格式应为 YYYY-MM", "must be YYYY-MM")
                continue
            values[sd.key] = p
        elif sd.type in NUMERIC:
            x = _parse_number_text(raw)
            if math.isnan(x):
                invalid(sd, raw, r, cell, "不是数字", "not a number")
                continue
            if (
                (sd.gt is not None and not x > sd.gt)
                or (sd.ge is not None and not x >= sd.ge)
                or (sd.lt is not None and not x < sd.lt)
                or (sd.le is not None and not x <= sd.le)
            ):
                invalid(sd, raw, r, cell, "超出范围", "out of range")
                continue
            values[sd.key] = x
        else:
            values[sd.key] = _text_one(raw) or ""

    if "abc_a" in values and "abc_b" in values and values["abc_b"] < values["abc_a"]:
        sc = cells["abc_b"]
        sd = next(s for s in SETTINGS if s.key == "abc_b")
        invalid(sd, sc.raw, sc.row, sc.cell, "B类累计占比须 ≥ A类累计占比", "must be ≥ abc_a")
        del values["abc_b"]

    if "period" not in values:
        if "period" not in cells:  # no row at all (a row with a bad/blank value was reported above)
            sd = next(s for s in SETTINGS if s.key == "period")
            findings.append(
                _finding(
                    "settings-invalid",
                    _msg(
                        msg_lang,
                        f"参数表缺少“{sd.zh}”（会计期间）行；请添加一行：参数 = {sd.zh}，值 = YYYY-MM",
                        f"The settings table has no '{sd.en}' row; add one: Key = period, Value = YYYY-MM",
                    ),
                    sheet=sheet,
                    column="key",
                )
            )
        return None
    try:
        return Settings(**values)
    except Exception as e:  # pydantic ValidationError: a rule the per-row checks above did not catch
        findings.append(_finding("settings-invalid", str(e), sheet=sheet))
        return None


# ---------------------------------------------------------------------------------------------------
# Entry point


def read_workbook(path: str | Path, *, msg_lang: Lang = "zh") -> Workbook:
    """Read every table of the workbook at ``path`` (never modified) into typed frames, with findings.

    Raises ``NotAWorkbookError`` only when the file cannot be read as a workbook at all.
    """
    path = Path(path)
    wb = _open(path)
    # Reading allocates millions of small objects that all live until the end: the cyclic GC would scan them
    # again and again (measured: to_python 3× slower with it on), and there are no cycles to collect.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        sheets = _Sheets(wb)
        try:
            return _read_all(path, sheets, msg_lang)
        except (pc.CalamineError, pc.XmlError, pc.ZipError) as e:
            raise NotAWorkbookError(
                f"{path}: a sheet of the workbook cannot be read (工作表无法读取，文件可能已损坏) — open it in "
                f"Excel and save it again ({type(e).__name__}: {e})"
            ) from e
    finally:
        wb.close()
        if gc_was_enabled:
            gc.enable()


def _read_all(path: Path, sheets: _Sheets, msg_lang: Lang) -> Workbook:
    regions = _locate(path, sheets)
    lang = _detect_lang(sheets, regions)
    findings: list[Finding] = []
    tables: dict[str, TableData] = {}
    settings_raw: dict[int, Any] = {}
    pending: dict[str, int] = {}
    for reg in regions.values():
        pending[reg.sheet] = pending.get(reg.sheet, 0) + 1
    for t in TABLES:
        reg = regions.get(t.name)
        if reg is None:
            tables[t.name] = TableData(t, empty_frame(t), None)
            if not t.generated:  # sync creates the generated tables; only the input ones must exist
                sname = t.sheet(lang)
                findings.append(
                    _finding(
                        "table-missing",
                        _msg(
                            msg_lang,
                            f"找不到表 {t.name}（工作表“{sname}”）；请用 jxc new 生成的模板或添加该表",
                            f"Table {t.name} (sheet '{sname}') not found; use a template from `jxc new` "
                            f"or add the table",
                        ),
                        sheet=sname,
                    )
                )
            continue
        td, raw = _read_table(t, sheets.get(reg.sheet), reg, lang, msg_lang, findings)
        tables[t.name] = td
        if t is SETTINGS_TABLE and "value" in raw:  # the raw value cells: the frame holds them as text
            settings_raw = dict(zip(td.df[ROW].tolist(), raw["value"].tolist(), strict=True))
        pending[reg.sheet] -= 1
        if not pending[reg.sheet]:
            sheets.release(reg.sheet)  # a big ledger sheet is hundreds of MB as Python objects

    settings: Settings | None = None
    cells: dict[str, SettingCell] = {}
    if tables[SETTINGS_TABLE.name].present:
        settings = _read_settings(tables[SETTINGS_TABLE.name], settings_raw, msg_lang, findings, cells)
    return Workbook(path, lang, settings, tables, findings, cells)
