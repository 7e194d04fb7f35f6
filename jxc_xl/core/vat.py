"""VAT (增值税) on purchases, sales and returns: what each line books, and the month's output and input tax.

Entry. The VAT columns of 采购入库 / 销售出库 / 退货 are optional: 含税 (tax_included), 税率 (tax_rate), 税额
(tax) and 价税合计 (total). A line takes part in VAT only when one of them is filled in (含税 = 否 alone does
not count); every other line is booked exactly as without the columns, so a month that has none of them
computes and writes what it did before they existed.

* 含税 blank or 否 (tax-exclusive, as a VAT invoice prints it): 单价 and 金额 are without VAT. The net amount is
  金额, else ROUND_HALF_UP(数量 × 单价); 税额 blank = ROUND_HALF_UP(net × rate); total = net + tax.
* 含税 = 是 (tax-inclusive, as a shop's price tag): 单价 and 金额 include VAT. The total is 金额, else
  ROUND_HALF_UP(数量 × 单价); 税额 blank = total − ROUND_HALF_UP(total / (1 + rate)); net = total − tax.
  Example: 100 units at 113.00 incl. 13 %: total 11,300.00, net 10,000.00 (100.00 a unit), VAT 1,300.00.
* The rate is 税率 (13 %, 0.13), else the setting 默认税率 (default 13 %). Rates are taken to 0.01 %. All money
  is integer cents, ROUND_HALF_UP; a VAT-exclusive amount turned inclusive and back is the same to the cent.

Checks (``core.rules_vat``): 价税合计, where typed, equals net + tax to the cent (vat-total-mismatch, an error);
a typed 税额 more than 0.01 from net × rate is a warning (vat-tax-mismatch: an invoice may round its tax on
the total, not per line); a rate outside 0 / 1 / 3 / 5 / 6 / 9 / 13 % is a warning (vat-rate-unusual); a
rate of 100 % or more is an error (vat-rate-invalid: 13 typed for 13 %), booked at the default rate when a sync
is forced.

Cost and revenue follow the setting 纳税人类型 (taxpayer type), as Chinese VAT practice has it:

* 一般纳税人 (general taxpayer, the default): input VAT on purchases is deductible (进项税额抵扣), so inventory
  cost is the net amount; revenue is the net amount. Purchase returns take their input tax back (进项税额转出
  via a red-letter invoice), sales returns their output tax.
* 小规模纳税人 (small-scale taxpayer): input VAT cannot be deducted, so it is part of the purchase cost
  (采购成本 = 价税合计); revenue is still the net amount (销售额 = 含税销售额 ÷ (1 + 征收率)), the output VAT being
  the tax payable at the levy rate. Set 默认税率 to the levy rate (征收率: 3 %, or 1 % while the reduction
  applies); a purchase line keeps the rate of the supplier's invoice in its 税率.

A purchase return leaves at its original purchase line's booked unit cost (net or with VAT, as booked), a
sales return comes back at the original issue cost and reduces revenue by its net amount — the valuation's
rules, unchanged. A return typed without price or amount (退货 allows it) is valued from its original line as
before, at what that line booked.

``vat_totals`` gives the month's output tax (sales − sales returns), input tax (purchases − purchase returns),
the deductible part and the tax payable (output − deductible input; negative = carried forward as 留抵).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxc_xl.core.book import Workbook
from jxc_xl.core.money import MAX_LINE_CENTS, mul_cents, to_cents
from jxc_xl.schema import PURCHASES, RETURNS, SALES, SETTINGS_BY_KEY, Settings

__all__ = [
    "POINTS",
    "STANDARD_RATES",
    "VAT_COLUMNS",
    "VAT_TABLES",
    "VatLines",
    "VatTotals",
    "book_lines",
    "net_of",
    "rate_points",
    "table_vat",
    "tax_of",
    "vat_lines",
    "vat_totals",
]

VAT_COLUMNS = ("tax_included", "tax_rate", "tax", "total")
VAT_TABLES = (PURCHASES.name, SALES.name, RETURNS.name)
STANDARD_RATES = (0.0, 0.01, 0.03, 0.05, 0.06, 0.09, 0.13)  # the rates and levy rates of Chinese VAT
POINTS = 10_000  # rates are held in basis points (0.01 %): 13 % = 1300
_CLIP = 10 * MAX_LINE_CENTS  # cents beyond this are an amount-too-large error; clipped so int64 cannot wrap


def rate_points(rate: np.ndarray | float) -> np.ndarray:
    """Rates (0.13) → int64 basis points (1300); NaN → -1."""
    r = np.asarray(rate, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        pts = np.round(np.where(np.isfinite(r) & (np.abs(r) < 1e6), r, -1e-4) * POINTS)
    return pts.astype(np.int64)


def _half_up_div(num: np.ndarray, den: np.ndarray | np.integer) -> np.ndarray:
    """ROUND_HALF_UP(num / den) of int64 arrays, den > 0, exact (away from zero on a half, as Excel)."""
    a = np.abs(num)
    q = (2 * a + den) // (2 * den)
    return np.where(num < 0, -q, q)


def tax_of(net_cents: np.ndarray | int, points: np.ndarray | int) -> np.ndarray:
    """VAT of a tax-exclusive amount: ROUND_HALF_UP(net × rate), cents."""
    net = np.clip(np.asarray(net_cents, dtype=np.int64), -_CLIP, _CLIP)
    return _half_up_div(net * np.asarray(points, dtype=np.int64), np.int64(POINTS))


def net_of(total_cents: np.ndarray | int, points: np.ndarray | int) -> np.ndarray:
    """The tax-exclusive part of a tax-inclusive amount: ROUND_HALF_UP(total / (1 + rate)), cents."""
    total = np.clip(np.asarray(total_cents, dtype=np.int64), -_CLIP, _CLIP)
    return _half_up_div(total * POINTS, POINTS + np.asarray(points, dtype=np.int64))


@dataclass(frozen=True)
class VatLines:
    """The VAT of each line of one table, aligned with its frame.

    ``is_vat``: the line has a VAT cell filled in (the other arrays are 0 / False where it has not);
    ``inclusive``: 含税 = 是; ``points``: the rate used, basis points (the default where 税率 is blank or
    invalid); ``net``, ``tax``, ``total``: cents, total = net + tax; ``rate``: the typed 税率 (NaN blank).
    """

    is_vat: np.ndarray
    inclusive: np.ndarray
    rate: np.ndarray
    points: np.ndarray
    net: np.ndarray
    tax: np.ndarray
    total: np.ndarray

    @property
    def any(self) -> bool:
        return bool(self.is_vat.any())


def _num(df: pd.DataFrame, key: str) -> np.ndarray:
    """Column ``key`` as float64 (NaN blank); all NaN where the frame lacks it."""
    if key not in df.columns:
        return np.full(len(df), np.nan)
    col = df[key]
    if col.dtype == np.float64:  # as the reader types number columns: no conversion
        return col.to_numpy()
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _settings(settings: Settings | None) -> tuple[str, float]:
    """(taxpayer type, default rate); the schema's defaults where the settings are unusable."""
    if settings is None:
        return SETTINGS_BY_KEY["taxpayer"].default, SETTINGS_BY_KEY["vat_rate"].default
    return settings.taxpayer, settings.vat_rate


