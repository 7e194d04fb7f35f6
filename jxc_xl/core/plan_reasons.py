"""Why an SKU is in the purchase plan, in words (tblPlan.reason), in the workbook's language.

* Stock part: "库存 18" / "On hand 18" without goods on order, else "库存+在途 18" / "On hand + on order 18"
  (the inventory position; the plan's on_order column shows the split).
* Then "≤ 再订货点 42" when the position is at or below the reorder point, else "约 N 天后降到再订货点 42（日均
  需求 d）" with N = ⌊(position − ROP)/d⌋ (the days until order_by).
* Then, where daily demand d > 0, when stock runs out: on hand ≤ 0 is out of stock now (a negative on hand is
  backordered); else on hand lasts ⌊on hand/d⌋ days from the as-of date, unless the earliest open order is
  expected by then, in which case the whole position lasts ⌊position/d⌋ days (every open order assumed to
  arrive in time). The day is shown as "12月9日" / "Dec 9", with the year when it is not the as-of date's.
* Quantities are whole where the SKU's quantities are (opening, every ledger line and open order a whole
  number): no "18.0", and the reorder point shown as ⌊ROP⌋ (for whole stock, position ≤ ROP ⇔ position ≤
  ⌊ROP⌋, so the comparison read stays true). Other SKUs show at most 2 decimals; d always does.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from jxc_xl.core.messages import phrase, word
from jxc_xl.core.valuation import Valuation
from jxc_xl.schema import Lang

_NOISE = 9  # decimals kept before floor, as core.plan


def _fmt(x: float) -> str:
    """At most 2 decimals, no trailing zeros."""
    if x != x:
        return ""
    return f"{round(float(x), 2):.2f}".rstrip("0").rstrip(".")


def _whole(x: float) -> str:
    return str(int(np.floor(round(float(x), _NOISE))))


def whole_quantities(val: Valuation, on_order: np.ndarray) -> np.ndarray:
    """Per SKU of ``val.stock``: True where its opening, closing, every ledger quantity and its open order
    quantity are whole numbers."""
    stock = val.stock
    skus = pd.Index(stock["sku"].to_numpy(dtype=object))

    def integral(a: np.ndarray) -> np.ndarray:
        a = np.nan_to_num(np.asarray(a, dtype=np.float64))
        return np.round(a, _NOISE) == np.round(a)

    whole = integral(stock["opening_qty"].to_numpy()) & integral(stock["closing_qty"].to_numpy())
    whole &= integral(on_order)
    ev = val.events
    if len(ev):
        frac = pd.Series(~integral(ev["qty"].to_numpy()), index=ev["sku"].to_numpy(dtype=object))
        has_frac = frac.groupby(level=0).any()
        whole &= ~has_frac.reindex(skus).fillna(False).to_numpy(dtype=bool)
    return whole


def day_text(day: date, as_of: date, lang: Lang) -> str:
    """A day as the reason text shows it: 12月9日 / Dec 9 (with the year when not the as-of date's)."""
    mon = word("plan_month_names", "en").split()[day.month - 1]
    key = "plan_day" if day.year == as_of.year else "plan_day_year"
    return phrase(key, lang, m=day.month, mon=mon, d=day.day, y=day.year)


def _runs_out(on: float, pos: float, d: float, arrival: pd.Timestamp, as_of: date, lang: Lang) -> str:
    """The run-out part of one reason ("" where d is 0)."""
    if not d > 0:
        return ""
    if round(on, _NOISE) < 0:
        return phrase("plan_why_backorder", lang, qty=_fmt(-on))
    if round(on, _NOISE) == 0:
        return word("plan_why_out_now", lang)
    out = as_of + timedelta(days=int(min(np.floor(round(on / d, _NOISE)), 36500)))
    if not pd.isna(arrival) and arrival.date() <= out:
        out = as_of + timedelta(days=int(min(np.floor(round(max(pos, 0.0) / d, _NOISE)), 36500)))
    return phrase("plan_why_runs_out", lang, day=day_text(out, as_of, lang))


def reasons(m: pd.DataFrame, horizon: float, lang: Lang) -> pd.Series:
    """Why each SKU of ``m`` (plan_metrics rows) is planned, in words an accountant reads (zh or en).

    ``horizon``: settings horizon_days (an SKU above its reorder point is planned when it gets there within it).
    """
    out = []
    cols = ("on_hand", "on_order", "position", "reorder_point", "avg_daily_demand", "whole", "arrival", "as_of")
    for on, ordered, pos, rop, d, whole, arrival, as_of in zip(*(m[c].to_numpy() for c in cols), strict=True):
        qty, rop_text = (_whole(pos), _whole(rop)) if whole else (_fmt(pos), _fmt(rop))
        stock = phrase("plan_why_position" if ordered > 0 else "plan_why_on_hand", lang, qty=qty)
        if round(pos - rop, _NOISE) <= 0:
            text = phrase("plan_why_below", lang, stock=stock, rop=rop_text)
        else:
            days = int(np.floor(round((pos - rop) / d, _NOISE))) if d > 0 else 0
            text = phrase("plan_why_soon", lang, stock=stock, rop=rop_text, days=days, d=_fmt(d), horizon=horizon)
        day = pd.Timestamp(as_of).date()
        out.append(text + _runs_out(on, pos, d, pd.Timestamp(arrival), day, lang))
    return pd.Series(out, index=m.index, dtype="object")
