"""A monthly workbook as typed frames: what the reader produces and validate/sync consume.

Plain pandas, no file format: tests and the xlwings scripts build a ``Workbook`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jxc_xl.core.findings import Finding
from jxc_xl.schema import ColType, Lang, Settings, Table

ROW = "_row"  # column of every frame: the Excel row number the line came from


@dataclass
class TableData:
    """One table's rows.

    ``df`` has every column key of the table (absent optional columns filled with blanks) plus ``_row``.
    Dtypes: TEXT/PERIOD → object (str or None), CHOICE → canonical key or None, QTY/MONEY/PRICE/NUMBER →
    float64 (NaN for blank), DATE → datetime64[ns] (NaT for blank).
    """

    table: Table
    df: pd.DataFrame
    sheet: str | None = None  # None: the table was not found
    header_row: int = 1  # Excel row of the header
    col_letters: dict[str, str] = field(default_factory=dict)  # column key → Excel column letter
    bad: dict[str, np.ndarray] = field(default_factory=dict)  # key → cells non-blank but unparseable

    @property
    def present(self) -> bool:
        return self.sheet is not None

    def cell(self, key: str, row: int) -> str | None:
        letter = self.col_letters.get(key)
        return f"{letter}{row}" if letter else None


@dataclass
class SettingCell:
    """Where one setting was found and what it held."""

    sheet: str
    row: int
    cell: str
    raw: object


@dataclass
class Workbook:
    path: Path | None
    lang: Lang
    settings: Settings | None  # None when the settings cannot be used (see findings)
    tables: dict[str, TableData]
    findings: list[Finding] = field(default_factory=list)  # found while reading
    setting_cells: dict[str, SettingCell] = field(default_factory=dict)
    # Results derived from the tables (e.g. the ledger events), computed once for validate and sync alike.
    # Whoever replaces a table's frame after reading must clear it.
    derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def df(self, name: str) -> pd.DataFrame:
        return self.tables[name].df


def empty_frame(table: Table) -> pd.DataFrame:
    """A zero-row frame with the table's keys and dtypes, plus ``_row``."""
    cols: dict[str, pd.Series] = {}
    for c in table.columns:
        if c.type in (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER):
            cols[c.key] = pd.Series([], dtype="float64")
        elif c.type == ColType.DATE:
            cols[c.key] = pd.Series([], dtype="datetime64[ns]")
        else:
            cols[c.key] = pd.Series([], dtype="object")
    cols[ROW] = pd.Series([], dtype="int64")
    return pd.DataFrame(cols)


def frame(table: Table, rows: list[dict] | pd.DataFrame | None = None, first_row: int | None = None) -> pd.DataFrame:
    """Rows given by column key → a typed frame as the reader would produce (for tests and xlwings).

    ``_row`` counts from ``first_row`` (default: the row after a header in row 1).
    """
    base = empty_frame(table)
    if rows is None:
        return base
    src = pd.DataFrame(rows)
    out: dict[str, pd.Series | np.ndarray] = {}
    n = len(src)
    for c in table.columns:
        col = src[c.key] if c.key in src else pd.Series([None] * n)
        col = col.reset_index(drop=True)
        if c.type in (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER):
            out[c.key] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif c.type == ColType.DATE:
            out[c.key] = pd.to_datetime(col, errors="coerce").astype("datetime64[ns]")
        elif c.type == ColType.CHOICE:
            out[c.key] = col.map(
                lambda v, c=c: (ch.key if (ch := c.choice_for(v)) else None) if v is not None and v == v else None
            ).astype("object")
        else:
            out[c.key] = col.map(lambda v: None if v is None or v != v else str(v)).astype("object")
    start = 2 if first_row is None else first_row
    out[ROW] = np.arange(start, start + n, dtype=np.int64)
    return pd.DataFrame(out)
