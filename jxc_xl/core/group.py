"""The group's month: the stores' generated tables rolled up (``jxc consolidate``).

Plain pandas over what each store's file gave (``StoreBook``, read by ``jxc_xl.consolidate``):

* **Stores**: one per workbook, named by its company setting (the file name where that is blank, and
  ``company (file)`` where two stores share a name). Only a store whose status is ``ok`` — readable, no
  validation errors, its generated tables present and equal to what sync would write now — is in the figures;
  every store, with its status, errors and warnings, is in the status table.
* **Money** is summed in integer cents: a company total is the exact sum of the stores' amounts to the cent.
* **Stock**: closing quantity and value per store × SKU (tblStock), and per SKU for the company.
* **Plan**: the order lines per store (tblPlan: order qty and amount) and per SKU for the company.
* **Transfers**: for every SKU a store must order (an order line), each other store holding more than its own
  reorder point + the order quantity it would place for that SKU (its plan's order quantity, its EOQ where the
  SKU is not in its plan) is a candidate to take from; ``spare`` is that surplus and ``suggested`` the smaller
  of spare and the order. Candidates, not an allocation: two short stores may both name one donor's spare.
* **Period**: every readable store must be of one period; mixed periods are refused, naming them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from jxc_xl.core.messages import phrase
from jxc_xl.core.money import to_cents
from jxc_xl.errors import JxcError
from jxc_xl.schema import Lang

StoreStatus = Literal["ok", "not_synced", "stale", "invalid", "unreadable"]
STORE_STATUSES: tuple[StoreStatus, ...] = ("ok", "not_synced", "stale", "invalid", "unreadable")


@dataclass
class StoreBook:
    """What consolidation needs of one store's workbook.

    stock: its tblStock (sku, name, unit, closing_qty, closing_amount).
    plan: its tblPlan order lines (sku, name, supplier, on_hand, reorder_point, order_qty, amount).
    levels: per SKU (index) the reorder point and the order quantity it would place (``reorder_point``,
        ``order_qty``), planned or not: what the transfers compare on hand against.
    status: ``ok`` (in the figures), ``not_synced`` (no generated tables), ``stale`` (the inputs changed since
        the last sync), ``invalid`` (validation errors), ``unreadable``.
    """

    path: str
    company: str
    period: str | None
    status: StoreStatus
    errors: int = 0
    warnings: int = 0
    message: str = ""
    lang: Lang | None = None  # the workbook's language (None when it could not be read)
    stock: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    levels: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class Group:
    """The group's tables (money as int64 ``*_cents``), each a frame ready to write.

    stock: store, sku, name, unit, closing_qty, closing_cents — per store × SKU.
    totals: sku, name, unit, closing_qty, closing_cents, stores — per SKU for the company.
    store_plan: store, sku, name, supplier, on_hand, reorder_point, order_qty, amount_cents.
    company_plan: sku, name, order_qty, amount_cents, stores.
    transfers: sku, name, store (short), order_qty, from_store, spare, suggested.
    status: store, path, period, status, errors, warnings, stock_cents, plan_cents, message.
    """

    period: str
    stock: pd.DataFrame
    totals: pd.DataFrame
    store_plan: pd.DataFrame
    company_plan: pd.DataFrame
    transfers: pd.DataFrame
    status: pd.DataFrame

    @property
    def stock_cents(self) -> int:
        return int(self.totals["closing_cents"].sum())

    @property
    def plan_cents(self) -> int:
        return int(self.company_plan["amount_cents"].sum())


def store_names(stores: list[StoreBook]) -> list[str]:
    """Each store's name: its company setting, else its file name; ``name (file)`` where names repeat."""

    def stem(p: str) -> str:
        return p.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]

    base = [s.company.strip() or stem(s.path) for s in stores]
    seen = Counter(base)
    return [b if seen[b] == 1 else f"{b} ({stem(s.path)})" for b, s in zip(base, stores, strict=True)]


def common_period(stores: list[StoreBook], lang: Lang) -> str:
    """The one period of the stores that have one; refuses mixed periods (or none), naming them."""
    by_period: dict[str, list[str]] = {}
    for s in stores:
        if s.period is not None:
            by_period.setdefault(s.period, []).append(s.path)
    if len(by_period) == 1:
        return next(iter(by_period))
    if not by_period:
        raise JxcError(phrase("group_no_period", lang))
    shown = "; ".join(
        f"{p}: {', '.join(paths[:3])}{' …' if len(paths) > 3 else ''}" for p, paths in sorted(by_period.items())
    )
    raise JxcError(phrase("group_mixed_periods", lang, periods=shown))


def _stock(name: str, s: StoreBook) -> pd.DataFrame:
    df = s.stock
    return pd.DataFrame(
        {
            "store": name,
            "sku": df["sku"].astype(object).to_numpy(),
            "name": df["name"].to_numpy(dtype=object),
            "unit": df["unit"].to_numpy(dtype=object),
            "closing_qty": df["closing_qty"].to_numpy(dtype=np.float64),
            "closing_cents": to_cents(df["closing_amount"].to_numpy(dtype=np.float64)),
        }
    )


