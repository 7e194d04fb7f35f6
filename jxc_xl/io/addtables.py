"""Generated tables a workbook lacks, made as real Excel Tables so the write-back can fill them.

A month kept as plain ranges (no Excel Tables: a ledger under a title row, tables converted to ranges, a
pandas export) has no tblStock for sync to rewrite. The Excel button writes such a table where it finds its
header row on its sheet (库存 / Stock …); the file's sync goes as far and a little further:

* the table's sheet exists and holds its header row (``core.cells.find_header_row``, as both readers find
  it): an Excel Table is laid over the header row and the rows under it down to the last one holding a value
  in its columns (the write-back then rewrites them, as the button does). The header cells must be distinct
  texts (a table column's name is its header cell).
* no such sheet: the template's sheet (``io.template``: header styles, number formats, column widths, frozen
  header, status colours, print setup, the plan's sync button, the analysis' Pareto chart) is copied in as a
  new last sheet, with its table, drawing and chart parts, the cell and conditional formats it uses
  (``io.styles``) and its defined names (print area and titles, the chart's names).

Only parts that must change are touched (``io.structure``): the new parts, the sheet's .rels, workbook.xml
and its .rels, [Content_Types].xml, styles.xml for a copied sheet; every other part keeps its bytes.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import python_calamine as pc

from jxc_xl.core.cell_values import is_blank
from jxc_xl.core.cells import HEADER_SCAN_ROWS, find_header_row
from jxc_xl.core.findings import col_letter
from jxc_xl.errors import TableNotFoundError
from jxc_xl.io import sheetscan
from jxc_xl.io.ooxml import attrs, split_range, split_ref
from jxc_xl.io.package import (
    NS_MAIN,
    WORKBOOK,
    Parts,
    SheetRef,
    open_package,
    relationships,
    table_parts,
    workbook_sheets,
)
from jxc_xl.io.structure import (
    REL_TYPE,
    add_defined_names,
    add_override,
    add_relationship,
    add_sheet,
    content_type,
    copy_part,
    free_name,
    insert_sheet_element,
    sheet_prefix,
    with_r_prefix,
)
from jxc_xl.io.styles import StyleMap, merge_styles
from jxc_xl.schema import OTHER, STOCK, STOCK_TOTAL_LABEL, TABLES_BY_NAME, ColType, Lang, Table, normalise_header

__all__ = ["AddedTable", "SheetLook", "add_missing_tables", "missing_generated", "table_over_range"]

TABLE_STYLE = "TableStyleMedium2"  # the template's (io.template.styles.TABLE_STYLE as written in the part)


@dataclass(frozen=True)
class SheetLook:
    """What a sheet copied from the template shows besides its table: its language, and the page header's
    company and period."""

    lang: Lang
    period: str | None = None
    company: str | None = None
    inputs: frozenset[str] = frozenset()  # the input tables the workbook holds: 其他出入库 adds 库存 columns


@dataclass(frozen=True)
class AddedTable:
    """An Excel Table made: its name, its sheet, whether the sheet was copied from the template, its ref."""

    name: str
    sheet: str
    new_sheet: bool
    ref: str


def missing_generated(parts: Parts, path: Path, names: Collection[str], *, optional: bool = False) -> list[str]:
    """The generated tables among ``names`` that the package has no Excel Table for (optional ones left out
    unless ``optional``: a workbook made before them goes on without)."""
    have = set()
    for tp in table_parts(parts, path):
        have |= {tp.name.casefold(), tp.display_name.casefold()}
    out = []
    for name in names:
        t = TABLES_BY_NAME.get(name)
        if t is not None and t.generated and (optional or not t.optional) and name.casefold() not in have:
            out.append(name)
    return out


def add_missing_tables(
    parts: Parts, path: Path, names: Collection[str], look: SheetLook, *, optional_on_sheet: bool = False
) -> list[AddedTable]:
    """Make an Excel Table for each generated table of ``names`` the workbook lacks; returns what was made.
    ``optional_on_sheet``: an optional one too (明细账, 概览) where its sheet still holds its header row.

    Raises:
        TableNotFoundError: the table's sheet exists but its header row cannot head a table (no header row,
            blank or repeated header cells, no SKU column); nothing is changed then.
    """
    sheets = {s.name.casefold(): s for s in workbook_sheets(parts, path)}
    missing = [
        n
        for n in missing_generated(parts, path, names, optional=optional_on_sheet)
        if not TABLES_BY_NAME[n].optional or _sheet_of(sheets, TABLES_BY_NAME[n]) is not None
    ]
    if not missing:
        return []
    on_sheet: list[tuple[Table, _Found]] = []
    new: list[Table] = []
    for name in missing:
        t = TABLES_BY_NAME[name]
        sheet = _sheet_of(sheets, t)
        if sheet is None:
            new.append(t)
        else:
            on_sheet.append((t, _find(path, sheet, t)))  # raises before anything is changed
    made = [_table_on_sheet(parts, path, t, found) for t, found in on_sheet]
    if new:
        made += _copy_template_sheets(parts, path, new, look)
    return made


def _sheet_of(sheets: dict[str, SheetRef], t: Table) -> SheetRef | None:
    return next((sheets[n.casefold()] for n in (t.zh_sheet, t.en_sheet) if n.casefold() in sheets), None)


def table_over_range(parts: Parts, path: Path, sheet_name: str, t: Table, last_row: int) -> AddedTable:
    """An Excel Table ``t`` over its plain range on sheet ``sheet_name``: the header row (found as the readers
    find it) down to ``last_row`` (the range's last line; totals and signature lines below stay outside).

    Raises:
        TableNotFoundError: no such sheet, or its header row cannot head a table.
    """
    sheet = next((s for s in workbook_sheets(parts, path) if s.name == sheet_name), None)
    if sheet is None:
        raise TableNotFoundError.said("io_plain_no_header", path=path, sheet=repr(sheet_name), name=t.name)
    return _table_on_sheet(parts, path, t, _find(path, sheet, t, last_row))


# ---------------------------------------------------------------------------------------------------
# A table over the header row of an existing sheet


@dataclass(frozen=True)
class _Found:
    sheet: SheetRef
    c1: int  # 1-based first column
    r1: int  # 1-based header row
    c2: int
    r2: int  # 1-based last row (the header row + 1 when no row holds a value)
    headers: list[str]
    label: str | None = None  # tblStock's 合计 / Total in its last row: kept as the table's totals row

    @property
    def totals(self) -> bool:
        return self.label is not None


def _sheet_values(path: Path, sheet: SheetRef) -> tuple[list[list[Any]], int, int]:
    """The sheet's cells (python-calamine), with the 0-based row and column of the first."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        ext = sheetscan.scan_sheet(zf, sheet.part)
    if ext is not None and ext.size > sheetscan.MAX_CELLS:  # a stray far-away cell: no table is laid over it
        raise TableNotFoundError.said("io_plain_no_header", path=path, sheet=repr(sheet.name), name="?")
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    try:
        sh = book.get_sheet_by_name(sheet.name)
        start = sh.start or (0, 0)
        return sh.to_python(), start[0], start[1]
    finally:
        book.close()


def _find(path: Path, sheet: SheetRef, t: Table, last_row: int | None = None) -> _Found:
    rows, row0, col0 = _sheet_values(path, sheet)
    hr = find_header_row(t, rows[:HEADER_SCAN_ROWS], require_all=False)
    if hr is None:
        raise TableNotFoundError.said("io_plain_no_header", path=path, sheet=repr(sheet.name), name=t.name)
    cells = list(rows[hr.index][hr.first : hr.last + 1])
    heads = [str(v).strip() if isinstance(v, str) else "" for v in cells]
    seen: set[str] = set()
    for j, h in enumerate(heads):
        key = normalise_header(h)
        if not h or key in seen:
            cell = f"{col_letter(col0 + hr.first + j)}{row0 + hr.index + 1}"
            raise TableNotFoundError.said(
                "io_plain_bad_header", path=path, sheet=repr(sheet.name), name=t.name, cell=cell
            )
        seen.add(key)
    hmap = t.header_map()
    if "sku" in t.keys() and "sku" not in {hmap.get(normalise_header(h)) for h in heads}:
        raise TableNotFoundError.said("io_plain_no_header", path=path, sheet=repr(sheet.name), name=t.name)
    last = hr.index
    for i in range(hr.index + 1, len(rows)):
        if any(not is_blank(v) for v in rows[i][hr.first : hr.last + 1]):
            last = i
    r1 = row0 + hr.index + 1
    if last_row is not None:
        return _Found(sheet, col0 + hr.first + 1, r1, col0 + hr.last + 1, max(last_row, r1 + 1), cells)
    label = rows[last][hr.first] if last > hr.index + 1 else None
    if not (t.name == STOCK.name and isinstance(label, str) and label.strip() in STOCK_TOTAL_LABEL.values()):
        label = None
    return _Found(sheet, col0 + hr.first + 1, r1, col0 + hr.last + 1, max(row0 + last + 1, r1 + 1), cells, label)


_TABLE_TAG = re.compile(rb"<(?:\w+:)?table\b[^>]*>")


def _table_id(parts: Parts, path: Path) -> int:
    """An id no table of the workbook has (the ``id`` of each ``<table>`` start tag, not its columns')."""
    ids = []
    for tp in table_parts(parts, path):
        m = _TABLE_TAG.search(tp.xml)
        value = attrs(m.group().decode("utf-8", "replace")).get("id", "0") if m else "0"
        ids.append(int(value) if value.isdigit() else 0)
    return max([0, *ids]) + 1


def _summed(t: Table, headers: list[str]) -> list[bool]:
    """Per column, whether the template's totals row sums it (tblStock's quantities and amounts)."""
    hmap = t.header_map()
    keys = [hmap.get(normalise_header(h)) for h in headers]
    return [k is not None and t.column(k).type in (ColType.QTY, ColType.MONEY) for k in keys]


def _table_xml(t: Table, table_id: int, f: _Found, ref: str) -> bytes:
    headers = [str(h).strip() for h in f.headers]
    sums = _summed(t, headers) if f.totals else [False] * len(headers)
    columns = "".join(
        f'<tableColumn id="{i}" name={quoteattr(h)}'
        + (f" totalsRowLabel={quoteattr(f.label.strip())}" if f.label is not None and i == 1 else "")
        + (' totalsRowFunction="sum"' if sums[i - 1] else "")
        + "/>"
        for i, h in enumerate(headers, start=1)
    )
    c1, r1, c2, r2 = split_range(ref)
    body = f"{col_letter(c1 - 1)}{r1}:{col_letter(c2 - 1)}{r2 - 1 if f.totals else r2}"
    count = ' totalsRowCount="1"' if f.totals else ' totalsRowShown="0"'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{NS_MAIN}" id="{table_id}" name="{t.name}" displayName="{t.name}" ref="{ref}"'
        f'{count}><autoFilter ref="{body}"/><tableColumns count="{len(headers)}">{columns}</tableColumns>'
        f'<tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
        'showColumnStripes="0"/></table>'
    ).encode()


