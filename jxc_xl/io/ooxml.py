"""Small SpreadsheetML text helpers: cell references and the attributes of a start tag.

Columns here count from 1, as OOXML's ``min``/``max`` and cell references do (A = 1); ``jxc_xl.core.findings``
counts from 0 and these convert at the call.
"""

from __future__ import annotations

import re

from jxc_xl.core.findings import col_index, col_letter
from jxc_xl.core.messages import phrase

__all__ = ["attrs", "col", "letter", "set_attr", "split_range", "split_ref"]

_REF_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_ATTR_RE = re.compile(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")


def letter(c: int) -> str:
    """1-based column → Excel letters: 1 → 'A', 27 → 'AA'."""
    return col_letter(c - 1)


def col(letters: str) -> int:
    """Excel letters → 1-based column: 'A' → 1, 'AA' → 27."""
    return col_index(letters) + 1


def split_ref(ref: str) -> tuple[int, int]:
    """'B7' → (col 2, row 7); ValueError for anything else."""
    m = _REF_RE.match(ref.strip().upper())
    if not m:
        raise ValueError(phrase("io_bad_cell_ref", "en", ref=repr(ref)))
    return col(m.group(1)), int(m.group(2))


def split_range(ref: str) -> tuple[int, int, int, int]:
    """'A1:O10' → (c1, r1, c2, r2); a single cell 'B2' → (2, 2, 2, 2); ValueError when malformed."""
    a, _, b = ref.partition(":")
    c1, r1 = split_ref(a)
    c2, r2 = split_ref(b or a)
    return c1, r1, c2, r2


def attrs(tag_body: str) -> dict[str, str]:
    """The attributes of a start tag (or of its text after the name), quotes removed."""
    return {k: v[1:-1] for k, v in _ATTR_RE.findall(tag_body)}


def set_attr(start_tag: str, name: str, value: str) -> str:
    """A start tag with attribute ``name`` set (replaced in place, or added before the tag's end)."""
    pat = re.compile(rf"(\s{re.escape(name)}\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pat.search(start_tag):
        return pat.sub(lambda m: f'{m.group(1)}"{value}"', start_tag, count=1)
    end = -2 if start_tag.endswith("/>") else -1
    return f'{start_tag[:end]} {name}="{value}"{start_tag[end:]}'
