"""A seeded, realistic month of a small trading company: the data behind ``jxc demo`` and the benchmarks.

Pure data (``generate_month``) plus ``write_demo`` that writes it with the template builder. Demand is long
tailed (lognormal line rates, a zero-inflated intermittent tail, weekday seasonality); stock follows a
simple (s, S) reorder policy simulated day by day (vectorised over SKUs), so stock never goes negative in
the contract's event order; returns reference real original lines; a mid-month count has small
differences. Everything is vectorised: 500,000 lines over 10,000 SKUs take seconds.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jxc_xl.core.money import from_cents, mul_cents
from jxc_xl.core.periods import periods_before
from jxc_xl.schema import PERIOD_RE, Lang

__all__ = ["DemoMonth", "generate_month", "write_demo"]

DEFAULT_SEED = 20261101
DEFAULT_PERIOD = "2026-11"

# category → (supplier names, item nouns, units, typical unit cost in yuan)
_CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], float]] = {
    "杯具": (("华东贸易", "宁波杯业"), ("保温杯", "马克杯", "玻璃杯", "随手杯", "茶杯"), ("个",), 15.0),
    "厨具": (("南方家居", "阳江刀剪厂"), ("砧板", "锅铲", "汤勺", "菜刀", "炒锅", "蒸锅"), ("把", "个", "块"), 35.0),
    "清洁": (("利洁日化", "蓝月亮经销"), ("洗碗布", "拖把", "垃圾袋", "洗洁精", "钢丝球"), ("包", "瓶", "个"), 6.0),
    "收纳": (("义乌小商品", "华东贸易"), ("收纳盒", "置物架", "衣架", "密封罐", "收纳袋"), ("个", "套"), 18.0),
    "文具": (("晨光文具", "得力办公"), ("中性笔", "笔记本", "文件夹", "便利贴", "订书机"), ("支", "本", "个"), 4.0),
    "纸品": (("维达纸业", "清风经销"), ("抽纸", "卷纸", "湿巾", "厨房纸"), ("提", "包"), 12.0),
    "小家电": (("美的经销", "小熊电器"), ("电热水壶", "榨汁杯", "电饭煲", "电吹风", "加湿器"), ("台",), 120.0),
    "五金": (("永康五金", "义乌小商品"), ("挂钩", "螺丝刀套装", "卷尺", "插线板", "胶带"), ("个", "套", "卷"), 10.0),
}
_ADJECTIVES = ("经典", "加厚", "便携", "家用", "简约", "北欧", "日式", "多功能", "大号", "迷你", "耐热", "防滑")
_SPECS = ("小号", "中号", "大号", "300ml", "500ml", "1L", "2L", "10只装", "20只装", "白色", "灰色", "蓝色", "套装")
_CUSTOMERS = tuple(
    f"{city}{kind}"
    for city in ("张记", "李氏", "王家", "福源", "永辉", "华联", "惠民", "好邻居", "万家", "新星", "阳光", "金桥")
    for kind in ("超市", "百货", "便利店", "商行")
)
_SALES_RETURN_REASONS = ("包装破损", "质量问题", "客户退货", "发错货")
_PURCHASE_RETURN_REASONS = ("质量问题", "规格不符", "多发退回")
_PACKS = np.array([1, 1, 1, 1, 6, 12, 24])


@dataclass
class DemoMonth:
    """Settings (setting key → value) and rows per table (table name → frame keyed by column key)."""

    period: str
    settings: dict[str, Any]
    data: dict[str, pd.DataFrame]

    @property
    def n_lines(self) -> int:
        return sum(len(self.data[t]) for t in ("tblPurchases", "tblSales", "tblReturns", "tblCounts"))


def _doc_numbers(prefix: str, period: str, order: np.ndarray, width: int) -> np.ndarray:
    """Dense 1-based numbers for sorted group ids ``order`` → 'PO-202611-0001' strings."""
    ym = period.replace("-", "")
    w = max(width, len(str(int(order.max()) + 1 if len(order) else 1)))
    return np.array([f"{prefix}-{ym}-{i + 1:0{w}d}" for i in order], dtype=object)


def _group_rank(keys: np.ndarray) -> np.ndarray:
    """For a sorted key array: 0-based rank of each element within its run of equal keys."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, keys[1:] != keys[:-1]]
    idx = np.arange(n)
    first = np.maximum.accumulate(np.where(start, idx, 0))
    return idx - first


