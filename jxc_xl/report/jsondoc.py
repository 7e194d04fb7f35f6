"""The report as the contract's JSON object.

Every text in it is valid Unicode: a file name that is not UTF-8 (Linux allows any bytes in names) has each
byte that is not UTF-8 written as a backslash escape, ``\\xff`` — the form Python's ``backslashreplace``
gives — in ``path``, in a finding's ``value`` and in its ``message``.
"""

from __future__ import annotations

import os
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
    doc = {
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
    return text_safe(doc)


def text_safe(x: Any) -> Any:
    """``x`` with every string made valid Unicode: the undecodable bytes of a file name (kept by Python as lone
    surrogates) become backslash escapes such as ``\\xff``."""
    if isinstance(x, str):
        try:
            x.encode("utf-8")
        except UnicodeEncodeError:
            return os.fsencode(x).decode("utf-8", "backslashreplace") if _fs_decodable(x) else _escape(x)
        return x
    if isinstance(x, dict):
        return {k: text_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [text_safe(v) for v in x]
    return x


def _fs_decodable(s: str) -> bool:
    try:
        os.fsencode(s)
        return True
    except UnicodeEncodeError:
        return False


def _escape(s: str) -> str:
    return s.encode("utf-8", "backslashreplace").decode("utf-8")


def stats_json(r: FileResult) -> dict[str, Any]:
    """One file's JSON ``stats``: ``{rows, errors, warnings, elapsed_s}`` in that order (``{}`` before it is
    checked); the counts are the file's findings' as they stand, the chain checks' included."""
    if r.stats is None:
        return {}
    return {"rows": r.stats.rows, "errors": r.errors, "warnings": r.warnings, "elapsed_s": r.stats.elapsed_s}
