"""Benchmark: ABC and EOQ over 100,000 SKUs as one range call vs. one call per cell.

Run: .venv/bin/python bench/bench_formulas.py [n_skus]

* "udf range": the jxc_xl.udfs function given a 100000×1 list of lists, which is what
  xlwings hands a function declared with ``ndim=2`` (conversion of the result included).
* "udf ndarray": the same with a float array of that shape.
* "core": jxc_xl.core.invmath directly (numpy in, numpy out).
* "blank": the same range with one empty cell (None, as xlwings passes a blank cell, or
  '' as some clients do), which used to force a per-cell conversion.
* "per-cell loop": one scalar call per SKU, as 100,000 separate formulas would do.
  ABC has no true per-cell form: each cell must rank the whole column, so every one of
  the 100,000 formulas costs a full range call; a small sample is timed and scaled.
* forecast: 10,000 SKUs × 12 periods, dense and with 30 % of the rows missing their
  first 4 periods (SKUs added after history began) — the sync engine's case.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from jxc_xl import udfs
from jxc_xl.core import invmath as im

TARGET_MS = 50.0


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Best wall time in seconds over ``repeat`` runs (first run included: no warm cache tricks)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(n: int = 100_000) -> None:
    rng = np.random.default_rng(42)
    demand = rng.uniform(0, 50_000, size=(n, 1))
    values = rng.pareto(1.2, size=(n, 1)) * 1000
    demand_cells = demand.tolist()
    value_cells = values.tolist()

    rows: list[tuple[str, str, float, float | None]] = []

    def add(fn_name: str, how: str, seconds: float, target: bool) -> None:
        rows.append((fn_name, how, seconds, TARGET_MS if target else None))

    add("eoq", "udf range (list 100000×1)", best_of(lambda: udfs.eoq(demand_cells, 8.0, 0.225)), True)
    add("eoq", "udf ndarray (100000×1)", best_of(lambda: udfs.eoq(demand, 8.0, 0.225)), True)
    add("eoq", "core ndarray", best_of(lambda: im.eoq(demand, 8.0, 0.225)), True)
    with_none = [row[:] for row in demand_cells]
    with_none[n // 2] = [None]
    with_blank = [row[:] for row in demand_cells]
    with_blank[n // 2] = [""]
    add("eoq", "udf range, one None cell", best_of(lambda: udfs.eoq(with_none, 8.0, 0.225)), True)
    add("eoq", "udf range, one '' cell", best_of(lambda: udfs.eoq(with_blank, 8.0, 0.225)), True)
    scalars = demand[:, 0].tolist()
    add("eoq", "per-cell loop (udf)", best_of(lambda: [udfs.eoq(d, 8.0, 0.225) for d in scalars], 1), False)
    add("eoq", "per-cell loop (core)", best_of(lambda: [im.eoq(d, 8.0, 0.225) for d in scalars], 1), False)

    add("abc", "udf range (list 100000×1)", best_of(lambda: udfs.abc(value_cells)), True)
    add("abc", "udf ndarray (100000×1)", best_of(lambda: udfs.abc(values)), True)
    add("abc", "core ndarray", best_of(lambda: im.abc(values)), True)
    # Per-cell ABC has to see the whole column in every cell: each formula re-ranks all SKUs,
    # so 100,000 cells cost 100,000 full calls. Time a sample of 200 and scale up.
    sample = 20
    t = best_of(lambda: [udfs.abc(value_cells) for _ in range(sample)], 1)
    add("abc", f"per-cell (each cell re-ranks; {sample} timed, ×{n // sample})", t * n / sample, False)

    add("abc", "udf range, one None cell", best_of(lambda: udfs.abc(with_none)), True)

    n_fc, periods = 10_000, 12
    hist = rng.gamma(2.0, 20.0, size=(n_fc, periods))
    gappy = hist.copy()
    gappy[rng.random(n_fc) < 0.3, :4] = np.nan
    fc_rows: list[tuple[str, str, float]] = []
    for method in ("ses", "holt"):
        fc_rows.append((method, "dense 10000×12", best_of(lambda m=method: im.forecast(hist, 1, m), 3)))
        fc_rows.append((method, "30% rows lack first 4 periods", best_of(lambda m=method: im.forecast(gappy, 1, m), 3)))

    print(f"{'function':8} {'call':48} {'total ms':>11} {'µs/SKU':>9} {'target':>9}")
    print("-" * 90)
    for fn_name, how, seconds, target in rows:
        ms = seconds * 1000
        verdict = "" if target is None else ("ok" if ms < target else "SLOW") + f" <{target:.0f}"
        print(f"{fn_name:8} {how:48} {ms:11.1f} {seconds / n * 1e6:9.3f} {verdict:>9}")
    print()
    print(f"{'forecast':8} {'history (' + str(n_fc) + ' SKUs, fitted parameters)':48} {'total ms':>11} {'µs/SKU':>9}")
    print("-" * 90)
    for method, how, seconds in fc_rows:
        print(f"{method:8} {how:48} {seconds * 1000:11.1f} {seconds / n_fc * 1e6:9.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
