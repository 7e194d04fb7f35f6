"""cost-too-large: a sale, return or count whose money at cost would pass money.MAX_LINE_AMOUNT.

A line's own price or amount is checked where it is typed (``rules``: amount-too-large). The money at cost is
not typed: a sale leaves, a return comes back and a count adjusts at the SKU's unit cost, which the valuation
computes. That unit cost is an average or a lot of what the SKU came in at, so it is never above the highest
unit cost the SKU enters the month with — its opening lines, this month's purchases and the documents carried
from last months (its standard cost in 商品 where it has none of these). The rule bounds each line's money by
that cost × the line's quantity (a count: the difference from the book quantity just before it) and reports a
line beyond the limit on its quantity cell: totals past it cannot stay exact in integer cents, and a forced
sync's figures for the SKU are wrong. A line whose typed money is already beyond the limit is not reported
twice. Never raises on bad data: blanks, text and unknown SKUs give no bound.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW
from jxc_xl.core.carried import carried_lines
from jxc_xl.core.ledger import book_balance, clean_keys, ledger_events, opening_lines
from jxc_xl.core.money import MAX_LINE_AMOUNT, line_over_limit
from jxc_xl.core.rulebase import RuleContext
from jxc_xl.schema import COUNTS, ITEMS, RETURNS, SALES

COST_TABLES = (SALES.name, RETURNS.name, COUNTS.name)


def highest_unit_cost(ctx: RuleContext, ev: pd.DataFrame) -> pd.Series:
    """Per SKU the highest unit cost it enters the month with (index sku; NaN-free); ``ev``: ledger_events."""
    op = opening_lines(ctx.wb)
    with np.errstate(divide="ignore", invalid="ignore"):
        op_cost = np.where(op["qty"].to_numpy() > 0, op["cents"].to_numpy() / 100.0 / op["qty"].to_numpy(), np.nan)
    op_cost = np.fmax(op_cost, op["unit_cost"].to_numpy(dtype=np.float64))
    buy = ev[ev["kind"].to_numpy(dtype=object) == "purchase"]
    qty = buy["qty"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        booked = np.where(qty > 0, buy["amount_cents"].to_numpy(dtype=np.float64) / 100.0 / qty, np.nan)
    buy_cost = np.fmax(booked, buy["unit_price"].to_numpy(dtype=np.float64))
    carried = carried_lines(ctx.wb)
    costs = pd.concat(
        [
            pd.Series(op_cost, index=op["sku"].to_numpy(dtype=object)),
            pd.Series(buy_cost, index=buy["sku"].to_numpy(dtype=object)),
            pd.Series(carried["unit_cost"].to_numpy(dtype=np.float64), index=carried["sku"].to_numpy(dtype=object)),
        ]
    )
    costs = costs[np.isfinite(costs.to_numpy(dtype=np.float64))].abs()
    best = costs.groupby(level=0, sort=False).max() if len(costs) else pd.Series(dtype="float64")
    items = ctx.table(ITEMS.name)
    if items is not None and ctx.has_col(items, "sku") and ctx.has_col(items, "cost"):
        std = pd.Series(
            pd.to_numeric(items.df["cost"], errors="coerce").to_numpy(dtype=np.float64),
            index=clean_keys(items.df["sku"]).to_numpy(dtype=object),
        )
        std = std[std.index.notna() & np.isfinite(std.to_numpy())].abs()
        std = std[~std.index.duplicated()]
        best = pd.concat([best, std[~std.index.isin(best.index)]])
    return best


def _moved_qty(events: pd.DataFrame, opening_qty: pd.Series, book: np.ndarray) -> np.ndarray:
    """Per event the quantity its money is computed on: the qty; a count's difference from the book before it
    (``book``: ``ledger.book_balance``, the book after each event). Only the counted SKUs' events are looked at."""
    qty = events["qty"].to_numpy(dtype=np.float64)
    is_count = events["kind"].to_numpy(dtype=object) == "count"
    moved = np.abs(qty)
    if not is_count.any():
        return moved
    sku = events["sku"].to_numpy(dtype=object)
    counted = pd.Index(pd.unique(sku[is_count]))
    at = np.flatnonzero(counted.get_indexer(sku) >= 0)
    sub = events.iloc[at]
    bal = book[at]
    codes = pd.factorize(sub["sku"].to_numpy(dtype=object))[0]
    before = pd.Series(bal).groupby(codes, sort=False).shift(1).to_numpy()
    start = opening_qty.groupby(level=0).sum().reindex(sub["sku"].to_numpy(dtype=object)).to_numpy(np.float64)
    before = np.where(np.isnan(before), np.nan_to_num(start), before)
    with np.errstate(invalid="ignore", over="ignore"):
        moved[at] = np.abs(np.where(is_count[at], qty[at] - before, qty[at]))
    return moved


def cost_rule(ctx: RuleContext) -> None:
    """cost-too-large on the qty cell of every sale, return and count line whose money at cost passes the limit."""
    if not any(ctx.table(n) is not None for n in COST_TABLES):
        return
    all_events = ledger_events(ctx.wb)  # a copy each call: once here
    table = all_events["table"].to_numpy(dtype=object)
    mine = (table == SALES.name) | (table == RETURNS.name) | (table == COUNTS.name)
    if not mine.any():
        return
    events = all_events[mine]
    opening_qty = opening_lines(ctx.wb).groupby("sku", sort=False)["qty"].sum()
    moved = _moved_qty(all_events, opening_qty, book_balance(ctx.wb))[mine]
    cost = highest_unit_cost(ctx, all_events).reindex(events["sku"].to_numpy(dtype=object)).to_numpy(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        money = moved * cost
    typed = line_over_limit(events["qty"], events["unit_price"], events["amount_cents"])
    over = (money > MAX_LINE_AMOUNT) & ~typed
    if not over.any():
        return
    limit = f"{MAX_LINE_AMOUNT:,.0f}"
    hit = events[over].assign(_money=money[over], _cost=cost[over], _moved=moved[over])
    for name, grp in hit.groupby("table", sort=False):
        td = ctx.table(str(name))
        if td is None:
            continue
        key = "counted_qty" if name == COUNTS.name else "qty"
        at = pd.Index(td.df[ROW]).get_indexer(grp[ROW])
        found = at >= 0
        mask = np.zeros(len(td.df), dtype=bool)
        mask[at[found]] = True
        amount, unit_cost, moved = (np.full(len(td.df), np.nan) for _ in range(3))
        for arr, col in ((amount, "_money"), (unit_cost, "_cost"), (moved, "_moved")):
            arr[at[found]] = np.round(grp[col].to_numpy(dtype=np.float64)[found], 2)
        ctx.emit(
            "cost-too-large",
            td,
            mask,
            key,
            message_code="cost-too-large-count" if name == COUNTS.name else None,
            amount=amount,
            unit_cost=unit_cost,
            moved=moved,
            limit=limit,
        )