def generate_month(
    *, seed: int = DEFAULT_SEED, period: str = DEFAULT_PERIOD, n_skus: int = 320, n_lines: int = 6000
) -> DemoMonth:
    """A clean, realistic month: no validation finding. ``n_lines`` is the approximate ledger line count."""
    if not PERIOD_RE.match(period):
        raise ValueError(f"period {period!r} is not YYYY-MM")
    rng = np.random.default_rng(seed)
    year, month = int(period[:4]), int(period[5:7])
    days = calendar.monthrange(year, month)[1]
    first = np.datetime64(date(year, month, 1), "D")
    day_dates = first + np.arange(days)
    weekday = (day_dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    day_factor = np.where(weekday >= 5, 0.55, 1.0) * np.where(weekday == 4, 1.2, 1.0)  # quiet weekends, busy Fri

    # --- items ---------------------------------------------------------------------------------------
    n = n_skus
    cats = np.array(list(_CATEGORIES))
    cat_i = rng.integers(0, len(cats), n)
    sku = np.array([f"SP{i + 1:05d}" for i in range(n)], dtype=object)
    sup_pick = rng.integers(0, 2, n)
    suppliers = np.array([_CATEGORIES[cats[c]][0][s] for c, s in zip(cat_i, sup_pick, strict=True)], dtype=object)
    noun_pick = rng.integers(0, 6, n)
    adj = rng.choice(np.array(_ADJECTIVES, dtype=object), n)
    spec = rng.choice(np.array(_SPECS, dtype=object), n)
    names = np.array(
        [
            f"{a}{_CATEGORIES[cats[c]][1][k % len(_CATEGORIES[cats[c]][1])]}"
            for a, c, k in zip(adj, cat_i, noun_pick, strict=True)
        ],
        dtype=object,
    )
    units = np.array(
        [_CATEGORIES[cats[c]][2][k % len(_CATEGORIES[cats[c]][2])] for c, k in zip(cat_i, noun_pick, strict=True)],
        dtype=object,
    )
    base_cost = np.array([_CATEGORIES[c][3] for c in cats])[cat_i]
    cost = np.round(base_cost * rng.lognormal(0.0, 0.45, n), 2).clip(0.5)
    price = np.round(cost * rng.uniform(1.25, 1.9, n), 1).clip(0.9)
    lead = rng.integers(3, 15, n)
    lead_sd = rng.choice(np.array([0, 0, 1, 1, 2]), n)
    pack = rng.choice(_PACKS, n)

    # --- demand: sales lines per SKU per day -----------------------------------------------------------
    rate = rng.lognormal(0.0, 1.3, n)  # long tail: a few fast movers, many slow
    intermittent = rng.random(n) < 0.3
    rate = np.where(intermittent, rate * 0.08, rate)  # zero-inflated tail: most days nothing
    sales_target = max(0.5 * n_lines, 0.975 * n_lines - n)  # the rest: ~1 purchase line per SKU, counts, returns
    rate *= sales_target / (rate.sum() * day_factor.sum())
    mean_qty = 1.0 + rng.gamma(1.2, 2.0, n) * np.where(price < 20, 2.0, 0.6)  # cheap items go in bigger lots
    counts = rng.poisson(np.outer(rate, day_factor))  # (n, days) line counts
    line_sku = np.repeat(np.tile(np.arange(n), days), counts.T.ravel())  # ordered by day, then sku
    line_day = np.repeat(np.repeat(np.arange(days), n), counts.T.ravel())
    line_qty = (1 + rng.poisson(mean_qty[line_sku] - 1.0)).astype(np.int64)

    # --- stock simulation, (s, S) per SKU, day by day ---------------------------------------------------
    daily = rate * mean_qty  # expected units per day (weekday-average)
    s_level = np.ceil(daily * (lead + 2) * 1.15 + 1).astype(np.int64)
    big_s = s_level + np.ceil(daily * rng.uniform(7, 20, n) + pack).astype(np.int64)
    on_hand = (s_level + rng.integers(0, 1 << 30, n) % (big_s - s_level + 1)).astype(np.int64)
    opening_qty = on_hand.copy()
    on_order = np.zeros(n, dtype=np.int64)
    arrivals = np.zeros((n, days + 40), dtype=np.int64)
    kept_qty = np.zeros(len(line_qty), dtype=np.int64)
    day_bounds = np.searchsorted(line_day, np.arange(days + 1))
    po_sku, po_day, po_qty = [], [], []
    after_sales = np.zeros((n, days), dtype=np.int64)
    for d in range(days):
        on_hand += arrivals[:, d]
        on_order -= arrivals[:, d]
        lo, hi = day_bounds[d], day_bounds[d + 1]
        if hi > lo:
            s_i, q = line_sku[lo:hi], line_qty[lo:hi]
            cum = np.cumsum(q)
            start = np.r_[True, s_i[1:] != s_i[:-1]]
            base = np.maximum.accumulate(np.where(start, cum - q, 0))
            before = cum - q - base  # qty of earlier lines of the same sku today
            avail = on_hand[s_i]
            kq = np.clip(avail - before, 0, q)  # fill in order; the line that runs out gets the remainder
            kept_qty[lo:hi] = kq
            on_hand -= np.bincount(s_i, weights=kq, minlength=n).astype(np.int64)
        after_sales[:, d] = on_hand
        ip = on_hand + on_order
        need = np.flatnonzero(ip <= s_level)
        if len(need):
            q = big_s[need] - ip[need]
            q = (np.ceil(q / pack[need]) * pack[need]).astype(np.int64)
            arr = d + 1 + lead[need]
            arrivals[need, arr] += q
            on_order[need] += q
            inside = arr < days
            po_sku.append(need[inside])
            po_day.append(arr[inside])
            po_qty.append(q[inside])

    keep = kept_qty > 0
    s_sku, s_day, s_qty = line_sku[keep], line_day[keep], kept_qty[keep]

    # --- sales documents: lines of one day grouped into orders, one line per SKU per order -----------
    order_key = s_day.astype(np.int64) * n + s_sku
    rank = _group_rank(order_key)  # 0 for the first line of a sku on a day, 1 for its second, …
    shuffle = rng.random(len(s_sku))
    o = np.lexsort((shuffle, rank, s_day))
    s_sku, s_day, s_qty, rank = s_sku[o], s_day[o], s_qty[o], rank[o]
    block = s_day.astype(np.int64) * 1000 + np.minimum(rank, 999)
    pos = _group_rank(block)
    sizes = np.cumsum(rng.integers(1, 7, len(s_sku) + 1))
    local = np.searchsorted(sizes, pos, side="right")
    doc_key = block * (len(s_sku) + 2) + local
    uniq, doc_idx = np.unique(doc_key, return_inverse=True)
    so_no = _doc_numbers("SO", period, np.arange(len(uniq)), 5)[doc_idx]
    cust = rng.choice(np.array(_CUSTOMERS, dtype=object), len(uniq))[doc_idx]
    disc = np.where(rng.random(len(uniq)) < 0.12, rng.choice(np.array([0.9, 0.95, 0.98]), len(uniq)), 1.0)[doc_idx]
    s_price = np.round(price[s_sku] * disc, 2)
    s_amount = from_cents(mul_cents(s_qty, s_price))
    o = np.lexsort((s_sku, doc_idx))
    sales = pd.DataFrame(
        {
            "date": day_dates[s_day[o]].astype("datetime64[ns]"),
            "doc_no": so_no[o],
            "customer": cust[o],
            "sku": sku[s_sku[o]],
            "qty": s_qty[o].astype(float),
            "unit_price": s_price[o],
            "amount": s_amount[o],
            "note": None,
        }
    )

    # --- purchases: one document per supplier and arrival day ---------------------------------------
    p_sku = np.concatenate(po_sku) if po_sku else np.zeros(0, dtype=np.int64)
    p_day = np.concatenate(po_day) if po_day else np.zeros(0, dtype=np.int64)
    p_qty = np.concatenate(po_qty) if po_qty else np.zeros(0, dtype=np.int64)
    sup_codes, sup_idx = np.unique(suppliers, return_inverse=True)
    o = np.lexsort((p_sku, sup_idx[p_sku], p_day))
    p_sku, p_day, p_qty = p_sku[o], p_day[o], p_qty[o]
    pkey = p_day.astype(np.int64) * len(sup_codes) + sup_idx[p_sku]
    _, p_doc = np.unique(pkey, return_inverse=True)
    po_no = _doc_numbers("PO", period, p_doc, 4) if len(p_doc) else np.zeros(0, dtype=object)
    p_price = np.round(cost[p_sku] * rng.uniform(0.97, 1.03, len(p_sku)), 2)
    purchases = pd.DataFrame(
        {
            "date": day_dates[p_day].astype("datetime64[ns]"),
            "doc_no": po_no,
            "supplier": suppliers[p_sku],
            "sku": sku[p_sku],
            "qty": p_qty.astype(float),
            "unit_price": p_price,
            "amount": from_cents(mul_cents(p_qty, p_price)),
            "note": None,
        }
    )

    # --- balances by day: after sales (before counts) and end of day ---------------------------------
    delta = np.zeros((n, days), dtype=np.int64)  # later movements' effect from their day on

    def future_min(bal: np.ndarray) -> np.ndarray:
        return np.minimum.accumulate(bal[:, ::-1], axis=1)[:, ::-1]

    # sales returns: ~0.4% of sales lines, one return per original line, 1–5 days after the sale (so also
    # after it in event order, where sales returns of a date come before its sales)
    sale_day = (sales["date"].to_numpy() - first.astype("datetime64[ns]")) // np.timedelta64(1, "D")
    eligible = np.flatnonzero(sale_day < days - 1)
    n_sr = min(len(eligible), max(1, int(len(sales) * 0.004)))
    pick = np.sort(rng.choice(eligible, n_sr, replace=False)) if n_sr else np.zeros(0, dtype=np.int64)
    sr_orig = sales.iloc[pick]
    sr_sku = np.searchsorted(sku, sr_orig["sku"].to_numpy())
    sr_day = np.minimum(
        ((sr_orig["date"].to_numpy() - first.astype("datetime64[ns]")) // np.timedelta64(1, "D"))
        + rng.integers(1, 6, n_sr),
        days - 1,
    ).astype(np.int64)
    sr_qty = np.maximum(1, np.floor(sr_orig["qty"].to_numpy() * rng.uniform(0.1, 1.0, n_sr))).astype(np.int64)
    np.add.at(delta, (sr_sku, sr_day), sr_qty)  # receipts only raise later balances

    # purchase returns: ~3% of purchase lines, at most one per SKU, capped so stock stays ≥ 0
    bal = after_sales + np.cumsum(delta, axis=1)
    n_pr = int(len(purchases) * 0.03) + (1 if len(purchases) else 0)
    pick = rng.choice(len(purchases), min(n_pr, len(purchases)), replace=False) if len(purchases) else []
    pr_orig = purchases.iloc[np.sort(pick)].drop_duplicates("sku")
    pr_sku = np.searchsorted(sku, pr_orig["sku"].to_numpy())
    pr_day = np.minimum(
        ((pr_orig["date"].to_numpy() - first.astype("datetime64[ns]")) // np.timedelta64(1, "D"))
        + rng.integers(0, 4, len(pr_orig)),
        days - 1,
    ).astype(np.int64)
    room = future_min(bal)[pr_sku, pr_day]  # lowest later balance: a return may take at most this
    want = np.maximum(1, np.floor(pr_orig["qty"].to_numpy() * rng.uniform(0.05, 0.3, len(pr_orig))))
    pr_qty = np.minimum(want, room).astype(np.int64)
    ok = pr_qty >= 1
    pr_orig, pr_sku, pr_day, pr_qty = pr_orig[ok], pr_sku[ok], pr_day[ok], pr_qty[ok]
    np.add.at(delta, (pr_sku, pr_day), -pr_qty)
    bal = after_sales + np.cumsum(delta, axis=1)

    ret = pd.DataFrame(
        {
            "date": np.concatenate([day_dates[sr_day], day_dates[pr_day]]).astype("datetime64[ns]"),
            "kind": ["sales_return"] * len(sr_orig) + ["purchase_return"] * len(pr_orig),
            "orig_doc_no": np.concatenate([sr_orig["doc_no"].to_numpy(), pr_orig["doc_no"].to_numpy()]),
            "sku": np.concatenate([sr_orig["sku"].to_numpy(), pr_orig["sku"].to_numpy()]),
            "qty": np.concatenate([sr_qty, pr_qty]).astype(float),
            "unit_price": np.concatenate([sr_orig["unit_price"].to_numpy(), pr_orig["unit_price"].to_numpy()]),
            "reason": np.concatenate(
                [
                    rng.choice(np.array(_SALES_RETURN_REASONS, dtype=object), len(sr_orig)),
                    rng.choice(np.array(_PURCHASE_RETURN_REASONS, dtype=object), len(pr_orig)),
                ]
            ),
        }
    )
    ret = ret.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)
    ret.insert(1, "doc_no", _doc_numbers("RT", period, np.arange(len(ret)), 4) if len(ret) else [])
    ret.insert(7, "amount", from_cents(mul_cents(ret["qty"].to_numpy(), ret["unit_price"].to_numpy())))

    # --- mid-month count: small differences, losses never below a later zero -------------------------
    cday = min(14, days - 1)
    n_cnt = min(n, max(5, int(n_lines * 0.015)))
    c_sku = np.sort(rng.choice(n, n_cnt, replace=False))
    book = bal[c_sku, cday]
    room = future_min(bal[:, cday:])[c_sku, 0]
    diff = rng.choice(np.array([0, 0, 0, 0, 0, 0, -1, -1, -2, 1]), n_cnt)
    diff = np.maximum(diff, -room)
    counted = book + diff
    counts_df = pd.DataFrame(
        {
            "date": np.full(n_cnt, day_dates[cday]).astype("datetime64[ns]"),
            "sku": sku[c_sku],
            "counted_qty": counted.astype(float),
            "note": np.where(diff == 0, None, "盘点差异"),
        }
    )

    # --- opening, items, history ----------------------------------------------------------------------
    open_cost = np.round(cost * rng.uniform(0.97, 1.03, n), 2)
    opening = pd.DataFrame(
        {
            "sku": sku,
            "qty": opening_qty.astype(float),
            "unit_cost": open_cost,
            "amount": from_cents(mul_cents(opening_qty, open_cost)),
        }
    )
    moq = np.where(rng.random(n) < 0.2, np.maximum(pack, 10), np.nan)
    items = pd.DataFrame(
        {
            "sku": sku,
            "name": names,
            "spec": spec,
            "unit": units,
            "category": cats[cat_i].astype(object),
            "supplier": suppliers,
            "cost": cost,
            "price": price,
            "lead_time_days": lead.astype(float),
            "lead_time_sd_days": lead_sd.astype(float),
            "order_cost": np.nan,
            "moq": moq,
            "order_multiple": np.where(pack > 1, pack, np.nan).astype(float),
            "safety_stock": np.nan,
            "active": "yes",
        }
    )
    periods = periods_before(period, 12)
    month_mean = daily * day_factor.mean() * 30.4  # expected units in an average month
    season = 1.0 + 0.15 * np.sin(2 * np.pi * (np.arange(12) + month) / 12)
    lam = np.outer(month_mean, season) * rng.gamma(8.0, 1 / 8.0, (n, 12))
    hist_qty = rng.poisson(lam)
    history = pd.DataFrame(
        {
            "sku": np.repeat(sku, 12),
            "period": np.tile(np.array(periods, dtype=object), n),
            "demand_qty": hist_qty.ravel().astype(float),
        }
    )
    settings = {
        "company": "示例商贸有限公司",
        "period": period,
        "valuation": "moving_average",
        # One purchase order covers many SKUs of a supplier, so the fixed cost per SKU line is small; the
        # contract's default of 200 would make slow movers' EOQ cover a year or more of demand.
        "order_cost": 30,
    }
    data = {
        "tblItems": items,
        "tblOpening": opening,
        "tblPurchases": purchases,
        "tblSales": sales,
        "tblReturns": ret,
        "tblCounts": counts_df,
        "tblHistory": history,
    }
    return DemoMonth(period, settings, data)


def demo_path(directory: str | Path, period: str = DEFAULT_PERIOD) -> Path:
    """Where ``write_demo`` puts the month of ``period``."""
    return Path(directory) / f"jxc_demo_{period}.xlsx"


def write_demo(
    directory: str | Path,
    *,
    lang: Lang = "zh",
    seed: int = DEFAULT_SEED,
    period: str = DEFAULT_PERIOD,
    n_skus: int = 320,
    n_lines: int = 6000,
    settings: dict[str, Any] | None = None,
) -> Path:
    """Generate the demo month and write ``jxc_demo_YYYY-MM.xlsx`` into ``directory``; returns its path.

    ``settings`` overrides the demo's settings (e.g. ``{"valuation": "fifo"}``).
    """
    from jxc_xl.io.template import build_workbook  # file formats stay out of the data part

    m = generate_month(seed=seed, period=period, n_skus=n_skus, n_lines=n_lines)
    path = demo_path(directory, period)
    return build_workbook(path, lang=lang, period=period, settings={**m.settings, **(settings or {})}, data=m.data)
