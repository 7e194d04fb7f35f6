"""Inventory turnover and days of inventory over a period."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from jxc_xl.core.invmath.arguments import FloatResult, _arg, _out, broadcast_shape


def turnover(cogs: ArrayLike, opening_inventory: ArrayLike, closing_inventory: ArrayLike) -> FloatResult:
    """Inventory turnover = cogs / ((opening + closing) / 2).

    Average inventory 0 gives NaN (empty): the ratio is undefined, and an empty cell keeps
    SUM/AVERAGE over the column working where an Excel error would poison them.

    Returns:
        Times per period, in the broadcast shape of the arguments.
    """
    c = _arg("cogs", cogs, lo=0)
    o = _arg("opening_inventory", opening_inventory, lo=0)
    e = _arg("closing_inventory", closing_inventory, lo=0)
    broadcast_shape(cogs=c, opening_inventory=o, closing_inventory=e)
    avg = (o + e) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(avg > 0, c / np.where(avg > 0, avg, 1.0), np.nan) + 0.0 * avg)


def days_of_inventory(
    cogs: ArrayLike, opening_inventory: ArrayLike, closing_inventory: ArrayLike, period_days: ArrayLike = 30
) -> FloatResult:
    """Days of inventory = average inventory / cogs × period_days.

    cogs 0 gives NaN (empty) for the same reason as :func:`turnover`.

    Returns:
        Days, in the broadcast shape of the arguments.
    """
    c = _arg("cogs", cogs, lo=0)
    o = _arg("opening_inventory", opening_inventory, lo=0)
    e = _arg("closing_inventory", closing_inventory, lo=0)
    p = _arg("period_days", period_days, lo=0, lo_open=True)
    broadcast_shape(cogs=c, opening_inventory=o, closing_inventory=e, period_days=p)
    avg = (o + e) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(c > 0, avg / np.where(c > 0, c, 1.0) * p, np.nan) + 0.0 * (avg + p))