def _with_table_part(sheet_xml: str, rid: str) -> str:
    """The worksheet with a ``<tablePart>`` for ``rid`` (its ``tableParts`` made or extended)."""
    sheet_xml, rp = with_r_prefix(sheet_xml)
    p = sheet_prefix(sheet_xml)
    entry = f'<{p}tablePart {rp}:id="{rid}"/>'
    tp = re.search(rf"<{p}tableParts\b[^>]*?(/?)>", sheet_xml)
    if tp is not None and not tp.group(1):
        end = sheet_xml.index(f"</{p}tableParts>", tp.end())
        count = len(re.findall(rf"<{p}tablePart\b", sheet_xml[tp.end() : end])) + 1
        head = f'<{p}tableParts count="{count}">'
        return sheet_xml[: tp.start()] + head + sheet_xml[tp.end() : end] + entry + sheet_xml[end:]
    block = f'<{p}tableParts count="1">{entry}</{p}tableParts>'
    if tp is not None:  # <tableParts/>
        return sheet_xml[: tp.start()] + block + sheet_xml[tp.end() :]
    return insert_sheet_element(sheet_xml, block, "tableParts")


def _totals_cells(sheet_xml: str, t: Table, f: _Found) -> str:
    """The sheet with its totals row's summed cells as the template writes them: SUBTOTAL(109, tblStock[…]),
    style kept (their cached values follow when the write-back fills the table)."""
    sums = _summed(t, [str(h).strip() for h in f.headers])
    m = re.search(rf'<((?:\w+:)?)row\b[^>]*?\sr="{f.r2}"[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)', sheet_xml, re.S)
    if m is None or m.group(2) is None:
        return sheet_xml
    p, inner = m.group(1), m.group(2)

    def cell(mm: re.Match[str]) -> str:
        a = attrs(mm.group(1))
        c = split_ref(a.get("r", "A1"))[0] if "r" in a else 0
        if not (f.c1 <= c <= f.c2 and sums[c - f.c1]):
            return mm.group()
        style = f' s="{a["s"]}"' if "s" in a else ""
        header = (
            str(f.headers[c - f.c1]).strip().replace("'", "''").replace("[", "'[").replace("]", "']").replace("#", "'#")
        )
        return f'<{p}c r="{a["r"]}"{style}><{p}f>SUBTOTAL(109,{t.name}[{escape(header)}])</{p}f></{p}c>'

    new_inner = re.sub(rf"<{p}c\b([^>]*?)(?:/>|>.*?</{p}c>)", cell, inner, flags=re.S)
    return sheet_xml[: m.start(2)] + new_inner + sheet_xml[m.end(2) :]


