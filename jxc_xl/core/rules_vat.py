"""The VAT rules of purchases, sales and returns (``core.vat``), called by ``rules.check``.

Only lines that take part in VAT are checked (a VAT cell filled in); a month without VAT columns has no such
line and no finding here. The generic rules cover the rest: 税率, 税额 and 价税合计 ≥ 0 (``_bounds``), cells
that are not numbers (bad-type; such a line is not checked here).

* vat-total-mismatch (error): a typed 价税合计 differs from net + VAT (含税 = 是: from the tax-inclusive amount)
  by a cent or more.
* vat-tax-mismatch (warning): a typed 税额 more than 0.01 from ROUND_HALF_UP(net × rate) (an invoice that
  rounds its tax on the total differs by a cent on a line, never more).
* vat-rate-unusual (warning): a rate other than 0 / 1 / 3 / 5 / 6 / 9 / 13 %, on the line's 税率 cell, or once
  on the 默认税率 setting when lines use it.
* vat-rate-invalid (error): a rate of 100 % or more (13 typed for 13 %); a forced sync books the line at the
  default rate.
"""

from __future__ import annotations

import numpy as np

from jxc_xl.core.book import TableData
from jxc_xl.core.messages import make_finding
from jxc_xl.core.rulebase import RuleContext, num
from jxc_xl.core.vat import POINTS, STANDARD_RATES, VAT_COLUMNS, VAT_TABLES, VatLines, rate_points, table_vat, tax_of
from jxc_xl.schema import SETTINGS_BY_KEY

__all__ = ["vat_rule"]

STANDARD_POINTS = rate_points(np.array(STANDARD_RATES))
TAX_TOLERANCE_CENTS = 1


def _percent(points: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Basis points as percent text (1300 → '13%', 650 → '6.5%'), only where ``mask`` (None: everywhere)."""
    pts = np.asarray(points)
    out = np.full(pts.shape, "", dtype=object)
    at = np.flatnonzero(np.ones(pts.shape, dtype=bool) if mask is None else mask)
    out[at] = [f"{p / 100:g}%" for p in pts[at].tolist()]
    return out


def _clean(ctx: RuleContext, td: TableData) -> np.ndarray:
    """Lines whose VAT and amount cells are all usable: none reported as bad-type, the amount computable."""
    ok = np.ones(len(td.df), dtype=bool)
    for key in (*VAT_COLUMNS, "qty", "unit_price", "amount"):
        bad = td.bad.get(key)
        if bad is not None:
            ok &= ~np.asarray(bad, dtype=bool)
    amount, qty, price = num(td, "amount"), num(td, "qty"), num(td, "unit_price")
    return ok & (~np.isnan(amount) | (~np.isnan(qty) & ~np.isnan(price)))


def vat_rule(ctx: RuleContext) -> None:
    """Every VAT finding of tblPurchases, tblSales and tblReturns."""
    uses_default = 0
    for name in VAT_TABLES:
        td = ctx.table(name)
        if td is None or not len(td.df) or not all(ctx.has_col(td, k) for k in ("tax_rate", "tax", "total")):
            continue
        v = table_vat(ctx.wb, name)
        if v is None or not v.any:
            continue
        typed = ~np.isnan(v.rate)
        uses_default += int((v.is_vat & ~typed).sum())
        typed_pts = rate_points(v.rate)
        invalid = v.is_vat & typed & (typed_pts >= POINTS)
        ctx.emit("vat-rate-invalid", td, invalid, "tax_rate", default=_percent(v.points, invalid))
        unusual = v.is_vat & typed & (typed_pts >= 0) & ~invalid & ~np.isin(typed_pts, STANDARD_POINTS)
        ctx.emit("vat-rate-unusual", td, unusual, "tax_rate", percent=_percent(typed_pts, unusual))
        _amount_checks(ctx, td, v, v.is_vat & ~invalid & _clean(ctx, td))
    _default_rate(ctx, uses_default)


def _amount_checks(ctx: RuleContext, td: TableData, v: VatLines, use: np.ndarray) -> None:
    """vat-total-mismatch and vat-tax-mismatch on the lines of ``use``."""
    total_typed, tax_typed = num(td, "total"), num(td, "tax")
    with np.errstate(invalid="ignore", over="ignore"):
        total_cents = np.round(np.nan_to_num(total_typed) * 100.0)
        off = use & ~np.isnan(total_typed) & (np.abs(total_cents - v.total) >= 1)
    if off.any():
        expected, diff = v.total / 100.0, np.round(np.abs(np.nan_to_num(total_typed) - v.total / 100.0), 2)
        for inclusive, variant in ((False, None), (True, "vat-total-mismatch-included")):
            mask = off & (v.inclusive == inclusive)
            ctx.emit(
                "vat-total-mismatch",
                td,
                mask,
                "total",
                message_code=variant,
                net=v.net / 100.0,
                tax=v.tax / 100.0,
                expected=expected,
                diff=diff,
            )
    due = tax_of(v.net, v.points)
    far = use & ~np.isnan(tax_typed) & (np.abs(v.tax - due) > TAX_TOLERANCE_CENTS)
    if far.any():
        ctx.emit(
            "vat-tax-mismatch",
            td,
            far,
            "tax",
            net=v.net / 100.0,
            percent=_percent(v.points, far),
            expected=due / 100.0,
            diff=np.abs(v.tax - due) / 100.0,
        )


def _default_rate(ctx: RuleContext, lines: int) -> None:
    """vat-rate-unusual once on the 默认税率 setting, when it is unusual and ``lines`` VAT lines use it."""
    s = ctx.wb.settings
    if not lines or s is None:
        return
    pts = rate_points(s.vat_rate)
    if np.isin(pts, STANDARD_POINTS):
        return
    where = ctx.wb.setting_cells.get("vat_rate")
    ctx.out.append(
        make_finding(
            "vat-rate-unusual",
            ctx.lang,
            sheet=where.sheet if where else None,
            row=where.row if where else None,
            column="value",
            cell=where.cell if where else None,
            value=s.vat_rate,
            message_code="vat-rate-unusual-setting",
            key=SETTINGS_BY_KEY["vat_rate"].label(ctx.lang),
            percent=_percent(pts.reshape(1))[0],
            count=lines,
        )
    )
