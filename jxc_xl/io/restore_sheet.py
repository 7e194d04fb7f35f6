"""The template's sheet furniture put back on a user's sheet: the sync button, data validation.

Both come from the template as ``io.template`` builds it (the donor package, built once per language and
page header): the plan sheet's drawing with the button shape and its hyperlink, and each input sheet's
``<dataValidation>`` rules, re-aimed at the columns where the user's table has them. A sheet that already has a
drawing (a chart of the user's) gets the button added to that drawing; one without gets the template's drawing.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from jxc_xl.io.addtables import SheetLook
from jxc_xl.io.ooxml import attrs, col, set_attr, split_range
from jxc_xl.io.package import Parts, SheetRef, open_package, relationships, workbook_sheets
from jxc_xl.io.structure import (
    REL_TYPE,
    add_relationship,
    copy_part,
    insert_sheet_element,
    sheet_prefix,
    with_r_prefix,
)
from jxc_xl.schema import GENERATED_TABLES, OTHER, PLAN, SYNC_BUTTON_SHAPE, TRANSFERS, WAREHOUSES, Lang, Table

__all__ = [
    "BOOK_SHAPE",
    "add_button",
    "add_validations",
    "extend_validations",
    "has_button",
    "missing_validations",
    "template_formulas",
]

_SHAPE = f'name="{SYNC_BUTTON_SHAPE}"'.encode()
_LAST_ROW = 1_048_576


@lru_cache(maxsize=4)
def _donor(
    lang: Lang, period: str | None, company: str | None, lookups: bool = False, without: tuple[str, ...] = ()
) -> bytes:
    """The template (input sheets, the plan; no guide or formulas sheet) as built by ``io.template``;
    ``lookups``: with the entry tables' computed columns (their calculated column formulas); ``without``: input
    tables left out as well (their formulas then read nothing of them, as ``build_workbook`` writes them)."""
    from jxc_xl.io.template import build_workbook

    omit = [t.name for t in GENERATED_TABLES if t is not PLAN] + list(without)
    with tempfile.TemporaryDirectory(prefix="jxc-donor-") as d:
        settings = {"company": company} if company else None
        out = build_workbook(
            Path(d) / "t.xlsx", lang=lang, period=period, settings=settings, omit=omit, extras=False, lookups=lookups
        )
        return out.read_bytes()


def _donor_of(look: SheetLook) -> bytes:
    return _donor(look.lang, look.period, look.company)


# The optional tables 盘点's book formula reads where the workbook has them as Excel Tables (io.template.lookups)
BOOK_SHAPE = (OTHER.name, WAREHOUSES.name, TRANSFERS.name)


def template_formulas(look: SheetLook, without: Collection[str] = ()) -> dict[str, dict[str, str]]:
    """Table name → column name → the template's calculated column formula (as escaped in its table part);
    ``without``: tables of ``BOOK_SHAPE`` the workbook lacks, so that the formulas are those of its shape (the
    book quantity per warehouse only with 仓库, with transfers only with 调拨)."""
    from jxc_xl.io.package import table_parts

    out: dict[str, dict[str, str]] = {}
    gone = tuple(sorted(set(without) & set(BOOK_SHAPE)))
    with open_package(_donor(look.lang, look.period, look.company, True, gone)) as donor:
        for tp in table_parts(donor, Path("<template>")):
            out[tp.display_name] = {tp.columns[i]: f for i, f in tp.calc_formulas.items()}
    return out


def _drawings(parts: Parts, path: Path, sheet: SheetRef) -> list[str]:
    return [r.target for r in relationships(parts, sheet.part, path) if r.type == REL_TYPE["drawing"]]


def has_button(parts: Parts, path: Path, sheet: SheetRef) -> bool:
    """Whether a drawing of ``sheet`` holds the sync button's shape."""
    return any(d in parts and _SHAPE in parts[d] for d in _drawings(parts, path, sheet))


def _donor_drawing(donor: Parts) -> str:
    sheet = next(s for s in workbook_sheets(donor, Path("<template>")) if s.name in (PLAN.zh_sheet, PLAN.en_sheet))
    return next(r.target for r in relationships(donor, sheet.part, Path("<template>")) if r.type == REL_TYPE["drawing"])


