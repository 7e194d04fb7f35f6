"""The sync button on the plan sheet: a textbox with a hyperlink to the cell it covers, named after the fact."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.findings import col_letter
from jxc_xl.core.messages import word
from jxc_xl.io.template.styles import FONT, quote_sheet
from jxc_xl.schema import PLAN, SYNC_BUTTON_COLUMN, SYNC_BUTTON_ROW, SYNC_BUTTON_SHAPE, Lang

_SHAPE = SYNC_BUTTON_SHAPE.encode()
# xlsxwriter names every textbox "TextBox N"; the description marks ours.
_BUTTON_RE = re.compile(rb'name="TextBox \d+" descr="' + re.escape(_SHAPE) + b'"')


def sync_button(ws: Worksheet, lang: Lang) -> None:
    """xlwings Lite button: a textbox marked SYNC_BUTTON_SHAPE whose hyperlink points to the cell it covers."""
    cell = f"{col_letter(SYNC_BUTTON_COLUMN)}{SYNC_BUTTON_ROW + 1}"
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
    """Rename the marked textbox to SYNC_BUTTON_SHAPE in the drawing XML; zip entries keep order and dates."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/drawings/drawing") and info.filename.endswith(".xml"):
                data = _BUTTON_RE.sub(b'name="' + _SHAPE + b'" descr="' + _SHAPE + b'"', data)
            zout.writestr(info, data, compress_type=info.compress_type)
    path.write_bytes(out.getvalue())
