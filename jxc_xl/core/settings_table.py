"""The settings table → typed Settings, where each setting was found, and settings-invalid findings.

Three steps: each row's raw value is parsed by its setting's type (``_typed_value``), the values are checked
against each other (abc_b ≥ abc_a), and the survivors build the pydantic ``Settings`` model, whose own rules
catch anything the per-row checks did not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from jxc_xl.core.book import ROW, SettingCell, TableData
from jxc_xl.core.cell_values import NUMERIC, is_blank, parse_date, parse_number, parse_period, text_of
from jxc_xl.core.findings import Finding
from jxc_xl.core.messages import json_value, make_finding, word
from jxc_xl.schema import (
    SETTINGS,
    SETTINGS_TABLE,
    ColType,
    Lang,
    SettingDef,
    Settings,
    age_bounds,
    normalise_header,
)

__all__ = ["read_settings"]


def _setting_key(text: Any) -> str:
    """A setting label as compared: header rules, and "Service level" = "service_level"."""
    return normalise_header(str(text).replace("_", " "))


_SETTING_LOOKUP: dict[str, SettingDef] = {_setting_key(lbl): s for s in SETTINGS for lbl in (s.key, s.zh, s.en)}
_SETTING_DEFS: dict[str, SettingDef] = {s.key: s for s in SETTINGS}


class _Parsed(NamedTuple):
    """One setting's raw value parsed by its type: the typed value, or why it is invalid."""

    value: Any
    why: str | None = None  # a why_* word of the message catalog when the value is invalid


def _in_range(sd: SettingDef, x: float) -> bool:
    return not (
        (sd.gt is not None and not x > sd.gt)
        or (sd.ge is not None and not x >= sd.ge)
        or (sd.lt is not None and not x < sd.lt)
        or (sd.le is not None and not x <= sd.le)
    )


def _typed_value(sd: SettingDef, raw: Any) -> _Parsed:
    """A non-blank raw value as its setting's type (a choice's key, "YYYY-MM", a number in range, text)."""
    if sd.type == ColType.CHOICE:
        ch = sd.choice_for(raw) if not isinstance(raw, bool) else sd.choice_for("yes" if raw else "no")
        if ch is None:
            return _Parsed(None, "why_choice")
        return _Parsed((ch.key == "yes") if sd.key == "allow_negative" else ch.key)
    if sd.type == ColType.PERIOD:
        p = parse_period(raw)
        return _Parsed(None, "why_period") if p is None else _Parsed(p)
    if sd.type == ColType.DATE:
        day = parse_date(raw)
        return _Parsed(None, "why_date") if np.isnat(day) else _Parsed(day.astype(object))
    if sd.type in NUMERIC:
        x = parse_number(raw)
        if math.isnan(x):
            return _Parsed(None, "why_number")
        return _Parsed(x) if _in_range(sd, x) else _Parsed(None, "why_range")
    return _Parsed(text_of(raw) or "")


@dataclass
class _SettingsRead:
    """What reading the settings table has found so far."""

    sheet: str
    msg_lang: Lang
    values: dict[str, Any] = field(default_factory=dict)  # setting key → typed value
    cells: dict[str, SettingCell] = field(default_factory=dict)  # setting key → where it was found
    findings: list[Finding] = field(default_factory=list)

    def invalid(
        self, sd: SettingDef, raw: Any, row: int | None, cell: str | None, why: str, allowed: str | None = None
    ) -> None:
        """settings-invalid of one value; ``why``: a why_* word of the message catalog; ``allowed``: a word of it
        saying what is allowed (default: the setting's type or range)."""
        self.findings.append(
            make_finding(
                "settings-invalid",
                self.msg_lang,
                sheet=self.sheet,
                row=row,
                column="value",
                cell=cell,
                value=raw,
                key=sd.label(self.msg_lang),
                why=word(why, self.msg_lang),
                allowed=word(allowed, self.msg_lang) if allowed else sd.allowed(self.msg_lang),
            )
        )

    def about_table(self, message_code: str, **params: Any) -> None:
        """settings-invalid about the table rather than one value: the catalog variant ``message_code``."""
        self.findings.append(
            make_finding("settings-invalid", self.msg_lang, sheet=self.sheet, message_code=message_code, **params)
        )

    def read_row(self, td: TableData, key_text: Any, r: int, raw: Any) -> None:
        """One row of the table: unknown keys are user notes; a repeated key: the first counts."""
        if key_text is None:
            return
        sd = _SETTING_LOOKUP.get(_setting_key(key_text))
        if sd is None or sd.key in self.cells:
            return
        cell = td.cell("value", r)
        self.cells[sd.key] = SettingCell(sheet=self.sheet, row=r, cell=cell or "", raw=json_value(raw))
        if is_blank(raw):
            if sd.required:
                self.invalid(sd, raw, r, cell, "why_blank")
            return
        parsed = _typed_value(sd, raw)
        if parsed.why is not None:
            self.invalid(sd, raw, r, cell, parsed.why)
        else:
            self.values[sd.key] = parsed.value

    def check_abc(self) -> None:
        """abc_b below abc_a: reported on abc_b, which is dropped (its default applies)."""
        if "abc_a" in self.values and "abc_b" in self.values and self.values["abc_b"] < self.values["abc_a"]:
            sc = self.cells["abc_b"]
            self.invalid(_SETTING_DEFS["abc_b"], sc.raw, sc.row, sc.cell, "why_abc_b")
            del self.values["abc_b"]

    def check_ageing(self) -> None:
        """ageing_buckets that are not 1 to 4 increasing positive whole numbers: reported, dropped (its default
        applies)."""
        if "ageing_buckets" in self.values and age_bounds(self.values["ageing_buckets"]) is None:
            sc = self.cells["ageing_buckets"]
            sd = _SETTING_DEFS["ageing_buckets"]
            self.invalid(sd, sc.raw, sc.row, sc.cell, "why_ageing_buckets", "allowed_ageing_buckets")
            del self.values["ageing_buckets"]

    def settings(self) -> Settings | None:
        """The typed model, or None (with a finding) when the period is missing or the model rejects a value."""
        if "period" not in self.values:
            if "period" not in self.cells:  # no row at all (a row with a bad/blank value was reported above)
                key = _SETTING_DEFS["period"].label(self.msg_lang)
                self.about_table("settings-invalid-no-period", column="key", key=key)
            return None
        try:
            return Settings(**self.values)
        except Exception as e:  # pydantic ValidationError: a rule the per-row checks above did not catch
            self.about_table("settings-invalid-reason", reason=str(e))
            return None


def read_settings(
    td: TableData, raw_values: Sequence[Any] | np.ndarray | None, msg_lang: Lang
) -> tuple[Settings | None, dict[str, SettingCell], list[Finding]]:
    """Settings from the settings table: its typed frame ``td`` and the raw value cells of its rows.

    Args:
        td: the settings table as read (its value column holds the cells as text).
        raw_values: the value column's raw cells aligned with ``td.df``; None when the table has no value
            column. Unknown keys are user notes; a repeated key: the first counts.
        msg_lang: the language of the findings.

    Returns:
        (Settings or None when the period is unusable, where each setting was found, settings-invalid
        findings).
    """
    read = _SettingsRead(td.sheet or SETTINGS_TABLE.sheet(msg_lang), msg_lang)
    df = td.df
    raws = [None] * len(df) if raw_values is None else list(raw_values)
    for key_text, r, raw in zip(df["key"].tolist(), df[ROW].tolist(), raws, strict=True):
        read.read_row(td, key_text, r, raw)
    read.check_abc()
    read.check_ageing()
    return read.settings(), read.cells, read.findings
