"""The demo's VAT lines: some documents carry 含税 / 税率 / 税额 / 价税合计, as a general taxpayer's books do.

The demo company is a general taxpayer (一般纳税人, the settings' default) at the 13 % rate of goods:

* Purchases: half of the suppliers send a VAT special invoice (增值税专用发票) with their goods. Their lines are
  entered as the invoice prints them, tax-exclusive: 单价 and 金额 without VAT (as before, so costs do not
  change), 税率 13 %, 税额 = ROUND_HALF_UP(金额 × 13 %), 价税合计 = 金额 + 税额.
* Sales: supermarkets (超市) are invoiced the same way, tax-exclusive; convenience stores (便利店) buy at
  tax-inclusive prices (含税价): 含税 = 是, 单价 = the net price × 1.13 to the cent, 金额 = 数量 × 单价,
  税额 = 金额 − ROUND_HALF_UP(金额 ÷ 1.13), 价税合计 = 金额. Department stores and trading firms' lines carry
  no VAT cells.
* A return of a VAT line is a red-letter invoice of it: the same entry, rate and price, its own 税额.

Quantities, dates and every other line stay as the month was drawn (the choice of suppliers uses its own
generator), so the month's stock is the same; revenue differs from a month without VAT only by the cents of
the tax-inclusive lines. The summary sheet then shows the month's output and input VAT.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.money import from_cents, mul_cents, to_cents
from jxc_xl.core.vat import net_of, rate_points, tax_of
from jxc_xl.schema import PURCHASES, RETURNS, SALES

__all__ = ["RATE", "with_vat"]

RATE = 0.13
_INCLUSIVE_CUSTOMERS = "便利店"
_INVOICED_CUSTOMERS = "超市"


def _entry(df: pd.DataFrame, vat: np.ndarray, inclusive: np.ndarray) -> pd.DataFrame:
    """``df`` with its VAT columns: lines ``vat`` carry them, ``inclusive`` ones at tax-inclusive prices (their
    单价 the net price × (1 + rate) to the cent)."""
    out = df.copy()
    pts = rate_points(RATE)
    price = out["unit_price"].to_numpy(np.float64).copy()
    incl = vat & inclusive
    price[incl] = from_cents(to_cents(price[incl] * (1 + RATE)))
    amount = from_cents(mul_cents(out["qty"].to_numpy(np.float64), price))
    cents = to_cents(amount)
    tax = np.where(incl, cents - net_of(cents, pts), tax_of(cents, pts))
    total = np.where(incl, cents, cents + tax)
    out["unit_price"] = price
    out["amount"] = amount
    entry = np.full(len(out), None, dtype=object)
    entry[vat] = np.where(incl[vat], "yes", "no")
    out["tax_included"] = entry
    out["tax_rate"] = np.where(vat, RATE, np.nan)
    out["tax"] = np.where(vat, from_cents(tax), np.nan)
    out["total"] = np.where(vat, from_cents(total), np.nan)
    return out


def with_vat(seed: int, data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The month's tables with VAT entered on some purchases, sales and their returns (module docstring)."""
    rng = np.random.default_rng((seed, 13))
    purchases, sales, returns = data[PURCHASES.name], data[SALES.name], data[RETURNS.name]
    suppliers = np.unique(purchases["supplier"].to_numpy(dtype=str))
    invoicing = set(suppliers[rng.permutation(len(suppliers))[: (len(suppliers) + 1) // 2]])
    p_vat = purchases["supplier"].isin(invoicing).to_numpy(dtype=bool)
    customer = sales["customer"].astype(str)
    s_incl = customer.str.endswith(_INCLUSIVE_CUSTOMERS).to_numpy(dtype=bool)
    s_vat = s_incl | customer.str.endswith(_INVOICED_CUSTOMERS).to_numpy(dtype=bool)
    # A return follows its original document's entry (one entry per document: one supplier or customer each).
    vat_docs = set(purchases["doc_no"][p_vat]) | set(sales["doc_no"][s_vat])
    incl_docs = set(sales["doc_no"][s_incl])
    r_vat = returns["orig_doc_no"].isin(vat_docs).to_numpy(dtype=bool)
    r_incl = returns["orig_doc_no"].isin(incl_docs).to_numpy(dtype=bool)
    return data | {
        PURCHASES.name: _entry(purchases, p_vat, np.zeros(len(purchases), dtype=bool)),
        SALES.name: _entry(sales, s_vat, s_incl),
        RETURNS.name: _entry(returns, r_vat, r_incl),
    }
