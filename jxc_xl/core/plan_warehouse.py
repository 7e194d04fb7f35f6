"""The purchase plan per warehouse (issue 12.2; setting plan_scope = warehouse, ``core.warehouses``).

plan_scope = company (the default), or a workbook of one warehouse: the plan is ``core.plan``'s over the
company's stock. plan_scope = warehouse with warehouses: one line per (warehouse, SKU) that needs stock.

* Each warehouse's share of a SKU is its share of the month's net demand to date (sales − sales returns, below 0
  counted as 0); a SKU without demand this month is all its first warehouse's. Daily demand, safety stock,
  reorder point, EOQ and order size Q (rounded up) of a warehouse are the SKU's times that share (a linear
  split: the SKU's variability is not recomputed per warehouse). Goods on order (tblOrders has no
  warehouse) count at the SKU's first warehouse.
* A warehouse enters the plan by the company rule on its own figures: position − reorder point ≤ daily demand ×
  horizon_days (with daily demand 0: position below the reorder point).
* Excess: what a warehouse holds above its own reorder point + EOQ (its overstock); a warehouse that needs stock
  takes what it needs (up to its reorder point + EOQ) from the others' excess first, largest excess first, and
  the plan line says so in words ("先从 W1 调拨 12（富余 30）；" / "Transfer 12 from W1 first (excess 30); ").
  Only the rest is ordered: the order quantity is the company rule's (Q, MOQ, multiple) on the position after
  the transfer; none where the transfer lifts the position out of the plan (above reorder point + daily demand
  × horizon_days).
* The line's name carries its warehouse ("保温杯（BR）"); tblPlan has no warehouse column. Blocks per supplier
  and order as the company plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.ledger import net_demand
from jxc_xl.core.messages import word
from jxc_xl.core.money import mul_cents
from jxc_xl.core.plan import item_frame, plan_order_qty, purchase_plan
from jxc_xl.core.valuation import Valuation
from jxc_xl.core.warehouses import default_warehouse
from jxc_xl.schema import Lang

_NOISE = 9


def _shares(val: Valuation, keys: pd.DataFrame) -> np.ndarray:
    """Each (warehouse, SKU) row's share of its SKU's net demand this month (module docstring)."""
    ev = val.events
    wh = ev["warehouse"].fillna(keys.attrs["default"]).to_numpy(dtype=object)
    demand = pd.Series(net_demand(ev).to_numpy(dtype=np.float64), index=pd.MultiIndex.from_arrays([wh, ev["sku"]]))
    per_key = demand.groupby(level=[0, 1]).sum().clip(lower=0)
    at = per_key.reindex(pd.MultiIndex.from_frame(keys[["warehouse", "sku"]])).fillna(0.0).to_numpy()
    total = pd.Series(at).groupby(keys["sku"].to_numpy()).transform("sum").to_numpy()
    first = ~keys["sku"].duplicated().to_numpy()
    return np.where(total > 0, at / np.where(total > 0, total, 1.0), np.where(first, 1.0, 0.0))


def _allocate(keys: pd.DataFrame, need: np.ndarray, excess: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per row: the qty moved in from other warehouses of its SKU (their excess, largest first) and its source
    words (warehouse, qty, the excess it had)."""
    moved = np.zeros(len(keys))
    notes = [""] * len(keys)
    left = excess.copy()
    for _, rows in pd.Series(np.arange(len(keys))).groupby(keys["sku"].to_numpy(), sort=False):
        idx = rows.to_numpy()
        for i in idx[np.argsort(-need[idx], kind="stable")]:
            if need[i] <= 0:
                continue
            parts = []
            for j in idx[np.argsort(-left[idx], kind="stable")]:
                take = np.floor(min(need[i] - moved[i], left[j]))
                if j == i or take <= 0:
                    continue
                parts.append((str(keys["warehouse"].iat[j]), take, left[j]))
                moved[i] += take
                left[j] -= take
            notes[i] = ";".join(f"{w}\x1e{t:g}\x1e{x:g}" for w, t, x in parts)
    return moved, notes


