"""The report as the contract's JSON object."""

from __future__ import annotations

from typing import Any

from jxc_xl.report.result import Report


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
                "stats": r.stats,
            }
            for r in report.files
        ],
        "summary": report.summary(),
    }
