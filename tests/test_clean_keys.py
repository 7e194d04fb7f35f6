"""core.ledger.clean_keys: the vectorised cleaning of text keys equals str.strip, blank → None, value by value."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from jxc_xl.core.ledger import _clean_one, clean_keys

# whitespace Python strips, NUL (numpy's text strips it, Python keeps it), letters and a full-width space
_CHARS = st.sampled_from([" ", "\t", "\u3000", "\xa0", "\x1c", "\x00", "A", "1", "编", "-"])


def expected(v: object) -> object:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else _clean_one(v)


@given(st.lists(st.one_of(st.text(_CHARS, max_size=4), st.none(), st.integers(0, 9)), max_size=30))
def test_clean_keys_equals_strip_value_by_value(values: list[object]) -> None:
    s = pd.Series(values, dtype=object)
    assert clean_keys(s).tolist() == [expected(v) for v in values]


def test_text_and_numbers_and_blanks() -> None:
    s = pd.Series([" A01 ", "A01", "", "　", "B\x00", None, 1001.0, np.nan], dtype=object)
    assert clean_keys(s).tolist() == ["A01", "A01", None, None, "B\x00", None, "1001.0", None]
