"""Refuse unless --force: the one decision whether a workbook may be computed and written.

Sync of a file (``jxc_xl.sync.sync_file``), close (``close_month``) and the Excel sync button
(``jxc_xl.excel.sync_book``) all refuse alike: never without usable settings (no period, nothing to compute),
and not while validation finds errors unless forced. They differ only in how they name the place and the verb,
and in whether the message lists the erroneous cells (the Excel button has no other way to show them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jxc_xl.core.book import Workbook
from jxc_xl.core.findings import Finding
from jxc_xl.core.messages import phrase
from jxc_xl.errors import ValidationFailedError
from jxc_xl.schema import Lang, Settings

_LISTED = 15  # erroneous cells named in a listing message
_SETTINGS_SHOWN = 5  # settings findings named when there is no period


@dataclass(frozen=True)
class Caller:
    """How the caller names what is refused.

    place: the file's path, or the open book's name (``book=True``).
    verb: what is refused.
    offers_force: whether the caller has --force (the message then names it).
    list_errors: name the erroneous cells in the message (the caller shows no findings otherwise).
    """

    place: str
    verb: Literal["sync", "close", "plan"]
    book: bool = False
    offers_force: bool = False
    list_errors: bool = False

    def name(self, lang: Lang) -> str:
        return (
            phrase("refuse_book", lang, name=self.place) if self.book else phrase("refuse_file", lang, path=self.place)
        )


def errors_of(findings: list[Finding]) -> list[Finding]:
    """The findings of severity error (those that refuse a sync)."""
    return [f for f in findings if f.severity == "error"]


def _cells(findings: list[Finding], sep: str, limit: int) -> str:
    return sep.join(f"{f.sheet or ''}!{f.cell or f.row or ''} [{f.code}] {f.message}" for f in findings[:limit])


def require_computable(
    wb: Workbook, findings: list[Finding], *, force: bool, caller: Caller, lang: Lang | None = None
) -> Settings:
    """The workbook's settings, or ``ValidationFailedError`` when it must not be computed.

    Args:
        wb: the workbook read.
        findings: its validation findings (``core.rules.all_findings``).
        force: write despite validation errors (never despite unusable settings).
        caller: how the message names the place and the verb.
        lang: language of the message; default the workbook's.

    Returns:
        The usable settings (so the caller's type says they are there).
    """
    lang = lang or wb.lang
    where = caller.name(lang)
    if wb.settings is None:
        bad = [f for f in findings if f.code in ("settings-invalid", "table-missing")]
        detail = _cells(bad, "; ", _SETTINGS_SHOWN)
        raise ValidationFailedError(
            phrase("refuse_no_period", lang, place=where, detail=detail).strip(), findings=findings, lang=lang
        )
    errors = errors_of(findings)
    if errors and not force:
        listing = ""
        if caller.list_errors:
            listing = "\n  " + _cells(errors, "\n  ", _LISTED)
            if len(errors) > _LISTED:
                listing += phrase("refuse_more", lang, count=len(errors) - _LISTED)
        fix = (
            "refuse_fix_cells" if caller.list_errors else ("refuse_fix_force" if caller.offers_force else "refuse_fix")
        )
        raise ValidationFailedError(
            phrase(
                "refuse_errors",
                lang,
                place=where,
                count=len(errors),
                verb=phrase(f"refuse_verb_{caller.verb}", lang),
                fix=phrase(fix, lang, path=caller.place),
                listing=listing,
            ),
            findings=findings,
            lang=lang,
        )
    return wb.settings
