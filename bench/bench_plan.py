"""Bench: the purchase plan's forecasting and policy (core.policy.plan_policy) for 10,000 SKUs × 24 months.

A generated catalog (steady, seasonal, intermittent, lumpy) with 24 months of history and a month to date;
prints the median of 3 runs beside its target.

    .venv/bin/python bench/bench_plan.py [N_SKUS]
"""

from __future__ import annotations

import sys

import numpy as np
from targets import median_seconds, met  # bench/ is on sys.path when a bench runs as a script

from jxc_xl.core.demand import DemandSeries
from jxc_xl.core.policy import plan_policy
from jxc_xl.core.simulate import MONTH, demand_paths, make_catalog, terms_of

TARGET_S = 2.0


def main(n_skus: int = 10_000) -> int:
    rng = np.random.default_rng(1)
    c = make_catalog(n_skus // 4, rng)
    demand = demand_paths(c, 25 * MONTH, rng)
    n = len(c.kind)
    rates = demand[:, : 24 * MONTH].reshape(n, 24, MONTH).sum(axis=2) / MONTH
    month = demand[:, 24 * MONTH : 24 * MONTH + 15]
    series = DemandSeries(rates, month.sum(axis=1), month.std(axis=1, ddof=1), 15, 30, 365 / 12)
    terms = terms_of(c)
    seconds = median_seconds(lambda: plan_policy(series, terms, 0.95, 365.0), runs=3)
    return 0 if met(f"plan policy, {n} SKUs x 24 months", seconds, TARGET_S) else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
