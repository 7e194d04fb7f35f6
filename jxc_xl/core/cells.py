"""Raw cell values → typed table frames, findings and settings: the format-independent half of reading.

Both readers end up with the same thing, a header row and a 2-D block of raw cell values (the file reader
from python-calamine, the Excel button from xlwings), and hand it to ``table_data``; the settings table then
goes through ``read_settings``. Plain numpy/pandas/pydantic: no file format, no xlwings, no python-calamine,
so xlwings Lite (Pyodide, which has no python-calamine) types cells exactly as ``jxc validate`` does.

Columns are converted whole (values that repeat — dates, SKUs, choices — converted once per distinct value).
Each converter returns (values, bad, blank): blank covers "", None, NaN and whitespace-only text; bad =
non-blank but not parseable as the column's type (None for text columns, where everything is text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from jxc_xl.core.book import ROW, SettingCell, TableData, empty_frame
from jxc_xl.core.findings import Finding, col_letter
from jxc_xl.core.messages import json_value, make_finding, phrase, word
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

__all__ = [
    "HEADER_SCAN_ROWS",
    "NUMERIC",
    "HeaderRow",
    "ReadTable",
    "convert",
    "detect_lang",
    "find_header_row",
    "is_blank",
    "match_headers",
    "parse_date",
    "parse_number",
    "parse_period",
    "read_settings",
    "table_data",
    "table_missing",
    "text_of",
    "to_choice",
    "to_date",
    "to_number",
    "to_period",
    "to_text",
    "type_name",
]

NUMERIC = (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")  # serial 0 of the 1900 date system (after the leap-year bug)
_EXCEL_MAX_SERIAL = 2958466  # 9999-12-31 + 1
_PERIOD_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_PERIOD_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)  # after _FULLWIDTH: 1,234 and 1，234
_NUMERIC_KINDS = ("floating", "integer", "mixed-integer-float")

Converted = tuple[np.ndarray, np.ndarray | None, np.ndarray]


# ---------------------------------------------------------------------------------------------------
# Messages and findings


def type_name(col: Column, lang: Lang) -> str:
    """What a cell of ``col`` must hold, for a bad-type message."""
    if col.type in NUMERIC:
        return word("type_number", lang)
    if col.type == ColType.CHOICE:
        return phrase("type_choice", lang, choices=" | ".join(col.choice_labels(lang)))
    if col.type == ColType.DATE:
        return word("type_date", lang)
    if col.type == ColType.PERIOD:
        return word("type_period", lang)
    return word("type_text", lang)


def table_missing(table: Table, lang: Lang, msg_lang: Lang | None = None) -> Finding:
    """table-missing for an input table found nowhere in the workbook."""
    return make_finding("table-missing", msg_lang or lang, sheet=table.sheet(lang), table=table.name)


# ---------------------------------------------------------------------------------------------------
# Headers and language


def is_blank(v: Any) -> bool:
    """One cell: None, NaN or whitespace-only text."""
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def match_headers(table: Table, headers: Sequence[Any]) -> dict[str, int]:
    """Column key → index in ``headers`` (zh or en header, any order; a repeated header: the first wins)."""
    hmap = table.header_map()
    out: dict[str, int] = {}
    for j, h in enumerate(headers):
        if is_blank(h):
            continue
        key = hmap.get(normalise_header(h))
        if key is not None and key not in out:
            out[key] = j
    return out


HEADER_SCAN_ROWS = 30  # a plain range's header row is looked for this far down its sheet (title rows above it)


class HeaderRow(NamedTuple):
    """Where a plain range's header row stands among the scanned rows (0-based indices into them)."""

    index: int  # the header row
    first: int  # first cell naming one of the table's columns
    last: int  # last such cell (inclusive): the range's columns are first..last
    score: int  # distinct columns of the table it names


