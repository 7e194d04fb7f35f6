"""The corpus test (issue 11): several hundred damaged, hostile and unusual workbooks through validate and sync.

For each file of ``tests.corpus``: ``jxc validate`` and ``jxc sync -o`` end with exit 0, 1 or 2, print no
traceback and no internal error and never hang; the input's bytes are unchanged; a written output opens in
python-calamine, openpyxl and LibreOffice Calc (all outputs in a few soffice calls; skipped without soffice);
no XML entity is expanded into it; and the process that ran them never held more than 1 GB. The cases run in
child processes under an address-space limit (``RLIMIT_AS``), a few hundred per child; a child that dies names
the case it was on (the driver logs each case before it starts), and the rest go on in a new child. One batch
``jxc validate --jobs 2`` over the whole folder checks the batch path.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import Case, build_corpus
from tests.libreoffice import convert_many, require_soffice

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_LIMIT = 3 * 1024**3  # numpy, pandas and the rust reader map far more than they use
RSS_LIMIT_KB = 1024**2  # 1 GB peak resident set of a child
COST_CASES = ("sale-cost-", "count-cost-", "sales-return-cost-", "purchase-return-cost-", "counts-sum-")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_LIMIT, ADDRESS_LIMIT))


def run_driver(
    cases: list[Case], work: Path, *, children: int = 2, timeout: float = 1200, keep: bool = False
) -> tuple[dict[int, dict[str, Any]], int]:
    """Every case through ``tests.corpus.main`` in ``children`` parallel children; (index → record, peak RSS in
    KB of any child). A case whose child died gets ``{"died": returncode}`` and the rest go on in a new child.
    ``keep``: the outputs stay in ``work/out`` as ``out-INDEX.xlsx``."""
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    records: dict[int, dict[str, Any]] = {}
    todo = list(range(len(cases)))
    rounds = 0
    while todo:
        rounds += 1
        assert rounds < 50, "children keep dying"
        shares = [todo[k::children] for k in range(children)]
        procs = []
        for k, share in enumerate(s for s in shares if s):
            listing, results = work / f"list{k}.txt", work / f"results{k}.jsonl"
            text = "\n".join(f"{i}\t{os.fsdecode(cases[i].path)}" for i in share)
            listing.write_text(text, "utf-8", "surrogateescape")
            results.unlink(missing_ok=True)
            cmd = [sys.executable, "-m", "tests.corpus", str(listing), str(out), str(results), *(["keep"] * keep)]
            procs.append((subprocess.Popen(cmd, cwd=ROOT, preexec_fn=_limit, stderr=subprocess.PIPE), results))
        for proc, results in procs:
            _, stderr = proc.communicate(timeout=timeout)
            started: int | None = None
            for line in results.read_text("utf-8").splitlines() if results.exists() else []:
                rec = json.loads(line)
                if "started" in rec:
                    started = rec["started"]
                else:
                    records[rec["index"]] = rec
                    started = None
            if proc.returncode != 0 and started is not None:
                records[started] = {"index": started, "died": proc.returncode, "stderr": stderr[-2000:].decode()}
            elif proc.returncode != 0:
                raise AssertionError(f"driver failed outside a case: {stderr[-3000:].decode()}")
        todo = [i for i in todo if i not in records]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return records, peak


def problems_of(case: Case, rec: dict[str, Any]) -> list[str]:
    """What is wrong with one case's record (nothing: the commands behaved)."""
    if "died" in rec:
        return [f"process died ({rec['died']}): {rec['stderr'][-500:]}"]
    out = []
    for verb in ("validate", "sync"):
        text = rec[f"{verb}_text"]
        if rec[verb] not in (0, 1, 2):
            out.append(f"{verb} exit {rec[verb]}: {text[-600:]}")
        for bad in ("Traceback", "internal error", "Internal error"):
            if bad in text:
                out.append(f"{verb} printed {bad!r}: {text[-600:]}")
    if rec.get("json_ok", True) is not True:
        out.append(f"validate --json is not JSON: {rec['json_ok']}")
    if not rec["unchanged"]:
        out.append("the input's bytes changed")
    # sync writes only the generated parts: a part already broken in the input (a missing chart, an attribute
    # openpyxl does not know) stays as it was. The output must open in each library the input opens in.
    failed_in = {p.split(":", 1)[0] for p in rec.get("input_opens", [])}
    out += [f"output does not open: {p}" for p in rec["opens"] if p.split(":", 1)[0] not in failed_in]
    if rec.get("laughs"):
        out.append("an XML entity was expanded into the output")
    if rec["sync"] == 0 and not rec["out"]:
        out.append("sync said ok but wrote nothing")
    return out