def valid_rate(points: np.ndarray) -> np.ndarray:
    """Rates a line can be booked at: 0 ≤ rate < 100 %."""
    return (points >= 0) & (points < POINTS)


def _inclusive(df: pd.DataFrame) -> np.ndarray:
    """含税 = 是 per line (the frame holds a choice's canonical key)."""
    out = np.zeros(len(df), dtype=bool)
    if "tax_included" in df.columns:
        flag = df["tax_included"].to_numpy(dtype=object)
        given = np.flatnonzero(pd.notna(flag))
        out[given] = flag[given] == "yes"
    return out


def _default_points(settings: Settings | None) -> np.ndarray:
    """The default rate in basis points (the schema's default where the setting is unusable)."""
    pts = rate_points(_settings(settings)[1])
    return pts if valid_rate(pts) else rate_points(SETTINGS_BY_KEY["vat_rate"].default)


def vat_lines(df: pd.DataFrame, settings: Settings | None) -> VatLines:
    """Each line's net, VAT and total in cents by the entry rules of this module (computed on VAT lines only)."""
    n = len(df)
    inclusive = _inclusive(df)
    rate, tax_typed, total_typed = _num(df, "tax_rate"), _num(df, "tax"), _num(df, "total")
    is_vat = inclusive | ~np.isnan(rate) | ~np.isnan(tax_typed) | ~np.isnan(total_typed)
    points, net, tax = (np.zeros(n, dtype=np.int64) for _ in range(3))
    at = np.flatnonzero(is_vat)
    if not len(at):
        return VatLines(is_vat, inclusive, rate, points, net, tax, net.copy())
    typed_pts = rate_points(rate[at])
    pts = np.where(valid_rate(typed_pts), typed_pts, _default_points(settings)).astype(np.int64)
    amount = _num(df, "amount")[at]
    base = to_cents(amount)  # net, or total when inclusive
    by_price = np.flatnonzero(np.isnan(amount))
    base[by_price] = mul_cents(_num(df, "qty")[at][by_price], _num(df, "unit_price")[at][by_price])
    base = np.clip(base, -_CLIP, _CLIP)
    typed_tax = tax_typed[at]
    incl = inclusive[at]
    line_tax = np.clip(to_cents(typed_tax), -_CLIP, _CLIP)  # the typed VAT where given, else by the rate:
    for_incl, for_excl = (np.flatnonzero(np.isnan(typed_tax) & m) for m in (incl, ~incl))
    line_tax[for_incl] = base[for_incl] - net_of(base[for_incl], pts[for_incl])
    line_tax[for_excl] = tax_of(base[for_excl], pts[for_excl])
    points[at] = pts
    tax[at] = line_tax
    net[at] = np.where(incl, base - line_tax, base)
    return VatLines(is_vat, inclusive, rate, points, net, tax, net + tax)