def warehouse_plan(
    wb: Workbook, val: Valuation, metrics: pd.DataFrame, abc: pd.Series | None, lang: Lang, default: str
) -> pd.DataFrame:
    """tblPlan with one line per (warehouse, SKU) that needs stock (module docstring).

    Args:
        wb: the workbook; val: its valuation with ``by_warehouse``; metrics: ``plan.plan_metrics`` (per SKU).
        abc: ABC class per SKU; lang: language of the words; default: the default warehouse's code.

    Returns:
        The tblPlan frame (schema keys), blocks per supplier.
    """
    assert val.by_warehouse is not None
    keys = val.by_warehouse[["warehouse", "sku", "closing_qty"]].reset_index(drop=True)
    keys.attrs["default"] = default
    keys = keys[keys["sku"].isin(metrics.index)].reset_index(drop=True)
    keys.attrs["default"] = default
    share = _shares(val, keys)
    m = metrics.reindex(keys["sku"].to_numpy())
    first = ~keys["sku"].duplicated().to_numpy()
    on_order = np.where(first, m["on_order"].to_numpy(), 0.0)
    position = np.round(keys["closing_qty"].to_numpy() + on_order, _NOISE)
    d, rop, eoq = (m[c].to_numpy() * share for c in ("avg_daily_demand", "reorder_point", "eoq"))
    horizon = val.settings.horizon_days
    gap = np.round(position - rop, _NOISE)
    enters = (gap <= np.round(d * horizon, _NOISE)) & ((d > 0) | (rop > 0) | (gap < 0)) & m["active"].to_numpy()
    excess = np.where(enters, 0.0, np.maximum(np.round(position - rop - eoq, _NOISE), 0.0))
    need = np.where(enters, np.maximum(np.ceil(np.round(rop + eoq - position, _NOISE)), 0.0), 0.0)
    moved, notes = _allocate(keys, need, excess)
    after = position + moved
    items = item_frame(wb, pd.Index(keys["sku"]))
    size = np.ceil(np.round(m["order_size"].to_numpy() * share, _NOISE))
    qty = plan_order_qty(items, size, rop, d, after, horizon)
    lifted = (moved > 0) & (np.round(after - rop, _NOISE) > np.round(d * horizon, _NOISE))  # no order left to place
    qty = np.where(lifted | m["slow"].to_numpy(), 0.0, qty)
    mk = m.assign(
        name=[word("card_kind_at", lang).format(kind=n if isinstance(n, str) else s, warehouse=w or "—")
              for n, s, w in zip(m["name"], keys["sku"], keys["warehouse"], strict=True)],
        on_hand=keys["closing_qty"].to_numpy(),
        on_order=on_order,
        position=position,
        avg_daily_demand=d,
        safety_stock=m["safety_stock"].to_numpy() * share,
        reorder_point=rop,
        eoq=eoq,
        enters=enters,
        order_qty=np.where(enters, qty, np.nan),
        amount_cents=np.where(enters, mul_cents(qty, _prices(val, items, keys)), 0).astype(np.int64),
        forecast_qty=m["forecast_qty"].to_numpy() * share,
        days_cover=np.where(enters & (d > 0), qty / np.where(d > 0, d, 1.0), np.nan),
    )  # fmt: skip
    plan = purchase_plan(wb, val, abc, lang, mk)
    said = {(s, n): _words(note, lang) for s, n, note in zip(keys["sku"], mk["name"], notes, strict=True) if note}
    prefix = [said.get((s, n), "") for s, n in zip(plan["sku"], plan["name"], strict=True)]
    return plan.assign(reason=[p + r for p, r in zip(prefix, plan["reason"], strict=True)])


def scoped_plan(wb: Workbook, val: Valuation, metrics: pd.DataFrame, abc: pd.Series | None, lang: Lang) -> pd.DataFrame:
    """tblPlan as the setting plan_scope asks: per warehouse with warehouses and scope warehouse, else the
    company's (``plan.purchase_plan``). What sync writes and ``jxc plan`` prints."""
    if val.by_warehouse is not None and val.settings.plan_scope == "warehouse":
        return warehouse_plan(wb, val, metrics, abc, lang, default_warehouse(wb))
    return purchase_plan(wb, val, abc, lang, metrics)


def _prices(val: Valuation, items: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """The unit price of an order line, as the company plan's: the item's std cost, else the closing unit cost."""
    std = pd.to_numeric(items["cost"], errors="coerce").to_numpy(np.float64)
    uc = val.stock.set_index("sku")["closing_unit_cost"].reindex(keys["sku"]).to_numpy(dtype=np.float64)
    return np.nan_to_num(np.where(np.isnan(std), uc, std))


def _words(note: str, lang: Lang) -> str:
    parts = [p.split("\x1e") for p in note.split(";")]
    moves = word("list_sep", lang).join(
        word("plan_transfer_from", lang).format(warehouse=w, qty=q, excess=x) for w, q, x in parts
    )
    return word("plan_transfer_first", lang).format(moves=moves)
