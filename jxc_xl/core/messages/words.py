"""Words used inside messages (kinds of document, places, reasons)."""

from __future__ import annotations

# Words used inside messages.
WORDS: dict[str, tuple[str, str]] = {
    "purchase": ("采购入库", "purchase"),
    "sale": ("销售出库", "sale"),
    "sales_return": ("销售退货", "sales return"),
    "purchase_return": ("采购退货", "purchase return"),
    "count": ("盘点", "count"),
    "other_in": ("其他入库", "other receipt"),  # tblOther's lines (issue 12.3)
    "other_out": ("其他出库", "other issue"),
    "transfer_out": ("调出", "transfer out"),  # issue 12.2
    "transfer_in": ("调入", "transfer in"),
    "card_kind_at": ("{kind}（{warehouse}）", "{kind} ({warehouse})"),  # a stock card line's kind and warehouse
    "gt0": ("大于 0", "greater than 0"),
    "ge0": ("不小于 0", "at least 0"),
    "qty": ("数量", "qty"),
    "amount": ("金额", "amount"),
    "hint_date": ("格式 YYYY-MM-DD，在会计期间内", "a date YYYY-MM-DD inside the period"),
    "hint_sku": ("“商品”表中登记的商品编码", "an SKU listed in the Items table"),
    "hint_number": ("填数字", "a number"),
    "hint_text": ("填写文字", "some text"),
    "hint_choice": ("可选：{choices}", "choices: {choices}"),
    "suggest": ("相近的已登记编码：{codes}。", " Close listed SKUs: {codes}."),
    "none": ("（无）", "(none)"),
    "type_number": ("数字", "a number"),
    "type_choice": ("以下之一：{choices}", "one of: {choices}"),
    "type_date": ("日期（如 2026-11-03）", "a date (e.g. 2026-11-03)"),
    "type_period": ("期间（YYYY-MM）", "a period (YYYY-MM)"),
    "type_text": ("文本", "text"),
    "rows_one": ("第 {rows} 行", "row {rows}"),  # rows named in a message: one row
    "rows_many": ("第 {rows} 行", "rows {rows}"),  # several rows, listed with list_sep
    "rows_more": ("第 {rows} 行等 {count} 行", "rows {rows} and more ({count} rows)"),  # a long list, cut short
    "list_sep": ("、", ", "),  # between the items of a list inside a message (e.g. every header of a table)
    "why_blank": ("不能为空", "must not be blank"),
    "why_choice": ("不是可选值", "not one of the choices"),
    "why_period": ("格式应为 YYYY-MM", "must be YYYY-MM"),
    "why_number": ("不是数字", "not a number"),
    "why_range": ("超出范围", "out of range"),
    "why_abc_b": ("B类累计占比须 ≥ A类累计占比", "must be ≥ abc_a"),
    "why_ageing_buckets": ("须为递增的正整数天数（1 至 4 个）", "must be increasing whole numbers of days (1 to 4)"),
    "allowed_ageing_buckets": ("以逗号分隔，如 30,60,90,180", "comma separated, such as 30,60,90,180"),
    "no_company": ("（未填公司，文件夹 {folder}）", "(no company, folder {folder})"),
    "a_sheet": ("工作表“{sheet}”", "sheet “{sheet}”"),
    "some_sheet": ("某个工作表", "one of its sheets"),
    "prev_unreadable": ("该文件无法读取（{detail}）", "it cannot be read ({detail})"),
    "fix_unreadable": (
        "在 Excel 中打开它并另存为 .xlsx，或用 --previous 指定上月的工作簿",
        "open it in Excel and save it as .xlsx, or name last month's workbook with --previous",
    ),
    "prev_no_period": (
        "它没有有效的会计期间（不是 jxc 工作簿，或“参数”表的会计期间为空或无效）",
        "it has no valid period (not a jxc workbook, or its settings hold no valid period)",
    ),
    "fix_no_period": (
        "在它的“参数”表填写会计期间，或指定另一个工作簿",
        "fill in its period in its settings, or name another workbook",
    ),
    "prev_not_before": (
        "它是 {prev_period} 的工作簿，不早于本月 {period}",
        "it is the workbook of {prev_period}, not of a month before {period}",
    ),
    "fix_not_before": ("用 --previous 指定 {want} 的工作簿", "name the workbook of {want} with --previous"),
    "prev_other_company": (
        "它属于公司“{prev_company}”，本工作簿属于“{company}”",
        "it belongs to company “{prev_company}”, this workbook to “{company}”",
    ),
    "fix_other_company": ("指定本公司上月的工作簿", "name this company's workbook of last month"),
    "prev_no_closing": (
        "无法计算它的期末库存（它本身有错误）",
        "its closing stock cannot be computed (it has errors of its own)",
    ),
    "fix_no_closing": ("先对它运行 jxc validate 并改正错误", "run jxc validate on it and fix its errors first"),
    "prev_closing_failed": ("计算它的期末库存时出错（{detail}）", "computing its closing stock failed ({detail})"),
    "fix_closing_failed": (
        "向 jxc-xl 报告此缺陷（对它运行 jxc --debug sync --force -o 副本.xlsx 可看到详情）",
        "report this bug of jxc-xl (jxc --debug sync --force -o COPY.xlsx on it shows where)",
    ),
}
