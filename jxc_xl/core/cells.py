"""Raw cell blocks → typed table frames and findings: the format-independent half of reading.

Both readers end up with the same thing, a header row and a 2-D block of raw cell values (the file reader
from python-calamine, the Excel button from xlwings), and hand it to ``table_data``; the settings table then
goes through ``core.settings_table.read_settings``. Plain numpy/pandas/pydantic: no file format, no xlwings,
no python-calamine, so xlwings Lite (Pyodide, which has no python-calamine) types cells exactly as ``jxc
validate`` does.

This module finds headers (``find_header_row``, ``match_headers``), the workbook's language and builds the
table frames, leaving out the rows that are no documents (合计 / Total rows and signature lines) and saying
so, and naming the lines typed below an Excel Table's range; cells and columns are typed in
``jxc_xl.core.cell_values`` and the settings table is read in ``jxc_xl.core.settings_table`` (import those
names from there).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW, TableData, empty_frame
from jxc_xl.core.cell_values import NUMERIC, Converted, convert, is_blank
from jxc_xl.core.findings import Finding, col_letter
from jxc_xl.core.messages import make_finding, phrase, word
from jxc_xl.schema import SETTINGS_TABLE, TABLES, TABLES_BY_NAME, ColType, Column, Lang, Table, normalise_header

__all__ = [
    "HEADER_SCAN_ROWS",
    "HeaderRow",
    "ReadTable",
    "detect_lang",
    "find_header_row",
    "is_summary_label",
    "match_headers",
    "rows_text",
    "table_data",
    "table_missing",
    "type_name",
]


# ---------------------------------------------------------------------------------------------------
# Messages and findings


def type_name(col: Column, lang: Lang) -> str:
    """What a cell of ``col`` must hold, for a bad-type message."""
    if col.type in NUMERIC:
        return word("type_number", lang)
    if col.type == ColType.CHOICE:
        return phrase("type_choice", lang, choices=" | ".join(col.choice_labels(lang)))
    if col.type == ColType.DATE:
        return word("type_date", lang)
    if col.type == ColType.PERIOD:
        return word("type_period", lang)
    return word("type_text", lang)


def table_missing(table: Table, lang: Lang, msg_lang: Lang | None = None) -> Finding:
    """table-missing for an input table found nowhere in the workbook (optional-table-missing, a warning, for
    a table a month may lack: ``Table.optional``)."""
    code = "optional-table-missing" if table.optional else "table-missing"
    return make_finding(code, msg_lang or lang, sheet=table.sheet(lang), table=table.name)


# ---------------------------------------------------------------------------------------------------
# Headers and language


def match_headers(table: Table, headers: Sequence[Any]) -> dict[str, int]:
    """Column key → index in ``headers`` (zh or en header, any order; a repeated header: the first wins)."""
    hmap = table.header_map()
    out: dict[str, int] = {}
    for j, h in enumerate(headers):
        if is_blank(h):
            continue
        key = hmap.get(normalise_header(h))
        if key is not None and key not in out:
            out[key] = j
    return out


HEADER_SCAN_ROWS = 30  # a plain range's header row is looked for this far down its sheet (title rows above it)


@dataclass(frozen=True, slots=True)
class HeaderRow:
    """Where a plain range's header row stands among the scanned rows (0-based indices into them).

    A frozen dataclass, not a NamedTuple: a tuple's ``index`` method would clash with the field.
    """

    index: int  # the header row
    first: int  # first cell naming one of the table's columns
    last: int  # last such cell (inclusive): the range's columns are first..last
    score: int  # distinct columns of the table it names


def find_header_row(table: Table, rows: Sequence[Sequence[Any]], *, require_all: bool = True) -> HeaderRow | None:
    """The header row of ``table`` as a plain range, given a sheet's first rows (``HEADER_SCAN_ROWS``) as values.

    The header is the row naming most of the table's columns, every required one among them; a tie goes to
    the upper row, so title rows above the headers ("销售出库单 2026年11月") are passed over. The data are then
    every row below it to the end of the sheet's used range, in columns ``first..last``, blank rows skipped
    (``table_data`` drops them) — both readers (file and Excel) call this and read the same rows.
    ``require_all=False`` (on the table's own sheet): when no row holds every required header, the row
    naming most columns is still taken, so the reader reports the missing columns rather than a missing table.
    """
    best: HeaderRow | None = None
    partial: HeaderRow | None = None
    required = table.required_keys()
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        m = match_headers(table, row)
        if not m:
            continue
        cols = m.values()
        hr = HeaderRow(i, min(cols), max(cols), len(m))
        if all(k in m for k in required):
            if best is None or hr.score > best.score:
                best = hr
        elif partial is None or hr.score > partial.score:
            partial = hr
    return best if best is not None or require_all else partial


def detect_lang(sheet_names: Collection[str], headers: Iterable[tuple[str, Sequence[Any]]]) -> Lang:
    """The workbook's language: by sheet names, then (sheets named otherwise) by the header texts.

    ``headers``: (table name, header cells) of the tables found; consumed only on a tie, so a lazy generator
    reads no sheet when the sheet names decide.
    """
    zh = sum(t.zh_sheet in sheet_names for t in TABLES)
    en = sum(t.en_sheet in sheet_names for t in TABLES)
    if zh != en:
        return "zh" if zh > en else "en"
    zh_h = en_h = 0
    for name, cells in headers:
        heads = {normalise_header(v) for v in cells if not is_blank(v)}
        cols = TABLES_BY_NAME[name].columns
        zh_h += sum(normalise_header(c.zh) in heads for c in cols)
        en_h += sum(normalise_header(c.en) in heads for c in cols)
    return "en" if en_h > zh_h else "zh"


# ---------------------------------------------------------------------------------------------------
# Totals and signature lines: rows people keep among the data that are no documents

# A label is the whole cell: the word alone, or with a clearly non-data remainder — a measure (合计金额, Total
# qty), or a colon and anything (合计：, 审核：李四, Prepared by: Li). A space, bracket or dash and more text is
# data ("TOTAL 5W-30", "Total Care", "Total (OEM)", "Signature Blend"): an item code or name may start with
# any of these words, and a row read in error is named while a row left out is lost.
_LABEL_END = r"\s*(?:[:：].*)?"
_ZH_MEASURE = r"(?:\s*(?:金额|数量|成本|数|额))?"
_EN_MEASURE = r"(?:\s+(?:amount|qty|quantity|value|cost|sum))?"
_LABELS = (
    re.compile(
        rf"(?:本[日周月页期季年]|全[月年]|总|月|年|)(?:合\s*计|小\s*计|总\s*计|共\s*计|累\s*计|汇\s*总){_ZH_MEASURE}"
        rf"{_LABEL_END}",
        re.S,
    ),
    re.compile(
        rf"(?:(?:grand|page|month(?:ly)?|year(?:ly)?)\s*totals?|sub-?\s*totals?|totals?){_EN_MEASURE}{_LABEL_END}",
        re.S | re.I,
    ),
    re.compile(
        r"(?:(?:制表|制单|审核|复核|审批|批准|记账|经手|经办|验收|签收|签字|收货|送货|发货|仓管|保管|库管)(?:人|员)?"
        rf"|负责人|主管|会计|出纳){_LABEL_END}",
        re.S,
    ),
    re.compile(
        rf"(?:(?:prepared|approved|checked|reviewed|received|verified|authori[sz]ed|entered|recorded)\s+by|"
        rf"signature|signed(?:\s+off)?){_LABEL_END}",
        re.S | re.I,
    ),
)
ROWS_SHOWN = 10  # rows a finding names one by one; more are counted


def is_summary_label(v: Any) -> bool:
    """A total (合计, 小计, Total …) or signature (制表人, 审核, Prepared by …) label, as the whole cell."""
    if not isinstance(v, str):
        return False
    text = v.strip()
    return bool(text) and any(p.fullmatch(text) for p in _LABELS)


def rows_text(rows: Sequence[int], lang: Lang) -> str:
    """Excel rows as a message names them: 第 5、6 行 / rows 5, 6 (the first ``ROWS_SHOWN``, then a count)."""
    shown = word("list_sep", lang).join(str(int(r)) for r in rows[:ROWS_SHOWN])
    if len(rows) > ROWS_SHOWN:
        return phrase("rows_more", lang, rows=shown, count=len(rows))
    return phrase("rows_one" if len(rows) == 1 else "rows_many", lang, rows=shown)


def _summary_rows(table: Table, rows: np.ndarray, conv: dict[str, Converted], match: dict[str, int]) -> np.ndarray:
    """Rows (mask over ``rows``) that are totals or signature lines, not documents.

    Such a row's first text cell is a label (``is_summary_label``: 合计 before the sums, or after them in a note
    column) and each identity cell — the table's required columns that are not numbers: date, doc no, SKU,
    name, kind … — is blank or a label too; the number columns may hold sums. A real line always has an
    identity (an item named 合计 has its SKU, a sale dated and numbered; a SKU such as "TOTAL 5W-30" is no
    label), so it is never taken for one — except where the SKU is the whole identity (期初): there a SKU that
    reads 合计 is a totals row only if a quantity or amount of it is the sum of two or more lines above. Only rows
    whose dates, periods or choices are blank or unreadable are looked at one by one, so a long ledger costs
    nothing.
    """
    n = rows.shape[0] if rows.ndim == 2 else 0
    out = np.zeros(n, dtype=bool)
    ident = [c for c in table.columns if c.required and c.type not in NUMERIC and c.key in match]
    if not n or not ident or table.generated or table is SETTINGS_TABLE:
        return out
    cand = np.ones(n, dtype=bool)
    for c in ident:
        if c.type != ColType.TEXT:
            _, bad, blank = conv[c.key]
            cand &= blank if bad is None else (blank | bad)
    width = rows.shape[1]
    sku_only = [c.key for c in ident] == ["sku"]  # 期初: the SKU is the line's whole identity
    for i in np.flatnonzero(cand):
        if not is_summary_label(_label_cell(rows[i])[1]):
            continue
        cells = [rows[i, match[c.key]] if match[c.key] < width else None for c in ident]
        out[i] = all(is_blank(v) or is_summary_label(v) for v in cells)
        if out[i] and sku_only and not is_blank(cells[0]):
            out[i] = _holds_sums(table, conv, int(i), out)  # SKU "合计" with its own figures is an item
    return out


def _holds_sums(table: Table, conv: dict[str, Converted], i: int, summary: np.ndarray) -> bool:
    """Row ``i`` holds a sum of two or more lines above it (all of them, or those since the last summary row: a
    subtotal) in at least one of its quantities and amounts, or no such figure at all. One line above is no
    total: an item coded 合计 right under an item of the same quantity stays an item."""
    start = int(np.flatnonzero(summary[:i])[-1]) + 1 if summary[:i].any() else 0
    lines = ~summary[:i]
    if lines.sum() < 2:
        return not _has_figures(table, conv, i)
    filled = False
    for c in table.columns:
        if c.type not in (ColType.QTY, ColType.MONEY) or c.key not in conv:
            continue
        v = conv[c.key][0]
        if np.isnan(v[i]):
            continue
        filled = True
        for total in (np.nansum(v[:i][lines]), np.nansum(v[start:i])):
            if np.isclose(v[i], total, rtol=1e-9, atol=0.011):
                return True
    return not filled


def _has_figures(table: Table, conv: dict[str, Converted], i: int) -> bool:
    """Row ``i`` has a quantity or amount filled in."""
    keys = [c.key for c in table.columns if c.type in (ColType.QTY, ColType.MONEY) and c.key in conv]
    return any(not np.isnan(conv[k][0][i]) for k in keys)


def _label_cell(row: np.ndarray) -> tuple[int, Any]:
    """(column offset, value) of a row's first text cell; (0, None) for a row without one."""
    return next(((j, v) for j, v in enumerate(row) if isinstance(v, str) and not is_blank(v)), (0, None))


