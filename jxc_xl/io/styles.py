"""styles.xml: bring another package's cell formats and differential formats into a workbook's own.

A sheet copied from the template (``io.addtables``) names its cells' formats by index (``s="8"``), its
conditional formats by ``dxfId``: those indexes point into the template's styles.xml. ``merge_styles`` appends
what the sheet needs to the workbook's styles.xml — number formats (new ids), fonts, fills, borders, cell
formats, differential formats — reusing an entry that is already there with the same XML, and returns the map
from the template's indexes to the workbook's. The template's defaults (font, fill and border 0, the two
mandatory fills, cell format 0) map to the workbook's own, so the new sheet's unstyled cells look like the
rest of the workbook. Everything else in styles.xml is kept as written (edited by string slicing, the
namespace prefix as the file has it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jxc_xl.io.ooxml import attrs, set_attr

__all__ = ["StyleMap", "merge_styles"]

# styles.xml's sections in the schema's order (CT_Stylesheet): a missing one is inserted before its successors.
_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf", "dxfs": "dxf"}
# Entries of the template's defaults that map to the workbook's own (the mandatory fills are 0 and 1).
_DEFAULTS = {"fonts": 1, "fills": 2, "borders": 1, "cellXfs": 1}


@dataclass
class StyleMap:
    """The template's cell format and differential format indexes → the workbook's."""

    xf: dict[int, int] = field(default_factory=dict)
    dxf: dict[int, int] = field(default_factory=dict)


def _prefix(xml: str) -> str:
    m = re.search(r"<(?:(\w+):)?styleSheet\b", xml)
    return f"{m.group(1)}:" if m and m.group(1) else ""


def _section(xml: str, name: str, p: str) -> re.Match[str] | None:
    return re.search(rf"<{p}{name}\b[^>]*?(?:/>|>(.*?)</{p}{name}>)", xml, re.S)


def _children(xml: str, name: str, p: str) -> list[str]:
    """The section's entries as written (empty when the section is absent)."""
    m = _section(xml, name, p)
    if m is None or not m.group(1):
        return []
    child = _CHILD[name]
    return re.findall(rf"<{p}{child}\b[^>]*?(?:/>|>.*?</{p}{child}>)", m.group(1), re.S)


def _unprefixed(entry: str, p: str) -> str:
    return entry.replace(f"<{p}", "<").replace(f"</{p}", "</") if p else entry


def _prefixed(entry: str, p: str) -> str:
    return entry.replace("</", "\0").replace("<", f"<{p}").replace("\0", f"</{p}") if p else entry


def _append(xml: str, name: str, p: str, entries: list[str]) -> str:
    """``xml`` with ``entries`` (unprefixed) appended to section ``name`` and its count updated."""
    if not entries:
        return xml
    new = "".join(_prefixed(e, p) for e in entries)
    m = _section(xml, name, p)
    if m is not None:
        count = len(_children(xml, name, p)) + len(entries)
        head = re.match(rf"<{p}{name}\b[^>]*?(/?)>", m.group())
        assert head is not None
        tag = head.group()[:-2] + ">" if head.group(1) else head.group()
        tag = set_attr(tag, "count", str(count))
        inner = m.group(1) or ""
        return xml[: m.start()] + f"{tag}{inner}{new}</{p}{name}>" + xml[m.end() :]
    block = f'<{p}{name} count="{len(entries)}">{new}</{p}{name}>'
    for later in _ORDER[_ORDER.index(name) + 1 :]:
        mm = re.search(rf"<{p}{later}\b", xml)
        if mm:
            return xml[: mm.start()] + block + xml[mm.start() :]
    end = xml.rindex(f"</{p}styleSheet>")
    return xml[:end] + block + xml[end:]


class _Merger:
    """The workbook's entries of one section, with what gets appended to them."""

    def __init__(self, xml: str, name: str, p: str) -> None:
        self.name = name
        self.have = [_unprefixed(e, p) for e in _children(xml, name, p)]
        self.new: list[str] = []

    def index(self, entry: str) -> int:
        """The workbook's index of ``entry`` (unprefixed), appending it when it is not there yet."""
        everything = self.have + self.new
        if entry in everything:
            return everything.index(entry)
        self.new.append(entry)
        return len(everything)


def _with_attr(entry: str, name: str, value: str) -> str:
    """An entry with attribute ``name`` of its start tag set."""
    head = entry[: entry.index(">") + 1]
    return set_attr(head, name, value) + entry[len(head) :]


def _map_section(ours: _Merger, theirs: list[str], fix: dict[str, dict[int, int]] | None = None) -> dict[int, int]:
    """Index map of one section; ``fix``: attribute → index map applied to each entry first (an xf's fontId …)."""
    out: dict[int, int] = {}
    defaults = _DEFAULTS.get(ours.name, 0)
    for i, entry in enumerate(theirs):
        if i < defaults and i < len(ours.have):
            out[i] = i
            continue
        for attr, m in (fix or {}).items():
            a = attrs(entry[: entry.index(">")])
            if attr in a and a[attr].isdigit() and int(a[attr]) in m:
                entry = _with_attr(entry, attr, str(m[int(a[attr])]))
        out[i] = ours.index(entry)
    return out


def _num_fmts(xml: str, theirs_xml: str, p: str) -> tuple[dict[int, int], list[str]]:
    """The template's custom number format ids → the workbook's (same code reused, else a new id ≥ 164)."""
    have = {}
    for e in _children(xml, "numFmts", p):
        a = attrs(e[: e.index(">")])
        have[a.get("formatCode", "")] = int(a.get("numFmtId", "0"))
    next_id = max([163, *have.values()]) + 1
    out: dict[int, int] = {}
    new: list[str] = []
    for e in _children(theirs_xml, "numFmts", ""):
        a = attrs(e[: e.index(">")])
        code, old = a.get("formatCode", ""), int(a.get("numFmtId", "0"))
        if code not in have:
            have[code] = next_id
            new.append(_with_attr(e, "numFmtId", str(next_id)))
            next_id += 1
        out[old] = have[code]
    return out, new


def merge_styles(ours_xml: bytes, theirs_xml: bytes) -> tuple[bytes, StyleMap]:
    """The workbook's styles.xml (``ours_xml``) with what the template's (``theirs_xml``) cell and differential
    formats need appended, and the index map; ``ours_xml`` unchanged (same bytes) when nothing is new.

    Raises:
        UnicodeDecodeError: a part is not UTF-8.
    """
    ours, theirs = ours_xml.decode("utf-8"), theirs_xml.decode("utf-8")
    p = _prefix(ours)
    fmt_map, new_fmts = _num_fmts(ours, theirs, p)
    mergers = {name: _Merger(ours, name, p) for name in ("fonts", "fills", "borders", "cellXfs", "dxfs")}
    maps = {name: _map_section(mergers[name], _children(theirs, name, "")) for name in ("fonts", "fills", "borders")}
    xf_fix = {"fontId": maps["fonts"], "fillId": maps["fills"], "borderId": maps["borders"], "numFmtId": fmt_map}
    xfs = [_with_attr(x, "xfId", "0") for x in _children(theirs, "cellXfs", "")]
    style = StyleMap(
        xf=_map_section(mergers["cellXfs"], xfs, xf_fix),
        dxf=_map_section(mergers["dxfs"], _children(theirs, "dxfs", "")),
    )
    out = _append(ours, "numFmts", p, new_fmts)
    for name in ("fonts", "fills", "borders", "cellXfs", "dxfs"):
        out = _append(out, name, p, mergers[name].new)
    return (ours_xml if out == ours else out.encode("utf-8")), style
