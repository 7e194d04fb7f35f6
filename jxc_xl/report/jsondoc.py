"""The report as the contract's JSON object."""

from __future__ import annotations

from typing import Any

from jxc_xl.report.result import FileResult, Report


def report_json(report: Report) -> dict[str, Any]:
    """The contract's JSON object.

    Args:
        report: the batch's result.

    Returns:
        ``{"files": [{path, period, valid, findings, stats}], "summary": {files, valid, errors, warnings}}``,
        serialisable by ``json.dumps`` as is.
    """
    return {
        "files": [
            {
                "path": str(r.path),
                "period": r.period,
                "valid": r.valid,
                "findings": [f.model_dump(mode="json") for f in r.findings],
                "stats": stats_json(r),
            }
            for r in report.files
        ],
        "summary": report.summary(),
    }


def stats_json(r: FileResult) -> dict[str, Any]:
    """One file's JSON ``stats``: ``{rows, errors, warnings, elapsed_s}`` in that order (``{}`` before it is
    checked); the counts are the file's findings' as they stand, the chain checks' included."""
    if r.stats is None:
        return {}
    return {"rows": r.stats.rows, "errors": r.errors, "warnings": r.warnings, "elapsed_s": r.stats.elapsed_s}