class _RowNotes(NamedTuple):
    """What ``table_data`` says about a table's rows besides their cells."""

    summary: np.ndarray  # offsets into the block of the totals and signature lines left out
    kept_rows: np.ndarray  # Excel rows of the lines read
    ref_last_row: int | None  # last Excel row of the Excel Table's range (None: a plain range)


def _row_findings(table: Table, rows: np.ndarray, start: int, notes: _RowNotes, where: _Where) -> list[Finding]:
    """total-row-skipped for the totals and signature lines left out, rows-below-table for the lines read
    below the Excel Table's range: one finding per table each, naming the rows."""
    ml, findings = where.msg_lang, []
    if len(notes.summary):
        j, label = _label_cell(rows[notes.summary[0]])
        r = start + int(notes.summary[0])
        required = [c.header(where.lang) for c in table.columns if c.required and c.type not in NUMERIC]
        findings.append(
            make_finding(
                "total-row-skipped",
                ml,
                sheet=where.sheet,
                row=r,
                cell=f"{col_letter(where.first_col + j)}{r}",
                value=label,
                where=rows_text((start + notes.summary).tolist(), ml),
                label=str(label).strip(),
                required=word("list_sep", ml).join(required),
                table=table.name,
            )
        )
    if notes.ref_last_row is not None and not table.generated:
        below = notes.kept_rows[notes.kept_rows > notes.ref_last_row]
        if len(below):
            r = int(below[0])
            findings.append(
                make_finding(
                    "rows-below-table",
                    ml,
                    sheet=where.sheet,
                    row=r,
                    cell=f"{col_letter(where.first_col)}{r}",
                    where=rows_text(below.tolist(), ml),
                    last=notes.ref_last_row,
                    table=table.name,
                )
            )
    return findings


