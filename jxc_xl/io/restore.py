"""What the template gave a workbook and a foreign save lost, put back into the package (``jxc repair``).

Each step looks for one kind of loss, restores it in the parts (``io.package.Parts``, in memory) and says what
it did as ``Restored`` records; the caller decides whether the parts are written (``--apply``) or dropped (the
dry run lists the same records). No step writes a cell's value: tables, styles, validation, names and the
button live in their own parts or in the worksheet's elements around ``<sheetData>``.

The steps, in order (a later one sees what an earlier one made):

1. ``input_table``: an input table kept as a plain range becomes an Excel Table over its header row and its
   lines (``io.addtables.table_over_range``; 合计 and signature lines below stay outside).
2. ``extend_table``: an input Excel Table grows over the lines typed below its range (the rows-below-table
   warning's rows).
3. ``generated_table`` / ``generated_sheet``: a generated table the workbook lacks, on its sheet or on a sheet
   copied from the template.
4. ``table_style``: a table whose style LibreOffice dropped gets the template's back; ``table_formula``: its
   calculated column formulas too (names beside codes: a new row gets them again), as the template of the
   workbook's shape has them (盘点's book quantity per warehouse only where 仓库 is a Table and 盘点 has its
   仓库 column, with 调拨 and 其他出入库 only where they are Tables; ``restore_sheet.BOOK_SHAPE``).
5. ``defined_name``: the SKU list behind the dropdowns (``jxc_skus``) and the Pareto chart's names.
6. ``button``: the 同步 / Sync button on the plan sheet (a shape the template draws; openpyxl drops it).
7. ``validation``: an input table's column without its dropdown or check gets the template's rule;
   ``validation_extended``: one whose rule LibreOffice cut short (to row 1006 or so) has it down to the last row.

A table whose sheet has a header row no Excel Table can have (a blank or repeated header) is left as it is and
said (``cannot``); the other steps go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jxc_xl.errors import TableNotFoundError
from jxc_xl.io.addtables import SheetLook, add_missing_tables, table_over_range
from jxc_xl.io.ooxml import attrs, letter
from jxc_xl.io.package import Parts, TablePart, table_parts, workbook_sheets
from jxc_xl.io.restore_sheet import (
    BOOK_SHAPE,
    add_button,
    add_validations,
    extend_validations,
    has_button,
    missing_validations,
    template_formulas,
)
from jxc_xl.io.structure import add_defined_names
from jxc_xl.io.tablepatch import patch_table
from jxc_xl.schema import ANALYSIS, COUNTS, GENERATED_TABLES, ITEMS, PLAN, SYNC_BUTTON_SHAPE, TABLES_BY_NAME, WAREHOUSES

__all__ = ["InputRange", "Restored", "restore"]

TABLE_STYLE = "TableStyleMedium2"
_STYLE_INFO = (
    f'<tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
    'showColumnStripes="0"/>'
)


@dataclass(frozen=True)
class InputRange:
    """Where the reader found an input table: its sheet, header row, columns and last line (as read)."""

    table: str
    sheet: str
    header_row: int
    last_row: int  # the last line read (the header row when there is none)
    columns: dict[str, str]  # column key → letter


@dataclass(frozen=True)
class Restored:
    """One thing put back: its kind (see the module), sheet, table and a detail (a range, names, columns)."""

    kind: str
    sheet: str
    table: str | None = None
    detail: str = ""


def _by_name(parts: Parts, path: Path) -> dict[str, TablePart]:
    return {tp.display_name.casefold(): tp for tp in table_parts(parts, path)}


def _input_tables(parts: Parts, path: Path, ranges: list[InputRange]) -> list[Restored]:
    have = _by_name(parts, path)
    out = []
    for r in ranges:
        if r.table.casefold() not in have:
            try:
                added = table_over_range(parts, path, r.sheet, TABLES_BY_NAME[r.table], r.last_row)
            except TableNotFoundError as e:  # a header row no Table can have: said, the rest goes on
                out.append(_cannot(r.sheet, r.table, e))
                continue
            out.append(Restored("input_table", added.sheet, r.table, added.ref))
    return out


def _cannot(sheet: str, table: str, error: TableNotFoundError) -> Restored:
    """A table left as it is: its header row cannot head an Excel Table (the cell named, when one is)."""
    cell = str((error.params or {}).get("cell", ""))
    return Restored("cannot" if cell else "cannot_header", sheet, table, cell)


def _extend_tables(parts: Parts, path: Path, ranges: list[InputRange]) -> list[Restored]:
    have = _by_name(parts, path)
    out = []
    for r in ranges:
        tp = have.get(r.table.casefold())
        if tp is None or tp.totals_rows or tp.ref is None:
            continue
        c1, r1, c2, r2 = tp.area
        if r.last_row <= r2:
            continue
        rows = r.last_row - (r1 + tp.header_rows - 1)
        parts[tp.part] = patch_table(parts[tp.part].decode("utf-8"), tp, rows).encode("utf-8")
        out.append(Restored("extend_table", tp.sheet.name, tp.name, f"{letter(c1)}{r1}:{letter(c2)}{r.last_row}"))
    return out


def _generated(parts: Parts, path: Path, look: SheetLook) -> list[Restored]:
    out = []
    for t in GENERATED_TABLES:  # one at a time: a sheet whose header row cannot head a table stops no other
        try:
            made = add_missing_tables(parts, path, [t.name], look, optional_on_sheet=True)
        except TableNotFoundError as e:
            out.append(_cannot(str((e.params or {}).get("sheet", "")).strip("'"), t.name, e))
            continue
        out += [Restored("generated_sheet" if a.new_sheet else "generated_table", a.sheet, a.name, a.ref) for a in made]
    return out


_TABLE_COLUMN = re.compile(r"<((?:\w+:)?)tableColumn\b([^>]*?)(/>|>(.*?)</(?:\w+:)?tableColumn>)", re.S)


def _table_formulas(parts: Parts, path: Path, look: SheetLook) -> list[Restored]:
    """The template's calculated column formulas (names beside codes, the count's book quantity) on the
    columns of the same name that lost theirs (LibreOffice drops them: new rows would get no formula); the
    template is built without the tables of ``BOOK_SHAPE`` the workbook lacks, so the book formula reads only
    what the workbook has."""
    tables = table_parts(parts, path)
    have = {tp.display_name for tp in tables}
    counts = next((tp for tp in tables if tp.display_name == COUNTS.name), None)
    if counts is not None and _header(counts, "warehouse") is None:  # 盘点 of before warehouses: the company's book
        have.discard(WAREHOUSES.name)
    formulas = template_formulas(look, without=[t for t in BOOK_SHAPE if t not in have])
    out = []
    for tp in tables:
        wanted = formulas.get(tp.display_name, {})
        if not wanted or not all(ref in have for ref in _tables_named(wanted)):
            continue
        new, fixed = _with_formulas(parts[tp.part].decode("utf-8"), wanted)
        if fixed:
            parts[tp.part] = new.encode("utf-8")
            out.append(Restored("table_formula", tp.sheet.name, tp.display_name, ", ".join(fixed)))
    return out


def _with_formulas(xml: str, wanted: dict[str, str]) -> tuple[str, list[str]]:
    """The table part with ``wanted``'s formula on each column of that name lacking one; the columns fixed."""
    fixed: list[str] = []

    def put(m: re.Match[str]) -> str:
        p, head, inner = m.group(1), m.group(2), m.group(4) or ""
        name = attrs(head).get("name", "")
        if name not in wanted or "calculatedColumnFormula" in inner:
            return m.group()
        fixed.append(name)
        formula = f"<{p}calculatedColumnFormula>{wanted[name]}</{p}calculatedColumnFormula>"
        return f"<{p}tableColumn{head}>{formula}{inner}</{p}tableColumn>"

    return _TABLE_COLUMN.sub(put, xml), fixed


