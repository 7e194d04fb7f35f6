"""Page breaks that sync writes: the purchase plan prints one supplier per page, ready to send.

After a generated table's rows are written, its worksheet's ``<rowBreaks>`` is replaced by one manual break
after the last row of each run of equal values of the table's break column (the plan is sorted by supplier,
so each supplier's lines start a page). Tables without a break column and the rest of the worksheet are left
as they are; the same rows give the same XML, so syncing twice gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from jxc_xl.io.structure import insert_sheet_element, sheet_prefix
from jxc_xl.schema import PLAN

__all__ = ["BREAK_BY", "group_ends", "set_row_breaks", "table_breaks"]

# table name → the column whose every change of value starts a new page
BREAK_BY: dict[str, str] = {PLAN.name: "supplier"}
MAX_BREAKS = 1023  # Excel keeps at most 1,026 manual page breaks per sheet


def group_ends(values: Iterable[object], first_row: int) -> list[int]:
    """1-based sheet rows after which a page ends: the last row of every run of equal values but the last run.

    ``values`` are the column's values from sheet row ``first_row`` down; blanks (None, NaN, spaces) are one run.
    """
    keys = [_key(v) for v in values]
    changed = [i for i in range(len(keys) - 1) if keys[i] != keys[i + 1]]
    return [first_row + i for i in changed[:MAX_BREAKS]]


def _key(value: object) -> str:
    """A break column's value as compared: blanks (None, NaN, spaces) all ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def set_row_breaks(xml: str, rows: Sequence[int]) -> str:
    """The worksheet XML with its ``<rowBreaks>`` replaced by manual breaks after ``rows`` (none: removed)."""
    p = sheet_prefix(xml)
    out = re.sub(rf"<{p}rowBreaks\b[^>]*?(?:/>|>.*?</{p}rowBreaks>)", "", xml, count=1, flags=re.S)
    if not rows:
        return out
    brks = "".join(f'<{p}brk id="{r}" max="16383" man="1"/>' for r in rows)
    element = f'<{p}rowBreaks count="{len(rows)}" manualBreakCount="{len(rows)}">{brks}</{p}rowBreaks>'
    return insert_sheet_element(out, element, "rowBreaks")  # where CT_Worksheet puts it


def table_breaks(xml: str, table: str, frame: pd.DataFrame, first_row: int) -> str:
    """The worksheet XML of ``table`` (schema name) with its page breaks for the rows ``frame`` written from
    1-based sheet row ``first_row``; unchanged for a table without a break column."""
    key = BREAK_BY.get(table)
    if key is None or key not in frame.columns:
        return xml
    return set_row_breaks(xml, group_ends(frame[key], first_row))
