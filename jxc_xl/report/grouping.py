"""Findings alike, told once: one line per (severity, code, sheet, column, value) with its count and first rows.

One duplicated item code can make 75 identical unknown-sku errors; the terminal and the xlsx report show
them as one line (the JSON keeps every finding). Columns are named by their header in the workbook's
language, as the user sees them, never by their key.
"""

from __future__ import annotations

from dataclasses import dataclass

from jxc_xl.core.findings import Finding
from jxc_xl.core.messages import phrase
from jxc_xl.report.result import sorted_findings
from jxc_xl.schema import TABLES, Lang, Table

ROWS_SHOWN = 5  # rows named on a grouped line
_BY_SHEET: dict[str, Table] = {s: t for t in TABLES for s in (t.zh_sheet, t.en_sheet)}


@dataclass(frozen=True)
class FindingGroup:
    """Findings that differ only in their row: the first stands for all."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def count(self) -> int:
        return len(self.findings)

    def rows(self) -> list[int]:
        """The rows of the group, in order, each once."""
        return sorted({f.row for f in self.findings if f.row is not None})

    def rows_text(self) -> str:
        rows = self.rows()
        shown = ", ".join(map(str, rows[:ROWS_SHOWN]))
        return shown + (" …" if len(rows) > ROWS_SHOWN else "")

    def note(self, lang: Lang) -> str:
        """'75 alike, rows 5, 9, 12 …' for a group of more than one, else ''."""
        return phrase("report_alike", lang, n=self.count, rows=self.rows_text()) if self.count > 1 else ""


def _key(f: Finding) -> tuple[object, ...]:
    return (f.severity, f.code, f.sheet, f.column, repr(f.value))


def group_findings(findings: list[Finding]) -> list[FindingGroup]:
    """The findings in report order (``sorted_findings``), alike ones grouped at the place of the first."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for f in sorted_findings(findings):
        groups.setdefault(_key(f), []).append(f)
    return [FindingGroup(tuple(g)) for g in groups.values()]


def column_label(f: Finding, lang: Lang) -> str:
    """The finding's column as its header in ``lang`` (the key when the sheet or column is not the contract's)."""
    table = _BY_SHEET.get(f.sheet or "")
    if f.column is None:
        return ""
    if table is None or f.column not in table.keys():
        return f.column
    return table.column(f.column).header(lang)
