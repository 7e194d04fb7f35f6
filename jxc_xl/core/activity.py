"""Slow-moving (呆滞) and overstock (超储), from the demand history plus this month.

* Days since the last sale, as of the plan's as-of date: this month's last sale line on or before that date;
  else the last day of the last month of tblHistory with demand > 0. An SKU with no sale known at all counts
  from the first day of its earliest known month (its first month of history, else this month): at least
  that many days without a sale.
* Slow-moving: stock on hand > 0 and more than settings slow_days (default 90) days since the last sale.
  One quiet month does not make a steadily selling item slow.
* Overstock: the inventory position (on hand + on order) covers more than settings overstock_days (default
  180) days of the plan's forecast daily demand; with a forecast of 0, any stock that is not slow-moving is
  not called overstock (it is slow, or new).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.invmath.arguments import FloatArray
from jxc_xl.core.ledger import clean_keys, table_frame
from jxc_xl.core.valuation import Valuation
from jxc_xl.schema import HISTORY


def _history_last(wb: Workbook, period: str, skus: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Per SKU: the last day of its last history month with demand, and the first day of its first month."""
    hist = table_frame(wb, HISTORY.name)
    empty = pd.Series(pd.NaT, index=skus, dtype="datetime64[ns]")
    if hist is None or not len(hist) or not {"sku", "period", "demand_qty"} <= set(hist.columns):
        return empty, empty
    h = pd.DataFrame({"sku": clean_keys(hist["sku"]), "period": hist["period"].astype(str)})
    h["qty"] = pd.to_numeric(hist["demand_qty"], errors="coerce")
    h = h.dropna(subset=["sku"])
    h = h[h["period"].str.fullmatch(r"\d{4}-\d{2}") & (h["period"] < period)]
    if not len(h):
        return empty, empty
    # The few distinct months as sorted codes: max and min per SKU over integers run in pandas' compiled
    # group reductions (over the text they fell back to a Python call per SKU: 0.8 s for 10,000 SKUs).
    code, months = pd.factorize(h["period"].to_numpy(dtype=object), sort=True)
    h = pd.DataFrame({"sku": h["sku"].to_numpy(dtype=object), "code": code, "sold": h["qty"].to_numpy() > 0})
    sold = h[h["sold"]].groupby("sku")["code"].max()
    first = h.groupby("sku")["code"].min()
    per = pd.PeriodIndex(months, freq="M")  # month ends and starts once per distinct month
    ends, starts = per.end_time.normalize().to_numpy(), per.start_time.to_numpy()
    last_day = pd.Series(ends[sold.to_numpy()], index=sold.index)
    first_day = pd.Series(starts[first.to_numpy()], index=first.index)
    return last_day.reindex(skus).astype("datetime64[ns]"), first_day.reindex(skus).astype("datetime64[ns]")


def days_since_sale(wb: Workbook, val: Valuation, as_of: date) -> FloatArray:
    """Days from each SKU's last sale to ``as_of`` (module docstring), aligned with ``val.stock``."""
    s = val.settings
    skus = pd.Index(val.stock["sku"].to_numpy(dtype=object))
    ev = val.events
    stamp = pd.Timestamp(as_of)
    this_month = pd.Series(pd.NaT, index=skus, dtype="datetime64[ns]")
    if len(ev):
        day = pd.to_datetime(ev["date"], errors="coerce").to_numpy("datetime64[D]")
        row = val.event_rows
        sale = (ev["kind"].to_numpy(dtype=object) == "sale") & (day <= np.datetime64(as_of, "D")) & (row >= 0)
        if sale.any():
            latest = np.full(len(skus), np.iinfo(np.int64).min, dtype=np.int64)  # NaT as an integer: no sale
            np.maximum.at(latest, row[sale], day[sale].astype(np.int64))
            this_month = pd.Series(latest.view("datetime64[D]").astype("datetime64[ns]"), index=skus)
    hist_last, hist_first = _history_last(wb, s.period, skus)
    start = hist_first.fillna(pd.Timestamp(s.first_day))
    last = this_month.fillna(hist_last)
    days = (stamp - last.fillna(start)).dt.days.to_numpy(dtype=np.float64)
    # a sale known: days since it; none: days since the SKU's first known day (at least that many)
    return np.clip(days, 0, None) + np.where(last.isna().to_numpy(), 1.0, 0.0)


def slow_moving(days: FloatArray, on_hand: FloatArray, slow_days: float) -> np.ndarray:
    """Stock on hand and more than ``slow_days`` since the last sale."""
    return (on_hand > 0) & (days > slow_days)


def overstocked(position: FloatArray, daily: FloatArray, overstock_days: float, slow: np.ndarray) -> np.ndarray:
    """The position covers more than ``overstock_days`` of forecast demand (never where slow-moving)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(daily > 0, position / np.where(daily > 0, daily, 1.0), np.inf)
    return (position > 0) & (daily > 0) & (cover > overstock_days) & ~slow
