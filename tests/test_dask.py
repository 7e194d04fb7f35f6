"""--scheduler (issue 13, part 4): validate, sync and consolidate on a Dask distributed cluster.

A ``distributed.LocalCluster`` of 2 worker processes (1 thread each) started here: no outside service. The
results must be those of ``--jobs``: the same files byte for byte, the same JSON. Skipped without Dask
(``pip install 'jxc-xl[dask]'``), except what needs no cluster (Dask missing, importing jxc_xl loads no Dask).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jxc_xl import dispatch
from jxc_xl.cli import app
from jxc_xl.errors import UsageError
from jxc_xl.sync_batch import sync_paths
from tests.factories import small_month, write_book

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a LocalCluster: 2 worker processes started in this process's working directory; a worker
    that dies twice on one task gives up on it (KilledWorker)."""
    pytest.importorskip("distributed")
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
    ):
        yield cluster.scheduler_address


def _stores(folder: Path) -> Path:
    """Three clean stores (one en), one with a validation error, one that is no workbook."""
    folder.mkdir(parents=True)
    for i, lang in enumerate(("zh", "zh", "en")):
        data = copy.deepcopy(small_month())
        for row in data["tblPurchases"]:
            row["unit_price"] = round(row["unit_price"] + 0.013 * (i + 1), 3)
            row["amount"] = round(row["qty"] * row["unit_price"], 2)
        write_book(folder / f"store{i}.xlsx", data, lang=lang, settings={"company": f"门店{i}"})
    bad = small_month()
    bad["tblSales"][0]["sku"] = "NOPE"
    write_book(folder / "invalid.xlsx", bad, settings={"company": "坏账店"})
    (folder / "sub").mkdir()
    (folder / "sub" / "broken.xlsx").write_bytes(b"PK\x03\x04 this is no workbook")
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _sync_json(folder: Path, pristine: Path, *how: object) -> tuple[int, str, dict[str, str]]:
    """``jxc sync FOLDER --json *how`` on a fresh copy of ``pristine`` at ``folder``: exit, JSON, file digests."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(pristine, folder)
    res = run("sync", folder, "--json", *how)
    return res.exit_code, res.stdout, _digests(folder)


@pytest.mark.slow
def test_sync_on_the_cluster_writes_what_jobs_writes(tmp_path: Path, scheduler: str) -> None:
    pristine = _stores(tmp_path / "pristine")
    folder = tmp_path / "stores"  # every run at the same path: the JSON names the stores by it
    one = _sync_json(folder, pristine, "--jobs", "1")
    two = _sync_json(folder, pristine, "--jobs", "2")
    dask_run = _sync_json(folder, pristine, "--scheduler", scheduler)
    assert one[0] == 1  # the invalid store is refused and the broken one fails; the others are synced
    doc = json.loads(one[1])
    assert doc["summary"] == {"stores": 5, "synced": 3, "refused": 1, "failed": 1}
    assert one[2] != _digests(pristine)  # the clean stores were written (and backed up)
    assert dask_run == two == one  # exit status, JSON text and every file's bytes


def _without_timings(doc: dict) -> dict:
    for f in doc["files"]:
        f["stats"].pop("elapsed_s", None)  # seconds spent on the file: the one thing that differs run to run
    return doc


@pytest.mark.slow
def test_validate_on_the_cluster_finds_what_jobs_finds(tmp_path: Path, scheduler: str) -> None:
    folder = _stores(tmp_path / "stores")
    before = _digests(folder)
    local = run("validate", folder, "--json", "--jobs", "2")
    remote = run("validate", folder, "--json", "--scheduler", scheduler)
    assert local.exit_code == remote.exit_code == 1
    want, got = _without_timings(json.loads(local.stdout)), _without_timings(json.loads(remote.stdout))
    assert got == want
    assert got["summary"]["files"] == 5 and got["summary"]["errors"] >= 2  # the invalid and the broken file
    assert _digests(folder) == before  # validate only reads


@pytest.mark.slow
def test_consolidate_on_the_cluster_writes_the_same_group_workbook(tmp_path: Path, scheduler: str) -> None:
    folder = _stores(tmp_path / "stores")
    sync_paths([folder], backup=False)
    group = tmp_path / "group.xlsx"  # both runs write the same path: the command's lines name it
    local = run("consolidate", folder, "-o", group, "--jobs", "2")
    written = group.read_bytes()
    group.unlink()
    remote = run("consolidate", folder, "-o", group, "--scheduler", scheduler)
    assert local.exit_code == remote.exit_code == 1  # the invalid and the broken store are left out
    assert "3/5" in local.stdout
    assert remote.stdout == local.stdout and remote.stderr == local.stderr
    assert group.read_bytes() == written


@pytest.mark.slow
def test_a_path_a_worker_cannot_read_is_that_stores_result(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers were started in another directory: a relative path names no file there. That store fails
    (validate: file-unreadable), the store given by its absolute path is synced; the batch finishes."""
    folder = _stores(tmp_path / "stores")
    monkeypatch.chdir(tmp_path)
    rel, absolute = "stores/store0.xlsx", str(folder / "store1.xlsx")
    report = sync_paths([rel, absolute], scheduler=scheduler, backup=False)
    by_path = {str(s.path): s for s in report.stores}
    assert by_path[absolute].status == "synced"
    lost = by_path[rel]
    assert lost.status == "failed" and "store0.xlsx" in lost.message and lost.stock_value is None
    here = sync_paths([rel], backup=False)  # the same relative path, run where it names a file
    assert here.stores[0].status == "synced"
    res = run("validate", rel, absolute, "--json", "--scheduler", scheduler)
    codes = {Path(f["path"]).name: {x["code"] for x in f["findings"]} for f in json.loads(res.stdout)["files"]}
    assert res.exit_code == 1 and codes["store0.xlsx"] == {"file-unreadable"}
    assert "file-unreadable" not in codes["store1.xlsx"]


