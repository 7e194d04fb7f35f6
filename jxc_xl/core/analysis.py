"""Sales and inventory analysis per SKU: ABC by COGS, revenue, margin, turnover, DSI, slow-moving.

* revenue = sales amount − sales-return amount (cents). A sales return without price and amount is valued
  at its original sale line's unit price (same doc_no and sku), else 0.
* cogs = the valuation's out amount (sales at cost − sales returns at cost).
* gross margin = revenue − cogs; rate = margin / revenue, NaN where revenue is 0.
* avg inventory = (opening amount + closing amount) / 2, to the cent ROUND_HALF_UP; turnover = cogs / avg
  inventory and DSI = avg inventory / cogs × days in month, NaN where the divisor is ≤ 0.
* slow-moving and overstock: core.activity (days since the last sale over the history and this month, against
  settings slow_days; position against overstock_days of forecast demand) — from the plan's figures when given.
* other-issue cost and loss rate (issue 12.3): 库存's other_out amount (报损, 领用, 赠送, 样品 … at cost, not in
  COGS); loss rate = 报损 at cost ÷ (opening amount + received amount), NaN where that is ≤ 0 (``core.other``).
* ABC by COGS with settings abc_a / abc_b (invmath.abc; negative COGS counts as 0); cum_share is the
  cumulative COGS share in ABC order (COGS descending), for a Pareto chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core import invmath
from jxc_xl.core.activity import days_since_sale, slow_moving
from jxc_xl.core.book import Workbook
from jxc_xl.core.ledger import original_lines
from jxc_xl.core.money import mul_cents, to_cents
from jxc_xl.core.other import damage_cents
from jxc_xl.core.plan import as_of_day
from jxc_xl.core.valuation import Valuation


def analyse(wb: Workbook, val: Valuation, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per SKU of the valuation (stock order), index = sku.

    ``metrics``: plan_metrics(wb, val) when computed (its slow, overstock, days_since_sale are used).

    Columns: abc, revenue_cents, cogs_cents, margin_cents, gross_margin_rate, avg_inventory_cents,
    turnover, dsi, slow (bool), cum_share, sales_qty, days_since_sale, overstock (bool), other_out_cents,
    loss_rate.
    """
    s = val.settings
    stock = val.stock
    skus = pd.Index(stock["sku"].to_numpy(dtype=object))
    ev = val.events
    codes = skus.get_indexer(ev["sku"].to_numpy(dtype=object))
    kind = ev["kind"].to_numpy(dtype=object)
    is_s, is_sr = kind == "sale", kind == "sales_return"
    amt = ev["amount_cents"].to_numpy(dtype=np.int64).copy()
    # Sales returns without any price: at the original sale line's unit price.
    no_price = is_sr & np.isnan(ev["unit_price"].to_numpy(dtype=np.float64)) & (amt == 0)
    if no_price.any():
        orig = original_lines(ev)
        found = no_price & (orig >= 0)
        if found.any():
            o = orig[found]
            p = ev["unit_price"].to_numpy(dtype=np.float64)[o]
            alt = ev["amount_cents"].to_numpy(dtype=np.float64)[o] / 100.0 / ev["qty"].to_numpy(dtype=np.float64)[o]
            amt[found] = mul_cents(ev["qty"].to_numpy(dtype=np.float64)[found], np.where(np.isnan(p), alt, p))
    n = len(skus)

    def tot(mask: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=w[mask].astype(np.float64), minlength=n)

    revenue = (tot(is_s, amt) - tot(is_sr, amt)).round().astype(np.int64)
    sales_qty = tot(is_s, ev["qty"].to_numpy(dtype=np.float64))
    cogs = stock["out_cents"].to_numpy(dtype=np.int64)
    margin = revenue - cogs
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(revenue != 0, margin / np.where(revenue != 0, revenue, 1), np.nan)
        avg_raw = (stock["opening_cents"].to_numpy(np.float64) + stock["closing_cents"].to_numpy(np.float64)) / 2
        turnover = np.where(avg_raw > 0, cogs / np.where(avg_raw > 0, avg_raw, 1), np.nan)
        dsi = np.where(cogs > 0, avg_raw / np.where(cogs > 0, cogs, 1) * s.days_in_month, np.nan)
    avg_cents = to_cents(avg_raw / 100.0)
    if metrics is not None:
        since = metrics["days_since_sale"].to_numpy(np.float64)
        slow, over = metrics["slow"].to_numpy(bool), metrics["overstock"].to_numpy(bool)
    else:
        since = days_since_sale(wb, val, as_of_day(s, ev))
        slow = slow_moving(since, stock["closing_qty"].to_numpy(np.float64), s.slow_days)
        over = np.zeros(n, dtype=bool)  # needs the plan's forecast

    other_out, loss_rate = _losses(wb, val, codes)
    value = np.clip(cogs, 0, None).astype(np.float64)
    # abc_b below abc_a is a settings error; a forced sync then has no B class rather than failing.
    labels = invmath.abc(value, s.abc_a, max(s.abc_a, s.abc_b)) if n else np.array([], dtype=object)
    order = np.argsort(-value, kind="stable")
    total = value.sum()
    cum = np.full(n, np.nan)
    if total > 0:
        cum[order] = np.cumsum(value[order]) / total
    return pd.DataFrame(
        {
            "abc": np.asarray(labels, dtype=object),
            "revenue_cents": revenue,
            "cogs_cents": cogs,
            "margin_cents": margin,
            "gross_margin_rate": rate,
            "avg_inventory_cents": avg_cents,
            "turnover": turnover,
            "dsi": dsi,
            "slow": slow,
            "cum_share": cum,
            "sales_qty": sales_qty,
            "days_since_sale": since,
            "overstock": over,
            "other_out_cents": other_out,
            "loss_rate": loss_rate,
        },
        index=pd.Index(skus, name="sku"),
    )


def _losses(wb: Workbook, val: Valuation, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per SKU: other issues at cost (cents), and the loss rate 报损 ÷ (opening + received), NaN where that ≤ 0."""
    st = val.stock
    other_out = st["other_out_cents"].to_numpy(dtype=np.int64)
    received = sum(st[f"{k}_cents"].to_numpy(dtype=np.int64) for k in ("purchase", "sales_return", "count_gain"))
    base = st["opening_cents"].to_numpy(dtype=np.int64) + received + st["other_in_cents"].to_numpy(dtype=np.int64)
    damage = damage_cents(wb, val.events, codes, len(st))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(base > 0, damage / np.where(base > 0, base, 1), np.nan)
    return other_out, rate
