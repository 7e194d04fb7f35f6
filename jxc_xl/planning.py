"""`jxc plan`: a workbook's purchase plan without writing it, and the backtest of the plan's policy.

File-level adapter like ``jxc_xl.sync``: read → check (the same refusal as sync) → compute the plan exactly as
sync writes it to 采购计划 (``core.generate``) and, on request, replay the policy over the workbook's own
history (``core.backtest``). Nothing is written.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from jxc_xl.core.backtest import Backtest, workbook_backtest
from jxc_xl.core.findings import Finding
from jxc_xl.core.refusal import Caller
from jxc_xl.schema import PLAN, Lang


@dataclass
class PlanReport:
    """The plan of one workbook: its rows (tblPlan's columns, as sync writes them), the backtest when asked
    for, the findings of validation, and the workbook's language."""

    path: Path
    plan: pd.DataFrame
    backtest: Backtest | None = None
    findings: list[Finding] = field(default_factory=list)
    lang: Lang = "zh"
    as_of: date | None = None  # the day the plan is computed for (shown also when nothing is to be ordered)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the plan's rows by column key (dates ISO, blanks None) and the backtest's lines."""
        rows = json.loads(self.plan.to_json(orient="records", date_format="iso", force_ascii=False))
        as_of = self.as_of.isoformat() if self.as_of else None
        from jxc_xl.report.jsondoc import text_safe  # a file name's bytes that are not UTF-8: escapes, as validate

        path = text_safe(str(self.path))
        out: dict[str, Any] = {"path": path, "lang": self.lang, "as_of": as_of, "plan": rows}
        if self.backtest is not None:
            bt = self.backtest
            lines = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(ln).items()}
                     for ln in bt.lines]  # fmt: skip
            out["backtest"] = {"months": bt.months, "target": bt.target, "measure": bt.measure, "lines": lines}
        return out


def plan_file(
    path: str | os.PathLike[str], *, backtest: bool = False, force: bool = False, lang: Lang | None = None
) -> PlanReport:
    """The purchase plan of ``path`` as sync would write it, and optionally its backtest; writes nothing.

    Args:
        path: the month's workbook.
        backtest: also replay the plan's policy over the last months of the demand history.
        force: plan despite validation errors (never without a usable period).
        lang: language of the messages and the plan's texts (reasons, classes); default the workbook's.

    Returns:
        The PlanReport: plan rows, backtest (None unless asked), findings, the workbook's language.

    Raises:
        ValidationFailedError: the workbook has validation errors (and not ``force``) or no usable period.
        UsageError: ``path`` names no file (missing, a folder, a pipe).
        NotAWorkbookError: ``path`` is not a readable workbook.
    """
    from jxc_xl.core.analysis import analyse
    from jxc_xl.core.plan import as_of_day, plan_metrics
    from jxc_xl.core.plan_warehouse import scoped_plan
    from jxc_xl.core.valuation import value_month
    from jxc_xl.sync import _read_checked, _require_input

    path = Path(path)
    _require_input(path)
    wb, settings, findings = _read_checked(path, lang, force, Caller(str(path), "plan", offers_force=True))
    # the plan as core.generate builds it for sync, without the other sheets (stock card, summary) it also builds
    val = value_month(wb)
    metrics = plan_metrics(wb, val)
    abc = analyse(wb, val, metrics)["abc"]
    plan = scoped_plan(wb, val, metrics, abc, lang or wb.lang)[PLAN.keys()]  # the texts follow the messages
    as_of = as_of_day(settings, val.events)
    result = workbook_backtest(wb, val) if backtest else None
    return PlanReport(path, plan, result, findings, wb.lang, as_of)
