"""The result of validating workbooks: one ``FileResult`` per workbook, one ``Report`` per batch.

Only what is reported lives here; what the chain checks across months need while they run is
``core.chains.MonthFacts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jxc_xl.core.findings import Finding
from jxc_xl.schema import DEFAULT_LANG, TABLES, Lang

SEVERITY_ORDER = {"error": 0, "warning": 1}
SHEET_ORDER = {s: i for i, t in enumerate(TABLES) for s in (t.zh_sheet, t.en_sheet)}  # findings in workbook order


@dataclass(frozen=True)
class Stats:
    """What checking one workbook measured (its error and warning counts are ``FileResult``'s, from its findings).

    Attributes:
        rows: data rows per input table found, by table name (empty when the file could not be read).
        elapsed_s: seconds spent reading and checking it, to the millisecond.
    """

    rows: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0


@dataclass
class FileResult:
    """The findings of one workbook.

    Attributes:
        path: the workbook as it was named.
        findings: every finding, the chain checks' included.
        period, company: from its settings (None when unreadable or not set).
        stats: rows per input table and the time taken (None until it has been checked); the JSON ``stats``
            adds the errors and warnings.
        lang: the workbook's own language, "zh" or "en", as told by its sheet names and headers (not the
            language of the messages, which the caller chooses). Nothing here reads it; it is there for callers.
    """

    path: Path
    findings: list[Finding] = field(default_factory=list)
    period: str | None = None
    company: str | None = None
    stats: Stats | None = None
    lang: Lang = "zh"

    @property
    def errors(self) -> int:
        """Findings of severity error."""
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        """Findings of severity warning."""
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def valid(self) -> bool:
        """No errors (warnings allowed)."""
        return self.errors == 0


@dataclass
class Report:
    """The one result of a batch: its files (in the order they were named) and their summary."""

    files: list[FileResult]

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    @property
    def valid(self) -> int:
        return sum(f.valid for f in self.files)

    @property
    def lang(self) -> Lang:
        """The language its workbooks share (DEFAULT_LANG when they differ or none could be read)."""
        return common_lang(self.files)

    def summary(self) -> dict[str, int]:
        """Counts of files, valid files, errors and warnings (the JSON ``summary``)."""
        return {"files": len(self.files), "valid": self.valid, "errors": self.errors, "warnings": self.warnings}


def common_lang(results: Sequence[FileResult]) -> Lang:
    """The language the readable workbooks share; DEFAULT_LANG when they differ or none could be read."""
    langs = {r.lang for r in results if r.stats is not None and r.stats.rows}
    return langs.pop() if len(langs) == 1 else DEFAULT_LANG


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by sheet, row and column as they appear."""
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, 2),
            SHEET_ORDER.get(f.sheet or "", 99),
            f.sheet or "",
            f.row or 0,
            f.cell or "",
        ),
    )
