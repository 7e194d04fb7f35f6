"""The message catalog: every user-facing text, zh and en, and the functions that fill it in.

One package, one module per audience: finding messages (``finding_texts``), words used inside them
(``words``), the workbook's own text (``template_texts``), the validate report (``report_texts``), sync,
close and plan texts (``compute_texts``), the command line's own lines (``cli_texts``) and the file-format
adapters' errors (``io_texts``). All but the finding messages share one key space served by ``word()`` and
``phrase()``; keys are prefixed by audience (tpl_, report_, refuse_, sync_, plan_, cli_, io_ …).

Templates use ``str.format`` fields; a field the caller did not give prints as ``?`` instead of raising,
because a message must never turn a data problem into a traceback.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from jxc_xl.core.findings import CODES, Finding, Severity
from jxc_xl.core.messages.cli_texts import CLI_TEXTS
from jxc_xl.core.messages.compute_texts import COMPUTE_TEXTS
from jxc_xl.core.messages.finding_texts import CATALOG
from jxc_xl.core.messages.group_texts import GROUP_TEXTS
from jxc_xl.core.messages.io_texts import IO_TEXTS
from jxc_xl.core.messages.plan_texts import PLAN_TEXTS
from jxc_xl.core.messages.repair_texts import REPAIR_TEXTS
from jxc_xl.core.messages.report_texts import REPORT_LABELS
from jxc_xl.core.messages.summary_texts import SUMMARY_TEXTS
from jxc_xl.core.messages.template_texts import TEMPLATE_WORDS
from jxc_xl.core.messages.words import WORDS as BASE_WORDS
from jxc_xl.schema import Lang

# One key space for word() and phrase() (tests/test_architecture.py checks that no key is defined twice).
TEXT_SECTIONS: tuple[dict[str, tuple[str, str]], ...] = (
    BASE_WORDS,
    TEMPLATE_WORDS,
    REPORT_LABELS,
    COMPUTE_TEXTS,
    CLI_TEXTS,
    IO_TEXTS,
    PLAN_TEXTS,
    GROUP_TEXTS,
    SUMMARY_TEXTS,
    REPAIR_TEXTS,
)
WORDS: dict[str, tuple[str, str]] = {k: v for section in TEXT_SECTIONS for k, v in section.items()}

__all__ = [
    "CATALOG",
    "CLI_TEXTS",
    "COMPUTE_TEXTS",
    "GROUP_TEXTS",
    "IO_TEXTS",
    "PLAN_TEXTS",
    "REPORT_LABELS",
    "TEMPLATE_WORDS",
    "TEXT_SECTIONS",
    "WORDS",
    "json_value",
    "make_finding",
    "message",
    "money_text",
    "phrase",
    "show",
    "word",
]


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def word(key: str, lang: Lang) -> str:
    zh, en = WORDS.get(key, (key, key))
    return zh if lang == "zh" else en


def phrase(key: str, lang: Lang, **params: Any) -> str:
    """A word of WORDS with its ``{fields}`` filled in (missing ones print as ``?``)."""
    try:
        return word(key, lang).format_map(_Lenient({k: show(v) for k, v in params.items()}))
    except (ValueError, IndexError):
        return word(key, lang)


def message(code: str, lang: Lang = "zh", **params: Any) -> str:
    """The message of ``code`` in ``lang`` with ``params`` filled in (missing ones print as ``?``)."""
    zh, en = CATALOG.get(code, ("{code}", "{code}"))
    text = zh if lang == "zh" else en
    shown = _Lenient({k: show(v) for k, v in params.items()})
    shown.setdefault("code", code)
    try:
        return text.format_map(shown)
    except (ValueError, IndexError):  # a stray brace in a template must not raise
        return f"{code}: {params}"


def show(v: Any) -> str:
    """A value as a message shows it: dates as ISO, whole floats without .0, blanks as empty."""
    j = json_value(v)
    if j is None:
        return ""
    if isinstance(j, float):
        return f"{j:.10g}" if abs(j) < 1e15 else repr(j)
    return str(j)


def money_text(x: float) -> str:
    """An amount as the command line prints it: thousands separators and two decimals (1,234.50)."""
    return f"{x:,.2f}"


def json_value(v: Any) -> Any:
    """A cell value as JSON can carry it: str/int/float/bool/None; dates as ISO strings; NaN → None."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(v, pd.Timestamp | datetime):
        if v.hour == v.minute == v.second == 0 and not getattr(v, "microsecond", 0):
            return v.date().isoformat()
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def make_finding(
    code: str,
    lang: Lang = "zh",
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    cell: str | None = None,
    value: Any = None,
    message_code: str | None = None,
    severity: Severity | None = None,
    **params: Any,
) -> Finding:
    """A Finding of ``code`` with its message; ``value``, ``row``, ``sheet`` and ``cell`` are also message fields.

    ``message_code`` picks another template of the catalog for the same finding code (a variant);
    ``severity`` overrides the code's default of CODES (the contract fixes codes, not severities).
    """
    return Finding(
        code=code,
        severity=severity or CODES.get(code, "error"),
        sheet=sheet,
        row=None if row is None else int(row),
        column=column,
        cell=cell,
        value=json_value(value),
        message=message(message_code or code, lang, value=value, row=row, sheet=sheet, cell=cell, **params),
    )
