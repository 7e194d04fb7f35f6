"""The `jxc` command's own lines (what it created, synced or closed, the demo's summary) and its usage errors."""

from __future__ import annotations

# Keys start with cli_ (demo_ for run_demo's refusals); word() and phrase() serve them. Numbers arrive
# formatted by the caller ({:,.2f}). No rich markup here: the command line styles its own lines.
CLI_TEXTS: dict[str, tuple[str, str]] = {
    "cli_bad_lang": (
        "--lang {value}：jxc 只支持 zh 或 en。",
        "--lang {value} is not a language jxc speaks; use zh or en.",
    ),
    "cli_bad_period": (
        "--period {period}：不是月份，请写成 YYYY-MM，例如 2026-11。",
        "--period {period} is not a month; write it as YYYY-MM, e.g. 2026-11.",
    ),
    "cli_not_xlsx": ("{path}：工作簿文件名必须以 .xlsx 结尾。", "{path}: the workbook must end in .xlsx."),
    "cli_card_head": ("{sku} {name}  明细账 {period}（{method}）", "{sku} {name}  stock card {period} ({method})"),
    "cli_card_empty": ("本月没有期初，也没有收发。", "No opening and no movement this month."),
    "cli_card_errors": (
        "注意：工作簿有 {n} 个校验错误，明细账按现有数据计算，数字可能不对（jxc validate 查看）。",
        "Note: the workbook has {n} validation error(s); the card is computed from the data as it is and may be "
        "wrong (see jxc validate).",
    ),
    "cli_card_closing": ("期末结存：数量 {qty}，金额 {amount}", "Closing: qty {qty}, amount {amount}"),
    "cli_created": ("已创建 {path}（{period}，{language}）。", "Created {path} ({period}, {language})."),
    "cli_forced": (
        "--force：尽管有 {n} 个校验错误仍已同步，数字可能不对。",
        "--force: synced despite {n} validation error(s); the figures may be wrong.",
    ),
    "cli_synced": (
        "已同步 {path}：{rows}；库存金额 {stock}；采购金额 {plan}",
        "Synced {path}: {rows}; stock value {stock}; plan amount {plan}",
    ),
    "cli_sync_refused": ("未同步 {path}：{message}", "Not synced {path}: {message}"),
    "cli_sync_failed": ("失败 {path}：{message}", "Failed {path}: {message}"),
    "cli_sync_summary": (
        "门店 {stores} 个：已同步 {synced}，拒绝 {refused}，失败 {failed}。",
        "{stores} stores: {synced} synced, {refused} refused, {failed} failed.",
    ),
    "cli_sync_one_output": (
        "-o 只能用于一个工作簿（给出了 {count} 个）；批量同步会就地写入每个文件。",
        "-o takes one workbook (got {count}); a batch syncs each file in place.",
    ),
    "cli_consolidated": (
        "已写入 {path}（{period}）：门店 {included}/{stores} 个已合并；库存金额 {stock}；采购金额 {plan}",
        "Wrote {path} ({period}): {included} of {stores} stores included; stock value {stock}; plan amount {plan}",
    ),
    "cli_consolidate_store": ("{store}（{path}）：{status}。{message}", "{store} ({path}): {status}. {message}"),
    "cli_close_created": (
        "已创建 {path}（{period}）：期初 {opening} 行，需求历史 {history} 行。",
        "Created {path} ({period}): {opening} opening lines, {history} history rows.",
    ),
    "cli_close_updated": (
        "已更新 {path}（{period}）：期初 {opening} 行，需求历史 {history} 行。",
        "Updated {path} ({period}): {opening} opening lines, {history} history rows.",
    ),
    "demo_not_folder": (
        "{path}：不是文件夹；请给出存放示例工作簿的文件夹。",
        "{path}: not a folder; give the folder the demo workbook should go to.",
    ),
    "demo_locked": (
        "{path}：Excel 正打开此工作簿；请先在 Excel 中关闭，再运行 jxc demo。",
        "{path}: Excel has this workbook open; close it there, then run jxc demo again.",
    ),
    "demo_exists": (
        "{path} 已存在（可能有你的修改）；加 --force 替换它，或换一个文件夹。",
        "{path} exists (it may hold your edits); pass --force to replace it, or give another folder.",
    ),
    "demo_company": ("示例商贸有限公司", "Demo Trading Co., Ltd."),  # the demo workbook's company name
    "cli_demo_head": ("jxc demo → {path}", "jxc demo → {path}"),
    "cli_demo_replaced": ("（已替换之前的示例）", " (replaced the previous demo)"),
    "cli_demo_lines": ("  商品 {items}；单据行：{ledger}", "  items {items}; ledger lines: {ledger}"),
    "cli_demo_findings": (
        "  问题：错误 {errors} 条，警告 {warnings} 条",
        "  findings: {errors} errors, {warnings} warnings",
    ),
    "cli_demo_money": (
        "  期末库存金额 {stock}；采购计划 {plan_lines} 行，金额 {plan}",
        "  closing stock value {stock}; plan lines {plan_lines}, plan amount {plan}",
    ),
    "cli_demo_next": (
        "可在 Excel 中打开，或运行：jxc validate {path}",
        "Open it in Excel, or try: jxc validate {path}",
    ),
    "cli_wrote": ("已写入 {path}", "Wrote {path}"),
    "cli_internal_error": (
        "内部错误：{error}（加 --debug 查看详情）",
        "internal error: {error} (run with --debug for details)",
    ),
}
