"""The benchmark month kept in N warehouses (issue 12.2): the demo month with the same lines, spread out.

Each SKU has a home warehouse (W01 … WNN, in turn): its opening, purchases, returns and counts are there. About
40 % of its sales leave from two other warehouses (its outlets), each stocked by one transfer from home per
month, dated at its first sale there, of what it sells that month. A count at home states what home holds at
the end of its date (the demo's count less what the outlets hold then). A SKU whose home would then go below
zero keeps all its sales at home (no transfer). The month stays clean: it validates with 0 errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxc_xl.core.ledger import DATE_ORDER, running_balance
from jxc_xl.demo import DemoMonth
from jxc_xl.schema import COUNTS, ITEMS, OPENING, PURCHASES, RETURNS, SALES, TRANSFERS, WAREHOUSES

OUTLET_SHARE = 0.4


def spread(m: DemoMonth, n: int, seed: int = 7) -> DemoMonth:
    """``m`` with its lines in ``n`` warehouses and the transfers that stock the outlets (module docstring)."""
    rng = np.random.default_rng(seed)
    data = {k: v.copy() for k, v in m.data.items()}
    codes = [f"W{k + 1:02d}" for k in range(n)]
    skus = pd.Index(data[ITEMS.name]["sku"])
    home = pd.Series(np.arange(len(skus)) % n, index=skus)
    sales = data[SALES.name]
    h = home.reindex(sales["sku"]).to_numpy()
    pick = rng.random(len(sales))
    wh = np.where(pick < OUTLET_SHARE / 2, (h + 1) % n, np.where(pick < OUTLET_SHARE, (h + 2) % n, h))
    transfers = _transfers(sales, wh, h, codes)
    counts = _home_counts(data[COUNTS.name], sales, wh, h, transfers)
    bad = _negative_homes(data, sales, wh, h, transfers, counts, home)
    keep_home = sales["sku"].isin(bad).to_numpy()
    wh = np.where(keep_home, h, wh)
    transfers = transfers[~transfers["sku"].isin(bad)].reset_index(drop=True)
    counts = _home_counts(data[COUNTS.name], sales, wh, h, transfers)
    for name in (OPENING.name, PURCHASES.name, RETURNS.name, COUNTS.name):
        data[name] = data[name].assign(warehouse=[codes[k] for k in home.reindex(data[name]["sku"]).to_numpy()])
    data[COUNTS.name] = data[COUNTS.name].assign(counted_qty=counts)
    data[SALES.name] = sales.assign(warehouse=[codes[k] for k in wh])
    data[TRANSFERS.name] = transfers
    data[WAREHOUSES.name] = pd.DataFrame({"code": codes, "name": [f"仓库 {c}" for c in codes], "note": None})
    return DemoMonth(m.period, m.settings, data)


def _transfers(sales: pd.DataFrame, wh: np.ndarray, h: np.ndarray, codes: list[str]) -> pd.DataFrame:
    """One transfer per (SKU, outlet): home → outlet, at the outlet's first sale, of its month's sales."""
    out = sales.assign(_wh=wh, _home=h)[wh != h]
    g = out.groupby(["sku", "_wh"], sort=True).agg(date=("date", "min"), qty=("qty", "sum"), home=("_home", "first"))
    g = g.reset_index()
    return pd.DataFrame(
        {
            "date": g["date"],
            "doc_no": [f"DB-{k + 1:06d}" for k in range(len(g))],
            "from_warehouse": [codes[k] for k in g["home"]],
            "to_warehouse": [codes[k] for k in g["_wh"]],
            "sku": g["sku"],
            "qty": g["qty"],
            "note": None,
        }
    )


def _held(sales: pd.DataFrame, wh: np.ndarray, h: np.ndarray, transfers: pd.DataFrame) -> pd.DataFrame:
    """What the outlets of each SKU hold at the end of each date with a movement (sku, date, held)."""
    moves = pd.concat(
        [
            transfers[["sku", "date", "qty"]],
            sales.loc[wh != h, ["sku", "date", "qty"]].assign(qty=lambda f: -f["qty"]),
        ]
    )
    per_day = moves.groupby(["sku", "date"], sort=True)["qty"].sum()
    return per_day.groupby(level=0).cumsum().rename("held").reset_index()


def _home_counts(
    counts: pd.DataFrame, sales: pd.DataFrame, wh: np.ndarray, h: np.ndarray, transfers: pd.DataFrame
) -> np.ndarray:
    """Each count's qty at home: the demo's count less what the outlets hold at the end of its date."""
    if not len(counts):
        return counts["counted_qty"].to_numpy(dtype=np.float64)
    held = _held(sales, wh, h, transfers).sort_values("date")
    c = counts.reset_index().sort_values("date")
    at = pd.merge_asof(c, held, on="date", by="sku", direction="backward").set_index("index")
    return (counts["counted_qty"] - at["held"].reindex(counts.index).fillna(0.0)).to_numpy(dtype=np.float64)


def _negative_homes(
    data: dict[str, pd.DataFrame],
    sales: pd.DataFrame,
    wh: np.ndarray,
    h: np.ndarray,
    transfers: pd.DataFrame,
    counts: np.ndarray,
    home: pd.Series,
) -> set[str]:
    """The SKUs whose home goes below zero at some event (the ledger's event order)."""
    rt = data[RETURNS.name]
    parts = [
        data[PURCHASES.name][["date", "sku", "qty"]].assign(kind="purchase"),
        rt[["date", "sku", "qty", "kind"]],
        transfers[["date", "sku", "qty"]].assign(kind="transfer_out"),
        sales.loc[wh == h, ["date", "sku", "qty"]].assign(kind="sale"),
        data[COUNTS.name][["date", "sku"]].assign(qty=counts, kind="count"),
    ]
    ev = pd.concat(parts, ignore_index=True)
    ev = ev.assign(_k=ev["kind"].map(DATE_ORDER)).sort_values(["date", "_k"], kind="stable").reset_index(drop=True)
    opening = data[OPENING.name].groupby("sku")["qty"].sum()
    bal = running_balance(ev, opening)
    low = ev.loc[bal.to_numpy() < -1e-9, "sku"]
    return set(low) | set(data[COUNTS.name]["sku"][counts < 0])