# ---------------------------------------------------------------------------------------------------
# Tables


class ReadTable(NamedTuple):
    data: TableData
    raw: dict[str, np.ndarray]  # column key → raw cells of the kept (non-blank) rows
    findings: list[Finding]


class _Where(NamedTuple):
    """Where a table's cells stand and in which languages its findings speak."""

    sheet: str
    lang: Lang  # names the headers in messages
    msg_lang: Lang  # the message language
    letters: dict[str, str]  # column key → Excel column letter
    first_col: int  # 0-based Excel column of the block's first cell


def _blank_column(c: Column, n: int) -> np.ndarray:
    if c.type in NUMERIC:
        return np.full(n, np.nan)
    if c.type == ColType.DATE:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, None, dtype=object)


def _missing_columns(table: Table, match: dict[str, int], header_row: int, where: _Where) -> list[Finding]:
    """column-missing for each required column without a header."""
    ml = where.msg_lang
    findings: list[Finding] = []
    for c in table.columns:
        if c.required and c.key not in match:
            all_h = word("list_sep", ml).join(table.headers(where.lang))
            findings.append(
                make_finding(
                    "column-missing",
                    ml,
                    sheet=where.sheet,
                    row=header_row,
                    column=c.key,
                    value=c.header(where.lang),
                    table=table.name,
                    header=c.header(ml),
                    expected=all_h,
                )
            )
    return findings