def _tables_named(formulas: dict[str, str]) -> set[str]:
    """The tables the formulas refer to (tblItems[…], tblSales[[#This Row],…])."""
    return {m for f in formulas.values() for m in re.findall(r"\b(tbl\w+)\[", f)}


def _table_styles(parts: Parts, path: Path) -> list[Restored]:
    out = []
    for tp in table_parts(parts, path):
        if tp.display_name not in TABLES_BY_NAME:
            continue
        xml = parts[tp.part].decode("utf-8")
        m = re.search(r"<(?:\w+:)?tableStyleInfo\b[^>]*>", xml)
        if m is not None and attrs(m.group()).get("name"):
            continue
        head = re.match(r"<\?xml[^>]*\?>\s*<(\w+:)?table\b", xml) or re.search(r"<(\w+:)?table\b", xml)
        p = (head.group(1) or "") if head else ""
        info = _STYLE_INFO.replace("<tableStyleInfo", f"<{p}tableStyleInfo")
        if m is not None:
            xml = xml[: m.start()] + info + xml[m.end() :]
        else:
            ext = re.search(rf"<{p}extLst\b", xml)
            at = ext.start() if ext else xml.rindex(f"</{p}table>")
            xml = xml[:at] + info + xml[at:]
        parts[tp.part] = xml.encode("utf-8")
        out.append(Restored("table_style", tp.sheet.name, tp.display_name, TABLE_STYLE))
    return out


