"""Raw cell values → typed values: one cell at a time, and whole columns at once.

Both readers (python-calamine for files, xlwings for the Excel button) hand raw cells here, so a cell is typed
the same way wherever it is read. Columns are converted whole (values that repeat — dates, SKUs, choices —
converted once per distinct value). Each column converter returns (values, bad, blank): blank covers "", None,
NaN and whitespace-only text; bad = non-blank but not parseable as the column's type (None for text columns,
where everything is text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from jxc_xl.schema import PERIOD_RE, ColType, Column

NUMERIC = (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")  # serial 0 of the 1900 date system (after the leap-year bug)
_EXCEL_MAX_SERIAL = 2958466  # 9999-12-31 + 1
_PERIOD_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_PERIOD_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)  # after _FULLWIDTH: 1,234 and 1，234
_NUMERIC_KINDS = ("floating", "integer", "mixed-integer-float")
# The largest magnitude a cell may hold as a quantity, price or amount: Excel keeps 15 significant digits, so
# beyond 1e15 a whole number is no longer exact, and 1e15 × 100 cents still fits an int64 (one line; not a sum
# of many such: money per line has its own, lower bound, money.MAX_LINE_AMOUNT, an amount-too-large finding).
# A larger number (1e308, '1e999', 400 digits of text) is a bad-type finding on its cell, never a computation.
MAX_NUMBER = 1e15

Converted = tuple[np.ndarray, np.ndarray | None, np.ndarray]


def is_blank(v: Any) -> bool:
    """One cell: None, NaN or whitespace-only text."""
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


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
        x = float(v) if not isinstance(v, int) or abs(v) <= MAX_NUMBER else math.inf
        return x if math.isfinite(x) and abs(x) <= MAX_NUMBER else math.nan
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
    x = x / 100 if pct else x
    return x if math.isfinite(x) and abs(x) <= MAX_NUMBER else math.nan


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
    if infer_dtype(a, skipna=False) in _NUMERIC_KINDS:  # numbers only (a long ledger's qty, price, amount)
        out = a.astype(np.float64)
        blank = np.isnan(out)
    else:
        out, blank = _some_numbers(a)
    with np.errstate(invalid="ignore"):
        out[~(np.abs(out) <= MAX_NUMBER)] = np.nan  # inf, and numbers no quantity or amount can be (NaN stays)
    bad = ~blank & np.isnan(out)
    return out, bad, blank


def _some_numbers(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``to_number``'s values and blanks of a column that holds more than numbers (blanks, text, booleans)."""
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
    return out, blank


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