def _double_or_fail(x: int) -> int:
    if x == 2:
        raise ValueError("two")
    return 2 * x


def _die_on_3(x: int) -> int:
    if x == 3:
        os._exit(17)  # the worker process dies, as a crash inside a native reader would take it down
    return x + 100


@pytest.mark.slow
def test_run_all_on_the_cluster_keeps_order_and_gives_failures_their_fallback(scheduler: str) -> None:
    ticks: list[int] = []

    def fallback(job: tuple[int], e: BaseException) -> str:
        return f"fallback {job[0]} {type(e).__name__}"

    items = [(i,) for i in range(6)]
    out = dispatch.run_all(_double_or_fail, items, 1, lambda: ticks.append(1), fallback, scheduler=scheduler)
    assert out == [0, 2, "fallback 2 ValueError", 6, 8, 10]
    assert len(ticks) == 6
    died = dispatch.run_all(_die_on_3, items, 1, lambda: None, fallback, scheduler=scheduler)
    assert died == [100, 101, 102, "fallback 3 KilledWorker", 104, 105]
    assert dispatch.run_all(_double_or_fail, [], 1, lambda: None, fallback, scheduler=scheduler) == []


@pytest.mark.slow
def test_no_scheduler_at_the_address_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    folder = _stores(tmp_path / "stores")
    before = _digests(folder)
    monkeypatch.setattr(dispatch, "CONNECT_TIMEOUT_S", 1)
    for args in (("sync", folder), ("validate", folder), ("consolidate", folder, "-o", tmp_path / "g.xlsx")):
        res = run(*args, "--scheduler", "tcp://127.0.0.1:9")
        assert res.exit_code == 2, res.output
        assert "no Dask scheduler answers there" in res.output and "tcp://127.0.0.1:9" in res.output
    assert _digests(folder) == before and not (tmp_path / "g.xlsx").exists()


def test_without_dask_the_option_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = write_book(tmp_path / "a.xlsx")
    before = book.read_bytes()
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError, as if absent
    with pytest.raises(UsageError, match=r"pip install 'jxc-xl\[dask\]'"):
        sync_paths([book], scheduler="tcp://127.0.0.1:8786")
    res = run("sync", book, "--scheduler", "tcp://127.0.0.1:8786")
    assert res.exit_code == 2 and "jxc-xl[dask]" in res.output
    assert book.read_bytes() == before


def test_importing_jxc_xl_loads_no_dask() -> None:
    code = (
        "import sys, jxc_xl, jxc_xl.cli, jxc_xl.validate, jxc_xl.sync_batch, jxc_xl.consolidate, jxc_xl.dispatch\n"
        "jxc_xl.validate_paths, jxc_xl.sync_paths, jxc_xl.consolidate_paths\n"
        "bad = {m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')}\n"
        "assert not bad, sorted(bad)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
