"""The VAT block of the summary sheet (概览 / Summary): textbook months to the cent for a general and a small-scale
taxpayer (tax-exclusive and tax-inclusive lines, returns of both kinds), tying to the lines' 税额; no block for a
month without VAT lines; and the block as sync writes it to the sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import python_calamine

from jxc_xl.core.book import Workbook
from jxc_xl.core.generate import generate
from jxc_xl.core.messages import word
from jxc_xl.core.money import to_cents
from jxc_xl.core.summary import SummaryRow, summary_rows
from jxc_xl.core.vat import vat_lines
from jxc_xl.io.reader import read_workbook
from jxc_xl.schema import PURCHASES, RETURNS, SALES, SUMMARY, SUMMARY_SECTIONS, Lang
from jxc_xl.sync import sync_file
from tests.factories import make_workbook, small_month, write_book


def d(day: int) -> str:
    return f"2026-04-{day:02d}"


def buy(day: int, doc: str, qty: float, price: float, **vat: Any) -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "supplier": "华东贸易", "sku": "A", "qty": qty, "unit_price": price, **vat}


def sell(day: int, doc: str, qty: float, price: float, **vat: Any) -> dict[str, Any]:
    return {"date": d(day), "doc_no": doc, "customer": "门店", "sku": "A", "qty": qty, "unit_price": price, **vat}


def back(day: int, kind: str, orig: str, qty: float, price: float, **vat: Any) -> dict[str, Any]:
    line = {"date": d(day), "doc_no": f"R-{orig}", "kind": kind, "orig_doc_no": orig, "sku": "A", "qty": qty}
    return line | {"unit_price": price, **vat}


def vat_section(wb: Workbook, lang: Lang = "zh") -> list[SummaryRow]:
    return [r for r in summary_rows(wb, generate(wb, lang), lang) if r.section == "vat"]


def typed_tax_cents(wb: Workbook) -> dict[str, int]:
    """The sum of the 税额 column per table as typed (every line of these months types it)."""
    return {
        name: int(to_cents(wb.df(name)["tax"].to_numpy(np.float64)).sum())
        for name in (PURCHASES.name, SALES.name, RETURNS.name)
    }


def general_month() -> Workbook:
    """一般纳税人, 13 %:
    purchases  P1 100 × 100.00 excl.  tax 1,300.00   P2 50 × 226.00 incl. (11,300.00 = 10,000.00 + 1,300.00)
    purchase return of P1: 10 × 100.00 excl.  tax 130.00
    sales      S1 80 × 200.00 excl.  tax 2,080.00    S2 20 × 339.00 incl. (6,780.00 = 6,000.00 + 780.00)
    sales return of S1: 5 × 200.00 excl.  tax 130.00
    output 2,080.00 + 780.00 − 130.00 = 2,730.00; input 1,300.00 + 1,300.00 − 130.00 = 2,470.00; payable 260.00."""
    return make_workbook(
        {
            "tblItems": [{"sku": "A", "name": "打印纸"}],
            "tblPurchases": [
                buy(2, "P1", 100, 100.00, tax_included="否", tax_rate=0.13, tax=1300.00, total=11300.00),
                buy(3, "P2", 50, 226.00, tax_included="是", tax_rate=0.13, tax=1300.00, total=11300.00),
            ],
            "tblSales": [
                sell(5, "S1", 80, 200.00, tax_rate=0.13, tax=2080.00, total=18080.00),
                sell(6, "S2", 20, 339.00, tax_included="是", tax_rate=0.13, tax=780.00, total=6780.00),
            ],
            "tblReturns": [
                back(8, "purchase_return", "P1", 10, 100.00, tax_rate=0.13, tax=130.00, total=1130.00),
                back(9, "sales_return", "S1", 5, 200.00, tax_rate=0.13, tax=130.00, total=1130.00),
            ],
        }
    )


def test_general_taxpayer_output_input_and_payable_to_the_cent() -> None:
    wb = general_month()
    rows = vat_section(wb)
    assert [r.item for r in rows] == [word(k, "zh") for k in ("sum_vat_output", "sum_vat_input", "sum_vat_payable")]
    assert [r.amount_cents for r in rows] == [273_000, 247_000, 26_000]
    assert [r.value for r in rows] == [3.0, 3.0, None]  # the VAT lines on each side
    typed = typed_tax_cents(wb)  # ties to the 税额 columns: sales − sales returns, purchases − purchase returns
    assert rows[0].amount_cents == typed[SALES.name] - 13_000
    assert rows[1].amount_cents == typed[PURCHASES.name] - 13_000
    assert typed[RETURNS.name] == 26_000


def test_general_taxpayer_with_more_input_than_output_shows_a_credit() -> None:
    wb = make_workbook(
        {
            "tblItems": [{"sku": "A", "name": "打印纸"}],
            "tblPurchases": [buy(2, "P1", 100, 100.00, tax_rate=0.13)],  # 税额 blank: 13 % of 10,000.00
            "tblSales": [sell(5, "S1", 10, 150.00, tax_rate=0.13)],  # 195.00
        },
        lang="en",
    )
    rows = vat_section(wb, "en")
    assert [r.amount_cents for r in rows] == [19_500, 130_000, -110_500]
    assert rows[2].item == word("sum_vat_payable", "en") and "credit" in rows[2].item


def test_small_scale_taxpayer_tax_due_on_sales_to_the_cent() -> None:
    """小规模纳税人 at the 3 % levy rate: S1 10 × 103.00 incl. → 1,000.00 + 30.00; S2 5 × 200.00 excl. → 30.00;
    a sales return of S2, 1 × 200.00 → −6.00: VAT due 54.00. The purchase's 150.00 VAT is in the cost."""
    wb = make_workbook(
        {
            "tblItems": [{"sku": "A", "name": "打印纸"}],
            "tblPurchases": [buy(1, "P1", 50, 100.00, tax_rate=0.03, tax=150.00, total=5150.00)],
            "tblSales": [
                sell(5, "S1", 10, 103.00, tax_included="是", tax_rate=0.03, tax=30.00, total=1030.00),
                sell(6, "S2", 5, 200.00, tax_rate=0.03, tax=30.00, total=1030.00),
            ],
            "tblReturns": [back(9, "sales_return", "S2", 1, 200.00, tax_rate=0.03, tax=6.00, total=206.00)],
        },
        taxpayer="small_scale",
        vat_rate=0.03,
    )
    rows = vat_section(wb)
    assert [r.item for r in rows] == [word("sum_vat_levy", "zh"), word("sum_vat_input_cost", "zh")]
    assert [r.amount_cents for r in rows] == [5_400, 15_000]
    assert [r.value for r in rows] == [3.0, 1.0]
    sales = vat_lines(wb.df(SALES.name), wb.settings)
    assert sales.net.tolist() == [100_000, 100_000] and sales.tax.tolist() == [3_000, 3_000]


