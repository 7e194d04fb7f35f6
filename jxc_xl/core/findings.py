"""Findings: data problems collected with a stable code, never raised."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Severity = Literal["error", "warning"]

# Every code of the contract with its default severity.
CODES: dict[str, Severity] = {
    "file-unreadable": "error",
    "cells-ignored": "warning",  # cells far outside a sheet's data, left unread (the sheet would not fit in memory)
    "table-missing": "error",
    "optional-table-missing": "warning",  # a table a month may lack (Table.optional): computed as empty
    "total-row-skipped": "warning",  # 合计 / Total rows and signature lines among the data: not documents
    "rows-below-table": "warning",  # lines typed below an Excel Table's range: computed, missed by its formulas
    "column-missing": "error",
    "settings-invalid": "error",
    "required-missing": "error",
    "bad-type": "error",
    "duplicate-sku": "error",
    "unknown-sku": "error",
    "inactive-sku": "warning",
    "date-outside-period": "error",
    "non-positive-qty": "error",
    "negative-price": "error",
    "amount-mismatch": "error",
    "amount-too-large": "error",  # a line's money beyond money.MAX_LINE_AMOUNT (sums would lose cents)
    "cost-too-large": "error",  # a sale, return or count whose money at cost passes MAX_LINE_AMOUNT (rules_cost)
    "vat-total-mismatch": "error",  # 价税合计 ≠ amount without VAT + VAT, to the cent (core.rules_vat)
    "vat-tax-mismatch": "warning",  # a typed VAT more than 0.01 from amount × rate
    "vat-rate-unusual": "warning",  # a VAT rate other than 0/1/3/5/6/9/13 %
    "vat-rate-invalid": "error",  # a VAT rate of 100 % or more (13 typed for 13 %)
    "duplicate-line": "warning",
    "negative-stock": "error",
    "return-unknown-original": "warning",  # an error when last month was checked too and lacks it
    "return-sku-not-on-original": "error",
    "return-before-original": "error",
    "return-exceeds-original": "error",
    "order-expected-before-order": "error",  # tblOrders: expected arrival before the order date
    "order-received-exceeds": "warning",  # tblOrders: more received than ordered (nothing left on order)
    "order-duplicate-line": "warning",  # tblOrders: the same order no and SKU twice (both count as on order)
    "order-overdue": "warning",  # tblOrders: open, expected before the plan's as-of date (still counted)
    "other-unknown-reason": "error",  # tblOther: a reason none of OTHER_REASONS (its direction is unknown)
    "unknown-warehouse": "error",  # issue 12.2: a warehouse code not in 仓库 (when that list exists)
    "transfer-to-itself": "error",  # issue 12.2: a 调拨 line whose from and to warehouse are the same
    "transfer-exceeds-stock": "error",  # issue 12.2: a transfer of more than its source warehouse holds then
    "opening-mismatch": "error",
    "period-gap": "error",
}


class Finding(BaseModel):
    """One problem, located: sheet, Excel row, column key and A1 cell (any may be None for file level)."""

    code: str
    severity: Severity
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: Any = None
    message: str


# Column letters ↔ indices, shared by the core and the file-format code. Both count columns from 0 (A = 0),
# as numpy and pandas do; OOXML code that counts from 1 (xlsxpatch) converts at the call.


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    """Excel letters (upper case) → 0-based column index (A → 0, AA → 26); the inverse of ``col_letter``."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
