"""Texts of the purchase plan and its settings (as_of, max_cover_days), and the plan's reason text."""

from __future__ import annotations

PLAN_TEXTS: dict[str, tuple[str, str]] = {
    # settings-invalid {why} of a date setting (as_of)
    "why_date": ("不是日期（如 2026-11-03）", "not a date (e.g. 2026-11-03)"),
    # core.plan_reasons: tblPlan.reason, one stock part, one of below/soon, then at most one run-out part.
    "plan_why_on_hand": ("库存 {qty}", "On hand {qty}"),
    "plan_why_position": ("库存+在途 {qty}", "On hand + on order {qty}"),
    "plan_why_below": ("{stock} ≤ 再订货点 {rop}", "{stock} ≤ reorder point {rop}"),
    "plan_why_soon": (
        "{stock}，约 {days} 天后降到再订货点 {rop}（日均需求 {d}）",
        "{stock} reaches the reorder point {rop} in about {days} days (avg daily demand {d})",
    ),
    "plan_why_runs_out": ("；预计 {day}缺货", "; runs out about {day}"),
    "plan_why_out_now": ("；已缺货", "; out of stock now"),
    "plan_why_backorder": ("；已缺货，欠 {qty}", "; out of stock, {qty} backordered"),
    # a day in the reason text: {m} month number, {mon} its short English name, {d} day, {y} year
    "plan_day": ("{m}月{d}日", "{mon} {d}"),
    "plan_day_year": ("{y}年{m}月{d}日", "{mon} {d}, {y}"),
    "plan_month_names": (
        "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    ),
}
