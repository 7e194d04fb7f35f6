"""What every rule needs, for the single-workbook rules (``rules``) and the cross-month ones (``chains``).

The context turns boolean masks over whole columns into findings; the helpers read typed columns; the
return-quantity rule is shared because a return may name this month's document or last month's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW, TableData, Workbook
from jxc_xl.core.findings import Finding, Severity
from jxc_xl.core.messages import make_finding
from jxc_xl.schema import PURCHASES, SALES, Lang

EPS = 1e-9  # quantities are decimals typed by people; compare with a little slack for binary floats
ORIGINAL_TABLE = {"sales_return": SALES.name, "purchase_return": PURCHASES.name}  # return kind → its original


class RuleContext:
    """What every rule needs: the workbook, the message language and the findings list."""

    def __init__(self, wb: Workbook, lang: Lang) -> None:
        self.wb = wb
        self.lang = lang
        self.out: list[Finding] = []
        # Columns the reader found missing: their blanks are not reported row by row again.
        self.missing_cols = {(f.sheet, f.column) for f in wb.findings if f.code == "column-missing"}

    def table(self, name: str) -> TableData | None:
        td = self.wb.tables.get(name)
        return td if td is not None and td.present else None

    def has_col(self, td: TableData, key: str) -> bool:
        return key in td.df.columns and (td.sheet, key) not in self.missing_cols

    def header(self, td: TableData, key: str) -> str:
        return td.table.column(key).header(self.wb.lang)

    def emit(
        self,
        code: str,
        td: TableData,
        mask: np.ndarray | pd.Series,
        column: str,
        values: Any = None,
        *,
        message_code: str | None = None,
        severity: Severity | None = None,
        **params: Any,
    ) -> None:
        """One finding per True row of ``mask``. ``params`` are scalars, or arrays aligned with the frame."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(idx):
            return
        rows = td.df[ROW].to_numpy()[idx]
        vals = _objects(td.df[column] if values is None else values)[idx]
        per_row = {k: _objects(v)[idx] for k, v in params.items() if _is_array(v)}
        fixed = {k: v for k, v in params.items() if k not in per_row}
        letter = td.col_letters.get(column)
        header = self.header(td, column) if column in td.table.keys() else column
        for i, (r, v) in enumerate(zip(rows, vals, strict=True)):
            self.out.append(
                make_finding(
                    code,
                    self.lang,
                    sheet=td.sheet,
                    row=int(r),
                    column=column,
                    cell=f"{letter}{int(r)}" if letter else None,
                    value=v,
                    message_code=message_code,
                    severity=severity,
                    header=header,
                    **fixed,
                    **{k: a[i] for k, a in per_row.items()},
                )
            )


def _is_array(v: Any) -> bool:
    return isinstance(v, np.ndarray | pd.Series | pd.Index | list)


def _objects(v: Any) -> np.ndarray:
    """Values as an object array; datetimes as Timestamps (numpy would turn them into integers)."""
    a = np.asarray(v)
    if a.dtype.kind == "M":
        return pd.DatetimeIndex(a).astype(object).to_numpy()
    return np.asarray(v, dtype=object)


def num(td: TableData, key: str) -> np.ndarray:
    """Column ``key`` as float64; blanks and text as NaN."""
    return pd.to_numeric(td.df[key], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def text_hash(s: pd.Series) -> np.ndarray:
    """64-bit hashes of text values (blank → hash of ""): compact keys to look documents up across months."""
    return pd.util.hash_array(s.astype(object).where(s.notna(), "").astype(str).to_numpy(dtype=object))


def pair_hash(doc: pd.Series, sku: pd.Series) -> np.ndarray:
    """One 64-bit key per (document, SKU) line."""
    with np.errstate(over="ignore"):  # wrapping uint64 arithmetic is the point
        return text_hash(doc) * np.uint64(1_000_003) ^ text_hash(sku)


def exceeds_original(ctx: RuleContext, rt: TableData, use: np.ndarray, key: np.ndarray, limit: np.ndarray) -> None:
    """return-exceeds-original: the rows of ``use`` whose running total per ``key`` (one original line, in
    event order) passes ``limit`` (the original's qty, aligned with the rows)."""
    df = rt.df
    qty = num(rt, "qty")
    use = use & (qty > 0)
    if not use.any():
        return
    rdate = df["date"].to_numpy(dtype="datetime64[ns]")
    at = np.flatnonzero(use)
    sub = pd.DataFrame({"key": key[at], "qty": qty[at], "date": rdate[at], "at": at}).sort_values(
        "date", kind="stable", na_position="last"
    )
    cum = sub.groupby("key", sort=False)["qty"].cumsum().to_numpy()
    pos = sub["at"].to_numpy()
    lim = np.asarray(limit, dtype=np.float64)[pos]
    over = np.zeros(len(df), dtype=bool)
    over[pos[cum > lim + EPS]] = True
    cum_full = np.zeros(len(df))
    limit_full = np.zeros(len(df))
    cum_full[pos] = cum
    limit_full[pos] = lim
    ctx.emit(
        "return-exceeds-original",
        rt,
        over,
        "qty",
        orig_doc_no=df["orig_doc_no"],
        sku=df["sku"],
        orig_qty=limit_full,
        returned=np.round(cum_full - np.nan_to_num(qty), 6),
        total=np.round(cum_full, 6),
    )
