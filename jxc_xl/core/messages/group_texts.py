"""A batch of stores: sync's per-store lines, --scheduler's usage lines and the group workbook of ``jxc
consolidate`` (sheets, headers, store statuses, refusals). Keys start with sync_batch_, batch_ or group_;
headers of columns the store workbook already has come from the schema instead."""

from __future__ import annotations

GROUP_TEXTS: dict[str, tuple[str, str]] = {
    # --scheduler (jxc_xl.dispatch): usage lines, in English like the others
    "batch_no_dask": (
        "--scheduler {address}：需要 Dask；请安装 pip install 'jxc-xl[dask]'，或去掉 --scheduler 在本机运行"
        "（--jobs）。",
        "--scheduler {address} needs Dask: pip install 'jxc-xl[dask]', or leave --scheduler out to run here (--jobs).",
    ),
    "batch_no_scheduler": (
        "--scheduler {address}：连接不到 Dask 调度器（{detail}）；请检查地址（例如 tcp://10.0.0.5:8786）"
        "并确认调度器正在运行。",
        "--scheduler {address}: no Dask scheduler answers there ({detail}); check the address (e.g. "
        "tcp://10.0.0.5:8786) and that the scheduler is running.",
    ),
    "sync_batch_crash": (
        "{path}：同步时出现内部错误（{detail}）；其余门店不受影响。请用 jxc --debug sync {path} 查看详情。",
        "{path}: internal error while syncing ({detail}); the other stores were not affected. Run "
        "jxc --debug sync {path} for details.",
    ),
    "group_no_period": (
        "没有一个门店工作簿可读出期间；请先运行 jxc validate 查看原因。",
        "no store workbook has a readable period; run jxc validate on them to see why.",
    ),
    "group_mixed_periods": (
        "门店工作簿的期间不同（{periods}）；合并只针对同一个月，请只给出同一期间的文件。",
        "the store workbooks are of different periods ({periods}); consolidate one month at a time: give only "
        "the files of one period.",
    ),
    "group_bad_output": (
        "-o {path}：合并结果必须是已存在文件夹中的 .xlsx 文件，例如 -o group.xlsx。",
        "-o {path}: the group workbook must be an .xlsx file in a folder that exists, e.g. -o group.xlsx.",
    ),
    "group_output_is_input": (
        "-o {path} 是要合并的门店之一；请把合并结果写到另一个文件。",
        "-o {path} is one of the stores to consolidate; write the group workbook to another file.",
    ),
    # sheets of the group workbook
    "group_sheet_stock": ("门店库存", "Store stock"),
    "group_sheet_totals": ("公司库存", "Company stock"),
    "group_sheet_store_plan": ("门店采购计划", "Store plan"),
    "group_sheet_company_plan": ("公司采购计划", "Company plan"),
    "group_sheet_transfers": ("调拨建议", "Transfers"),
    "group_sheet_status": ("门店状态", "Store status"),
    # headers the store workbook does not have
    "group_col_store": ("门店", "Store"),
    "group_col_path": ("文件", "File"),
    "group_col_period": ("期间", "Period"),
    "group_col_status": ("状态", "Status"),
    "group_col_errors": ("错误", "Errors"),
    "group_col_warnings": ("警告", "Warnings"),
    "group_col_stock_value": ("库存金额", "Stock value"),
    "group_col_plan_amount": ("采购金额", "Plan amount"),
    "group_col_message": ("说明", "Message"),
    "group_col_stores": ("门店数", "Stores"),
    "group_col_short_store": ("需订货门店", "Store short"),
    "group_col_from_store": ("可调出门店", "Take from"),
    "group_col_spare": ("可调出数量", "Spare qty"),
    "group_col_suggested": ("建议调拨数量", "Suggested qty"),
    # store statuses
    "group_status_ok": ("已合并", "included"),
    "group_status_not_synced": ("未同步", "not synced"),
    "group_status_stale": ("同步后已修改", "changed since sync"),
    "group_status_invalid": ("有校验错误", "validation errors"),
    "group_status_unreadable": ("无法读取", "unreadable"),
    "group_msg_not_synced": (
        "没有库存表数据：请先运行 jxc sync {path}，再合并。",
        "its stock table is empty: run jxc sync {path}, then consolidate again.",
    ),
    "group_msg_stale": (
        "库存或采购计划与现在的单据不符（同步后又有修改）：请运行 jxc sync {path}，再合并。",
        "its stock or plan no longer matches its ledgers (edited since the last sync): run jxc sync {path}, then "
        "consolidate again.",
    ),
    "group_msg_invalid": (
        "有 {n} 个校验错误，未计入合计：请运行 jxc validate {path} 并修正，然后同步。",
        "{n} validation error(s), left out of the totals: run jxc validate {path}, fix them, then sync.",
    ),
}
