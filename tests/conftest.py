"""Shared fixtures: the LibreOffice recalculation harness (tests/libreoffice.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from tests.libreoffice import recalc, require_soffice

# No per-example deadline (workbook round trips vary with machine load); in CI the examples are derived
# from the test itself, so a run is reproducible and a failure can be replayed exactly.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def lo_recalc(tmp_path: Path) -> Callable[[Path], Path]:
    """``lo_recalc(xlsx) -> recalculated xlsx``: skips without LibreOffice (fails when CI=true)."""
    require_soffice()
    counter = iter(range(1_000_000))

    def run(path: Path) -> Path:
        return recalc(path, tmp_path / f"lo-recalc-{next(counter)}")

    return run
