"""The month's ledger lines as one event stream in the contract's event order.

Event order (workbook contract): by date; within one date purchases, sales returns, other receipts (其他入库),
purchase returns, transfers (issue 12.2: each 调拨 line as its transfer out of the source warehouse right before
its transfer into the destination), sales, other issues (其他出库: 报损, 领用 …), then counts (a count states the
quantity on hand at the end of its date); ties keep sheet row order.

Lines the validator reports as unusable (blank sku/date/qty, qty ≤ 0; a count < 0) are left out here, so
valuation and the running balance see only lines that can be booked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW, Workbook
from jxc_xl.core.money import mul_cents, to_cents
from jxc_xl.core.vat import book_lines
from jxc_xl.schema import (
    COUNTS,
    OPENING,
    OTHER,
    OTHER_IN_REASONS,
    OTHER_REASONS,
    PURCHASES,
    RETURNS,
    SALES,
    TRANSFERS,
    choice_for,
)

# Kinds; the position is the kind's code (later kinds appended so the earlier keep theirs). Their order within a
# date is DATE_ORDER's.
KINDS: tuple[str, ...] = (
    "purchase",
    "sales_return",
    "purchase_return",
    "sale",
    "count",
    "transfer_out",
    "transfer_in",
    "other_in",
    "other_out",
)
KIND_ORDER: dict[str, int] = {k: i for i, k in enumerate(KINDS)}
# Within one date: the sort key of each kind (a transfer's out and in share one, so they stay side by side).
DATE_ORDER: dict[str, int] = {
    "purchase": 0,
    "sales_return": 1,
    "other_in": 2,
    "purchase_return": 3,
    "transfer_out": 4,
    "transfer_in": 4,
    "sale": 5,
    "other_out": 6,
    "count": 7,
}
# Direction of each kind on the book quantity (count: resets, see running_balance).
KIND_SIGN: dict[str, float] = {
    "purchase": 1.0,
    "sales_return": 1.0,
    "purchase_return": -1.0,
    "sale": -1.0,
    "other_in": 1.0,
    "other_out": -1.0,
    "count": 0.0,
    "transfer_out": -1.0,
    "transfer_in": 1.0,
}

# Share of each kind in net demand (sales − sales returns); other kinds count 0.
DEMAND_SIGN: dict[str, float] = {"sale": 1.0, "sales_return": -1.0}

EVENT_COLUMNS = [
    "date",
    "sku",
    "kind",
    "qty",
    "unit_price",
    "amount_cents",
    "doc_no",
    "orig_doc_no",
    "table",
    ROW,
    "warehouse",  # issue 12.2: the line's warehouse (None: blank, the default warehouse)
]


def _clean_one(v: object) -> str | None:
    return (v.strip() or None) if isinstance(v, str) else str(v)


def _cleaned(uniques: np.ndarray) -> np.ndarray:
    """``_clean_one`` of each value. All text (as the reader gives it, mostly stripped already): one numpy pass
    finds the values ``str.strip`` would change or blank (numpy strips the same whitespace, and NUL, which
    Python keeps: those go through ``_clean_one`` too); the rest are kept as they are."""
    if not len(uniques) or pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        return np.array([_clean_one(v) for v in uniques], dtype=object)
    text = uniques.astype(str)
    stripped = np.char.strip(text)  # numpy 1.26 too (np.strings is numpy 2)
    out = uniques.copy()
    redo = np.flatnonzero((stripped != text) | (stripped == ""))
    out[redo] = [_clean_one(v) for v in uniques[redo]]
    return out


def clean_keys(s: pd.Series) -> pd.Series:
    """Text keys (SKU, doc no) compared as the user sees them: surrounding whitespace ignored, blank → None.

    The one place keys are normalised, so ledger, valuation and plan match SKUs alike.
    """
    # Clean each distinct value once: doc numbers and SKUs repeat across hundreds of thousands of lines.
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    cleaned = np.empty(len(uniques) + 1, dtype=object)  # the last: None, for code -1
    cleaned[:-1] = _cleaned(np.asarray(uniques, dtype=object))
    return pd.Series(cleaned[codes], index=s.index, dtype="object")  # code -1 (blank) picks the trailing None


def table_frame(wb: Workbook, name: str) -> pd.DataFrame | None:
    """The frame of table ``name``; None where the workbook lacks the table or it has no rows."""
    td = wb.tables.get(name)
    if td is None or td.df is None or not len(td.df):
        return None
    return td.df


def _part(wb: Workbook, name: str) -> pd.DataFrame | None:
    df = table_frame(wb, name)
    if df is None:
        return None
    n = len(df)
    is_count = name == COUNTS.name
    qty = pd.to_numeric(df["counted_qty" if is_count else "qty"], errors="coerce").astype("float64")
    if is_count:
        kind = pd.Series(["count"] * n, index=df.index, dtype="object")
        price = pd.Series(np.nan, index=df.index)
        amount = pd.Series(np.nan, index=df.index)
        doc = pd.Series([None] * n, index=df.index, dtype="object")
        orig = doc
    else:
        if name == RETURNS.name:
            kind = df["kind"].astype("object")
            orig = clean_keys(df["orig_doc_no"])
        else:
            kind = pd.Series(["purchase" if name == PURCHASES.name else "sale"] * n, index=df.index, dtype="object")
            orig = pd.Series([None] * n, index=df.index, dtype="object")
        price = pd.to_numeric(df["unit_price"], errors="coerce").astype("float64")
        amount = pd.to_numeric(df["amount"], errors="coerce").astype("float64")
        price, amount = book_lines(wb, name, price, amount)  # VAT lines: core.vat
        doc = clean_keys(df["doc_no"])
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(df["date"], errors="coerce").astype("datetime64[ns]").dt.normalize(),
            "sku": clean_keys(df["sku"]),
            "kind": kind,
            "qty": qty,
            "unit_price": price,
            "amount": amount,
            "doc_no": doc,
            "orig_doc_no": orig,
            "table": name,
            ROW: df[ROW].astype("int64") if ROW in df else np.arange(2, 2 + n, dtype=np.int64),
            "warehouse": warehouse_keys(df),
        }
    )
    ok = out["sku"].notna() & out["date"].notna() & out["qty"].notna() & out["kind"].isin(KIND_ORDER)
    ok &= (out["qty"] >= 0) if is_count else (out["qty"] > 0)
    return out.loc[ok]


def warehouse_keys(df: pd.DataFrame, key: str = "warehouse") -> pd.Series:
    """A table's warehouse column as keys (``clean_keys``), all None where the table lacks the column."""
    if key in df.columns:
        return clean_keys(df[key])
    return pd.Series([None] * len(df), index=df.index, dtype="object")


