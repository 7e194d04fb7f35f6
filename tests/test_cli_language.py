"""The command line speaks the workbook's language (new and demo: the one asked for); --lang overrides.

One transcript per language: every line the commands print about a workbook, in that language only, with
sheet names where tables are meant (never internal names such as tblStock)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from jxc_xl.cli import app
from tests.factories import small_month, write_book

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")

EXPECTED = {
    "zh": {
        "new": "已创建",
        "sync": "已同步",
        "sheets": "库存",
        "close": "已创建",
        "validate": "共 1 个工作簿",
        "bad_period": "不是月份",
    },
    "en": {
        "new": "Created",
        "sync": "Synced",
        "sheets": "Stock",
        "close": "Created",
        "validate": "1 workbook(s)",
        "bad_period": "is not a month",
    },
}


def run(*args: object) -> tuple[int, str]:
    res = runner.invoke(app, [str(a) for a in args])
    return res.exit_code, res.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_command_speaks_the_workbooks_language(tmp_path, lang):
    want = EXPECTED[lang]
    code, out = run("new", tmp_path / "empty.xlsx", "--period", "2026-12", "--lang", lang)
    assert code == 0 and want["new"] in out
    code, out = run("new", tmp_path / "bad.xlsx", "--period", "2026-13", "--lang", lang)
    assert code == 2 and want["bad_period"] in out

    book = write_book(tmp_path / "m.xlsx", small_month(), lang=lang)  # no --lang below: the workbook's
    code, out = run("sync", book)
    assert code == 0 and want["sync"] in out and want["sheets"] in out and "tbl" not in out
    code, out = run("validate", book)
    assert code == 0 and want["validate"] in out
    code, out = run("close", book, tmp_path / "next.xlsx")
    assert code == 0 and want["close"] in out
    if lang == "en":  # one language per line: nothing Chinese but the file names (none here)
        for command in (("sync", book), ("validate", book)):
            assert not CJK.search(run(*command)[1]), command


def test_lang_overrides_the_workbooks_language(tmp_path):
    book = write_book(tmp_path / "m.xlsx", small_month(), lang="zh")
    code, out = run("sync", book, "--lang", "en")
    assert code == 0 and "Synced" in out and "Stock" in out
    code, out = run("validate", book, "--lang", "en")
    assert code == 0 and "1 workbook(s)" in out


@pytest.mark.slow
def test_demo_refuses_to_replace_a_demo_unless_forced(tmp_path):
    code, _ = run("demo", tmp_path, "--lang", "en")
    assert code == 0
    code, out = run("demo", tmp_path, "--lang", "en")
    assert code == 2 and "--force" in out
    code, out = run("demo", tmp_path, "--lang", "en", "--force")
    assert code == 0 and "replaced the previous demo" in out


@pytest.mark.parametrize(("lang", "head"), [("zh", "单元格"), ("en", "Cell")])
def test_the_refusals_findings_table_speaks_the_workbooks_language(tmp_path, lang, head):
    data = small_month()
    data["tblSales"][0]["qty"] = -3
    code, out = run("sync", write_book(tmp_path / "bad.xlsx", data, lang=lang))
    assert code == 1 and head in out
    if lang == "en":
        assert not CJK.search(out), out


@pytest.mark.parametrize("command", [["sync"], ["close", "next.xlsx"], ["plan"], ["validate"]])
def test_a_file_error_speaks_the_lang_asked_for_one_language_a_line(tmp_path, command):
    missing = tmp_path / "nope.xlsx"
    args = [command[0], missing, *command[1:]]
    code, en = run(*args)
    assert code == 2 and ("file not found" in en or "no workbook matches" in en) and not CJK.search(en)
    code, zh = run(*args, "--lang", "zh")
    assert code == 2 and ("文件不存在" in zh or "没有工作簿匹配" in zh)
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", zh.replace(str(missing), ""))  # no English sentence


def test_new_over_an_existing_file_and_a_locked_workbook_speak_the_lang_asked_for(tmp_path):
    path = tmp_path / "e.xlsx"
    assert run("new", path)[0] == 0
    code, zh = run("new", path, "--lang", "zh")
    assert code == 2 and "已存在" in zh and not re.search(r"already exists", zh)
    (tmp_path / "~$e.xlsx").write_bytes(b"")  # Excel's lock file: the workbook is open
    code, zh = run("sync", path, "--lang", "zh")
    assert code == 1 and CJK.search(zh) and "is open" not in zh
    code, en = run("sync", path)
    assert code == 1 and not CJK.search(en.replace(str(tmp_path), ""))
    for command in (["card", path, "A001"], ["consolidate", tmp_path / "nope.xlsx", "-o", tmp_path / "g.xlsx"]):
        code, zh = run(*command, "--lang", "zh")
        assert code in (1, 2) and CJK.search(zh), zh
