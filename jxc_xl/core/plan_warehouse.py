"""The purchase plan per warehouse (issue 12.2; setting plan_scope = warehouse, ``core.warehouses``).

plan_scope = company (the default), or a workbook of one warehouse: the plan is ``core.plan``'s over the
company's stock. plan_scope = warehouse with warehouses: one line per (warehouse, SKU) that needs stock.

* Each warehouse's share of a SKU's demand (``demand_shares``): its net demand this month to date (sales −
  sales returns, below 0 counted as 0) plus SHARE_PRIOR units for each warehouse that sold it, over the SKU's
  total with those units: a few sales do not decide the split (3 units sold at one warehouse and 1 at another
  give .63/.38, not .75/.25), later the month's own split rules. A warehouse of the SKU that has not sold it
  this month is credited SHARE_PRIOR × (1 − 2 × the elapsed part of the month) units, nothing from mid-month
  on: on day 3 it has not had time to sell, by the month's end it does not sell it (a store that only holds
  stock keeps no demand). A SKU no warehouse sold this month is split evenly over its warehouses.
* Each warehouse is planned by the company's policy (``core.policy.policy_of_forecast``) on its own forecast
  (``warehouse_policy``), not by scaling the company's figures: its series is the SKU's history rates times its
  share (tblHistory has no warehouse) with its own month to date, so its daily demand d follows its own sales
  (``core.demand``). The error variance of its rate is share × the SKU's (a warehouse that gets its share of
  independent demands: thinning; sd × √share, where a linear split took sd × share and left a small warehouse
  below its cycle-service target) plus the share's own sampling error, d² × p(1 − p) ÷ the units p rests on
  (large on day 3, small at the month's end). Reorder point, safety stock, EOQ (on the warehouse's own annual
  demand: √share of the SKU's, not share) and order size Q are the policy's on those figures; order_by is
  dated from its own position; the item's fixed safety stock is split by share. A warehouse with share 1 has
  the company's figures exactly. Goods on order (tblOrders has no warehouse) count at the SKU's first warehouse.
* Measured (tests/test_plan_warehouse_sim.py: 400 SKUs of four kinds at three warehouses with 60/30/10 % of
  their demands, 12 months simulated): cycle service per warehouse at targets .90/.95/.98, plan made at the
  month's end, .943/.967/.985, .954/.975/.984, .979/.994/.995 (the linear split: .921/.952/.971,
  .873/.907/.928, .813/.843/.871); made on day 3, .940/.972/.988, .977/.992/.998, .997/1/1 (the linear split
  down to .425). The cost is stock: the small warehouses hold 2-3× the linear split's — each warehouse covers
  its own lumpy demands (the pooling the company's stock had) and orders its own EOQ.
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

from dataclasses import replace

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.demand import DemandSeries, forecast_demand
from jxc_xl.core.invmath.arguments import FloatArray
from jxc_xl.core.ledger import net_demand
from jxc_xl.core.messages import word
from jxc_xl.core.money import mul_cents
from jxc_xl.core.periods import next_period, period_last_day
from jxc_xl.core.plan import (
    as_of_day,
    demand_series,
    item_frame,
    item_terms,
    plan_order_by,
    plan_order_qty,
    purchase_plan,
)
from jxc_xl.core.policy import ItemTerms, Policy, policy_of_forecast
from jxc_xl.core.valuation import Valuation
from jxc_xl.core.warehouses import default_warehouse
from jxc_xl.schema import Lang

_NOISE = 9
SHARE_PRIOR = 2.0  # units each warehouse that sold a SKU is credited before its sales (module docstring)


def demand_shares(sku_row: np.ndarray, qty: FloatArray, early: float = 0.0) -> tuple[FloatArray, FloatArray]:
    """Each (warehouse, SKU) row's share of its SKU's demand and the units that share rests on (module docstring).

    Args:
        sku_row: the SKU of each row (0 … n − 1).
        qty: the row's net demand this month to date.
        early: the part of SHARE_PRIOR a warehouse that has not sold the SKU is credited (1 − 2 × the elapsed part
            of the month, at least 0).
    """
    q = np.clip(qty, 0.0, None)
    credit = np.where(q > 0, q + SHARE_PRIOR, SHARE_PRIOR * early)
    n = int(sku_row.max()) + 1 if len(sku_row) else 0
    total = np.bincount(sku_row, weights=credit, minlength=n)[sku_row]
    rows = np.bincount(sku_row, minlength=n)[sku_row].astype(np.float64)
    sold = np.bincount(sku_row, weights=(q > 0).astype(np.float64), minlength=n)[sku_row]
    # No warehouse sold it: an even split, as sure as SHARE_PRIOR units at each (the early credit only splits a SKU
    # some warehouse sold; alone it would rest the split on ever fewer units as the month goes on).
    even = sold == 0
    share = np.where(even, 1.0 / np.maximum(rows, 1.0), credit / np.where(even, 1.0, total))
    return share, np.where(even, SHARE_PRIOR * rows, total)


def warehouse_policy(
    company: DemandSeries,
    company_forecast: tuple[FloatArray, FloatArray],
    sku_row: np.ndarray,
    own_days: FloatArray,
    terms: ItemTerms,
    service_level: float,
    days_per_year: float,
    measure: str = "cycle",
) -> tuple[Policy, FloatArray]:
    """The company's policy run on each warehouse's own forecast (module docstring); the plan and the simulation
    (core.simulate) share it.

    Args:
        company: the SKUs' series (history rates, this month to date).
        company_forecast: the SKUs' daily demand and error sd (``core.demand.forecast_demand`` of ``company``).
        sku_row: the SKU of each (warehouse, SKU) row; own_days: (rows, elapsed days) the row's daily net demand.
        terms: the items' terms per row (fixed safety stock for the company: split here by share).

    Returns:
        The policy per row and the rows' demand shares.
    """
    mtd = own_days.sum(axis=1)
    share, weight = demand_shares(sku_row, mtd, max(0.0, 1 - 2 * company.elapsed / company.days_in_month))
    own = DemandSeries(
        rates=company.rates[sku_row] * share[:, None],
        mtd_qty=mtd,
        # as the company's: a day of returns (net demand < 0) is no demand, not a swing of it
        mtd_sd=np.clip(own_days, 0.0, None).std(axis=1, ddof=1) if company.elapsed > 1 else np.zeros(len(mtd)),
        elapsed=company.elapsed,
        days_in_month=company.days_in_month,
        days_per_month=company.days_per_month,
    )
    fc = forecast_demand(own)
    daily, error_sd = (a[sku_row] for a in company_forecast)
    # thinning (variance × share) plus the share's own sampling error, p(1 − p) ÷ the units it rests on
    var = share * error_sd**2 + daily**2 * share * (1 - share) / weight
    fc = replace(fc, error_sd=np.sqrt(var))
    terms = replace(terms, fixed_ss=terms.fixed_ss * share)
    return policy_of_forecast(fc, terms, service_level, days_per_year, measure=measure), share


def _own_days(val: Valuation, keys: pd.DataFrame, default: str, elapsed: int) -> FloatArray:
    """(rows, elapsed) net demand of each (warehouse, SKU) row per day of the month to date, summed in the
    valuation's order (a warehouse that alone sells a SKU has the company's days to the bit)."""
    ev = val.events
    wh = ev["warehouse"].fillna(default).to_numpy(dtype=object) if "warehouse" in ev else np.full(len(ev), default)
    at = pd.MultiIndex.from_frame(keys[["warehouse", "sku"]])
    row = at.get_indexer(pd.MultiIndex.from_arrays([wh, ev["sku"].to_numpy(dtype=object)]))
    first = np.datetime64(val.settings.first_day, "ns")
    day = ((ev["date"].to_numpy(dtype="datetime64[ns]") - first) // np.timedelta64(1, "D")).astype(np.int64)
    demand = net_demand(ev).to_numpy(dtype=np.float64)
    ok = (row >= 0) & (demand != 0) & (day >= 0) & (day < elapsed)
    mat = np.zeros((len(keys), elapsed))
    np.add.at(mat, (row[ok], day[ok]), demand[ok])
    return mat


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


def _policy(wb: Workbook, val: Valuation, metrics: pd.DataFrame, keys: pd.DataFrame, default: str) -> Policy:
    """``warehouse_policy`` of the workbook's (warehouse, SKU) rows as of the plan's day."""
    s = val.settings
    skus = pd.Index(metrics.index)
    elapsed = (as_of_day(s, val.events) - s.first_day).days + 1
    sku_row = skus.get_indexer(keys["sku"].to_numpy(dtype=object))
    unit_cost = val.stock.set_index("sku")["closing_unit_cost"].reindex(keys["sku"]).to_numpy(dtype=np.float64)
    terms = item_terms(s, item_frame(wb, pd.Index(keys["sku"])), unit_cost)
    pol, _ = warehouse_policy(
        demand_series(wb, val, skus, elapsed),
        (metrics["avg_daily_demand"].to_numpy(dtype=np.float64), metrics["demand_sd"].to_numpy(dtype=np.float64)),
        sku_row,
        _own_days(val, keys, default, elapsed),
        terms,
        s.service_level,
        s.days_per_year,
        measure=s.service_measure,
    )
    return pol


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
    keys = keys[keys["sku"].isin(metrics.index)].reset_index(drop=True)
    pol = _policy(wb, val, metrics, keys, default)
    m = metrics.reindex(keys["sku"].to_numpy())
    first = ~keys["sku"].duplicated().to_numpy()
    on_order = np.where(first, m["on_order"].to_numpy(), 0.0)
    position = np.round(keys["closing_qty"].to_numpy() + on_order, _NOISE)
    d, rop, eoq = pol.forecast.daily, pol.levels.reorder_point, pol.eoq
    horizon = val.settings.horizon_days
    gap = np.round(position - rop, _NOISE)
    enters = (gap <= np.round(d * horizon, _NOISE)) & ((d > 0) | (rop > 0) | (gap < 0)) & m["active"].to_numpy()
    # what it holds (goods on order are not there to move) above its own reorder point + EOQ
    on_hand = keys["closing_qty"].to_numpy()
    excess = np.where(enters, 0.0, np.maximum(np.round(on_hand - rop - eoq, _NOISE), 0.0))
    need = np.where(enters, np.maximum(np.ceil(np.round(rop + eoq - position, _NOISE)), 0.0), 0.0)
    moved, notes = _allocate(keys, need, excess)
    after = position + moved
    items = item_frame(wb, pd.Index(keys["sku"]))
    qty = plan_order_qty(items, pol.order_size, rop, d, after, horizon)
    lifted = (moved > 0) & (np.round(after - rop, _NOISE) > np.round(d * horizon, _NOISE))  # no order left to place
    qty = np.where(lifted | m["slow"].to_numpy(), 0.0, qty)
    as_of = m["as_of"].iloc[0].date() if len(m) else val.settings.first_day
    mk = m.assign(
        name=[word("card_kind_at", lang).format(kind=n if isinstance(n, str) else s, warehouse=w or "—")
              for n, s, w in zip(m["name"], keys["sku"], keys["warehouse"], strict=True)],
        on_hand=on_hand,
        on_order=on_order,
        position=position,
        avg_daily_demand=d,
        demand_sd=pol.forecast.error_sd,
        demand_class=pol.forecast.demand_class,
        forecast_method=pol.forecast.method,
        safety_stock=pol.levels.safety_stock,
        reorder_point=rop,
        eoq=eoq,
        order_size=pol.order_size,
        enters=enters,
        order_qty=np.where(enters, qty, np.nan),
        order_by=pd.Series(plan_order_by(as_of, gap, d), index=m.index).where(enters).to_numpy(),
        amount_cents=np.where(enters, mul_cents(qty, _prices(val, items, keys)), 0).astype(np.int64),
        forecast_qty=d * period_last_day(next_period(val.settings.period)).day,
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
