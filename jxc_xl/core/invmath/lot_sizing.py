"""EOQ family: economic order quantity, its annual cost, planned backorders, all-units quantity discounts.

Units: demand and costs per year (any consistent time unit works, as long as all arguments share it).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from jxc_xl.core.invmath.arguments import (
    FloatArray,
    FloatResult,
    InvalidArgument,
    _arg,
    _check_range,
    _out,
    as_float_array,
    broadcast_shape,
)


def eoq(annual_demand: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike) -> FloatResult:
    """Economic order quantity Q* = √(2Kλ/h).

    Args:
        annual_demand: λ, units per year, ≥ 0.
        order_cost: K, cost per order, ≥ 0.
        holding_cost: h, cost per unit per year, > 0.

    Returns:
        Q* in units per order, in the broadcast shape of the arguments (a float for scalars).
    """
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    h = _arg("holding_cost", holding_cost, lo=0, lo_open=True)
    broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h)
    return _out(np.sqrt(2.0 * k * d / h))


def eoq_cost(
    annual_demand: ArrayLike,
    order_cost: ArrayLike,
    holding_cost: ArrayLike,
    order_qty: ArrayLike | None = None,
) -> FloatResult:
    """Annual ordering + holding cost Kλ/Q + hQ/2.

    Args:
        annual_demand: λ, units per year, ≥ 0.
        order_cost: K, cost per order, ≥ 0.
        holding_cost: h, cost per unit per year, > 0.
        order_qty: Q, units per order, > 0; None: the EOQ, where the cost is √(2Kλh).

    Returns:
        The cost per year, in the broadcast shape of the arguments.
    """
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    h = _arg("holding_cost", holding_cost, lo=0, lo_open=True)
    if order_qty is None:
        broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h)
        return _out(np.sqrt(2.0 * k * d * h))
    q = _arg("order_qty", order_qty, lo=0, lo_open=True)
    broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h, order_qty=q)
    return _out(k * d / q + h * q / 2.0)


class BackorderEOQ(NamedTuple):
    order_qty: FloatResult
    backorder_fraction: FloatResult
    annual_cost: FloatResult


def eoq_backorder_details(
    annual_demand: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike, shortage_cost: ArrayLike
) -> BackorderEOQ:
    """EOQ with planned backorders (FoSCT §3.3).

    Args:
        annual_demand: λ, units per year, ≥ 0.
        order_cost: K, cost per order, ≥ 0.
        holding_cost: h, cost per unit per year, > 0.
        shortage_cost: p, the backorder (缺货) cost per unit per year, > 0.

    Returns:
        Q* = √(2Kλ(h+p)/(hp)), the backorder fraction x* = h/(h+p) and the annual cost
        g* = √(2Kλhp/(h+p)), each in the broadcast shape of the arguments.
    """
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    h = _arg("holding_cost", holding_cost, lo=0, lo_open=True)
    p = _arg("shortage_cost", shortage_cost, lo=0, lo_open=True)
    broadcast_shape(annual_demand=d, order_cost=k, holding_cost=h, shortage_cost=p)
    q = np.sqrt(2.0 * k * d * (h + p) / (h * p))
    x = h / (h + p) + 0.0 * d * k  # broadcast to the common shape, NaN where any input is empty
    g = np.sqrt(2.0 * k * d * h * p / (h + p))
    return BackorderEOQ(_out(q), _out(x), _out(g))


def eoq_backorder(
    annual_demand: ArrayLike, order_cost: ArrayLike, holding_cost: ArrayLike, shortage_cost: ArrayLike
) -> FloatResult:
    """Order quantity of the EOQ with backorders, √(2Kλ(h+p)/(hp)).

    Args and Returns: as :func:`eoq_backorder_details`, which this returns the ``order_qty`` of.
    """
    return eoq_backorder_details(annual_demand, order_cost, holding_cost, shortage_cost).order_qty


class DiscountEOQ(NamedTuple):
    order_qty: FloatResult
    annual_cost: FloatResult  # purchase + ordering + holding, per year
    tier: FloatResult  # 0-based index of the price tier of order_qty (NaN where empty)


def _price_table(breaks: ArrayLike, prices: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The one price table shared by every SKU, flattened: breaks (strictly increasing) and their prices."""
    b = _check_range("breaks", as_float_array("breaks", breaks).reshape(-1), lo=0)
    c = _check_range("prices", as_float_array("prices", prices).reshape(-1), lo=0, lo_open=True)
    if b.size == 0 or np.isnan(b).any():
        raise InvalidArgument("breaks must be a range of quantities with no empty cells", "breaks")
    if np.isnan(c).any():
        raise InvalidArgument("prices must be a range of prices with no empty cells", "prices")
    if b.size != c.size:
        raise InvalidArgument(
            f"breaks and prices must have the same number of cells (got {b.size} and {c.size})", "prices"
        )
    if b.size > 1 and not (np.diff(b) > 0).all():
        raise InvalidArgument("breaks must be strictly increasing", "breaks")
    return b, c


