"""The ledger rules: every data problem of one monthly workbook, as findings, over the typed frames.

Each rule builds one boolean mask over whole columns; Finding objects are made only for the rows that
fail, so a clean 500,000-line month costs little more than its reading. The reader already reported
table-missing, column-missing, bad-type (``TableData.bad``) and settings-invalid: those cells and
columns are not reported again here. Rules never raise on bad data. The rules across months (opening
against last month's closing, returns of last month's documents) are in ``core.chains``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW, TableData, Workbook
from jxc_xl.core.carried import carried_lines
from jxc_xl.core.chains import opening_rule
from jxc_xl.core.findings import Finding
from jxc_xl.core.ledger import (
    RETURN_ORIGINAL_KIND,
    book_balance,
    clean_keys,
    ledger_events,
    opening_lines,
    running_balance,
)
from jxc_xl.core.messages import word
from jxc_xl.core.money import MAX_LINE_AMOUNT, line_over_limit
from jxc_xl.core.other import unknown_reason_rule
from jxc_xl.core.rulebase import EPS, ORIGINAL_TABLE, RuleContext, exceeds_original, num, pair_hash
from jxc_xl.core.rules_cost import cost_rule
from jxc_xl.core.rules_orders import orders_rule
from jxc_xl.core.rules_vat import vat_rule
from jxc_xl.core.rules_warehouses import warehouses_rule
from jxc_xl.core.warehouses import split_keys, workbook_keys
from jxc_xl.schema import (
    CARRIED,
    COUNTS,
    HISTORY,
    INPUT_TABLES,
    ITEMS,
    OPENING,
    ORDERS,
    OTHER,
    PURCHASES,
    RETURN_KINDS,
    RETURNS,
    SALES,
    SETTINGS_TABLE,
    TRANSFERS,
    ColType,
    Lang,
)

AMOUNT_TOLERANCE = 0.01
LEDGER_NAMES = (PURCHASES.name, SALES.name, RETURNS.name, COUNTS.name)
SKU_TABLES = (  # tables whose sku must be in tblItems
    OPENING.name,
    *LEDGER_NAMES,
    HISTORY.name,
    ORDERS.name,
    OTHER.name,
    TRANSFERS.name,
)
MOVING_NAMES = (*LEDGER_NAMES, OTHER.name)  # tables whose lines move stock: an inactive item on them is said
UNDATED = (ORDERS.name, OPENING.name, CARRIED.name)  # dates that may fall outside the period (orders, lots, docs)
PRICED = {PURCHASES.name: "unit_price", SALES.name: "unit_price", RETURNS.name: "unit_price", OPENING.name: "unit_cost"}
MAX_SUGGEST = 50  # unknown SKUs that get a "close match" hint (difflib is slow on big item lists)


def _valid(td: TableData, key: str) -> np.ndarray:
    """Cells not already reported as bad-type by the reader."""
    bad = td.bad.get(key)
    return np.ones(len(td.df), dtype=bool) if bad is None else ~np.asarray(bad, dtype=bool)


def check(
    wb: Workbook,
    *,
    lang: Lang = "zh",
    previous_closing: pd.DataFrame | None = None,
    previous_period: str | None = None,
) -> list[Finding]:
    """Every finding of the rules over ``wb`` (the reader's own findings are not repeated).

    ``previous_closing``: last month's tblStock (``generate.stock_balances``: sku, closing_qty, closing_amount);
    given, tblOpening must equal it per SKU (``chains.check_opening``).
    """
    ctx = RuleContext(wb, lang)
    _required(ctx)
    _bounds(ctx)
    _dates(ctx)
    _amounts(ctx)
    _too_large(ctx)
    cost_rule(ctx)
    _skus(ctx)
    _duplicate_lines(ctx)
    _returns(ctx)
    _negative_stock(ctx)
    unknown_reason_rule(ctx)
    warehouses_rule(ctx)
    orders_rule(ctx)
    vat_rule(ctx)
    if previous_closing is not None:
        opening_rule(ctx, previous_closing, previous_period)
    return ctx.out


def all_findings(wb: Workbook, *, lang: Lang = "zh") -> list[Finding]:
    """The reader's findings and the rules' for one workbook: what sync and the Excel button refuse on."""
    return [*wb.findings, *check(wb, lang=lang)]


# ---------------------------------------------------------------------------------------------------
# Cell rules


def _user_tables(ctx: RuleContext) -> Iterable[TableData]:
    for t in INPUT_TABLES:
        if t.name != SETTINGS_TABLE.name and (td := ctx.table(t.name)) is not None:
            yield td


def _hint(ctx: RuleContext, td: TableData, key: str) -> str:
    col = td.table.column(key)
    if key == "sku":
        return word("hint_sku", ctx.lang)
    if col.type == ColType.DATE:
        return word("hint_date", ctx.lang)
    if col.type == ColType.CHOICE:
        return word("hint_choice", ctx.lang).format(choices=" | ".join(col.choice_labels(ctx.wb.lang)))
    if col.type in (ColType.QTY, ColType.MONEY, ColType.PRICE, ColType.NUMBER):
        return word("hint_number", ctx.lang)
    return word("hint_text", ctx.lang)


def _required(ctx: RuleContext) -> None:
    for td in _user_tables(ctx):
        for key in td.table.required_keys():
            if ctx.has_col(td, key):
                mask = td.df[key].isna().to_numpy() & _valid(td, key)
                ctx.emit("required-missing", td, mask, key, hint=_hint(ctx, td, key))


def _bounds(ctx: RuleContext) -> None:
    """Quantities > 0 (or ≥ 0 where the column allows 0); prices and amounts ≥ 0.

    Where negative stock is allowed, last month may close below zero, so the opening may too.
    """
    negative_opening = ctx.wb.settings is not None and ctx.wb.settings.allow_negative
    for td in _user_tables(ctx):
        for col in td.table.columns:
            if (col.gt is None and col.ge is None) or not ctx.has_col(td, col.key):
                continue
            if negative_opening and td.table is OPENING and col.key in ("qty", "amount"):
                continue
            v = num(td, col.key)
            with np.errstate(invalid="ignore"):
                mask = v <= col.gt if col.gt is not None else v < col.ge
            money = col.type in (ColType.PRICE, ColType.MONEY)
            code = "negative-price" if money else "non-positive-qty"
            bound = word("gt0" if col.gt is not None else "ge0", ctx.lang)
            variant = "non-positive-number" if col.type == ColType.NUMBER else None
            ctx.emit(code, td, mask, col.key, message_code=variant, bound=bound)


def _dates(ctx: RuleContext) -> None:
    s = ctx.wb.settings
    if s is None:
        return
    first = np.datetime64(s.first_day, "ns")
    after = np.datetime64(s.last_day, "ns") + np.timedelta64(1, "D")
    for td in _user_tables(ctx):
        if td.table.name in UNDATED:
            continue
        for col in td.table.columns:
            if col.type != ColType.DATE or not ctx.has_col(td, col.key):
                continue
            d = pd.to_datetime(td.df[col.key], errors="coerce").to_numpy(dtype="datetime64[ns]")
            mask = ~np.isnat(d) & ((d < first) | (d >= after))
            if mask.any():
                periods = pd.DatetimeIndex(d).strftime("%Y-%m").to_numpy(dtype=object)
                ctx.emit(
                    "date-outside-period",
                    td,
                    mask,
                    col.key,
                    period=s.period,
                    first=s.first_day,
                    last=s.last_day,
                    value_period=periods,
                )
    _receipt_dates(ctx, first)


def _receipt_dates(ctx: RuleContext, first: np.datetime64) -> None:
    """An opening lot's receipt date must precede the period (a warning: it only orders the FIFO lots)."""
    td = ctx.table(OPENING.name)
    if td is None or not ctx.has_col(td, "receipt_date") or ctx.wb.settings is None:
        return
    d = pd.to_datetime(td.df["receipt_date"], errors="coerce").to_numpy(dtype="datetime64[ns]")
    s = ctx.wb.settings
    mask = ~np.isnat(d) & (d >= first) & _valid(td, "receipt_date")
    ctx.emit(
        "date-outside-period",
        td,
        mask,
        "receipt_date",
        message_code="date-receipt-in-period",
        severity="warning",
        period=s.period,
        first=s.first_day,
    )


def _amounts(ctx: RuleContext) -> None:
    """|amount − qty × price| > 0.01 where all three are given."""
    for name, price_key in PRICED.items():
        td = ctx.table(name)
        if td is None or not all(ctx.has_col(td, k) for k in ("qty", price_key, "amount")):
            continue
        qty, price, amount = num(td, "qty"), num(td, price_key), num(td, "amount")
        with np.errstate(over="ignore", invalid="ignore"):  # absurd typed numbers overflow to inf: still reported
            expected = qty * price
            diff = np.abs(amount - expected)
            rounded_expected, rounded_diff = np.round(expected, 2), np.round(diff, 2)
            # NaN anywhere → False; a qty or price already out of bounds is that finding, not this one
            in_bounds = (qty >= 0 if name == OPENING.name else qty > 0) & (price >= 0)
            mask = in_bounds & (diff > AMOUNT_TOLERANCE + EPS)
        if mask.any():
            ctx.emit(
                "amount-mismatch",
                td,
                mask,
                "amount",
                qty=qty,
                price=price,
                price_header=ctx.header(td, price_key),
                expected=rounded_expected,
                diff=rounded_diff,
            )


def _too_large(ctx: RuleContext) -> None:
    """A line whose amount (or qty × price, the amount blank) is beyond money.MAX_LINE_AMOUNT, on that cell."""
    for name, price_key in PRICED.items():
        td = ctx.table(name)
        if td is None or not all(ctx.has_col(td, k) for k in ("qty", price_key, "amount")):
            continue
        qty, price, amount = num(td, "qty"), num(td, price_key), num(td, "amount")
        given = ~np.isnan(amount)
        with np.errstate(over="ignore", invalid="ignore"):
            product = np.abs(qty * price)
        big_amount = line_over_limit(np.nan, np.nan, np.round(amount * 100.0))
        big_product = ~big_amount & line_over_limit(qty, price, 0)
        limit = f"{MAX_LINE_AMOUNT:,.0f}"
        ctx.emit("amount-too-large", td, big_amount & given, "amount", amount=amount, limit=limit)
        ctx.emit("amount-too-large", td, big_product, price_key, amount=product, limit=limit)


# ---------------------------------------------------------------------------------------------------
# SKU rules


def _first_rows(df: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For every row, the Excel row of the first row with the same ``keys`` values."""
    return df.groupby(keys, sort=False, dropna=False)[ROW].transform("first").to_numpy()


def _skus(ctx: RuleContext) -> None:
    items = ctx.table(ITEMS.name)
    if items is None or not ctx.has_col(items, "sku"):
        return
    isku = items.df["sku"]
    dup = isku.notna().to_numpy() & isku.duplicated(keep="first").to_numpy()
    if dup.any():
        ctx.emit("duplicate-sku", items, dup, "sku", first_row=_first_rows(items.df, ["sku"]))

    known = pd.Index(isku.dropna().unique())
    inactive = pd.Index(isku[items.df["active"].eq("no").to_numpy()].dropna().unique()) if "active" in items.df else []
    items_sheet = items.sheet
    suggest_cache: dict[str, str] = {}
    for name in SKU_TABLES:
        td = ctx.table(name)
        if td is None or not ctx.has_col(td, "sku"):
            continue
        sku = td.df["sku"]
        unknown = sku.notna().to_numpy() & ~sku.isin(known).to_numpy()
        if unknown.any():
            suggest = [_suggest(ctx, str(v), known, suggest_cache) for v in sku.to_numpy(dtype=object)[unknown]]
            full = np.full(len(sku), "", dtype=object)
            full[unknown] = suggest
            ctx.emit("unknown-sku", td, unknown, "sku", items_sheet=items_sheet, suggest=full)
        if name in MOVING_NAMES and len(inactive):
            ctx.emit("inactive-sku", td, sku.isin(inactive).to_numpy(), "sku", items_sheet=items_sheet)


def _suggest(ctx: RuleContext, sku: str, known: pd.Index, cache: dict[str, str]) -> str:
    if sku in cache:
        return cache[sku]
    if len(cache) >= MAX_SUGGEST:
        return ""
    close = difflib.get_close_matches(sku, [str(k) for k in known], n=3, cutoff=0.6)
    cache[sku] = word("suggest", ctx.lang).format(codes=", ".join(close)) if close else ""
    return cache[sku]


def _duplicate_lines(ctx: RuleContext) -> None:
    """The same doc_no, sku, qty and price twice in one table: the second and later occurrences."""
    for name in (PURCHASES.name, SALES.name, RETURNS.name):
        td = ctx.table(name)
        keys = ["doc_no", "sku", "qty", "unit_price"]
        if td is None or not all(ctx.has_col(td, k) for k in keys):
            continue
        df = td.df
        mask = df["doc_no"].notna().to_numpy() & df["sku"].notna().to_numpy() & df.duplicated(keys).to_numpy()
        if mask.any():
            ctx.emit(
                "duplicate-line",
                td,
                mask,
                "doc_no",
                first_row=_first_rows(df, keys),
                doc_no=df["doc_no"],
                sku=df["sku"],
                qty=df["qty"],
                price=df["unit_price"],
            )


# ---------------------------------------------------------------------------------------------------
# Returns against their originals


def _returns(ctx: RuleContext) -> None:
    rt = ctx.table(RETURNS.name)
    if rt is None or not all(ctx.has_col(rt, k) for k in ("kind", "orig_doc_no", "sku", "qty", "date")):
        return
    df = rt.df
    kinds = " | ".join(c.label(ctx.wb.lang) for c in RETURN_KINDS)
    for kind, orig_name in ORIGINAL_TABLE.items():
        orig_td = ctx.table(orig_name)
        sel = (df["kind"].eq(kind) & df["orig_doc_no"].notna()).to_numpy()
        if orig_td is None or not sel.any():
            continue
        doc = df["orig_doc_no"]
        # Only the original lines of documents some return names: a few rows out of hundreds of thousands.
        odoc = orig_td.df["doc_no"]
        orig = orig_td.df.loc[odoc.isin(doc[sel].unique()).to_numpy(), ["doc_no", "sku", "qty", "date"]]
        known_doc = sel & doc.isin(orig["doc_no"]).to_numpy()
        carried = _returns_carried(ctx, rt, kind, sel & ~known_doc)
        ctx.emit(
            "return-unknown-original",
            rt,
            sel & ~known_doc & ~carried,
            "orig_doc_no",
            severity="warning",  # may be last month's document; validate looks there when it has that month
            orig_sheet=orig_td.sheet,
            kind_label=word(kind, ctx.lang),
            orig_label=word("sale" if kind == "sales_return" else "purchase", ctx.lang),
            kinds=kinds,
        )

        pairs = pd.MultiIndex.from_arrays([orig["doc_no"], orig["sku"]])
        ret_pairs = pd.MultiIndex.from_arrays([doc, df["sku"]])
        on_orig = known_doc & df["sku"].notna().to_numpy() & ret_pairs.isin(pairs)
        off = known_doc & df["sku"].notna().to_numpy() & ~on_orig
        if off.any():
            skus_of = orig.groupby("doc_no", sort=False)["sku"].agg(
                lambda s: ", ".join(map(str, s.dropna().unique()[:10]))
            )
            ctx.emit(
                "return-sku-not-on-original",
                rt,
                off,
                "sku",
                orig_doc_no=doc,
                on_doc=doc.map(skus_of).fillna(word("none", ctx.lang)),
            )

        # A return may not predate its original document (its earliest line).
        doc_date = orig.groupby("doc_no", sort=False)["date"].min()
        odate = pd.to_datetime(doc_date.reindex(doc.to_numpy()), errors="coerce").to_numpy(dtype="datetime64[ns]")
        rdate = df["date"].to_numpy(dtype="datetime64[ns]")
        before = known_doc & ~np.isnat(rdate) & ~np.isnat(odate) & (rdate < odate)
        ctx.emit("return-before-original", rt, before, "date", orig_doc_no=doc, orig_date=odate)

        # Several partial returns add up in event order (by date, ties in sheet row order).
        orig_qty = orig.groupby(["doc_no", "sku"], sort=False)["qty"].sum()
        limit = np.full(len(df), np.nan)
        limit[on_orig] = orig_qty.reindex(ret_pairs[on_orig]).to_numpy()
        exceeds_original(ctx, rt, on_orig, pair_hash(doc, df["sku"]), limit)


def _returns_carried(ctx: RuleContext, rt: TableData, kind: str, rows: np.ndarray) -> np.ndarray:
    """The returns of ``rows`` (original not in this month) whose document tblCarried holds: checked against it
    (return-sku-not-on-original, return-exceeds-original against the qty still returnable); their mask."""
    lines = carried_lines(ctx.wb)
    lines = lines[lines["kind"] == RETURN_ORIGINAL_KIND[kind]]
    if not rows.any() or not len(lines):
        return np.zeros(len(rt.df), dtype=bool)
    doc, sku = clean_keys(rt.df["orig_doc_no"]), clean_keys(rt.df["sku"])
    found = rows & doc.isin(lines["doc_no"]).to_numpy()
    pairs = pd.MultiIndex.from_frame(lines[["doc_no", "sku"]])
    at = pairs.get_indexer(pd.MultiIndex.from_arrays([doc, sku]))
    on_doc = found & (at >= 0)
    skus_of = lines.groupby("doc_no", sort=False)["sku"].agg(lambda s: ", ".join(map(str, s.unique()[:10])))
    ctx.emit(
        "return-sku-not-on-original",
        rt,
        found & sku.notna().to_numpy() & ~on_doc,
        "sku",
        orig_doc_no=rt.df["orig_doc_no"],
        on_doc=doc.map(skus_of).fillna(word("none", ctx.lang)),
    )
    limit = np.where(at >= 0, lines["qty"].to_numpy(dtype=np.float64)[np.maximum(at, 0)], np.nan)
    exceeds_original(ctx, rt, on_doc, pair_hash(doc, sku), limit)
    return found


# ---------------------------------------------------------------------------------------------------
# Running balance


def _negative_stock(ctx: RuleContext) -> None:
    s = ctx.wb.settings
    if s is not None and s.allow_negative:
        return
    if any(ctx.table(n) is None for n in LEDGER_NAMES):
        return  # a missing ledger table was reported; the running balance would be wrong
    events = ledger_events(ctx.wb)
    known = np.ones(len(events), dtype=bool)
    items = ctx.table(ITEMS.name)
    if items is not None and len(events):  # an unknown SKU is reported as such, not again as negative stock
        known = events["sku"].isin(items.df["sku"].dropna()).to_numpy()
        events = events[known]
    if not len(events):
        return
    keys = workbook_keys(ctx.wb)  # with warehouses: per warehouse (issue 12.2)
    if keys is None:
        bal = book_balance(ctx.wb)[known]  # the company's, as each SKU's balance is its own events'
    else:
        events = events.assign(sku=keys.events[events.index.to_numpy()])
        opening = pd.Series(opening_lines(ctx.wb)["qty"].to_numpy(dtype=np.float64), index=keys.lines)
        bal = running_balance(events, opening).to_numpy(dtype=np.float64)
    neg = bal < -EPS
    if not neg.any():
        return
    first = events[neg].assign(_bal=bal[neg]).drop_duplicates("sku", keep="first")  # events are in event order
    for name, grp in first.groupby("table", sort=False):
        td = ctx.table(str(name))
        if td is None or name == TRANSFERS.name:  # a transfer: transfer-exceeds-stock (core.rules_warehouses)
            continue
        key = "counted_qty" if name == COUNTS.name else "qty"
        rows = pd.Index(td.df[ROW])
        mask = np.zeros(len(td.df), dtype=bool)
        at = rows.get_indexer(grp[ROW])
        found = at >= 0
        mask[at[found]] = True
        values = np.zeros(len(td.df))
        values[at[found]] = np.round(grp["_bal"].to_numpy()[found], 6)
        kinds = np.full(len(td.df), "", dtype=object)
        kinds[at[found]] = [word(str(k), ctx.lang) for k in grp["kind"].to_numpy()[found]]
        wh = np.full(len(td.df), "", dtype=object)
        if keys is not None:
            wh[at[found]] = split_keys(grp["sku"].to_numpy(dtype=object)[found])[0]
        ctx.emit(
            "negative-stock",
            td,
            mask,
            key,
            values,
            sku=td.df["sku"],
            date=td.df["date"],
            kind_label=kinds,
            message_code=None if keys is None else "negative-stock-warehouse",
            warehouse=wh,
        )