def add_button(parts: Parts, path: Path, sheet: SheetRef, look: SheetLook) -> None:
    """The template's sync button on ``sheet``: into its drawing, or the template's drawing when it has none."""
    with open_package(_donor_of(look)) as donor:
        drawing = _donor_drawing(donor)
        existing = [d for d in _drawings(parts, path, sheet) if d in parts]
        if not existing:
            new = copy_part(donor, parts, drawing, lambda _part, data: data)
            rid = add_relationship(parts, sheet.part, REL_TYPE["drawing"], new)
            xml, rp = with_r_prefix(parts[sheet.part].decode("utf-8"))
            element = f'<{sheet_prefix(xml)}drawing {rp}:id="{rid}"/>'
            stale = re.search(rf"<{sheet_prefix(xml)}drawing\b[^>]*?/>", xml)  # its drawing part is missing
            if stale is not None:
                xml = xml[: stale.start()] + element + xml[stale.end() :]
            else:
                xml = insert_sheet_element(xml, element, "drawing")
            parts[sheet.part] = xml.encode("utf-8")
            return
        anchor = re.search(rb"<xdr:twoCellAnchor\b.*?</xdr:twoCellAnchor>", donor[drawing], re.S)
        link = next(r for r in relationships(donor, drawing, Path("<template>")))
        assert anchor is not None
    target = existing[0]
    xml = parts[target].decode("utf-8")
    rid = _hyperlink(parts, target, donor_target=link.target)
    ids = [int(x) for x in re.findall(r'<(?:\w+:)?cNvPr\b[^>]*?\sid="(\d+)"', xml)]
    shape = anchor.group().decode("utf-8")
    shape = re.sub(r'(<xdr:cNvPr\b[^>]*?\sid=")\d+"', lambda m: f'{m.group(1)}{max([1, *ids]) + 1}"', shape, count=1)
    shape = re.sub(r'(\sr:id=")rId\d+"', lambda m: f'{m.group(1)}{rid}"', shape, count=1)
    m = re.search(r"<(\w+:)?wsDr\b[^>]*>", xml)
    assert m is not None
    p = m.group(1) or ""
    if p != "xdr:":  # the drawing names the namespace otherwise: bind xdr and a on the shape itself
        shape = shape.replace(
            "<xdr:twoCellAnchor",
            '<xdr:twoCellAnchor xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"',
            1,
        )
    elif "xmlns:a=" not in m.group():
        shape = shape.replace("<xdr:sp ", '<xdr:sp xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ', 1)
    end = xml.rindex(f"</{p}wsDr>")
    parts[target] = (xml[:end] + shape + xml[end:]).encode("utf-8")


def _hyperlink(parts: Parts, drawing: str, donor_target: str) -> str:
    """The hyperlink relationship of the button in ``drawing`` to the cell it covers ("#'采购计划'!V2": the
    package reading resolved it like a part name, so the folder goes; a sheet name holds no "/")."""
    return add_relationship(parts, drawing, REL_TYPE["hyperlink"], donor_target.rsplit("/", 1)[-1], part=False)


# ---------------------------------------------------------------------------------------------------
# Data validation


def _covered(sheet_xml: str) -> list[tuple[int, int, int, int]]:
    """The ranges the sheet's data validations cover."""
    out = []
    for m in re.finditer(r"<(?:\w+:)?dataValidation\b([^>]*)>", sheet_xml):
        for ref in attrs(m.group(1)).get("sqref", "").split():
            try:
                out.append(split_range(ref))
            except ValueError:
                continue
    return out


def _template_rules(look: SheetLook, t: Table) -> dict[str, str]:
    """Column key → the template's ``<dataValidation>`` of that column of ``t`` (unprefixed XML)."""
    with open_package(_donor_of(look)) as donor:
        sheet = next((s for s in workbook_sheets(donor, Path("<template>")) if s.name == t.sheet(look.lang)), None)
        if sheet is None:
            return {}
        xml = donor[sheet.part].decode("utf-8")
    keys = t.keys()
    out = {}
    for m in re.finditer(r"<dataValidation\b[^>]*?(?:/>|>.*?</dataValidation>)", xml, re.S):
        c1 = split_range(attrs(m.group()[: m.group().index(">")]).get("sqref", "A1").split()[0])[0]
        if 1 <= c1 <= len(keys):
            out[keys[c1 - 1]] = m.group()
    return out


