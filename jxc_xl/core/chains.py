"""The rules across months: consecutive monthly workbooks of one company checked against each other.

Pure functions over what each month's workbook left behind (``MonthFacts``: its opening, its closing, an index
of its documents, its returns of documents it does not hold): group the months by company, say a missing
month (period-gap) or a month given twice, join last month's workbook named by ``--previous``, and check
each month's opening and its returns against the month before. Nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from jxc_xl.core.book import ROW, TableData, Workbook
from jxc_xl.core.findings import Finding
from jxc_xl.core.ledger import opening_lines
from jxc_xl.core.messages import make_finding, phrase, word
from jxc_xl.core.money import to_cents
from jxc_xl.core.periods import next_period, previous_period
from jxc_xl.core.rulebase import EPS, ORIGINAL_TABLE, RuleContext, exceeds_original, pair_hash, text_hash
from jxc_xl.schema import OPENING, RETURN_KINDS, RETURNS, SETTINGS_TABLE, TABLES_BY_NAME, Lang


@dataclass
class Previous:
    """Last month's workbook as the chain checks need it."""

    path: Path
    period: str | None
    company: str | None
    closing: pd.DataFrame | None  # tblStock as sync regenerates it; None when it cannot be computed
    originals: pd.DataFrame | None = None  # original_index of its sales and purchases
    error: str | None = None  # why it cannot be read at all (then nothing else is known)
    closing_failure: str | None = None  # why valuing it failed, when ``closing`` is None for that reason


@dataclass
class MonthFacts:
    """What the chain checks need of one month's workbook: working state, never reported."""

    path: Path
    period: str | None
    company: str | None
    lang: Lang = "zh"  # the workbook's own language (its sheet names)
    period_cell: tuple[str, str] | None = None  # (sheet, A1) of the period setting, to locate period-gap
    opening: TableData | None = None  # tblOpening, to compare with the month before
    closing: pd.DataFrame | None = None  # this month's closing per SKU, to compare with the month after
    closing_failure: str | None = None  # why valuing the month failed (then ``closing`` is None)
    originals: pd.DataFrame | None = None  # original_index: for next month's returns of this month's docs
    open_returns: TableData | None = None  # tblReturns rows whose original is not in this workbook


@dataclass
class ChainFindings:
    """What the chain checks say of one month: findings to add, and the returns they looked up in the month
    before (``rechecked``: sheet and rows), whose this-month-only warnings those findings replace."""

    added: list[Finding] = field(default_factory=list)
    rechecked: tuple[str | None, frozenset[int]] | None = None

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """The month's own ``findings`` without the replaced warnings, then the added ones."""
        if self.rechecked is not None:
            sheet, rows = self.rechecked
            findings = [
                f for f in findings if not (f.code == "return-unknown-original" and f.sheet == sheet and f.row in rows)
            ]
        return findings + self.added


# ---------------------------------------------------------------------------------------------------
# What a month leaves for the chain checks


def month_facts(path: Path, wb: Workbook) -> MonthFacts:
    """The month's place in a chain (period, company, where its period is written)."""
    s = wb.settings
    pc = wb.setting_cells.get("period")
    cell = (pc.sheet, pc.cell) if pc is not None else None
    return MonthFacts(path, s.period if s else None, s.company if s else None, wb.lang, cell)


def keep_for_chains(facts: MonthFacts, wb: Workbook, findings: list[Finding], *, need_closing: bool) -> None:
    """Add to ``facts`` what the months around it are checked against (``need_closing``: also the closing)."""
    if (op := wb.tables.get(OPENING.name)) is not None and op.present:
        facts.opening = op
    facts.originals = original_index(wb)
    rt = wb.tables.get(RETURNS.name)
    rows = {f.row for f in findings if f.code == "return-unknown-original" and f.severity == "warning"}
    if rows and rt is not None and rt.present:
        sel = rt.df[ROW].isin(rows).to_numpy()
        facts.open_returns = TableData(
            table=rt.table,
            df=rt.df[sel],
            sheet=rt.sheet,
            header_row=rt.header_row,
            col_letters=rt.col_letters,
            bad={k: np.asarray(v)[sel] for k, v in rt.bad.items()},
        )
    if need_closing:
        facts.closing, facts.closing_failure = closing_of(wb)


class Closing(NamedTuple):
    """A month's closing per SKU (sku, closing_qty, closing_amount), or None and, when valuing it failed, why."""

    frame: pd.DataFrame | None
    failure: str | None = None


