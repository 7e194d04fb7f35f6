"""The ledger rules: every data problem of one monthly workbook, as findings, over the typed frames.

Each rule builds one boolean mask over whole columns; Finding objects are made only for the rows that
fail, so a clean 500,000-line month costs little more than its reading. The reader already reported
table-missing, column-missing, bad-type (``TableData.bad``) and settings-invalid: those cells and
columns are not reported again here. Rules never raise on bad data.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW, TableData, Workbook
from jxc_xl.core.findings import Finding, Severity
from jxc_xl.core.ledger import ledger_events, opening_lines, running_balance
from jxc_xl.core.messages import make_finding, word
from jxc_xl.core.money import to_cents
from jxc_xl.schema import (
    COUNTS,
    HISTORY,
    INPUT_TABLES,
    ITEMS,
    OPENING,
    PURCHASES,
    RETURN_KINDS,
    RETURNS,
    SALES,
    SETTINGS_TABLE,
    TABLES_BY_NAME,
    ColType,
    Lang,
)

EPS = 1e-9  # quantities are decimals typed by people; compare with a little slack for binary floats
AMOUNT_TOLERANCE = 0.01
LEDGER_NAMES = (PURCHASES.name, SALES.name, RETURNS.name, COUNTS.name)
SKU_TABLES = (OPENING.name, *LEDGER_NAMES, HISTORY.name)  # tables whose sku must be in tblItems
PRICED = {PURCHASES.name: "unit_price", SALES.name: "unit_price", RETURNS.name: "unit_price", OPENING.name: "unit_cost"}
ORIGINAL_TABLE = {"sales_return": SALES.name, "purchase_return": PURCHASES.name}
MAX_SUGGEST = 50  # unknown SKUs that get a "close match" hint (difflib is slow on big item lists)


class _Ctx:
    """What every rule needs: the workbook, the message language and the findings list."""

    def __init__(self, wb: Workbook, lang: Lang) -> None:
        self.wb = wb
        self.lang = lang
        self.out: list[Finding] = []
        # Columns the reader found missing: their blanks are not reported row by row again.
        self.missing_cols = {(f.sheet, f.column) for f in wb.findings if f.code == "column-missing"}

    def table(self, name: str) -> TableData | None:
        td = self.wb.tables.get(name)
        return td if td is not None and td.present else None

    def has_col(self, td: TableData, key: str) -> bool:
        return key in td.df.columns and (td.sheet, key) not in self.missing_cols

    def header(self, td: TableData, key: str) -> str:
        return td.table.column(key).header(self.wb.lang)

    def emit(
        self,
        code: str,
        td: TableData,
        mask: np.ndarray | pd.Series,
        column: str,
        values: Any = None,
        *,
        message_code: str | None = None,
        severity: Severity | None = None,
        **params: Any,
    ) -> None:
        """One finding per True row of ``mask``. ``params`` are scalars, or arrays aligned with the frame."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(idx):
            return
        rows = td.df[ROW].to_numpy()[idx]
        vals = _objects(td.df[column] if values is None else values)[idx]
        per_row = {k: _objects(v)[idx] for k, v in params.items() if _is_array(v)}
        fixed = {k: v for k, v in params.items() if k not in per_row}
        letter = td.col_letters.get(column)
        header = self.header(td, column) if column in td.table.keys() else column
        for i, (r, v) in enumerate(zip(rows, vals, strict=True)):
            self.out.append(
                make_finding(
                    code,
                    self.lang,
                    sheet=td.sheet,
                    row=int(r),
                    column=column,
                    cell=f"{letter}{int(r)}" if letter else None,
                    value=v,
                    message_code=message_code,
                    severity=severity,
                    header=header,
                    **fixed,
                    **{k: a[i] for k, a in per_row.items()},
                )
            )


def _is_array(v: Any) -> bool:
    return isinstance(v, np.ndarray | pd.Series | pd.Index | list)


def _objects(v: Any) -> np.ndarray:
    """Values as an object array; datetimes as Timestamps (numpy would turn them into integers)."""
    a = np.asarray(v)
    if a.dtype.kind == "M":
        return pd.DatetimeIndex(a).astype(object).to_numpy()
    return np.asarray(v, dtype=object)


def _valid(td: TableData, key: str) -> np.ndarray:
    """Cells not already reported as bad-type by the reader."""
    bad = td.bad.get(key)
    return np.ones(len(td.df), dtype=bool) if bad is None else ~np.asarray(bad, dtype=bool)


