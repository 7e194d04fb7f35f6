"""The jxc command: exit codes and output of every verb."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from jxc_xl.cli import app
from jxc_xl.io.reader import read_workbook
from tests.factories import small_month, write_book

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_new_creates_a_workbook_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "book.xlsx"
    res = run("new", path, "--period", "2026-03", "--lang", "en")
    assert res.exit_code == 0, res.output
    wb = read_workbook(path)
    assert wb.lang == "en" and wb.settings.period == "2026-03"
    again = run("new", path, "--period", "2026-03")
    assert again.exit_code == 2
    assert "book.xlsx" in again.output


def test_new_rejects_a_bad_period_with_the_fix(tmp_path):
    res = run("new", tmp_path / "b.xlsx", "--period", "2026-13")
    assert res.exit_code == 2
    assert "YYYY-MM" in res.output
    assert "Traceback" not in res.output


def test_validate_clean_month_exits_0_and_json_has_the_contract_shape(tmp_path):
    path = write_book(tmp_path / "m.xlsx", small_month())
    res = run("validate", path, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"files", "summary"}
    assert doc["summary"]["files"] == 1 and doc["summary"]["errors"] == 0
    assert doc["files"][0]["valid"] is True and doc["files"][0]["period"] == "2026-11"


def test_validate_errors_exit_1_and_name_the_cell(tmp_path):
    data = small_month()
    data["tblSales"][0]["sku"] = "NOPE"
    path = write_book(tmp_path / "m.xlsx", data)
    res = run("validate", path, "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    unknown = [f for f in doc["files"][0]["findings"] if f["code"] == "unknown-sku"]
    assert unknown and unknown[0]["cell"] == "D2" and unknown[0]["sheet"] == "销售出库"


def test_validate_no_such_path_is_usage_error(tmp_path):
    res = run("validate", tmp_path / "nothing-here")
    assert res.exit_code == 2


def test_sync_then_close(tmp_path):
    path = write_book(tmp_path / "m.xlsx", small_month())
    res = run("sync", path)
    assert res.exit_code == 0, res.output
    assert "库存" in res.output and "tbl" not in res.output and (tmp_path / "m.bak.xlsx").exists()
    res = run("close", path, tmp_path / "next.xlsx")
    assert res.exit_code == 0, res.output
    assert "2026-12" in res.output
    assert read_workbook(tmp_path / "next.xlsx").settings.period == "2026-12"


def test_sync_refusal_exits_1_without_traceback(tmp_path):
    data = small_month()
    data["tblSales"][0]["qty"] = -5
    path = write_book(tmp_path / "m.xlsx", data)
    res = run("sync", path)
    assert res.exit_code == 1
    assert "--force" in res.output and "Traceback" not in res.output
    forced = run("sync", path, "--force", "--no-backup")
    assert forced.exit_code == 0
    assert "--force" in forced.output
    assert not (tmp_path / "m.bak.xlsx").exists()


def test_sync_not_a_workbook_is_one_clear_line(tmp_path):
    bad = tmp_path / "junk.xlsx"
    bad.write_text("not a zip")
    res = run("sync", bad)
    assert res.exit_code == 1
    assert "junk.xlsx" in res.output and "Traceback" not in res.output


@pytest.mark.slow
def test_demo_writes_validates_and_syncs(tmp_path):
    res = run("demo", tmp_path / "demo")
    assert res.exit_code == 0, res.output
    books = list((tmp_path / "demo").glob("*.xlsx"))
    assert len(books) == 1
    assert "错误 0 条" in res.output
    wb = read_workbook(books[0])
    assert len(wb.df("tblStock")) >= 300


def test_addin_prints_main_py_and_requirements(tmp_path):
    res = run("addin")
    assert res.exit_code == 0, res.output
    assert "main.py" in res.output and "requirements.txt" in res.output
    res = run("addin", "--out", tmp_path / "lite")
    assert res.exit_code == 0
    assert "jxc_xl" in (tmp_path / "lite" / "main.py").read_text()


def test_version():
    res = run("--version")
    assert res.exit_code == 0 and "jxc-xl" in res.output


def test_addin_output_pastes_as_valid_python():
    res = run("addin")
    assert res.exit_code == 0
    section = res.stdout.split("# ---- main.py ----\n", 1)[1].split("\n# ---- ", 1)[0]
    compile(section, "main.py", "exec")  # wrapped lines would be a SyntaxError
    assert "jxc_xl" in section


def test_demo_refuses_while_excel_has_it_open_and_a_file_as_folder(tmp_path):
    from jxc_xl.demo import demo_path
    from jxc_xl.io.xlsxpatch import lock_file

    folder = tmp_path / "d"
    folder.mkdir()
    lock_file(demo_path(folder)).write_bytes(b"owner")
    res = run("demo", folder)
    assert res.exit_code == 2 and "Excel" in res.output
    assert not demo_path(folder).exists()
    a_file = tmp_path / "f.xlsx"
    a_file.write_bytes(b"x")
    res = run("demo", a_file, "--lang", "en")
    assert res.exit_code == 2 and "not a folder" in res.output and "Traceback" not in res.output


def test_sync_to_a_missing_folder_is_usage_error(tmp_path):
    path = write_book(tmp_path / "m.xlsx", small_month())
    res = run("sync", path, "-o", tmp_path / "nowhere" / "out.xlsx")
    assert res.exit_code == 2 and "does not exist" in res.output


def test_close_into_a_new_empty_workbook_carries_the_items(tmp_path):
    path = write_book(tmp_path / "m.xlsx", small_month())
    nxt = tmp_path / "n.xlsx"
    assert run("new", nxt, "--period", "2026-12").exit_code == 0
    res = run("close", path, nxt)
    assert res.exit_code == 0, res.output
    assert "已更新" in res.output  # the workbook is zh
    check = run("validate", nxt, "--json")
    assert check.exit_code == 0, check.stdout
    assert len(read_workbook(nxt).df("tblItems")) == len(small_month()["tblItems"])


def test_close_refuses_when_next_month_lacks_items_with_stock(tmp_path):
    path = write_book(tmp_path / "m.xlsx", small_month())
    data = small_month()
    data["tblItems"] = data["tblItems"][:1]
    nxt = write_book(tmp_path / "n.xlsx", {"tblItems": data["tblItems"]}, period="2026-12")
    before = nxt.read_bytes()
    res = run("close", path, nxt)
    assert res.exit_code == 1 and "商品/Items" in res.output
    assert nxt.read_bytes() == before


def test_addin_wheel_url_goes_into_requirements(tmp_path):
    url = "https://example.invalid/jxc_xl-0.1.0-py3-none-any.whl"
    res = run("addin", "--out", tmp_path, "--wheel-url", url)
    assert res.exit_code == 0, res.output
    assert url in (tmp_path / "requirements.txt").read_text()


def test_sync_lang_changes_messages_not_the_sheets(tmp_path):
    path = write_book(tmp_path / "m.xlsx", small_month())
    assert run("sync", path, "--lang", "en", "--no-backup").exit_code == 0
    statuses = set(read_workbook(path).df("tblStock")["status"].dropna())
    assert statuses and statuses <= {"正常", "低于再订货点", "缺货", "负库存", "呆滞"}


def test_validate_folder_skips_syncs_backup(tmp_path):
    path = write_book(tmp_path / "m.xlsx", small_month())
    assert run("sync", path).exit_code == 0 and (tmp_path / "m.bak.xlsx").exists()
    res = run("validate", tmp_path, "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert [f["path"] for f in doc["files"]] == [str(path)]
    assert doc["summary"]["warnings"] == 0
    explicit = json.loads(run("validate", tmp_path / "m.bak.xlsx", "--json").stdout)
    assert explicit["summary"]["files"] == 1  # named explicitly, a backup is checked like any workbook


def test_close_with_negative_stock_allowed_gives_a_valid_next_month(tmp_path):
    data = small_month()
    data["tblSales"].append(
        {"date": "2026-11-28", "doc_no": "SO-NEG", "customer": "X", "sku": "B001", "qty": 100, "unit_price": 49.9}
    )
    path = write_book(tmp_path / "m.xlsx", data, settings={"allow_negative": "yes"})
    assert run("validate", path).exit_code == 0
    nxt = tmp_path / "n.xlsx"
    assert run("close", path, nxt).exit_code == 0
    opening = read_workbook(nxt).df("tblOpening").set_index("sku")
    assert opening.loc["B001", "qty"] < 0
    res = run("validate", nxt, "--previous", path, "--json")
    assert res.exit_code == 0, res.stdout
    assert json.loads(res.stdout)["summary"]["errors"] == 0


def test_file_names_with_square_brackets_print_intact(tmp_path):
    # rich reads "[x]" as markup: every line that names a user's file must escape it
    path = tmp_path / "[x].xlsx"
    res = run("new", path, "--period", "2026-03", "--lang", "en")
    assert res.exit_code == 0 and f"Created {path}" in res.output.replace("\n", "")
    res = run("sync", path, "-o", tmp_path / "[y].xlsx")
    assert res.exit_code == 0, res.output
    assert "[y].xlsx" in res.output.replace("\n", "")
    res = run("close", path, tmp_path / "[z].xlsx")
    assert res.exit_code == 0 and "[z].xlsx" in res.output.replace("\n", "")
