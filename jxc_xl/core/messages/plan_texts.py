"""Texts of the purchase plan and its settings (as_of, max_cover_days), and the plan's reason text."""

from __future__ import annotations

PLAN_TEXTS: dict[str, tuple[str, str]] = {
    # settings-invalid {why} of a date setting (as_of)
    "why_date": ("不是日期（如 2026-11-03）", "not a date (e.g. 2026-11-03)"),
    # core.plan_reasons: tblPlan.reason, one stock part, one of below/soon, then at most one run-out part.
    "plan_why_on_hand": ("库存 {qty}", "On hand {qty}"),
    # core.plan_warehouse (issue 12.2): a warehouse's line takes other warehouses' excess first
    "plan_transfer_first": ("先调拨：{moves}；", "Transfer first: {moves}; "),
    "plan_transfer_from": (
        "从 {warehouse} 调入 {qty}（其富余 {excess}）",
        "{qty} from {warehouse} (its excess {excess})",
    ),
    "plan_why_position": ("库存+在途 {qty}", "On hand + on order {qty}"),
    "plan_why_below": ("{stock} ≤ 再订货点 {rop}", "{stock} ≤ reorder point {rop}"),
    "plan_why_soon": (
        "{stock}，约 {days} 天后降到再订货点 {rop}（日均需求 {d}）",
        "{stock} reaches the reorder point {rop} in about {days} days (avg daily demand {d})",
    ),
    "plan_why_runs_out": ("；预计 {day}缺货", "; runs out about {day}"),
    "plan_why_out_now": ("；已缺货", "; out of stock now"),
    "plan_why_backorder": ("；已缺货，欠 {qty}", "; out of stock, {qty} backordered"),
    "plan_why_slow": (
        "呆滞：已 {days} 天无销售，不建议订货；",
        "Slow-moving: no sale for {days} days, no order suggested; ",
    ),
    # a day in the reason text: {m} month number, {mon} its short English name, {d} day, {y} year
    "plan_day": ("{m}月{d}日", "{mon} {d}"),
    "plan_day_year": ("{y}年{m}月{d}日", "{mon} {d}, {y}"),
    "plan_month_names": (
        "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    ),
    # jxc plan: the plan in the terminal ({supplier} blank → plan_no_supplier), then the backtest
    "plan_title": (
        "采购计划 {path}：计划日期 {as_of}，{lines} 行，金额 {amount}",
        "Purchase plan {path}: as of {as_of}, {lines} lines, amount {amount}",
    ),
    "plan_empty": (
        "采购计划 {path}：计划日期 {as_of}，无需订货。",
        "Purchase plan {path}: as of {as_of}, nothing to order.",
    ),
    "plan_supplier": (
        "供应商 {supplier}：{lines} 行，金额 {amount}",
        "Supplier {supplier}: {lines} lines, amount {amount}",
    ),
    "plan_no_supplier": ("（未填供应商）", "(no supplier)"),
    "plan_bt_title": (
        "回测：按需求历史最近 {months} 个月重演本计划的订货策略（目标：{measure} {target}）",
        "Backtest: the plan's policy replayed over the last {months} months of demand history "
        "(target: {measure} {target})",
    ),
    "plan_bt_short": (
        "回测：需求历史只有 {months} 个可重演的月份，至少需要 {need} 个（需求历史至少 {history} 个月）。",
        "Backtest: the demand history has {months} months to replay; it needs {need} "
        "(at least {history} months of history).",
    ),
    "plan_bt_note": (
        "需求历史按月记录：每月需求随机分布到 30 天中重演；周期服务水平 = 两次到货之间未缺货的比例；"
        "满足率 = 当日由库存满足的需求比例。",
        "The history is monthly: each month's demand is spread over 30 days at random for the replay; cycle service = "
        "share of replenishment cycles without a stock-out; fill rate = share of demand served from stock on the day.",
    ),
    "plan_bt_group": ("需求类型", "Demand class"),
    "plan_bt_skus": ("商品数", "SKUs"),
    "plan_bt_cycles": ("补货周期", "Cycles"),
    "plan_bt_service": ("周期服务水平", "Cycle service"),
    "plan_bt_fill": ("满足率", "Fill rate"),
    "plan_bt_days": ("平均库存天数", "Stock in days"),
    "plan_bt_all": ("全部", "All"),
}
