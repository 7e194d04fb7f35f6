"""The report in the terminal: a rich table of findings per workbook and a summary line.

Rich reads square brackets as markup, so every piece of user or message text (a message quoting
"[settings-invalid]", a SKU "[A1]", a file "[x].xlsx") goes through ``rich.markup.escape``; only our own
styling stays markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from jxc_xl.core.findings import Finding
from jxc_xl.core.messages import phrase, word
from jxc_xl.report.grouping import FindingGroup, group_findings
from jxc_xl.report.result import Report
from jxc_xl.schema import Lang

TERMINAL_ROWS = 200  # lines of findings shown per workbook in the terminal; the JSON and xlsx report carry all


def _findings_table(groups: list[FindingGroup], lang: Lang) -> RichTable:
    t = RichTable(show_lines=False, expand=True)
    t.add_column(word("report_cell", lang), no_wrap=True)
    t.add_column(word("report_code", lang), no_wrap=True)
    t.add_column(word("report_message", lang), overflow="fold", ratio=1)
    for g in groups:
        f = g.first
        style = "red" if f.severity == "error" else "yellow"
        where = "!".join(x for x in (f.sheet, f.cell or (str(f.row) if f.row else None)) if x)
        note = g.note(lang)
        message = escape(f.message) + (f"\n[dim]{escape(note)}[/]" if note else "")
        t.add_row(escape(where), f"[{style}]{escape(f.code)}[/]", message)
    return t


def render_findings(findings: list[Finding], console: Console, lang: Lang = "zh") -> None:
    """Findings of one workbook as a table, errors first (also used when sync or close refuses).

    Args:
        findings: the workbook's findings; alike ones are one line (``report.grouping``), the first
            ``TERMINAL_ROWS`` lines are shown, then how many findings more.
        console: where to print.
        lang: the language of the column heads.
    """
    groups = group_findings(findings)
    console.print(_findings_table(groups[:TERMINAL_ROWS], lang))
    if len(groups) > TERMINAL_ROWS:
        console.print(phrase("report_more", lang, n=sum(g.count for g in groups[TERMINAL_ROWS:])))


def render_terminal(report: Report, console: Console, lang: Lang = "zh") -> None:
    """A table of findings per workbook (workbooks with errors first) and a summary line.

    Args:
        report: the batch's result.
        console: where to print.
        lang: the language of the labels.
    """
    errors, warnings = word("report_errors", lang), word("report_warnings", lang)
    for r in sorted(report.files, key=lambda r: (r.valid, r.warnings == 0)):
        mark = "[green]✓[/]" if r.valid else "[red]✗[/]"
        head = f"{mark} [bold]{escape(str(r.path))}[/]" + (f"  {escape(r.period)}" if r.period else "")
        counts = f"  {errors} {r.errors}, {warnings} {r.warnings}"
        console.print(head + counts, highlight=False, soft_wrap=True)
        if r.findings:
            render_findings(r.findings, console, lang)
    style = "green" if report.errors == 0 else "red"
    console.print(f"[bold {style}]" + phrase("report_summary", lang, **report.summary()) + "[/]", highlight=False)
