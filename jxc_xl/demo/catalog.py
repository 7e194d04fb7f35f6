"""The demo's items and demand: name pools, the month's calendar, the items drawn and their sales rates.

Every draw takes the shared generator; the caller keeps the order of the steps (see ``generate_month``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.periods import period_last_day, periods_before, year_month


class Product(NamedTuple):
    """One kind of item: its noun, unit, the variants that fit it, its specs and a typical unit cost in yuan."""

    noun: str
    unit: str
    variants: tuple[str, ...]
    specs: tuple[str, ...]
    cost: float


def _p(noun: str, unit: str, variants: str, specs: str, cost: float) -> Product:
    return Product(noun, unit, tuple(variants.split()), tuple(specs.split()), cost)


# category → the two suppliers (an item's brand is its supplier's) and the kinds of item it sells
_CATEGORIES: dict[str, tuple[tuple[tuple[str, str], tuple[str, str]], tuple[Product, ...]]] = {
    "杯具": (
        (("华东贸易", "富光"), ("宁波杯业", "乐扣")),
        (
            _p("保温杯", "个", "不锈钢 真空 商务 儿童 运动 双饮", "350ml 500ml 750ml", 28.0),
            _p("马克杯", "个", "陶瓷 骨瓷 搪瓷 印花 带盖 磨砂", "300ml 400ml", 9.0),
            _p("玻璃杯", "个", "耐热 双层 带把 竖纹 锤纹 刻度", "250ml 350ml 450ml", 5.0),
            _p("茶杯", "个", "青花 白瓷 粗陶 汝窑 玻璃 竹节", "120ml 150ml 200ml", 4.5),
            _p("随手杯", "个", "吸管 便携 大容量 弹盖 直饮 冷水", "400ml 600ml 1000ml", 12.0),
        ),
    ),
    "厨具": (
        (("南方家居", "苏泊尔"), ("阳江刀剪厂", "十八子")),
        (
            _p("砧板", "块", "竹制 实木 抗菌 加厚 双面 圆形", "30×20cm 36×24cm 40×28cm", 25.0),
            _p("锅铲", "把", "不锈钢 硅胶 木柄 尼龙 加长 镂空", "长35cm 长38cm", 10.0),
            _p("汤勺", "把", "不锈钢 硅胶 长柄 火锅 木质 防烫", "长28cm 长32cm", 6.0),
            _p("菜刀", "把", "切片 斩骨 多用 桑刀 中式 家用", "刃长18cm 刃长20cm", 40.0),
            _p("炒锅", "口", "不粘 铸铁 精铁 麦饭石 平底 无涂层", "30cm 32cm 34cm", 85.0),
            _p("蒸锅", "口", "双层 三层 加厚 复底 多用 电磁炉", "26cm 28cm 30cm", 90.0),
        ),
    ),
    "清洁": (
        (("利洁日化", "妙洁"), ("蓝月亮经销", "蓝月亮")),
        (
            _p("洗碗布", "包", "竹纤维 加厚 不沾油 珊瑚绒 双面 吸水", "5片装 10片装", 6.0),
            _p("拖把", "把", "平板 旋转 胶棉 免手洗 棉线 懒人", "标准款 加长杆", 30.0),
            _p("垃圾袋", "卷", "加厚 抽绳 彩色 背心式 平口 可降解", "45×50cm×30只 50×60cm×20只", 5.0),
            _p("洗洁精", "瓶", "柠檬 茶籽 生姜 果蔬 护手 浓缩", "500g 1.1kg 1.5kg", 8.0),
            _p("钢丝球", "包", "不锈钢 带柄 纳米 清洁 耐用 加大", "4个装 6个装", 3.0),
        ),
    ),
    "收纳": (
        (("义乌小商品", "茶花"), ("华东贸易", "禧天龙")),
        (
            _p("收纳盒", "个", "透明 带盖 抽屉式 折叠 桌面 分格", "小号 中号 大号", 15.0),
            _p("置物架", "个", "三层 落地 壁挂 转角 厨房 浴室", "宽60cm 宽80cm", 45.0),
            _p("衣架", "包", "防滑 植绒 实木 无痕 儿童 加粗", "10个装 20个装", 12.0),
            _p("密封罐", "个", "玻璃 塑料 陶瓷 五谷 奶粉 咖啡豆", "500ml 1000ml 1500ml", 10.0),
            _p("收纳袋", "个", "真空压缩 防尘 棉麻 衣物 被子 手提", "60×80cm 70×100cm", 8.0),
        ),
    ),
    "文具": (
        (("晨光文具", "晨光"), ("得力办公", "得力")),
        (
            _p("中性笔", "支", "按动 拔帽 速干 考试 顺滑 大容量", "0.5mm黑色 0.5mm红色 0.38mm黑色", 1.5),
            _p("笔记本", "本", "软面抄 线圈 皮面 胶装 活页 错题", "A5·80页 B5·60页 A4·100页", 4.0),
            _p("文件夹", "个", "双强力夹 资料册 拉链袋 风琴包 插页 报告", "A4", 5.0),
            _p("便利贴", "本", "彩色 荧光 横线 方格 可撕 加粘", "76×76mm·100张 76×127mm·100张", 2.0),
            _p("订书机", "个", "省力 迷你 重型 平钉 旋转 学生", "12号 24/6", 12.0),
        ),
    ),
    "纸品": (
        (("维达纸业", "维达"), ("清风经销", "清风")),
        (
            _p("抽纸", "提", "原木 竹浆 乳霜 超韧 柔滑 加厚", "3层120抽×3包 3层100抽×6包", 12.0),
            _p("卷纸", "提", "无芯 有芯 竹浆 原木 加厚 柔韧", "4层140g×10卷 3层200g×12卷", 20.0),
            _p("湿巾", "包", "婴儿 消毒 厨房 卸妆 手口 酒精", "80片 10片×6包", 6.0),
            _p("厨房纸", "提", "吸油 加厚 可水洗 大卷 懒人 食品级", "2卷装 4卷装", 10.0),
        ),
    ),
    "小家电": (
        (("美的经销", "美的"), ("小熊电器", "小熊")),
        (
            _p("电热水壶", "台", "不锈钢 玻璃 保温 恒温 折叠 大容量", "1.5L 1.7L", 70.0),
            _p("榨汁杯", "台", "便携 无线 家用 迷你 充电 大口径", "300ml 400ml", 60.0),
            _p("电饭煲", "台", "智能 迷你 球釜 预约 低糖 家用", "3L 4L 5L", 180.0),
            _p("电吹风", "台", "负离子 折叠 大功率 恒温 静音 速干", "1200W 1800W 2000W", 60.0),
            _p("加湿器", "台", "静音 上加水 香薰 大雾量 桌面 卧室", "3L 4.5L", 80.0),
        ),
    ),
    "五金": (
        (("永康五金", "长城精工"), ("义乌小商品", "公牛")),
        (
            _p("挂钩", "包", "免打孔 粘钩 不锈钢 门后 排钩 承重", "6个装 10个装", 5.0),
            _p("螺丝刀套装", "套", "精密 家用 多用 磁性 棘轮 电动批头", "6件套 24件套", 20.0),
            _p("卷尺", "个", "钢 自锁 加宽 耐摔 公英制 迷你", "3m 5m 7.5m", 8.0),
            _p("插线板", "个", "防过载 USB 总控 分控 新国标 儿童保护", "3位1.8m 5位3m", 30.0),
            _p("胶带", "卷", "透明 封箱 双面 美纹 布基 警示", "48mm×100m 18mm×20m", 3.0),
        ),
    ),
}
_MAX_PRODUCTS = max(len(ps) for _, ps in _CATEGORIES.values())
_MAX_VARIANTS = max(len(p.variants) for _, ps in _CATEGORIES.values() for p in ps)
_MAX_SPECS = max(len(p.specs) for _, ps in _CATEGORIES.values() for p in ps)

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


def _unique_names(
    cats: list[str], brand_pick: np.ndarray, kind_pick: np.ndarray, variant_pick: np.ndarray
) -> list[tuple[str, Product]]:
    """Brand + variant + noun of each item, never the same twice, and its kind: an item whose pick is taken gets
    the next free variant of its kind, then of the brand's other kinds; past every combination a model number."""
    taken: set[str] = set()
    names = []
    for cat, b, k, v in zip(cats, brand_pick, kind_pick, variant_pick, strict=True):
        brand, products = _CATEGORIES[cat][0][b][1], _CATEGORIES[cat][1]
        combos = [(p, var) for p in products[k % len(products) :] + products[: k % len(products)] for var in p.variants]
        first = combos[0][0].variants
        start = v % len(first)
        combos = combos[start : len(first)] + combos[:start] + combos[len(first) :]
        model = 0
        while True:
            found = next(((n, p) for p, var in combos if (n := _name(brand, var, p.noun, model)) not in taken), None)
            if found is not None:
                break
            model += 1
        taken.add(found[0])
        names.append(found)
    return names


