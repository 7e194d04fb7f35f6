"""Writer benchmark: building a workbook from the template, and patching generated tables into one.

Targets (moved here from the unit tests, which keep their functional checks):

* ``build_workbook`` of a month with 20,000 sales lines (xlsxwriter writes cell by cell): under 30 s.
* ``write_tables`` of 10,000 tblStock rows into a workbook with user parts (tests/factories.py): under 1.5 s
  (typically ~0.4 s on a 2-core box).

Each figure is the median of ``--runs`` in-process runs; the script exits 1 when a target is missed.

    .venv/bin/python bench/bench_write.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from targets import median_seconds, met

ROOT = Path(__file__).resolve().parents[1]
BUILD_ROWS, BUILD_TARGET_S = 20_000, 30.0
PATCH_ROWS, PATCH_TARGET_S = 10_000, 1.5


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))  # the inputs are the tests' factories: the same workbook and ledger
    from jxc_xl.io.template import build_workbook
    from jxc_xl.io.xlsxpatch import write_tables
    from tests.factories import sales_lines, stock_rows, write_user_parts_book

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows = sales_lines(BUILD_ROWS)
        build_s = median_seconds(lambda: build_workbook(tmp / "big.xlsx", data={"tblSales": rows}), a.runs)
        src = write_user_parts_book(tmp / "月报.xlsx", tmp)
        stock = stock_rows(PATCH_ROWS)
        patch_s = median_seconds(lambda: write_tables(src, tmp / "out.xlsx", {"tblStock": stock}), a.runs)
    ok = [
        met(f"build_workbook, {BUILD_ROWS:,} sales lines (median of {a.runs})", build_s, BUILD_TARGET_S),
        met(f"write_tables, {PATCH_ROWS:,} tblStock rows (median of {a.runs})", patch_s, PATCH_TARGET_S),
    ]
    if not all(ok):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
