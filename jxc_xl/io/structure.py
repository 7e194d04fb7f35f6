"""The package's structure: new parts with their relationships and content types, sheets and defined names.

A part added to a package needs three things besides its bytes: a free name, a relationship from the part
that uses it (its .rels part, made when missing) and a content type ([Content_Types].xml). This module adds
them, and copies a part with everything it refers to from another package (the template's sheet with its
table, drawing, chart and their .rels). workbook.xml gets new ``<sheet>`` elements (last, so the
``localSheetId`` of every existing defined name keeps its sheet) and defined names. Every edit is string
slicing of the XML as written (its namespace prefix kept), so what is not added stays as it was.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from xml.sax.saxutils import escape, quoteattr

from jxc_xl.io.ooxml import attrs
from jxc_xl.io.package import CONTENT_TYPES, NS_PKG_REL, WORKBOOK, Parts, rels_name, resolve

__all__ = [
    "REL",
    "REL_TYPE",
    "add_defined_names",
    "add_override",
    "add_relationship",
    "add_sheet",
    "content_type",
    "copy_part",
    "free_name",
    "insert_sheet_element",
    "relative",
    "sheet_prefix",
    "with_r_prefix",
]

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPE = {
    "worksheet": f"{REL}/worksheet",
    "table": f"{REL}/table",
    "drawing": f"{REL}/drawing",
    "hyperlink": f"{REL}/hyperlink",
    "styles": f"{REL}/styles",
}
_TYPES_CLOSE = re.compile(rb"</(?:\w+:)?Types>\s*$")


def free_name(parts: Parts, like: str) -> str:
    """A part name of the family of ``like`` ('xl/tables/table3.xml' → 'xl/tables/tableN.xml') not in use."""
    folder, base = posixpath.split(like)
    m = re.match(r"^(.*?)(\d*)(\.[^.]+)$", base)
    stem, ext = (m.group(1), m.group(3)) if m else (base, "")
    # Every entry of the zip counts (a removed one too), and a name whose .rels part is left over is not free.
    taken = {n.casefold() for n in [*(i.filename for i in parts.infos), *parts.added]}
    n = 1
    while {(name := posixpath.join(folder, f"{stem}{n}{ext}")).casefold(), rels_name(name).casefold()} & taken:
        n += 1
    return name


def relative(source: str, target: str) -> str:
    """A relationship target from ``source``'s folder to ``target`` ('xl/worksheets/sheet1.xml' →
    '../tables/table1.xml')."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def content_type(parts: Mapping[str, bytes], part: str) -> str | None:
    """The content type of ``part``: its Override, else the Default of its extension."""
    xml = parts[CONTENT_TYPES].decode("utf-8")
    for m in re.finditer(r"<(?:\w+:)?Override\b([^>]*)>", xml):
        a = attrs(m.group(1))
        if a.get("PartName", "").lstrip("/").casefold() == part.casefold():
            return a.get("ContentType")
    ext = posixpath.splitext(part)[1].lstrip(".").casefold()
    for m in re.finditer(r"<(?:\w+:)?Default\b([^>]*)>", xml):
        a = attrs(m.group(1))
        if a.get("Extension", "").casefold() == ext:
            return a.get("ContentType")
    return None


def add_override(parts: Parts, part: str, ctype: str) -> None:
    """An Override for ``part`` (unless its extension's Default already says ``ctype``)."""
    if content_type(parts, part) == ctype:
        return
    xml = parts[CONTENT_TYPES]
    m = _TYPES_CLOSE.search(xml)
    assert m is not None
    p = re.match(rb"</(\w+:)?", m.group().lstrip())
    prefix = (p.group(1) or b"").decode() if p else ""
    entry = f"<{prefix}Override PartName={quoteattr('/' + part)} ContentType={quoteattr(ctype)}/>".encode()
    parts[CONTENT_TYPES] = xml[: m.start()] + entry + xml[m.start() :]


