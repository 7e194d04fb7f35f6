"""Why an SKU is in the purchase plan, in words (tblPlan.reason), in the workbook's language.

* Stock part: "库存 18" / "On hand 18" without goods on order, else "库存+在途 18" / "On hand + on order 18"
  (the inventory position; the plan's on_order column shows the split).
* Then "≤ 再订货点 42" when the position is at or below the reorder point, else "约 N 天后降到再订货点 42（日均
  需求 d）" with N = ⌊(position − ROP)/d⌋ (the days until order_by).
* Then, where daily demand d > 0, when stock runs out: on hand ≤ 0 is out of stock now (a negative on hand is
  backordered); else on hand lasts ⌊on hand/d⌋ days from the as-of date, unless the earliest open order is
  expected by then, in which case the whole position lasts ⌊position/d⌋ days (every open order assumed to
  arrive in time). The day is shown as "12月9日" / "Dec 9", with the year when it is not the as-of date's.
* A slow-moving line (core.activity; planned at 0) starts with "呆滞：已 N 天无销售，不建议订货；" /
  "Slow-moving: no sale for N days, no order suggested; ".
* Quantities are whole where the SKU's quantities are (opening, every ledger line and open order a whole
  number): no "18.0", and the reorder point shown as ⌊ROP⌋ (for whole stock, position ≤ ROP ⇔ position ≤
  ⌊ROP⌋, so the comparison read stays true). Other SKUs show at most 2 decimals; d always does.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.messages import word
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
        row = val.event_rows
        frac = ~integral(ev["qty"].to_numpy()) & (row >= 0)
        whole &= np.bincount(row[frac], minlength=len(skus))[: len(skus)] == 0
    return whole


class _Texts(NamedTuple):
    """The reason templates of one language, fetched once per plan."""

    on_hand: str
    position: str
    below: str
    soon: str
    runs_out: str
    out_now: str
    backorder: str
    slow: str
    day: str
    day_year: str
    months: list[str]

    @classmethod
    def of(cls, lang: Lang) -> _Texts:
        keys = ("on_hand", "position", "below", "soon", "runs_out", "out_now", "backorder")
        on_hand, position, below, soon, runs_out, out_now, backorder = (word(f"plan_why_{k}", lang) for k in keys)
        return cls(
            on_hand=on_hand,
            position=position,
            below=below,
            soon=soon,
            runs_out=runs_out,
            out_now=out_now,
            backorder=backorder,
            slow=word("plan_why_slow", lang),
            day=word("plan_day", lang),
            day_year=word("plan_day_year", lang),
            months=word("plan_month_names", "en").split(),
        )


def day_text(day: date, as_of: date, lang: Lang) -> str:
    """A day as the reason text shows it: 12月9日 / Dec 9 (with the year when not the as-of date's)."""
    return _day(_Texts.of(lang), day, as_of)


def _day(t: _Texts, day: date, as_of: date) -> str:
    form = t.day if day.year == as_of.year else t.day_year
    return form.format(m=day.month, mon=t.months[day.month - 1], d=day.day, y=day.year)


def _days(qty: np.ndarray, d: np.ndarray) -> np.ndarray:
    """⌊qty / d⌋ whole days (0 where d is 0), at most 100 years."""
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.floor(np.round(qty / np.where(d > 0, d, 1.0), _NOISE))
    return np.clip(np.nan_to_num(np.where(d > 0, days, 0.0)), 0, 36500).astype(np.int64)


def _run_out_days(m: pd.DataFrame) -> np.ndarray:
    """Days from the as-of date until stock runs out: on hand alone, or the whole position where the earliest
    open order is expected by the day on hand runs out."""
    on, pos = m["on_hand"].to_numpy(np.float64), m["position"].to_numpy(np.float64)
    d = m["avg_daily_demand"].to_numpy(np.float64)
    alone = _days(on, d)
    as_of = m["as_of"].to_numpy(dtype="datetime64[D]")
    arrival = m["arrival"].to_numpy(dtype="datetime64[D]")
    in_time = ~np.isnat(arrival) & (arrival <= as_of + alone.astype("timedelta64[D]"))
    return np.where(in_time, _days(np.maximum(pos, 0.0), d), alone)


def _runs_out(t: _Texts, on: float, d: float, out: date, as_of: date) -> str:
    """The run-out part of one reason ("" where d is 0)."""
    if not d > 0:
        return ""
    if round(on, _NOISE) < 0:
        return t.backorder.format(qty=_fmt(-on))
    if round(on, _NOISE) == 0:
        return t.out_now
    return t.runs_out.format(day=_day(t, out, as_of))


def reasons(m: pd.DataFrame, horizon: float, lang: Lang) -> pd.Series:
    """Why each SKU of ``m`` (plan_metrics rows) is planned, in words an accountant reads (zh or en).

    ``horizon``: settings horizon_days (an SKU above its reorder point is planned when it gets there within it).
    """
    t = _Texts.of(lang)
    d = m["avg_daily_demand"].to_numpy(np.float64)
    pos, rop = m["position"].to_numpy(np.float64), m["reorder_point"].to_numpy(np.float64)
    to_rop = _days(pos - rop, d)
    as_of = pd.to_datetime(m["as_of"]).dt.date.to_numpy(dtype=object)
    out_day = [a + timedelta(days=int(k)) for a, k in zip(as_of, _run_out_days(m), strict=True)]
    rows = zip(  # Python floats: round() of a numpy scalar is slow
        m["on_hand"].to_numpy(np.float64).tolist(),
        m["on_order"].to_numpy(np.float64).tolist(),
        pos.tolist(),
        rop.tolist(),
        d.tolist(),
        to_rop.tolist(),
        m["whole"].to_numpy(dtype=bool).tolist(),
        out_day,
        as_of,
        strict=True,
    )
    out = []
    for on, ordered, p, r, dd, days, whole, out_at, day in rows:
        qty, rop_text = (_whole(p), _whole(r)) if whole else (_fmt(p), _fmt(r))
        stock = (t.position if ordered > 0 else t.on_hand).format(qty=qty)
        if round(p - r, _NOISE) <= 0:
            text = t.below.format(stock=stock, rop=rop_text)
        else:
            text = t.soon.format(stock=stock, rop=rop_text, days=days, d=_fmt(dd), horizon=_fmt(horizon))
        out.append(text + _runs_out(t, on, dd, out_at, day))
    reason = pd.Series(out, index=m.index, dtype="object")
    if "slow" in m and m["slow"].any():  # a slow-moving line is planned at 0: say why first
        slow = m["slow"].to_numpy(dtype=bool)
        since = m["days_since_sale"].to_numpy(np.float64)
        words = [t.slow.format(days=_whole(x)) for x in since[slow]]
        reason.loc[slow] = pd.Series(
            [w + r for w, r in zip(words, reason[slow], strict=True)], index=reason.index[slow]
        )
    return reason
