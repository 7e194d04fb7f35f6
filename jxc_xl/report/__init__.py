"""The validate report: one ``Report`` per batch (``result``) and one module per output format over it —
``jsondoc`` (the JSON contract), ``terminal`` (rich tables) and ``xlsx`` (a findings workbook with links)."""

from __future__ import annotations

from jxc_xl.report.result import FileResult, Report, Stats

__all__ = ["FileResult", "Report", "Stats"]