def _table_on_sheet(parts: Parts, path: Path, t: Table, f: _Found) -> AddedTable:
    ref = f"{col_letter(f.c1 - 1)}{f.r1}:{col_letter(f.c2 - 1)}{f.r2}"
    part = free_name(parts, "xl/tables/table1.xml")
    parts.add(part, _table_xml(t, _table_id(parts, path), f, ref))
    if f.totals:
        parts[f.sheet.part] = _totals_cells(parts[f.sheet.part].decode("utf-8"), t, f).encode("utf-8")
    add_override(parts, part, "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml")
    rid = add_relationship(parts, f.sheet.part, REL_TYPE["table"], part)
    parts[f.sheet.part] = _with_table_part(parts[f.sheet.part].decode("utf-8"), rid).encode("utf-8")
    return AddedTable(t.name, f.sheet.name, False, ref)


# ---------------------------------------------------------------------------------------------------
# A sheet copied from the template


def _donor(tables: list[Table], look: SheetLook) -> bytes:
    """The template's sheets of ``tables`` alone, built by ``io.template`` (deterministic bytes)."""
    from jxc_xl.io.template import build_workbook
    from jxc_xl.schema import TABLES

    keep = {t.name for t in tables} | (look.inputs & {OTHER.name})  # the generated sheets' shape follows them
    settings = {"company": look.company} if look.company else None
    with tempfile.TemporaryDirectory(prefix="jxc-donor-") as d:
        out = build_workbook(
            Path(d) / "donor.xlsx",
            lang=look.lang,
            period=look.period,
            settings=settings,
            omit=[x.name for x in TABLES if x.name not in keep],
            extras=False,
        )
        return out.read_bytes()


