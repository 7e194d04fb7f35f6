"""The 公式/Formulas sheet: one row per JXC.* function with sample inputs, the live formula, the value Python
computed when the file was made, and a check that says OK once the add-in answers the same. Without the add-in
a live cell says so (``IFERROR`` around the call) instead of showing #NAME?; the list inputs sit below.

Descriptions and labels live in the message catalog (``tpl_fx_*`` of ``jxc_xl.core.messages``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.findings import col_letter
from jxc_xl.core.messages import phrase, word
from jxc_xl.io.template.styles import Formats
from jxc_xl.schema import Lang


class Sample(NamedTuple):
    """One JXC.* sample: scalar inputs go to columns D..H, list inputs are passed as ranges of SAMPLE_DATA."""

    fn: str
    inputs: tuple[float | str, ...]
    call: Callable[[Any], Any]  # the expected value, computed with jxc_xl.core.invmath
    ranges: tuple[str, ...] = ()
    ranges_first: bool = False
    pick: int | None = None  # INDEX(…, pick): one value of a spilled result


# The list inputs: one row each, right of the samples; labels are tpl_fx_sample_<name>.
SAMPLE_DATA: dict[str, list[float]] = {
    "discount_breaks": [0, 200, 500],
    "discount_prices": [500, 475, 450],
    "abc_values": [5000, 2500, 1000, 600, 400, 200, 150, 80, 50, 20],
    "history": [100, 120, 90, 110, 95, 105, 130, 98],
}
_DISCOUNT = ("discount_breaks", "discount_prices")
_H = SAMPLE_DATA["history"]

SAMPLES: tuple[Sample, ...] = (
    Sample("EOQ", (1300, 8, 0.225), lambda im: im.eoq(1300, 8, 0.225)),
    Sample("EOQ_COST", (1300, 8, 0.225, 250), lambda im: im.eoq_cost(1300, 8, 0.225, 250)),
    Sample("EOQ_BACKORDER", (1300, 8, 0.225, 5), lambda im: im.eoq_backorder(1300, 8, 0.225, 5)),
    Sample(
        "EOQ_DISCOUNT",
        (1000, 200, 0.2),
        lambda im: im.eoq_discount(1000, 200, 0.2, [0, 200, 500], [500, 475, 450]),
        _DISCOUNT,
    ),
    Sample(
        "EOQ_DISCOUNT_COST",
        (1000, 200, 0.2),
        lambda im: im.eoq_discount_details(1000, 200, 0.2, [0, 200, 500], [500, 475, 450]).annual_cost,
        _DISCOUNT,
    ),
    Sample("SAFETY_STOCK", (0.9, 5, 6, 50, 2), lambda im: im.safety_stock(0.9, 5, 6, 50, 2)),
    Sample("REORDER_POINT", (50, 6, 129.11), lambda im: im.reorder_point(50, 6, 129.11)),
    Sample("ABC", (0.8, 0.95), lambda im: im.abc(SAMPLE_DATA["abc_values"], 0.8, 0.95)[4], ("abc_values",), True, 5),
    Sample("XYZ", (0.5, 1.0), lambda im: im.xyz(_H, 0.5, 1.0), ("history",), True),
    Sample("TURNOVER", (12000, 2000, 4000), lambda im: im.turnover(12000, 2000, 4000)),
    Sample("DAYS_OF_INVENTORY", (12000, 2000, 4000, 30), lambda im: im.days_of_inventory(12000, 2000, 4000, 30)),
    Sample("FORECAST", (1, "ma"), lambda im: im.forecast(_H, 1, "ma")[0], ("history",), True, 1),
)

_WIDTHS = (24, 46, 2, 9, 9, 9, 9, 9, 14, 54, 14, 18)
_FIRST = 4  # 0-based row of the first sample (row 4 holds the headers)
_DATA_FIRST = _FIRST + len(SAMPLES) + 1  # the sample data's header row, below the samples after a blank row
_DATA_COL = 3  # the lists' values start in the first input column, one list per row
PRINT_COLUMNS = max(len(_WIDTHS), _DATA_COL + max(len(v) for v in SAMPLE_DATA.values()))


class _Looks(NamedTuple):
    head: Format
    title: Format
    live: Format
    expect: Format
    mono: Format
    wrap: Format
    bold: Format


def _looks(fm: Formats) -> _Looks:
    return _Looks(
        head=fm.get(bold=True, bg_color="#DDEBF7", bottom=1, text_wrap=True, valign="top"),
        title=fm.get(bold=True, font_size=14, font_color="#1F4E78"),
        live=fm.get(bg_color="#FFF2CC", num_format="#,##0.0000"),
        expect=fm.get(num_format="#,##0.0000"),
        mono=fm.get(font_name="Consolas", font_color="#595959"),
        wrap=fm.get(text_wrap=True, valign="top"),
        bold=fm.get(bold=True),
    )


def _headers(lang: Lang) -> list[str]:
    inputs = [phrase("tpl_fx_input", lang, n=k) for k in range(1, 6)]
    return [
        word("tpl_fx_function", lang),
        word("tpl_fx_description", lang),
        "",
        *inputs,
        *(word(f"tpl_fx_{k}", lang) for k in ("live", "formula", "expected", "check")),
    ]


def _write_heading(ws: Worksheet, lang: Lang, looks: _Looks) -> None:
    ws.write_string(0, 0, word("tpl_fx_title", lang), looks.title)
    ws.write_string(1, 0, word("tpl_fx_intro", lang))
    for j, (h, w) in enumerate(zip(_headers(lang), _WIDTHS, strict=True)):
        ws.set_column(j, j, w)
        ws.write_string(3, j, h, looks.head)


def _write_sample_data(ws: Worksheet, lang: Lang, looks: _Looks) -> dict[str, str]:
    """The list inputs below the samples, one list per row from the first input column; name → absolute range."""
    ws.set_column(len(_WIDTHS), PRINT_COLUMNS - 1, 9)
    ws.write_string(_DATA_FIRST, 0, word("tpl_fx_sample_data", lang), looks.head)
    for k in range(1, PRINT_COLUMNS):
        ws.write_blank(_DATA_FIRST, k, None, looks.head)
    ranges: dict[str, str] = {}
    for i, (key, values) in enumerate(SAMPLE_DATA.items()):
        r = _DATA_FIRST + 1 + i
        ws.write_string(r, 0, word(f"tpl_fx_sample_{key}", lang), looks.bold)
        for k, v in enumerate(values):
            ws.write_number(r, _DATA_COL + k, v)
        first, last = col_letter(_DATA_COL), col_letter(_DATA_COL + len(values) - 1)
        ranges[key] = f"${first}${r + 1}:${last}${r + 1}"
    return ranges


def _expected(call: Callable[[Any], Any]) -> Any:
    """The sample's value from jxc_xl.core.invmath, or None when it is not available."""
    try:
        from jxc_xl.core import invmath

        v = call(invmath)
    except Exception:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, np.ndarray):
        v = v.reshape(-1)[0].item()
    return round(v, 6) if isinstance(v, float) else v