def _num(td: TableData, key: str) -> np.ndarray:
    return pd.to_numeric(td.df[key], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def check(
    wb: Workbook,
    *,
    lang: Lang = "zh",
    previous_closing: pd.DataFrame | None = None,
    previous_period: str | None = None,
) -> list[Finding]:
    """Every finding of the rules over ``wb`` (the reader's own findings are not repeated).

    ``previous_closing``: last month's tblStock (``generate.stock_balances``: sku, closing_qty, closing_amount);
    given, tblOpening must equal it per SKU.
    """
    ctx = _Ctx(wb, lang)
    _required(ctx)
    _bounds(ctx)
    _dates(ctx)
    _amounts(ctx)
    _skus(ctx)
    _duplicate_lines(ctx)
    _returns(ctx)
    _negative_stock(ctx)
    if previous_closing is not None:
        _opening(ctx, previous_closing, previous_period)
    return ctx.out


def all_findings(wb: Workbook, *, lang: Lang = "zh") -> list[Finding]:
    """The reader's findings and the rules' for one workbook: what sync and the Excel button refuse on."""
    return [*wb.findings, *check(wb, lang=lang)]


# ---------------------------------------------------------------------------------------------------
# Cell rules


def _user_tables(ctx: _Ctx) -> Iterable[TableData]:
    for t in INPUT_TABLES:
        if t.name != SETTINGS_TABLE.name and (td := ctx.table(t.name)) is not None:
            yield td


def _hint(ctx: _Ctx, td: TableData, key: str) -> str:
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


def _required(ctx: _Ctx) -> None:
    for td in _user_tables(ctx):
        for key in td.table.required_keys():
            if ctx.has_col(td, key):
                mask = td.df[key].isna().to_numpy() & _valid(td, key)
                ctx.emit("required-missing", td, mask, key, hint=_hint(ctx, td, key))


def _bounds(ctx: _Ctx) -> None:
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
            v = _num(td, col.key)
            with np.errstate(invalid="ignore"):
                mask = v <= col.gt if col.gt is not None else v < col.ge
            money = col.type in (ColType.PRICE, ColType.MONEY)
            code = "negative-price" if money else "non-positive-qty"
            bound = word("gt0" if col.gt is not None else "ge0", ctx.lang)
            variant = "non-positive-number" if col.type == ColType.NUMBER else None
            ctx.emit(code, td, mask, col.key, message_code=variant, bound=bound)


def _dates(ctx: _Ctx) -> None:
    s = ctx.wb.settings
    if s is None:
        return
    first = np.datetime64(s.first_day, "ns")
    after = np.datetime64(s.last_day, "ns") + np.timedelta64(1, "D")
    for td in _user_tables(ctx):
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


def _amounts(ctx: _Ctx) -> None:
    """|amount − qty × price| > 0.01 where all three are given."""
    for name, price_key in PRICED.items():
        td = ctx.table(name)
        if td is None or not all(ctx.has_col(td, k) for k in ("qty", price_key, "amount")):
            continue
        qty, price, amount = _num(td, "qty"), _num(td, price_key), _num(td, "amount")
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


# ---------------------------------------------------------------------------------------------------
# SKU rules


def _first_rows(df: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For every row, the Excel row of the first row with the same ``keys`` values."""
    return df.groupby(keys, sort=False, dropna=False)[ROW].transform("first").to_numpy()


def _skus(ctx: _Ctx) -> None:
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
        if name in LEDGER_NAMES and len(inactive):
            ctx.emit("inactive-sku", td, sku.isin(inactive).to_numpy(), "sku", items_sheet=items_sheet)


def _suggest(ctx: _Ctx, sku: str, known: pd.Index, cache: dict[str, str]) -> str:
    if sku in cache:
        return cache[sku]
    if len(cache) >= MAX_SUGGEST:
        return ""
    close = difflib.get_close_matches(sku, [str(k) for k in known], n=3, cutoff=0.6)
    cache[sku] = word("suggest", ctx.lang).format(codes=", ".join(close)) if close else ""
    return cache[sku]


def _duplicate_lines(ctx: _Ctx) -> None:
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


def _returns(ctx: _Ctx) -> None:
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
        ctx.emit(
            "return-unknown-original",
            rt,
            sel & ~known_doc,
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
        _exceeds(ctx, rt, on_orig, _pair_hash(doc, df["sku"]), limit)


def _exceeds(ctx: _Ctx, rt: TableData, use: np.ndarray, key: np.ndarray, limit: np.ndarray) -> None:
    """return-exceeds-original: the rows of ``use`` whose running total per ``key`` (one original line, in
    event order) passes ``limit`` (the original's qty, aligned with the rows)."""
    df = rt.df
    qty = _num(rt, "qty")
    use = use & (qty > 0)
    if not use.any():
        return
    rdate = df["date"].to_numpy(dtype="datetime64[ns]")
    at = np.flatnonzero(use)
    sub = pd.DataFrame({"key": key[at], "qty": qty[at], "date": rdate[at], "at": at}).sort_values(
        "date", kind="stable", na_position="last"
    )
    cum = sub.groupby("key", sort=False)["qty"].cumsum().to_numpy()
    pos = sub["at"].to_numpy()
    lim = np.asarray(limit, dtype=np.float64)[pos]
    over = np.zeros(len(df), dtype=bool)
    over[pos[cum > lim + EPS]] = True
    cum_full = np.zeros(len(df))
    limit_full = np.zeros(len(df))
    cum_full[pos] = cum
    limit_full[pos] = lim
    ctx.emit(
        "return-exceeds-original",
        rt,
        over,
        "qty",
        orig_doc_no=df["orig_doc_no"],
        sku=df["sku"],
        orig_qty=limit_full,
        returned=np.round(cum_full - np.nan_to_num(qty), 6),
        total=np.round(cum_full, 6),
    )


# ---------------------------------------------------------------------------------------------------
# Returns against last month's originals


def _hash(s: pd.Series) -> np.ndarray:
    """64-bit hashes of text values (blank → hash of ""): compact keys to look documents up across months."""
    return pd.util.hash_array(s.astype(object).where(s.notna(), "").astype(str).to_numpy(dtype=object))


def _pair_hash(doc: pd.Series, sku: pd.Series) -> np.ndarray:
    with np.errstate(over="ignore"):  # wrapping uint64 arithmetic is the point
        return _hash(doc) * np.uint64(1_000_003) ^ _hash(sku)


def original_index(wb: Workbook) -> pd.DataFrame:
    """The originals a return of next month may name: per (kind, doc_no, sku) of tblSales/tblPurchases the total
    qty and the first date, with doc_no and sku as 64-bit hashes (columns kind, doc, pair, qty, date), so a batch
    can keep one per month cheaply."""
    parts = []
    for kind, name in ORIGINAL_TABLE.items():
        td = wb.tables.get(name)
        if td is None or not td.present or not len(td.df):
            continue
        df = td.df[td.df["doc_no"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "doc": _hash(df["doc_no"]),
                    "pair": _pair_hash(df["doc_no"], df["sku"]),
                    "qty": pd.to_numeric(df["qty"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
                    "date": df["date"].to_numpy(dtype="datetime64[ns]"),
                }
            )
        )
    if not parts:
        return pd.DataFrame({"kind": [], "doc": [], "pair": [], "qty": [], "date": []})
    all_ = pd.concat(parts, ignore_index=True)
    return all_.groupby(["kind", "doc", "pair"], sort=False, as_index=False).agg(
        qty=("qty", "sum"), date=("date", "min")
    )


def check_returns_previous(
    wb: Workbook, previous: pd.DataFrame, *, lang: Lang = "zh", previous_period: str | None = None
) -> list[Finding]:
    """The returns of ``wb`` whose original is not in ``wb`` itself (``wb`` needs just those rows of tblReturns),
    looked up in last month's ``original_index``: not there either → return-unknown-original as an error; there
    → return-sku-not-on-original and return-exceeds-original against last month's lines."""
    ctx = _Ctx(wb, lang)
    rt = ctx.table(RETURNS.name)
    if rt is None or not len(rt.df):
        return []
    df = rt.df
    doc, sku = df["orig_doc_no"], df["sku"]
    dh, ph = _hash(doc), _pair_hash(doc, sku)
    kinds = " | ".join(c.label(ctx.wb.lang) for c in RETURN_KINDS)
    period = previous_period or "?"
    for kind, orig_name in ORIGINAL_TABLE.items():
        sel = (df["kind"].eq(kind) & doc.notna()).to_numpy()
        if not sel.any():
            continue
        prev = previous[previous["kind"] == kind]
        found = sel & np.isin(dh, prev["doc"].to_numpy())
        ctx.emit(
            "return-unknown-original",
            rt,
            sel & ~found,
            "orig_doc_no",
            severity="error",  # in neither this month nor last month: a wrong document number
            message_code="return-unknown-original-prev",
            orig_sheet=TABLES_BY_NAME[orig_name].sheet(ctx.wb.lang),
            prev_period=period,
            kinds=kinds,
        )
        has_sku = found & sku.notna().to_numpy()
        on_orig = has_sku & np.isin(ph, prev["pair"].to_numpy())
        ctx.emit(
            "return-sku-not-on-original",
            rt,
            has_sku & ~on_orig,
            "sku",
            message_code="return-sku-not-on-original-prev",
            orig_doc_no=doc,
            prev_period=period,
        )
        limit = prev.groupby("pair")["qty"].sum().reindex(ph).to_numpy()
        _exceeds(ctx, rt, on_orig, ph, limit)
    return ctx.out


# ---------------------------------------------------------------------------------------------------
# Running balance


def _opening_qty(ctx: _Ctx) -> pd.Series:
    if ctx.table(OPENING.name) is None:
        return pd.Series(dtype="float64")
    return opening_lines(ctx.wb).groupby("sku", sort=False)["qty"].sum()  # negative: see _bounds


def _negative_stock(ctx: _Ctx) -> None:
    s = ctx.wb.settings
    if s is not None and s.allow_negative:
        return
    if any(ctx.table(n) is None for n in LEDGER_NAMES):
        return  # a missing ledger table was reported; the running balance would be wrong
    events = ledger_events(ctx.wb)
    items = ctx.table(ITEMS.name)
    if items is not None and len(events):  # an unknown SKU is reported as such, not again as negative stock
        events = events[events["sku"].isin(items.df["sku"].dropna())]
    if not len(events):
        return
    bal = running_balance(events, _opening_qty(ctx)).to_numpy(dtype=np.float64)
    neg = bal < -EPS
    if not neg.any():
        return
    first = events[neg].assign(_bal=bal[neg]).drop_duplicates("sku", keep="first")  # events are in event order
    for name, grp in first.groupby("table", sort=False):
        td = ctx.table(str(name))
        if td is None:
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
        ctx.emit(
            "negative-stock",
            td,
            mask,
            key,
            values,
            sku=td.df["sku"],
            date=td.df["date"],
            kind_label=kinds,
        )


# ---------------------------------------------------------------------------------------------------
# Opening against last month's closing


def check_opening(
    wb: Workbook, previous_closing: pd.DataFrame, *, lang: Lang = "zh", previous_period: str | None = None
) -> list[Finding]:
    """Only the opening-mismatch rule (``wb`` needs just its tblOpening): for chains checked after reading."""
    ctx = _Ctx(wb, lang)
    _opening(ctx, previous_closing, previous_period)
    return ctx.out


def _opening(ctx: _Ctx, prev: pd.DataFrame, prev_period: str | None) -> None:
    td = ctx.table(OPENING.name)
    if td is None:
        return
    df = td.df
    op = opening_lines(ctx.wb)
    agg = op.groupby("sku", sort=False).agg(qty=("qty", "sum"), cents=("cents", "sum"), pos=("pos", "first"))

    p = prev[prev["sku"].notna()].copy()
    p["closing_qty"] = pd.to_numeric(p["closing_qty"], errors="coerce").fillna(0.0)
    p["cents"] = to_cents(pd.to_numeric(p["closing_amount"], errors="coerce").to_numpy(dtype=np.float64))
    p = p.groupby("sku", sort=False).agg(qty=("closing_qty", "sum"), cents=("cents", "sum"))
    exp_qty = p["qty"].reindex(agg.index, fill_value=0.0).to_numpy()
    exp_cents = p["cents"].reindex(agg.index, fill_value=0).to_numpy()
    period = prev_period or "?"

    for what, got, exp, key, scale in (
        ("qty", agg["qty"].to_numpy(), exp_qty, "qty", 1.0),
        ("amount", agg["cents"].to_numpy(), exp_cents, "amount", 100.0),
    ):
        bad = np.abs(got - exp) > (EPS if key == "qty" else 0.5)
        if not bad.any():
            continue
        mask = np.zeros(len(df), dtype=bool)
        mask[agg["pos"].to_numpy()[bad]] = True
        values = np.zeros(len(df))
        values[agg["pos"].to_numpy()] = got / scale
        expected = np.zeros(len(df))
        expected[agg["pos"].to_numpy()] = exp / scale
        ctx.emit(
            "opening-mismatch",
            td,
            mask,
            key,
            values,
            sku=df["sku"],
            what=word(what, ctx.lang),
            expected=expected,
            prev_period=period,
        )

    missing = p[~p.index.isin(agg.index) & ((p["qty"].abs() > EPS) | (p["cents"] != 0))]
    for sku, r in missing.iterrows():
        ctx.out.append(
            make_finding(
                "opening-mismatch",
                ctx.lang,
                sheet=td.sheet,
                column="sku",
                value=sku,
                message_code="opening-missing-sku",
                sku=sku,
                expected=float(r["qty"]),
                expected_amount=int(r["cents"]) / 100,
                prev_period=period,
            )
        )
