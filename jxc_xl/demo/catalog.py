"""The demo's items and demand: name pools, the month's calendar, the items drawn and their sales rates.

Every draw takes the shared generator; the caller keeps the order of the steps (see ``generate_month``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from jxc_xl.core.periods import period_last_day, periods_before, year_month

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
CUSTOMERS = tuple(
    f"{city}{kind}"
    for city in ("张记", "李氏", "王家", "福源", "永辉", "华联", "惠民", "好邻居", "万家", "新星", "阳光", "金桥")
    for kind in ("超市", "百货", "便利店", "商行")
)
SALES_RETURN_REASONS = ("包装破损", "质量问题", "客户退货", "发错货")
PURCHASE_RETURN_REASONS = ("质量问题", "规格不符", "多发退回")
_PACKS = np.array([1, 1, 1, 1, 6, 12, 24])


@dataclass(frozen=True)
class Calendar:
    """The month's days and their weight: quiet weekends, busy Fridays."""

    period: str
    month: int
    days: int
    first: np.datetime64
    day_dates: np.ndarray
    day_factor: np.ndarray

    def day_of(self, dates: np.ndarray) -> np.ndarray:
        """0-based day of the month of datetime64[ns] ``dates``."""
        return (dates - self.first.astype("datetime64[ns]")) // np.timedelta64(1, "D")


def month_calendar(period: str) -> Calendar:
    """The days of ``period`` (YYYY-MM) and their weekday weights."""
    year, month = year_month(period)
    days = period_last_day(period).day
    first = np.datetime64(date(year, month, 1), "D")
    day_dates = first + np.arange(days)
    weekday = (day_dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    day_factor = np.where(weekday >= 5, 0.55, 1.0) * np.where(weekday == 4, 1.2, 1.0)
    return Calendar(period, month, days, first, day_dates, day_factor)


@dataclass(frozen=True)
class Catalog:
    """The items drawn for the month: one entry per SKU in every array."""

    sku: np.ndarray
    category: np.ndarray
    supplier: np.ndarray
    name: np.ndarray
    unit: np.ndarray
    spec: np.ndarray
    cost: np.ndarray
    price: np.ndarray
    lead: np.ndarray
    lead_sd: np.ndarray
    pack: np.ndarray

    @property
    def n(self) -> int:
        """The number of items."""
        return len(self.sku)


def draw_items(rng: np.random.Generator, n: int) -> Catalog:
    """``n`` items: category, supplier, name, unit, spec, cost, price, lead time and pack size."""
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
    category = cats[cat_i].astype(object)
    return Catalog(sku, category, suppliers, names, units, spec, cost, price, lead, lead_sd, pack)


@dataclass(frozen=True)
class Demand:
    """Sales lines wanted by customers (before stock limits them), ordered by day, then SKU."""

    rate: np.ndarray  # expected lines per SKU per weekday-average day
    mean_qty: np.ndarray  # expected qty per line
    line_sku: np.ndarray
    line_day: np.ndarray
    line_qty: np.ndarray

    @property
    def daily(self) -> np.ndarray:
        """Expected units per SKU per day (weekday-average)."""
        return self.rate * self.mean_qty


def draw_demand(rng: np.random.Generator, items: Catalog, cal: Calendar, n_lines: int) -> Demand:
    """Long-tailed line rates scaled so the month has about ``n_lines`` ledger lines, and the lines drawn."""
    n, days = items.n, cal.days
    rate = rng.lognormal(0.0, 1.3, n)  # long tail: a few fast movers, many slow
    intermittent = rng.random(n) < 0.3
    rate = np.where(intermittent, rate * 0.08, rate)  # zero-inflated tail: most days nothing
    sales_target = max(0.5 * n_lines, 0.975 * n_lines - n)  # the rest: ~1 purchase line per SKU, counts, returns
    rate *= sales_target / (rate.sum() * cal.day_factor.sum())
    mean_qty = 1.0 + rng.gamma(1.2, 2.0, n) * np.where(items.price < 20, 2.0, 0.6)  # cheap items go in bigger lots
    counts = rng.poisson(np.outer(rate, cal.day_factor))  # (n, days) line counts
    line_sku = np.repeat(np.tile(np.arange(n), days), counts.T.ravel())  # ordered by day, then sku
    line_day = np.repeat(np.repeat(np.arange(days), n), counts.T.ravel())
    line_qty = (1 + rng.poisson(mean_qty[line_sku] - 1.0)).astype(np.int64)
    return Demand(rate, mean_qty, line_sku, line_day, line_qty)


def items_table(rng: np.random.Generator, items: Catalog) -> pd.DataFrame:
    """tblItems' rows; a fifth of the items get a minimum order quantity."""
    moq = np.where(rng.random(items.n) < 0.2, np.maximum(items.pack, 10), np.nan)
    return pd.DataFrame(
        {
            "sku": items.sku,
            "name": items.name,
            "spec": items.spec,
            "unit": items.unit,
            "category": items.category,
            "supplier": items.supplier,
            "cost": items.cost,
            "price": items.price,
            "lead_time_days": items.lead.astype(float),
            "lead_time_sd_days": items.lead_sd.astype(float),
            "order_cost": np.nan,
            "moq": moq,
            "order_multiple": np.where(items.pack > 1, items.pack, np.nan).astype(float),
            "safety_stock": np.nan,
            "active": "yes",
        }
    )


def history_table(rng: np.random.Generator, items: Catalog, demand: Demand, cal: Calendar) -> pd.DataFrame:
    """Twelve months of demand before this one: this month's rates with a yearly season and noise."""
    n = items.n
    periods = periods_before(cal.period, 12)
    month_mean = demand.daily * cal.day_factor.mean() * 30.4  # expected units in an average month
    season = 1.0 + 0.15 * np.sin(2 * np.pi * (np.arange(12) + cal.month) / 12)
    lam = np.outer(month_mean, season) * rng.gamma(8.0, 1 / 8.0, (n, 12))
    hist_qty = rng.poisson(lam)
    return pd.DataFrame(
        {
            "sku": np.repeat(items.sku, 12),
            "period": np.tile(np.array(periods, dtype=object), n),
            "demand_qty": hist_qty.ravel().astype(float),
        }
    )