def find_header_row(table: Table, rows: Sequence[Sequence[Any]], *, require_all: bool = True) -> HeaderRow | None:
    """The header row of ``table`` as a plain range, given a sheet's first rows (``HEADER_SCAN_ROWS``) as values.

    The header is the row naming most of the table's columns, every required one among them; a tie goes to
    the upper row, so title rows above the headers ("销售出库单 2026年11月") are passed over. The data are then
    every row below it to the end of the sheet's used range, in columns ``first..last``, blank rows skipped
    (``table_data`` drops them) — both readers (file and Excel) call this and read the same rows.
    ``require_all=False`` (on the table's own sheet): when no row holds every required header, the row
    naming most columns is still taken, so the reader reports the missing columns rather than a missing table.
    """
    best: HeaderRow | None = None
    partial: HeaderRow | None = None
    required = table.required_keys()
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        m = match_headers(table, row)
        if not m:
            continue
        cols = m.values()
        hr = HeaderRow(i, min(cols), max(cols), len(m))
        if all(k in m for k in required):
            if best is None or hr.score > best.score:
                best = hr
        elif partial is None or hr.score > partial.score:
            partial = hr
    return best if best is not None or require_all else partial


def detect_lang(sheet_names: Collection[str], headers: Iterable[tuple[str, Sequence[Any]]]) -> Lang:
    """The workbook's language: by sheet names, then (sheets named otherwise) by the header texts.

    ``headers``: (table name, header cells) of the tables found; consumed only on a tie, so a lazy generator
    reads no sheet when the sheet names decide.
    """
    zh = sum(t.zh_sheet in sheet_names for t in TABLES)
    en = sum(t.en_sheet in sheet_names for t in TABLES)
    if zh != en:
        return "zh" if zh > en else "en"
    zh_h = en_h = 0
    for name, cells in headers:
        heads = {normalise_header(v) for v in cells if not is_blank(v)}
        cols = TABLES_BY_NAME[name].columns
        zh_h += sum(normalise_header(c.zh) in heads for c in cols)
        en_h += sum(normalise_header(c.en) in heads for c in cols)
    return "en" if en_h > zh_h else "zh"


# ---------------------------------------------------------------------------------------------------
# One cell (the slow paths; columns go through the vectorised converters below)


def _is_ws(v: Any) -> bool:
    return isinstance(v, str) and not v.strip()


def parse_number(v: Any) -> float:
    """One cell → float, or NaN: text numbers with spaces, thousands separators, full-width digits, %.

    A comma is accepted only as a thousands separator in whole groups of three ('1,234.50'); any other comma
    ('12,50', '1,5', '1.234,56': decimal commas) makes the cell not a number, so it is reported, not misread.
    """
    if isinstance(v, bool):
        return math.nan
    if isinstance(v, int | float):
        return float(v)
    if not isinstance(v, str):
        return math.nan
    s = v.translate(_FULLWIDTH).strip().replace(" ", "").replace("\u00a0", "")
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    if "," in s:
        # Only proper thousands groups: '12,50' or '1.234,56' (a decimal comma) must not read as 1250 or 1.23456
        if not _THOUSANDS.match(s):
            return math.nan
        s = s.replace(",", "")
    try:
        x = float(s)
    except ValueError:
        return math.nan
    if not math.isfinite(x):
        return math.nan
    return x / 100 if pct else x


def parse_date(v: Any) -> np.datetime64:
    """One cell → datetime64[D], or NaT: dates, Excel serial numbers, text (2026-11-03, 2026/11/3, 2026年11月3日)."""
    if isinstance(v, dt.datetime):
        return np.datetime64(v.date(), "D")
    if isinstance(v, dt.date):
        return np.datetime64(v, "D")
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 1 <= v < _EXCEL_MAX_SERIAL:  # a date cell without a date format
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


def text_of(v: Any) -> str | None:
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


def parse_period(v: Any) -> str | None:
    """One cell → "YYYY-MM", or None: 2026-11, 2026/11, 2026年11月, 202611, or a date (Excel turns a typed
    "2026-11" into 2026-11-01)."""
    if isinstance(v, dt.date | dt.datetime):
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