def _convert_columns(
    table: Table, match: dict[str, int], rows: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, Converted]]:
    """Each found column's raw cells and their conversion (values, bad, blank), in the table's column order."""
    n_raw = rows.shape[0] if rows.ndim == 2 else 0
    width = rows.shape[1] if rows.ndim == 2 else 0
    raw: dict[str, np.ndarray] = {}
    conv: dict[str, Converted] = {}
    for c in table.columns:
        j = match.get(c.key)
        if j is None:
            continue
        # a header beyond the block's width (a short block): its cells are all empty
        raw[c.key] = rows[:, j] if j < width else np.full(n_raw, None, dtype=object)
        conv[c.key] = convert(c, raw[c.key])
    return raw, conv


def _bad_type_findings(
    c: Column, mask: np.ndarray, cells: np.ndarray, excel_rows: np.ndarray, where: _Where
) -> list[Finding]:
    """bad-type for each bad cell of one column (bad cells are few: one finding each)."""
    tname = type_name(c, where.msg_lang)
    findings: list[Finding] = []
    for i in np.flatnonzero(mask):
        r = int(excel_rows[i])
        findings.append(
            make_finding(
                "bad-type",
                where.msg_lang,
                sheet=where.sheet,
                row=r,
                column=c.key,
                cell=f"{where.letters[c.key]}{r}",
                value=cells[i],
                header=c.header(where.msg_lang),
                type=tname,
            )
        )
    return findings


