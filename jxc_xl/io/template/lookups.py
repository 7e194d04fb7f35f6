"""Names beside codes: the entry sheets' computed columns (``schema.COMPUTED``) as Excel Table formulas.

Each entry table (期初, 采购入库, 销售出库, 退货, 盘点, 采购订单) shows the item's name, spec and unit right after
its SKU, looked up from tblItems by INDEX/MATCH (Excel 2007+, LibreOffice, WPS; no XLOOKUP); 盘点 also shows
the book quantity at the end of the count date and the difference counted − book. They are calculated
columns of the Excel Table, so Excel fills them into every row the user adds. The SKU dropdown lists the
codes (the cell keeps the code the reader and every formula match on); the name appears beside it at once.

Book quantity, as the valuation books it (events of one date: receipts and returns, then sales, then the
count): the opening quantity, or the counted quantity of the item's previous count (the latest earlier date),
plus purchases + sales returns − purchase returns − sales dated after that count up to the count date, and
(where the workbook has 其他出入库 as an Excel Table) + other receipts − other issues by their reason. One
count per item and day is assumed (two on one day both compare with the day before).

With 仓库 (issue 12.2) the book quantity is that of the count row's warehouse, as ``core.warehouses`` values
it: every total, the opening and the previous count (the latest earlier count of the item in that warehouse)
take only that warehouse's lines, and (where 调拨 is an Excel Table) transfers into it are added and transfers
out of it taken away. The formula is chosen by the workbook's shape, not its data (``book_warehouses``): per
warehouse wherever 仓库 is an Excel Table (the template's shape: its 盘点 has the 仓库 column), so a workbook
made from the template follows the warehouses and transfers typed into it later, without a new formula (the
company's formula above only where 仓库 is missing or a plain range). A blank 仓库 cell is the default
warehouse, read from the first row of 仓库 (``INDEX(tblWarehouses[仓库编码],1)``, never written in: renaming it
needs no rewrite), on the count row and on the lines alike: a count row at the default sums each total over
the criteria pair "=<default>" and "=" (SUMPRODUCT adds the pair; LibreOffice's SUM would take only the
first); a first row left blank (仓库 empty) makes a blank cell the unnamed warehouse, matched as blank only.
Without warehouse lines every line is the default's, so the values are the company's, to the bit. A transfer
names both warehouses, so it is matched by the count's warehouse exactly. Codes match as SUMIFS matches them
(any case, as the SKUs).

Where formula and valuation can differ on messy data (the cached values follow the formula): the valuation
takes the first non-blank code of 仓库, stripped, as the default (``core.warehouses.default_warehouse``), the
formula the first row's cell as it is (a blank first row above codes, or a code with surrounding spaces,
differ); SUMIFS counts a transfer that names one warehouse only (the valuation books none; both are required)
or has a quantity of 0 or below; a numeric code matches a text one in SUMIFS but not in the default's "=" test.

The builder writes each formula cell with its value computed here in Python (the cached value), so viewers
that show cached values (LibreOffice by default, previews, python-calamine) show the names before any
recalculation; Excel recomputes on open. The reader ignores these columns: their headers are not in the
tables' ``columns``, so they are never read or checked, and a workbook without them reads the same.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.warehouses import SEP
from jxc_xl.schema import (
    COMPUTED,
    COUNT_LOOKUPS,
    COUNTS,
    ITEMS,
    OPENING,
    OTHER,
    OTHER_IN_REASONS,
    OTHER_OUT_REASONS,
    PURCHASES,
    RETURNS,
    SALES,
    TRANSFERS,
    WAREHOUSES,
    Choice,
    Column,
    Lang,
    Table,
)

COMPUTED_FILL = "#F2F2F2"  # light grey: the cells a formula fills, not the user
_ITEM_FIELD = {"item_name": "name", "item_spec": "spec", "item_unit": "unit"}
# The tables the formulas read: the computed columns are written only when all of them are Excel Tables.
LOOKUP_SOURCES = frozenset(t.name for t in (ITEMS, OPENING, PURCHASES, SALES, RETURNS, COUNTS))


def computed_columns(table: Table) -> tuple[Column, ...]:
    """The table's computed columns (none for tables without)."""
    return COMPUTED.get(table.name, ())


