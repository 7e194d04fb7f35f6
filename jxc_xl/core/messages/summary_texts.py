"""Texts of the summary sheet (概览 / Summary): its row labels and its charts."""

from __future__ import annotations

SUMMARY_TEXTS: dict[str, tuple[str, str]] = {
    # tblSummary.item of the month section, in the order core.summary writes them
    "sum_opening": ("期初库存金额", "Opening stock value"),
    "sum_receipts": ("本期收入（入库）金额", "Receipts value"),
    "sum_issues": ("本期发出（出库）成本", "Issues at cost"),
    "sum_adjustments": ("盘盈亏金额", "Stock count adjustments"),
    "sum_other_receipts": ("其他入库金额", "Other receipts value"),  # tblOther (issue 12.3)
    "sum_other_issues": ("其他出库成本（报损、领用等）", "Other issues at cost (damage, internal use …)"),
    "sum_closing": ("期末库存金额", "Closing stock value"),
    "sum_revenue": ("销售收入", "Revenue"),
    "sum_cogs": ("销售成本", "Cost of sales"),
    "sum_gross_profit": ("毛利 / 毛利率", "Gross profit / margin"),
    "sum_turnover": ("库存周转率（次）", "Stock turnover (times)"),
    "sum_dsi": ("库存周转天数", "Days of inventory"),
    "sum_out_of_stock": ("缺货商品数", "Items out of stock"),
    "sum_below_rop": ("低于再订货点商品数", "Items below reorder point"),
    "sum_slow": ("呆滞商品数", "Slow-moving items"),
    "sum_overstocked": ("超储商品数", "Overstocked items"),
    "sum_plan": ("采购计划金额 / 订货行数", "Purchase plan amount / order lines"),
    # the backtest section (core.backtest): the target, then per demand class two rows
    "sum_bt_target": ("目标：{measure} / 重演月数", "Target: {measure} / months replayed"),
    "sum_bt_service": ("{group}：周期服务水平 / 补货周期数", "{group}: cycle service / cycles"),
    "sum_bt_fill": ("{group}：满足率 / 平均库存天数", "{group}: fill rate / stock in days"),
    "sum_bt_short": (
        "需求历史不足：可重演 {months} 个月，至少需要 {need} 个",
        "Too little demand history: {months} months to replay, {need} needed",
    ),
    # the ageing section (core.ageing): one row per band, then the stale amount
    "sum_age_span": ("库龄 {lo}-{hi} 天", "Age {lo}-{hi} days"),
    "sum_age_over": ("库龄超过 {hi} 天", "Age over {hi} days"),
    "sum_stale": ("积压（库龄超过 {days} 天）金额 / 商品数", "Stale (over {days} days) amount / items"),
    # the VAT section (core.summary, from core.vat.vat_totals): amount = the tax, value = its lines
    "sum_vat_output": ("销项税额 / 行数（销售−销售退回）", "Output VAT / lines (net of returns)"),
    "sum_vat_input": ("进项税额 / 行数（采购−采购退货）", "Input VAT / lines (net of returns)"),
    "sum_vat_payable": ("应交增值税（销项−进项，未扣留抵）", "VAT payable (before credit b/f)"),
    "sum_vat_levy": ("应纳税额 / 行数（销售额×征收率）", "VAT due / lines (sales × levy rate)"),
    "sum_vat_input_cost": ("进项税额 / 行数（计入成本，不抵扣）", "Input VAT / lines (in cost)"),
    # a supplier or category left blank in 商品
    "sum_no_supplier": ("（未填供应商）", "(no supplier)"),
    "sum_no_category": ("（未分类）", "(no category)"),
    # the summary sheet's charts
    "sum_chart_category": ("期末库存金额 · 按类别", "Closing stock value by category"),
    "sum_chart_top": ("毛利前十商品", "Top 10 items by gross margin"),
}
