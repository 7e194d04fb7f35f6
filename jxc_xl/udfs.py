"""Excel custom functions (=JXC.EOQ(...) etc.): a thin xlwings adapter over invmath.

Works with xlwings Lite / xlwings Server (Office.js custom functions) and classic
xlwings. Every argument arrives as a 2-D list (``ndim=2``) so that rows, columns and
blocks keep their orientation; the core broadcasts them with numpy rules and the result
spills in the broadcast shape. A 1×1 result is returned as a plain value.

Empty cells give empty result cells (NaN → ``None``): the officejs writer would turn a
NaN into #NUM!. Every argument is declared ``err_to_str=True`` so an Excel error cell
(#N/A, #DIV/0!, …) arrives as its text and is reported as "… is an Excel error (#N/A)"
instead of silently counting as an empty cell. Invalid arguments raise
:class:`FormulaArgumentError`, an ``XlwingsError``: xlwings Server forwards its text
verbatim to Excel (a #VALUE! whose hover message names the argument and the allowed
range), while other exceptions are masked as "An error occurred" in production.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import xlwings as xw

from jxc_xl.core import invmath as im
from jxc_xl.schema import DEMAND_CLASSES

__xlwings_func_namespace__ = "JXC"


def _arg(name: str, doc: str, *, block: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One argument's convention, in one place: a range arrives as a 2-D block (``block``) so rows, columns
    and blocks broadcast; Excel error cells arrive as their text (#N/A) so the core names them instead of
    taking them for blanks."""
    return xw.arg(name, err_to_str=True, doc=doc, **({"ndim": 2} if block else {}))


