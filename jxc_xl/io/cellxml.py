"""Cell values → SpreadsheetML cell fragments, for the worksheet patch (``io.sheetpatch``).

A fragment is what follows a cell's ``r`` and ``s`` attributes: the type attribute, ``>`` and the inner
XML, e.g. ``' t="b"><v>1</v>'``; None is a blank cell. Typed columns are converted with numpy in one pass;
only object columns go value by value.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["column_cells"]


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _xml_text(s: str) -> str:
    """Text as Excel stores it: '_xHHHH_' for characters XML cannot carry, then XML-escaped."""
    if "_x" in s:  # a literal "_x000D_" must not be read back as an escape
        s = _ESCAPED_LOOKALIKE.sub(r"_x005F_\1", s)
    if _ILLEGAL_XML.search(s):
        s = _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _needs_preserve(s: str) -> bool:
    return bool(s) and (s[0].isspace() or s[-1].isspace() or "\n" in s or "\t" in s or "  " in s)


def _num_text(x: float) -> str | None:
    """Shortest repr that reads back to the same double; integers without '.0'; None for NaN/inf."""
    if not math.isfinite(x):
        return None
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _date_serial(days: float, date1904: bool) -> float | None:
    """Days since the 1899-12-30 epoch → the workbook's serial (1900 system keeps Excel's leap-year bug)."""
    if date1904:
        days -= 1462
        return days if days >= 0 else None
    if days < 2:
        return None  # before 1900-01-01 (serial 1): Excel has no serial
    return days - 1 if days < 61 else days


_EPOCH = np.datetime64("1899-12-30T00:00:00", "us")


def _float_texts(a: np.ndarray) -> list[str | None]:
    """Vectorised _num_text: integral values via numpy, the rest via repr (shortest round-trip)."""
    out = np.full(len(a), None, dtype=object)
    finite = np.isfinite(a)
    with np.errstate(invalid="ignore"):
        integral = finite & (np.abs(a) < 1e16) & (a == np.trunc(a))
    if integral.any():
        out[integral] = a[integral].astype(np.int64).astype(str).tolist()
    other = finite & ~integral
    if other.any():
        out[other] = [repr(x) for x in a[other].tolist()]
    return out.tolist()


def _datetime_cells(values: np.ndarray, date1904: bool) -> list[str | None]:
    us = values.astype("datetime64[us]")
    nat = np.isnat(us)
    days = (us - _EPOCH).astype("int64") / 86_400_000_000
    if date1904:
        days = days - 1462
        bad = nat | (days < 0)
    else:
        bad = nat | (days < 2)  # before 1900-01-01 (serial 1): Excel has none
        days = np.where(days < 61, days - 1, days)  # Excel's phantom 1900-02-29
    days[bad] = np.nan
    return [None if t is None else f"><v>{t}</v>" for t in _float_texts(days)]


def _scalar_cell(v: Any, date1904: bool) -> str | None:
    """One Python value → cell XML after the r/s attributes (type attribute, '>', inner); None = blank.

    The slow path, for object columns that mix types.
    """
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return f' t="b"><v>{int(v)}</v>'
    if isinstance(v, (int, np.integer)):
        return f"><v>{int(v)}</v>"
    if isinstance(v, (float, np.floating)):
        t = _num_text(float(v))
        return None if t is None else f"><v>{t}</v>"
    if isinstance(v, Decimal):
        if not v.is_finite():
            return None
        return f"><v>{int(v) if v == v.to_integral_value() else _num_text(float(v))}</v>"
    if isinstance(v, (datetime, date, np.datetime64)):
        ts = pd.Timestamp(v)
        if ts is pd.NaT:
            return None
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        d = (ts - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
        s = _date_serial(float(d), date1904)
        if s is None:  # no serial for it (before 1900): blank, as in a datetime column
            return None
        return f"><v>{_num_text(s)}</v>"
    if isinstance(v, time):
        return f"><v>{_num_text((v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400)}</v>"
    return _text_cell(str(v))


@lru_cache(maxsize=65536)  # status, unit, supplier, ABC … repeat on every row
def _text_cell(v: str) -> str:
    sp = ' xml:space="preserve"' if _needs_preserve(v) else ""
    return f' t="inlineStr"><is><t{sp}>{_xml_text(v)}</t></is>'


def column_cells(col: pd.Series, date1904: bool) -> list[str | None]:
    """A frame column → per row the cell XML after its r/s attributes, or None for blank.

    Vectorised for typed columns; object columns go value by value.
    """
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype) and not col.hasnans:
        return [f' t="b"><v>{int(b)}</v>' for b in col.to_numpy(dtype=bool).tolist()]
    if pd.api.types.is_integer_dtype(dtype) and not col.hasnans:
        return [f"><v>{i}</v>" for i in col.to_numpy(dtype=np.int64).tolist()]
    if pd.api.types.is_float_dtype(dtype) or (pd.api.types.is_integer_dtype(dtype) and col.hasnans):
        texts = _float_texts(col.to_numpy(dtype=np.float64, na_value=np.nan))
        return [None if t is None else f"><v>{t}</v>" for t in texts]
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            col = col.dt.tz_localize(None)
        return _datetime_cells(col.to_numpy(dtype="datetime64[us]"), date1904)
    if isinstance(dtype, pd.CategoricalDtype):
        col = col.astype(object)
    # pandas-stubs do not allow na_value=None; pandas does (NA, NaT → None).
    vals = col.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    return [
        _text_cell(v) if isinstance(v, str) else None if isinstance(v, float) and v != v else _scalar_cell(v, date1904)
        for v in vals.tolist()
    ]
