"""The charts that plot generated tables: their cached values and ranges, refreshed when sync writes the tables.

A chart part keeps, beside each series' reference (``<c:f>``), a copy of the values it last showed
(``<c:numCache>`` / ``<c:strCache>``). Excel recomputes it from the cells on open; LibreOffice, WPS and file
previews show the copy. So after the tables are rewritten, every reference of a chart that names a generated
table's column gets a new copy from the values just written:

* a structured reference (``tblAnalysis[销售成本]``), or a defined name that refers to one (the Pareto chart's
  ``'分析'!jxc_pareto_cogs``): the column's data rows;
* an A1 range that spans exactly the data rows of one column of the table before the rewrite (what Excel
  writes for a chart made from a table column): resized to the new rows, and copied;
* the summary sheet's section names (``schema.SUMMARY_SERIES``, whose formulas find their section's rows in
  Excel): the rows of that section in the new tblSummary (an empty section: no values).

Any other reference — a fixed range a user chose, cells of their own sheets, a table column whose value sync
does not write (a calculated column) — is left as it is, and a chart with none of the above is not touched.
The copy depends only on the values written, so syncing twice gives the same bytes.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from jxc_xl.io.ooxml import letter, split_range
from jxc_xl.io.package import WORKBOOK, Parts, TablePart, workbook_sheets
from jxc_xl.schema import SUMMARY, SUMMARY_SECTIONS, SUMMARY_SERIES, ColType, table

__all__ = ["Written", "refresh_charts", "section_rows"]

# A chart part larger than this is left as it is: a 10,000-SKU Pareto chart with its caches is about 1.5 MB.
MAX_CHART_BYTES = 32 << 20


@dataclass(frozen=True)
class Written:
    """One table as sync wrote it: its table part as it was before, the frame, each column's schema key."""

    info: TablePart
    frame: pd.DataFrame
    keys: list[str | None]

    @property
    def first(self) -> int:
        """The first data row."""
        return self.info.area[1] + self.info.header_rows

    @property
    def old_last(self) -> int:
        """The last data row before the rewrite."""
        return self.info.area[3] - self.info.totals_rows

    @property
    def last(self) -> int:
        """The last data row after the rewrite (an empty table keeps one empty row)."""
        return self.first + max(len(self.frame), 1) - 1


@dataclass(frozen=True)
class _Ref:
    """Cells of one column of a written table: rows ``r1``..``r2`` of table column ``offset``."""

    table: Written
    offset: int
    r1: int
    r2: int


def section_rows(sections: pd.Series, section: str, first: int) -> tuple[int, int]:
    """The sheet rows (r1, r2) of ``section``'s rows in tblSummary, whose section labels are ``sections`` from
    data row ``first`` on; r2 = r1 - 1 when the section has no rows."""
    labels = {SUMMARY_SECTIONS[section].zh, SUMMARY_SECTIONS[section].en}
    hits = [i for i, s in enumerate(sections.astype(object)) if s in labels]
    if not hits:
        return first, first - 1
    return first + hits[0], first + hits[-1]


# ---------------------------------------------------------------------------------------------------
# Defined names


_NAME = re.compile(r"(<(?:\w+:)?definedName\b([^>]*)>)(.*?)(</(?:\w+:)?definedName>)", re.S)
_A1 = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")
_SHEET_REF = re.compile(r"(?:('(?:[^']|'')+'|[^'!()\[\],]+)!)?(.+)", re.S)
_STRUCTURED = re.compile(r"([A-Za-z_\\][\w.\\]*)\[([^\[\]]+)\]")


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _unquote(sheet: str) -> str:
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def _names(xml: str) -> dict[tuple[str, int | None], str]:
    """(name casefolded, localSheetId or None) → its formula text, unescaped."""
    out: dict[tuple[str, int | None], str] = {}
    for m in _NAME.finditer(xml):
        a = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(2)))
        scope = int(a["localSheetId"]) if a.get("localSheetId", "").isdigit() else None
        out[(html.unescape(a.get("name", "")).casefold(), scope)] = html.unescape(m.group(3))
    return out


