"""Purchase plan (采购计划) per the contract's "Purchase plan rules", vectorised over SKUs.

Which demand figure the plan uses: the contract fixes d = (sales qty − sales-return qty in the month) /
days in the month, and every plan figure (safety stock, reorder point, EOQ, order_by, order qty) uses that
d. The demand history (tblHistory) is not used for the plan numbers; it feeds an extra column
``forecast_qty``: next month's demand by simple exponential smoothing (invmath.forecast, "ses", α fitted)
over the history months before this period plus this month's net demand, shown for information.

Decisions the contract leaves open:

* Safety stock is never negative (a service level below 50 % needs none: invmath.safety_stock).
* d is clipped at 0 (a month with more returns than sales has no demand, not a negative one); σd uses the
  unclipped daily net demand.
* d = 0: the contract's rule reads on hand ≤ reorder point (a fixed safety stock); a dead item with no
  stock and a reorder point of 0 does not enter (it would be ordered one unit every month, as would negative
  stock still). order_by is then the last day of the month.
* EOQ = 0 and the gap ROP + d·horizon − on hand is ≤ 0: Q = 1 (ceil of the gap would be 0, for which no k
  exists).
* Only active items of tblItems are planned (SKUs missing from tblItems have no lead time or supplier).
* The amount uses the item's std cost, else the closing unit cost (0 when neither exists).
* Quantities are rounded to 9 decimals before ceil/floor so float noise (30.0000000001) does not add a unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core import invmath
from jxc_xl.core.book import Workbook
from jxc_xl.core.ledger import clean_keys, table_frame
from jxc_xl.core.messages import word
from jxc_xl.core.money import mul_cents
from jxc_xl.core.valuation import Valuation
from jxc_xl.schema import HISTORY, ITEMS, Lang, Settings

_NOISE = 9  # decimals kept before ceil/floor


def _fmt(x: float) -> str:
    """A number as the reason text shows it: at most 2 decimals, no trailing zeros."""
    if x != x:
        return ""
    return f"{round(float(x), 2):.2f}".rstrip("0").rstrip(".")


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


def _forecast(wb: Workbook, period: str, skus: pd.Index, month_demand: np.ndarray) -> np.ndarray:
    """Next month's demand: SES over tblHistory (periods before ``period``) plus this month."""
    hist = table_frame(wb, HISTORY.name)
    if hist is None:
        return np.clip(month_demand, 0, None).astype(np.float64)
    h = hist.dropna(subset=["sku", "period", "demand_qty"])
    h = h[(h["period"].astype(str) < period) & (h["demand_qty"] >= 0)]
    wide = h.pivot_table(index="sku", columns="period", values="demand_qty", aggfunc="sum")
    wide = wide.reindex(skus)
    wide[period] = np.clip(month_demand, 0, None)
    y = wide.to_numpy(dtype=np.float64)
    try:
        return np.asarray(invmath.forecast(y, horizon=1, method="ses"), dtype=np.float64)[:, 0]
    except invmath.InvalidArgument:  # defensive: history with bad values; fall back to this month
        return np.clip(month_demand, 0, None).astype(np.float64)


def _numbers(items: pd.DataFrame, col: str, default: float) -> np.ndarray:
    """An item column as floats, blanks (and text) as ``default``."""
    return pd.to_numeric(items[col], errors="coerce").fillna(default).to_numpy(np.float64)