@dataclass(frozen=True)
class CorpusRun:
    """The corpus built and run once for the module's tests: its cases, one record per case, the children's
    peak RSS in KB, and the folder that holds the files (``files``) and the written outputs (``run/out``)."""

    root: Path
    cases: list[Case]
    records: dict[int, dict[str, Any]]
    peak_kb: int

    def output(self, index: int) -> Path:
        return self.root / "run" / "out" / f"out-{index:03d}.xlsx"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    root = tmp_path_factory.mktemp("corpus")
    cases = build_corpus(root / "files")
    records, peak_kb = run_driver(cases, root / "run", keep=True)
    return CorpusRun(root, cases, records, peak_kb)


@pytest.mark.slow
def test_corpus_validate_and_sync_never_crash(corpus: CorpusRun) -> None:
    cases, records, peak_kb = corpus.cases, corpus.records, corpus.peak_kb
    kinds = {c.kind for c in cases}
    assert len(cases) >= 300 and kinds == {"bytes", "zip", "xml", "content", "fs"}
    failures = {f"{c.kind}/{c.name}": p for i, c in enumerate(cases) if (p := problems_of(c, records[i]))}
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)[:20000]
    assert peak_kb <= RSS_LIMIT_KB, f"peak RSS {peak_kb} KB"
    clean = records[0]
    assert clean["validate"] == 0 and clean["sync"] == 0 and clean["out"]  # the undamaged month still syncs
    # The sale, return and count lines whose money at cost overflows are findings (cost-too-large), never a
    # crash: validate names them (exit 1) and a forced sync still writes.
    costly = [i for i, c in enumerate(cases) if c.name.startswith(COST_CASES)]
    assert len(costly) >= 20
    for i in costly:
        assert records[i]["validate"] == 1 and records[i]["sync"] == 0, (cases[i].name, records[i])
        assert "cost-too-large" in records[i]["validate_text"], (cases[i].name, records[i]["validate_text"])

    # The batch path: the whole folder in one `jxc validate --json --jobs 2` (folder expansion meets the pipe,
    # the folder named .xlsx and the link loop; a worker that dies costs only its file).
    proc = subprocess.run(
        [sys.executable, "-m", "jxc_xl.cli", "validate", "--json", "--jobs", "2", str(corpus.root / "files")],
        cwd=ROOT,
        preexec_fn=_limit,
        capture_output=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]  # errors found (damaged files), not a crash
    doc = json.loads(proc.stdout.decode("utf-8"))  # strict UTF-8, the non-UTF-8 file name included
    readable = [c for c in cases if c.path.is_file() and c.path.suffix.lower() in (".xlsx", ".xlsm")]
    assert len(doc["files"]) == len(readable)  # every regular workbook file, one result each
    assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stdout


