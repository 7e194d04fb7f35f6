"""One item's stock card (明细账) from a workbook file: what ``jxc card FILE SKU`` prints.

File-level adapter: read (``io.reader``) → check (``core.rules``) → value the month → ``core.card``. The card is
computed even when validation finds errors (it is read, never written); the result says how many there are.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape

from jxc_xl.core.messages import money_text, phrase
from jxc_xl.errors import JxcError
from jxc_xl.schema import CARD, VALUATION_CHOICES, ColType, Lang

_NEAR = 5  # similar SKUs named when the one asked for is not in the workbook


@dataclass
class StockCard:
    """One SKU's card: its lines (tblCard column keys) and what names them."""

    path: Path
    sku: str
    name: str | None
    unit: str | None
    period: str
    method: str  # the valuation method's label in the workbook's language
    lang: Lang  # the workbook's own language
    lines: pd.DataFrame  # tblCard keys; empty when the SKU has no opening and no movement
    closing_qty: float
    closing_amount: float
    errors: int  # validation errors of the workbook (the card is computed from the data as it is)


def stock_card(path: str | os.PathLike[str], sku: str, *, lang: Lang | None = None) -> StockCard:
    """The stock card of ``sku`` in the month of ``path`` (never modified): opening, every movement in event
    order with the running balance, each line as the valuation booked it; the last line equals 库存's closing.

    Args:
        path: the month's workbook.
        sku: the item code (surrounding spaces ignored).
        lang: language of the messages and the kind column (default: the workbook's).

    Returns:
        The StockCard: lines (tblCard column keys), the item's name and unit, period, valuation method, its
        closing qty and amount, and the number of validation errors.

    Raises:
        UsageError: ``path`` names no regular file.
        NotAWorkbookError: ``path`` is not a readable workbook.
        ValidationFailedError: the workbook has no usable period.
        JxcError: the SKU is nowhere in the workbook (the message names similar SKUs).
    """
    from jxc_xl.core.card import card_lines
    from jxc_xl.core.plan import item_frame
    from jxc_xl.core.refusal import Caller, errors_of, require_computable
    from jxc_xl.core.rules import all_findings
    from jxc_xl.core.valuation import value_month
    from jxc_xl.io.reader import read_workbook
    from jxc_xl.sync import _require_input

    path = Path(path)
    _require_input(path)
    wb = read_workbook(path, msg_lang=lang, generated=False)
    findings = all_findings(wb, lang=lang or wb.lang)
    settings = require_computable(wb, findings, force=True, caller=Caller(str(path), "sync"), lang=lang)
    say = lang or wb.lang
    val = value_month(wb)
    key = sku.strip()
    skus = [str(s) for s in val.stock["sku"]]
    if key not in skus:
        near = difflib.get_close_matches(key, skus, n=_NEAR) or sorted(
            s for s in skus if key.casefold() in s.casefold()
        )
        hint = phrase("card_near", say, skus=", ".join(near[:_NEAR])) if near else ""
        raise JxcError(phrase("card_unknown_sku", say, path=path, sku=key, near=hint).strip())
    row = val.stock.iloc[skus.index(key)]
    item = item_frame(wb, pd.Index([key], dtype=object)).iloc[0]
    method = next(c for c in VALUATION_CHOICES if c.key == settings.valuation).label(say)
    return StockCard(
        path=path,
        sku=key,
        name=_text(item["name"]),
        unit=_text(item["unit"]),
        period=settings.period,
        method=method,
        lang=wb.lang,
        lines=card_lines(wb, val, say, skus=[key]),
        closing_qty=float(row["closing_qty"]),
        closing_amount=int(row["closing_cents"]) / 100,
        errors=len(errors_of(findings)),
    )


def render_card(card: StockCard, out: Console, err: Console, lang: Lang) -> None:
    """Print ``card`` as ``jxc card`` shows it: a head line, the lines as a table, the closing.

    Args:
        card: what ``stock_card`` returned.
        out: where the card goes (stdout).
        err: where the note about validation errors goes (stderr).
        lang: language of the headers and lines.

    Returns:
        None; the card is printed.
    """
    from rich.measure import Measurement
    from rich.table import Table

    name = " ".join(x for x in (card.name, f"({card.unit})" if card.unit else None) if x)
    head = dict(sku=card.sku, name=name, period=card.period, method=card.method)
    out.print(escape(phrase("cli_card_head", lang, **head)), highlight=False)
    if card.errors:
        err.print("[yellow]" + escape(phrase("cli_card_errors", lang, n=card.errors)) + "[/]")
    if not len(card.lines):
        out.print(phrase("cli_card_empty", lang))
        return
    keys = [k for k in CARD.keys() if k not in ("sku", "name")]
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for k in keys:
        col = CARD.column(k)
        table.add_column(col.header(lang), justify="left" if col.type in (ColType.TEXT, ColType.DATE) else "right")
    for row in card.lines[keys].itertuples(index=False):
        table.add_row(*(escape(_cell(v, CARD.column(k).type)) for k, v in zip(keys, row, strict=True)))
    wide = Measurement.get(out, out.options.update_width(1000), table).maximum
    Console(file=out.file, width=max(out.width, wide), highlight=False).print(table)  # no cell is cut
    qty, amount = _cell(card.closing_qty, ColType.QTY), money_text(card.closing_amount)
    out.print(phrase("cli_card_closing", lang, qty=qty, amount=amount), highlight=False)


def _cell(v: Any, kind: ColType) -> str:
    """A card cell as the sheet shows it: blank, a date, money to 2 and unit costs to 4 decimals, qty as is."""
    if v is None or pd.isna(v):
        return ""
    if kind == ColType.DATE:
        return str(v)[:10]
    if kind == ColType.MONEY:
        return money_text(float(v))
    if kind == ColType.PRICE:
        return f"{float(v):,.4f}"
    if kind == ColType.QTY:
        return f"{float(v):,.9f}".rstrip("0").rstrip(".")
    return str(v)


def _text(v: object) -> str | None:
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


__all__ = ["StockCard", "render_card", "stock_card"]