def closing_of(wb: Workbook) -> Closing:
    """The month's closing per SKU, regenerated by the sync rules.

    Without usable settings there is nothing to value (its own findings say why). Valuing has no failure of its
    own on bad data: bad cells arrive as NaN with their findings, and a forced sync of garbage computes
    (tests/test_sync.py). So an exception here is a bug of ours, of any type; it must not stop the checks of
    the other months, so it is caught whole, and its type and text travel into the next month's
    opening-not-compared warning instead of vanishing.
    """
    if wb.settings is None:
        return Closing(None)
    from jxc_xl.core.generate import stock_balances  # heavy: only when a month after it is checked

    try:
        return Closing(stock_balances(wb)[["sku", "closing_qty", "closing_amount"]])
    except Exception as e:  # see the docstring: a bug, reported in the next month's warning
        return Closing(None, f"{type(e).__name__}: {e}"[:300])


def previous_of(path: Path, wb: Workbook) -> Previous:
    """``wb`` (read from ``path``) as last month's workbook."""
    s = wb.settings
    closing = closing_of(wb)
    return Previous(
        path,
        s.period if s else None,
        s.company if s else None,
        closing.frame,
        original_index(wb),
        closing_failure=closing.failure,
    )


# ---------------------------------------------------------------------------------------------------
# Chains: consecutive months of one company


@dataclass
class _Member:
    facts: MonthFacts
    found: ChainFindings = field(default_factory=ChainFindings)
    is_previous: bool = False  # the --previous workbook: none of its findings are reported


_Chains = dict[tuple[str, str], dict[str, list[_Member]]]  # chain key → period → its workbooks


def link_months(months: Sequence[MonthFacts], previous: Previous | None, lang: Lang) -> list[ChainFindings]:
    """The chain findings of each of ``months`` (in order): per company, each month against the month before
    (opening, returns of its documents), period-gap for a missing month, a warning for a month given twice.

    ``previous``: last month's workbook, one more member of its company's chain (never reported itself).
    """
    members = [_Member(m) for m in months]
    groups: _Chains = {}
    for m in members:
        if m.facts.period is not None:
            groups.setdefault(_chain_key(m.facts), {}).setdefault(m.facts.period, []).append(m)
    if previous is not None:
        _join_previous(groups, previous, lang)
    for chain in groups.values():
        _duplicates(chain, lang)
        for a, b in pairwise(sorted(chain)):
            before = chain[a][0].facts  # of a month given twice, the first (a batch file before --previous)
            for m in chain[b]:
                if m.is_previous:
                    continue
                if next_period(a) == b:
                    _follow_on(before, m, lang)
                else:
                    m.found.added += _gap_findings(m.facts, a, b, lang)
    return [m.found for m in members]


def _chain_key(m: MonthFacts) -> tuple[str, str]:
    # Files without a company name chain by folder: one folder of monthly files is one business.
    return (m.company, "") if m.company else ("", str(m.path.resolve().parent))


def _company_label(company: str | None, path: Path, lang: Lang) -> str:
    return company or phrase("no_company", lang, folder=path.resolve().parent)


def _period_place(m: MonthFacts) -> tuple[str, str | None]:
    return m.period_cell or (SETTINGS_TABLE.sheet(m.lang), None)


def _duplicates(chain: dict[str, list[_Member]], lang: Lang) -> None:
    """A warning on each workbook of a month given more than once."""
    for p in sorted(chain):
        members = chain[p]
        if len(members) < 2:
            continue
        files = ", ".join(str(m.facts.path) for m in members)
        for m in members:
            if not m.is_previous:
                sheet, cell = _period_place(m.facts)
                m.found.added.append(
                    make_finding(
                        "period-gap", lang, sheet=sheet, column="value", cell=cell, value=p,
                        message_code="period-duplicate", severity="warning", files=files,
                        company=_company_label(m.facts.company, m.facts.path, lang),
                    )
                )  # fmt: skip


def _gap_findings(m: MonthFacts, before: str, after: str, lang: Lang) -> list[Finding]:
    """One period-gap finding per month missing strictly between ``before`` and ``after``."""
    out = []
    p = next_period(before)
    sheet, cell = _period_place(m)
    while p < after:
        out.append(
            make_finding(
                "period-gap",
                lang,
                sheet=sheet,
                column="value",
                cell=cell,
                value=p,
                company=_company_label(m.company, m.path, lang),
                before=before,
                after=after,
            )
        )
        p = next_period(p)
    return out


def _not_compared(m: MonthFacts, prev: Path, why: str, lang: Lang, **params: Any) -> Finding:
    """A warning on ``m``: its opening cannot be compared with ``prev`` (``why``: a WORDS key, its fix ``fix_…``)."""
    return make_finding(
        "opening-mismatch",
        lang,
        sheet=OPENING.sheet(m.lang),
        value=str(prev),
        message_code="opening-not-compared",
        severity="warning",
        prev_file=str(prev),
        reason=phrase(f"prev_{why}", lang, **params),
        fix=phrase(f"fix_{why}", lang, **params),
    )