def eoq_discount_details(
    annual_demand: ArrayLike,
    order_cost: ArrayLike,
    holding_rate: ArrayLike,
    breaks: ArrayLike,
    prices: ArrayLike,
) -> DiscountEOQ:
    """EOQ with all-units quantity discounts (FoSCT §3.5, same candidates as stockpyl).

    ``breaks`` b_0 < b_1 < … and ``prices`` c_0, c_1, … describe one price table shared
    by every SKU: an order of Q ∈ [b_j, b_{j+1}) pays c_j per unit for all units.
    Holding cost is holding_rate i × unit price. Candidates are each realizable
    √(2Kλ/(i c_j)) and each positive breakpoint; the cheapest
    g_j(Q) = c_j λ + Kλ/Q + i c_j Q/2 wins (first one on ties, as stockpyl does).

    Args:
        annual_demand: λ, units per year, ≥ 0.
        order_cost: K, cost per order, ≥ 0.
        holding_rate: i, fraction of the unit price per year, > 0.
        breaks: b_0 < b_1 < …, units, ≥ 0 (one row or column, no empty cells).
        prices: c_0, c_1, …, price per unit of each break, > 0 (as many as breaks).

    Returns:
        The order quantity, its annual cost (purchase + ordering + holding) and its 0-based
        price tier, each in the broadcast shape of the first three arguments; 0 where demand is 0.
    """
    d = _arg("annual_demand", annual_demand, lo=0)
    k = _arg("order_cost", order_cost, lo=0)
    i = _arg("holding_rate", holding_rate, lo=0, lo_open=True)
    b, c = _price_table(breaks, prices)
    shape = broadcast_shape(annual_demand=d, order_cost=k, holding_rate=i)
    dd, kk, ii = (np.broadcast_to(a, shape)[..., None] for a in (d, k, i))

    upper = np.append(b[1:], np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        q_star = np.sqrt(2.0 * kk * dd / (ii * c))
        realizable = (q_star >= b) & (q_star < upper)
        # Breakpoint b_k is evaluated at its own tier k; b_0 = 0 is not an order size.
        q_all = np.concatenate([q_star, np.broadcast_to(b, q_star.shape)], axis=-1)
        c_all = np.concatenate([c, c])
        allowed = np.concatenate([realizable, np.broadcast_to(b > 0, q_star.shape)], axis=-1)
        ordering = np.where(q_all > 0, kk * dd / np.where(q_all > 0, q_all, 1.0), np.where(kk * dd > 0, np.inf, 0))
        cost = c_all * dd + ordering + ii * c_all * q_all / 2.0
        cost = np.where(allowed, cost, np.inf)
    pick = np.argmin(cost, axis=-1)[..., None]
    q = np.take_along_axis(q_all, pick, axis=-1)[..., 0]
    g = np.take_along_axis(cost, pick, axis=-1)[..., 0]
    tier = (pick[..., 0] % c.size).astype(np.float64)
    empty = np.isnan(dd[..., 0] + kk[..., 0] + ii[..., 0])
    # No demand: nothing to order, no cost (avoids 0/0 in the ordering term).
    zero = ~empty & (dd[..., 0] == 0)
    q = np.where(empty, np.nan, np.where(zero, 0.0, q))
    g = np.where(empty, np.nan, np.where(zero, 0.0, g))
    tier = np.where(empty, np.nan, np.where(zero, 0.0, tier))
    return DiscountEOQ(_out(q), _out(g), _out(tier))


def eoq_discount(
    annual_demand: ArrayLike,
    order_cost: ArrayLike,
    holding_rate: ArrayLike,
    breaks: ArrayLike,
    prices: ArrayLike,
) -> FloatResult:
    """Optimal order quantity under all-units discounts.

    Args and Returns: as :func:`eoq_discount_details`, which this returns the ``order_qty`` of.
    """
    return eoq_discount_details(annual_demand, order_cost, holding_rate, breaks, prices).order_qty
