"""Pages that print: every sheet on A4, portrait or landscape by its width, scaled to one page wide, its header
rows repeated on every page, and a header and footer with the company, the sheet, the period and page x of y.

Texts live in the message catalog (``tpl_print_*``). A sheet is printed portrait when its columns fit a
portrait page at 80 % or more, landscape otherwise; long lists then take fewer pages than in landscape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.messages import phrase, word
from jxc_xl.schema import Lang

A4 = 9  # xlsxwriter's paper code
MARGIN_IN = 0.5  # left and right margins, inches
HEADER_MARGIN_IN = 0.5  # from the page's edge to the header and to the footer
PORTRAIT_PX = (8.27 - 2 * MARGIN_IN) * 96  # printable width of A4 portrait at 100 %, in pixels
LANDSCAPE_PX = (11.69 - 2 * MARGIN_IN) * 96
MIN_PORTRAIT_SCALE = 0.8  # narrower than this on a portrait page: print landscape
DEFAULT_COLUMN_PX = 64  # a column of Excel's default width (8.43)


def column_px(width: float) -> int:
    """A column of ``width`` character units in pixels, as Excel sizes it (7 px a unit + 5 px padding)."""
    return int(width * 7 + 5)


def is_wide(pixels: Iterable[int]) -> bool:
    """Whether columns of these widths (pixels) are printed landscape: portrait would scale them below 80 %."""
    return sum(pixels) * MIN_PORTRAIT_SCALE > PORTRAIT_PX


@dataclass(frozen=True)
class PageText:
    """What the header and footer say: the company (blank: left out) and the period, in ``lang``."""

    lang: Lang
    company: str | None
    period: str | None


def _escaped(text: str) -> str:
    """``text`` as literal header text: Excel's header codes start with ``&``."""
    return text.replace("&", "&&")


def header_text(text: PageText) -> str:
    """Left: the company; centre: the sheet's name, bold; right: the period."""
    left = f"&L{_escaped(text.company.strip())}" if text.company and text.company.strip() else ""
    right = f"&R{_escaped(phrase('tpl_print_period', text.lang, period=text.period))}" if text.period else ""
    return f'{left}&C&"-,Bold"&A{right}'


def footer_text(text: PageText) -> str:
    """Centre: page x of y."""
    return f"&C{word('tpl_print_page', text.lang)}"


def print_setup(
    ws: Worksheet,
    text: PageText,
    *,
    pixels: Iterable[int],
    header_rows: int = 0,
    gridlines: bool = True,
) -> None:
    """A4, portrait or landscape by ``pixels`` (the printed columns' widths), one page wide, rows ``0..header_rows-1``
    repeated on every page, gridlines (a table's rows stay readable where the viewer shows no table style),
    the header and footer of ``text``."""
    ws.set_paper(A4)
    if is_wide(pixels):
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    if header_rows > 0:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=0.75, bottom=0.75)
    # Header and footer 0.5 in from the edge: at Excel's 0.3 in LibreOffice 7.4 adds blank pages to long sheets.
    ws.set_header(header_text(text), {"margin": HEADER_MARGIN_IN})
    ws.set_footer(footer_text(text), {"margin": HEADER_MARGIN_IN})
    if gridlines:
        ws.hide_gridlines(0)  # shown on screen and printed