def _formula(ws: Worksheet, r: int, s: Sample, ranges: dict[str, str]) -> str:
    """Writes the scalar inputs of row ``r``; returns the formula over them and the sample ranges, as a user
    would type it (the live cell wraps it in IFERROR)."""
    args = []
    for k, v in enumerate(s.inputs):
        if isinstance(v, str):
            ws.write_string(r, 3 + k, v)
        else:
            ws.write_number(r, 3 + k, v)
        args.append(f"{col_letter(3 + k)}{r + 1}")
    rng = [ranges[n] for n in s.ranges]
    args = rng + args if s.ranges_first else args + rng
    call = f"JXC.{s.fn}({','.join(args)})"
    return f"=INDEX({call},{s.pick})" if s.pick is not None else f"={call}"


def _write_sample(ws: Worksheet, r: int, s: Sample, ranges: dict[str, str], lang: Lang, looks: _Looks) -> None:
    row = r + 1
    ws.write_string(r, 0, f"JXC.{s.fn}", looks.bold)
    ws.write_string(r, 1, word(f"tpl_fx_{s.fn.lower()}", lang), looks.wrap)
    formula = _formula(ws, r, s, ranges)
    needs = word("tpl_fx_needs_addin", lang)
    # Without the add-in the call is #NAME?: the cell says what is missing instead (cached so until recalculated).
    ws.write_formula(r, 8, f'=IFERROR({formula.removeprefix("=")},"{needs}")', looks.live, needs)
    ws.write_string(r, 9, formula, looks.mono)
    value = _expected(s.call)
    if value is None:
        ws.write_string(r, 10, word("tpl_fx_not_computed", lang))
    elif isinstance(value, str):
        ws.write_string(r, 10, value)
    else:
        ws.write_number(r, 10, value, looks.expect)
    # Outside JXC.*: plain functions that LibreOffice and every Excel compute, errors caught.
    not_loaded = word("tpl_fx_not_loaded", lang)
    check = (
        f'=IFERROR(IF(I{row}="{needs}","{not_loaded}",IF(ISNUMBER(K{row}),'
        f'IF(ABS(I{row}-K{row})<=0.0001*MAX(1,ABS(K{row})),"OK","≠"),IF(I{row}=K{row},"OK","≠"))),"{not_loaded}")'
    )
    ws.write_formula(r, 11, check, None, not_loaded)


def write_formulas(ws: Worksheet, lang: Lang, fm: Formats) -> None:
    """One row per JXC.* function: inputs, the live formula, its text, the Python value and a check."""
    looks = _looks(fm)
    _write_heading(ws, lang, looks)
    ranges = _write_sample_data(ws, lang, looks)
    for i, s in enumerate(SAMPLES):
        _write_sample(ws, _FIRST + i, s, ranges, lang, looks)
    ws.freeze_panes(4, 1)


def formulas_widths() -> list[float]:
    """The widths of the sheet's printed columns."""
    return [*_WIDTHS, *([9] * (PRINT_COLUMNS - len(_WIDTHS)))]