def _frame(data: dict[str, Any]) -> pd.DataFrame:
    """The table's frame from its typed columns."""
    # text columns stay object (str or None): pandas 3 would otherwise infer its str dtype
    # copy=False: no block consolidation (it copied every cell; the arrays are fresh, nothing shares them)
    return pd.DataFrame(
        {k: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v for k, v in data.items()}, copy=False
    )


def table_data(
    table: Table,
    header_cells: Sequence[Any],
    rows: np.ndarray,
    *,
    sheet: str,
    header_row: int,
    first_col: int,
    lang: Lang,
    msg_lang: Lang | None = None,
    first_row: int | None = None,
    ref_last_row: int | None = None,
) -> ReadTable:
    """One table's typed frame, from its header cells and the raw cells under them.

    ``rows``: 2-D object array, one row per sheet row and one column per header cell (extra columns are
    ignored); ``header_row``: Excel row of the header; ``first_col``: 0-based Excel column of
    ``header_cells[0]``; ``first_row``: Excel row of ``rows[0]`` (default the row under the header).
    ``lang`` names the headers in messages, ``msg_lang`` (default ``lang``) is the message language;
    ``ref_last_row``: the last Excel row of an Excel Table's range, when ``rows`` go on below it.
    Rows blank in every known column are dropped, and so are totals and signature lines (``_summary_rows``).
    Findings: column-missing, bad-type, total-row-skipped, rows-below-table.
    """
    match = match_headers(table, header_cells)
    letters = {k: col_letter(first_col + j) for k, j in match.items()}
    where = _Where(sheet, lang, msg_lang or lang, letters, first_col)
    findings = _missing_columns(table, match, header_row, where)
    raw, conv = _convert_columns(table, match, rows)
    n_raw = rows.shape[0] if rows.ndim == 2 else 0
    row_blank = np.logical_and.reduce([b for _, _, b in conv.values()]) if conv and n_raw else np.ones(n_raw, bool)
    summary = _summary_rows(table, rows, conv, match) & ~row_blank
    keep = np.flatnonzero(~row_blank & ~summary)
    all_kept = len(keep) == n_raw
    start = header_row + 1 if first_row is None else first_row
    excel_rows = (start + keep).astype(np.int64)
    findings += _row_findings(table, rows, start, _RowNotes(np.flatnonzero(summary), excel_rows, ref_last_row), where)
    n = len(keep)
    if n == 0:
        return ReadTable(TableData(table, empty_frame(table), sheet, header_row, where.letters, {}), {}, findings)

    kept = raw if all_kept else {k: v[keep] for k, v in raw.items()}
    data: dict[str, Any] = {}
    bad: dict[str, np.ndarray] = {}
    for c in table.columns:
        if c.key not in conv:
            data[c.key] = _blank_column(c, n)
            continue
        values, mask, _ = conv[c.key]
        data[c.key] = values if all_kept else values[keep]
        if mask is not None and not all_kept:
            mask = mask[keep]
        if mask is not None and mask.any():
            bad[c.key] = mask
            findings += _bad_type_findings(c, mask, kept[c.key], excel_rows, where)
    data[ROW] = excel_rows
    return ReadTable(TableData(table, _frame(data), sheet, header_row, where.letters, bad), kept, findings)