def _transfers(wb: Workbook) -> pd.DataFrame | None:
    """Each usable 调拨 line (sku, date, qty > 0, both warehouses) as two events: its transfer out of the source,
    then its transfer into the destination (adjacent: the sort keeps them so). Amounts are the valuation's."""
    df = table_frame(wb, TRANSFERS.name)
    if df is None:
        return None
    sku, src, dst = clean_keys(df["sku"]), clean_keys(df["from_warehouse"]), clean_keys(df["to_warehouse"])
    date = pd.to_datetime(df["date"], errors="coerce").astype("datetime64[ns]").dt.normalize()
    qty = pd.to_numeric(df["qty"], errors="coerce").astype("float64")
    ok = (sku.notna() & src.notna() & dst.notna() & date.notna() & (qty > 0)).to_numpy()
    if not ok.any():
        return None
    n = int(ok.sum())
    rows = df[ROW].to_numpy(dtype=np.int64)[ok] if ROW in df else np.arange(2, 2 + len(df), dtype=np.int64)[ok]

    def twice(a: np.ndarray) -> np.ndarray:
        return np.repeat(a, 2)

    wh = np.empty(2 * n, dtype=object)
    wh[0::2], wh[1::2] = src.to_numpy(dtype=object)[ok], dst.to_numpy(dtype=object)[ok]
    return pd.DataFrame(
        {
            "date": twice(date.to_numpy()[ok]),
            "sku": twice(sku.to_numpy(dtype=object)[ok]),
            "kind": np.array(["transfer_out", "transfer_in"] * n, dtype=object),
            "qty": twice(qty.to_numpy()[ok]),
            "unit_price": np.full(2 * n, np.nan),
            "amount": np.full(2 * n, np.nan),
            "doc_no": twice(clean_keys(df["doc_no"]).to_numpy(dtype=object)[ok]),
            "orig_doc_no": np.full(2 * n, None, dtype=object),
            "table": TRANSFERS.name,
            ROW: twice(rows),
            "warehouse": wh,
        }
    )


