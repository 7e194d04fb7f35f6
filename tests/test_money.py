"""core.money's scalar cents: the shortcut of cents_of gives exactly the snapped ROUND_HALF_UP everywhere."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from jxc_xl.core.money import cents_of, to_cents


def _snapped(x: float) -> int:
    """The rule by hand: cents snapped to 7 places, then ROUND_HALF_UP of that exact value; non-finite or huge → 0."""
    if not math.isfinite(x * 100.0) or abs(round(x * 100.0, 7)) >= 9e18:
        return 0
    return int(Decimal(round(x * 100.0, 7)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


_NEAR_HALVES = st.builds(
    lambda whole, tiny: (whole + 0.5) / 100.0 + tiny,
    st.integers(-(10**12), 10**12),
    st.sampled_from([0.0, 1e-12, -1e-12, 3e-10, -3e-10, 1e-9, -1e-9, 1e-8, -1e-8, 1e-7, -1e-7]),
)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), _NEAR_HALVES, st.floats(-1e7, 1e7)))
def test_cents_of_is_the_snapped_half_up(x: float) -> None:
    assert cents_of(x) == _snapped(x)


def test_cents_of_agrees_with_to_cents_on_known_cases() -> None:
    cases = [12.665, 2.675, -2.675, 1.005, 0.125, 0.005, -0.005, 1e13, 123456789.125, float("nan"), float("inf")]
    assert [cents_of(x) for x in cases] == to_cents(cases).tolist()
    assert cents_of(12.665) == 1267 and cents_of(-2.675) == -268
