"""Warehouse rules (issue 12.2, ``core.warehouses``): unknown warehouse, transfer to itself, a transfer of more
than its source holds.

* unknown-warehouse: where 仓库 (the warehouse list) has codes, every 仓库 cell of 期初 / 采购入库 / 销售出库 /
  退货 / 盘点 / 其他出入库 and both warehouses of 调拨 must be one of them (blank cells are the default
  warehouse). Without the list any code goes.
* transfer-to-itself: a 调拨 line whose from and to warehouse are the same.
* transfer-exceeds-stock: a transfer out that takes its source warehouse's book quantity below 0 (per warehouse,
  as negative-stock; an error, a warning where negative stock is allowed). Negative stock of the other lines is
  reported per warehouse by negative-stock (``rules``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW
from jxc_xl.core.ledger import clean_keys, ledger_events, opening_lines, running_balance
from jxc_xl.core.rulebase import EPS, RuleContext
from jxc_xl.core.warehouses import warehouse_list, workbook_keys
from jxc_xl.schema import COUNTS, OPENING, OTHER, PURCHASES, RETURNS, SALES, TRANSFERS, WAREHOUSES

WAREHOUSE_COLUMNS = (
    *((t.name, "warehouse") for t in (OPENING, PURCHASES, SALES, RETURNS, COUNTS, OTHER)),
    (TRANSFERS.name, "from_warehouse"),
    (TRANSFERS.name, "to_warehouse"),
)


def warehouses_rule(ctx: RuleContext) -> None:
    """The findings of the module docstring."""
    _unknown(ctx)
    tr = ctx.table(TRANSFERS.name)
    if tr is None or not all(ctx.has_col(tr, k) for k in ("from_warehouse", "to_warehouse")):
        return
    src, dst = clean_keys(tr.df["from_warehouse"]), clean_keys(tr.df["to_warehouse"])
    same = (src.notna() & (src == dst)).to_numpy()
    ctx.emit("transfer-to-itself", tr, same, "to_warehouse", doc_no=tr.df["doc_no"])
    _exceeds(ctx)


def _unknown(ctx: RuleContext) -> None:
    codes = warehouse_list(ctx.wb)
    if not codes:
        return
    sheet = ctx.table(WAREHOUSES.name)
    known = pd.Index(codes)
    for name, key in WAREHOUSE_COLUMNS:
        td = ctx.table(name)
        if td is None or key not in td.df.columns:
            continue
        wh = clean_keys(td.df[key])
        bad = (wh.notna() & ~wh.isin(known)).to_numpy()
        ctx.emit("unknown-warehouse", td, bad, key, wh, warehouses_sheet=sheet.sheet if sheet else WAREHOUSES.zh_sheet)


def _exceeds(ctx: RuleContext) -> None:
    events = ledger_events(ctx.wb)
    out = (events["kind"] == "transfer_out").to_numpy()
    if not out.any():
        return
    lines = opening_lines(ctx.wb)
    keys = workbook_keys(ctx.wb)
    if keys is None:
        return
    opening = pd.Series(lines["qty"].to_numpy(dtype=np.float64), index=keys.lines)
    bal = running_balance(events.assign(sku=keys.events), opening).to_numpy(dtype=np.float64)
    neg = out & (bal < -EPS)
    if not neg.any():
        return
    tr = ctx.table(TRANSFERS.name)
    assert tr is not None
    at = pd.Index(tr.df[ROW]).get_indexer(events[ROW].to_numpy()[neg])
    mask = np.zeros(len(tr.df), dtype=bool)
    values = np.zeros(len(tr.df))
    mask[at[at >= 0]] = True
    values[at[at >= 0]] = np.round(bal[neg][at >= 0], 6)
    s = ctx.wb.settings
    ctx.emit(
        "transfer-exceeds-stock",
        tr,
        mask,
        "qty",
        values,
        severity="warning" if s is not None and s.allow_negative else None,
        doc_no=tr.df["doc_no"],
        warehouse=tr.df["from_warehouse"],
        sku=tr.df["sku"],
        qty=tr.df["qty"],
    )
