"""Reader benchmark: read_workbook vs a bare python-calamine read vs pandas.read_excel(openpyxl).

Generates a demo month with 500,000 ledger lines over 10,000 SKUs once (bench/out/, gitignored), then
times each reader in a fresh subprocess: wall seconds and peak RSS (from os.wait4's rusage of that child).
Target (moved from the unit tests): generating that month in memory (``generate_month``) takes under 20 s;
the script exits 1 when it is missed.

    .venv/bin/python bench/bench_read.py [--runs 3] [--no-openpyxl] [--lines 500000] [--skus 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from targets import met

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_LINES, DEFAULT_SKUS = 500_000, 10_000
GENERATE_TARGET_S = 20.0  # generate_month at the default size


def _sheets(path: str) -> list[str]:
    """The sheets read_workbook reads: those of the schema's tables (either language) present in the file."""
    import python_calamine as pc

    from jxc_xl.schema import TABLES

    names = set(pc.CalamineWorkbook.from_path(path).sheet_names)
    return [s for t in TABLES for s in (t.zh_sheet, t.en_sheet) if s in names]


def child(mode: str, path: str) -> None:
    """Runs in the subprocess: one read, result size printed so nothing is optimised away."""
    if mode == "reader":
        from jxc_xl.io.reader import read_workbook

        wb = read_workbook(path)
        print(sum(len(t.df) for t in wb.tables.values()), len(wb.findings))
    elif mode == "calamine":
        import python_calamine as pc

        book = pc.CalamineWorkbook.from_path(path)
        n = 0
        for name in _sheets(path):
            n += len(book.get_sheet_by_name(name).to_python())
        print(n)
    elif mode == "openpyxl":
        import pandas as pd

        from jxc_xl.schema import LEDGER_TABLES

        frames = pd.read_excel(path, sheet_name=[t.zh_sheet for t in LEDGER_TABLES], engine="openpyxl")
        print(sum(len(f) for f in frames.values()))
    else:
        raise SystemExit(f"unknown mode {mode}")


def measure(mode: str, path: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one fresh-process read."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", mode, str(path)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lines", type=int, default=DEFAULT_LINES)
    ap.add_argument("--skus", type=int, default=DEFAULT_SKUS)
    ap.add_argument("--no-openpyxl", action="store_true")
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return

    from jxc_xl.demo import generate_month, write_demo

    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"bench_{a.lines}_{a.skus}"
    path = target / "jxc_demo_2026-11.xlsx"
    if not path.exists():
        t0 = time.perf_counter()
        write_demo(target, n_skus=a.skus, n_lines=a.lines)
        print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    m = generate_month(n_skus=a.skus, n_lines=a.lines)
    generate_s = time.perf_counter() - t0
    print(f"generate_month: {generate_s:.2f} s, {m.n_lines:,} ledger lines, {path.stat().st_size / 1e6:.1f} MB file")
    # the target holds for the default size only
    generate_ok = (a.lines, a.skus) != (DEFAULT_LINES, DEFAULT_SKUS) or met(
        f"generate_month, {a.lines:,} lines / {a.skus:,} SKUs", generate_s, GENERATE_TARGET_S
    )

    # interleaved runs: this machine is shared, so alternate the readers and report median and best
    res: dict[str, list[tuple[float, float]]] = {"calamine": [], "reader": []}
    for _ in range(a.runs):
        for mode in res:
            res[mode].append(measure(mode, path))
    rows: list[tuple[str, float, float, float, int]] = [
        (mode, statistics.median(r[0] for r in rs), min(r[0] for r in rs), max(r[1] for r in rs), a.runs)
        for mode, rs in res.items()
    ]
    if not a.no_openpyxl:
        wall, rss = measure("openpyxl", path)
        rows.append(("openpyxl", wall, wall, rss, 1))
    # interpreter start-up alone, to read the figures net of it
    base = statistics.median(measure_startup() for _ in range(a.runs))

    labels = {
        "calamine": "bare python-calamine (from_path + to_python per sheet)",
        "reader": "jxc_xl read_workbook",
        "openpyxl": "pandas.read_excel(engine='openpyxl'), ledger sheets",
    }
    print(f"\n{'reader':58} {'median s':>9} {'best s':>7} {'peak MB':>8} {'runs':>5}")
    for mode, wall, best, rss, runs in rows:
        print(f"{labels[mode]:58} {wall:9.2f} {best:7.2f} {rss:8.0f} {runs:5d}")
    print(f"{'python start-up (import nothing)':58} {base:8.2f}")
    print(
        f"\nratio read_workbook / bare calamine: median {rows[1][1] / rows[0][1]:.2f}, "
        f"best {rows[1][2] / rows[0][2]:.2f} (target ≤ 1.3)"
    )
    if not generate_ok:
        raise SystemExit(1)


def measure_startup() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