def _args(*specs: tuple[str, str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Several (name, doc) arguments of ``_arg`` as one decorator: the leading arguments a family of functions
    shares are declared once. Each use makes fresh ``xw.arg`` decorators (xlwings pops ``doc`` from one)."""

    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name, doc in reversed(specs):
            fn = _arg(name, doc=doc)(fn)
        return fn

    return apply


# Help of the arguments several functions share, worded once.
_DOC_ANNUAL_DEMAND = "年需求量 Annual demand λ (units/year, ≥ 0)"
_DOC_LEAD_TIME = "提前期 Lead time L (days, ≥ 0)"
_DOC_ORDER_COST = "每次订货成本 Fixed cost per order K (currency/order, ≥ 0)"

# The leading arguments of each family of functions.
_EOQ_ARGS = _args(
    ("annual_demand", _DOC_ANNUAL_DEMAND),
    ("order_cost", _DOC_ORDER_COST),
    ("holding_cost", "单位年持有成本 Holding cost h (currency per unit per year, > 0)"),
)
_DISCOUNT_ARGS = _args(
    ("annual_demand", _DOC_ANNUAL_DEMAND),
    ("order_cost", _DOC_ORDER_COST),
    ("holding_rate", "年持有成本率 Holding cost rate i (fraction of unit price per year, > 0)"),
    (
        "breaks",
        "价格折扣起点 Quantity breaks b0<b1<… (units, ≥ 0); 单个价格表(一行或一列)one price table for all SKUs "
        "(one row or column)",
    ),
    (
        "prices",
        "对应单价 Unit price of each break (currency/unit, > 0); 单个价格表,与 breaks 同样大小 one price table, "
        "same size as breaks",
    ),
)
_INVENTORY_ARGS = _args(
    ("cogs", "期间销货成本 Cost of goods sold in the period (currency, ≥ 0)"),
    ("opening_inventory", "期初库存 Opening inventory (currency at cost, ≥ 0)"),
    ("closing_inventory", "期末库存 Closing inventory (currency at cost, ≥ 0)"),
)


class FormulaArgumentError(xw.XlwingsError, im.InvalidArgument):
    """An invalid formula argument; the message starts with the Excel function name."""


def _unwrap(value: Any) -> Any:
    """A 1×1 range is a single value (so error messages don't cite "row 1, column 1")."""
    if isinstance(value, list | tuple) and len(value) == 1:
        inner = value[0]
        if isinstance(inner, list | tuple) and len(inner) == 1:
            return inner[0]
    if isinstance(value, np.ndarray) and value.size == 1:
        return value.reshape(-1)[0]
    return value


def _call(excel_name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a core function, turning its InvalidArgument into an Excel-visible error."""
    try:
        return fn(*(_unwrap(a) for a in args))
    except im.InvalidArgument as exc:
        raise FormulaArgumentError(f"JXC.{excel_name}: {exc}", exc.argument) from exc


def _cell(value: Any) -> Any:
    """One result cell: NaN → None (empty), numpy scalars → Python scalars."""
    if value is None or isinstance(value, str):
        return value
    f = float(value)
    return None if f != f else f


def _to_excel(result: Any, column: bool = True) -> Any:
    """Scalar or 1×1 → a plain value; otherwise a 2-D list with None for empties.

    A 1-D result (Python callers passing 1-D sequences) spills down a column, the usual
    one-SKU-per-row layout, unless ``column`` is False.
    """
    if not isinstance(result, np.ndarray):
        return _cell(result)
    if result.size == 1:
        return _cell(result.reshape(-1)[0])
    arr = result if result.ndim == 2 else result.reshape((-1, 1) if column else (1, -1))
    if arr.dtype != object:
        empty = np.isnan(arr)
        if empty.any():
            # Vectorised NaN → None; tolist() also turns numpy floats into Python floats.
            arr = arr.astype(object)
            arr[empty] = None
    with _gc_paused():
        return arr.tolist()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building the nested result lists.

    100,000 one-cell row lists trigger repeated collections that re-scan every live
    container (including the argument lists): 4× the cost of the list building itself.
    The lists hold only floats/str/None, so no cycles are created meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _shape(value: Any) -> tuple[int, ...]:
    try:
        return np.shape(value)
    except ValueError:  # ragged lists: let the core report it with the argument name
        return ()


# ---------------------------------------------------------------------------------------
# EOQ family
# ---------------------------------------------------------------------------------------


@xw.func
@_EOQ_ARGS
def eoq(annual_demand: Any, order_cost: Any, holding_cost: Any) -> Any:
    """经济订货批量 Q* = √(2Kλ/h)。Economic order quantity (units per order)."""
    return _to_excel(_call("EOQ", im.eoq, annual_demand, order_cost, holding_cost))


@xw.func
@_EOQ_ARGS
@_arg("order_qty", doc="订货批量 Order quantity Q (units, > 0); omitted = EOQ")
def eoq_cost(annual_demand: Any, order_cost: Any, holding_cost: Any, order_qty: Any = None) -> Any:
    """年订货+持有成本 Kλ/Q + hQ/2。Annual ordering + holding cost (currency/year)."""
    return _to_excel(_call("EOQ_COST", im.eoq_cost, annual_demand, order_cost, holding_cost, order_qty))


@xw.func
@_EOQ_ARGS
@_arg("shortage_cost", doc="缺货成本 Backorder cost p (currency per unit per year, > 0)")
def eoq_backorder(annual_demand: Any, order_cost: Any, holding_cost: Any, shortage_cost: Any) -> Any:
    """允许缺货的经济订货批量 √(2Kλ(h+p)/(hp))。EOQ with planned backorders (units)."""
    return _to_excel(_call("EOQ_BACKORDER", im.eoq_backorder, annual_demand, order_cost, holding_cost, shortage_cost))


@xw.func
@_DISCOUNT_ARGS
def eoq_discount(annual_demand: Any, order_cost: Any, holding_rate: Any, breaks: Any, prices: Any) -> Any:
    """全量折扣下的最优订货量。Optimal order quantity under all-units quantity discounts (units)."""
    return _to_excel(_call("EOQ_DISCOUNT", im.eoq_discount, annual_demand, order_cost, holding_rate, breaks, prices))


@xw.func
@_DISCOUNT_ARGS
def eoq_discount_cost(annual_demand: Any, order_cost: Any, holding_rate: Any, breaks: Any, prices: Any) -> Any:
    """全量折扣下最优订货量的年总成本(含采购)。Annual total cost incl. purchases at the optimal quantity."""
    res = _call("EOQ_DISCOUNT_COST", im.eoq_discount_details, annual_demand, order_cost, holding_rate, breaks, prices)
    return _to_excel(res.annual_cost)


# ---------------------------------------------------------------------------------------
# Safety stock, reorder point
# ---------------------------------------------------------------------------------------


@xw.func
@_arg(
    "service_level",
    doc="周期服务水平 Cycle service level (fraction, 0 < CSL < 1, e.g. 0.95; below 0.5 gives 0)",
)
@_arg("demand_sd", doc="日需求标准差 Std. dev. of daily demand σd (units/day, ≥ 0)")
@_arg("lead_time", doc=_DOC_LEAD_TIME)
@_arg("avg_demand", doc="日均需求 Average daily demand d (units/day, ≥ 0); default 0")
@_arg("lead_time_sd", doc="提前期标准差 Std. dev. of lead time σL (days, ≥ 0); default 0")
def safety_stock(
    service_level: Any, demand_sd: Any, lead_time: Any, avg_demand: Any = 0.0, lead_time_sd: Any = 0.0
) -> Any:
    """安全库存 max(0, z·√(L·σd² + d²·σL²)), z = NORM.S.INV(CSL)。Safety stock (units, 0 below 50% service)."""
    return _to_excel(
        _call("SAFETY_STOCK", im.safety_stock, service_level, demand_sd, lead_time, avg_demand, lead_time_sd)
    )


@xw.func
@_arg("avg_demand", doc="日均需求 Average daily demand d (units/day, ≥ 0)")
@_arg("lead_time", doc=_DOC_LEAD_TIME)
@_arg("safety_stock", doc="安全库存 Safety stock (units, ≥ 0); default 0")
def reorder_point(avg_demand: Any, lead_time: Any, safety_stock: Any = 0.0) -> Any:
    """再订货点 d·L + SS。Reorder point (units)."""
    return _to_excel(_call("REORDER_POINT", im.reorder_point, avg_demand, lead_time, safety_stock))


@xw.func
@_arg("avg_demand", doc="日均需求 Average daily demand d (units/day, ≥ 0)")
@_arg("demand_sd", doc="日需求标准差 Std. dev. of daily demand σd (units/day, ≥ 0)")
@_arg("lead_time", doc=_DOC_LEAD_TIME)
@_arg("service_level", doc="周期服务水平 Cycle service level (fraction, 0 < CSL < 1, e.g. 0.95)")
@_arg("lead_time_sd", doc="提前期标准差 Std. dev. of lead time σL (days, ≥ 0); default 0")
@_arg(
    "daily_review",
    block=False,
    doc="每日盘点(单个值) Reviewed once a day, one value: TRUE (default) adds the undershoot",
)
def reorder_point_intermittent(
    avg_demand: Any,
    demand_sd: Any,
    lead_time: Any,
    service_level: Any,
    lead_time_sd: Any = 0.0,
    daily_review: Any = True,
) -> Any:
    """间歇需求再订货点:提前期需求的伽马分位数(含每日盘点的下冲)。Reorder point of intermittent/lumpy demand (units)."""
    review = daily_review is None or bool(daily_review)
    return _to_excel(
        _call(
            "REORDER_POINT_INTERMITTENT",
            lambda d, sd, lt, sl, lsd: im.reorder_point_intermittent(d, sd, lt, sl, lsd, daily_review=review),
            avg_demand,
            demand_sd,
            lead_time,
            service_level,
            lead_time_sd,
        )
    )


# ---------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------


@xw.func
@_arg("values", doc="各品项金额 Value per item, e.g. annual consumption value (currency, ≥ 0)")
@_arg(
    "a",
    doc="A 类累计占比上限(单个值) Cumulative share limit of class A (one value, fraction, default 0.8)",
)
@_arg(
    "b",
    doc="B 类累计占比上限(单个值) Cumulative share limit of class B (one value, fraction, a ≤ b ≤ 1, default 0.95)",
)
def abc(values: Any, a: Any = 0.8, b: Any = 0.95) -> Any:
    """ABC 分类:按金额降序的累计占比(含本项)≤a 为 A,≤b 为 B,其余 C;0 为 C。ABC class per item."""
    return _to_excel(_call("ABC", im.abc, values, a, b))


@xw.func
@_arg(
    "history",
    doc="需求历史 Demand history (units per period, ≥ 0): one row per SKU, periods across",
)
@_arg("x", doc="X 类变异系数上限 CV limit of class X (default 0.5)")
@_arg("y", doc="Y 类变异系数上限 CV limit of class Y (≥ x, default 1.0)")
def xyz(history: Any, x: Any = 0.5, y: Any = 1.0) -> Any:
    """XYZ 分类:需求变异系数 CV=样本标准差/均值,≤x 为 X,≤y 为 Y,其余 Z。XYZ class per SKU row."""
    shape = _shape(history)
    # A single row or column is one series (one label); a block has one SKU per row.
    series: Any = np.asarray(history, dtype=object).reshape(-1) if 1 in shape else history
    return _to_excel(_call("XYZ", im.xyz, series, x, y))


@xw.func
@_arg("history", doc="需求历史 Demand history (units per period, ≥ 0): one row per SKU, periods across")
@_arg("lang", block=False, doc='语言(单个值) Label language, one value: "zh" (default) or "en"')
def demand_class(history: Any, lang: Any = "zh") -> Any:
    """需求类型(Syntetos-Boylan):平稳、波动、间歇、块状、无需求。Demand class per SKU row."""
    shape = _shape(history)
    series: Any = np.asarray(history, dtype=object).reshape(-1) if 1 in shape else history
    keys = _call("DEMAND_CLASS", im.demand_class, series)
    words = _class_words(lang)
    if isinstance(keys, np.ndarray):
        return _to_excel(np.array([words.get(k) for k in keys], dtype=object))
    return _to_excel(words.get(keys) if keys is not None else None)


def _class_words(lang: Any) -> dict[str, str]:
    """The plan's demand class labels (schema DEMAND_CLASSES) in ``lang``."""
    code = str(_unwrap(lang) or "zh").strip().lower()
    if code not in ("zh", "en"):
        raise FormulaArgumentError(f'JXC.DEMAND_CLASS: lang must be "zh" or "en" (got {code!r})', "lang")
    return {k: c.label(code) for k, c in DEMAND_CLASSES.items()}  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Turnover
# ---------------------------------------------------------------------------------------


@xw.func
@_INVENTORY_ARGS
def turnover(cogs: Any, opening_inventory: Any, closing_inventory: Any) -> Any:
    """存货周转率 COGS / 平均库存;平均库存为 0 时留空。Inventory turnover (times per period)."""
    return _to_excel(_call("TURNOVER", im.turnover, cogs, opening_inventory, closing_inventory))


@xw.func
@_INVENTORY_ARGS
@_arg("period_days", doc="期间天数 Days in the period (days, > 0, default 30)")
def days_of_inventory(cogs: Any, opening_inventory: Any, closing_inventory: Any, period_days: Any = 30) -> Any:
    """存货周转天数 平均库存/COGS×天数;COGS 为 0 时留空。Days of inventory (days)."""
    return _to_excel(
        _call("DAYS_OF_INVENTORY", im.days_of_inventory, cogs, opening_inventory, closing_inventory, period_days)
    )


# ---------------------------------------------------------------------------------------
# Forecast
# ---------------------------------------------------------------------------------------


@xw.func
@_arg(
    "history",
    doc="需求历史 Demand history (units per period, ≥ 0), oldest first; one row per SKU",
)
@_arg(
    "horizon",
    block=False,
    doc="预测期数(单个值) Number of future periods (one value, whole number, 1–10000, default 1)",
)
@_arg(
    "method",
    block=False,
    doc='方法(单个值) Method, one value: "ma" moving average, "ses" (default), "holt" trend, "croston" intermittent',
)
@_arg(
    "alpha",
    doc="水平平滑系数 Level smoothing α (0–1; omitted: fitted, croston 0.1); one or per SKU",
)
@_arg(
    "beta",
    doc="趋势平滑系数 Trend smoothing β for holt (0–1; omitted: fitted); one or per SKU",
)
@_arg(
    "window",
    block=False,
    doc="移动平均期数(单个值) Moving-average window (one value, periods, whole number ≥ 1, default 3)",
)
@_arg("initial_level", doc="初始水平 Initial level l0 (units/period; default first value)")
@_arg("initial_trend", doc="初始趋势 Initial trend b0 for holt (units/period; default 2nd − 1st)")
def forecast(
    history: Any,
    horizon: Any = 1,
    method: Any = "ses",
    alpha: Any = None,
    beta: Any = None,
    window: Any = 3,
    initial_level: Any = None,
    initial_trend: Any = None,
) -> Any:
    """需求预测:未来 horizon 期的预测值,每个 SKU 一行。Demand forecast for the next periods (units/period)."""
    shape = _shape(history)
    # One series down a column: the forecast spills down the column too; otherwise across, one row per SKU.
    down = len(shape) == 2 and shape[1] == 1 and shape[0] > 1
    series = np.asarray(history, dtype=object).reshape(-1) if down else history
    res = _call("FORECAST", im.forecast, series, horizon, method, alpha, beta, window, initial_level, initial_trend)
    return _to_excel(res, column=down)


__all__ = [
    "FormulaArgumentError",
    "abc",
    "days_of_inventory",
    "demand_class",
    "eoq",
    "eoq_backorder",
    "eoq_cost",
    "eoq_discount",
    "eoq_discount_cost",
    "forecast",
    "reorder_point",
    "reorder_point_intermittent",
    "safety_stock",
    "turnover",
    "xyz",
]
