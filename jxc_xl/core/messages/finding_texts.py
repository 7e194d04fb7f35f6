"""The finding messages: per code a zh and an en template saying what is wrong and what fixes it."""

from __future__ import annotations

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
    "cells-ignored": (  # {cells}: the first cells left out; {count}: how many; {box}: the range that was read
        "工作表“{sheet}”中有 {count} 个单元格远在数据区域之外（如 {cells}），未读取：读取了 {box}。"
        "这些多半是误输入；如不需要，请在 Excel 中删除它们。",
        "Sheet '{sheet}': {count} cell(s) far outside the data (such as {cells}) were not read; {box} was read. "
        "They are most likely typed by mistake: delete them in Excel if they are not needed.",
    ),
    "table-missing": (
        "找不到表 {table}（工作表“{sheet}”）；请用 jxc new 生成的模板或添加该表",
        "Table {table} (sheet '{sheet}') not found; use a template from `jxc new` or add the table",
    ),
    "optional-table-missing": (
        "没有找到工作表“{sheet}”（或其中的表格）：本月按没有这类记录计算，这可以不改；"
        "如果这些记录放在别的工作表里，请把工作表改名为“{sheet}”，或用 jxc new 生成的模板。",
        "No sheet '{sheet}' (or no table on it) found: the month is computed as having no such lines, which may "
        "be right; if you keep them on another sheet, rename it to '{sheet}' or use a template from `jxc new`.",
    ),
    "total-row-skipped": (  # {where}: the rows (a rows_* word); {label}: the first one's label; {required}: headers
        "工作表“{sheet}”{where}是合计行或签字行（如“{label}”），不是业务记录，已略过，不参与计算；"
        "如其中某行确是一笔业务，请在它的{required}中填写实际内容。",
        "Sheet '{sheet}', {where}: total or signature lines (such as '{label}'), not transactions; left out of "
        "every figure. If one of them is a real line, give it a real {required}.",
    ),
    "rows-below-table": (  # {where}: the rows (a rows_* word); {last}: the table's last row
        "工作表“{sheet}”{where}在表格区域（到第 {last} 行）之下：已计入库存，但引用该表格的公式、透视表"
        "和筛选不包含这些行；请把表格扩展到这些行（拖动表格右下角的控点，或“表设计 → 调整表格大小”）。",
        "Sheet '{sheet}', {where}: below the Excel table (which ends at row {last}); counted in the stock, "
        "but formulas, pivots and filters over the table miss them. Extend the table over them (drag its "
        "bottom-right handle, or Table Design → Resize Table).",
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
    "date-receipt-in-period": (  # warning variant of date-outside-period: an opening lot received this month
        "入库日期 {value} 不早于本期 {period} 的第一天（{first}）：期初的批次应在以前的月份入库；"
        "请改正日期（本月的入库请录入采购入库表）。",
        "Receipt date {value} is not before the first day of the period {period} ({first}): an opening lot was "
        "received in an earlier month; correct the date (this month's receipts belong on the purchases sheet).",
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
    "amount-too-large": (  # {amount}: the line's money (amount, or qty × price); {limit}: money.MAX_LINE_AMOUNT
        "“{header}”为 {value}，本行金额 {amount} 超过每行上限 {limit}，无法精确合计；多半是多打了几个 0，"
        "请改正；确有这么大的金额请拆成几行。强制同步时本行不计金额（数量照计）。",
        "“{header}” is {value}: this line's money {amount} is beyond the per-line limit of {limit}, above which "
        "totals cannot stay exact; most likely extra zeros were typed, correct it, or split a real amount over "
        "several lines. A forced sync counts this line's quantity but none of its money.",
    ),
    "cost-too-large": (  # {amount}: qty × {unit_cost}, the SKU's highest unit cost this month; {limit}: the limit
        "“{header}”为 {value}：按本商品本月最高单位成本 {unit_cost} 计，本行成本金额可达 {amount}，超过每行上限 "
        "{limit}，无法精确合计；多半是多打了几个 0，请改正；确有这么多请拆成几行。",
        "“{header}” is {value}: at this item's highest unit cost this month, {unit_cost}, this line's money at cost "
        "reaches {amount}, beyond the per-line limit of {limit}, above which totals cannot stay exact; most likely "
        "extra zeros were typed, correct it, or split a real quantity over several lines.",
    ),
    "cost-too-large-count": (  # a count: {moved} is its difference from the book quantity just before it
        "“{header}”为 {value}：与账面数量相差 {moved}，按本商品本月最高单位成本 {unit_cost} 计，盘盈盘亏金额可达 "
        "{amount}，超过每行上限 {limit}，无法精确合计；多半是多打了几个 0，请改正实盘数量。",
        "“{header}” is {value}: {moved} away from the book quantity; at this item's highest unit cost this month, "
        "{unit_cost}, the count's adjustment reaches {amount}, beyond the per-line limit of {limit}, above which "
        "totals cannot stay exact; most likely extra zeros were typed, correct the counted quantity.",
    ),
    "vat-total-mismatch": (  # {net}, {tax}: the line's amount without VAT and its VAT; {expected} = their sum
        "价税合计 {value} 与 不含税金额 {net} + 税额 {tax} = {expected} 相差 {diff}；请改正价税合计、金额或税额，"
        "或把价税合计留空（按 金额 + 税额 计算）。",
        "Total incl. VAT {value} differs from amount without VAT {net} + VAT {tax} = {expected} by {diff}; correct "
        "the total, the amount or the VAT, or leave the total blank (amount + VAT).",
    ),
    "vat-total-mismatch-included": (  # variant: 含税 = 是, the amount (or qty × price) is the total
        "价税合计 {value} 与本行含税金额 {expected}（含税 = 是：金额，空白时 数量 × 单价）相差 {diff}；"
        "请改正价税合计、金额或单价，或把价税合计留空。",
        "Total incl. VAT {value} differs from this line's amount incl. VAT {expected} (Incl. VAT = yes: the "
        "amount, blank: qty × unit price) by {diff}; correct the total, the amount or the price, or leave the "
        "total blank.",
    ),
    "vat-tax-mismatch": (  # {percent}: the rate used; {expected}: ROUND_HALF_UP(net × rate)
        "税额 {value} 与 不含税金额 {net} × 税率 {percent} = {expected} 相差 {diff}（超过 0.01）；"
        "请核对发票上的税额和税率（本行按填写的税额计）。",
        "VAT {value} differs from amount without VAT {net} × rate {percent} = {expected} by {diff} (more than "
        "0.01); check the VAT and the rate on the invoice (the line counts the VAT as typed).",
    ),
    "vat-rate-unusual": (  # {percent}: the rate as a percentage
        "税率 {percent} 不是常用的增值税税率或征收率（0、1%、3%、5%、6%、9%、13%）；请核对。",
        "VAT rate {percent} is none of the usual rates (0, 1 %, 3 %, 5 %, 6 %, 9 %, 13 %); check it.",
    ),
    "vat-rate-unusual-setting": (  # variant on the default-rate setting; {count}: the lines that use it
        "参数“{key}”为 {percent}，不是常用的增值税税率或征收率（0、1%、3%、5%、6%、9%、13%），本月有 {count} "
        "行按它计税；请核对。",
        "Setting '{key}' is {percent}, none of the usual VAT rates (0, 1 %, 3 %, 5 %, 6 %, 9 %, 13 %), and "
        "{count} line(s) this month use it; check it.",
    ),
    "vat-rate-invalid": (  # {default}: the rate a forced sync books the line at
        "税率 {value} 不在 0 到 100% 之间：13% 请填 13% 或 0.13；请改正。强制同步时本行按默认税率 {default} 计算。",
        "VAT rate {value} is not between 0 and 100 %: enter 13 % as 13% or 0.13; correct it. A forced sync "
        "books this line at the default rate {default}.",
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
    "negative-stock-warehouse": (  # variant of negative-stock with warehouses (issue 12.2)
        "商品 {sku} 在仓库 {warehouse} 于 {date} 的这笔{kind_label}之后库存为 {value}，低于 0；"
        "请检查是否漏录该仓库的期初、采购入库或调入，仓库、日期或数量是否录错。如确实允许负库存，请在“参数”表把“允许负库存”设为“是”。",
        "Stock of SKU {sku} in warehouse {warehouse} falls to {value} after this {kind_label} on {date}; check for a "
        "missing opening, purchase or transfer in of that warehouse, or a wrong warehouse, date or qty. If negative "
        "stock is really allowed, set allow_negative to yes in the Settings table.",
    ),
    "unknown-warehouse": (  # issue 12.2; {warehouses_sheet}: the 仓库 sheet
        "仓库 {value} 未在“{warehouses_sheet}”表中登记；请在“{warehouses_sheet}”表添加该仓库，或改正仓库编码。",
        "Warehouse {value} is not in the “{warehouses_sheet}” table; add it there, or correct the code.",
    ),
    "transfer-to-itself": (
        "调拨单 {doc_no} 的调出仓库和调入仓库都是 {value}：同一仓库内调拨不改变任何库存；"
        "请改正调入仓库，或删除这一行。",
        "Transfer {doc_no} goes from warehouse {value} to itself, which moves nothing; correct the destination or "
        "delete the line.",
    ),
    "transfer-exceeds-stock": (  # {value}: the source's balance after the transfer
        "调拨单 {doc_no} 从仓库 {warehouse} 调出商品 {sku} {qty}，超过该仓库当时的库存（调出后为 {value}）；"
        "请检查调出仓库、数量，或是否漏录该仓库的采购入库、调入。",
        "Transfer {doc_no} moves {qty} of SKU {sku} out of warehouse {warehouse}, more than it holds then ({value} "
        "after the transfer); check the source warehouse and the qty, or a missing purchase or transfer into it.",
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
    "order-expected-before-order": (
        "预计到货日 {value} 早于下单日期 {order_date}；请改正其中一个日期"
        "（不知道到货日可留空：按下单日期 + 提前期计）。",
        "Expected date {value} is before the order date {order_date}; correct one of the dates (leave the expected "
        "date blank if unknown: the order date + the item's lead time is used).",
    ),
    "order-received-exceeds": (
        "已到货数量 {value} 大于订货数量 {qty}：本行不再计在途。如是供应商多发，可以不改；如是录入错误，请改正数量。",
        "Received qty {value} is more than the ordered qty {qty}: nothing of this line counts as on order. If the "
        "supplier delivered more, this may stay; if it is a typing error, correct the quantity.",
    ),
    "order-duplicate-line": (
        "订单 {value} 的商品 {sku} 与第 {first_row} 行重复，两行都计入在途；如是重复录入请删除本行，"
        "如确为两次订货请使用不同订单号。",
        "Order {value} has SKU {sku} again (as row {first_row}); both lines count as on order. If it was entered "
        "twice delete this row; if these are two orders give them different order numbers.",
    ),
    "order-overdue": (
        "订单 {doc_no} 的商品 {sku} 预计 {value} 到货，已过计划日期 {as_of} 仍未结，仍计入在途；如已到货，请在"
        "“采购入库”录入并更新“已到货数量”；如不会再到，请把状态改为“已取消”或“已结”；否则请更新预计到货日。",
        "Order {doc_no}, SKU {sku} was expected on {value}, before the plan date {as_of}, and is still open, so it "
        "counts as on order. If it arrived, enter it in Purchases and update 'Received qty'; if it will not come, "
        "set its status to cancelled or received; otherwise update the expected date.",
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
    "other-unknown-reason": (  # tblOther (issue 12.3): the reason decides the direction
        "类型“{value}”不是其他出入库的类型；出库请选 {issues}，入库请选 {receipts}。本行在改正前不计入库存。",
        "Reason “{value}” is not a reason of an other movement; for an issue choose {issues}, for a receipt "
        "{receipts}. The line is not booked until it is corrected.",
    ),
}