_SI = re.compile(r"<si>(.*?)</si>", re.S)
_SST_CELL = re.compile(r'(<c\b[^>]*?) t="s"><v>(\d+)</v></c>')


def _sheet_transform(styles: StyleMap, strings: list[str], table_ids: dict[str, int]) -> Any:
    def xf(m: re.Match[str]) -> str:
        return f"{m.group(1)}{styles.xf.get(int(m.group(2)), 0)}{m.group(3)}"

    def transform(part: str, data: bytes) -> bytes:
        if part.startswith("xl/worksheets/"):
            xml = data.decode("utf-8")
            xml = re.sub(r'(<(?:c|row)\b[^>]*?\ss=")(\d+)(")', xf, xml)
            xml = re.sub(r'(<col\b[^>]*?\sstyle=")(\d+)(")', xf, xml)
            xml = re.sub(
                r'(\sdxfId=")(\d+)(")', lambda m: f"{m.group(1)}{styles.dxf.get(int(m.group(2)), 0)}{m.group(3)}", xml
            )
            xml = _SST_CELL.sub(lambda m: f'{m.group(1)} t="inlineStr"><is>{strings[int(m.group(2))]}</is></c>', xml)
            return xml.replace(' tabSelected="1"', "").encode("utf-8")
        if part in table_ids:
            return re.sub(
                rb'(<table\b[^>]*?\sid=")\d+(")',
                lambda m: m.group(1) + str(table_ids[part]).encode() + m.group(2),
                data,
                count=1,
            )
        return data

    return transform


