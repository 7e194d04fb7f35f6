"""The finding message catalog: per code a zh and an en template saying what is wrong and what fixes it.

Templates use ``str.format`` fields; a field the caller did not give prints as ``?`` instead of raising,
because a message must never turn a data problem into a traceback.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from jxc_xl.core.findings import CODES, Finding, Severity
from jxc_xl.schema import Lang

# code → (zh, en)
CATALOG: dict[str, tuple[str, str]] = {
    "file-unreadable": (
        "无法读取此文件：{reason}。请确认它是未加密、未损坏的 .xlsx 工作簿（在 Excel 中“另存为 .xlsx”），然后重试。",
        "This file cannot be read: {reason}. Make sure it is an unencrypted, undamaged .xlsx workbook "
        "(in Excel: Save As .xlsx) and try again.",
    ),
    "file-unreadable-reason": (  # the reader's own message already names the file and the fix
        "{reason}",
        "{reason}",
    ),
    "table-missing": (
        "找不到表 {table}（工作表“{sheet}”）；请用 jxc new 生成的模板或添加该表",
        "Table {table} (sheet '{sheet}') not found; use a template from `jxc new` or add the table",
    ),
    "column-missing": (  # {header}: the column's header in the message language; {row}: the header row
        "工作表“{sheet}”的表 {table} 缺少必填列“{header}”（表头行第 {row} 行）；请添加该列。该表的列应为：{expected}",
        "Table {table} on sheet '{sheet}' lacks the required column '{header}' (header row {row}); add it. "
        "Expected columns: {expected}",
    ),
    "settings-invalid": (  # {why}: a why_* word
        "参数“{key}”的值“{value}”无效：{why}；允许：{allowed}",
        "Setting '{key}' has an invalid value '{value}': {why}; allowed: {allowed}",
    ),
    "settings-invalid-no-period": (  # variant of settings-invalid: the settings table has no period row
        "参数表缺少“{key}”（会计期间）行；请添加一行：参数 = {key}，值 = YYYY-MM",
        "The settings table has no '{key}' row; add one: Key = period, Value = YYYY-MM",
    ),
    "settings-invalid-reason": (  # variant of settings-invalid: a cross-setting rule of the Settings model
        "{reason}",
        "{reason}",
    ),
    "bad-type": (  # {type}: a type_* word
        "{sheet}!{cell}：“{header}”应为{type}，实际为“{value}”",
        "{sheet}!{cell}: '{header}' must be {type}, found '{value}'",
    ),
    "required-missing": (
        "“{header}”是必填项，第 {row} 行为空；请填写（{hint}）。",
        "“{header}” is required but row {row} leaves it blank; fill it in ({hint}).",
    ),
    "date-outside-period": (
        "日期 {value} 不在会计期间 {period}（{first} 至 {last}）内；"
        "请改正日期，或把这笔业务录入 {value_period} 的工作簿。",
        "Date {value} is outside the period {period} ({first} to {last}); correct the date, or enter this line "
        "in the workbook of {value_period}.",
    ),
    "non-positive-qty": (
        "“{header}”为 {value}，须{bound}；数量一律填正数，方向由所在的表决定（退货请录入“退货”表）。",
        "“{header}” is {value} but must be {bound}; quantities are always positive, the table gives the "
        "direction (enter returns in the Returns table).",
    ),
    "non-positive-number": (  # variant of non-positive-qty for a number that is not a quantity (lead time)
        "“{header}”为 {value}，须{bound}；请改正。",
        "“{header}” is {value} but must be {bound}; correct it.",
    ),
    "negative-price": (
        "“{header}”为 {value}，不能为负数；请填写 ≥ 0 的单价或金额。",
        "“{header}” is {value}, which is negative; enter a unit price or amount ≥ 0.",
    ),
    "amount-mismatch": (
        "金额 {value} 与 数量 {qty} × {price_header} {price} = {expected} 相差 {diff}（超过 0.01）；"
        "请改正金额、数量或单价，或把金额留空以按 数量 × 单价 计算。",
        "Amount {value} differs from qty {qty} × {price_header} {price} = {expected} by {diff} (more than 0.01); "
        "correct the amount, qty or price, or leave the amount blank to use qty × price.",
    ),
    "duplicate-sku": (
        "商品编码 {value} 重复，第一次出现在第 {first_row} 行；每个商品编码只能登记一次，请删除本行或改用新编码。",
        "SKU {value} is listed twice (first in row {first_row}); each SKU may appear once, delete this row or "
        "give it a new code.",
    ),
    "unknown-sku": (
        "商品编码 {value} 未在“{items_sheet}”表中登记；请先在“{items_sheet}”表添加该商品，或改正编码。{suggest}",
        "SKU {value} is not in the “{items_sheet}” table; add the item there first, or correct the code.{suggest}",
    ),
    "inactive-sku": (
        "商品 {value} 在“{items_sheet}”表中已停用（启用 = 否），却用于本行业务；如仍在经营，请把它的“启用”改为“是”。",
        "Item {value} is inactive in the “{items_sheet}” table (Active = no) but used on this line; if it is still "
        "traded, set its Active to yes.",
    ),
    "duplicate-line": (
        "与第 {first_row} 行相同（单号 {doc_no}、商品 {sku}、数量 {qty}、单价 {price}）；如是重复录入请删除本行，"
        "如确为两笔业务请使用不同单号。",
        "Same as row {first_row} (doc no {doc_no}, SKU {sku}, qty {qty}, price {price}); if it was entered twice "
        "delete this row, if these are two transactions give them different doc numbers.",
    ),
    "negative-stock": (
        "商品 {sku} 在 {date} 的这笔{kind_label}之后库存为 {value}，低于 0；"
        "请检查是否漏录期初或采购入库、日期或数量是否录错。如确实允许负库存，请在“参数”表把“允许负库存”设为“是”。",
        "Stock of SKU {sku} falls to {value} after this {kind_label} on {date}; check for a missing opening or "
        "purchase, or a wrong date or qty. If negative stock is really allowed, set allow_negative to yes in the "
        "Settings table.",
    ),
    "return-unknown-original": (  # a warning: the original may be last month's (valued at current cost)
        "原单号 {value} 不在本月的“{orig_sheet}”表中；如它是上月或更早的{orig_label}单，可以不改（按当前成本计价），"
        "否则请改正原单号或类型（可选类型：{kinds}）。",
        "Original doc no {value} is not in this month's “{orig_sheet}” table; if it is a {orig_label} of an earlier "
        "month that is fine (it is valued at the current cost), otherwise correct the original doc no or the kind "
        "(choices: {kinds}).",
    ),
    "return-unknown-original-prev": (  # an error: checked against last month's workbook too
        "原单号 {value} 既不在本月的“{orig_sheet}”表中，也不在上月（{prev_period}）的工作簿中；"
        "请改正原单号或类型（可选类型：{kinds}）。",
        "Original doc no {value} is neither in this month's “{orig_sheet}” table nor in the workbook of "
        "{prev_period}; correct the original doc no or the kind (choices: {kinds}).",
    ),
    "return-sku-not-on-original": (
        "商品 {value} 不在原单 {orig_doc_no} 上（该单的商品：{on_doc}）；请改正商品编码或原单号。",
        "SKU {value} is not on the original document {orig_doc_no} (its SKUs: {on_doc}); correct the SKU or the "
        "original doc no.",
    ),
    "return-sku-not-on-original-prev": (
        "商品 {value} 不在上月（{prev_period}）的原单 {orig_doc_no} 上；请改正商品编码或原单号。",
        "SKU {value} is not on the original document {orig_doc_no} of {prev_period}; correct the SKU or the "
        "original doc no.",
    ),
    "return-before-original": (
        "退货日期 {value} 早于原单 {orig_doc_no} 的日期 {orig_date}；请改正退货日期或原单号。",
        "Return date {value} is before the date {orig_date} of the original document {orig_doc_no}; correct the "
        "date or the original doc no.",
    ),
    "return-exceeds-original": (
        "退货数量超出原单：原单 {orig_doc_no} 上商品 {sku} 数量 {orig_qty}，此前已退 {returned}，本行再退 {value}，"
        "合计 {total} > {orig_qty}；请改正退货数量或原单号。",
        "Return exceeds the original: document {orig_doc_no} has SKU {sku} qty {orig_qty}, already returned "
        "{returned}, this line returns {value} more, total {total} > {orig_qty}; correct the qty or the original "
        "doc no.",
    ),
    "opening-mismatch": (
        "期初与上月（{prev_period}）期末不一致：商品 {sku} 的期初{what}为 {value}，上月期末为 {expected}；"
        "请用 jxc close 从上月结转期初，或改正此值。",
        "Opening differs from the closing of {prev_period}: SKU {sku} opening {what} is {value}, last month's "
        "closing is {expected}; carry it forward with `jxc close` or correct this value.",
    ),
    "opening-missing-sku": (  # sub-message of opening-mismatch: an SKU with stock last month is absent
        "期初与上月（{prev_period}）期末不一致：上月期末商品 {sku} 有库存 {expected}（金额 {expected_amount}），"
        "本月期初中没有该商品；请补录期初，或用 jxc close 从上月结转。",
        "Opening differs from the closing of {prev_period}: SKU {sku} closed last month with qty {expected} "
        "(amount {expected_amount}) but is not in this month's opening; add it, or carry forward with `jxc close`.",
    ),
    "opening-not-compared": (  # warning variant of opening-mismatch: the check could not run
        "无法将期初与 {prev_file} 比较：{reason}；请{fix}。",
        "Cannot compare the opening with {prev_file}: {reason}; fix: {fix}.",
    ),
    "period-gap": (
        "公司“{company}”缺少 {value} 期间的工作簿（前后已有 {before} 和 {after}）；"
        "请补上该月的工作簿，否则期初无法与上月期末衔接。",
        "Company “{company}” has no workbook for {value} (between {before} and {after}); add that month's "
        "workbook, or the openings cannot follow on from the closings.",
    ),
    "period-duplicate": (  # warning variant of period-gap: one month twice in a chain
        "公司“{company}”的 {value} 期间有多个工作簿：{files}；请只保留一个（衔接检查只用第一个）。",
        "Two workbooks for {value} of company “{company}”: {files}; keep one (the chain checks use the first).",
    ),
    "file-unreadable-panic": (  # the native reader crashed on a cell value
        "无法读取此文件：读取程序在{where}处失败（{detail}）。多半是某个日期格式的单元格里填了不是日期的数"
        "（如很大的负数）；请在 Excel 中打开，检查{where}的日期后另存，再重试。",
        "This file cannot be read: the spreadsheet reader failed on {where} ({detail}). Most likely a date-formatted "
        "cell holds a number that is no date (e.g. a huge negative); open it in Excel, check the dates on {where}, "
        "save it and try again.",
    ),
}

# Words used inside messages.
WORDS: dict[str, tuple[str, str]] = {
    "purchase": ("采购入库", "purchase"),
    "sale": ("销售出库", "sale"),
    "sales_return": ("销售退货", "sales return"),
    "purchase_return": ("采购退货", "purchase return"),
    "count": ("盘点", "count"),
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
    "list_sep": ("、", ", "),  # between the items of a list inside a message (e.g. every header of a table)
    "why_blank": ("不能为空", "must not be blank"),
    "why_choice": ("不是可选值", "not one of the choices"),
    "why_period": ("格式应为 YYYY-MM", "must be YYYY-MM"),
    "why_number": ("不是数字", "not a number"),
    "why_range": ("超出范围", "out of range"),
    "why_abc_b": ("B类累计占比须 ≥ A类累计占比", "must be ≥ abc_a"),
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
}

# Template text (jxc_xl/io/template): sheet names, data-validation messages, the chart, the sync button,
# the 说明/Guide sheet and the 公式/Formulas sheet. Keys start with tpl_; word() and phrase() serve them.
TEMPLATE_WORDS: dict[str, tuple[str, str]] = {
    # sheet names of the two extra sheets
    "tpl_guide_sheet": ("说明", "Guide"),
    "tpl_formulas_sheet": ("公式", "Formulas"),
    # document property
    "tpl_workbook_title": ("进销存工作簿", "Inventory workbook"),
    # data validation: error messages
    "tpl_dv_sku": ("此商品编码不在“商品”表中。", "This SKU is not in the Items table."),
    "tpl_dv_choose": ("请选择：{choices}", "Choose one of: {choices}"),
    "tpl_dv_gt": ("大于", "greater than"),
    "tpl_dv_ge": ("大于或等于", "at least"),
    # {bound}: tpl_dv_gt/ge
    "tpl_dv_number": ("请输入{bound} {value} 的数字。", "Enter a number {bound} {value}."),
    "tpl_dv_date": ("请输入日期，格式 yyyy-mm-dd。", "Enter a date, yyyy-mm-dd."),
    "tpl_dv_period": ("格式 YYYY-MM，例如 2026-11。", "Format YYYY-MM, e.g. 2026-11."),
    "tpl_dv_allowed": ("允许范围：{allowed}", "Allowed: {allowed}"),
    # the Pareto chart on the analysis sheet
    "tpl_chart_title": ("ABC 帕累托图", "ABC Pareto"),
    "tpl_chart_cogs": ("销售成本", "COGS"),
    "tpl_chart_cum_share": ("累计占比", "Cumulative share"),
    # the sync button on the plan sheet
    "tpl_button_label": ("同步", "Sync"),
    "tpl_button_tip": ("运行 jxc 同步", "Run jxc sync"),
    # the 说明/Guide sheet
    "tpl_guide_title": ("进销存工作簿（jxc-xl）使用说明", "Inventory workbook (jxc-xl): guide"),
    "tpl_guide_intro": (
        "一个工作簿 = 一个公司（一个仓库）的一个会计月份。白色标签页由您填写，绿色标签页由 jxc sync 生成，"
        "请勿手工修改（下次同步会被覆盖）。所有表格都是 Excel 表格（表名固定，如 tblSales），"
        "请在表格末尾直接输入新行，表格会自动扩展；空白行会被忽略。",
        "One workbook = one company (one stock location) and one accounting month. You fill in the white "
        "tabs; the green tabs are generated by jxc sync — do not edit them (the next sync overwrites them). "
        "Every list is an Excel Table with a fixed name (e.g. tblSales): type new rows right below the table "
        "and it grows; blank rows are ignored.",
    ),
    "tpl_guide_workflow_h": ("每月流程", "Monthly workflow"),
    "tpl_guide_workflow_1": (
        "1. 期初：新月份的“期初”由 jxc close 从上月期末结转；第一次使用时手工录入期初数量和单价。",
        "1. Opening: jxc close carries last month's closing into Opening; the first time, type the opening "
        "quantities and unit costs.",
    ),
    "tpl_guide_workflow_2": (
        "2. 在“参数”中确认会计期间（YYYY-MM）与计价方法；在“商品”中登记所有商品（商品编码唯一）。",
        "2. In Settings check the period (YYYY-MM) and the valuation method; list every item in Items (SKUs unique).",
    ),
    "tpl_guide_workflow_3": (
        "3. 日常录入：“采购入库”“销售出库”“退货”（销售退货/采购退货，须填原单号）。数量一律为正数。",
        "3. Day to day: Purchases, Sales, Returns (sales or purchase returns, with the original doc no). "
        "Quantities are always positive.",
    ),
    "tpl_guide_workflow_4": (
        "4. 月末盘点：在“盘点”中录入实盘数量（当日终了的实存数），差额按盘盈/盘亏入账。",
        "4. Month end: type the counted quantities in Counts (quantity on hand at the end of that date); "
        "differences are booked as gains or losses.",
    ),
    "tpl_guide_workflow_5": (
        "5. 校验：jxc validate 工作簿.xlsx —— 列出每个问题所在的工作表、单元格和修改方法。",
        "5. Validate: jxc validate book.xlsx — lists each problem with its sheet, cell and the fix.",
    ),
    "tpl_guide_workflow_6": (
        "6. 同步：jxc sync 工作簿.xlsx（或点击“采购计划”表上的“同步”按钮）—— 生成库存、采购计划和分析。",
        "6. Sync: jxc sync book.xlsx (or the Sync button on the Plan sheet) — generates Stock, Plan and Analysis.",
    ),
    "tpl_guide_workflow_7": (
        "7. 结账：jxc close 本月.xlsx 下月.xlsx —— 生成下月工作簿，期初 = 本月期末，需求历史向后结转。",
        "7. Close: jxc close this.xlsx next.xlsx — creates next month's workbook; its opening is this "
        "month's closing and demand history is carried forward.",
    ),
    "tpl_guide_sheets_h": ("各工作表的用途", "What each sheet is for"),
    # the guide's line on the 公式/Formulas sheet
    "tpl_guide_formulas_sheet": ("JXC.* 函数示例与自检", "JXC.* function samples and self-check"),
    "tpl_guide_formulas_h": (
        "启用 Python 公式（JXC.* 函数）和同步按钮",
        "Enabling the Python formulas (JXC.* functions) and the Sync button",
    ),
    "tpl_guide_formulas_1": (
        "方式一 xlwings Lite（Excel 365 / 网页版 / Mac，无需安装 Python）：在 Excel 的“加载项”中搜索并安装 "
        "xlwings Lite；在命令行运行 jxc addin，把打印出的 main.py 和 requirements.txt 分别粘贴到 xlwings "
        "Lite 编辑器中，重启后 JXC.* 函数和“同步”按钮即可使用。",
        "Option 1, xlwings Lite (Excel 365, Excel on the web, Mac; no Python install): install the xlwings "
        "Lite add-in from the Office Add-ins store; run jxc addin and paste the printed main.py and "
        "requirements.txt into the xlwings Lite editor; after a restart the JXC.* functions and the Sync "
        "button work.",
    ),
    "tpl_guide_formulas_2": (
        "方式二 经典 xlwings 加载项（Windows，本机已安装 Python）：pip install jxc-xl xlwings，然后 xlwings "
        "addin install；在 Excel 的 xlwings 选项卡中把 UDF Modules 设为 jxc_xl.udfs 并点击 Import Functions。"
        '同步宏：RunPython("import jxc_xl.excel as x; x.sync_caller()")。',
        "Option 2, classic xlwings add-in (Windows with Python): pip install jxc-xl xlwings, then xlwings "
        "addin install; on Excel's xlwings tab set UDF Modules to jxc_xl.udfs and click Import Functions. "
        'Sync macro: RunPython("import jxc_xl.excel as x; x.sync_caller()").',
    ),
    "tpl_guide_formulas_3": (
        "不使用 Excel 加载项时，也可以在命令行运行 jxc validate / jxc sync / jxc close，效果相同。",
        "Without an add-in, jxc validate / jxc sync / jxc close on the command line do the same.",
    ),
    "tpl_guide_formulas_4": (
        "“公式”表列出每个 JXC 函数的示例：左边是实时公式，右边是安装时用 Python 算出的预期值；“检查”列显示 "
        "OK 即表示加载项工作正常。",
        "The Formulas sheet shows each JXC function with sample inputs: the live formula and the value "
        "Python computed when this file was made; the Check column says OK when the add-in works.",
    ),
    "tpl_guide_buttons_h": ("按钮", "Buttons"),
    # {shape}: the button's shape name
    "tpl_guide_buttons_1": (
        "“采购计划”表上的“同步”按钮（形状名 {shape}）：在 xlwings Lite 中运行同步——先校验，"
        "无错误时重新生成“库存”“采购计划”“分析”三张表；有错误时列出问题，不修改任何数据。",
        "Sync on the Plan sheet (shape {shape}): runs sync in xlwings Lite — validates first; without errors "
        "it regenerates Stock, Plan and Analysis; with errors it lists them and changes nothing.",
    ),
    "tpl_guide_rules_h": ("注意", "Good to know"),
    "tpl_guide_rules_1": (
        "金额按分四舍五入（与 Excel ROUND 相同）。金额列留空时 = 数量 × 单价。",
        "Money is rounded half up to the cent (as Excel's ROUND). A blank amount means qty × price.",
    ),
    "tpl_guide_rules_2": (
        "计价方法：移动加权平均、月末一次加权平均、先进先出。月中请勿更改。",
        "Valuation: moving_average, monthly_average or fifo. Do not change it within a month.",
    ),
    "tpl_guide_rules_3": (
        "可以增加自己的列，但请勿改名或删除表头；表名和表头是固定的（见 docs/workbook.md）。",
        "You may add your own columns, but do not rename or delete headers: table names and headers are "
        "fixed (see docs/workbook.md).",
    ),
    # the 公式/Formulas sheet
    "tpl_fx_title": ("JXC 公式示例与自检", "JXC formulas: samples and self-check"),
    "tpl_fx_intro": (
        "黄色单元格是实时公式；安装加载项后，“检查”列应显示 OK。",
        "Yellow cells are live formulas; once the add-in is installed the Check column shows OK.",
    ),
    # column headers
    "tpl_fx_function": ("函数", "Function"),
    "tpl_fx_description": ("说明", "Description"),
    "tpl_fx_input": ("输入{n}", "Input {n}"),
    "tpl_fx_live": ("实时结果", "Live result"),
    "tpl_fx_formula": ("公式", "Formula"),
    "tpl_fx_expected": ("预期值", "Expected"),
    "tpl_fx_check": ("检查", "Check"),
    "tpl_fx_sample_data": ("样例数据", "Sample data"),
    "tpl_fx_not_loaded": ("加载项未启用", "add-in not loaded"),
    "tpl_fx_not_computed": ("（未计算）", "(not computed)"),
    # row labels of the sample data
    "tpl_fx_sample_discount_breaks": ("折扣起点", "Breaks"),
    "tpl_fx_sample_discount_prices": ("折扣单价", "Prices"),
    "tpl_fx_sample_abc_values": ("ABC 金额", "ABC values"),
    "tpl_fx_sample_history": ("需求历史", "History"),
    # what each JXC.* sample computes
    "tpl_fx_eoq": (
        "经济订货批量（年需求 λ、订货成本 K、单位年持有成本 h）",
        "Economic order quantity (annual demand λ, order cost K, holding cost h)",
    ),
    "tpl_fx_eoq_cost": ("批量 Q=250 时的年订货+持有成本", "Annual ordering + holding cost at Q=250"),
    "tpl_fx_eoq_backorder": (
        "允许缺货的经济订货批量（缺货成本 p=5）",
        "EOQ with planned backorders (backorder cost p=5)",
    ),
    "tpl_fx_eoq_discount": (
        "全量折扣下的最优订货量（折扣表见下方样例数据）",
        "Optimal quantity under all-units discounts (price table in the sample data below)",
    ),
    "tpl_fx_eoq_discount_cost": (
        "上述订货量的年总成本（含采购）",
        "Annual total cost at that quantity (incl. purchases)",
    ),
    "tpl_fx_safety_stock": (
        "安全库存（服务水平、σd、提前期 L、日均需求 d、σL）",
        "Safety stock (service level, σd, lead time L, daily demand d, σL)",
    ),
    "tpl_fx_reorder_point": ("再订货点 = d·L + 安全库存", "Reorder point = d·L + safety stock"),
    "tpl_fx_abc": ("ABC 分类（第 5 项恰在 95% 上，为 B）", "ABC class (the 5th item sits exactly on 95%: B)"),
    "tpl_fx_xyz": ("XYZ 分类（需求变异系数）", "XYZ class (coefficient of variation of demand)"),
    "tpl_fx_turnover": ("存货周转率 = 销售成本 / 平均库存", "Turnover = COGS / average inventory"),
    "tpl_fx_days_of_inventory": ("存货周转天数（期间 30 天）", "Days of inventory (30-day period)"),
    "tpl_fx_forecast": ("需求预测：下一期，3 期移动平均", "Forecast: next period, 3-period moving average"),
}
WORDS.update(TEMPLATE_WORDS)


# The validate report (terminal table, xlsx report) and the lines `jxc validate` prints around it. Keys start
# with report_; word() and phrase() serve them.
REPORT_LABELS: dict[str, tuple[str, str]] = {
    "report_severity": ("严重性", "Severity"),
    "report_code": ("代码", "Code"),
    "report_sheet": ("工作表", "Sheet"),
    "report_row": ("行", "Row"),
    "report_column": ("列", "Column"),
    "report_cell": ("单元格", "Cell"),
    "report_value": ("值", "Value"),
    "report_message": ("说明", "Message"),
    "report_file": ("文件", "File"),
    "report_period": ("期间", "Period"),
    "report_company": ("公司", "Company"),
    "report_valid": ("有效", "Valid"),
    "report_errors": ("错误", "Errors"),
    "report_warnings": ("警告", "Warnings"),
    "report_rows": ("行数", "Rows"),
    "report_elapsed": ("用时（秒）", "Seconds"),
    "report_error": ("错误", "error"),
    "report_warning": ("警告", "warning"),
    "report_yes": ("是", "yes"),
    "report_no": ("否", "no"),
    "report_findings_sheet": ("问题", "Findings"),
    "report_summary_sheet": ("汇总", "Summary"),
    "report_more": ("……另有 {n} 条（完整列表见 --json 或 --report）", "… {n} more (see --json or --report for all)"),
    "report_summary": (
        "共 {files} 个工作簿：{valid} 个无错误；错误 {errors} 条，警告 {warnings} 条",
        "{files} workbook(s): {valid} without errors; {errors} error(s), {warnings} warning(s)",
    ),
    # The command's own lines (printed in English whatever --lang, like every usage message of the CLI):
    "report_no_workbook": (
        "没有工作簿匹配 {what}；请给出 .xlsx 文件、包含它们的文件夹，或 'data/*.xlsx' 这样的通配符。",
        "no workbook matches {what}; give .xlsx files, folders holding them, or globs like 'data/*.xlsx'.",
    ),
    "report_bad_jobs": ("--jobs {jobs} 至少为 1。", "--jobs {jobs} must be at least 1."),
    "report_not_xlsx": (
        "--report {report}：报告写成 Excel 文件，请以 *.xlsx 命名。",
        "--report {report}: the report is written as an Excel file; name it *.xlsx.",
    ),
    "report_previous_missing": (
        "--previous {previous}：没有这个文件；请指定上月的工作簿。",
        "--previous {previous}: no such file; name last month's workbook.",
    ),
    "report_previous_unreadable": (
        "--previous {previous} 无法读取，因此不与它比较期初：{error}",
        "--previous {previous} cannot be read, so no opening is compared with it: {error}",
    ),
    "report_is_input": (
        "--report {report} 是要检查的工作簿之一；请换一个名字。",
        "--report {report} is one of the workbooks to check; choose another name.",
    ),
    "report_unwritable": (
        "无法写入报告 {report}（{cause}）。如果它在 Excel 中打开，请先关闭；否则请选择一个可写入的文件夹中的路径。",
        "cannot write the report {report} ({cause}). If it is open in Excel close it; otherwise choose a path in "
        "a folder you can write to.",
    ),
    "report_written": ("报告：{path}", "report: {path}"),
}
WORDS.update(REPORT_LABELS)

# Texts of sync, close and the Excel sync button: their refusals and errors (the language is the workbook's,
# or --lang; en before a workbook is read), and the plan's reason column. Keys start with refuse_, sync_,
# close_, book_, plan_; word() and phrase() serve them.
COMPUTE_TEXTS: dict[str, tuple[str, str]] = {
    # core.refusal: one refusal for both sync paths and close; {place}: refuse_file or refuse_book
    "refuse_file": ("{path}", "{path}"),
    "refuse_book": ("工作簿 {name}", "Workbook {name}"),
    "refuse_verb_sync": ("同步", "sync"),
    "refuse_verb_close": ("结转", "close"),
    "refuse_no_period": (
        "{place}：参数表（参数 / Settings）没有可用的会计期间（period，格式 YYYY-MM），无法计算。{detail}",
        "{place}: the settings sheet (参数 / Settings) has no usable period (会计期间, YYYY-MM), so nothing can be "
        "computed. {detail}",
    ),
    "refuse_errors": (  # {fix}: a refuse_fix_* text; {listing}: the erroneous cells when the caller shows no findings
        "{place}：有 {count} 个校验错误，已拒绝{verb}，未写入任何内容。{fix}{listing}",
        "{place}: {count} validation error(s); {verb} refused, nothing was written. {fix}{listing}",
    ),
    "refuse_fix_force": (
        "请改正这些错误（见 `jxc validate {path}`），或加 --force 仍然同步。",
        "Fix them (see `jxc validate {path}`) or pass --force to sync anyway.",
    ),
    "refuse_fix": ("请改正这些错误（见 `jxc validate {path}`）。", "Fix them (see `jxc validate {path}`)."),
    "refuse_fix_cells": (
        "请改正以下单元格后重新同步（或对保存后的文件运行 `jxc validate` 查看完整清单）：",
        "Fix these cells and run sync again (or run `jxc validate` on the saved file for the full list):",
    ),
    "refuse_more": ("\n  …… 另有 {count} 个", "\n  … and {count} more"),
    # jxc_xl.sync
    "sync_no_folder": (
        "{dst}：文件夹 {folder} 不存在；请先创建它，或用 -o 指定其他路径。",
        "{dst}: the folder {folder} does not exist; create it or choose another -o path.",
    ),
    "close_same_file": (
        "{next}：下月工作簿必须是 {name} 以外的另一个文件。",
        "{next}: next month's workbook must be another file than {name}.",
    ),
    "close_wrong_period": (
        "{next}：它的会计期间是 {found}，而 {period} 的下一个月是 {want}。"
        "请指定 {want} 的工作簿，或给一个新文件名以新建它。",
        "{next}: its period is {found}, but the month after {period} is {want}. Give the workbook of {want}, or a "
        "new file name to create it.",
    ),
    "close_items_missing": (
        "{next}：有 {count} 个有期末库存的商品不在它的“商品/Items”表中（{shown}）；请在那里添加，"
        "或删除 {name} 后重新运行 close 以新建它。",
        "{next}: {count} item(s) with closing stock are not in its 商品/Items sheet ({shown}); add them there, or "
        "delete {name} and run close again to create it.",
    ),
    # jxc_xl.excel: the open workbook cannot take the generated tables
    "book_table_missing": (
        "工作簿 {book}：缺少表 {table}（工作表 {zh_sheet} / {en_sheet}），同步无处写入。"
        "请从新工作簿（`jxc new`）复制该工作表，或恢复模板。",
        "Workbook {book}: table {table} (sheet {zh_sheet} / {en_sheet}) is missing, so sync has nowhere to write. "
        "Copy that sheet from a new workbook (`jxc new`) or restore the template.",
    ),
    "book_no_sku_column": (
        "工作簿 {book}，工作表 {sheet}，单元格 {cell}：{table} 的表头行没有 {sku} / SKU 列。请恢复表头：{headers}。",
        "Workbook {book}, sheet {sheet}, cell {cell}: the header row of {table} has no {sku} / SKU column. "
        "Restore the headers: {headers}.",
    ),
    # jxc_xl.excel: how to run sync from desktop Excel with classic xlwings (README-excel.md of `jxc addin`)
    "addin_classic_setup": (
        "## 在 Windows 桌面版 Excel 中使用（经典 xlwings）\n"
        "\n"
        "1. 安装 Python 3.11 或更高版本，然后在命令行运行：`pip install jxc-xl`，再运行 `xlwings addin install`。\n"
        "2. 运行 `jxc addin --out 某个文件夹`，得到 `xlwings.conf`、`jxc.bas`、`main.py`、`requirements.txt`。\n"
        "3. 把 `xlwings.conf` 中 INTERPRETER_WIN 改成你的 pythonw.exe "
        "路径，复制到 `%USERPROFILE%\\.xlwings\\xlwings.conf`\n"
        "   （或者在工作簿里新建名为 `xlwings.conf` 的工作表，把两列内容写在 A、B 列）。\n"
        "4. 把工作簿另存为 .xlsm（启用宏的工作簿）。按 Alt+F11 打开 VBA 编辑器：“工具 > 引用”勾选 xlwings；\n"
        "   “文件 > 导入文件”导入 `jxc.bas`。\n"
        "5. 在“采购计划”表上右键单击“同步”按钮 > 指定宏 > 选择 JxcSync。以后单击按钮即重算\n"
        "   库存、采购计划和分析三张表（其他表不动）；若输入有错误，会弹出错误清单，什么也不写入。\n"
        "6. 自定义函数：Excel 中 xlwings 选项卡 > Import Functions（UDF Modules 已设为 jxc_xl.udfs）。\n"
        "\n"
        '宏调用的是：`RunPython "{runpython}"`。\n'
        "不想装 Python：用 xlwings Lite 加载项（Excel“加载项”中搜索 xlwings），把 `main.py` 与 `requirements.txt`\n"
        "的内容粘贴到它的两个标签页，模板里的“同步”按钮即可直接使用。\n",
        "## Desktop Excel on Windows (classic xlwings)\n"
        "\n"
        "1. Install Python 3.11 or later, then run `pip install jxc-xl` and `xlwings addin install`.\n"
        "2. Run `jxc addin --out SOME_FOLDER` to get `xlwings.conf`, `jxc.bas`, `main.py` and `requirements.txt`.\n"
        "3. Set INTERPRETER_WIN in `xlwings.conf` to your pythonw.exe and copy the file to\n"
        "   `%USERPROFILE%\\.xlwings\\xlwings.conf` (or add a sheet "
        "named `xlwings.conf` holding its two columns in A:B).\n"
        "4. Save the workbook as .xlsm (macro-enabled). In the VBA "
        "editor (Alt+F11): Tools > References > tick xlwings;\n"
        "   File > Import File > `jxc.bas`.\n"
        "5. On the Plan sheet, right-click the Sync button > Assign "
        "Macro > JxcSync. A click then regenerates the Stock,\n"
        "   Plan and Analysis tables (nothing else changes); when the "
        "inputs have errors, it lists them and writes nothing.\n"
        "6. Custom functions: xlwings tab > Import Functions (UDF Modules is set to jxc_xl.udfs).\n"
        "\n"
        'The macro runs `RunPython "{runpython}"`.\n'
        "No Python on the machine? Use the xlwings Lite add-in (Excel "
        'Add-ins, search "xlwings"), paste `main.py` and\n'
        "`requirements.txt` into its two tabs, and the template's Sync button works as it is.\n",
    ),
    # core.plan: why an SKU is planned (tblPlan.reason); numbers come formatted
    "plan_reason_below": ("库存 {on} ≤ 再订货点 {rop}", "On hand {on} ≤ reorder point {rop}"),
    "plan_reason_soon": (
        "库存 {on}，{horizon} 天内将低于再订货点 {rop}（日均需求 {d}）",
        "On hand {on} will fall below reorder point {rop} within {horizon} days (avg daily demand {d})",
    ),
}
WORDS.update(COMPUTE_TEXTS)


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def word(key: str, lang: Lang) -> str:
    zh, en = WORDS.get(key, (key, key))
    return zh if lang == "zh" else en


def phrase(key: str, lang: Lang, **params: Any) -> str:
    """A word of WORDS with its ``{fields}`` filled in (missing ones print as ``?``)."""
    try:
        return word(key, lang).format_map(_Lenient({k: show(v) for k, v in params.items()}))
    except (ValueError, IndexError):
        return word(key, lang)


def message(code: str, lang: Lang = "zh", **params: Any) -> str:
    """The message of ``code`` in ``lang`` with ``params`` filled in (missing ones print as ``?``)."""
    zh, en = CATALOG.get(code, ("{code}", "{code}"))
    text = zh if lang == "zh" else en
    shown = _Lenient({k: show(v) for k, v in params.items()})
    shown.setdefault("code", code)
    try:
        return text.format_map(shown)
    except (ValueError, IndexError):  # a stray brace in a template must not raise
        return f"{code}: {params}"


def show(v: Any) -> str:
    """A value as a message shows it: dates as ISO, whole floats without .0, blanks as empty."""
    j = json_value(v)
    if j is None:
        return ""
    if isinstance(j, float):
        return f"{j:.10g}" if abs(j) < 1e15 else repr(j)
    return str(j)


def json_value(v: Any) -> Any:
    """A cell value as JSON can carry it: str/int/float/bool/None; dates as ISO strings; NaN → None."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(v, pd.Timestamp | datetime):
        if v.hour == v.minute == v.second == 0 and not getattr(v, "microsecond", 0):
            return v.date().isoformat()
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def make_finding(
    code: str,
    lang: Lang = "zh",
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    cell: str | None = None,
    value: Any = None,
    message_code: str | None = None,
    severity: Severity | None = None,
    **params: Any,
) -> Finding:
    """A Finding of ``code`` with its message; ``value``, ``row``, ``sheet`` and ``cell`` are also message fields.

    ``message_code`` picks another template of the catalog for the same finding code (a variant);
    ``severity`` overrides the code's default of CODES (the contract fixes codes, not severities).
    """
    return Finding(
        code=code,
        severity=severity or CODES.get(code, "error"),
        sheet=sheet,
        row=None if row is None else int(row),
        column=column,
        cell=cell,
        value=json_value(value),
        message=message(message_code or code, lang, value=value, row=row, sheet=sheet, cell=cell, **params),
    )
