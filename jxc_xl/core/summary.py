"""The summary sheet (tblSummary): the month on one sheet, from the generated tables alone.

Sections, in this order (``schema.SUMMARY_SECTIONS``):

* the month: opening, receipts, issues, count adjustments and closing stock value (sums of 库存's columns, so
  opening + receipts − issues + adjustments = closing to the cent); revenue, cost of sales and gross profit
  (sums of 分析's columns) with the margin rate = gross profit / revenue; turnover = cost of sales / ((opening +
  closing) / 2) and days of inventory = that average / cost of sales × days in the month (blank where the
  divisor is 0), rounded to 2 and 1 decimals; counts of items out of stock (库存 status 缺货 or 负库存), below
  the reorder point (status 低于再订货点), slow-moving (分析's 呆滞), overstocked (status 超储); the purchase
  plan amount with its count of order lines; a month with lines in 其他出入库 then shows its other receipts and
  other issues at cost (库存's other_in / other_out; receipts and issues above are net purchases and the net cost
  of sales, so opening + receipts − issues + adjustments + other receipts − other issues = closing, the cost
  adjustment aside).
* VAT (only for a month with VAT lines, ``core.vat.vat_totals``): a general taxpayer's output VAT (销项税额: sales
  less sales returns), input VAT (进项税额: purchases less purchase returns) and VAT payable = output − input
  (应交增值税; negative: a credit. The credit brought forward from earlier months is not in the workbook, so it
  is not deducted); a small-scale taxpayer's VAT due on sales (应纳税额) and the input VAT that went into the
  purchase cost (not deductible). Amount = the tax, to the cent (the sum of the lines' 税额, typed or computed
  by the rate), value = its lines. A month without VAT lines shows no VAT rows: the workbook knows nothing of
  its VAT then, and a row of zeros would read as "no VAT due".
* the plan by supplier: 采购计划's amount of the lines with an order quantity, per supplier, largest first;
  rate = share of the plan amount. The rows add up to the plan amount.
* stock by category: 库存's closing amount per category of 商品, largest first; value = items, rate = share of
  the closing value. The rows add up to the closing value.
* the top items by gross margin: 分析's ten largest gross margins (ties by SKU); rate = margin rate.
* stock by age (core.ageing; none without items): 分析's ageing band amounts summed, one row per band of setting
  ageing_buckets (rate = share of the closing value; the rows add up to it), then the stale (积压) amount with its
  count of items and its share.
* the backtest of the plan (core.backtest, as ``jxc plan --backtest`` prints it): the service target (rate)
  and months replayed (value), then per demand class and for all SKUs the cycle service (rate) with the
  cycles it counts (value), and the fill rate (rate) with the stock in days (value); one line saying why
  where the history is too short.

Money is summed in integer cents; every amount is the cents of its rows' amounts as written to the sheets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.ageing import band_labels
from jxc_xl.core.backtest import MIN_MONTHS, Backtest
from jxc_xl.core.book import Workbook
from jxc_xl.core.ledger import clean_keys, table_frame
from jxc_xl.core.messages import phrase, word
from jxc_xl.core.money import from_cents, to_cents
from jxc_xl.core.periods import period_last_day
from jxc_xl.core.vat import vat_totals
from jxc_xl.schema import (
    ANALYSIS,
    DEMAND_CLASSES,
    ITEMS,
    OTHER,
    PLAN,
    STATUS,
    STOCK,
    SUMMARY,
    SUMMARY_SECTIONS,
    SUMMARY_TOP,
    Lang,
    Settings,
)

__all__ = ["SummaryRow", "summary_frame", "summary_rows", "summary_table", "with_summary"]


@dataclass(frozen=True)
class SummaryRow:
    """One row of tblSummary: its section key, its label and the figures it fills (None: blank)."""

    section: str
    item: str
    amount_cents: int | None = None
    value: float | None = None
    rate: float | None = None


def _cents(df: pd.DataFrame, key: str) -> np.ndarray:
    return to_cents(df[key].to_numpy(np.float64)) if key in df.columns and len(df) else np.zeros(0, np.int64)


def _total(df: pd.DataFrame, key: str) -> int:
    return int(_cents(df, key).sum())


def _ratio(num: float, den: float, digits: int) -> float | None:
    return round(num / den, digits) if den > 0 else None


def _month_rows(tables: Mapping[str, pd.DataFrame], days: int, lang: Lang) -> list[SummaryRow]:
    stock, plan, an = tables[STOCK.name], tables[PLAN.name], tables[ANALYSIS.name]
    opening, closing = _total(stock, "opening_amount"), _total(stock, "closing_amount")
    revenue, cogs = _total(an, "revenue"), _total(an, "cogs")
    margin = _total(an, "gross_margin")
    avg = (opening + closing) / 2
    status = stock["status"].astype(object)
    out_labels = {STATUS["out"].label(lang), STATUS["negative"].label(lang)}
    ordered = plan["order_qty"].to_numpy(np.float64) > 0 if len(plan) else np.zeros(0, bool)

    def row(key: str, cents: int | None = None, value: float | None = None, rate: float | None = None) -> SummaryRow:
        return SummaryRow("month", word(f"sum_{key}", lang), cents, value, rate)

    return [
        row("opening", opening),
        row("receipts", _total(stock, "in_amount")),
        row("issues", _total(stock, "out_amount")),
        row("adjustments", _total(stock, "adj_amount")),
        row("closing", closing),
        row("revenue", revenue),
        row("cogs", cogs),
        row("gross_profit", margin, rate=margin / revenue if revenue > 0 else None),
        row("turnover", value=_ratio(cogs, avg, 2)),
        row("dsi", value=_ratio(avg * days, cogs, 1)),
        row("out_of_stock", value=float(status.isin(out_labels).sum())),
        row("below_rop", value=float((status == STATUS["reorder"].label(lang)).sum())),
        row("slow", value=float(an["slow_moving"].notna().sum()) if len(an) else 0.0),
        row("overstocked", value=float((status == STATUS["overstock"].label(lang)).sum())),
        row("plan", _total(plan, "amount"), value=float(ordered.sum())),
    ]


def _vat_rows(wb: Workbook, lang: Lang) -> list[SummaryRow]:
    t = vat_totals(wb)
    if not t.lines:
        return []

    def row(key: str, cents: int, lines: int | None = None) -> SummaryRow:
        return SummaryRow("vat", word(f"sum_vat_{key}", lang), cents, None if lines is None else float(lines))

    if t.taxpayer == "small_scale":
        return [row("levy", t.output_tax, t.output_lines), row("input_cost", t.input_tax, t.input_lines)]
    return [
        row("output", t.output_tax, t.output_lines),
        row("input", t.input_tax, t.input_lines),
        row("payable", t.payable),
    ]


class _Group(NamedTuple):
    """Rows grouped by a key: the keys, their cents and row counts, largest amount first (ties by key)."""

    keys: list[str]
    cents: list[int]
    rows: list[int]

    def section(self, section: str, counts: bool) -> list[SummaryRow]:
        whole = sum(self.cents)
        return [
            SummaryRow(section, k, c, float(n) if counts else None, c / whole if whole else None)
            for k, c, n in zip(self.keys, self.cents, self.rows, strict=True)
        ]


def _grouped(keys: pd.Series, cents: np.ndarray, blank: str) -> _Group:
    k = keys.astype(object).where(keys.notna() & (keys.astype(str).str.strip() != ""), blank).astype(str)
    g = pd.DataFrame({"key": k.to_numpy(), "cents": cents, "n": 1}).groupby("key", sort=True).sum()
    g = g.reset_index().sort_values(["cents", "key"], ascending=[False, True], kind="stable")
    return _Group([str(x) for x in g["key"]], [int(x) for x in g["cents"].to_numpy(np.int64)], [int(x) for x in g["n"]])


def _supplier_rows(plan: pd.DataFrame, lang: Lang) -> list[SummaryRow]:
    if not len(plan):
        return []
    lines = plan[plan["order_qty"].to_numpy(np.float64) > 0]
    return _grouped(lines["supplier"], _cents(lines, "amount"), word("sum_no_supplier", lang)).section("supplier", True)


def _categories(wb: Workbook, skus: pd.Series) -> pd.Series:
    items = wb.df(ITEMS.name) if ITEMS.name in wb.tables else pd.DataFrame()
    if not len(items) or "category" not in items.columns:
        return pd.Series([None] * len(skus), dtype=object)
    items = items.assign(sku=clean_keys(items["sku"])).dropna(subset=["sku"]).drop_duplicates("sku")
    return skus.map(items.set_index("sku")["category"]).astype(object)


def _category_rows(wb: Workbook, stock: pd.DataFrame, lang: Lang) -> list[SummaryRow]:
    if not len(stock):
        return []
    g = _grouped(_categories(wb, stock["sku"]), _cents(stock, "closing_amount"), word("sum_no_category", lang))
    return g.section("category", True)


def _top_rows(an: pd.DataFrame) -> list[SummaryRow]:
    if not len(an):
        return []
    top = an.assign(top_cents=_cents(an, "gross_margin"))
    top = top.sort_values(["top_cents", "sku"], ascending=[False, True], kind="stable").head(SUMMARY_TOP)
    out = []
    for sku, name, cents, rate in zip(
        top["sku"].astype(str), top["name"], top["top_cents"].to_numpy(np.int64), top["gross_margin_rate"], strict=True
    ):
        label = f"{sku} {name}" if isinstance(name, str) and name.strip() else sku
        out.append(SummaryRow("top_margin", label, int(cents), None, float(rate) if pd.notna(rate) else None))
    return out


def _ageing_rows(wb: Workbook, an: pd.DataFrame, lang: Lang) -> list[SummaryRow]:
    """The ageing section: the closing value per age band (they add up to it), then the stale amount."""
    if not len(an):
        return []
    s = wb.settings or Settings(period="2000-01")  # no usable settings: the defaults' bands
    bands = [_total(an, f"age_band_{k + 1}") for k in range(len(s.age_bounds) + 1)]
    whole = sum(bands)
    labels = band_labels(s.age_bounds, word("sum_age_span", lang), word("sum_age_over", lang))
    rows = [
        SummaryRow("ageing", label, c, None, c / whole if whole > 0 else None)
        for label, c in zip(labels, bands, strict=True)
    ]
    stale = _cents(an, "stale_amount")
    days = int(s.stale_days) if float(s.stale_days).is_integer() else s.stale_days
    item = phrase("sum_stale", lang, days=days)
    share = int(stale.sum()) / whole if whole > 0 else None
    return [*rows, SummaryRow("ageing", item, int(stale.sum()), float((stale > 0).sum()), share)]


def _backtest_rows(bt: Backtest | None, lang: Lang) -> list[SummaryRow]:
    if bt is None:
        return []
    if not bt.lines:
        short = phrase("sum_bt_short", lang, months=bt.months, need=MIN_MONTHS)
        return [SummaryRow("backtest", short)]
    measure = phrase("plan_bt_fill" if bt.measure == "fill_rate" else "plan_bt_service", lang)
    out = [SummaryRow("backtest", phrase("sum_bt_target", lang, measure=measure), None, float(bt.months), bt.target)]
    for ln in bt.lines:
        group = phrase("plan_bt_all", lang) if ln.group == "all" else DEMAND_CLASSES[ln.group].label(lang)
        days = None if math.isnan(ln.stock_days) else round(ln.stock_days, 1)
        fill = None if math.isnan(ln.fill_rate) else ln.fill_rate
        service = None if math.isnan(ln.cycle_service) else ln.cycle_service
        out.append(SummaryRow("backtest", phrase("sum_bt_service", lang, group=group), None, float(ln.cycles), service))
        out.append(SummaryRow("backtest", phrase("sum_bt_fill", lang, group=group), None, days, fill))
    return out


def _other_rows(stock: pd.DataFrame, lang: Lang) -> list[SummaryRow]:
    """Other receipts and issues (tblOther, issue 12.3): 库存's other_in and other_out amounts."""
    return [
        SummaryRow("month", word("sum_other_receipts", lang), _total(stock, "other_in_amount")),
        SummaryRow("month", word("sum_other_issues", lang), _total(stock, "other_out_amount")),
    ]


