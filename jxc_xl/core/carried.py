"""Last months' documents (tblCarried): the purchase and sale lines ``jxc close`` carried, which a return of this
month may name (``core.closing.carried_docs`` writes them).

* One line per (kind, doc_no, sku): the first line's date, unit cost and counterparty, the qty returnable summed;
  lines of another kind, or without a document or SKU, are left out.
* A return whose original line is not in this month but carried is valued at the carried unit cost (purchase
  return: the price paid; sales return: the issue cost) and shows the carried counterparty on the stock card.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.ledger import RETURN_ORIGINAL_KIND, clean_keys, table_frame
from jxc_xl.schema import CARRIED

__all__ = ["carried_lines", "carried_originals", "carried_prices"]


def carried_lines(wb: Workbook) -> pd.DataFrame:
    """The usable lines of tblCarried (last months' documents a return may name), one per (kind, doc_no, sku):
    the first line's date, unit cost and counterparty, the qty returnable summed. Columns kind, doc_no, sku, date,
    qty, unit_cost, counterparty (None where blank or the table is older than the column); empty without the
    table."""
    df = table_frame(wb, CARRIED.name)
    if df is None:
        text = {c: pd.Series([], dtype="object") for c in ("kind", "doc_no", "sku")}
        return pd.DataFrame(
            text
            | {
                "date": pd.Series([], dtype="datetime64[ns]"),
                "qty": pd.Series([], dtype="float64"),
                "unit_cost": pd.Series([], dtype="float64"),
                "counterparty": pd.Series([], dtype="object"),
            }
        )
    out = pd.DataFrame(
        {
            "kind": df["kind"].astype("object"),
            "doc_no": clean_keys(df["doc_no"]),
            "sku": clean_keys(df["sku"]),
            "date": pd.to_datetime(df["date"], errors="coerce").astype("datetime64[ns]"),
            "qty": pd.to_numeric(df["qty"], errors="coerce").astype("float64"),
            "unit_cost": pd.to_numeric(df["unit_cost"], errors="coerce").astype("float64"),
            "counterparty": clean_keys(df["counterparty"]) if "counterparty" in df else None,
        }
    )
    out = out[out["kind"].isin(list(RETURN_ORIGINAL_KIND.values())) & out["doc_no"].notna() & out["sku"].notna()]
    return out.groupby(["kind", "doc_no", "sku"], sort=False, as_index=False).agg(
        date=("date", "first"),
        qty=("qty", "sum"),
        unit_cost=("unit_cost", "first"),
        counterparty=("counterparty", "first"),
    )


def carried_originals(carried: pd.DataFrame, events: pd.DataFrame, orig: np.ndarray) -> np.ndarray:
    """Per event: the row of ``carried`` (``carried_lines``) holding the original of a return whose original line
    is not in this month (``orig`` −1) but carried from an earlier one; else −1."""
    out = np.full(len(events), -1, dtype=np.int64)
    if not len(carried) or not len(events):
        return out
    kind = events["kind"].map(RETURN_ORIGINAL_KIND)
    want = (orig < 0) & kind.notna().to_numpy() & events["orig_doc_no"].notna().to_numpy()
    if not want.any():
        return out
    key = pd.MultiIndex.from_frame(carried[["kind", "doc_no", "sku"]])
    sel = events.loc[want]
    out[want] = key.get_indexer(pd.MultiIndex.from_arrays([kind[want], sel["orig_doc_no"], sel["sku"]]))
    return out


def carried_prices(wb: Workbook, events: pd.DataFrame, orig: np.ndarray) -> np.ndarray:
    """Per event: the unit cost tblCarried gives a return whose original line is not in this month (``orig`` −1)
    but carried from an earlier one (purchase return: the price paid; sales return: the issue cost); else NaN."""
    carried = carried_lines(wb)
    at = carried_originals(carried, events, orig)
    found = at >= 0
    out = np.full(len(events), np.nan)
    out[found] = carried["unit_cost"].to_numpy(dtype=np.float64)[at[found]]
    return out
