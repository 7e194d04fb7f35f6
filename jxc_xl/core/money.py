"""Exact money: integer cents, ROUND_HALF_UP as Excel's ROUND does it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

# Excel rounds the decimal it shows, not the binary float: 12.665 is stored as 12.66499999…, yet
# ROUND(12.665, 2) = 12.67. Snapping to 9 decimal places first recovers the intended decimal.
_SNAP = 9


def round_half_up(x: float, ndigits: int = 2) -> float:
    """ROUND_HALF_UP of one number to ``ndigits`` places, as Excel's ROUND."""
    if x != x:  # NaN stays NaN
        return x
    d = Decimal(repr(round(x, _SNAP)))
    return float(d.quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP))


def to_cents(x: npt.ArrayLike) -> np.ndarray:
    """Money amounts (float) → int64 cents, ROUND_HALF_UP.

    A blank (NaN) or infinite amount gives 0 cents: such cells are validation errors, and a forced sync
    must still compute the other rows rather than cast garbage.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an absurd amount overflows to inf: zeroed just below
        a = np.round(np.asarray(x, dtype=np.float64) * 100.0, _SNAP - 2)
    a = np.where(np.isfinite(a) & (np.abs(a) < 9e18), a, 0.0)
    return (np.sign(a) * np.floor(np.abs(a) + 0.5)).astype(np.int64)


def cents_of(x: float) -> int:
    """One amount → int cents, ROUND_HALF_UP: ``to_cents`` for a scalar (a non-finite one gives 0 like it).

    Plain Python on purpose (no numpy): the valuation loops call it once per line and layer.
    """
    a = round(x * 100.0, _SNAP - 2)
    if not -9e18 < a < 9e18:  # inf, NaN or beyond int64, as to_cents: such a cell is already a finding
        return 0
    return int(a + 0.5) if a >= 0 else -int(-a + 0.5)


def mul_cents(qty: npt.ArrayLike, price: npt.ArrayLike) -> np.ndarray:
    """ROUND_HALF_UP(qty × price, 2) in cents, vectorised."""
    return to_cents(np.asarray(qty, dtype=np.float64) * np.asarray(price, dtype=np.float64))


def from_cents(c: npt.ArrayLike) -> np.ndarray:
    """int cents → float amounts (exact to the cent when shown with two decimals)."""
    return np.asarray(c, dtype=np.int64) / 100.0