def test_no_vat_block_without_vat_lines() -> None:
    """small_month has the VAT columns but no VAT cell filled in: nothing is known of its VAT, no block."""
    wb = make_workbook(small_month(), period="2026-11")
    labels = [r.section for r in summary_rows(wb, generate(wb), "zh")]
    assert labels[0] == "month" and "vat" not in labels


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sync_writes_the_vat_block_after_the_month(tmp_path: Path, lang: Lang) -> None:
    data = small_month()
    for p in data["tblPurchases"]:
        p.update(tax_rate=0.13, tax=round(p["amount"] * 0.13, 2))
    for s in data["tblSales"][:2]:
        s.update(tax_included="是" if lang == "zh" else "yes", tax_rate=0.13)
    path = write_book(tmp_path / f"vat-{lang}.xlsx", data, lang=lang)
    sync_file(path, backup=False)
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SUMMARY.sheet(lang)).to_python()
    sheet = pd.DataFrame(rows[1:], columns=rows[0])
    section = sheet.columns[0]
    labels = list(dict.fromkeys(sheet[section]))
    vat_label = SUMMARY_SECTIONS["vat"].label(lang)
    assert labels[:2] == [SUMMARY_SECTIONS["month"].label(lang), vat_label]
    vat = sheet[sheet[section] == vat_label]
    amounts = [int(to_cents(np.float64(v))) for v in vat[sheet.columns[2]]]
    wb = read_workbook(path)
    purchases = vat_lines(wb.df(PURCHASES.name), wb.settings)
    sales = vat_lines(wb.df(SALES.name), wb.settings)
    assert amounts[1] == int(purchases.tax.sum()) == int(to_cents(wb.df(PURCHASES.name)["tax"].to_numpy()).sum())
    assert amounts[0] == int(sales.tax.sum()) > 0
    assert amounts[2] == amounts[0] - amounts[1]
