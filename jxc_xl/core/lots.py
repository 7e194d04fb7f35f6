"""FIFO lots at the month's edges: the opening lots FIFO starts from, the layers it leaves (what ``jxc close``
carries as next month's opening lots), and purchase returns of a carried purchase pointed at the lot it made.

The lot state the loops run on lives in ``core.costing``; this module turns tables into it and back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.costing import PR, Costed, Events, Lot, Opening


def opening_lots(lines: pd.DataFrame, skus: pd.Index) -> tuple[list[list[Lot]], np.ndarray, np.ndarray]:
    """Each SKU's opening lots, oldest receipt first, from ``ledger.opening_lines`` (money as valued).

    A line without a receipt date counts as older than every dated one; ties keep the table's row order. Lot k
    (its position in ``lines``) has source −2 − k. Returns the lots per SKU, and the receipt date and document of
    each lot k.
    """
    lots: list[list[Lot]] = [[] for _ in range(len(skus))]
    lines = lines.reset_index(drop=True)
    order = lines.sort_values(["receipt_date", "pos"], na_position="first", kind="stable").index.to_numpy()
    at = skus.get_indexer(pd.Index(lines["sku"].to_numpy(dtype=object)))
    qty, cents = lines["qty"].tolist(), lines["cents"].tolist()
    for k in order.tolist():
        if at[k] >= 0:
            lots[at[k]].append((qty[k], int(cents[k]), -2 - k))
    return lots, lines["receipt_date"].to_numpy(dtype="datetime64[ns]"), lines["doc_no"].to_numpy(dtype=object)


def closing_lots(costed: Costed, start: Opening, skus: pd.Index, events: pd.DataFrame) -> pd.DataFrame | None:
    """The FIFO layers left at the end (sku, qty, cents, receipt_date, doc_no), oldest first; None for other
    methods.

    A layer's receipt date: its receiving event's date, an opening lot's own date, else NaT; its doc_no: the
    purchase document that received it (an opening lot's own), else None.
    """
    if costed.lots is None:
        return None
    sku_l, qty, cents, src = [], [], [], []
    for s, layers in enumerate(costed.lots):
        for x, a, o in layers:
            sku_l.append(skus[s])
            qty.append(x)
            cents.append(a)
            src.append(o)
    source = np.array(src, dtype=np.int64)
    dates = np.full(len(source), np.datetime64("NaT"), dtype="datetime64[ns]")
    own = source >= 0
    dates[own] = events["date"].to_numpy(dtype="datetime64[ns]")[source[own]]
    docs = np.full(len(source), None, dtype=object)
    bought = events["doc_no"].where(events["kind"] == "purchase").to_numpy(dtype=object)
    docs[own] = bought[source[own]]
    opened = source <= -2
    if start.lot_dates is not None and opened.any():
        dates[opened] = start.lot_dates[-2 - source[opened]]
    if start.lot_docs is not None and opened.any():
        docs[opened] = start.lot_docs[-2 - source[opened]]
    return pd.DataFrame(
        {
            "sku": pd.Series(sku_l, dtype=object),
            "qty": np.array(qty, dtype=np.float64),
            "cents": np.array(cents, dtype=np.int64),
            "receipt_date": dates,
            "doc_no": pd.Series(docs, dtype=object),
        }
    )


def lot_originals(events: pd.DataFrame, ev: Events, lines: pd.DataFrame) -> np.ndarray:
    """FIFO: ``ev.orig`` with each purchase return of a carried purchase (its ``orig_price`` known) pointed at the
    opening lot that purchase received (same doc_no and sku, lot k as −2 − k), where there is one."""
    orig = ev.orig
    if ev.orig_price is None or not len(lines):
        return orig
    want = (ev.kind == PR) & (orig == -1) & ~np.isnan(ev.orig_price)
    if not want.any():
        return orig
    lines = lines.reset_index(drop=True)
    has_doc = lines["doc_no"].notna().to_numpy()
    key = pd.MultiIndex.from_arrays([lines["doc_no"].to_numpy(dtype=object), lines["sku"].to_numpy(dtype=object)])
    first = has_doc & ~key.duplicated()
    pos = np.flatnonzero(first)
    sel = events.loc[want]
    at = key[first].get_indexer(pd.MultiIndex.from_arrays([sel["orig_doc_no"], sel["sku"]]))
    orig = orig.copy()
    orig[np.flatnonzero(want)[at >= 0]] = -2 - pos[at[at >= 0]]
    return orig