# ---------------------------------------------------------------------------------------------------
# Resolving a series reference


@dataclass(frozen=True)
class _Book:
    """What a reference is resolved against: sheets by name, defined names, the written tables."""

    sheet_ids: dict[str, int]  # casefolded sheet name → 0-based position (a name's localSheetId)
    names: dict[tuple[str, int | None], str]
    tables: dict[str, Written]  # casefolded table name → table
    by_sheet: dict[str, Written]  # casefolded sheet name → its written table


def _column_ref(w: Written, c: int, r1: int, r2: int) -> _Ref | None:
    c1, _, c2, _ = w.info.area
    if not c1 <= c <= c2 or r1 < w.first or r2 < r1:
        return None
    return _Ref(w, c - c1, r1, r2)


def _resolve(book: _Book, text: str, depth: int = 0) -> tuple[_Ref | None, bool]:
    """The written table cells ``text`` names, and whether it is an A1 range spanning the old data rows."""
    m = _SHEET_REF.fullmatch(text.strip().lstrip("="))
    if m is None or depth > 3:
        return None, False
    sheet, rest = (_unquote(m.group(1)) if m.group(1) else None), m.group(2).strip()
    if (a1 := _A1.fullmatch(rest)) is not None:
        w = book.by_sheet.get((sheet or "").casefold())
        c1, r1, c2, r2 = split_range(rest.replace("$", ""))
        if w is None or c1 != c2:
            return None, False
        if (r1, r2) != (w.first, w.old_last) or a1.group(3) is None:
            return None, False  # rows a user chose, not the table's: theirs
        return _column_ref(w, c1, r1, r2), True
    if (st := _STRUCTURED.fullmatch(rest)) is not None and sheet is None:
        w = book.tables.get(st.group(1).casefold())
        if w is None:
            return None, False
        header = st.group(2).strip().replace("'", "")
        cols = [c.casefold() for c in w.info.columns]
        if header.casefold() not in cols:
            return None, False
        return _Ref(w, cols.index(header.casefold()), w.first, w.last), False
    scope = book.sheet_ids.get(sheet.casefold()) if sheet is not None else None
    summary = book.tables.get(SUMMARY.name.casefold())
    if rest in SUMMARY_SERIES and summary is not None:
        section, key = SUMMARY_SERIES[rest]
        r1, r2 = section_rows(summary.frame["section"], section, summary.first)
        return _Ref(summary, summary.keys.index(key), r1, r2), False
    target = book.names.get((rest.casefold(), scope))
    if target is None:
        return None, False
    return _resolve(book, target, depth + 1)[0], False


# ---------------------------------------------------------------------------------------------------
# The caches


def _cells(ref: _Ref, date1904: bool) -> list[object]:
    """The values written in the referenced cells (None for a blank cell; dates as serial numbers)."""
    w = ref.table
    key = w.keys[ref.offset]
    n = ref.r2 - ref.r1 + 1
    if key is None or key not in w.frame.columns or n <= 0:
        return [None] * max(n, 0)
    col = w.frame[key].iloc[max(ref.r1 - w.first, 0) : max(ref.r2 - w.first + 1, 0)]
    if table(w.info.name).column(key).type == ColType.DATE:
        days = (pd.to_datetime(col, errors="coerce") - pd.Timestamp("1899-12-30")).dt.total_seconds() / 86400
        col = days - 1462 if date1904 else days
    values = [None if v is None or (isinstance(v, float) and v != v) or v is pd.NaT else v for v in col.tolist()]
    return values + [None] * (n - len(values))


def _num(v: object) -> str | None:
    """A number as a cache writes it (shortest repr, whole numbers without '.0'); None for text or NaN."""
    if type(v) is float and math.isfinite(v):
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    if isinstance(v, bool) or not isinstance(v, int | float):
        try:
            x = float(str(v))
        except ValueError:
            return None
    else:
        x = float(v)
    if not math.isfinite(x):
        return None
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