@pytest.mark.slow
@pytest.mark.libreoffice
def test_corpus_outputs_open_in_libreoffice(corpus: CorpusRun) -> None:
    """Every output sync wrote opens in LibreOffice Calc (python-calamine and openpyxl: the test above), unless
    the input it was synced from does not open there either (sync copies the parts it does not write). All in a
    few soffice calls (each saved again as xlsx), not one per file."""
    require_soffice()
    outputs = {i: corpus.output(i) for i, rec in corpus.records.items() if rec.get("out")}
    assert len(outputs) >= 100 and all(p.is_file() for p in outputs.values())
    opened = convert_many(list(outputs.values()), corpus.root / "lo-out", "xlsx")  # csv: a cell at B1048576 is
    # a million lines of it, minutes each; xlsx is saved sparse
    failed = {i: p for i, p in outputs.items() if p not in opened}
    if failed:  # were their inputs already unopenable? (copies: the corpus names are odd on purpose)
        inputs = corpus.root / "lo-in"
        inputs.mkdir()
        copies = {i: inputs / f"in-{i:03d}.xlsx" for i in failed}
        for i, dst in copies.items():
            shutil.copyfile(corpus.cases[i].path, dst)
        opened_in = convert_many(list(copies.values()), corpus.root / "lo-in-out", "xlsx")
        failed = {i: p for i, p in failed.items() if copies[i] in opened_in}
    names = sorted(f"{corpus.cases[i].kind}/{corpus.cases[i].name}" for i in failed)
    assert not names, f"{len(names)} outputs LibreOffice cannot open: {names}"


# ---------------------------------------------------------------------------------------------------
# One regression test per crash the corpus found (fast: each on one file)

from typer.testing import CliRunner  # noqa: E402

from jxc_xl.cli import app  # noqa: E402
from tests.factories import small_month, write_book  # noqa: E402


def _jxc(*args: object) -> Any:
    return CliRunner().invoke(app, [os.fsdecode(a) if isinstance(a, Path) else str(a) for a in args])


def _one_line(res: Any) -> str:
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    return str(res.output)


@pytest.fixture
def month(tmp_path: Path) -> Path:
    return write_book(tmp_path / "m.xlsx")


