"""Exceptions for a file that cannot be processed at all.

Data problems are never raised: they are collected as findings (see ``jxc_xl.core.findings``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class JxcError(Exception):
    """Base of every jxc-xl error; its message names the file and the fix."""


class NotAWorkbookError(JxcError):
    """The file is missing, not an xlsx package, encrypted or truncated."""


class TableNotFoundError(JxcError):
    """The workbook has no Excel table of the requested name."""


class WorkbookLockedError(JxcError):
    """Excel holds the workbook open (its ~$ lock file is present)."""


class ValidationFailedError(JxcError):
    """The workbook has validation errors, so it is not synced or closed."""

    def __init__(self, message: str, findings: Sequence[Any] = (), lang: str | None = None) -> None:
        super().__init__(message)
        self.findings = list(findings)  # shown to the user before the one-line refusal
        self.lang = lang  # the language of the message and the findings ("zh" or "en"), for their table


class UsageError(JxcError):
    """The command was called with arguments that cannot work."""
