"""Texts of the file-format adapters (jxc_xl.io): a file that cannot be read or written, bad template arguments."""

from __future__ import annotations

# Keys start with io_; word() and phrase() serve them. The adapters do not know the user's language: they raise
# JxcError.said(key, …), whose str() is the en variant and whose in_lang() the CLI prints in the language of
# --lang (one language per line: the en variants carry no Chinese gloss). Values
# that were shown with repr() arrive repr()'d from the caller ({name} = "'tblNope'"). No field is named key
# or lang: those are phrase()'s own arguments.
IO_TEXTS: dict[str, tuple[str, str]] = {
    # Opening a file (io.package.check_file / unreadable, used by the reader and the write-back alike)
    "io_file_not_found": (
        "{path}：文件不存在 — 请检查路径，或用 `jxc new {name}` 新建一个",
        "{path}: file not found — check the path, or create one with `jxc new {name}`",
    ),
    "io_is_folder": (
        "{path}：这是文件夹，不是工作簿 — 请给出 .xlsx 文件",
        "{path}: is a folder, not a workbook — give the .xlsx file",
    ),
    "io_not_regular": (
        "{path}：不是普通文件（可能是命名管道或设备）— 请给出 .xlsx 工作簿文件",
        "{path}: not a regular file (a named pipe or a device) — give the .xlsx workbook file",
    ),
    "io_output_is_folder": (
        "{path}：这是文件夹 — 请用 -o 给出输出文件名，例如 {example}",
        "{path}: is a folder — give -o a file name, such as {example}",
    ),
    "io_output_suffix": (
        "{path}：输出文件必须与输入同为 {suffix} 工作簿 — 请换成以 {suffix} 结尾的文件名",
        "{path}: the output must be a {suffix} workbook like the input — give a file name ending in {suffix}",
    ),
    "io_cannot_write": (
        "{path}：无法写入文件夹 {folder}（{error}）— 请检查权限，或用 -o 写到别处。原文件未改动。",
        "{path}: cannot write in the folder {folder} ({error}) — check its permissions, or write "
        "elsewhere with -o. The file was not changed.",
    ),
    "io_cannot_create": (  # new, close, consolidate: a file made whole, in a folder that cannot be written
        "{path}：无法写入文件夹 {folder}（{error}）— 请检查权限，或换一个能写入的文件夹。",
        "{path}: cannot write in the folder {folder} ({error}) — check its permissions, or give a path in a "
        "folder you can write to.",
    ),
    "io_unreadable": (  # {error}: the exception's type and text
        "{path}：无法读取：不是有效的 xlsx 文件，或文件已损坏/不完整 — 请在 Excel 中打开并重新另存为 .xlsx，"
        "或用 `jxc new` 新建一个（{error}）",
        "{path}: not a readable Excel workbook — "
        "open it in Excel and save it again as .xlsx, or create a new one with `jxc new` ({error})",
    ),
    "io_password": (
        "{path}：工作簿已加密 — 请另存一份不带密码的副本（文件 › 信息 › 保护工作簿 › 用密码进行加密）并使用该副本"
        "（{error}）",
        "{path}: the workbook is password-protected — save a copy without a password "
        "(File › Info › Protect Workbook › Encrypt) and use that ({error})",
    ),
    # Reading sheets (io.reader)
    "io_sheet_panic": (
        "{path}：工作表“{sheet}”无法读取：读取库在其中一个单元格上出错 — 常见原因是设为日期格式的单元格里有不可能的值"
        "（例如 -1000000000000）。请检查该工作表的日期单元格，或在 Excel 中打开文件并重新保存（{error}）",
        "{path}: sheet '{sheet}' cannot be read: the reading library failed on one of "
        "its cells — often a date-formatted cell holding an impossible value (such as -1000000000000). Check that "
        "sheet's date cells, or open the file in Excel and save it again ({error})",
    ),
    "io_part_too_large": (
        "{path}：工作表“{sheet}”（部件 {part}）解压后超过 768 MB，不是能读取的工作簿（可能是压缩炸弹）— "
        "请在 Excel 中打开并检查该工作表，或把数据分到几个月的工作簿中",
        "{path}: sheet '{sheet}' (part {part}) inflates past 768 MB, more than a workbook of this kind holds "
        "(possibly a zip bomb) — open it in Excel and check that sheet, or split the data over monthly workbooks",
    ),
    "io_sheet_unreadable": (
        "{path}：工作簿中有工作表无法读取，文件可能已损坏 — 请在 Excel 中打开并重新保存（{error}）",
        "{path}: a sheet of the workbook cannot be read — open it in Excel and save it again ({error})",
    ),
    # The package (io.package)
    "io_no_workbook_part": (
        "{path}：其中没有 {part}，所以不是 Excel 工作簿；请在 Excel 中另存为 .xlsx。",
        "{path}: no {part} inside, so this is not an Excel workbook; save it from Excel as .xlsx.",
    ),
    "io_bad_xml": (
        "{path}：部件 {part} 不是格式正确的 XML（{error}）；请在 Excel 中打开并重新保存以修复。",
        "{path}: part {part} is not well-formed XML ({error}); open and re-save the file in Excel to repair it.",
    ),
    "io_new_part": (
        "{part}：不是此文件包中已有的部件；只能修改已有部件（新部件还需要内容类型和关系，不会被写出）。",
        "{part}: not a part of this package; only existing parts can be changed (a new part would also need "
        "its content type and a relationship, and would not be written).",
    ),
    "io_doctype": (
        "{path}：部件 {part} 含有 DOCTYPE 声明，Excel 工作簿中不允许；请在 Excel 中打开并重新保存以修复。",
        "{path}: part {part} has a DOCTYPE declaration, which no Excel workbook holds; open and re-save the file "
        "in Excel to repair it.",
    ),
    "io_bad_table": (
        "{path}：表部件 {part} 已损坏（{error}）；请在 Excel 中打开并重新保存以修复。",
        "{path}: the table part {part} is damaged ({error}); open and re-save the file in Excel to repair it.",
    ),
    "io_bad_local_header": ("{part} 的本地文件头损坏", "bad local header for {part}"),
    "io_bad_cell_ref": ("无效的单元格引用 {ref}", "bad cell reference {ref}"),
    # The write-back (io.xlsxpatch, io.sheetpatch)
    "io_locked": (
        "{path}：Excel 正打开此工作簿（锁文件 {lock} 存在）；请在 Excel 中保存并关闭它，然后重新运行命令。",
        "{path}: the workbook is open in Excel (lock file {lock} exists); save and close it in Excel, then run the "
        "command again.",
    ),
    "io_none": ("无", "none"),
    "io_table_not_found": (
        "{path}：没有名为 {name} 的 Excel 表（找到的表：{have}）。请用 jxc 模板（jxc new）创建该工作表，"
        "或在 Excel 中把表命名为 {name}（表设计 → 表名称）。",
        "{path}: no Excel table named {name} (tables found: {have}). Create the sheet from the jxc template "
        "(jxc new) or name the table {name} in Excel (Table Design → Table Name).",
    ),
    "io_no_header_row": (
        "{path}：工作表 {sheet} 上的表 {name} 没有标题行；请打开标题行（表设计 → 标题行）。",
        "{path}: table {name} on sheet {sheet} has no header row; turn the header row on (Table Design → Header Row).",
    ),
    "io_not_schema_table": ("{name} 不是 jxc-xl 架构中的表", "{name} is not a table of the jxc-xl schema"),
    "io_not_schema_keys": (
        "{name} 的数据有不属于架构键的列：{unknown}",
        "frame for {name} has columns that are not schema keys: {unknown}",
    ),
    "io_shared_sheet": (
        "{path}：表 {names} 共用工作表部件 {part}；请把每个表放在各自的工作表上。",
        "{path}: tables {names} share sheet part {part}; put each on its own sheet.",
    ),
    "io_columns_mismatch": (
        "{path}：工作表 {sheet} 上的表 {name} 有 {n} 列，但其区域更宽或更窄；请在 Excel 中打开并重新保存以修复。",
        "{path}: table {name} on sheet {sheet} has {n} columns but its range is wider or narrower; open and "
        "re-save the workbook in Excel to repair it.",
    ),
    "io_sheet_not_utf8": (
        "{path}：工作表 {sheet} 不是 UTF-8 编码的 XML；请在 Excel 中重新另存为 .xlsx。",
        "{path}: sheet {sheet} is not UTF-8 XML; re-save the workbook in Excel as .xlsx.",
    ),
    "io_sheet_truncated": (
        "工作表部件 {part} 不完整（XML 在中途截断）；请在 Excel 中打开并重新保存以修复",
        "worksheet {part} is cut short (its XML ends midway); open and re-save the file in Excel to repair it",
    ),
    "io_no_sheet_data": ("工作表部件 {part} 没有 sheetData", "worksheet {part} has no sheetData"),
    "io_covers_user_cells": (
        "{path}：工作表 {sheet} 上的表 {name} 将增长到第 {row} 行，但其下方的单元格有你的数据（{cells}）；"
        "请移动或删除它们，然后重新运行命令。未写入任何内容。",
        "{path}: table {name} on sheet {sheet} grows to row {row}, but cells below it hold your data ({cells}); "
        "move or delete them, then run the command again. Nothing was written.",
    ),
    # Generated tables a plain-range workbook lacks (io.addtables)
    "io_plain_no_header": (
        "{path}：工作表 {sheet} 上找不到表 {name} 的标题行（含商品编码的一行）；请在该工作表上写好标题行，"
        "或删除（改名）该工作表让同步按模板新建它。未写入任何内容。",
        "{path}: sheet {sheet} holds no header row of table {name} (a row naming the SKU column); write the header "
        "row there, or delete (rename) the sheet so sync makes it from the template. Nothing was written.",
    ),
    "io_plain_bad_header": (
        "{path}：工作表 {sheet} 上表 {name} 的标题行在 {cell} 处为空或重复；Excel 表的每一列需要不同的标题文字，"
        "请填写后重新运行命令。未写入任何内容。",
        "{path}: the header row of table {name} on sheet {sheet} is blank or repeated at {cell}; each column of an "
        "Excel table needs a header text of its own: fill it in and run the command again. Nothing was written.",
    ),
    # Building a workbook (io.template)
    "io_bad_lang": ("语言必须是 'zh' 或 'en'，而不是 {language}", "language must be 'zh' or 'en', not {language}"),
    "io_unknown_table": ("未知的表 {name}；表有：{tables}", "unknown table {name}; tables are {tables}"),
    "io_unknown_columns": (
        "{name} 的数据有不在表中的列 {unknown}；请使用 jxc_xl.schema 的列键（{keys}）",
        "data for {name} has columns {unknown} that are not in the table; use the column keys of jxc_xl.schema "
        "({keys})",
    ),
    "io_unknown_setting": (
        "未知的参数 {setting}；参数有：{settings}",
        "unknown setting {setting}; settings are {settings}",
    ),
    "io_exists": (
        "{path} 已存在；请换一个文件名或先删除它（jxc new 从不覆盖文件）",
        "{path} already exists; choose another file name or delete it first (jxc new never overwrites)",
    ),
    "io_bad_period": (
        "会计期间 {period} 不是 YYYY-MM 格式（例如 2026-11）；无法创建 {path}",
        "period {period} is not YYYY-MM (e.g. 2026-11); cannot create {path}",
    ),
}
