"""Validate benchmark.

1. One month of 500,000 ledger lines over 10,000 SKUs (the demo generator; cached in bench/out/, shared with
   bench_read.py): `validate_file` against a bare python-calamine read of the same sheets. Target ≤ 1.5×.
2. A batch of 50 store workbooks of 10,000 lines each: `jxc validate DIR --json --jobs 2` against `--jobs 1`.

Every measurement runs in a fresh subprocess; each prints the seconds of its own operation (imports and
interpreter start-up excluded) and the wall seconds of the whole process.

    .venv/bin/python bench/bench_validate.py [--runs 3] [--lines 500000] [--skus 10000] [--stores 50]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def child(mode: str, path: str) -> None:
    """Runs in the subprocess; prints one JSON line with the timed parts."""
    import python_calamine as pc

    from jxc_xl.schema import TABLES

    t0 = time.perf_counter()
    if mode == "calamine":
        wb = pc.CalamineWorkbook.from_path(path)
        names = set(wb.sheet_names)
        n = sum(
            len(wb.get_sheet_by_name(s).to_python()) for t in TABLES for s in (t.zh_sheet, t.en_sheet) if s in names
        )
        out = {"op": time.perf_counter() - t0, "rows": n}
    elif mode == "validate":
        from jxc_xl.core.rules import check
        from jxc_xl.io.reader import read_workbook
        from jxc_xl.validate import validate_file

        wb = read_workbook(path)
        t1 = time.perf_counter()
        found = check(wb)
        t2 = time.perf_counter()
        res = validate_file(path)
        t3 = time.perf_counter()
        out = {
            "read": t1 - t0,
            "rules": t2 - t1,
            "op": t3 - t2,
            "findings": len(res.findings),
            "rule_findings": len(found),
        }
    elif mode.startswith("batch"):
        from jxc_xl.cli import run_validate_cli

        jobs = int(mode[5:])
        buf = io.StringIO()
        code = run_validate_cli(
            [path], as_json=True, report=None, previous=None, jobs=jobs, lang="zh", stdout=buf, stderr=io.StringIO()
        )
        doc = json.loads(buf.getvalue())
        out = {"op": time.perf_counter() - t0, "exit": code, **doc["summary"]}
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


def measure(mode: str, path: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t0
    return res


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def big_file(lines: int, skus: int) -> Path:
    from jxc_xl.demo import write_demo

    target = OUT / f"bench_{lines}_{skus}"
    path = target / "jxc_demo_2026-11.xlsx"
    if not path.exists():
        t0 = time.perf_counter()
        write_demo(target, n_skus=skus, n_lines=lines)
        print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
    return path


def store_folder(stores: int, lines: int) -> Path:
    from jxc_xl.demo import write_demo

    folder = OUT / f"validate_stores_{stores}_{lines}"
    t0 = time.perf_counter()
    made = 0
    for i in range(stores):
        d = folder / f"store_{i + 1:03d}"
        if not any(d.glob("*.xlsx")):
            write_demo(d, seed=1000 + i, n_skus=400, n_lines=lines)
            made += 1
    if made:
        print(f"wrote {made} store workbooks in {time.perf_counter() - t0:.1f} s")
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lines", type=int, default=500_000)
    ap.add_argument("--skus", type=int, default=10_000)
    ap.add_argument("--stores", type=int, default=50)
    ap.add_argument("--store-lines", type=int, default=10_000)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    OUT.mkdir(parents=True, exist_ok=True)

    path = big_file(a.lines, a.skus)
    print(f"\n1) one month: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {a.lines:,} lines / {a.skus:,} SKUs")
    cal = [measure("calamine", path) for _ in range(a.runs)]
    val = [measure("validate", path) for _ in range(a.runs)]
    print(f"{'':44} {'median s':>9} {'min s':>7} {'process s':>10}")

    def line(label: str, runs: list[dict[str, float]], key: str, wall: bool = False) -> None:
        proc = f"{median(runs, 'wall'):10.2f}" if wall else ""
        print(f"{label:44} {median(runs, key):9.2f} {min(r[key] for r in runs):7.2f} {proc}")

    line("bare python-calamine read (schema sheets)", cal, "op", wall=True)
    line("validate_file (read + rules)", val, "op", wall=True)
    line("  read_workbook alone", val, "read")
    line("  core.rules.check alone", val, "rules")
    print(f"findings on the demo month: {val[0]['findings']}  (runs: {a.runs})")
    for how, f in (("median", median), ("min", lambda runs, k: min(r[k] for r in runs))):
        print(f"ratio validate / bare calamine read ({how}): {f(val, 'op') / f(cal, 'op'):.2f} (target ≤ 1.5)")

    folder = store_folder(a.stores, a.store_lines)
    print(
        f"\n2) batch: {a.stores} store workbooks × {a.store_lines:,} lines in {folder.name}/ (cpus: {os.cpu_count()})"
    )
    for jobs in (1, 2):
        runs = [measure(f"batch{jobs}", folder) for _ in range(max(1, a.runs - 1))]
        r = runs[0]
        print(
            f"jxc validate --json --jobs {jobs}: {median(runs, 'op'):6.2f} s "
            f"(process {median(runs, 'wall'):.2f} s; files {r['files']}, errors {r['errors']}, exit {r['exit']})"
        )


if __name__ == "__main__":
    main()
