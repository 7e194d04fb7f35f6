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
