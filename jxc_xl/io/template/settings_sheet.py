"""The settings sheet: one row per setting of the contract with its label, value, note and per-row rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.messages import phrase
from jxc_xl.errors import UsageError
from jxc_xl.io.template.cells import is_blank
from jxc_xl.io.template.styles import NUM_FORMATS, Formats, column_width
from jxc_xl.io.template.tables import choose_rule, clip, period_rule, schema_doc, write_table
from jxc_xl.schema import SETTINGS, SETTINGS_BY_KEY, SETTINGS_TABLE, ColType, Lang, SettingDef


def setting_rows(lang: Lang, period: str | None, overrides: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The defaults with ``period`` and ``overrides`` applied; choices shown as labels of ``lang``."""
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    values["period"] = period
    for k, v in (overrides or {}).items():
        if k not in SETTINGS_BY_KEY:
            raise UsageError.said("io_unknown_setting", setting=repr(k), settings=", ".join(SETTINGS_BY_KEY))
        values[k] = v
    rows = []
    for s in SETTINGS:
        v = values[s.key]
        if s.choices and not is_blank(v):
            ch = s.choice_for(("yes" if v else "no") if isinstance(v, bool) else v)
            v = ch.label(lang) if ch else v
        rows.append({"key": s.label(lang), "value": v, "note": schema_doc(s, lang)})
    return rows


def write_settings_sheet(
    ws: Worksheet,
    lang: Lang,
    fm: Formats,
    *,
    period: str | None,
    settings: Mapping[str, Any] | None,
    rows: pd.DataFrame | None,
    plain: bool,
) -> None:
    """tblSettings: the generated rows (typed value cells, per-row rules), or ``rows`` as given (for tests)."""
    t = SETTINGS_TABLE
    if rows is not None:
        write_table(ws, t, rows, lang, fm, plain=plain)
    else:
        df = pd.DataFrame(setting_rows(lang, period, settings))
        money = fm.get(num_format=NUM_FORMATS[ColType.MONEY], align="left")
        left = fm.get(align="left")
        text = fm.get(num_format="@", align="left")  # a typed 2026-12 must stay text, not a date
        cell_fmts = [money if s.type == ColType.MONEY else text if s.type == ColType.PERIOD else left for s in SETTINGS]
        write_table(ws, t, df, lang, fm, plain=plain, cell_formats=cell_fmts)
        setting_validations(ws, lang, len(SETTINGS))
    ws.set_column(2, 2, column_width(t.column("note"), lang), fm.get(text_wrap=False))


def setting_validations(ws: Worksheet, lang: Lang, rows: int) -> None:
    """Per-row rules on tblSettings' value cells (column B), for the rows of schema.SETTINGS."""
    for i, s in enumerate(SETTINGS[:rows]):
        r = i + 1
        title = clip(s.label(lang), 32)
        base = {"input_title": title, "input_message": clip(schema_doc(s, lang), 255), "error_title": title}
        opts: dict[str, Any]
        if s.choices:
            opts = choose_rule([c.label(lang) for c in s.choices], lang)
        elif s.type == ColType.PERIOD:
            opts = period_rule(lang)
        elif s.type in (ColType.NUMBER, ColType.MONEY):
            opts = range_rule(s, lang)
        else:
            opts = {"validate": "any"}
        ws.data_validation(r, 1, r, 1, {**base, **opts})


def range_rule(s: SettingDef, lang: Lang) -> dict[str, Any]:
    """A decimal between the setting's bounds; the message states what is allowed."""
    lo = s.gt if s.gt is not None else s.ge
    hi = s.lt if s.lt is not None else s.le
    msg = phrase("tpl_dv_allowed", lang, allowed=s.allowed(lang))
    if lo is not None and hi is not None:
        return {"validate": "decimal", "criteria": "between", "minimum": lo, "maximum": hi, "error_message": msg}
    if lo is not None:
        return {"validate": "decimal", "criteria": ">" if s.gt is not None else ">=", "value": lo, "error_message": msg}
    return {"validate": "decimal", "criteria": "between", "minimum": -1e300, "maximum": 1e300, "error_message": msg}
