"""``jxc repair``: put back what the template provides and a foreign save lost, without touching a data cell.

A workbook saved by openpyxl loses the 同步 / Sync button; LibreOffice drops the tables' styles; a table
converted to a range, or a month kept by hand, has no Excel Tables, dropdowns or names; lines typed below a
table are outside its range. ``repair_file`` reads the workbook (``io.reader``: where each input table is, its
last line), lets ``io.restore`` put each loss back in the package in memory and reports what it restored; with
``apply`` the package is written like sync writes (atomically, ``NAME.bak.xlsx`` kept). A dry run writes
nothing and lists the same things. A second repair finds nothing to do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jxc_xl.core.book import ROW
from jxc_xl.core.messages import phrase
from jxc_xl.schema import INPUT_TABLES, Lang

if TYPE_CHECKING:
    from jxc_xl.io.package import Parts
    from jxc_xl.io.restore import Restored

__all__ = ["RepairReport", "repair_file"]


@dataclass
class RepairReport:
    """What ``repair_file`` found to restore (``restored``: ``io.restore.Restored`` records) and whether it
    wrote them (``written``: the file written, None on a dry run or when there was nothing to do)."""

    path: Path
    lang: Lang
    restored: list[Restored] = field(default_factory=list)
    written: Path | None = None

    cannot: list[Restored] = field(default_factory=list)  # tables left as they are (a header no Table can have)

    @property
    def nothing_to_do(self) -> bool:
        return not self.restored

    def lines(self, lang: Lang | None = None) -> list[str]:
        """The report as the CLI prints it: a head line, then one line per thing restored (``lang``: default
        the workbook's)."""
        say = lang or self.lang
        if not self.restored:
            lines = [phrase("repair_nothing", say, path=self.path)]
        else:
            head = "repair_done" if self.written else "repair_would"
            lines = [phrase(head, say, path=self.written or self.path, count=len(self.restored))]
        for r in self.restored + self.cannot:
            lines.append("  " + phrase(f"repair_{r.kind}", say, sheet=r.sheet, detail=r.detail, table=r.table))
        return lines


def repair_file(
    path: str | os.PathLike[str],
    *,
    apply: bool = False,
    out: str | os.PathLike[str] | None = None,
    backup: bool = True,
    lang: Lang | None = None,
) -> RepairReport:
    """Find what the template provides and the workbook at ``path`` lost; restore it when ``apply``.

    Args:
        path: the month's workbook.
        apply: write the restored workbook (default: a dry run that writes nothing).
        out: where to write (default: ``path`` itself); leaves ``path`` untouched.
        backup: keep ``NAME.bak.xlsx`` when writing in place.
        lang: the report's language (default: the workbook's).

    Returns:
        The RepairReport: each thing restored (or that would be) and the file written.

    Raises:
        UsageError: ``path`` names no file, or ``out`` is a folder or not named like the input.
        NotAWorkbookError: ``path`` is not a readable workbook.
        TableNotFoundError: a table's sheet has a header row that cannot head an Excel Table.
        WorkbookLockedError: Excel holds the workbook open (``apply``).
        JxcError: the folder cannot be written.
    """
    from jxc_xl.io.addtables import SheetLook
    from jxc_xl.io.reader import read_workbook
    from jxc_xl.io.restore import InputRange, restore
    from jxc_xl.io.xlsxpatch import check_tables, edit_package
    from jxc_xl.sync import _require_input, _require_output

    path = Path(path)
    dst = Path(out) if out else path
    _require_input(path)
    if out is not None:
        _require_output(dst, path, lang or "en")
    wb = read_workbook(path, msg_lang=lang, generated=False)
    settings = wb.settings
    company = (settings.company or None) if settings else None
    look = SheetLook(
        wb.lang, settings.period if settings else None, company, frozenset(n for n, t in wb.tables.items() if t.present)
    )
    ranges = []
    for t in INPUT_TABLES:
        data = wb.tables.get(t.name)
        if data is None or not data.present or data.sheet is None:
            continue
        rows = data.df[ROW].dropna() if ROW in data.df.columns else None
        last = int(rows.max()) if rows is not None and len(rows) else data.header_row
        ranges.append(InputRange(t.name, data.sheet, data.header_row, last, dict(data.col_letters)))

    def edit(parts: Parts) -> list[Restored]:
        check_tables(parts, path)  # a damaged table part is refused as sync refuses it
        return restore(parts, path, ranges, look)

    found = edit_package(path, dst, edit, backup=False, write=False)
    restored = [r for r in found if not r.kind.startswith("cannot")]
    report = RepairReport(path, wb.lang, restored, cannot=[r for r in found if r.kind.startswith("cannot")])
    if apply and restored:
        edit_package(path, dst, edit, backup=backup and dst == path)
        report.written = dst
    return report