def missing_validations(
    parts: Parts, sheet: SheetRef, t: Table, columns: dict[str, str], header_row: int, look: SheetLook
) -> list[str]:
    """The columns of ``t`` (keys, at ``columns``' letters) whose template rule the sheet lacks: no validation
    covers the column's first data cell."""
    rules = _template_rules(look, t)
    covered = _covered(parts[sheet.part].decode("utf-8"))
    first = header_row + 1
    out = []
    for key in rules:
        if key not in columns:
            continue
        c = col(columns[key])
        if not any(c1 <= c <= c2 and r1 <= first <= r2 for c1, r1, c2, r2 in covered):
            out.append(key)
    return out


def extend_validations(
    parts: Parts, sheet: SheetRef, t: Table, columns: dict[str, str], header_row: int, look: SheetLook
) -> list[str]:
    """The template's rules that stop short of the sheet's last row (LibreOffice writes them down to row 1006
    or so: a line typed below gets no dropdown) reach it again; the columns (keys) extended. A rule is the
    template's when it has its input title and covers one column from the first data row."""
    titles = {attrs(rule[: rule.index(">")]).get("promptTitle"): key for key, rule in _template_rules(look, t).items()}
    first = header_row + 1
    xml = parts[sheet.part].decode("utf-8")
    extended: list[str] = []

    def extend(m: re.Match[str]) -> str:
        a = attrs(m.group(1))
        key = titles.get(a.get("promptTitle"))
        refs = a.get("sqref", "").split()
        if key is None or key not in columns or len(refs) != 1:
            return m.group()
        try:
            c1, r1, c2, r2 = split_range(refs[0])
        except ValueError:
            return m.group()
        c = col(columns[key])
        if not (c1 == c2 == c and r1 == first and r2 < _LAST_ROW):
            return m.group()
        extended.append(key)
        return set_attr(m.group(), "sqref", f"{columns[key]}{first}:{columns[key]}{_LAST_ROW}")

    new = re.sub(r"<(?:\w+:)?dataValidation\b([^>]*)>", extend, xml)
    if extended:
        parts[sheet.part] = new.encode("utf-8")
    return extended


def add_validations(
    parts: Parts, wanted: dict[str, tuple[SheetRef, dict[str, str], int, list[str]]], look: SheetLook
) -> None:
    """The template's rules for each table's columns (table → sheet, key letters, header row, keys)."""
    from jxc_xl.schema import TABLES_BY_NAME

    for name, (sheet, columns, header_row, keys) in wanted.items():
        rules = _template_rules(look, TABLES_BY_NAME[name])
        xml = parts[sheet.part].decode("utf-8")
        p = sheet_prefix(xml)
        new = []
        for key in keys:
            rule = rules[key]
            head = rule[: rule.index(">") + 1]
            ref = f"{columns[key]}{header_row + 1}:{columns[key]}{_LAST_ROW}"
            rule = set_attr(head, "sqref", ref) + rule[len(head) :]
            new.append(rule.replace("</", "\0").replace("<", f"<{p}").replace("\0", f"</{p}") if p else rule)
        block = "".join(new)
        m = re.search(rf"<{p}dataValidations\b[^>]*?(/?)>", xml)
        if m is not None and not m.group(1):
            end = xml.index(f"</{p}dataValidations>", m.end())
            count = len(re.findall(rf"<{p}dataValidation\b", xml[m.end() : end])) + len(new)
            tag = set_attr(m.group(), "count", str(count))
            xml = xml[: m.start()] + tag + xml[m.end() : end] + block + xml[end:]
        else:
            element = f'<{p}dataValidations count="{len(new)}">{block}</{p}dataValidations>'
            xml = (
                xml[: m.start()] + element + xml[m.end() :]
                if m
                else insert_sheet_element(xml, element, "dataValidations")
            )
        parts[sheet.part] = xml.encode("utf-8")