def _previous_keys(groups: _Chains, prev: Previous) -> list[tuple[str, str]]:
    """The chains ``prev`` belongs to: its company's; without a company, its folder's, else every chain
    without a company (the user named it; nothing tells those apart)."""
    if prev.company:
        return [(prev.company, "")] if (prev.company, "") in groups else []
    own = ("", str(prev.path.resolve().parent))
    if own in groups:
        return [own]
    return [k for k in groups if k[0] == ""]


def _join_previous(groups: _Chains, prev: Previous, lang: Lang) -> None:
    """Make ``prev`` one more (unreported) member of its company's chain; say so where it cannot serve."""

    def firsts(keys: Iterable[tuple[str, str]]) -> list[_Member]:
        return [m for k in keys for m in groups[k][min(groups[k])] if not m.is_previous]

    def tell(members: list[_Member], why: str, **params: Any) -> None:
        for m in members:
            m.found.added.append(_not_compared(m.facts, prev.path, why, lang, **params))

    if prev.error is not None:
        tell(firsts(groups), "unreadable", detail=prev.error)
        return
    keys = _previous_keys(groups, prev)
    if prev.period is None:  # not a jxc workbook, or no usable period: nothing to place it by
        tell(firsts(keys if prev.company and keys else groups), "no_period")
        return
    if not keys:
        prev_company = _company_label(prev.company, prev.path, lang)
        for m in firsts(groups):
            company = _company_label(m.facts.company, m.facts.path, lang)
            tell([m], "other_company", prev_company=prev_company, company=company)
        return
    facts = MonthFacts(
        prev.path,
        prev.period,
        prev.company,
        closing=prev.closing,
        closing_failure=prev.closing_failure,
        originals=prev.originals,
    )
    member = _Member(facts, is_previous=True)
    for k in keys:
        months = groups[k]
        first = min(months)
        same = months.get(prev.period, [])
        if any(m.facts.path.resolve() == prev.path.resolve() for m in same):
            continue  # it is in the batch already
        if prev.period >= max(months):
            want = previous_period(first)
            tell(firsts([k]), "not_before", prev_period=prev.period, period=first, want=want)
            continue
        months.setdefault(prev.period, []).append(member)


def _follow_on(prev: MonthFacts, m: _Member, lang: Lang) -> None:
    """``m`` against the month before it: its opening, and its returns of documents of that month."""
    res = m.facts
    if res.opening is not None:
        if prev.closing is None and prev.closing_failure is not None:
            m.found.added.append(_not_compared(res, prev.path, "closing_failed", lang, detail=prev.closing_failure))
        elif prev.closing is None:
            m.found.added.append(_not_compared(res, prev.path, "no_closing", lang))
        else:
            wb = Workbook(path=res.path, lang=res.lang, settings=None, tables={OPENING.name: res.opening})
            m.found.added += check_opening(wb, prev.closing, lang=lang, previous_period=prev.period)
    if res.open_returns is not None and prev.originals is not None:
        rt = res.open_returns
        wb = Workbook(path=res.path, lang=res.lang, settings=None, tables={RETURNS.name: rt})
        m.found.rechecked = (rt.sheet, frozenset(rt.df[ROW].tolist()))
        m.found.added += check_returns_previous(wb, prev.originals, lang=lang, previous_period=prev.period)


# ---------------------------------------------------------------------------------------------------
# Returns against last month's originals


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
                    "doc": text_hash(df["doc_no"]),
                    "pair": pair_hash(df["doc_no"], df["sku"]),
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
    ctx = RuleContext(wb, lang)
    rt = ctx.table(RETURNS.name)
    if rt is None or not len(rt.df):
        return []
    df = rt.df
    doc, sku = df["orig_doc_no"], df["sku"]
    dh, ph = text_hash(doc), pair_hash(doc, sku)
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
        exceeds_original(ctx, rt, on_orig, ph, limit)
    return ctx.out


# ---------------------------------------------------------------------------------------------------
# Opening against last month's closing


def check_opening(
    wb: Workbook, previous_closing: pd.DataFrame, *, lang: Lang = "zh", previous_period: str | None = None
) -> list[Finding]:
    """Only the opening-mismatch rule (``wb`` needs just its tblOpening): for chains checked after reading."""
    ctx = RuleContext(wb, lang)
    opening_rule(ctx, previous_closing, previous_period)
    return ctx.out


def opening_rule(ctx: RuleContext, prev: pd.DataFrame, prev_period: str | None) -> None:
    """opening-mismatch: tblOpening of ``ctx`` against last month's closing ``prev`` per SKU (qty and amount)."""
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