def _copy_template_sheets(parts: Parts, path: Path, tables: list[Table], look: SheetLook) -> list[AddedTable]:
    with open_package(_donor(tables, look)) as donor:
        donor_path = Path("<template>")
        styles = _merge_styles(parts, path, donor)
        sst = donor["xl/sharedStrings.xml"].decode("utf-8") if "xl/sharedStrings.xml" in donor else ""
        strings = _SI.findall(sst)
        next_id = _table_id(parts, path)
        table_ids = {}
        for tp in table_parts(donor, donor_path):
            table_ids[tp.part] = next_id
            next_id += 1
        transform = _sheet_transform(styles, strings, table_ids)
        names = _donor_names(donor[WORKBOOK])
        copied: dict[str, str] = {}
        made = []
        refs = {tp.sheet.name: (tp.name, tp.ref or "") for tp in table_parts(donor, donor_path)}
        wanted = {t.name for t in tables}
        for pos, sheet in enumerate(workbook_sheets(donor, donor_path)):
            if refs.get(sheet.name, ("", ""))[0] not in wanted:  # an input sheet built only to shape the others
                continue
            new_part = copy_part(donor, parts, sheet.part, transform, copied)
            at = add_sheet(parts, sheet.name, new_part)
            add_defined_names(parts, [(n, at, text) for n, local, text in names if local == pos])
            name, ref = refs.get(sheet.name, ("", ""))
            made.append(AddedTable(name, sheet.name, True, ref))
        return made


def _merge_styles(parts: Parts, path: Path, donor: Parts) -> StyleMap:
    """The template's formats brought into the workbook's styles part (the whole part when it has none)."""
    theirs = "xl/styles.xml"
    ours = next((r.target for r in relationships(parts, WORKBOOK, path) if r.type == REL_TYPE["styles"]), None)
    if ours is None or ours not in parts:
        ours = free_name(parts, theirs) if theirs in parts else theirs
        parts.add(ours, donor[theirs])
        add_override(parts, ours, content_type(donor, theirs) or "application/xml")
        add_relationship(parts, WORKBOOK, REL_TYPE["styles"], ours)
        n = len(re.findall(rb"<xf\b", donor[theirs]))
        return StyleMap(xf={i: i for i in range(n)}, dxf={i: i for i in range(n)})
    merged, styles = merge_styles(parts[ours], donor[theirs])
    if merged != parts[ours]:
        parts[ours] = merged
    return styles


def _donor_names(wb_xml: bytes) -> list[tuple[str, int | None, str]]:
    root = ET.fromstring(wb_xml)
    out: list[tuple[str, int | None, str]] = []
    for d in root.iter(f"{{{NS_MAIN}}}definedName"):
        local = d.get("localSheetId")
        out.append((d.get("name", ""), None if local is None else int(local), d.text or ""))
    return out