def add_relationship(parts: Parts, source: str, rel_type: str, target: str, *, part: bool = True) -> str:
    """A relationship of ``source`` to the part ``target`` (``part=False``: ``target`` as written, e.g. a
    hyperlink's "#'Sheet'!A1"); its new Id."""
    name = rels_name(source)
    if name not in parts:
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        parts.add(name, f'{head}<Relationships xmlns="{NS_PKG_REL}"></Relationships>'.encode())
    xml = parts[name].decode("utf-8")
    ids = set(re.findall(r"""\sId\s*=\s*["']([^"']*)["']""", xml))
    n = 1
    while f"rId{n}" in ids:
        n += 1
    rid = f"rId{n}"
    m = re.search(r"<(\w+:)?Relationships\b[^>]*?(/?)>", xml)
    assert m is not None
    p = m.group(1) or ""
    to = quoteattr(relative(source, target) if part else target)
    entry = f"<{p}Relationship Id={quoteattr(rid)} Type={quoteattr(rel_type)} Target={to}/>"
    if m.group(2):  # <Relationships/>
        xml = xml[: m.start()] + m.group()[:-2] + ">" + entry + f"</{p}Relationships>" + xml[m.end() :]
    else:
        end = xml.rindex(f"</{p}Relationships>")
        xml = xml[:end] + entry + xml[end:]
    parts[name] = xml.encode("utf-8")
    return rid


def copy_part(
    donor: Mapping[str, bytes],
    parts: Parts,
    part: str,
    transform: Callable[[str, bytes], bytes],
    copied: dict[str, str] | None = None,
) -> str:
    """Copy ``part`` of the package ``donor`` into ``parts`` under a free name, with every part its
    relationships reach (a sheet's table and drawing, a drawing's chart), each with its content type; returns
    the new name. ``transform(donor_part, bytes)`` may change a part's bytes (styles, ids) on the way;
    ``copied`` (donor name → new name) is shared across calls so a part reached twice is copied once."""
    copied = {} if copied is None else copied
    if part in copied:
        return copied[part]
    new = free_name(parts, part)
    copied[part] = new
    parts.add(new, transform(part, donor[part]))
    ctype = content_type(donor, part)
    if ctype:
        add_override(parts, new, ctype)
    rels = rels_name(part)
    if rels in donor:
        xml = donor[rels].decode("utf-8")

        def retarget(m: re.Match[str]) -> str:
            tag = m.group()
            a = attrs(tag)
            if a.get("TargetMode") == "External" or "Target" not in a:
                return tag
            target = resolve(part, a["Target"])
            if target not in donor:  # a link into the workbook ("#'采购计划'!V2"): kept as it is
                return tag
            moved = copy_part(donor, parts, target, transform, copied)
            return tag.replace(f'Target="{a["Target"]}"', f"Target={quoteattr(relative(new, moved))}")

        parts.add(rels_name(new), re.sub(r"<(?:\w+:)?Relationship\b[^>]*>", retarget, xml).encode("utf-8"))
    return new


def _workbook_prefix(xml: str) -> str:
    m = re.search(r"<(?:(\w+):)?workbook\b", xml)
    return f"{m.group(1)}:" if m and m.group(1) else ""


def _r_prefix(xml: str) -> str:
    """The prefix workbook.xml binds to the relationships namespace (added to the root when it has none)."""
    root = re.search(r"<(?:\w+:)?workbook\b[^>]*>", xml)
    m = re.search(rf"""xmlns:(\w+)\s*=\s*["']{re.escape(REL)}["']""", root.group() if root else "")
    return m.group(1) if m else ""


def add_sheet(parts: Parts, name: str, sheet_part: str) -> int:
    """A new last sheet ``name`` in workbook.xml whose part is ``sheet_part``; its 0-based position."""
    rid = add_relationship(parts, WORKBOOK, REL_TYPE["worksheet"], sheet_part)
    xml = parts[WORKBOOK].decode("utf-8")
    p = _workbook_prefix(xml)
    r = _r_prefix(xml)
    if not r:
        root = re.search(r"<(?:\w+:)?workbook\b[^>]*", xml)
        assert root is not None
        r = "jxcr" if re.search(r"\sxmlns:r\s*=", root.group()) else "r"  # "r" bound otherwise: our own prefix
        xml = xml[: root.end()] + f' xmlns:{r}="{REL}"' + xml[root.end() :]
    sheets = list(re.finditer(rf"<{p}sheet\b[^>]*>", xml))
    ids = [int(attrs(s.group()).get("sheetId", "0") or 0) for s in sheets]
    entry = f'<{p}sheet name={quoteattr(name)} sheetId="{max([0, *ids]) + 1}" {r}:id="{rid}"/>'
    m = re.search(rf"<{p}sheets\b[^>]*?/>", xml)
    if m:
        xml = xml[: m.start()] + m.group()[:-2] + f">{entry}</{p}sheets>" + xml[m.end() :]
    else:
        end = xml.index(f"</{p}sheets>")
        xml = xml[:end] + entry + xml[end:]
    parts[WORKBOOK] = xml.encode("utf-8")
    return len(sheets)


