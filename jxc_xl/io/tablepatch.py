"""The parts that follow a rewritten table: its table part's ref, the calcChain and the recalc flag.

calcChain lists formula cells in calculation order: an entry for a cell that is gone makes Excel repair the
file, a missing one is harmless (Excel rebuilds it), so entries inside a rewritten area are dropped. When
formulas anywhere may read the new rows, ``calcPr fullCalcOnLoad`` asks Excel to recompute on open.
"""

from __future__ import annotations

import re

from jxc_xl.io.ooxml import attrs, letter, set_attr, split_range, split_ref
from jxc_xl.io.package import CONTENT_TYPES, WORKBOOK, Parts, TablePart, rels_name

__all__ = ["drop_calc_chain", "patch_table", "request_recalc"]


def patch_table(xml: str, info: TablePart, rows: int) -> str:
    """The table part with ref/autoFilter/sortState resized to ``rows`` data rows."""
    c1, r1, c2, _r2 = info.area
    data_end = r1 + info.header_rows - 1 + max(rows, 1)
    end = data_end + info.totals_rows
    ref = f"{letter(c1)}{r1}:{letter(c2)}{end}"
    m = re.search(r"<(?:\w+:)?table\b[^>]*>", xml)
    assert m is not None
    xml = xml[: m.start()] + set_attr(m.group(), "ref", ref) + xml[m.end() :]

    def fix(mm: re.Match[str], last: int) -> str:
        a = attrs(mm.group())
        if "ref" not in a:
            return mm.group()
        cc1, rr1, cc2, _ = split_range(a["ref"])
        return set_attr(mm.group(), "ref", f"{letter(cc1)}{rr1}:{letter(cc2)}{last}")

    xml = re.sub(r"<(?:\w+:)?autoFilter\b[^>]*>", lambda mm: fix(mm, data_end), xml)
    return re.sub(r"<(?:\w+:)?(?:sortState|sortCondition)\b[^>]*>", lambda mm: fix(mm, data_end), xml)


# ---------------------------------------------------------------------------------------------------
# calcChain, content types, workbook: what may read the rewritten rows


def drop_calc_chain(parts: Parts, areas: dict[tuple[int, int], tuple[int, int, int, int]]) -> set[str]:
    """Remove calcChain entries inside the rewritten areas; the changed part names.

    ``areas`` maps (sheetId, sheet position) → (c1, r1, c2, r2). The spec calls calcChain's ``i`` a sheet
    id, some writers use the position: an entry matching either is dropped (a missing entry is harmless,
    Excel rebuilds it; a stale one makes Excel repair the file).
    """
    name = "xl/calcChain.xml"
    if name not in parts:
        return set()
    xml = parts[name].decode("utf-8")
    entries = list(re.finditer(r"<(?:\w+:)?c\b[^>]*?/>", xml))
    if not entries:
        return set()
    kept: list[str] = []
    cur_i = "1"
    dropped = False
    for e in entries:
        a = attrs(e.group())
        cur_i = a.get("i", cur_i)
        c, r = split_ref(a.get("r", "A1"))
        hit = False
        for (sid, spos), (c1, r1, c2, r2) in areas.items():
            if cur_i in (str(sid), str(spos)) and c1 <= c <= c2 and r1 <= r <= r2:
                hit = True
                break
        if hit:
            dropped = True
        else:
            kept.append(set_attr(e.group(), "i", cur_i))  # explicit: its predecessor may be gone
    if not dropped:
        return set()
    if kept:
        new = xml[: entries[0].start()] + "".join(kept) + xml[entries[-1].end() :]
        parts[name] = new.encode("utf-8")
        return {name}
    del parts[name]
    rels = rels_name(WORKBOOK)
    parts[rels] = re.sub(rb"<Relationship\b[^>]*?Target=\"/?(?:xl/)?calcChain\.xml\"[^>]*?/>", b"", parts[rels])
    parts[CONTENT_TYPES] = re.sub(
        rb"<Override\b[^>]*?PartName=\"/xl/calcChain\.xml\"[^>]*?/>", b"", parts[CONTENT_TYPES]
    )
    return {name, rels, CONTENT_TYPES}


def _has_full_calc_on_load(wb_xml: bytes) -> bool:
    m = re.search(rb"<(?:\w+:)?calcPr\b[^>]*?/?>", wb_xml)
    return m is not None and attrs(m.group().decode("utf-8")).get("fullCalcOnLoad") in ("1", "true")


def _full_calc_on_load(wb_xml: bytes) -> bytes:
    """workbook.xml with calcPr fullCalcOnLoad="1" (so formulas reading the tables recompute on open)."""
    xml = wb_xml.decode("utf-8")
    m = re.search(r"<(\w+:)?calcPr\b[^>]*?/?>", xml)
    if m:
        if attrs(m.group()).get("fullCalcOnLoad") in ("1", "true"):
            return wb_xml
        return (xml[: m.start()] + set_attr(m.group(), "fullCalcOnLoad", "1") + xml[m.end() :]).encode("utf-8")
    # calcPr follows definedNames (or sheets) in the schema's element order.
    mm = re.search(r"<(\w+:)?sheets\b[^>]*>.*?</(?:\w+:)?sheets>", xml, re.S)
    if not mm:
        return wb_xml
    p = mm.group(1) or ""
    anchor = mm.end()
    for tag in ("functionGroups", "externalReferences", "definedNames"):
        t = re.search(rf"</{p}{tag}>|<{p}{tag}\b[^>]*/>", xml)
        if t:
            anchor = max(anchor, t.end())
    return (xml[:anchor] + f'<{p}calcPr fullCalcOnLoad="1"/>' + xml[anchor:]).encode("utf-8")


_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


def request_recalc(parts: Parts, *, wrote_formulas: bool, changed: set[str]) -> None:
    """Set ``calcPr fullCalcOnLoad`` when formulas anywhere may read the rewritten rows.

    Formulas written into the tables, a calcChain edited, or any formula in a worksheet: Excel then recomputes
    on open rather than show stale values. Most workbooks have the flag already; only without it are the
    sheets searched for a formula.
    """
    if _has_full_calc_on_load(parts[WORKBOOK]):
        return
    if (
        wrote_formulas
        or "xl/calcChain.xml" in changed
        or any(
            _FORMULA_RE.search(parts.peek(part))
            for part in sorted(parts)
            if part.startswith("xl/worksheets/") and part.endswith(".xml")
        )
    ):
        parts[WORKBOOK] = _full_calc_on_load(parts[WORKBOOK])