def reason_keys(s: pd.Series) -> pd.Series:
    """tblOther's reason cells as OTHER_REASONS keys (key, zh or en label, any case); None where blank or unknown.

    Each distinct value is looked up once."""
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    found = [choice_for(OTHER_REASONS, v) for v in uniques]
    keys = np.array([*(c.key if c is not None else None for c in found), None], dtype=object)
    return pd.Series(keys[codes], index=s.index, dtype="object")


_INBOUND = frozenset(c.key for c in OTHER_IN_REASONS)


def _other_part(wb: Workbook) -> pd.DataFrame | None:
    """tblOther's usable lines as events: kind other_in / other_out by the reason, no price (valued at cost)."""
    df = table_frame(wb, OTHER.name)
    if df is None:
        return None
    reason = reason_keys(df["reason"])
    kind = pd.Series(np.where(reason.isin(_INBOUND), "other_in", "other_out"), index=df.index, dtype="object")
    kind[reason.isna()] = None  # an unknown reason: other-unknown-reason, not booked
    blank = pd.Series(np.nan, index=df.index)
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(df["date"], errors="coerce").astype("datetime64[ns]").dt.normalize(),
            "sku": clean_keys(df["sku"]),
            "kind": kind.astype("object"),
            "qty": pd.to_numeric(df["qty"], errors="coerce").astype("float64"),
            "unit_price": blank,
            "amount": blank,
            "doc_no": clean_keys(df["doc_no"]),
            "orig_doc_no": pd.Series([None] * len(df), index=df.index, dtype="object"),
            "table": OTHER.name,
            ROW: df[ROW].astype("int64") if ROW in df else np.arange(2, 2 + len(df), dtype=np.int64),
            "warehouse": warehouse_keys(df),
        }
    )
    ok = out["sku"].notna() & out["date"].notna() & out["qty"].notna() & out["kind"].notna() & (out["qty"] > 0)
    return out.loc[ok]


def ledger_events(wb: Workbook) -> pd.DataFrame:
    """One row per usable ledger line of tblPurchases, tblReturns, tblSales, tblCounts and tblOther, in event order.

    Columns: date (datetime64, day), sku, kind ("purchase", "sales_return", "other_in", "purchase_return",
    "transfer_out", "transfer_in", "sale", "other_out", "count"), qty (positive; a count's counted qty),
    unit_price (NaN where blank), amount_cents (int64: the booked amount where given, else
    ROUND_HALF_UP(qty × unit_price); 0 for counts, other movements, transfers and where no price),
    doc_no, orig_doc_no, table (source table name), _row (Excel row), warehouse (None: the default). Index 0..n-1.

    Computed once per workbook (``wb.derived``); each caller gets its own copy.
    """
    cached = wb.derived.get("ledger_events")
    if cached is None:
        cached = wb.derived["ledger_events"] = _ledger_events(wb)
    assert isinstance(cached, pd.DataFrame)
    return cached.copy()


def _ledger_events(wb: Workbook) -> pd.DataFrame:
    parts = [
        p for name in (PURCHASES.name, RETURNS.name, SALES.name, COUNTS.name) if (p := _part(wb, name)) is not None
    ]
    if (other := _other_part(wb)) is not None:  # issue 12.3: 其他出入库, after the four ledgers
        parts.append(other)
    if (moved := _transfers(wb)) is not None:
        parts.append(moved)
    if not parts:
        empty = pd.DataFrame(
            {
                "date": pd.Series([], dtype="datetime64[ns]"),
                "sku": pd.Series([], dtype="object"),
                "kind": pd.Series([], dtype="object"),
                "qty": pd.Series([], dtype="float64"),
                "unit_price": pd.Series([], dtype="float64"),
                "amount_cents": pd.Series([], dtype="int64"),
                "doc_no": pd.Series([], dtype="object"),
                "orig_doc_no": pd.Series([], dtype="object"),
                "table": pd.Series([], dtype="object"),
                ROW: pd.Series([], dtype="int64"),
                "warehouse": pd.Series([], dtype="object"),
            }
        )
        return empty
    ev = pd.concat(parts, ignore_index=True)
    amount = ev["amount"].to_numpy(dtype=np.float64)
    price = ev["unit_price"].to_numpy(dtype=np.float64)
    qty = ev["qty"].to_numpy(dtype=np.float64)
    cents = np.zeros(len(ev), dtype=np.int64)
    has_amount = ~np.isnan(amount)
    cents[has_amount] = to_cents(amount[has_amount])
    by_price = ~has_amount & ~np.isnan(price)
    cents[by_price] = mul_cents(qty[by_price], price[by_price])
    ev["amount_cents"] = cents
    # Stable sort: date, then kind order; ties keep concat order (= each sheet's row order).
    korder = ev["kind"].map(DATE_ORDER).to_numpy(dtype=np.int64)
    order = np.lexsort((np.arange(len(ev)), korder, ev["date"].to_numpy()))
    ev = ev.iloc[order].reset_index(drop=True)
    return ev[EVENT_COLUMNS]


