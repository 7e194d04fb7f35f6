"""The sync button on the plan sheet: a textbox with a hyperlink to the cell it covers, named after the fact."""

from __future__ import annotations

import re
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.messages import word
from jxc_xl.io.package import Parts, rewrite_parts
from jxc_xl.io.template.styles import FONT, quote_sheet
from jxc_xl.schema import PLAN, SYNC_BUTTON_CELL, SYNC_BUTTON_COLUMN, SYNC_BUTTON_ROW, SYNC_BUTTON_SHAPE, Lang

_SHAPE = SYNC_BUTTON_SHAPE.encode()
# xlsxwriter names every textbox "TextBox N"; the description marks ours.
_BUTTON_RE = re.compile(rb'name="TextBox \d+" descr="' + re.escape(_SHAPE) + b'"')


def sync_button(ws: Worksheet, lang: Lang) -> None:
    """xlwings Lite button: a textbox marked SYNC_BUTTON_SHAPE whose hyperlink points to the cell it covers."""
    cell = SYNC_BUTTON_CELL
    ws.insert_textbox(
        SYNC_BUTTON_ROW,
        SYNC_BUTTON_COLUMN,
        word("tpl_button_label", lang),
        {
            "url": f"internal:{quote_sheet(PLAN.sheet(lang))}!{cell}",
            "tip": word("tpl_button_tip", lang),
            "description": SYNC_BUTTON_SHAPE,  # marker for name_button (xlsxwriter cannot name shapes)
            "width": 96,
            "height": 32,
            "font": {"bold": True, "size": 12, "color": "white", "name": FONT[lang]},
            "align": {"vertical": "middle", "horizontal": "center"},
            "fill": {"color": "#2F75B5"},
            "line": {"color": "#1F4E78"},
        },
    )


def name_button(path: Path) -> None:
    """Rename the marked textbox to SYNC_BUTTON_SHAPE in the drawing XML; every other entry stays as it is."""

    def rename(parts: Parts) -> None:
        for name in list(parts):
            if name.startswith("xl/drawings/drawing") and name.endswith(".xml"):
                data = parts[name]
                named = _BUTTON_RE.sub(b'name="' + _SHAPE + b'" descr="' + _SHAPE + b'"', data)
                if named != data:
                    parts[name] = named

    # zipfile's default deflate level, as xlsxwriter wrote the part (the committed templates pin the bytes).
    rewrite_parts(path, path, rename, compresslevel=None)
