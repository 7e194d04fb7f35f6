"""Exceptions for a file that cannot be processed at all.

Data problems are never raised: they are collected as findings (see ``jxc_xl.core.findings``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self


class JxcError(Exception):
    """Base of every jxc-xl error; its message names the file and the fix.

    An error raised with ``said(key, **params)`` also keeps its catalog key: its ``str()`` is the English
    text (the library's callers do not choose a language), ``in_lang(lang)`` the same message in ``lang``
    (the CLI shows it in the language of --lang).
    """

    key: str | None = None
    params: dict[str, Any] | None = None
    lang: str | None = None  # the language of the workbook it is about, where known (the CLI's default for it)

    @classmethod
    def said(cls, key: str, **params: Any) -> Self:
        """The error whose message is the catalog's ``key`` (core.messages) with ``params``, in English."""
        from jxc_xl.core.messages import phrase  # the catalog loads pandas: only when an error is raised

        err = cls(phrase(key, "en", **params))
        err.key, err.params = key, params
        return err

    @classmethod
    def from_error(cls, other: JxcError) -> Self:
        """This kind of error with ``other``'s message (and its catalog key, if any)."""
        err = cls(str(other))
        err.key, err.params = other.key, other.params
        return err

    def in_lang(self, lang: str) -> str:
        """The message in ``lang`` ("zh" or "en") where it came from the catalog, else as raised."""
        if self.key is None or lang not in ("zh", "en"):
            return str(self)
        from jxc_xl.core.messages import phrase

        return phrase(self.key, lang, **(self.params or {}))  # type: ignore[arg-type]


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
