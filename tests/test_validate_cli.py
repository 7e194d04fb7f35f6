"""run_validate_cli and `jxc validate`: exit status and output of each mode."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from jxc_xl.cli import run_validate_cli
from tests.factories import small_month, write_book


def cli(paths: list, **kw) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    opts = {"as_json": False, "report": None, "previous": None, "jobs": 1, "lang": None} | kw
    code = run_validate_cli([str(p) for p in paths], stdout=out, stderr=err, **opts)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("books")
    bad = small_month()
    bad["tblSales"][0]["sku"] = "NOPE"
    # Two companies: one month of each in one folder is no duplicate month.
    return {
        "clean": write_book(d / "clean.xlsx", small_month()),
        "bad": write_book(d / "bad.xlsx", bad, settings={"company": "乙店"}),
    }


def test_clean_terminal_exit_0(books: dict[str, Path]) -> None:
    code, out, err = cli([books["clean"]])
    assert code == 0, err
    assert "clean.xlsx" in out and "错误 0" in out


def test_errors_terminal_exit_1_names_the_cell(books: dict[str, Path]) -> None:
    code, out, _ = cli([books["bad"]], lang="en")
    assert code == 1
    assert "销售出库!D2" in out and "unknown-sku" in out and "1 error(s)" in out


def test_json_mode(books: dict[str, Path]) -> None:
    code, out, _ = cli([books["clean"], books["bad"]], as_json=True)
    assert code == 1
    doc = json.loads(out)
    assert doc["summary"] == {"files": 2, "valid": 1, "errors": 1, "warnings": 0}
    assert [f["valid"] for f in doc["files"]] == [True, False]


def test_report_mode_writes_xlsx(books: dict[str, Path], tmp_path: Path) -> None:
    rep = tmp_path / "r.xlsx"
    code, _, err = cli([books["bad"]], report=rep)
    assert code == 1 and rep.exists() and "r.xlsx" in err
    ws = openpyxl.load_workbook(rep).worksheets[0]
    assert ws.max_row == 2 and ws["H2"].hyperlink is not None


def test_unreadable_file_exit_1(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    p.write_text("hello")
    code, out, _ = cli([p], as_json=True)
    assert code == 1
    assert json.loads(out)["files"][0]["findings"][0]["code"] == "file-unreadable"


@pytest.mark.parametrize(
    ("args", "kw", "words"),
    [
        (["nothing-here.xlsx"], {}, "nothing-here.xlsx"),
        ([], {}, "no workbook"),
        (["CLEAN"], {"jobs": 0}, "--jobs"),
        (["CLEAN"], {"report": Path("r.csv")}, "*.xlsx"),
        (["CLEAN"], {"previous": Path("missing-prev.xlsx")}, "missing-prev.xlsx"),
    ],
)
def test_wrong_usage_exit_2(books: dict[str, Path], tmp_path: Path, args: list, kw: dict, words: str) -> None:
    paths = [books["clean"] if a == "CLEAN" else tmp_path / a for a in args]
    code, out, err = cli(paths, **kw)
    assert code == 2 and out == ""
    assert words in err


def test_typer_command(books: dict[str, Path], tmp_path: Path) -> None:
    typer_testing = pytest.importorskip("typer.testing")
    from jxc_xl.cli import app

    runner = typer_testing.CliRunner()
    res = runner.invoke(app, ["validate", str(books["bad"]), "--json", "--jobs", "2"])
    assert res.exit_code == 1
    assert json.loads(res.stdout)["summary"]["errors"] == 1
    res = runner.invoke(app, ["validate", str(tmp_path / "none.xlsx")])
    assert res.exit_code == 2 and "Traceback" not in res.output


def _two_months(d: Path) -> tuple[Path, Path]:
    """November and December carried forward from it by close (its opening equals November's closing)."""
    pytest.importorskip("jxc_xl.core.generate")
    from jxc_xl.sync import close_month

    nov = write_book(d / "nov.xlsx", small_month())
    dec = d / "dec.xlsx"
    close_month(nov, dec)
    return nov, dec


def test_previous_good_and_mismatching_month(tmp_path: Path) -> None:
    nov, dec = _two_months(tmp_path)
    code, out, err = cli([dec], previous=nov, as_json=True)
    assert code == 0, err
    assert json.loads(out)["summary"]["errors"] == 0
    # December's opening typed by hand, the second SKU's first row's qty one too many (close writes one row per
    # receipt date of a SKU's closing: the finding is on the SKU's first row).
    from jxc_xl.io.reader import read_workbook

    opening = read_workbook(dec).df("tblOpening").drop(columns="_row")
    k = int(opening.index[opening["sku"] != opening["sku"].iloc[0]][0])
    opening.loc[k, "qty"] += 1
    opening.loc[k, "amount"] = None
    bad = write_book(tmp_path / "dec-bad.xlsx", {"tblItems": small_month()["tblItems"], "tblOpening": opening},
                     period="2026-12")  # fmt: skip
    code, out, _ = cli([bad], previous=nov, as_json=True)
    assert code == 1
    found = json.loads(out)["files"][0]["findings"]
    assert {f["code"] for f in found} == {"opening-mismatch"}
    qty = [f for f in found if f["column"] == "qty"]
    assert len(qty) == 1 and (qty[0]["sheet"], qty[0]["cell"]) == ("期初", f"B{k + 2}")


def test_unreadable_previous_exits_1_and_still_checks(books: dict[str, Path], tmp_path: Path) -> None:
    junk = tmp_path / "oct.xlsx"
    junk.write_bytes(b"not a workbook")
    code, out, err = cli([books["clean"]], previous=junk, as_json=True)
    assert code == 1 and "oct.xlsx" in err and "cannot be read" in err
    (f,) = json.loads(out)["files"][0]["findings"]
    assert (f["code"], f["severity"]) == ("opening-mismatch", "warning")


def test_report_that_cannot_be_written_is_one_message(books: dict[str, Path], tmp_path: Path) -> None:
    blocked = tmp_path / "blocked.xlsx"
    blocked.mkdir()  # a folder where the report should go: xlsxwriter raises FileCreateError
    code, _, err = cli([books["clean"]], report=blocked)
    assert code == 2 and "cannot write the report" in err and "internal error" not in err


def test_report_inside_the_checked_folder(books: dict[str, Path], tmp_path: Path) -> None:
    d = tmp_path / "data"
    d.mkdir()
    (d / "m.xlsx").write_bytes(books["clean"].read_bytes())
    rep = d / "report.xlsx"
    first = cli([d], report=rep, as_json=True)
    second = cli([d], report=rep, as_json=True)  # the first run's report is there now: left out
    assert first[0] == second[0] == 0 and rep.exists()
    assert [f["path"] for f in json.loads(second[1])["files"]] == [str(d / "m.xlsx")]
    code, _, err = cli([rep], report=rep)  # named as input and as report: refused
    assert code == 2 and "choose another name" in err


# ---------------------------------------------------------------------------------------------------
# Square brackets in messages, cells and paths are text, not rich markup


def test_terminal_prints_square_brackets_intact(tmp_path: Path) -> None:
    from rich.console import Console

    from jxc_xl.core.findings import Finding
    from jxc_xl.report.result import FileResult, Report
    from jxc_xl.report.terminal import render_terminal

    f = Finding(
        code="settings-invalid", severity="error", sheet="参数", row=3, cell="B3",
        message="参数!B3 [settings-invalid] SKU [x] [bold]not bold[/]",
    )  # fmt: skip
    buf = io.StringIO()
    render_terminal(Report([FileResult(path=Path("[x].xlsx"), findings=[f])]), Console(file=buf, width=200), "en")
    out = buf.getvalue()
    assert "[x].xlsx" in out and "参数!B3" in out
    assert "参数!B3 [settings-invalid] SKU [x] [bold]not bold[/]" in out


def test_a_file_named_with_brackets_is_printed_intact(tmp_path: Path) -> None:
    bad = small_month()
    bad["tblSales"][0]["sku"] = "[nope]"
    code, out, _ = cli([write_book(tmp_path / "[x].xlsx", bad)], lang="en")
    assert code == 1 and "[x].xlsx" in out and "[nope]" in out


def test_guard_prints_square_brackets_intact(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from rich.console import Console

    import jxc_xl.cli as cli_module
    from jxc_xl.errors import NotAWorkbookError

    buf = io.StringIO()
    monkeypatch.setattr(cli_module, "err", Console(file=buf, width=200))
    with pytest.raises(typer.Exit), cli_module._guard():
        raise NotAWorkbookError("参数!B3 [settings-invalid] bad [x].xlsx")
    with pytest.raises(typer.Exit), cli_module._guard():
        raise ValueError("[bold]oops[/]")  # a bug of ours: the internal-error line
    out = buf.getvalue()
    assert "jxc: 参数!B3 [settings-invalid] bad [x].xlsx" in out
    assert "ValueError: [bold]oops[/]" in out
