"""The 说明/Guide sheet: the monthly workflow, what each sheet is for, add-in set-up, the button and the rules.

Its text lives in the message catalog (``tpl_guide_*`` of ``jxc_xl.core.messages``); a section's lines are
the keys ``tpl_guide_<section>_1``, ``_2``, … in order.
"""

from __future__ import annotations

import math
from itertools import count, takewhile

from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.messages import TEMPLATE_WORDS, phrase, word
from jxc_xl.io.template.styles import FORMULAS_SHEET, Formats
from jxc_xl.io.template.tables import schema_doc
from jxc_xl.schema import TABLES, Lang

GUIDE_WIDTHS = (14, 86)
LINE_HEIGHT = 17.0  # points per wrapped line at 11 pt (CJK glyphs are taller than Latin ones)


def _wrapped_height(text: str, columns: float = sum(GUIDE_WIDTHS)) -> float:
    """Row height that shows ``text`` wrapped in ``columns`` character units (Excel does not autofit merges, and
    a row written by xlsxwriter has no height of its own for LibreOffice to grow)."""
    usable = columns * 0.92  # character units lost to padding and word breaks
    # A CJK glyph is two units wide; an average Latin letter is narrower than the unit ("0").
    width = sum(2.0 if ord(ch) > 0x2E7F else 0.85 for ch in text)
    return LINE_HEIGHT * max(1, math.ceil(width / usable))


def _lines(section: str, lang: Lang) -> list[str]:
    """The numbered lines of a guide section, from the catalog."""
    keys = takewhile(TEMPLATE_WORDS.__contains__, (f"tpl_guide_{section}_{i}" for i in count(1)))
    generated = [t.sheet(lang) for t in TABLES if t.generated]
    sheets = "".join(f"“{n}”" for n in generated) if lang == "zh" else ", ".join(generated)
    return [phrase(k, lang, sheets=sheets) for k in keys]


class _Guide:
    """The guide sheet as it is written: the next free row and the formats."""

    def __init__(self, ws: Worksheet, fm: Formats) -> None:
        self.ws = ws
        self.r = 0
        self.title = fm.get(bold=True, font_size=16, font_color="#1F4E78")
        self.head = fm.get(bold=True, font_size=12, font_color="#1F4E78", top=1, top_color="#BDD7EE")
        self.wrap = fm.get(text_wrap=True, valign="top")
        self.bold = fm.get(bold=True, valign="top")

    def paragraph(self, text: str) -> None:
        """``text`` across both columns, wrapped, in a row tall enough to show it."""
        self.ws.merge_range(self.r, 0, self.r, 1, text, self.wrap)
        self.ws.set_row(self.r, _wrapped_height(text))
        self.r += 1

    def heading(self, text: str) -> None:
        """A section heading with a rule above it across both columns."""
        self.ws.write_string(self.r, 0, text, self.head)
        self.ws.write_blank(self.r, 1, None, self.head)
        self.r += 1

    def entry(self, name: str, text: str) -> None:
        """A sheet name in bold and what it is for."""
        self.ws.write_string(self.r, 0, name, self.bold)
        self.ws.write_string(self.r, 1, text, self.wrap)
        self.ws.set_row(self.r, _wrapped_height(text, GUIDE_WIDTHS[1]))
        self.r += 1

    def section(self, key: str, lang: Lang) -> None:
        """Heading, the section's lines and a blank row."""
        self.heading(word(f"tpl_guide_{key}_h", lang))
        for line in _lines(key, lang):
            self.paragraph(line)
        self.r += 1


def write_guide(ws: Worksheet, lang: Lang, fm: Formats) -> None:
    """The guide sheet in ``lang``: title, intro, then its sections."""
    g = _Guide(ws, fm)
    ws.set_column(0, 0, GUIDE_WIDTHS[0])
    ws.set_column(1, 1, GUIDE_WIDTHS[1])
    ws.hide_gridlines(2)
    ws.write_string(0, 0, word("tpl_guide_title", lang), g.title)
    ws.set_row(0, 24)
    g.r = 1
    g.paragraph(word("tpl_guide_intro", lang))
    g.r += 1
    g.section("workflow", lang)
    g.heading(word("tpl_guide_sheets_h", lang))
    for t in TABLES:
        g.entry(t.sheet(lang), schema_doc(t, lang))
    g.entry(FORMULAS_SHEET[lang], word("tpl_guide_formulas_sheet", lang))
    g.r += 1
    for key in ("formulas", "buttons", "rules"):
        g.section(key, lang)
