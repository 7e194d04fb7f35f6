"""Purchase plan (采购计划), vectorised over SKUs; it replaces the contract's first-cut "Purchase plan rules".

* As of: settings as_of (clipped to the period), blank = the last ledger date of the period, or its first day
  when there are no lines. Month to date uses the elapsed days (as_of − first day + 1), never the calendar
  length of the month; order_by counts from the as-of date. On hand is the closing quantity of the lines
  entered.
* Daily demand d, its class and method: core.demand (history + month to date). Reorder point and safety
  stock: core.policy (forecast error over the lead time, lead-time sd, undershoot of the daily review; normal
  or gamma). EOQ = √(2·D·S/H) with D = d·days_per_year, S = item or default order cost, H = holding_rate ×
  closing unit cost (item std cost where there is none), 0 where D or H is 0.
* Inventory position = on hand + on order (core.orders: the open quantity of tblOrders, not cancelled, not
  closed); a negative on hand is the backorder and lowers it. Without tblOrders the position is the on hand.
* An item enters the plan when position − ROP ≤ d·horizon_days; order_by = as_of + max(0, ⌊(position − ROP)/d⌋)
  days. order_qty: Q = ⌈EOQ⌉ capped at max_cover_days of d (⌊cap⌋, at least 1; where EOQ is 0,
  Q = ⌈ROP + d·horizon_days − position⌉); k = smallest integer ≥ 1 with position + k·Q > ROP; raw = k·Q; then at
  least MOQ; then rounded up to the order multiple. days_cover = order_qty / d. amount = order_qty × item std
  cost (or unit cost). The reason text: core.plan_reasons.

Decisions left open:

* The item's fixed safety stock replaces the computed one (ROP = d·L + it).
* d = 0: the rule reads position ≤ reorder point; a dead item with no stock and a reorder point of 0 does not
  enter (it would be ordered one unit every month, as would negative stock still).
* EOQ = 0 and the gap ROP + d·horizon − position is ≤ 0: Q = 1 (ceil of the gap would be 0, for which no k
  exists).
* Only active items of tblItems are planned (SKUs missing from tblItems have no lead time or supplier).
* The amount uses the item's std cost, else the closing unit cost (0 when neither exists).
* Quantities are rounded to 9 decimals before ceil/floor so float noise (30.0000000001) does not add a unit.
* ``forecast_qty`` (next month's demand, for information) is d × the days of next month.
* Slow-moving items (core.activity: stock and no sale for more than slow_days) that would enter the plan keep
  their line with order_qty 0 and the reason why: their stock is not replenished, and the buyer sees it.
* Order of the plan's lines: one block per supplier (one purchase order each), the supplier whose most urgent
  line is due first leads; inside a block by order_by, then sku; lines without a supplier come last.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from jxc_xl.core.activity import days_since_sale, overstocked, slow_moving
from jxc_xl.core.book import Workbook
from jxc_xl.core.demand import DemandSeries, history_rates
from jxc_xl.core.ledger import clean_keys, table_frame
from jxc_xl.core.money import mul_cents
from jxc_xl.core.orders import on_order
from jxc_xl.core.periods import next_period, period_last_day
from jxc_xl.core.plan_reasons import reasons, whole_quantities
from jxc_xl.core.policy import ItemTerms, orders_needed, plan_policy
from jxc_xl.core.valuation import Valuation
from jxc_xl.schema import DEMAND_CLASSES, FORECAST_METHODS, HISTORY, ITEMS, Choice, Lang, Settings

_NOISE = 9  # decimals kept before ceil/floor


def item_frame(wb: Workbook, skus: pd.Index) -> pd.DataFrame:
    """tblItems reindexed to ``skus`` (first line per SKU); ``listed`` says whether the SKU is in tblItems."""
    df = wb.df(ITEMS.name) if ITEMS.name in wb.tables else pd.DataFrame()
    if len(df):
        key = clean_keys(df["sku"])
        df = df.assign(sku=key).dropna(subset=["sku"]).drop_duplicates("sku").set_index("sku")
        out = df.reindex(skus)
        out["listed"] = skus.isin(df.index)
    else:
        out = pd.DataFrame(
            index=skus,
            columns=[
                "name",
                "unit",
                "supplier",
                "cost",
                "lead_time_days",
                "lead_time_sd_days",
                "order_cost",
                "moq",
                "order_multiple",
                "safety_stock",
                "active",
            ],
            dtype="object",
        )
        out["listed"] = False
    return out


def as_of_day(s: Settings, events: pd.DataFrame) -> date:
    """The day the plan is computed for: settings as_of within the period, else the last ledger date of the
    period, else its first day."""
    first, last = s.first_day, s.last_day
    if s.as_of is not None:
        return min(max(s.as_of, first), last)
    if len(events) and "date" in events:
        dates = pd.to_datetime(events["date"], errors="coerce").dropna()
        dates = dates[(dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))]
        if len(dates):
            return dates.max().date()
    return first


def _numbers(items: pd.DataFrame, col: str, default: float) -> np.ndarray:
    """An item column as floats, blanks (and text) as ``default``."""
    return pd.to_numeric(items[col], errors="coerce").fillna(default).to_numpy(np.float64)


def demand_series(wb: Workbook, val: Valuation, skus: pd.Index, elapsed: int) -> DemandSeries:
    """History rates and this month to date (the first ``elapsed`` days) of every SKU (the company plan's series;
    core.plan_warehouse splits it per warehouse)."""
    s = val.settings
    daily = val.daily_demand.reindex(skus).fillna(0.0).to_numpy(dtype=np.float64)[:, :elapsed]
    return DemandSeries(
        rates=history_rates(table_frame(wb, HISTORY.name), s.period, skus),
        mtd_qty=daily.sum(axis=1),
        # the spread of the days' demand: a day of returns (net demand < 0) is no demand, not a swing of it
        mtd_sd=np.clip(daily, 0.0, None).std(axis=1, ddof=1) if elapsed > 1 else np.zeros(len(skus)),
        elapsed=elapsed,
        days_in_month=s.days_in_month,
        days_per_month=s.days_per_year / 12,
    )


def item_terms(s: Settings, items: pd.DataFrame, unit_cost: np.ndarray) -> ItemTerms:
    """The items' lead times, costs, fixed safety stock and cover cap (negative figures clipped at 0).

    Args:
        s: the settings (defaults of order cost, cover cap; holding rate).
        items: ``item_frame`` of the SKUs.
        unit_cost: their closing unit cost (NaN: the item's std cost is used for the holding cost).

    Returns:
        The ItemTerms the policy runs on, aligned with ``items``.
    """
    std_cost = pd.to_numeric(items["cost"], errors="coerce").to_numpy(np.float64)
    h_cost = np.nan_to_num(s.holding_rate * np.where(np.isnan(unit_cost), std_cost, unit_cost))
    cover = pd.to_numeric(items["max_cover_days"], errors="coerce") if "max_cover_days" in items else None
    return ItemTerms(
        lead=np.clip(_numbers(items, "lead_time_days", 7.0), 0, None),
        lead_sd=np.clip(_numbers(items, "lead_time_sd_days", 0.0), 0, None),
        order_cost=np.clip(_numbers(items, "order_cost", s.order_cost), 0, None),
        holding_cost=h_cost,
        fixed_ss=pd.to_numeric(items["safety_stock"], errors="coerce").to_numpy(np.float64),
        max_cover_days=(
            np.full(len(items), s.max_cover_days)
            if cover is None
            else cover.where(cover > 0).fillna(s.max_cover_days).to_numpy(np.float64)
        ),
    )


def _order_qty(
    items: pd.DataFrame, size: np.ndarray, rop: np.ndarray, d: np.ndarray, position: np.ndarray, horizon: float
) -> np.ndarray:
    """Q (the policy's order size, else the gap to cover), k·Q to get the position above the reorder point, then
    MOQ and the order multiple."""
    q = np.where(size > 0, size, np.ceil(np.round(rop + d * horizon - position, _NOISE)))
    q = np.maximum(q, 1.0)
    k = orders_needed(position, rop, q)
    raw = k * q
    moq = np.nan_to_num(pd.to_numeric(items["moq"], errors="coerce").to_numpy(np.float64))
    raw = np.maximum(raw, moq)
    mult = np.nan_to_num(pd.to_numeric(items["order_multiple"], errors="coerce").to_numpy(np.float64))
    safe_mult = np.where(mult > 0, mult, 1.0)
    return np.where(mult > 0, np.ceil(np.round(raw / safe_mult, _NOISE)) * safe_mult, raw)


plan_order_qty = _order_qty  # the per-warehouse plan (core.plan_warehouse) sizes its orders alike


def _order_by(as_of: date, gap: np.ndarray, d: np.ndarray) -> pd.DatetimeIndex:
    """The day to order by: the as-of date plus the days until the position reaches the reorder point."""
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(d > 0, np.floor(np.round(gap / np.where(d > 0, d, 1.0), _NOISE)), 0.0)
    wait = np.clip(np.nan_to_num(wait), 0, 36500).astype(np.int64)
    return pd.to_datetime(pd.Timestamp(as_of)) + pd.to_timedelta(wait, unit="D")


plan_order_by = _order_by  # and dates them alike


def plan_metrics(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """Every plan figure for every SKU of the valuation (index = sku), planned or not.

    Args:
        wb: the workbook (its items and history).
        val: its valuation (stock, daily demand, and the settings the plan uses).

    Returns:
        Columns name, supplier, unit, active, listed, on_hand, on_order, arrival (earliest expected, NaT
        without orders), position (on hand + on order), whole (the SKU's quantities are whole),
        avg_daily_demand, demand_sd (error sd of a month's daily rate), demand_class, forecast_method,
        safety_stock, reorder_point, eoq, enters, order_qty, order_by, amount_cents, forecast_qty, days_cover, as_of,
        days_since_sale, slow, overstock (core.activity; a slow item that enters is planned at 0 with its reason).
    """
    s = val.settings
    skus = pd.Index(val.stock["sku"].to_numpy(dtype=object))
    items = item_frame(wb, skus)
    as_of = as_of_day(s, val.events)
    series = demand_series(wb, val, skus, (as_of - s.first_day).days + 1)
    std_cost = pd.to_numeric(items["cost"], errors="coerce").to_numpy(np.float64)
    unit_cost = val.stock["closing_unit_cost"].to_numpy(dtype=np.float64)
    terms = item_terms(s, items, unit_cost)
    pol = plan_policy(series, terms, s.service_level, s.days_per_year, measure=s.service_measure)
    d, rop = pol.forecast.daily, pol.levels.reorder_point

    on_hand = val.stock["closing_qty"].to_numpy(dtype=np.float64)
    ordered = on_order(wb, skus, pd.Series(_numbers(items, "lead_time_days", 7.0), index=skus))
    position = np.round(on_hand + ordered.qty, _NOISE)  # negative on hand is the backorder
    gap = np.round(position - rop, _NOISE)
    # With d = 0 the rule reads position ≤ ROP, except that a dead item with no stock and no reorder point
    # (0 ≤ 0) is not ordered every month.
    enters = (gap <= np.round(d * s.horizon_days, _NOISE)) & ((d > 0) | (rop > 0) | (gap < 0))
    active = (items["active"].fillna("yes") != "no").to_numpy() & items["listed"].to_numpy(dtype=bool)
    enters &= active
    since = days_since_sale(wb, val, as_of)
    slow = slow_moving(since, on_hand, s.slow_days)
    order_qty = np.where(slow, 0.0, _order_qty(items, pol.order_size, rop, d, position, s.horizon_days))
    price = np.where(np.isnan(std_cost), unit_cost, std_cost)
    amount = mul_cents(order_qty, np.nan_to_num(price))
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(d > 0, order_qty / np.where(d > 0, d, 1.0), np.nan)
    next_days = period_last_day(next_period(s.period)).day

    return pd.DataFrame(
        {
            "name": items["name"].to_numpy(dtype=object),
            "supplier": items["supplier"].to_numpy(dtype=object),
            "unit": items["unit"].to_numpy(dtype=object),
            "active": active,
            "listed": items["listed"].to_numpy(dtype=bool),
            "on_hand": on_hand,
            "on_order": ordered.qty,
            "arrival": ordered.arrival.to_numpy(dtype="datetime64[ns]"),
            "position": position,
            "whole": whole_quantities(val, ordered.qty),
            "avg_daily_demand": d,
            "demand_sd": pol.forecast.error_sd,
            "demand_class": pol.forecast.demand_class,
            "forecast_method": pol.forecast.method,
            "safety_stock": pol.levels.safety_stock,
            "reorder_point": rop,
            "eoq": pol.eoq,
            "order_size": pol.order_size,  # Q before k·Q, MOQ and multiple (core.plan_warehouse splits it)
            "enters": enters,
            "order_qty": np.where(enters, order_qty, np.nan),
            "order_by": pd.Series(_order_by(as_of, gap, d), index=skus).where(enters),
            "amount_cents": np.where(enters, amount, 0).astype(np.int64),
            "forecast_qty": d * next_days,
            "days_cover": np.where(enters, cover, np.nan),
            "as_of": pd.Timestamp(as_of),
            "days_since_sale": since,
            "slow": slow,
            "overstock": overstocked(position, d, s.overstock_days, slow),
        },
        index=pd.Index(skus, name="sku"),
    )


def _labels(keys: pd.Series, choices: dict[str, Choice], lang: Lang) -> np.ndarray:
    """Choice keys as the labels of ``lang`` (None stays None)."""
    return np.array([choices[k].label(lang) if k in choices else None for k in keys.to_numpy()], dtype=object)


def purchase_plan(
    wb: Workbook,
    val: Valuation,
    abc: pd.Series | None = None,
    lang: Lang | None = None,
    metrics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """tblPlan rows (the schema's columns), grouped by supplier (``_by_supplier``).

    ``abc``: ABC class per sku (from analysis); ``metrics``: plan_metrics(wb, val) when already computed.
    """
    lang = lang or wb.lang
    m = metrics if metrics is not None else plan_metrics(wb, val)
    m = m.loc[m["enters"]]
    out = pd.DataFrame(
        {
            "sku": m.index.to_numpy(dtype=object),
            "name": m["name"].to_numpy(dtype=object),
            "supplier": m["supplier"].to_numpy(dtype=object),
            "on_hand": m["on_hand"].to_numpy(),
            "on_order": m["on_order"].to_numpy(),
            "arrival": m["arrival"].to_numpy(dtype="datetime64[ns]"),
            "avg_daily_demand": m["avg_daily_demand"].to_numpy(),
            "safety_stock": m["safety_stock"].to_numpy(),
            "reorder_point": m["reorder_point"].to_numpy(),
            "eoq": m["eoq"].to_numpy(),
            "order_qty": m["order_qty"].to_numpy(),
            "order_by": m["order_by"].to_numpy(dtype="datetime64[ns]"),
            "amount": m["amount_cents"].to_numpy() / 100.0,
            "abc": (
                abc.reindex(m.index).to_numpy(dtype=object) if abc is not None else np.full(len(m), None, dtype=object)
            ),
            "reason": reasons(m, val.settings.horizon_days, lang).to_numpy(dtype=object),
            "forecast_qty": m["forecast_qty"].to_numpy(),
            "demand_class": _labels(m["demand_class"], DEMAND_CLASSES, lang),
            "forecast_method": _labels(m["forecast_method"], FORECAST_METHODS, lang),
            "days_cover": m["days_cover"].to_numpy(),
            "as_of": m["as_of"].to_numpy(dtype="datetime64[ns]"),
        }
    )
    return _by_supplier(out)


def _by_supplier(plan: pd.DataFrame) -> pd.DataFrame:
    """One block per supplier (ready to become one purchase order), the supplier with the most urgent line
    first; inside a block by urgency (order_by), then sku. Lines without a supplier form the last block."""
    supplier = plan["supplier"].where(plan["supplier"].notna() & (plan["supplier"].astype(str).str.strip() != ""))
    first_due = plan["order_by"].groupby(supplier.fillna("\uffff"), sort=False).transform("min")
    keys = pd.DataFrame(
        {
            "blank": supplier.isna(),
            "due": first_due,
            "supplier": supplier.fillna("").astype(str),
            "by": plan["order_by"],
        }
    )
    order = keys.assign(sku=plan["sku"]).sort_values(["blank", "due", "supplier", "by", "sku"], kind="stable").index
    return plan.loc[order].reset_index(drop=True)
