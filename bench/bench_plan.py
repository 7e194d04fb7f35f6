"""Bench: the purchase plan's forecasting and policy (core.policy.plan_policy) for 10,000 SKUs × 24 months,
and the backtest of that policy over the last 12 months (core.backtest, what `jxc plan --backtest` runs).

A generated catalog (steady, seasonal, intermittent, lumpy) with 24 months of history and a month to date;
prints the median of 3 runs of each beside the target (issue 9: plan with forecasting and backtest < 2 s).

    .venv/bin/python bench/bench_plan.py [N_SKUS]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from targets import median_seconds, met  # bench/ is on sys.path when a bench runs as a script

from jxc_xl.core.backtest import backtest_plan
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
    ok = met(f"plan policy, {n} SKUs x 24 months", seconds, TARGET_S)
    skus = pd.Index([f"S{i:05d}" for i in range(n)])
    periods = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
    qty = (rates * MONTH).round()
    hist = pd.DataFrame({"sku": np.repeat(skus, 24), "period": periods * n, "demand_qty": qty.reshape(-1)})
    bt = median_seconds(lambda: backtest_plan(hist, "2026-01", skus, terms, 0.95), runs=3)
    ok &= met(f"plan policy + backtest of 12 months, {n} SKUs", seconds + bt, TARGET_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
