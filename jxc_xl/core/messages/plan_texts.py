"""Texts of the purchase plan and its settings (as_of, max_cover_days)."""

from __future__ import annotations

PLAN_TEXTS: dict[str, tuple[str, str]] = {
    # settings-invalid {why} of a date setting (as_of)
    "why_date": ("不是日期（如 2026-11-03）", "not a date (e.g. 2026-11-03)"),
}