def _name(brand: str, variant: str, noun: str, model: int) -> str:
    """An item's name; ``model`` > 0 numbers the items past a brand's combinations (large generated months)."""
    base = f"{brand}{variant}{noun}"
    return f"{base} {model + 1}号" if model else base


def draw_items(rng: np.random.Generator, n: int) -> Catalog:
    """``n`` items: category, supplier, name (brand, variant, noun; all different), the kind's unit and one of
    its specs, cost near the kind's, price, lead time and pack size."""
    cats = np.array(list(_CATEGORIES))
    cat_i = rng.integers(0, len(cats), n)
    sku = np.array([f"SP{i + 1:05d}" for i in range(n)], dtype=object)
    sup_pick = rng.integers(0, 2, n)
    kind_pick = rng.integers(0, _MAX_PRODUCTS, n)
    variant_pick = rng.integers(0, _MAX_VARIANTS, n)
    spec_pick = rng.integers(0, _MAX_SPECS, n)
    cat_names = [str(cats[c]) for c in cat_i]
    suppliers = np.array([_CATEGORIES[c][0][s][0] for c, s in zip(cat_names, sup_pick, strict=True)], dtype=object)
    named = _unique_names(cat_names, sup_pick, kind_pick, variant_pick)
    names = np.array([n for n, _ in named], dtype=object)
    kinds = [p for _, p in named]
    units = np.array([p.unit for p in kinds], dtype=object)
    spec = np.array([p.specs[i % len(p.specs)] for p, i in zip(kinds, spec_pick, strict=True)], dtype=object)
    base_cost = np.array([p.cost for p in kinds])
    cost = np.round(base_cost * rng.lognormal(0.0, 0.3, n), 2).clip(0.5)
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
