"""A seeded, realistic month of a small trading company: the data behind ``jxc demo`` and the benchmarks.

Pure data (``generate_month``) plus ``write_demo`` that writes it with the template builder. Demand is long
tailed (lognormal line rates, a zero-inflated intermittent tail, weekday seasonality); stock follows a
simple (s, S) reorder policy simulated day by day (vectorised over SKUs), so stock never goes negative in
the contract's event order; returns reference real original lines; a mid-month count has small
differences; a few other issues (报损, 领用, 样品) of items not counted; some documents carry VAT (``demo.vat``).
Everything is vectorised: 500,000 lines over 10,000 SKUs take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jxc_xl.core.messages import phrase, word
from jxc_xl.core.periods import is_period
from jxc_xl.demo.catalog import draw_demand, draw_items, history_table, items_table, month_calendar
from jxc_xl.demo.movements import (
    counts_table,
    opening_receipt_dates,
    opening_table,
    other_table,
    purchases_table,
    returns_table,
    sales_table,
    simulate_stock,
)
from jxc_xl.demo.vat import with_vat
from jxc_xl.errors import UsageError
from jxc_xl.schema import COUNTS, HISTORY, ITEMS, LEDGER_TABLES, OPENING, OTHER, PURCHASES, RETURNS, SALES, Lang

if TYPE_CHECKING:
    from jxc_xl.sync import SyncResult

__all__ = ["DemoMonth", "DemoRun", "demo_path", "generate_month", "run_demo", "write_demo"]

DEFAULT_SEED = 20261101
DEFAULT_PERIOD = "2026-11"


@dataclass
class DemoMonth:
    """Settings (setting key → value) and rows per table (table name → frame keyed by column key)."""

    period: str
    settings: dict[str, Any]
    data: dict[str, pd.DataFrame]

    @property
    def n_lines(self) -> int:
        """Ledger lines: purchases, sales, returns and counts."""
        return sum(len(self.data[t.name]) for t in LEDGER_TABLES)


def _settings(period: str, lang: Lang) -> dict[str, Any]:
    """The demo company's settings (its name in the workbook's language)."""
    return {
        "company": word("demo_company", lang),
        "period": period,
        "valuation": "moving_average",
        # One purchase order covers many SKUs of a supplier, so the fixed cost per SKU line is small; the
        # contract's default of 200 would make slow movers' EOQ cover a year or more of demand.
        "order_cost": 30,
    }


def generate_month(
    *,
    seed: int = DEFAULT_SEED,
    period: str = DEFAULT_PERIOD,
    n_skus: int = 320,
    n_lines: int = 6000,
    lang: Lang = "zh",
) -> DemoMonth:
    """A clean, realistic month: no validation finding.

    Args:
        seed: the random seed; the same seed gives the same month.
        period: the month, YYYY-MM.
        n_skus: the number of items.
        n_lines: the approximate ledger line count.
        lang: the language of the company name (the rows are the same in both).

    Returns:
        The month's settings and rows per table.
    """
    if not is_period(period):
        raise ValueError(f"period {period!r} is not YYYY-MM")
    rng = np.random.default_rng(seed)
    cal = month_calendar(period)
    # The steps draw from one generator in this order: reordering them changes every month.
    items = draw_items(rng, n_skus)
    demand = draw_demand(rng, items, cal, n_lines)
    stock = simulate_stock(rng, items, demand, cal.days)
    sales = sales_table(rng, items, demand, stock, cal)
    purchases = purchases_table(rng, items, stock, cal)
    returns, bal = returns_table(rng, items, sales, purchases, stock, cal)
    counts = counts_table(rng, items, bal, n_lines, cal)
    opening = opening_table(rng, items, stock)
    opening = opening_receipt_dates(np.random.default_rng(seed + 12), opening, pd.Timestamp(f"{period}-01"))
    data = {
        ITEMS.name: items_table(rng, items),
        OPENING.name: opening,
        PURCHASES.name: purchases,
        SALES.name: sales,
        RETURNS.name: returns,
        COUNTS.name: counts,
        HISTORY.name: history_table(rng, items, demand, cal),
    }
    data[OTHER.name] = other_table(rng, items, bal, counts, n_lines, cal)  # last: the draws before stay as they were
    return DemoMonth(period, _settings(period, lang), with_vat(seed, data))  # VAT on some documents (demo.vat)


def demo_path(directory: str | Path, period: str = DEFAULT_PERIOD) -> Path:
    """Where ``write_demo`` puts the month of ``period``."""
    return Path(directory) / f"jxc_demo_{period}.xlsx"


def write_demo(
    directory: str | Path,
    *,
    lang: Lang = "zh",
    seed: int = DEFAULT_SEED,
    period: str = DEFAULT_PERIOD,
    n_skus: int = 320,
    n_lines: int = 6000,
    settings: dict[str, Any] | None = None,
) -> Path:
    """Generate the demo month and write ``jxc_demo_YYYY-MM.xlsx`` into ``directory``.

    Args:
        directory: the folder to write to (created if missing).
        lang: ``"zh"`` or ``"en"`` workbook.
        seed, period, n_skus, n_lines: as for :func:`generate_month`.
        settings: overrides of the demo's settings (e.g. ``{"valuation": "fifo"}``).

    Returns:
        The path of the written workbook.
    """
    from jxc_xl.io.template import build_workbook  # file formats stay out of the data part

    m = generate_month(seed=seed, period=period, n_skus=n_skus, n_lines=n_lines, lang=lang)
    path = demo_path(directory, period)
    settings = {**m.settings, **(settings or {})}
    return build_workbook(path, lang=lang, period=period, settings=settings, data=m.data, lookups=True)


@dataclass
class DemoRun:
    """What ``run_demo`` did: the workbook written, whether it replaced one, its sync and its size."""

    path: Path
    replaced: bool
    synced: SyncResult
    items: int
    ledger_lines: dict[str, int]  # ledger table name → lines


def run_demo(directory: str | Path, *, lang: Lang = "zh", seed: int = DEFAULT_SEED, replace: bool = False) -> DemoRun:
    """Generate the demo month into ``directory``, then validate and sync it in place (what ``jxc demo`` does).

    Args:
        directory: the folder for ``jxc_demo_2026-11.xlsx`` (created if missing; a demo there is replaced).
        lang: ``"zh"`` or ``"en"`` workbook.
        seed: the random seed of the month.
        replace: replace a demo workbook already in ``directory`` (refused otherwise: it may hold your edits).

    Returns:
        The DemoRun: path, whether an earlier demo was replaced, the SyncResult and the table sizes.

    Raises:
        UsageError: ``directory`` is a file, a demo is there and not ``replace``, or Excel holds the demo
            workbook open (nothing is written).
    """
    from jxc_xl.io.reader import read_workbook
    from jxc_xl.io.xlsxpatch import lock_file
    from jxc_xl.sync import sync_file

    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise UsageError(phrase("demo_not_folder", lang, path=folder))
    path = demo_path(folder)
    if lock_file(path).exists():  # checked before writing: the demo replaces the file
        raise UsageError(phrase("demo_locked", lang, path=path))
    replaced = path.exists()
    if replaced and not replace:
        raise UsageError(phrase("demo_exists", lang, path=path))
    folder.mkdir(parents=True, exist_ok=True)
    write_demo(folder, lang=lang, seed=seed)
    synced = sync_file(path, backup=False, force=False)
    wb = read_workbook(path)
    lines = {t.name: len(wb.df(t.name)) for t in (*LEDGER_TABLES, OTHER)}
    return DemoRun(path, replaced, synced, len(wb.df(ITEMS.name)), lines)