def sheet_columns(table: Table, lookups: bool = True) -> list[Column]:
    """The table's columns in sheet order: input columns, the item lookups after the SKU, the count's book
    quantity and difference after the counted quantity."""
    if not lookups or not computed_columns(table):
        return list(table.columns)
    count_keys = {c.key for c in COUNT_LOOKUPS}
    items = [c for c in computed_columns(table) if c.key not in count_keys]
    counts = [c for c in computed_columns(table) if c.key in count_keys]
    out: list[Column] = []
    for c in table.columns:
        out.append(c)
        if c.key == "sku":
            out += items
        if c.key == "counted_qty":
            out += counts
    return out


def is_computed(table: Table, col: Column) -> bool:
    """Whether ``col`` is one of ``table``'s computed columns."""
    return any(c.key == col.key for c in computed_columns(table))


# ---------------------------------------------------------------------------------------------------
# Formulas


def _col(t: Table, key: str, lang: Lang) -> str:
    """A whole column of a table: ``tblItems[商品编码]``."""
    return f"{t.name}[{_escape(t.column(key).header(lang))}]"


def _this(t: Table, key: str, lang: Lang, columns: Mapping[str, Column] | None = None) -> str:
    """This row's cell of a column: ``tblSales[[#This Row],[商品编码]]``."""
    col = columns[key] if columns is not None else t.column(key)
    return f"{t.name}[[#This Row],[{_escape(col.header(lang))}]]"


def _escape(header: str) -> str:
    """A header as a structured reference names it: ' [ ] # escaped with a leading '."""
    return "".join("'" + ch if ch in "'[]#" else ch for ch in header)


