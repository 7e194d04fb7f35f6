"""Shared fixtures: the LibreOffice recalculation harness (tests/libreoffice.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.libreoffice import recalc, require_soffice


@pytest.fixture
def lo_recalc(tmp_path: Path) -> Callable[[Path], Path]:
    """``lo_recalc(xlsx) -> recalculated xlsx``: skips without LibreOffice (fails when CI=true)."""
    require_soffice()
    counter = iter(range(1_000_000))

    def run(path: Path) -> Path:
        return recalc(path, tmp_path / f"lo-recalc-{next(counter)}")

    return run