def _text(v: object) -> str:
    if isinstance(v, float):
        return _num(v) or ""
    return str(v)


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(t: str) -> str:
    """Text for a ``<c:v>``: XML-escaped, characters XML cannot carry as Excel writes them (``_xHHHH_``)."""
    t = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", t) if _ILLEGAL_XML.search(t) else t


def _cache(kind: str, p: str, values: list[object], old: str) -> str:
    """A ``numCache`` / ``strCache`` element of ``values`` (blanks left out, as Excel writes them)."""
    pts = []
    for i, v in enumerate(values):
        t = None if v is None else (_num(v) if kind == "num" else _xml_text(_text(v)))
        if t is not None:
            pts.append(f'<{p}pt idx="{i}"><{p}v>{t}</{p}v></{p}pt>')
    fmt = ""
    if kind == "num":
        fm = re.search(rf"<{p}formatCode>.*?</{p}formatCode>", old, re.S)
        fmt = fm.group() if fm else f"<{p}formatCode>General</{p}formatCode>"
    tag = f"{p}{kind}Cache"
    return f'<{tag}>{fmt}<{p}ptCount val="{len(values)}"/>{"".join(pts)}</{tag}>'


_SERIES_REF = re.compile(
    r"<((\w+:)?)(num|str)Ref>(\s*)<(?:\w+:)?f>(.*?)</(?:\w+:)?f>(.*?)</(?:\w+:)?(?:num|str)Ref>", re.S
)


def _refresh_chart(xml: str, book: _Book, date1904: bool) -> str:
    def fix(m: re.Match[str]) -> str:
        p, kind, text = m.group(1), m.group(3), html.unescape(m.group(5))
        ref, resize = _resolve(book, text)
        if ref is None:
            return m.group()
        if resize:
            w = ref.table
            L = letter(w.info.area[0] + ref.offset)
            sheet = _SHEET_REF.fullmatch(text.strip().lstrip("="))
            assert sheet is not None
            text = f"{sheet.group(1)}!${L}${w.first}:${L}${w.last}"
            ref = _Ref(w, ref.offset, w.first, w.last)
        values = _cells(ref, date1904)
        if kind == "num" and any(isinstance(v, str) and _num(v) is None for v in values):
            kind = "str"  # text categories (SKUs) a writer guessed numeric: Excel makes them a strRef too
        cache = _cache(kind, p, values, m.group(6))
        f = f"<{p}f>{html.escape(text, quote=False) if resize else m.group(5)}</{p}f>"
        return f"<{p}{kind}Ref>{m.group(4)}{f}{cache}</{p}{kind}Ref>"

    return _SERIES_REF.sub(fix, xml)


def refresh_charts(parts: Parts, src: Path, written: Mapping[str, Written], date1904: bool) -> None:
    """Refresh the charts of ``parts`` that plot the ``written`` tables (see the module doc); only a chart part
    whose bytes change is set."""
    book = _Book(
        {s.name.casefold(): s.position - 1 for s in workbook_sheets(parts, src)},
        _names(parts[WORKBOOK].decode("utf-8")),
        {w.info.name.casefold(): w for w in written.values()}
        | {w.info.display_name.casefold(): w for w in written.values()},
        {w.info.sheet.name.casefold(): w for w in written.values()},
    )
    sizes = {i.filename: i.file_size for i in parts.infos}
    for name in sorted(parts):
        if not re.fullmatch(r"xl/charts/[^/]+\.xml", name) or sizes.get(name, 0) > MAX_CHART_BYTES:
            continue  # not a chart, or one no chart of ours becomes (a hostile part is not inflated)
        try:
            xml = parts[name].decode("utf-8")
        except UnicodeDecodeError:
            continue  # not ours to judge: copied as it is
        new = _refresh_chart(xml, book, date1904)
        if new != xml:
            parts[name] = new.encode("utf-8")