# ---------------------------------------------------------------------------------------------------
# Whole columns


def _base_blank(a: np.ndarray) -> np.ndarray:
    return pd.isna(a) | (a == "")


def _by_unique(a: np.ndarray, one: Callable[[Any], Any]) -> np.ndarray:
    """Apply ``one`` to each distinct value only (long columns hold few distinct codes, dates, choices)."""
    codes, uniques = pd.factorize(a, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [one(u) for u in uniques]
    return mapped[codes]


def to_number(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A raw column → float64 values (NaN where blank or bad), bad, blank."""
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
                f[slow] = [parse_number(v) for v in vals[slow]]
                ws = [i for i in slow if np.isnan(f[i]) and _is_ws(vals[i])]
                blank[idx[ws]] = True
            out[idx] = f
    bad = ~blank & np.isnan(out)
    return out, bad, blank


def to_date(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A raw column → datetime64[ns] values (days; NaT where blank or bad), bad, blank."""
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
            ok = (f >= 1) & (f < _EXCEL_MAX_SERIAL)
            d = np.full(len(f), np.datetime64("NaT"), dtype="datetime64[D]")
            d[ok] = _EXCEL_EPOCH + np.floor(f[ok]).astype(np.int64).astype("timedelta64[D]")
            out[idx] = d
        else:
            d = _by_unique(vals, parse_date).astype("datetime64[D]")
            ws = [i for i in np.flatnonzero(np.isnat(d)) if _is_ws(vals[i])]
            blank[idx[ws]] = True
            out[idx] = d
    bad = ~blank & np.isnat(out)
    return out.astype("datetime64[ns]"), bad, blank


def to_text(a: np.ndarray) -> tuple[np.ndarray, None, np.ndarray]:
    """A raw column → object values (str or None); text is never bad."""
    out = _by_unique(a, text_of)  # codes, customers, SKUs repeat: convert each distinct value once
    return out, None, np.asarray(pd.isna(out), dtype=bool)


def _map_nonblank(a: np.ndarray, one: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``one`` over the non-blank cells (once per distinct value); None from ``one`` is bad unless whitespace."""
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


def to_period(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A raw column → "YYYY-MM" or None, bad, blank."""
    return _map_nonblank(a, parse_period)


def to_choice(col: Column, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A raw column → the choice's key (from key, zh or en label, any case) or None, bad, blank."""
    lookup: dict[str, str] = {}
    for c in col.choices:
        for lbl in (c.key, c.zh, c.en):
            lookup[lbl.strip().casefold()] = c.key
    is_yes_no = {c.key for c in col.choices} == {"yes", "no"}

    def one(v: Any) -> str | None:
        if isinstance(v, bool):  # a TRUE/FALSE cell in a yes/no column
            return ("yes" if v else "no") if is_yes_no else None
        return lookup.get(v.strip().casefold()) if isinstance(v, str) else None

    return _map_nonblank(a, one)


def convert(col: Column, a: np.ndarray) -> Converted:
    """A raw column (1-D object array) → (typed values, bad mask or None, blank mask)."""
    if col.type in NUMERIC:
        return to_number(a)
    if col.type == ColType.DATE:
        return to_date(a)
    if col.type == ColType.PERIOD:
        return to_period(a)
    if col.type == ColType.CHOICE:
        return to_choice(col, a)
    return to_text(a)


# ---------------------------------------------------------------------------------------------------
# Tables


class ReadTable(NamedTuple):
    data: TableData
    raw: dict[str, np.ndarray]  # column key → raw cells of the kept (non-blank) rows
    findings: list[Finding]


def _blank_column(c: Column, n: int) -> np.ndarray:
    if c.type in NUMERIC:
        return np.full(n, np.nan)
    if c.type == ColType.DATE:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, None, dtype=object)


def table_data(
    table: Table,
    header_cells: Sequence[Any],
    rows: np.ndarray,
    *,
    sheet: str,
    header_row: int,
    first_col: int,
    lang: Lang,
    msg_lang: Lang | None = None,
    first_row: int | None = None,
) -> ReadTable:
    """One table's typed frame, from its header cells and the raw cells under them.

    ``rows``: 2-D object array, one row per sheet row and one column per header cell (extra columns are
    ignored); ``header_row``: Excel row of the header; ``first_col``: 0-based Excel column of
    ``header_cells[0]``; ``first_row``: Excel row of ``rows[0]`` (default the row under the header).
    ``lang`` names the headers in messages, ``msg_lang`` (default ``lang``) is the message language.
    Rows blank in every known column are dropped. Findings: column-missing, bad-type.
    """
    ml = msg_lang or lang
    match = match_headers(table, header_cells)
    letters = {k: col_letter(first_col + j) for k, j in match.items()}
    findings: list[Finding] = []
    for c in table.columns:
        if c.required and c.key not in match:
            all_h = ("、" if ml == "zh" else ", ").join(table.headers(lang))
            findings.append(
                make_finding(
                    "column-missing",
                    ml,
                    sheet=sheet,
                    row=header_row,
                    column=c.key,
                    value=c.header(lang),
                    table=table.name,
                    header=c.header(ml),
                    expected=all_h,
                )
            )

    n_raw = rows.shape[0] if rows.ndim == 2 else 0
    width = rows.shape[1] if rows.ndim == 2 else 0
    raw: dict[str, np.ndarray] = {}
    conv: dict[str, Converted] = {}
    for c in table.columns:
        j = match.get(c.key)
        if j is None:
            continue
        # a header beyond the block's width (a short block): its cells are all empty
        raw[c.key] = rows[:, j] if j < width else np.full(n_raw, None, dtype=object)
        conv[c.key] = convert(c, raw[c.key])
    row_blank = np.logical_and.reduce([b for _, _, b in conv.values()]) if conv and n_raw else np.ones(n_raw, bool)
    keep = np.flatnonzero(~row_blank)
    all_kept = len(keep) == n_raw
    start = header_row + 1 if first_row is None else first_row
    excel_rows = (start + keep).astype(np.int64)
    n = len(keep)
    if n == 0:
        return ReadTable(TableData(table, empty_frame(table), sheet, header_row, letters, {}), {}, findings)

    data: dict[str, Any] = {}
    bad: dict[str, np.ndarray] = {}
    for c in table.columns:
        if c.key not in conv:
            data[c.key] = _blank_column(c, n)
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
        tname = type_name(c, ml)
        a = raw[c.key] if all_kept else raw[c.key][keep]
        for i in np.flatnonzero(mask):  # bad cells are few: one finding each
            r = int(excel_rows[i])
            findings.append(
                make_finding(
                    "bad-type",
                    ml,
                    sheet=sheet,
                    row=r,
                    column=c.key,
                    cell=f"{letters[c.key]}{r}",
                    value=a[i],
                    header=c.header(ml),
                    type=tname,
                )
            )
    data[ROW] = excel_rows
    # text columns stay object (str or None): pandas 3 would otherwise infer its str dtype
    # copy=False: no block consolidation (it copied every cell; the arrays are fresh, nothing shares them)
    df = pd.DataFrame(
        {k: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v for k, v in data.items()}, copy=False
    )
    kept = raw if all_kept else {k: v[keep] for k, v in raw.items()}
    return ReadTable(TableData(table, df, sheet, header_row, letters, bad), kept, findings)


# ---------------------------------------------------------------------------------------------------
# Settings


def _setting_key(text: Any) -> str:
    """A setting label as compared: header rules, and "Service level" = "service_level"."""
    return normalise_header(str(text).replace("_", " "))


_SETTING_LOOKUP: dict[str, SettingDef] = {_setting_key(lbl): s for s in SETTINGS for lbl in (s.key, s.zh, s.en)}
_SETTING_DEFS: dict[str, SettingDef] = {s.key: s for s in SETTINGS}


def read_settings(
    td: TableData, raw_values: Sequence[Any] | np.ndarray | None, msg_lang: Lang
) -> tuple[Settings | None, dict[str, SettingCell], list[Finding]]:
    """Settings from the settings table: its typed frame ``td`` and the raw value cells of its rows.

    ``raw_values``: the value column's raw cells aligned with ``td.df`` (the frame holds them as text);
    None when the table has no value column. Unknown keys are user notes; a repeated key: the first counts.
    Returns (Settings or None when the period is unusable, where each setting was found, settings-invalid
    findings).
    """
    findings: list[Finding] = []
    cells: dict[str, SettingCell] = {}
    values: dict[str, Any] = {}
    sheet = td.sheet or SETTINGS_TABLE.sheet(msg_lang)
    df = td.df
    raws = [None] * len(df) if raw_values is None else list(raw_values)

    def invalid(sd: SettingDef, raw: Any, row: int | None, cell: str | None, why: str) -> None:
        """settings-invalid of one value; ``why``: a why_* word of the message catalog."""
        findings.append(
            make_finding(
                "settings-invalid",
                msg_lang,
                sheet=sheet,
                row=row,
                column="value",
                cell=cell,
                value=raw,
                key=sd.label(msg_lang),
                why=word(why, msg_lang),
                allowed=sd.allowed(msg_lang),
            )
        )

    for key_text, r, raw in zip(df["key"].tolist(), df[ROW].tolist(), raws, strict=True):
        if key_text is None:
            continue
        sd = _SETTING_LOOKUP.get(_setting_key(key_text))
        if sd is None or sd.key in cells:
            continue
        cell = td.cell("value", r)
        cells[sd.key] = SettingCell(sheet=sheet, row=r, cell=cell or "", raw=json_value(raw))
        if is_blank(raw):
            if sd.required:
                invalid(sd, raw, r, cell, "why_blank")
            continue
        if sd.type == ColType.CHOICE:
            ch = sd.choice_for(raw) if not isinstance(raw, bool) else sd.choice_for("yes" if raw else "no")
            if ch is None:
                invalid(sd, raw, r, cell, "why_choice")
                continue
            values[sd.key] = (ch.key == "yes") if sd.key == "allow_negative" else ch.key
        elif sd.type == ColType.PERIOD:
            p = parse_period(raw)
            if p is None:
                invalid(sd, raw, r, cell, "why_period")
                continue
            values[sd.key] = p
        elif sd.type in NUMERIC:
            x = parse_number(raw)
            if math.isnan(x):
                invalid(sd, raw, r, cell, "why_number")
                continue
            if (
                (sd.gt is not None and not x > sd.gt)
                or (sd.ge is not None and not x >= sd.ge)
                or (sd.lt is not None and not x < sd.lt)
                or (sd.le is not None and not x <= sd.le)
            ):
                invalid(sd, raw, r, cell, "why_range")
                continue
            values[sd.key] = x
        else:
            values[sd.key] = text_of(raw) or ""

    if "abc_a" in values and "abc_b" in values and values["abc_b"] < values["abc_a"]:
        sc = cells["abc_b"]
        invalid(_SETTING_DEFS["abc_b"], sc.raw, sc.row, sc.cell, "why_abc_b")
        del values["abc_b"]

    if "period" not in values:
        if "period" not in cells:  # no row at all (a row with a bad/blank value was reported above)
            sd = _SETTING_DEFS["period"]
            findings.append(
                make_finding(
                    "settings-invalid",
                    msg_lang,
                    sheet=sheet,
                    column="key",
                    message_code="settings-invalid-no-period",
                    key=sd.label(msg_lang),
                )
            )
        return None, cells, findings
    try:
        return Settings(**values), cells, findings
    except Exception as e:  # pydantic ValidationError: a rule the per-row checks above did not catch
        findings.append(
            make_finding(
                "settings-invalid", msg_lang, sheet=sheet, message_code="settings-invalid-reason", reason=str(e)
            )
        )
        return None, cells, findings