def _booked_kind(name: str, df: pd.DataFrame) -> np.ndarray:
    """Per line: True where the line is a purchase or a purchase return (its VAT may be part of the cost)."""
    if name == PURCHASES.name:
        return np.ones(len(df), dtype=bool)
    if name == RETURNS.name and "kind" in df.columns:
        return (df["kind"].astype(object) == "purchase_return").to_numpy(dtype=bool)
    return np.zeros(len(df), dtype=bool)


def table_vat(wb: Workbook, name: str) -> VatLines | None:
    """``vat_lines`` of table ``name`` of ``wb`` (None where it has no rows), computed once per frame: the
    ledger, the rules and ``vat_totals`` share it (``wb.derived``; a replaced frame is computed anew)."""
    td = wb.tables.get(name)
    if td is None or td.df is None or not len(td.df):
        return None
    key = f"vat_lines:{name}"
    got = wb.derived.get(key)
    if not (isinstance(got, tuple) and got[0] is td.df and got[1] is wb.settings):
        got = wb.derived[key] = (td.df, wb.settings, vat_lines(td.df, wb.settings))
    v = got[2]
    assert isinstance(v, VatLines)
    return v


def book_lines(wb: Workbook, name: str, price: pd.Series, amount: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The unit price and amount the ledger books for each line of table ``name`` (``ledger`` calls it).

    ``price`` and ``amount`` are the typed 单价 / 金额 of the table's frame (float, NaN blank), returned
    unchanged (the same objects) where no line takes part in VAT. A VAT line books its net amount, or for a
    small-scale taxpayer's purchase or purchase return its total with VAT; its unit price is the booked amount /
    qty unless it is the typed tax-exclusive price of a line booked at net.
    """
    v = table_vat(wb, name) if name in VAT_TABLES else None
    if v is None or not v.any:
        return price, amount
    df = wb.tables[name].df
    taxpayer, _ = _settings(wb.settings)
    with_tax = _booked_kind(name, df) & (taxpayer == "small_scale")
    booked = np.where(with_tax, v.total, v.net)
    qty = _num(df, "qty")
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = booked / 100.0 / qty
    typed_price, typed_amount = price.to_numpy(dtype=np.float64), amount.to_numpy(dtype=np.float64)
    # A line without price and amount keeps both blank: a return is then valued from its original line.
    book = v.is_vat & ~(np.isnan(typed_price) & np.isnan(typed_amount))
    keep_price = ~v.inclusive & ~with_tax  # the typed price is the net price
    new_price = np.where(book & ~keep_price, unit, typed_price)
    new_amount = np.where(book, booked / 100.0, typed_amount)
    return pd.Series(new_price, index=price.index), pd.Series(new_amount, index=amount.index)


@dataclass(frozen=True)
class VatTotals:
    """The month's VAT in cents: output (sales − sales returns), input (purchases − purchase returns), the
    deductible input (all of it for a general taxpayer, none for a small-scale one) and payable = output −
    deductible input (negative: carried forward)."""

    taxpayer: str
    output_tax: int
    input_tax: int
    deductible_input: int
    payable: int
    lines: int  # lines that take part in VAT
    output_lines: int = 0  # of them, on the sales side (sales and sales returns)
    input_lines: int = 0  # on the purchase side (purchases and purchase returns)


def vat_totals(wb: Workbook) -> VatTotals:
    """The month's output and input VAT from the VAT lines of tblPurchases, tblSales and tblReturns.

    Every line with a VAT cell counts, as typed (lines the validator rejects for other reasons included).
    """
    taxpayer, _ = _settings(wb.settings)
    out_tax = in_tax = lines = out_lines = in_lines = 0
    for name in VAT_TABLES:
        v = table_vat(wb, name)
        if v is None or not v.any:
            continue
        df = wb.tables[name].df
        lines += int(v.is_vat.sum())
        purchase_side = _booked_kind(name, df)
        sign = np.ones(len(df), dtype=np.int64)
        if name == RETURNS.name:  # a return takes its tax back; one of no known kind books nothing
            kind = df["kind"].astype(object) if "kind" in df.columns else pd.Series([None] * len(df))
            sign = np.where(kind.isin(["sales_return", "purchase_return"]).to_numpy(dtype=bool), -1, 0)
        signed = v.tax * sign
        in_tax += int(signed[purchase_side].sum())
        out_tax += int(signed[~purchase_side].sum())
        in_lines += int((v.is_vat & purchase_side).sum())
        out_lines += int((v.is_vat & ~purchase_side).sum())
    deductible = in_tax if taxpayer == "general" else 0
    return VatTotals(taxpayer, out_tax, in_tax, deductible, out_tax - deductible, lines, out_lines, in_lines)
