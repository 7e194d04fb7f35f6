"""jxc sync over a batch of stores (issue 13, part 3): folders and globs, --jobs, --json, one broken store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jxc_xl.cli import app
from jxc_xl.io.reader import read_workbook
from jxc_xl.sync_batch import sync_paths
from tests.factories import small_month, write_book

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _stores(folder: Path, n_clean: int = 3, *, lang: str = "zh") -> dict[str, Path]:
    """``n_clean`` clean stores, one with a validation error and one that is no workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    books = {
        f"clean{i}": write_book(folder / f"store{i}.xlsx", lang=lang, settings={"company": f"门店{i}"})
        for i in range(n_clean)
    }
    bad = small_month()
    bad["tblSales"][0]["sku"] = "NOPE"
    books["invalid"] = write_book(folder / "invalid.xlsx", bad, lang=lang, settings={"company": "坏账店"})
    broken = folder / "sub" / "broken.xlsx"
    broken.parent.mkdir()
    broken.write_bytes(b"PK\x03\x04 this is no workbook")
    books["broken"] = broken
    return books


def test_batch_syncs_every_store_and_one_bad_store_never_stops_it(tmp_path: Path) -> None:
    books = _stores(tmp_path / "stores")
    before = {k: p.read_bytes() for k, p in books.items()}
    res = run("sync", tmp_path / "stores", "--json")
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"stores", "summary"}
    assert doc["summary"] == {"stores": 5, "synced": 3, "refused": 1, "failed": 1}
    by_path = {Path(s["path"]).name: s for s in doc["stores"]}
    for s in doc["stores"]:
        assert set(s) == {"path", "status", "rows", "stock_value", "plan_amount", "errors", "message"}
    invalid, broken = by_path["invalid.xlsx"], by_path["broken.xlsx"]
    assert invalid["status"] == "refused" and invalid["errors"] >= 1 and "invalid.xlsx" in invalid["message"]
    assert broken["status"] == "failed" and broken["message"] and broken["stock_value"] is None
    assert books["invalid"].read_bytes() == before["invalid"]  # refused: untouched
    for i in range(3):
        s = by_path[f"store{i}.xlsx"]
        assert s["status"] == "synced" and s["message"] == "" and s["errors"] == 0
        assert s["rows"]["tblStock"] == 5 and s["stock_value"] > 0
        wb = read_workbook(books[f"clean{i}"])
        assert len(wb.df("tblStock")) == 5  # written in place
        assert (tmp_path / "stores" / f"store{i}.bak.xlsx").read_bytes() == before[f"clean{i}"]


def test_batch_terminal_lines_and_summary(tmp_path: Path) -> None:
    _stores(tmp_path / "s", n_clean=2, lang="en")
    res = run("sync", tmp_path / "s" / "*.xlsx", tmp_path / "s" / "sub")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert sum(line.startswith("Synced ") for line in lines) == 2
    assert any(line.startswith("Not synced ") and "invalid.xlsx" in line for line in lines)
    assert any(line.startswith("Failed ") and "broken.xlsx" in line for line in lines)
    assert "4 stores: 2 synced, 1 refused, 1 failed." in res.stdout


def test_backups_and_lock_files_are_not_stores(tmp_path: Path) -> None:
    for i in range(2):
        write_book(tmp_path / f"m{i}.xlsx")
    assert run("sync", tmp_path).exit_code == 0
    (tmp_path / "~$m0.xlsx").write_bytes(b"lock")
    report = sync_paths([tmp_path], backup=False)  # m0 is now "open in Excel": refused, not a store of its own
    names = sorted(s.path.name for s in report.stores)
    assert names == ["m0.xlsx", "m1.xlsx"]
    assert [s.status for s in report.stores] == ["refused", "synced"] and not report.ok


def test_output_takes_one_workbook_and_a_missing_path_is_usage(tmp_path: Path) -> None:
    a, b = write_book(tmp_path / "a.xlsx"), write_book(tmp_path / "b.xlsx")
    res = run("sync", a, b, "-o", tmp_path / "out.xlsx")
    assert res.exit_code == 2 and "-o" in res.output and not (tmp_path / "out.xlsx").exists()
    assert run("sync", a, tmp_path / "nothing-here").exit_code == 2
    assert run("sync", tmp_path, "--jobs", "0").exit_code == 2


def test_all_synced_exits_0_in_the_workbooks_language(tmp_path: Path) -> None:
    for i in range(2):
        write_book(tmp_path / f"m{i}.xlsx", settings={"company": f"店{i}"})
    res = run("sync", tmp_path, "--no-backup")
    assert res.exit_code == 0, res.output
    assert "门店 2 个：已同步 2，拒绝 0，失败 0。" in res.stdout
    assert not list(tmp_path.glob("*.bak.xlsx"))


@pytest.mark.slow
def test_jobs_2_writes_the_same_bytes_as_jobs_1(tmp_path: Path) -> None:
    _stores(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    r1 = run("sync", tmp_path / "one", "--json", "--jobs", "1")
    r2 = run("sync", tmp_path / "two", "--json", "--jobs", "2")
    assert r1.exit_code == r2.exit_code == 1
    d1, d2 = json.loads(r1.stdout), json.loads(r2.stdout)
    strip = lambda d, root: json.dumps(d).replace(str(root), "ROOT")  # noqa: E731
    assert strip(d1, tmp_path / "one") == strip(d2, tmp_path / "two")
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.xlsx"))
    assert len(files) == 8  # 3 synced + 3 backups + invalid + broken
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_json_is_strict_utf8_for_a_file_name_that_is_not(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    folder = tmp_path / "s"
    folder.mkdir()
    write_book(os.fsdecode(os.fsencode(str(folder)) + b"/st\xff.xlsx"))
    cmd = [sys.executable, "-m", "jxc_xl.cli", "sync", str(folder), "--json", "--no-backup"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout.decode("utf-8"))  # strict: raises on a raw 0xff byte
    assert doc["stores"][0]["path"].endswith("st\\xff.xlsx") and doc["stores"][0]["status"] == "synced"


def test_each_store_line_speaks_its_workbooks_language(tmp_path: Path) -> None:
    write_book(tmp_path / "zh.xlsx")
    bad = small_month()
    bad["tblSales"][0]["sku"] = "NOPE"
    write_book(tmp_path / "en.xlsx", bad, lang="en")
    res = run("sync", tmp_path, "--no-backup")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert any(line.startswith("Not synced ") and "en.xlsx" in line for line in lines), lines
    assert any(line.startswith("已同步 ") and "zh.xlsx" in line for line in lines), lines
    report = sync_paths([tmp_path / "en.xlsx"], backup=False)
    assert report.stores[0].lang == "en" and report.lang == "en"
