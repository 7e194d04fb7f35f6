"""The validate report (terminal table, xlsx report) and the lines `jxc validate` prints around it."""

from __future__ import annotations

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
    "report_alike": ("同类共 {n} 条，行 {rows}", "{n} alike, rows {rows}"),
    "report_count": ("条数", "Count"),
    "report_rows_list": ("所在行", "Rows"),
    "report_more": ("……另有 {n} 条（完整列表见 --json 或 --report）", "… {n} more (see --json or --report for all)"),
    "report_summary": (
        "共 {files} 个工作簿：{valid} 个无错误；错误 {errors} 条，警告 {warnings} 条",
        "{files} workbook(s): {valid} without errors; {errors} error(s), {warnings} warning(s)",
    ),
    # The command's own lines (usage errors: raised with UsageError.said, printed in the language of --lang):
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
