"""Texts of sync, close and the Excel sync button: refusals, errors and the plan's reason column."""

from __future__ import annotations

# Texts of sync, close and the Excel sync button: their refusals and errors (the language is the workbook's,
# or --lang; en before a workbook is read), and the plan's reason column. Keys start with refuse_, sync_,
# close_, book_, plan_; word() and phrase() serve them.
COMPUTE_TEXTS: dict[str, tuple[str, str]] = {
    # core.card and jxc card: the stock card (明细账)
    "card_too_long": (
        "明细账共 {lines} 行，超过参数“{setting}”（{limit} 行），本次未写入。查看单个商品：jxc card 文件 商品编码；"
        "或在 参数 表调大“{setting}”后重新同步。",
        "The stock card has {lines} lines, more than the setting {setting} ({limit}), so it is not written here. "
        "One item's card: jxc card FILE SKU; or raise {setting} on the Settings sheet and sync again.",
    ),
    "card_unknown_sku": (
        "{path}：没有商品编码 {sku}（商品、期初和本月单据里都没有）。{near}",
        "{path}: no SKU {sku} (not in Items, Opening or this month's lines). {near}",
    ),
    "card_near": ("相近的编码：{skus}", "Similar SKUs: {skus}"),
    # core.refusal: one refusal for both sync paths and close; {place}: refuse_file or refuse_book
    "refuse_file": ("{path}", "{path}"),
    "refuse_book": ("工作簿 {name}", "Workbook {name}"),
    "refuse_verb_sync": ("同步", "sync"),
    "refuse_verb_close": ("结转", "close"),
    "refuse_verb_plan": ("计划", "plan"),
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
    "close_no_warehouse_column": (  # issue 12.2: this month keeps warehouses, next month's 期初 has no 仓库 column
        "{next}：本月的期末库存分仓库结转，但它的“期初/Opening”表没有“仓库”列；请在该表最后添加一列“仓库”，"
        "或删除 {name} 后重新运行 close 以新建它。",
        "{next}: this month's closing is carried per warehouse, but its 期初/Opening table has no Warehouse column; "
        "add a 'Warehouse' column at the end of that table, or delete {name} and run close again to create it.",
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
}