def add_defined_names(parts: Parts, names: list[tuple[str, int | None, str]]) -> None:
    """Defined names (name, localSheetId or None for the workbook, formula text) into workbook.xml; one the
    workbook already has (same name and scope) is left as it is."""
    xml = parts[WORKBOOK].decode("utf-8")
    p = _workbook_prefix(xml)
    have = set()
    for d in re.finditer(rf"<{p}definedName\b([^>]*)>", xml):
        a = attrs(d.group(1))
        have.add((a.get("name", "").casefold(), a.get("localSheetId")))
    entries = []
    for name, local, text in names:
        if (name.casefold(), None if local is None else str(local)) in have:
            continue
        scope = "" if local is None else f' localSheetId="{local}"'
        entries.append(f"<{p}definedName name={quoteattr(name)}{scope}>{escape(text)}</{p}definedName>")
    if not entries:
        return
    block = "".join(entries)
    m = re.search(rf"<{p}definedNames\b[^>]*?(/?)>", xml)
    if m and m.group(1):
        xml = xml[: m.start()] + f"<{p}definedNames>{block}</{p}definedNames>" + xml[m.end() :]
    elif m:
        end = xml.index(f"</{p}definedNames>")
        xml = xml[:end] + block + xml[end:]
    else:  # after sheets, functionGroups and externalReferences (the schema's order)
        anchor = xml.index(f"</{p}sheets>") + len(f"</{p}sheets>")
        for tag in ("functionGroups", "externalReferences"):
            t = re.search(rf"</{p}{tag}>|<{p}{tag}\b[^>]*/>", xml)
            if t:
                anchor = max(anchor, t.end())
        xml = xml[:anchor] + f"<{p}definedNames>{block}</{p}definedNames>" + xml[anchor:]
    parts[WORKBOOK] = xml.encode("utf-8")


# ---------------------------------------------------------------------------------------------------
# Worksheet elements around sheetData

# CT_Worksheet's children after sheetData, in the schema's order: an element goes before the first of its
# successors that the sheet has.
_SHEET_ORDER = (
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)


def sheet_prefix(xml: str) -> str:
    """The worksheet's SpreadsheetML prefix with its colon ("x:"), or ""."""
    m = re.search(r"<(?:(\w+):)?worksheet\b", xml)
    return f"{m.group(1)}:" if m and m.group(1) else ""


def with_r_prefix(xml: str) -> tuple[str, str]:
    """The worksheet with the relationships namespace bound on its root, and that prefix ("r" unless taken)."""
    m = re.search(r"<(?:\w+:)?worksheet\b[^>]*>", xml)
    assert m is not None
    root = m.group()
    r = re.search(rf"""xmlns:(\w+)\s*=\s*["']{re.escape(REL)}["']""", root)
    if r is not None:
        return xml, r.group(1)
    rp = "jxcr" if re.search(r"\sxmlns:r\s*=", root) else "r"
    return xml[: m.start()] + root[:-1] + f' xmlns:{rp}="{REL}">' + xml[m.end() :], rp


def insert_sheet_element(xml: str, element: str, name: str) -> str:
    """The worksheet with ``element`` (its XML, prefixed as the sheet is) placed where the schema puts
    ``name``: before the first of its successors present, else before the root's end."""
    p = sheet_prefix(xml)
    data_end = max(xml.find(f"</{p}sheetData>"), 0)
    for later in _SHEET_ORDER[_SHEET_ORDER.index(name) + 1 :]:
        m = re.compile(rf"<{p}{later}\b").search(xml, data_end)
        if m:
            return xml[: m.start()] + element + xml[m.start() :]
    end = xml.rindex(f"</{p}worksheet>")
    return xml[:end] + element + xml[end:]