def _plan(name: str, s: StoreBook) -> pd.DataFrame:
    df = s.plan
    return pd.DataFrame(
        {
            "store": name,
            "sku": df["sku"].astype(object).to_numpy(),
            "name": df["name"].to_numpy(dtype=object),
            "supplier": df["supplier"].to_numpy(dtype=object),
            "on_hand": df["on_hand"].to_numpy(dtype=np.float64),
            "reorder_point": df["reorder_point"].to_numpy(dtype=np.float64),
            "order_qty": df["order_qty"].to_numpy(dtype=np.float64),
            "amount_cents": to_cents(df["amount"].to_numpy(dtype=np.float64)),
        }
    )


def _first(df: pd.DataFrame, by: str, col: str) -> pd.Series:
    return df.groupby(by, sort=True)[col].first()


def _totals(stock: pd.DataFrame) -> pd.DataFrame:
    g = stock.groupby("sku", sort=True)
    out = pd.DataFrame(
        {
            "name": _first(stock, "sku", "name"),
            "unit": _first(stock, "sku", "unit"),
            "closing_qty": g["closing_qty"].sum(),
            "closing_cents": g["closing_cents"].sum().astype(np.int64),
            "stores": g["store"].nunique(),
        }
    )
    return out.rename_axis("sku").reset_index()


def _company_plan(plan: pd.DataFrame) -> pd.DataFrame:
    g = plan.groupby("sku", sort=True)
    out = pd.DataFrame(
        {
            "name": _first(plan, "sku", "name"),
            "order_qty": g["order_qty"].sum(),
            "amount_cents": g["amount_cents"].sum().astype(np.int64),
            "stores": g["store"].nunique(),
        }
    )
    return out.rename_axis("sku").reset_index()


def _spare(names: list[str], stores: list[StoreBook]) -> pd.DataFrame:
    """store, sku, spare: on hand above the store's reorder point + its order quantity (only where > 0)."""
    parts = []
    for name, s in zip(names, stores, strict=True):
        if s.levels.empty or s.stock.empty:
            continue
        on_hand = s.stock.set_index("sku")["closing_qty"].astype(np.float64)
        lv = s.levels.reindex(on_hand.index)
        spare = np.round(on_hand.to_numpy() - lv["reorder_point"].to_numpy() - lv["order_qty"].to_numpy(), 6)
        parts.append(pd.DataFrame({"from_store": name, "sku": on_hand.index.to_numpy(dtype=object), "spare": spare}))
    if not parts:
        return pd.DataFrame({"from_store": [], "sku": [], "spare": []})
    out = pd.concat(parts, ignore_index=True)
    return out.loc[out["spare"].fillna(0) > 0]


def _transfers(plan: pd.DataFrame, spare: pd.DataFrame) -> pd.DataFrame:
    short = plan.loc[plan["order_qty"] > 0, ["sku", "name", "store", "order_qty"]].astype({"sku": object})
    pairs = short.merge(spare.astype({"sku": object}), on="sku", how="inner")  # no store counted: both empty
    pairs = pairs.loc[pairs["store"] != pairs["from_store"]].copy()
    pairs["suggested"] = np.minimum(pairs["order_qty"].to_numpy(), pairs["spare"].to_numpy())
    cols = ["sku", "name", "store", "order_qty", "from_store", "spare", "suggested"]
    return pairs.sort_values(["sku", "store", "spare", "from_store"], ascending=[True, True, False, True])[
        cols
    ].reset_index(drop=True)


def _status(names: list[str], stores: list[StoreBook], stock: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    stock_c = stock.groupby("store")["closing_cents"].sum()
    plan_c = plan.groupby("store")["amount_cents"].sum()
    return pd.DataFrame(
        {
            "store": names,
            "path": [s.path for s in stores],
            "period": [s.period for s in stores],
            "status": [s.status for s in stores],
            "errors": [s.errors for s in stores],
            "warnings": [s.warnings for s in stores],
            "stock_cents": [int(stock_c.get(n, 0)) for n in names],
            "plan_cents": [int(plan_c.get(n, 0)) for n in names],
            "message": [s.message for s in stores],
        }
    )


def roll_up(stores: list[StoreBook], lang: Lang) -> Group:
    """The group's tables from its stores (see the module docstring for the rules).

    Args:
        stores: one StoreBook per store workbook, in the order they were named.
        lang: the language of a refusal.

    Returns:
        The Group; only stores whose status is ``ok`` are in its figures.

    Raises:
        JxcError: the stores are of different periods (or none has one).
    """
    period = common_period(stores, lang)
    names = store_names(stores)
    ok = [(n, s) for n, s in zip(names, stores, strict=True) if s.status == "ok"]
    stock = pd.concat([_stock(n, s) for n, s in ok] or [_stock("", _EMPTY)], ignore_index=True)
    plan = pd.concat([_plan(n, s) for n, s in ok] or [_plan("", _EMPTY)], ignore_index=True)
    spare = _spare([n for n, _ in ok], [s for _, s in ok])
    return Group(
        period=period,
        stock=stock.reset_index(drop=True),
        totals=_totals(stock),
        store_plan=plan.reset_index(drop=True),
        company_plan=_company_plan(plan),
        transfers=_transfers(plan, spare),
        status=_status(names, stores, stock, plan),
    )


_EMPTY = StoreBook(
    path="",
    company="",
    period=None,
    status="ok",
    stock=pd.DataFrame(
        {k: pd.Series([], dtype=object) for k in ("sku", "name", "unit", "closing_qty", "closing_amount")}
    ),
    plan=pd.DataFrame(
        {
            k: pd.Series([], dtype=object)
            for k in ("sku", "name", "supplier", "on_hand", "reorder_point", "order_qty", "amount")
        }
    ),
)
