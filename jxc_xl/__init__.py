"""jxc-xl: 进销存 in Excel workbooks, with Python underneath.

The library API (the `jxc` command and the Excel button are thin layers over it)::

    from jxc_xl import new_workbook, validate_file, sync_file, close_month

    new_workbook("2026-11.xlsx", period="2026-11")
    report = validate_file("2026-11.xlsx")      # a FileResult: findings, valid, errors, warnings
    result = sync_file("2026-11.xlsx")          # regenerates 库存 / 采购计划 / 分析 in place
    close_month("2026-11.xlsx", "2026-12.xlsx")  # next month's opening and demand history

Names are imported on first use, so ``import jxc_xl`` (and the xlwings formulas in ``jxc_xl.udfs``) stay
light: the file readers and writers load only when a function that needs them is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name → module that defines it
_EXPORTS: dict[str, str] = {
    # workbooks: create, read, the demo month
    "new_workbook": "jxc_xl.io.template",
    "read_workbook": "jxc_xl.io.reader",
    "write_demo": "jxc_xl.demo",
    # validate
    "validate_file": "jxc_xl.validate",
    "validate_paths": "jxc_xl.validate",
    "FileResult": "jxc_xl.validate",
    "Report": "jxc_xl.validate",
    # sync and close
    "sync_file": "jxc_xl.sync",
    "close_month": "jxc_xl.sync",
    "SyncResult": "jxc_xl.sync",
    "CloseResult": "jxc_xl.sync",
    # the purchase plan as sync writes it, and its backtest, as `jxc plan` prints them
    "plan_file": "jxc_xl.planning",
    "PlanReport": "jxc_xl.planning",
    # one item's stock card (明细账), as `jxc card` prints it
    "stock_card": "jxc_xl.card",
    "StockCard": "jxc_xl.card",
    # restore what the template provides and a foreign save lost, as `jxc repair` does
    "repair_file": "jxc_xl.repair",
    "RepairReport": "jxc_xl.repair",
    # a batch of stores: sync them all, roll them up into one group workbook
    "sync_paths": "jxc_xl.sync_batch",
    "SyncReport": "jxc_xl.sync_batch",
    "StoreSync": "jxc_xl.sync_batch",
    "consolidate_paths": "jxc_xl.consolidate",
    "ConsolidateResult": "jxc_xl.consolidate",
    # the data model
    "Workbook": "jxc_xl.core.book",
    "Finding": "jxc_xl.core.findings",
    "Settings": "jxc_xl.schema",
    # errors (data problems are findings; these are for files that cannot be processed at all)
    "JxcError": "jxc_xl.errors",
    "NotAWorkbookError": "jxc_xl.errors",
    "UsageError": "jxc_xl.errors",
    "ValidationFailedError": "jxc_xl.errors",
    "WorkbookLockedError": "jxc_xl.errors",
}

__all__ = [
    "CloseResult",
    "ConsolidateResult",
    "FileResult",
    "Finding",
    "JxcError",
    "NotAWorkbookError",
    "PlanReport",
    "RepairReport",
    "Report",
    "Settings",
    "StockCard",
    "StoreSync",
    "SyncReport",
    "SyncResult",
    "UsageError",
    "ValidationFailedError",
    "Workbook",
    "WorkbookLockedError",
    "__version__",
    "close_month",
    "consolidate_paths",
    "new_workbook",
    "plan_file",
    "read_workbook",
    "repair_file",
    "stock_card",
    "sync_file",
    "sync_paths",
    "validate_file",
    "validate_paths",
    "write_demo",
]

if TYPE_CHECKING:
    from jxc_xl.card import StockCard, stock_card
    from jxc_xl.consolidate import ConsolidateResult, consolidate_paths
    from jxc_xl.core.book import Workbook
    from jxc_xl.core.findings import Finding
    from jxc_xl.demo import write_demo
    from jxc_xl.errors import JxcError, NotAWorkbookError, UsageError, ValidationFailedError, WorkbookLockedError
    from jxc_xl.io.reader import read_workbook
    from jxc_xl.io.template import new_workbook
    from jxc_xl.planning import PlanReport, plan_file
    from jxc_xl.repair import RepairReport, repair_file
    from jxc_xl.schema import Settings
    from jxc_xl.sync import CloseResult, SyncResult, close_month, sync_file
    from jxc_xl.sync_batch import StoreSync, SyncReport, sync_paths
    from jxc_xl.validate import FileResult, Report, validate_file, validate_paths


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jxc_xl' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