def test_a_path_that_names_no_file_is_wrong_usage_in_every_command(month: Path, tmp_path: Path, monkeypatch) -> None:
    """Exit 2 for '.', a missing file and a folder, in validate, sync and close alike (was: a ValueError on '.'
    and exit 1 for a missing file in sync and close)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()  # a folder is a batch of stores for sync (issue 13): one holding no workbook
    for args in (
        ("sync", "empty"),
        ("close", ".", "n.xlsx"),
        ("sync", "nope.xlsx"),
        ("close", "nope.xlsx", "n.xlsx"),
        ("validate", "nope.xlsx"),
        ("close", month, tmp_path),
    ):
        res = _jxc(*args)
        assert res.exit_code == 2, (args, res.output)
        _one_line(res)


def test_sync_output_must_be_a_workbook_file(month: Path, tmp_path: Path) -> None:
    before = month.read_bytes()
    for out in (tmp_path, tmp_path / "out.csv", tmp_path / "out.xlsm"):
        res = _jxc("sync", month, "-o", out)
        assert res.exit_code == 2, (out, res.output)
        assert "folder" in _one_line(res) or ".xlsx" in res.output
    assert not (tmp_path / "out.csv").exists() and month.read_bytes() == before


def test_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    """Opening a pipe to read waits for a writer forever: sync and validate refuse it (in a child, so a
    regression fails by timeout instead of hanging the suite)."""
    fifo = tmp_path / "p.xlsx"
    os.mkfifo(fifo)
    for args in (["sync", str(fifo), "-o", str(tmp_path / "o.xlsx")], ["validate", str(fifo)]):
        proc = subprocess.run([sys.executable, "-m", "jxc_xl.cli", *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_folder_that_cannot_be_written_is_one_clear_line(month: Path, monkeypatch) -> None:
    """In-place sync in a read-only folder: the backup copy fails (was: a PermissionError traceback)."""

    def denied(*a: Any, **k: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(shutil, "copy2", denied)
    before = month.read_bytes()
    res = _jxc("sync", month)
    assert res.exit_code == 1 and "无法写入文件夹" in _one_line(res)  # a zh workbook: its language without --lang
    assert month.read_bytes() == before and [p.name for p in month.parent.iterdir()] == ["m.xlsx"]


def test_a_file_name_that_is_not_utf8_gives_valid_json(month: Path, tmp_path: Path) -> None:
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/m-\xff.xlsx"))
    odd.write_bytes(month.read_bytes())
    res = _jxc("validate", "--json", odd)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout_bytes.decode("utf-8"))  # strict UTF-8
    assert doc["files"][0]["path"].endswith("m-\\xff.xlsx") and doc["files"][0]["valid"]


def _rewrite(src: Path, dst: Path, part: str, data: bytes) -> Path:
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, data if info.filename == part else zin.read(info.filename))
    return dst


def _stock_parts(path: Path) -> tuple[str, str]:
    from jxc_xl.io.package import open_package, table_parts

    with open_package(path) as parts:
        tp = next(t for t in table_parts(parts, path) if t.name == "tblStock")
        return tp.part, tp.sheet.part


def test_damaged_generated_parts_are_refused_before_writing(month: Path, tmp_path: Path) -> None:
    """A table part in UTF-16, a table ref that is no range, a header count that is no number, a generated
    sheet cut short: one line naming the part, exit 1, nothing written (were internal errors)."""
    import zipfile

    table, sheet = _stock_parts(month)
    with zipfile.ZipFile(month) as z:
        table_xml, sheet_xml = z.read(table), z.read(sheet)
    import re

    damaged = {
        "utf16": (table, table_xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")),
        "ref": (table, re.sub(rb'(<table\b[^>]*?\sref=")[^"]*', rb"\g<1>1:6", table_xml, count=1)),
        "count": (table, table_xml.replace(b" ref=", b' headerRowCount="x" ref=', 1)),
        "cut": (sheet, sheet_xml[: len(sheet_xml) * 2 // 3]),
        "cut-end": (sheet, sheet_xml[:-20]),
    }
    for name, (part, data) in damaged.items():
        bad = _rewrite(month, tmp_path / f"{name}.xlsx", part, data)
        out = tmp_path / f"{name}-out.xlsx"
        res = _jxc("sync", bad, "-o", out, "--force")
        assert res.exit_code == 1, (name, res.output)
        assert part in _one_line(res) or "xl/tables" in res.output, (name, res.output)
        assert not out.exists()


def test_an_encrypted_zip_entry_is_refused_with_the_fix(month: Path, tmp_path: Path) -> None:
    from tests.corpus import _entries, _write_zip, _zipcrypto

    table, _ = _stock_parts(month)
    bad = tmp_path / "enc.xlsx"
    bad.write_bytes(_write_zip([_zipcrypto(e) if e.name == table else e for e in _entries(month.read_bytes())]))
    res = _jxc("sync", bad, "-o", tmp_path / "o.xlsx")
    assert res.exit_code == 1 and "password" in _one_line(res) and not (tmp_path / "o.xlsx").exists()


@pytest.mark.parametrize("value", [1e308, "1e999", "9" * 400, "NaN", "-inf"])
def test_numbers_no_quantity_can_be_are_findings(tmp_path: Path, value: Any) -> None:
    """Was: 'cannot convert float infinity to integer' under --force. Now a bad-type finding on the cell, and a
    forced sync computes the other lines."""
    from jxc_xl.validate import validate_file

    data = small_month()
    data["tblSales"][0]["qty"] = value
    path = write_book(tmp_path / "m.xlsx", data)
    (f,) = [f for f in validate_file(path).findings if f.code == "bad-type"]
    assert f.sheet == "销售出库" and f.cell == "E2"
    res = _jxc("sync", path, "-o", tmp_path / "o.xlsx", "--force")
    assert res.exit_code == 0, _one_line(res)