def summary_rows(
    wb: Workbook, tables: Mapping[str, pd.DataFrame], lang: Lang, backtest: Backtest | None = None
) -> list[SummaryRow]:
    """The rows of tblSummary, section by section, from the generated tables of ``wb`` and the plan's
    ``backtest`` (see the module doc)."""
    days = period_last_day(wb.settings.period).day if wb.settings is not None else 30
    month = _month_rows(tables, days, lang)
    if table_frame(wb, OTHER.name) is not None:  # a month with other movements: last in the month's section
        month += _other_rows(tables[STOCK.name], lang)
    return [
        *month,
        *_vat_rows(wb, lang),
        *_supplier_rows(tables[PLAN.name], lang),
        *_category_rows(wb, tables[STOCK.name], lang),
        *_top_rows(tables[ANALYSIS.name]),
        *_ageing_rows(wb, tables[ANALYSIS.name], lang),
        *_backtest_rows(backtest, lang),
    ]


def summary_frame(rows: list[SummaryRow], lang: Lang) -> pd.DataFrame:
    """tblSummary's frame of ``rows``: section labels in ``lang``, money to the cent, blanks NaN."""
    amounts = [np.nan if r.amount_cents is None else float(from_cents(r.amount_cents)) for r in rows]
    out = pd.DataFrame(
        {
            "section": [SUMMARY_SECTIONS[r.section].label(lang) for r in rows],
            "item": [r.item for r in rows],
            "amount": np.asarray(amounts, dtype=np.float64),
            "value": np.asarray([np.nan if r.value is None else r.value for r in rows], dtype=np.float64),
            "rate": np.asarray([np.nan if r.rate is None else r.rate for r in rows], dtype=np.float64),
        }
    )
    return out[SUMMARY.keys()]


def summary_table(
    wb: Workbook, tables: Mapping[str, pd.DataFrame], lang: Lang, backtest: Backtest | None = None
) -> pd.DataFrame:
    """The tblSummary frame of ``wb`` from its generated tables (tblStock, tblPlan, tblAnalysis) in ``lang``.

    Args:
        wb: the workbook (its items give the categories, its period the days of the month).
        tables: the generated frames by table name, as ``core.generate`` builds them.
        lang: language of the labels.
        backtest: the plan's backtest (core.backtest.workbook_backtest); None leaves its section out.

    Returns:
        A frame with exactly tblSummary's column keys.
    """
    return summary_frame(summary_rows(wb, tables, lang, backtest), lang)


def with_summary(
    wb: Workbook, tables: dict[str, pd.DataFrame], lang: Lang, backtest: Backtest | None = None
) -> dict[str, pd.DataFrame]:
    """``tables`` (the generated frames by table name) with tblSummary added, computed from them."""
    return tables | {SUMMARY.name: summary_table(wb, tables, lang, backtest)}
