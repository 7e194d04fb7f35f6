"""Time targets the benches enforce: each figure is printed beside its target, and a missed one fails the run.

The unit tests assert what is computed; how long it takes is measured here, on a machine chosen for it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    """Median wall seconds of ``runs`` calls of ``fn`` (this machine is shared: one run can be unlucky)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def met(label: str, seconds: float, target_s: float) -> bool:
    """Print ``label: seconds (target < target_s) ok|MISSED`` and return whether the target was met."""
    ok = seconds < target_s
    print(f"{label}: {seconds:.2f} s (target < {target_s:g} s) {'ok' if ok else 'MISSED'}")
    return ok


def ratio_met(label: str, ratio: float, target: float) -> bool:
    """Print ``label: ratio× (target ≤ target×) ok|MISSED`` and return whether the target was met: for a figure
    measured against a baseline in the same run (a shared machine slows both alike)."""
    ok = ratio <= target
    print(f"{label}: {ratio:.2f}× (target ≤ {target:g}×) {'ok' if ok else 'MISSED'}")
    return ok
