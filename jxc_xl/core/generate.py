"""Status of a tblStock row, first that applies: negative closing → 负库存; closing 0 → 缺货; closing ≤ reorder
point (active items with a reorder point > 0 or stock ≤ 0) → 低于再订货点; slow-moving → 呆滞; overstock → 超储
(core.activity); else 正常.

This module builds the generated sheets (tblStock, tblPlan, tblAnalysis) as frames with exactly the schema's
column keys: money as floats rounded to the cent (int cents / 100), dates datetime64, blanks None/NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.ageing import ageing_columns, stock_ageing
from jxc_xl.core.analysis import analyse
from jxc_xl.core.backtest import workbook_backtest
from jxc_xl.core.book import Workbook
from jxc_xl.core.card import card_tables
from jxc_xl.core.money import from_cents
from jxc_xl.core.plan import item_frame, plan_metrics
from jxc_xl.core.plan_warehouse import scoped_plan
from jxc_xl.core.summary import with_summary
from jxc_xl.core.valuation import STOCK_COLUMNS, Valuation, value_month
from jxc_xl.core.warehouses import by_warehouse_frame, one_warehouse
from jxc_xl.schema import ANALYSIS, PLAN, STATUS, STOCK, STOCK_BY_WAREHOUSE, YES_NO, Lang


def _stock_frame(
    wb: Workbook, val: Valuation, metrics: pd.DataFrame | None, slow: np.ndarray | None, lang: Lang
) -> pd.DataFrame:
    st = val.stock
    skus = pd.Index(st["sku"].to_numpy(dtype=object))
    items = item_frame(wb, skus)
    closing = st["closing_qty"].to_numpy(np.float64)
    status = np.full(len(st), STATUS["ok"].label(lang), dtype=object)
    if slow is not None:
        status[slow] = STATUS["slow"].label(lang)
    if metrics is not None:
        status[metrics["overstock"].to_numpy(bool)] = STATUS["overstock"].label(lang)
    if metrics is not None:
        rop = metrics["reorder_point"].to_numpy(np.float64)
        status[(closing <= np.round(rop, 9)) & metrics["active"].to_numpy(bool) & (rop > 0)] = STATUS["reorder"].label(
            lang
        )
    status[closing == 0] = STATUS["out"].label(lang)
    status[closing < 0] = STATUS["negative"].label(lang)
    out = pd.DataFrame(
        {
            "sku": skus.to_numpy(dtype=object),
            "name": items["name"].to_numpy(dtype=object),
            "unit": items["unit"].to_numpy(dtype=object),
            "status": status,
        }
    )
    for col in STOCK_COLUMNS[1:]:  # quantities and unit costs as they are, cents as amounts
        if col.endswith("_cents"):
            out[col.removesuffix("_cents") + "_amount"] = from_cents(st[col])
        else:
            out[col] = st[col].to_numpy(np.float64)
    return out[STOCK.keys()]


def stock_balances(wb: Workbook, val: Valuation | None = None) -> pd.DataFrame:
    """The tblStock frame alone (status without plan/analysis: ok / out / negative only)."""
    val = val or value_month(wb)
    return _stock_frame(wb, val, None, None, wb.lang)


def generate(wb: Workbook, lang: Lang | None = None) -> dict[str, pd.DataFrame]:
    """The generated tables of ``wb`` as frames by table name (STOCK, PLAN, ANALYSIS), keys in schema order.

    Args:
        wb: a workbook with usable settings.
        lang: language of the generated text (status, reasons); default the workbook's.

    Returns:
        Table name → frame with exactly the table's column keys.
    """
    lang = lang or wb.lang
    val = value_month(wb)
    metrics = plan_metrics(wb, val)
    an = analyse(wb, val, metrics)
    stock = _stock_frame(wb, val, metrics, an["slow"].to_numpy(bool), lang)
    plan = scoped_plan(wb, val, metrics, an["abc"], lang)[PLAN.keys()]  # plan_scope: core.plan_warehouse

    yes = next(c for c in YES_NO if c.key == "yes").label(lang)
    skus = an.index
    items = item_frame(wb, pd.Index(skus))
    analysis = pd.DataFrame(
        {
            "sku": skus.to_numpy(dtype=object),
            "name": items["name"].to_numpy(dtype=object),
            "abc": an["abc"].to_numpy(dtype=object),
            "revenue": from_cents(an["revenue_cents"]),
            "cogs": from_cents(an["cogs_cents"]),
            "gross_margin": from_cents(an["margin_cents"]),
            "gross_margin_rate": an["gross_margin_rate"].to_numpy(np.float64),
            "avg_inventory": from_cents(an["avg_inventory_cents"]),
            "turnover": an["turnover"].to_numpy(np.float64),
            "dsi": an["dsi"].to_numpy(np.float64),
            "slow_moving": np.array([yes if slow else None for slow in an["slow"].to_numpy(bool)], dtype=object),
            "cum_share": an["cum_share"].to_numpy(np.float64),
            "days_since_sale": an["days_since_sale"].to_numpy(np.float64),
            "overstock": np.array([yes if over else None for over in an["overstock"].to_numpy(bool)], dtype=object),
            "other_out_cost": from_cents(an["other_out_cents"]),  # issue 12.3
            "loss_rate": an["loss_rate"].to_numpy(np.float64),
            **ageing_columns(stock_ageing(wb, val)),  # issue 12.6: stock ageing (库龄), 积压
        }
    )
    rank = analysis["abc"].map({"A": 0, "B": 1, "C": 2}).fillna(3)
    analysis = (
        analysis.assign(_rank=rank, _cogs=-an["cogs_cents"].to_numpy())
        .sort_values(["_rank", "_cogs"], kind="stable")
        .drop(columns=["_rank", "_cogs"])
        .reset_index(drop=True)[ANALYSIS.keys()]
    )
    card = card_tables(wb, val, lang)  # issue 10.3: the stock card
    backtest = workbook_backtest(wb, val)  # issue 9.7: what the plan's policy achieved, on the summary sheet
    tables = {STOCK.name: stock, PLAN.name: plan, ANALYSIS.name: analysis}
    return with_summary(wb, tables, lang, backtest) | card | {STOCK_BY_WAREHOUSE.name: stock_by_warehouse(wb, val)}


def stock_by_warehouse(wb: Workbook, val: Valuation) -> pd.DataFrame:
    """The tblStockByWarehouse frame (issue 12.2, ``core.warehouses``); no rows for a workbook of one warehouse
    (库存 is it: sync spends nothing on a copy)."""
    if val.by_warehouse is None:
        return by_warehouse_frame(one_warehouse(val.stock.iloc[:0], ""), item_frame(wb, pd.Index([], dtype=object)))
    by_key = val.by_warehouse
    return by_warehouse_frame(by_key, item_frame(wb, pd.Index(by_key["sku"].to_numpy(dtype=object))))