def opening_lines(wb: Workbook) -> pd.DataFrame:
    """The usable lines of tblOpening: the one definition of the opening per SKU (valuation, rules).

    Rows with an SKU (``clean_keys``) and a qty; a negative qty is kept (last month's allowed negative stock).
    Columns: sku, qty (float), cents (int64: the amount where given, else ROUND_HALF_UP(qty × unit_cost),
    0 without either), unit_cost (NaN where blank), pos (int64: the line's position in the table's frame),
    receipt_date (datetime64, NaT where blank or the column is absent), doc_no (the lot's receipt document, None
    where blank), warehouse (None where blank or the column is absent).
    Lines, not per SKU: an SKU may have several (its FIFO lots); callers group by sku (``sort=False`` keeps the
    first line's order).
    """
    df = table_frame(wb, OPENING.name)
    if df is None:
        return pd.DataFrame(
            {
                "sku": pd.Series([], dtype="object"),
                "qty": pd.Series([], dtype="float64"),
                "cents": pd.Series([], dtype="int64"),
                "unit_cost": pd.Series([], dtype="float64"),
                "pos": pd.Series([], dtype="int64"),
                "receipt_date": pd.Series([], dtype="datetime64[ns]"),
                "doc_no": pd.Series([], dtype="object"),
                "warehouse": pd.Series([], dtype="object"),
            }
        )
    sku = clean_keys(df["sku"]).to_numpy(dtype=object)
    qty = pd.to_numeric(df["qty"], errors="coerce").to_numpy(dtype=np.float64)
    uc = pd.to_numeric(df["unit_cost"], errors="coerce").to_numpy(dtype=np.float64)
    amt = pd.to_numeric(df["amount"], errors="coerce").to_numpy(dtype=np.float64)
    cents = np.where(~np.isnan(amt), to_cents(np.nan_to_num(amt)), mul_cents(qty, np.nan_to_num(uc)))
    ok = pd.notna(sku) & ~np.isnan(qty)
    raw_date = df["receipt_date"] if "receipt_date" in df.columns else pd.Series(pd.NaT, index=df.index)
    received = pd.to_datetime(raw_date, errors="coerce").astype("datetime64[ns]").dt.normalize().to_numpy()
    lot_doc = clean_keys(df["doc_no"]).to_numpy(dtype=object) if "doc_no" in df.columns else np.full(len(df), None)
    return pd.DataFrame(
        {
            "sku": sku[ok],
            "qty": qty[ok],
            "cents": cents[ok],
            "unit_cost": uc[ok],
            "pos": np.flatnonzero(ok),
            "receipt_date": received[ok],
            "doc_no": lot_doc[ok],
            "warehouse": warehouse_keys(df).to_numpy(dtype=object)[ok],
        }
    )


RETURN_ORIGINAL_KIND = {"purchase_return": "purchase", "sales_return": "sale"}  # a return's kind → its original's


def line_parties(wb: Workbook, events: pd.DataFrame) -> np.ndarray:
    """Each event's own supplier (a purchase) or customer (a sale), None elsewhere and where blank."""
    out = np.full(len(events), None, dtype=object)
    table = events["table"].to_numpy(dtype=object)
    rows = events[ROW].to_numpy(dtype=np.int64)
    for name, col in ((PURCHASES.name, "supplier"), (SALES.name, "customer")):
        df = table_frame(wb, name)
        m = table == name
        if df is None or col not in df or not m.any():
            continue
        by_row = pd.Series(clean_keys(df[col]).to_numpy(dtype=object), index=df[ROW].to_numpy(dtype=np.int64))
        by_row = by_row[~by_row.index.duplicated()]
        out[m] = by_row.reindex(rows[m]).to_numpy(dtype=object)
    return np.array([None if v is None or v != v else v for v in out], dtype=object)


