"""Bench: stock ageing (core.ageing.stock_ageing, issue 12.6) on the 500,000-line month, per valuation method,
beside the valuation it follows (core.valuation.value_month), both in this process on the same workbook.

The months are bench_sync's (bench/out/sync-LINES-SKUS-METHOD, generated there when missing). The target: the
ageing takes under 0.2 s, 2 % of the month's sync (about 10 s, README), so sync does not slow down noticeably.

    .venv/bin/python bench/bench_ageing.py [--lines 500000] [--skus 10000]
"""

from __future__ import annotations

import argparse
import sys

from bench_sync import month  # bench/ is on sys.path when a bench runs as a script
from targets import median_seconds, met

from jxc_xl.core.ageing import stock_ageing
from jxc_xl.core.valuation import value_month
from jxc_xl.io.reader import read_workbook

TARGET_S = 0.2


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=500_000)
    ap.add_argument("--skus", type=int, default=10_000)
    a = ap.parse_args()
    ok = True
    for method in ("moving_average", "monthly_average", "fifo"):
        wb = read_workbook(month(a.lines, a.skus, method))
        val = value_month(wb)
        valued = median_seconds(lambda: value_month(wb), runs=3)  # noqa: B023 (called at once, in this loop)
        aged = median_seconds(lambda: stock_ageing(wb, val), runs=3)  # noqa: B023
        print(f"{method}: value_month {valued:.2f} s (for scale)")
        ok &= met(f"{method}: stock_ageing, {a.lines} lines", aged, TARGET_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
