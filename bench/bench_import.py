"""Benchmark: what ``import jxc_xl.udfs`` adds to importing xlwings + pandas (xlwings Lite's start-up).

Run: .venv/bin/python bench/bench_import.py [--runs N]

Each run is a fresh interpreter that imports xlwings and pandas (Lite loads both whatever main.py holds), then
jxc_xl.udfs and jxc_xl.excel (what main.py imports), timing each step with perf_counter; the figure is the
median over the runs. Also reported: whether scipy was imported (it must not be: in Pyodide it is a large
download, and the Lite path has no use for it). Exit 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from targets import met

TARGET_S = 0.1  # import jxc_xl.udfs on top of xlwings + pandas
ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import xlwings, pandas
t1 = time.perf_counter()
import jxc_xl.udfs
t2 = time.perf_counter()
import jxc_xl.excel
t3 = time.perf_counter()
print(json.dumps({"base": t1 - t0, "udfs": t2 - t1, "excel": t3 - t2, "scipy": "scipy" in sys.modules}))
"""


def one_run() -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    a = parser.parse_args()
    runs = [one_run() for _ in range(a.runs)]
    median = {k: statistics.median(r[k] for r in runs) for k in ("base", "udfs", "excel")}
    scipy = any(r["scipy"] for r in runs)
    print(f"import xlwings + pandas: {median['base']:.3f} s (median of {a.runs} fresh processes)")
    print(f"then import jxc_xl.excel (the sync button): {median['excel']:.3f} s")
    print(f"then import jxc_xl.udfs: {median['udfs'] * 1000:.0f} ms")
    print(f"scipy imported: {scipy}")
    ok = met(f"then import jxc_xl.udfs (median of {a.runs})", median["udfs"], TARGET_S) and not scipy
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