def net_demand(events: pd.DataFrame) -> pd.Series:
    """Each event's share in the month's net demand: a sale's qty, minus a sales return's, 0 for other kinds.

    The one definition of net demand (sales − sales returns): summed per SKU and day it is the plan's daily
    demand (``valuation.Valuation.daily_demand``), per SKU the month's demand carried into tblHistory.
    """
    return events["qty"] * events["kind"].map(DEMAND_SIGN).fillna(0.0)


def running_balance(events: pd.DataFrame, opening_qty: pd.Series) -> pd.Series:
    """Book quantity of the event's SKU after each event (events in event order, as from ledger_events).

    ``opening_qty``: opening quantity per SKU (index = sku); SKUs absent start at 0. A count resets the
    balance to its counted quantity. Vectorised: each SKU's events split into segments at its counts; the
    balance is the segment's start (opening, or the counted qty) plus the cumulative signed quantities.
    """
    if not len(events):
        return pd.Series([], index=events.index, dtype="float64")
    kind = events["kind"].astype("object")
    is_count = (kind == "count").to_numpy()
    sign = kind.map(KIND_SIGN).fillna(0.0).to_numpy(dtype=np.float64)
    qty = events["qty"].to_numpy(dtype=np.float64)
    v = np.where(is_count, qty, sign * qty)
    codes, uniques = pd.factorize(events["sku"], sort=False)
    seg = pd.Series(is_count.astype(np.int64)).groupby(codes).cumsum().to_numpy()
    bal = pd.Series(v).groupby([codes, seg]).cumsum().to_numpy()
    op = (
        pd.Series(opening_qty, dtype="float64").groupby(level=0).sum()
        if len(opening_qty)
        else pd.Series(dtype="float64")
    )
    open_per_code = op.reindex(pd.Index(uniques)).fillna(0.0).to_numpy(dtype=np.float64)
    bal = bal + np.where(seg == 0, open_per_code[codes], 0.0)
    return pd.Series(np.round(bal, 9), index=events.index, name="balance")


def book_balance(wb: Workbook) -> np.ndarray:
    """``running_balance`` of ``ledger_events(wb)`` from the opening per SKU, for the company (float64, aligned with
    the events). Computed once per workbook: the negative-stock and cost rules both read it (a SKU's balance does
    not depend on the other SKUs' events, so each takes the rows it needs)."""
    cached = wb.derived.get("book_balance")
    if cached is None:
        opening = opening_lines(wb).groupby("sku", sort=False)["qty"].sum()
        cached = wb.derived["book_balance"] = running_balance(ledger_events(wb), opening).to_numpy(dtype=np.float64)
    assert isinstance(cached, np.ndarray)
    return cached


def original_lines(ev: pd.DataFrame) -> np.ndarray:
    """For each return event the position of its original line (first purchase/sale line with the return's
    orig_doc_no and sku), else −1."""
    pos = np.full(len(ev), -1, dtype=np.int64)
    kind = ev["kind"].to_numpy(dtype=object)
    doc, sku = ev["doc_no"].to_numpy(dtype=object), ev["sku"].to_numpy(dtype=object)
    for ret, orig in (("purchase_return", "purchase"), ("sales_return", "sale")):
        r = np.flatnonzero(kind == ret)
        if not len(r):
            continue
        named = ev["orig_doc_no"].to_numpy(dtype=object)[r]
        o = np.flatnonzero(kind == orig)
        # Only the lines of the documents some return names: a month has many sales and few returns.
        blank = pd.isna(named)
        wanted = pd.Index(pd.unique(named[~blank]), dtype=object)
        keep = wanted.get_indexer(doc[o]) >= 0 if len(wanted) else np.zeros(len(o), dtype=bool)
        if blank.any():  # a blank names the blank documents (None and NaN alike), as the MultiIndex does
            keep |= pd.isna(doc[o])
        o = o[keep]
        key = pd.MultiIndex.from_arrays([doc[o], sku[o]])
        first = ~key.duplicated()
        key, o = key[first], o[first]
        want = pd.MultiIndex.from_arrays([named, sku[r]])
        at = key.get_indexer(want) if len(key) else np.full(len(r), -1)
        pos[r] = np.where(at >= 0, o[np.maximum(at, 0)] if len(o) else -1, -1)
    return pos
