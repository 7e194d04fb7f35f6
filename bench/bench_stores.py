"""A chain of stores: `jxc sync --jobs 1`, `--jobs 2` and `--scheduler` (a Dask LocalCluster of 2 workers).

The stores: ``--distinct`` generated demo months of ``--lines`` ledger lines each (``bench_validate.store_folder``,
cached in bench/out/), copied in turn to ``--stores`` workbooks (``--distinct`` = ``--stores`` makes every one
different; fewer saves the generating time, the sync of each copy is the same work). Each run syncs a fresh copy
of them at one path, bench/out/stores_run/stores, with ``jxc sync DIR --json --no-backup`` in a fresh process,
so the three runs must give the same exit status, the same JSON text and the same bytes in every file (checked:
the script exits 1 otherwise). The figure is the wall time of the jxc process; for ``--scheduler`` the cluster
(2 worker processes, 1 thread each, started here) is up before and its start-up is given apart.

    .venv/bin/python bench/bench_stores.py [--stores 200] [--lines 10000] [--distinct 200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import OUT, store_folder  # the generated stores: one home for both benchmarks


class Run(NamedTuple):
    """One `jxc sync` of the stores: how, its wall seconds, exit status, JSON text and every file's digest."""

    how: str
    seconds: float
    exit: int
    json_text: str
    digests: dict[str, str]


def pristine_stores(stores: int, lines: int, distinct: int) -> Path:
    """``stores`` workbooks copied in turn from ``distinct`` generated months (made once, cached)."""
    made = store_folder(distinct, lines)
    months = sorted(made.rglob("*.xlsx"))
    target = OUT / f"stores_{stores}_{lines}_{distinct}"
    if len(list(target.rglob("*.xlsx"))) != stores:
        shutil.rmtree(target, ignore_errors=True)
        for i in range(stores):
            d = target / f"store_{i + 1:03d}"
            d.mkdir(parents=True)
            shutil.copy2(months[i % len(months)], d / months[i % len(months)].name)
    return target


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sync_run(pristine: Path, how: list[str]) -> Run:
    work = OUT / "stores_run" / "stores"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(pristine, work)
    cmd = [sys.executable, "-m", "jxc_xl.cli", "sync", str(work), "--json", "--no-backup", *how]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"jxc sync {' '.join(how)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    label = "--scheduler (LocalCluster)" if how[0] == "--scheduler" else " ".join(how)
    return Run(label, seconds, proc.returncode, proc.stdout, digests(work))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stores", type=int, default=200)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--distinct", type=int, default=200, help="generated months the stores are copied from")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    pristine = pristine_stores(a.stores, a.lines, min(a.distinct, a.stores))
    size = sum(p.stat().st_size for p in pristine.rglob("*.xlsx")) / 1e6
    print(f"{a.stores} stores × {a.lines:,} lines ({a.distinct} generated), {size:.0f} MB; cpus {os.cpu_count()}")

    from distributed import LocalCluster

    runs = [sync_run(pristine, ["--jobs", "1"]), sync_run(pristine, ["--jobs", "2"])]
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        started = time.perf_counter() - t0
        runs.append(sync_run(pristine, ["--scheduler", cluster.scheduler_address]))
    summary = json.loads(runs[0].json_text)["summary"]
    for r in runs:
        print(f"jxc sync --json --no-backup {r.how:28} {r.seconds:7.1f} s  (exit {r.exit})")
    print(f"LocalCluster start-up (2 worker processes): {started:.1f} s; stores: {summary}")
    same = all((r.exit, r.json_text, r.digests) == (runs[0].exit, runs[0].json_text, runs[0].digests) for r in runs)
    changed = sum(runs[0].digests[k] != v for k, v in digests(pristine).items())
    print(f"identical exit, JSON and files across the three runs: {same} ({changed} of {a.stores} files rewritten)")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
