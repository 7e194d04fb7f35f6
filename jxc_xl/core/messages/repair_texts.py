"""``jxc repair``'s texts: what it would restore (dry run) or restored, one line per thing, zh and en."""

from __future__ import annotations

REPAIR_TEXTS: dict[str, tuple[str, str]] = {
    "repair_input_table": (
        "工作表“{sheet}”：普通区域 {detail} 设为 Excel 表",
        "sheet '{sheet}': the plain range {detail} made an Excel Table",
    ),
    "repair_extend_table": (
        "工作表“{sheet}”：表扩展到 {detail}，包括表下方录入的行",
        "sheet '{sheet}': the table extended to {detail}, over the lines typed below it",
    ),
    "repair_generated_table": (
        "工作表“{sheet}”：{detail} 设为生成表（运行 jxc sync 填入数据）",
        "sheet '{sheet}': {detail} made the generated table (run jxc sync to fill it)",
    ),
    "repair_generated_sheet": (
        "新建工作表“{sheet}”（按模板，含生成表；运行 jxc sync 填入数据）",
        "new sheet '{sheet}' from the template, with its generated table (run jxc sync to fill it)",
    ),
    "repair_table_style": ("工作表“{sheet}”：表样式 {detail}", "sheet '{sheet}': table style {detail}"),
    "repair_table_formula": (
        "工作表“{sheet}”：计算列公式（新增行自动带出）：{detail}",
        "sheet '{sheet}': calculated column formulas (new rows get them): {detail}",
    ),
    "repair_defined_name": ("名称 {detail}（工作表“{sheet}”）", "name {detail} (sheet '{sheet}')"),
    "repair_button": ("工作表“{sheet}”：同步按钮", "sheet '{sheet}': the Sync button"),
    "repair_validation": (
        "工作表“{sheet}”：数据验证（下拉列表与输入检查）：{detail}",
        "sheet '{sheet}': data validation (dropdowns and input checks): {detail}",
    ),
    "repair_cannot": (
        "工作表“{sheet}”：标题行 {detail} 空白或重复，不能作为 Excel 表的标题；未设为表（填好标题后再运行）",
        "sheet '{sheet}': the header row is blank or repeated at {detail}, which no Excel Table can have; left as "
        "it is (fill the headers in and run it again)",
    ),
    "repair_cannot_header": (
        "工作表“{sheet}”：找不到表的标题行（含商品编码的一行），未设为表",
        "sheet '{sheet}': no header row of its table found (a row naming the SKU column); left as it is",
    ),
    "repair_validation_extended": (
        "工作表“{sheet}”：数据验证延伸到整列（其后新增的行也有下拉列表与检查）：{detail}",
        "sheet '{sheet}': data validation down the whole column again (lines added later get it too): {detail}",
    ),
    "repair_would": (
        "{path}：将恢复 {count} 项（加 --apply 写入）：",
        "{path}: would restore {count} item(s) (add --apply to write them):",
    ),
    "repair_done": ("{path}：已恢复 {count} 项：", "{path}: restored {count} item(s):"),
    "repair_nothing": ("{path}：没有需要恢复的内容", "{path}: nothing to restore"),
}