def _text(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _item_formula(t: Table, key: str, lang: Lang) -> str:
    field = _ITEM_FIELD[key]
    match = f"MATCH({_this(t, 'sku', lang)},{_col(ITEMS, 'sku', lang)},0)"
    return f'=IFERROR(""&INDEX({_col(ITEMS, field, lang)},{match}),"")'


def _kind_labels(kind: str, lang: Lang) -> list[str]:
    """The texts a returns row may hold for ``kind``: its label in the workbook's language, and its key."""
    ch = RETURNS.column("kind").choice_for(kind)
    assert ch is not None
    return list(dict.fromkeys([ch.label(lang), ch.key]))


def _reason_texts(reasons: tuple[Choice, ...]) -> list[str]:
    """What a reason cell may hold for these reasons (the reader takes each key and label): every one, once."""
    return list(dict.fromkeys(x for c in reasons for x in (c.zh, c.en, c.key)))


class Warehouses(NamedTuple):
    """The book quantity per warehouse (issue 12.2): the workbook has 仓库 as an Excel Table (``book_warehouses``)."""

    transfers: bool  # 调拨 is an Excel Table too: the formula adds transfers in − out


def book_warehouses(tables: Collection[str]) -> Warehouses | None:
    """The book formula's warehouses, by the workbook's shape and not its data: per warehouse where ``tables``
    (the names of its Excel Tables) has 仓库 (the template's shape, whose 盘点 has its 仓库 column), with transfers
    where it has 调拨 too; None (the company's book) without 仓库."""
    if WAREHOUSES.name not in tables:
        return None
    return Warehouses(transfers=TRANSFERS.name in tables)


def default_warehouse(frames: Mapping[str, pd.DataFrame]) -> str:
    """The default warehouse as the book formula reads it, casefolded: the code in the first row of 仓库
    (``INDEX(tblWarehouses[code],1)``); "" where that cell is blank or 仓库 has no rows."""
    codes = frames.get(WAREHOUSES.name)
    if codes is None or "code" not in codes or not len(codes):
        return ""
    return _key(codes["code"].iloc[0]) or ""


def _book_formula(lang: Lang, other: bool = False, warehouses: Warehouses | None = None) -> str:
    if warehouses is not None:
        return _warehouse_book_formula(lang, other, warehouses)
    c = COUNTS
    sku, day = _this(c, "sku", lang), _this(c, "date", lang)
    prev = f'_xlfn.MAXIFS({_col(c, "date", lang)},{_col(c, "sku", lang)},{sku},{_col(c, "date", lang)},"<"&{day})'

    def moved(t: Table, sign: str, kind: str | None = None) -> list[str]:
        crit = f'{_col(t, "sku", lang)},{sku},{_col(t, "date", lang)},">"&{prev},{_col(t, "date", lang)},"<="&{day}'
        kinds = [None] if kind is None else _kind_labels(kind, lang)
        return [
            f"{sign}SUMIFS({_col(t, 'qty', lang)},{crit}"
            + ("" if k is None else f",{_col(t, 'kind', lang)},{_text(k)}")
            + ")"
            for k in kinds
        ]

    start = (
        f"IF({prev}=0,SUMIFS({_col(OPENING, 'qty', lang)},{_col(OPENING, 'sku', lang)},{sku}),"
        f"SUMIFS({_col(c, 'counted_qty', lang)},{_col(c, 'sku', lang)},{sku},{_col(c, 'date', lang)},{prev}))"
    )
    net = moved(PURCHASES, "+") + moved(RETURNS, "+", "sales_return")
    net += moved(RETURNS, "-", "purchase_return") + moved(SALES, "-")
    if other:  # 其他出入库: receipts and issues by their reason (any label or key), one SUMIFS over the list each
        o = OTHER
        crit = f'{_col(o, "sku", lang)},{sku},{_col(o, "date", lang)},">"&{prev},{_col(o, "date", lang)},"<="&{day}'
        for sign, reasons in (("+", OTHER_IN_REASONS), ("-", OTHER_OUT_REASONS)):
            texts = ",".join(_text(x) for x in _reason_texts(reasons))
            net.append(f"{sign}SUM(SUMIFS({_col(o, 'qty', lang)},{crit},{_col(o, 'reason', lang)},{{{texts}}}))")
    return f'=IF(OR({sku}="",{day}=""),"",{start}{"".join(net)})'


def _warehouse_book_formula(lang: Lang, other: bool, wh: Warehouses) -> str:
    """The book formula of a workbook with 仓库: every total restricted to the count row's warehouse (a blank cell
    there and in the lines: the default, the first row of 仓库), plus transfers in − out (module docstring)."""
    c = COUNTS
    sku, day, here = _this(c, "sku", lang), _this(c, "date", lang), _this(c, "warehouse", lang)
    first = f"INDEX({_col(WAREHOUSES, 'code', lang)},1)"  # read, not written in: renaming it needs no rewrite
    # At the default (a blank row or one naming it) its lines are those naming it and the blank ones: two
    # criteria, summed. (here=first)<>(here="") is false at a blank row where the first is blank: blank only.
    at = f'IF(({here}={first})<>({here}=""),"="&IF({{1;0}},{first},""),"="&{here})'
    this = f'IF({here}="",{first},{here})'

    def total(t: Table, qty: str, *crit: str) -> str:
        # SUMPRODUCT, not SUM: LibreOffice takes only the first of an IF's array in SUM (Excel takes both)
        where = ",".join((_col(t, "sku", lang), sku, *crit, _col(t, "warehouse", lang), at))
        return f"SUMPRODUCT(SUMIFS({_col(t, qty, lang)},{where}))"

    prev = (
        f"SUMPRODUCT(MAX(_xlfn.MAXIFS({_col(c, 'date', lang)},{_col(c, 'sku', lang)},{sku},"
        f'{_col(c, "date", lang)},"<"&{day},{_col(c, "warehouse", lang)},{at})))'
    )

    def window(t: Table) -> str:
        return f'{_col(t, "date", lang)},">"&{prev},{_col(t, "date", lang)},"<="&{day}'

    def one_of(t: Table, key: str, texts: list[str]) -> str:  # a row across: the warehouse pair is a column
        return f"{_col(t, key, lang)},{{{','.join(_text(x) for x in texts)}}}"

    start = f"IF({prev}=0,{total(OPENING, 'qty')},{total(c, 'counted_qty', _col(c, 'date', lang), prev)})"
    net = [
        "+" + total(PURCHASES, "qty", window(PURCHASES)),
        "+" + total(RETURNS, "qty", window(RETURNS), one_of(RETURNS, "kind", _kind_labels("sales_return", lang))),
        "-" + total(RETURNS, "qty", window(RETURNS), one_of(RETURNS, "kind", _kind_labels("purchase_return", lang))),
        "-" + total(SALES, "qty", window(SALES)),
    ]
    if other:
        for sign, reasons in (("+", OTHER_IN_REASONS), ("-", OTHER_OUT_REASONS)):
            net.append(sign + total(OTHER, "qty", window(OTHER), one_of(OTHER, "reason", _reason_texts(reasons))))
    if wh.transfers:  # a transfer names both warehouses (a blank one is not booked): this warehouse exactly
        t = TRANSFERS
        for sign, key in (("+", "to_warehouse"), ("-", "from_warehouse")):
            crit = f'{_col(t, "sku", lang)},{sku},{window(t)},{_col(t, key, lang)},"="&{this}'
            net.append(f"{sign}SUMIFS({_col(t, 'qty', lang)},{crit})")
    return f'=IF(OR({sku}="",{day}=""),"",{start}{"".join(net)})'


def _diff_formula(lang: Lang) -> str:
    cols = {c.key: c for c in COUNT_LOOKUPS}
    counted, book = _this(COUNTS, "counted_qty", lang), _this(COUNTS, "book_qty", lang, cols)
    return f'=IFERROR(IF(OR({counted}="",{book}=""),"",{counted}-{book}),"")'


def formula(t: Table, col: Column, lang: Lang, *, other: bool = False, warehouses: Warehouses | None = None) -> str:
    """The calculated-column formula of computed column ``col`` of table ``t``; ``other``: the workbook has
    tblOther as an Excel Table (the count's book quantity then follows its lines too); ``warehouses``: it has
    tblWarehouses as one (``book_warehouses``: the book quantity is then the count's warehouse's)."""
    if col.key in _ITEM_FIELD:
        return _item_formula(t, col.key, lang)
    if col.key == "book_qty":
        return _book_formula(lang, other, warehouses)
    if col.key == "diff_qty":
        return _diff_formula(lang)
    raise KeyError(f"{t.name} has no computed column {col.key!r}")


# ---------------------------------------------------------------------------------------------------
# Cached values: what the formulas give for the rows written


def _key(v: Any) -> str | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or v == "":
        return None
    return (f"{v:g}" if isinstance(v, float) else str(v)).casefold()


def _keys(s: pd.Series) -> pd.Series:
    """SKU cells as the formulas compare them (MATCH and SUMIFS ignore case), casefolded; blank → None."""
    return s.map(_key).astype(object)


def _item_values(df: pd.DataFrame, key: str, frames: Mapping[str, pd.DataFrame]) -> list[Any]:
    items = frames.get(ITEMS.name)
    field = _ITEM_FIELD[key]
    if items is None or "sku" not in items or field not in items or "sku" not in df:
        return [""] * len(df)
    table = items.assign(_k=_keys(items["sku"])).drop_duplicates("_k")
    values = dict(zip(table["_k"], table[field], strict=True))
    out: list[Any] = []
    for k in _keys(df["sku"]).tolist():
        v = values.get(k) if isinstance(k, str) else None
        blank = v is None or (isinstance(v, float) and np.isnan(v))
        out.append("" if blank else (f"{v:g}" if isinstance(v, float) else str(v)))
    return out


class _Place(NamedTuple):
    """Where a table's lines are, for the book of a workbook with warehouses: their column, and a blank cell's
    warehouse (casefolded, as SUMIFS matches it)."""

    column: str = "warehouse"
    blank: str = ""


def _book_keys(df: pd.DataFrame, place: _Place | None) -> pd.Series:
    """Each row's key in the book: its SKU (casefolded; blank → None), with warehouses also its warehouse."""
    sku = _keys(df["sku"])
    if place is None:
        return sku
    wh = _keys(df[place.column]).fillna(place.blank) if place.column in df else pd.Series(place.blank, df.index)
    out = sku.copy()
    named = sku.notna().to_numpy()
    out[named] = sku[named] + SEP + wh[named].astype(str)
    return out


def _places(
    frames: Mapping[str, pd.DataFrame], wh: Warehouses | None
) -> tuple[_Place | None, _Place | None, _Place | None]:
    """The places of the lines (a blank cell: ``default_warehouse``), and of the transfers' destination and
    source (a blank cell matches no warehouse but the unnamed one); all None without warehouses."""
    if wh is None:
        return None, None, None
    return _Place(blank=default_warehouse(frames)), _Place("to_warehouse"), _Place("from_warehouse")


def _frame_part(
    df: pd.DataFrame | None, sign: float, kind: str | None = None, place: _Place | None = None
) -> pd.DataFrame | None:
    """One table's stock movements (book key, day, signed qty); None when it has none."""
    if df is None or not len(df) or not {"sku", "date", "qty"} <= set(df.columns):
        return None
    if kind is not None:
        if "kind" not in df:
            return None
        choice = RETURNS.column("kind").choice_for
        df = df[df["kind"].map(lambda v: getattr(choice(v), "key", None) if isinstance(v, str) else None) == kind]
    return pd.DataFrame(
        {
            "sku": _book_keys(df, place),
            "day": pd.to_datetime(df["date"], errors="coerce").dt.normalize(),
            "qty": sign * pd.to_numeric(df["qty"], errors="coerce"),
        }
    )


def _other_parts(df: pd.DataFrame | None, place: _Place | None = None) -> list[pd.DataFrame | None]:
    """tblOther's receipts (+) and issues (−), by a reason the book formula lists (key or label, any case)."""
    if df is None or not len(df) or "reason" not in df:
        return []
    text = df["reason"].map(lambda v: v.casefold() if isinstance(v, str) else None)
    out: list[pd.DataFrame | None] = []
    for sign, reasons in ((1.0, OTHER_IN_REASONS), (-1.0, OTHER_OUT_REASONS)):
        listed = {x.casefold() for x in _reason_texts(reasons)}
        out.append(_frame_part(df[text.isin(listed).to_numpy()], sign, place=place))
    return out


def _running(
    frames: Mapping[str, pd.DataFrame], wh: Warehouses | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Book key (``_book_keys``) → its movement days, sorted, and the running net quantity after each."""
    ret = frames.get(RETURNS.name)
    at, to, source = _places(frames, wh)
    parts = [
        _frame_part(frames.get(PURCHASES.name), 1.0, place=at),
        _frame_part(ret, 1.0, "sales_return", at),
        _frame_part(ret, -1.0, "purchase_return", at),
        _frame_part(frames.get(SALES.name), -1.0, place=at),
    ]
    parts += _other_parts(frames.get(OTHER.name), at)
    if wh is not None and wh.transfers:
        moved = frames.get(TRANSFERS.name)
        parts += [_frame_part(moved, 1.0, place=to), _frame_part(moved, -1.0, place=source)]
    got = [p for p in parts if p is not None]
    if not got:
        return {}
    m = pd.concat(got, ignore_index=True).dropna().sort_values(["sku", "day"], kind="stable")
    return {
        str(sku): (g["day"].to_numpy("datetime64[ns]"), np.cumsum(g["qty"].to_numpy(float)))
        for sku, g in m.groupby("sku", sort=False)
    }


def _net_to(run: tuple[np.ndarray, np.ndarray] | None, day: np.datetime64) -> float:
    """Net quantity moved on or before ``day``."""
    if run is None:
        return 0.0
    i = int(np.searchsorted(run[0], day, side="right"))
    return float(run[1][i - 1]) if i else 0.0


def _opening(frames: Mapping[str, pd.DataFrame], place: _Place | None = None) -> dict[str, float]:
    op = frames.get(OPENING.name)
    if op is None or not len(op) or not {"sku", "qty"} <= set(op.columns):
        return {}
    q = pd.to_numeric(op["qty"], errors="coerce").fillna(0.0)
    return {str(k): float(v) for k, v in q.groupby(_book_keys(op, place)).sum().items()}


def book_values(
    df: pd.DataFrame, frames: Mapping[str, pd.DataFrame], warehouses: Warehouses | None = None
) -> list[Any]:
    """The book quantity of each count row of ``df`` as the book formula gives it ("" where SKU or date is
    blank); ``frames``: the other tables' rows (with warehouses, 仓库's first row is the default:
    ``default_warehouse``); ``warehouses``: as ``formula`` (per warehouse, with transfers)."""
    if not len(df) or not {"sku", "date"} <= set(df.columns):
        return [""] * len(df)
    at = _places(frames, warehouses)[0]
    running, opening = _running(frames, warehouses), _opening(frames, at)
    skus = _book_keys(df, at).tolist()
    days = pd.to_datetime(df["date"], errors="coerce").dt.normalize().to_numpy("datetime64[ns]")
    counted = pd.to_numeric(df["counted_qty"], errors="coerce").fillna(0.0) if "counted_qty" in df else None
    by_day: dict[tuple[str, np.datetime64], float] = {}  # (sku, day) → counted qty, as SUMIFS adds them
    for k, d, q in zip(skus, days, [0.0] * len(df) if counted is None else counted.tolist(), strict=True):
        if isinstance(k, str) and not np.isnat(d):
            by_day[(k, d)] = by_day.get((k, d), 0.0) + q
    count_days: dict[str, list[np.datetime64]] = {}
    for k, d in by_day:
        count_days.setdefault(k, []).append(d)
    out: list[Any] = []
    for sku, day in zip(skus, days, strict=True):
        if not isinstance(sku, str) or np.isnat(day):
            out.append("")
            continue
        run = running.get(sku)
        earlier = [d for d in count_days.get(sku, []) if d < day]
        if earlier:
            prev = max(earlier)
            out.append(by_day[(sku, prev)] + _net_to(run, day) - _net_to(run, prev))
        else:
            out.append(opening.get(sku, 0.0) + _net_to(run, day))
    return out


def diff_values(df: pd.DataFrame, book: list[Any]) -> list[Any]:
    """Counted − book per count row ("" where either is blank)."""
    counted = pd.to_numeric(df.get("counted_qty", pd.Series(np.nan, index=df.index)), errors="coerce").tolist()
    return ["" if b == "" or pd.isna(c) else float(c) - float(b) for c, b in zip(counted, book, strict=True)]


def cached_values(
    t: Table, df: pd.DataFrame, frames: Mapping[str, pd.DataFrame], warehouses: Warehouses | None = None
) -> dict[str, list[Any]]:
    """Computed column key → the value of each of ``df``'s rows, as the formulas would compute them."""
    out: dict[str, list[Any]] = {}
    for c in computed_columns(t):
        if c.key in _ITEM_FIELD:
            out[c.key] = _item_values(df, c.key, frames)
    if t is COUNTS:
        book = book_values(df, {**frames, COUNTS.name: df}, warehouses)
        out["book_qty"], out["diff_qty"] = book, diff_values(df, book)
    return out


# ---------------------------------------------------------------------------------------------------
# Writing


class ComputedOut(NamedTuple):
    """How to write a table's computed columns: the rows of the Excel Tables the formulas read (其他出入库 only
    where it is one: ``OTHER.name in frames`` decides the formula), the data rows to fill, language, format,
    the workbook's warehouses (``book_warehouses``)."""

    frames: Mapping[str, pd.DataFrame]
    rows: int
    lang: Lang
    fmt: Format | None
    warehouses: Warehouses | None = None


def memoize_formulas(ws: Worksheet) -> None:
    """Prepare each distinct formula text once on this sheet: xlsxwriter runs some sixty regular expressions over
    every formula it writes (future-function prefixes), and a calculated column writes the same text into every
    row (6,000 lines: 8 s → 0.1 s). The result is the same string; only the repeated work goes."""
    if not hasattr(ws._prepare_formula, "cache_info"):
        ws._prepare_formula = functools.lru_cache(maxsize=64)(ws._prepare_formula)


def write_computed(ws: Worksheet, t: Table, layout: list[Column], df: pd.DataFrame, out: ComputedOut) -> None:
    """Each computed column's formula into its ``out.rows`` data rows, with the cached value of every row of
    ``df`` (blank for the one empty row of an empty table: LibreOffice then computes it)."""
    values = cached_values(t, df, out.frames, out.warehouses) if len(df) else {}
    for j, c in enumerate(layout):
        if not is_computed(t, c):
            continue
        f = formula(t, c, out.lang, other=OTHER.name in out.frames, warehouses=out.warehouses)
        cached = values.get(c.key, [])
        for i in range(out.rows):
            ws.write_formula(i + 1, j, f, out.fmt, cached[i] if i < len(cached) else "")
