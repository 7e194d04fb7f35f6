"""Accounting periods as 'YYYY-MM' text: the one home of month arithmetic."""

from __future__ import annotations

import re
from datetime import date

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_period(text: str) -> bool:
    """Whether ``text`` is a period: YYYY-MM with a month 01-12."""
    return PERIOD_RE.match(text) is not None


def year_month(period: str) -> tuple[int, int]:
    """The year and month (1-12) of a period."""
    return int(period[:4]), int(period[5:7])


def shift_period(period: str, months: int) -> str:
    """``period`` moved by ``months`` (negative: back): shift_period('2026-01', -1) == '2025-12'."""
    y, m = year_month(period)
    n = y * 12 + (m - 1) + months
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def next_period(period: str) -> str:
    return shift_period(period, 1)


def previous_period(period: str) -> str:
    return shift_period(period, -1)


def periods_before(period: str, n: int) -> list[str]:
    """The ``n`` periods before ``period``, oldest first."""
    return [shift_period(period, -k) for k in range(n, 0, -1)]


def period_first_day(period: str) -> date:
    return date(*year_month(period), 1)


def period_last_day(period: str) -> date:
    y, m = year_month(period)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)
