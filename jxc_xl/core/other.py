"""Other movements (其他出入库, tblOther): their reasons, their figures per SKU and their validation rule.

* A line is an issue or a receipt by its reason (``schema.OTHER_REASONS``): 报损 damage/loss, 领用 internal
  use, 赠送 gift given, 样品 sample, 其他出库 other issue; 受赠 gift received, 其他入库 other receipt. The
  reason cell takes the key or either label, any case; anything else is ``other-unknown-reason`` (an error:
  the line's direction is unknown, so it is not booked).
* Valued at the current cost (``core.costing``, ``core.valuation``), shown in 库存's own columns other_in /
  other_out, on the stock card with the reason beside the kind, and not in demand (the plan forecasts sales;
  what leaves otherwise lowers the stock on hand it orders against).
* Loss rate (分析 报损率) = 报损 at cost ÷ (opening amount + received amount), the received amount being every
  receipt of the month at its booked value (purchases, sales returns, count gains, other receipts): the share of
  the stock available in the month that was written off as damaged or lost — blank where that divisor is ≤ 0.
  Count losses (盘亏) are not in it: they are the count's result, in their own column. 分析's other-issue cost
  is every other issue at cost (报损 included), outside the cost of sales.
* Rows are read with the entry tables' cleaning rules (合计 rows skipped, blank rows ignored) by the one reader;
  a blank date, doc no, reason, SKU or qty, a qty ≤ 0, a date outside the period and an unknown SKU are the
  findings every entry table gets; an issue that takes the stock below 0 is ``negative-stock`` on this sheet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW, Workbook
from jxc_xl.core.ledger import reason_keys, table_frame
from jxc_xl.core.messages import word
from jxc_xl.core.rulebase import RuleContext
from jxc_xl.schema import OTHER, OTHER_IN_REASONS, OTHER_OUT_REASONS, OTHER_REASONS, Lang

__all__ = ["damage_cents", "other_reason_keys", "other_reasons", "reason_label", "unknown_reason_rule"]

_LABELS = {c.key: c for c in OTHER_REASONS}


def other_reason_keys(wb: Workbook, events: pd.DataFrame) -> np.ndarray:
    """Per event (``ledger_events`` order): the reason key of a tblOther line, None for every other event."""
    out = np.full(len(events), None, dtype=object)
    df = table_frame(wb, OTHER.name)
    if df is None or not len(events):
        return out
    mine = (events["table"] == OTHER.name).to_numpy()
    if not mine.any():
        return out
    by_row = pd.Series(reason_keys(df["reason"]).to_numpy(dtype=object), index=df[ROW].to_numpy(dtype=np.int64))
    by_row = by_row[~by_row.index.duplicated()]
    out[mine] = by_row.reindex(events[ROW].to_numpy(dtype=np.int64)[mine]).to_numpy(dtype=object)
    return out


def other_reasons(wb: Workbook, events: pd.DataFrame, lang: Lang) -> np.ndarray:
    """Per event (``ledger_events`` order): the reason's label in ``lang`` for tblOther lines, else None."""
    keys = other_reason_keys(wb, events)
    at = np.flatnonzero(pd.notna(keys))
    keys[at] = [_LABELS[k].label(lang) for k in keys[at]]
    return keys


def reason_label(kind: str, reason: str, lang: Lang) -> str:
    """The stock card's kind text of an other movement: 其他出库（报损） / Other issue (Damage/loss); the kind alone
    where the reason says no more (其他出库)."""
    if reason == kind:
        return kind
    return f"{kind}（{reason}）" if lang == "zh" else f"{kind} ({reason})"


def damage_cents(wb: Workbook, events: pd.DataFrame, codes: np.ndarray, n: int) -> np.ndarray:
    """Per SKU (``codes``: each event's SKU position, ``n`` SKUs): the 报损 lines' cost in cents."""
    keys = other_reason_keys(wb, events)
    mask = (keys == "damage") & (codes >= 0)
    cost = events["cost_cents"].to_numpy(dtype=np.int64)
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, codes[mask], cost[mask])
    return out


def unknown_reason_rule(ctx: RuleContext) -> None:
    """A reason that is none of OTHER_REASONS (blank is required-missing): ``other-unknown-reason``."""
    td = ctx.table(OTHER.name)
    if td is None or not ctx.has_col(td, "reason"):
        return
    raw = td.df["reason"]
    mask = raw.notna().to_numpy() & reason_keys(raw).isna().to_numpy()
    if not mask.any():
        return
    lang = ctx.wb.lang
    sep = word("list_sep", ctx.lang)
    ctx.emit(
        "other-unknown-reason",
        td,
        mask,
        "reason",
        issues=sep.join(c.label(lang) for c in OTHER_OUT_REASONS),
        receipts=sep.join(c.label(lang) for c in OTHER_IN_REASONS),
    )