def _stock_levels(s: Settings, items: pd.DataFrame, d: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Safety stock (the item's fixed one, else computed) and reorder point per SKU."""
    lead = np.clip(_numbers(items, "lead_time_days", 7.0), 0, None)
    lead_sd = np.clip(_numbers(items, "lead_time_sd_days", 0.0), 0, None)
    # Negative item figures are validation errors; a forced sync computes with them clipped at 0.
    fixed_ss = np.clip(pd.to_numeric(items["safety_stock"], errors="coerce").to_numpy(np.float64), 0, None)
    ss_calc = np.asarray(invmath.safety_stock(s.service_level, sd, lead, d, lead_sd), dtype=np.float64)
    ss = np.where(np.isnan(fixed_ss), ss_calc, fixed_ss)
    return ss, np.asarray(invmath.reorder_point(d, lead, ss), dtype=np.float64)


def _eoq(s: Settings, items: pd.DataFrame, d: np.ndarray, unit_cost: np.ndarray, std_cost: np.ndarray) -> np.ndarray:
    """EOQ per SKU; 0 where there is no annual demand or no holding cost."""
    h_cost = s.holding_rate * np.where(np.isnan(unit_cost), std_cost, unit_cost)
    h_cost = np.nan_to_num(h_cost)
    order_cost = np.clip(_numbers(items, "order_cost", s.order_cost), 0, None)
    annual = d * s.days_per_year
    ok = (annual > 0) & (h_cost > 0)
    eoq = np.zeros(len(d))
    if ok.any():
        eoq[ok] = invmath.eoq(annual[ok], order_cost[ok], h_cost[ok])
    return eoq


def _order_qty(
    items: pd.DataFrame, eoq: np.ndarray, rop: np.ndarray, d: np.ndarray, on_hand: np.ndarray, horizon: float
) -> np.ndarray:
    """Q (EOQ, else the gap to cover), k·Q to get above the reorder point, then MOQ and the order multiple."""
    q = np.where(eoq > 0, np.ceil(np.round(eoq, _NOISE)), np.ceil(np.round(rop + d * horizon - on_hand, _NOISE)))
    q = np.maximum(q, 1.0)
    k = np.maximum(1.0, np.floor(np.round((rop - on_hand) / q, _NOISE)) + 1.0)
    raw = k * q
    moq = np.nan_to_num(pd.to_numeric(items["moq"], errors="coerce").to_numpy(np.float64))
    raw = np.maximum(raw, moq)
    mult = np.nan_to_num(pd.to_numeric(items["order_multiple"], errors="coerce").to_numpy(np.float64))
    safe_mult = np.where(mult > 0, mult, 1.0)
    return np.where(mult > 0, np.ceil(np.round(raw / safe_mult, _NOISE)) * safe_mult, raw)


def _order_by(s: Settings, gap: np.ndarray, d: np.ndarray) -> pd.DatetimeIndex:
    """The day to order by: the month's last day plus the days until on hand reaches the reorder point."""
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(d > 0, np.floor(np.round(gap / np.where(d > 0, d, 1.0), _NOISE)), 0.0)
    wait = np.clip(np.nan_to_num(wait), 0, 36500).astype(np.int64)
    last = pd.Timestamp(s.last_day)
    return pd.to_datetime(last) + pd.to_timedelta(wait, unit="D")


def plan_metrics(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """Every plan figure for every SKU of the valuation (index = sku), planned or not.

    Args:
        wb: the workbook (its items and history).
        val: its valuation (stock, daily demand, and the settings the plan uses).

    Returns:
        Columns name, supplier, unit, active, listed, on_hand, avg_daily_demand, demand_sd, safety_stock,
        reorder_point, eoq, enters, order_qty, order_by, amount_cents, forecast_qty.
    """
    s = val.settings
    skus = pd.Index(val.stock["sku"].to_numpy(dtype=object))
    items = item_frame(wb, skus)
    days = s.days_in_month
    daily = val.daily_demand.reindex(skus).fillna(0.0).to_numpy(dtype=np.float64)
    net = daily.sum(axis=1)
    d = np.clip(net / days, 0.0, None)
    sd = daily.std(axis=1, ddof=1) if days > 1 else np.zeros(len(skus))
    ss, rop = _stock_levels(s, items, d, sd)
    std_cost = pd.to_numeric(items["cost"], errors="coerce").to_numpy(np.float64)
    unit_cost = val.stock["closing_unit_cost"].to_numpy(dtype=np.float64)
    eoq = _eoq(s, items, d, unit_cost, std_cost)

    on_hand = val.stock["closing_qty"].to_numpy(dtype=np.float64)
    gap = np.round(on_hand - rop, _NOISE)
    # The contract's rule; with d = 0 it reads on hand ≤ ROP, except that a dead item with no stock and no
    # reorder point (0 ≤ 0) is not ordered every month.
    enters = (gap <= np.round(d * s.horizon_days, _NOISE)) & ((d > 0) | (rop > 0) | (gap < 0))
    active = (items["active"].fillna("yes") != "no").to_numpy() & items["listed"].to_numpy(dtype=bool)
    enters &= active
    order_qty = _order_qty(items, eoq, rop, d, on_hand, s.horizon_days)
    price = np.where(np.isnan(std_cost), unit_cost, std_cost)
    amount = mul_cents(order_qty, np.nan_to_num(price))

    return pd.DataFrame(
        {
            "name": items["name"].to_numpy(dtype=object),
            "supplier": items["supplier"].to_numpy(dtype=object),
            "unit": items["unit"].to_numpy(dtype=object),
            "active": active,
            "listed": items["listed"].to_numpy(dtype=bool),
            "on_hand": on_hand,
            "avg_daily_demand": d,
            "demand_sd": sd,
            "safety_stock": ss,
            "reorder_point": rop,
            "eoq": eoq,
            "enters": enters,
            "order_qty": np.where(enters, order_qty, np.nan),
            "order_by": pd.Series(_order_by(s, gap, d), index=skus).where(enters),
            "amount_cents": np.where(enters, amount, 0).astype(np.int64),
            "forecast_qty": _forecast(wb, s.period, skus, net),
        },
        index=pd.Index(skus, name="sku"),
    )


def reasons(m: pd.DataFrame, horizon: float, lang: Lang) -> pd.Series:
    """Why each SKU is planned, in words an accountant reads (zh or en)."""
    below_text, soon_text = word("plan_reason_below", lang), word("plan_reason_soon", lang)
    h = _fmt(horizon)
    out = []
    for on, rop, d in zip(
        m["on_hand"].to_numpy(), m["reorder_point"].to_numpy(), m["avg_daily_demand"].to_numpy(), strict=True
    ):
        if round(on - rop, _NOISE) <= 0:
            out.append(below_text.format(on=_fmt(on), rop=_fmt(rop)))
        else:
            out.append(soon_text.format(on=_fmt(on), rop=_fmt(rop), horizon=h, d=_fmt(d)))
    return pd.Series(out, index=m.index, dtype="object")


def purchase_plan(
    wb: Workbook,
    val: Valuation,
    abc: pd.Series | None = None,
    lang: Lang | None = None,
    metrics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """tblPlan rows (the contract's columns, then ``forecast_qty``), sorted by order_by then sku.

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
        }
    )
    return out.sort_values(["order_by", "sku"], kind="stable").reset_index(drop=True)
