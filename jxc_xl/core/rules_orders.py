"""The rules of tblOrders (purchase orders, goods on order), called by ``rules.check``.

The generic rules cover the rest: required cells, ordered qty > 0 and received qty ≥ 0 (``_bounds``), an SKU
that is not in tblItems (unknown-sku). Order dates are not held to the period: an order placed last month and
expected next month is on order now.

* order-expected-before-order (error): the expected date is before the order date.
* order-received-exceeds (warning): more received than ordered; the line leaves nothing on order (it may be an
  over-delivery the supplier made; if it is a typing error, correct it).
* order-duplicate-line (warning): the same order no and SKU on a second line; both count as on order.
* order-overdue (warning): an open line whose typed expected date is before the plan's as-of date (settings
  as_of, else the last ledger date): it still counts as on order, so a delivery that never came would hide a
  stock-out. A blank expected date (order date + lead time) is not checked.
"""

from __future__ import annotations

import numpy as np

from jxc_xl.core.book import ROW
from jxc_xl.core.ledger import ledger_events
from jxc_xl.core.plan import as_of_day
from jxc_xl.core.rulebase import EPS, RuleContext, num
from jxc_xl.schema import ORDERS


def orders_rule(ctx: RuleContext) -> None:
    """Every finding of tblOrders' own rules (nothing when the workbook has no orders)."""
    td = ctx.table(ORDERS.name)
    if td is None or not len(td.df):
        return
    df = td.df
    if ctx.has_col(td, "order_date") and ctx.has_col(td, "expected_date"):
        ordered = df["order_date"].to_numpy(dtype="datetime64[ns]")
        expected = df["expected_date"].to_numpy(dtype="datetime64[ns]")
        early = ~np.isnat(ordered) & ~np.isnat(expected) & (expected < ordered)
        ctx.emit("order-expected-before-order", td, early, "expected_date", order_date=ordered)
    if ctx.has_col(td, "qty") and ctx.has_col(td, "received_qty"):
        qty, received = num(td, "qty"), num(td, "received_qty")
        with np.errstate(invalid="ignore"):
            over = (qty > 0) & (received > qty + EPS)  # NaN anywhere → False
        ctx.emit("order-received-exceeds", td, over, "received_qty", qty=qty)
    if ctx.has_col(td, "doc_no") and ctx.has_col(td, "sku"):
        keys = ["doc_no", "sku"]
        dup = df["doc_no"].notna().to_numpy() & df["sku"].notna().to_numpy() & df.duplicated(keys).to_numpy()
        if dup.any():
            first = df.groupby(keys, sort=False, dropna=False)[ROW].transform("first").to_numpy()
            ctx.emit("order-duplicate-line", td, dup, "doc_no", first_row=first, sku=df["sku"])
    _overdue(ctx)


def _overdue(ctx: RuleContext) -> None:
    td = ctx.table(ORDERS.name)
    s = ctx.wb.settings
    if td is None or s is None or not all(ctx.has_col(td, k) for k in ("expected_date", "status", "qty")):
        return
    df = td.df
    expected = df["expected_date"].to_numpy(dtype="datetime64[ns]")
    if np.isnat(expected).all():
        return
    as_of = as_of_day(s, ledger_events(ctx.wb))
    received = np.nan_to_num(num(td, "received_qty")) if ctx.has_col(td, "received_qty") else np.zeros(len(df))
    is_open = df["status"].isna().to_numpy() | df["status"].eq("open").to_numpy()
    ordered = df["order_date"].to_numpy(dtype="datetime64[ns]") if ctx.has_col(td, "order_date") else expected
    dated = ~np.isnat(expected) & (np.isnat(ordered) | (expected >= ordered))  # else order-expected-before-order
    with np.errstate(invalid="ignore"):
        late = is_open & dated & (expected < np.datetime64(as_of, "ns")) & (num(td, "qty") > received)
    ctx.emit("order-overdue", td, late, "expected_date", as_of=as_of, doc_no=df["doc_no"], sku=df["sku"])
