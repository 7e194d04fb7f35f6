"""Typed cells: table data (a DataFrame or a list of dicts) written cell by cell with the right Excel type."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jxc_xl.errors import UsageError
from jxc_xl.schema import TABLES_BY_NAME, ColType, Column, Lang

Rows: TypeAlias = pd.DataFrame | list[dict[str, Any]]


def is_blank(v: Any) -> bool:
    """None, NaT, NA, NaN and the empty string: cells left empty."""
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, float | np.floating) and math.isnan(v):
        return True
    return isinstance(v, str) and v == ""


def rows_to_frame(name: str, rows: Rows | None) -> pd.DataFrame:
    """The rows of table ``name`` as a frame keyed by column key; unknown keys are a usage error."""
    if rows is None:
        return pd.DataFrame()
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    t = TABLES_BY_NAME[name]
    unknown = [k for k in df.columns if k not in t.keys() and k != "_row"]
    if unknown:
        keys = ", ".join(t.keys())
        raise UsageError.said("io_unknown_columns", name=name, unknown=str(unknown), keys=keys)
    return df.reset_index(drop=True)


def _write_temporal(ws: Worksheet, r: int, c: int, v: datetime | date, col: Column | None, fmt: Format | None) -> None:
    if col is not None and col.type == ColType.PERIOD:
        ws.write_string(r, c, f"{v.year:04d}-{v.month:02d}", fmt)
        return
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime) and v.tzinfo is not None:
        v = v.replace(tzinfo=None)
    ws.write_datetime(r, c, v, fmt)


def write_value(ws: Worksheet, r: int, c: int, v: Any, col: Column | None, fmt: Format | None, lang: Lang) -> None:
    """One typed cell: the Python type decides the cell type (a str stays text even in a number column,
    so tests can build bad cells); choice keys become the label of ``lang``."""
    if is_blank(v):
        return
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)
    if isinstance(v, Decimal):
        v = float(v)
    if col is not None and col.choices:
        ch = col.choice_for(v) if not isinstance(v, bool) else col.choice_for("yes" if v else "no")
        if ch is not None:
            ws.write_string(r, c, ch.label(lang), fmt)
            return
    if isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            ws.write_string(r, c, str(v), fmt)
        else:
            ws.write_number(r, c, v, fmt)
    elif isinstance(v, datetime | date):
        _write_temporal(ws, r, c, v, col, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def _write_numbers(ws: Worksheet, j: int, col: pd.Series, fmt: Format | None) -> None:
    a = col.to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.flatnonzero(np.isfinite(a))
    write = ws.write_number
    for i, v in zip(ok.tolist(), a[ok].tolist(), strict=True):
        write(i + 1, j, v, fmt)
    for i in np.flatnonzero(np.isinf(a)).tolist():  # keep ±inf visible as text, as write_value does
        ws.write_string(i + 1, j, str(a[i]), fmt)


def _write_datetimes(ws: Worksheet, j: int, col: pd.Series, fmt: Format | None) -> None:
    s = col.dt.tz_localize(None) if getattr(col.dt, "tz", None) is not None else col
    ok = np.flatnonzero(s.notna().to_numpy())
    write = ws.write_datetime
    for i, v in zip(ok.tolist(), s.iloc[ok].dt.to_pydatetime().tolist(), strict=True):
        write(i + 1, j, v, fmt)


def write_column(
    ws: Worksheet,
    j: int,
    col: pd.Series,
    column: Column,
    fmt: Format | None,
    lang: Lang,
    cell_formats: list[Format | None] | None = None,
) -> None:
    """One column of data rows from row 2. Numeric and datetime columns skip the per-cell type dispatch
    (xlsxwriter still takes one call per cell, which is most of the cost)."""
    if cell_formats is None and not column.choices:
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            _write_numbers(ws, j, col, fmt)
            return
        if pd.api.types.is_datetime64_any_dtype(col.dtype) and column.type != ColType.PERIOD:
            _write_datetimes(ws, j, col, fmt)
            return
    for i, v in enumerate(col.tolist()):
        write_value(ws, i + 1, j, v, column, cell_formats[i] if cell_formats is not None else fmt, lang)