def _header(tp: TablePart, key: str) -> str | None:
    t = TABLES_BY_NAME[tp.display_name]
    hmap = t.header_map()
    from jxc_xl.schema import normalise_header

    return next((h for h in tp.columns if hmap.get(normalise_header(h)) == key), None)


def _names(parts: Parts, path: Path) -> list[Restored]:
    from jxc_xl.io.template.styles import PARETO_NAMES, SKU_NAME

    have = _by_name(parts, path)
    positions = {s.name: s.position - 1 for s in workbook_sheets(parts, path)}
    wanted: list[tuple[str, int | None, str, str]] = []  # name, scope, formula, sheet
    items = have.get(ITEMS.name.casefold())
    if items is not None and (h := _header(items, "sku")) is not None:
        wanted.append((SKU_NAME, None, f"{items.display_name}[{h}]", items.sheet.name))
    analysis = have.get(ANALYSIS.name.casefold())
    if analysis is not None:
        for key, name in PARETO_NAMES.items():
            if (h := _header(analysis, key)) is not None:
                at = positions[analysis.sheet.name]
                wanted.append((name, at, f"{analysis.display_name}[{h}]", analysis.sheet.name))
    before = parts["xl/workbook.xml"]
    out = []
    for name, scope, text, sheet in wanted:
        add_defined_names(parts, [(name, scope, text)])
        if parts["xl/workbook.xml"] != before:
            before = parts["xl/workbook.xml"]
            out.append(Restored("defined_name", sheet, None, name))
    return out


def _button(parts: Parts, path: Path, look: SheetLook) -> list[Restored]:
    plan = _by_name(parts, path).get(PLAN.name.casefold())
    if plan is None or has_button(parts, path, plan.sheet):
        return []
    add_button(parts, path, plan.sheet, look)
    return [Restored("button", plan.sheet.name, PLAN.name, SYNC_BUTTON_SHAPE)]


def _validations(parts: Parts, path: Path, ranges: list[InputRange], look: SheetLook) -> list[Restored]:
    sheets = {s.name: s for s in workbook_sheets(parts, path)}
    lost = {}
    out = []
    for r in ranges:
        if r.sheet in sheets:
            t = TABLES_BY_NAME[r.table]
            short = extend_validations(parts, sheets[r.sheet], t, r.columns, r.header_row, look)
            if short:
                headers = ", ".join(t.column(k).header(look.lang) for k in short)
                out.append(Restored("validation_extended", r.sheet, r.table, headers))
            keys = missing_validations(parts, sheets[r.sheet], t, r.columns, r.header_row, look)
            if keys:
                lost[r.table] = (r, keys)
    if not lost:
        return out
    add_validations(
        parts, {name: (sheets[r.sheet], r.columns, r.header_row, keys) for name, (r, keys) in lost.items()}, look
    )
    for name, (r, keys) in lost.items():
        t = TABLES_BY_NAME[name]
        out.append(Restored("validation", r.sheet, name, ", ".join(t.column(k).header(look.lang) for k in keys)))
    return out


def restore(parts: Parts, path: Path, ranges: list[InputRange], look: SheetLook) -> list[Restored]:
    """Put back, in ``parts``, what the template provides and the workbook lost; what was restored.

    Args:
        parts: the package, edited in memory.
        path: the workbook, for messages.
        ranges: where the reader found the input tables (their last lines as read).
        look: the workbook's language and page header, for what comes from the template.

    Raises:
        TableNotFoundError: a table's sheet has a header row that cannot head an Excel Table.
    """
    done = _input_tables(parts, path, ranges)
    done += _extend_tables(parts, path, ranges)
    done += _generated(parts, path, look)
    done += _table_styles(parts, path)
    done += _table_formulas(parts, path, look)
    done += _names(parts, path)
    done += _button(parts, path, look)
    done += _validations(parts, path, ranges, look)
    return done
