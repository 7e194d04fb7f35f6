"""CLI transcripts of issue 11 ("Every workbook a person brings"): each message it lists, in zh and in en.

One parametrised test per message, both languages: the command as a new user types it, its exit status, and the
catalog's text in what it prints — filled in exactly (``phrase``/``message``) where the fields are the test's own,
else every fixed word of the template in order (the fields then come from the file: a zip entry's name, a
range). A workbook's messages come in its language without --lang; lines about the command itself (wrong usage,
a file that cannot be read) in the language of --lang. Nothing printed names an internal key (tblStock, a column
key such as ``sku``). The terminal is made wide (COLUMNS) so that rich wraps no message inside the findings table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jxc_xl.cli import app
from jxc_xl.core.messages import CATALOG, WORDS, message, phrase
from jxc_xl.demo import demo_path
from jxc_xl.schema import HISTORY, SALES, STOCK, Lang
from tests.corpus import (
    SALES_SHEET,
    STOCK_SHEET,
    _add_cell,
    _entries,
    _parts,
    _table_part,
    _with,
    _write_zip,
    _zipcrypto,
)
from tests.factories import small_month, write_book
from tests.test_reader import shrink_table

LANGS = ("zh", "en")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
INTERNAL = re.compile(r"\btbl[A-Z]\w*|(?<![-\w])sku(?![-\w])")  # a finding code (unknown-sku) is public
TOTAL_WORDS = {"zh": ("合计", "制表人：张三"), "en": ("Total", "Prepared by: Zhang")}


def jxc(*args: object) -> tuple[int, str]:
    """Run the command (wide terminal); its exit status and everything it printed, checked for what no transcript
    may hold: a traceback, an internal error, an internal name."""
    res = CliRunner().invoke(app, [os.fsdecode(a) if isinstance(a, Path) else str(a) for a in args], env=WIDE)
    out = res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), (args, res.exception)
    assert "Traceback" not in out, out
    assert not INTERNAL.search(out), (args, out)
    return res.exit_code, out


WIDE = {"COLUMNS": "4000"}


def fixed_words(template: str) -> list[str]:
    """The template's text between its {fields}."""
    return [p for p in re.split(r"\{[a-z_]+\}", template) if p]


def says(out: str, template: str) -> None:
    """Every fixed word of ``template`` appears in ``out``, in order."""
    at = 0
    for part in fixed_words(template):
        found = out.find(part, at)
        assert found >= 0, f"{part!r} not in (after {at}):\n{out}"
        at = found + len(part)


def text(key: str, lang: Lang) -> str:
    """A template of the catalog: a word/phrase key, or a finding code."""
    zh, en = WORDS[key] if key in WORDS else CATALOG[key]
    return zh if lang == "zh" else en


def in_one_language(out: str, lang: Lang, *names: str) -> None:
    """An en transcript holds no Chinese (but the file and sheet names given); a zh one holds Chinese."""
    rest = out
    for n in names:
        rest = rest.replace(n, "")
    if lang == "en":
        assert not CJK.search(rest), out
    else:
        assert CJK.search(rest), out


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's folder as the working directory: the transcripts name files as a user types them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def month(lang: Lang, name: str = "m.xlsx", edit: Callable[[dict[str, Any]], None] | None = None, **kw: Any) -> Path:
    data = small_month()
    if edit is not None:
        edit(data)
    return write_book(Path(name), data, lang=lang, **kw)


def damaged(lang: Lang, name: str, change: Callable[[dict[str, bytes], bytes], bytes]) -> Path:
    base = month(lang, "_base.xlsx").read_bytes()
    Path(name).write_bytes(change(_parts(base), base))
    Path("_base.xlsx").unlink()
    return Path(name)


# ---------------------------------------------------------------------------------------------------
# Crashes and hangs: a finding or one clear line, exit 1 or 2


@pytest.mark.parametrize("lang", LANGS)
def test_a_cell_at_xfd1048576_is_a_warning_and_the_month_still_syncs(here: Path, lang: Lang) -> None:
    path = damaged(lang, "xfd.xlsx", lambda p, b: _with(b, {SALES_SHEET: _add_cell(p[SALES_SHEET], "XFD1048576")}))
    code, out = jxc("validate", path)
    assert code == 0
    says(out, text("cells-ignored", lang))
    assert f"{SALES.sheet(lang)}!XFD1048576" in out
    code, out = jxc("sync", path, "-o", "out.xlsx")
    assert code == 0
    says(out, text("cli_synced", lang))
    in_one_language(out, lang, "xfd.xlsx")


@pytest.mark.parametrize("lang", LANGS)
def test_a_password_protected_zip_entry_is_one_line_in_the_lang_asked_for(here: Path, lang: Lang) -> None:
    def encrypt(parts: dict[str, bytes], base: bytes) -> bytes:
        table = _table_part(parts, STOCK.name)
        return _write_zip([_zipcrypto(e) if e.name == table else e for e in _entries(base)])

    path = damaged(lang, "enc.xlsx", encrypt)
    code, out = jxc("sync", path, "-o", "out.xlsx", "--lang", lang)
    assert code == 1 and not Path("out.xlsx").exists()
    says(out, "jxc: " + text("io_password", lang))
    assert len(out.strip().splitlines()) == 1
    code, out = jxc("validate", path, "--lang", lang)  # a finding of the file, in the report's language
    assert code == 1
    says(out, text("io_password", lang))
    says(out, text("report_summary", lang))
    in_one_language(out, lang, "enc.xlsx")


@pytest.mark.parametrize("lang", LANGS)
def test_a_generated_sheet_cut_short_is_one_line(here: Path, lang: Lang) -> None:
    path = damaged(
        lang, "cut.xlsx", lambda p, b: _with(b, {STOCK_SHEET: p[STOCK_SHEET][: len(p[STOCK_SHEET]) * 2 // 3]})
    )
    code, out = jxc("sync", path, "-o", "out.xlsx", "--lang", lang)
    assert code == 1 and len(out.strip().splitlines()) == 1 and not Path("out.xlsx").exists()
    says(out, "jxc: " + text("io_sheet_truncated", lang))  # the 库存 sheet's part, named


def _utf16(xml: str) -> bytes:
    return xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def _no_range(xml: str) -> bytes:
    return re.sub(r'(<table\b[^>]*?\sref=")[^"]*', r"\g<1>1:6", xml, count=1).encode()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("damage", [_utf16, _no_range], ids=["utf16", "ref-not-a-range"])
def test_a_damaged_table_part_is_one_line_naming_the_part(
    here: Path, lang: Lang, damage: Callable[[str], bytes]
) -> None:
    """A generated table's part in UTF-16, or with a ref that is no cell range (were internal errors)."""

    def change(parts: dict[str, bytes], base: bytes) -> bytes:
        table = _table_part(parts, STOCK.name)
        return _with(base, {table: damage(parts[table].decode())})

    path = damaged(lang, "table.xlsx", change)
    code, out = jxc("sync", path, "-o", "out.xlsx", "--lang", lang)
    assert code == 1 and len(out.strip().splitlines()) == 1 and not Path("out.xlsx").exists()
    says(out, "jxc: " + text("io_bad_table", lang))
    assert "xl/tables/" in out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("value", [1e308, "1e999", "9" * 400, "NaN"])
def test_a_number_no_quantity_can_be_is_a_finding_on_its_cell(here: Path, lang: Lang, value: Any) -> None:
    path = month(lang, edit=lambda d: d["tblSales"][0].update(qty=value))
    code, out = jxc("validate", path)
    assert code == 1
    says(out, text("bad-type", lang))
    assert f"{SALES.sheet(lang)}!E2" in out
    in_one_language(out, lang, path.name)
    code, out = jxc("sync", path, "-o", "out.xlsx", "--force")
    assert code == 0
    assert phrase("cli_forced", lang, n=1) in out


def _sale_at_cost(d: dict[str, Any]) -> None:
    d["tblOpening"][0].update(qty=1, unit_cost=1e9, amount=1e9)
    d["tblSales"][0].update(qty=1e12, unit_price=1e-6, amount=None)


def _count_at_cost(d: dict[str, Any]) -> None:
    d["tblCounts"] = [{"date": date(2026, 11, 28), "sku": "A001", "counted_qty": 1e15}]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("edit", "variant"), [(_sale_at_cost, "cost-too-large"), (_count_at_cost, "cost-too-large-count")]
)
def test_money_at_cost_past_the_limit_is_a_finding_not_a_crash(
    here: Path, lang: Lang, edit: Callable[[dict[str, Any]], None], variant: str
) -> None:
    path = month(lang, edit=edit)
    code, out = jxc("validate", path)
    assert code == 1
    says(out, text(variant, lang))
    code, out = jxc("sync", path, "-o", "out.xlsx")  # refused, with the finding
    assert code == 1 and not Path("out.xlsx").exists()
    says(out, text(variant, lang))
    code, out = jxc("sync", path, "-o", "out.xlsx", "--force")
    assert code == 0 and Path("out.xlsx").exists()


@pytest.mark.parametrize("lang", LANGS)
def test_a_crash_of_ours_is_one_line_in_the_lang_asked_for(
    here: Path, lang: Lang, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jxc_xl.sync

    def boom(*a: Any, **k: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(jxc_xl.sync, "sync_file", boom)
    path = month(lang)
    code, out = jxc("sync", path, "--lang", lang)
    assert code == 1 and out.strip() == "jxc: " + phrase("cli_internal_error", lang, error="RuntimeError: boom")


@pytest.mark.parametrize("lang", LANGS)
def test_sync_in_a_folder_that_cannot_be_written_is_one_line(
    here: Path, lang: Lang, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*a: Any, **k: Any) -> None:
        raise PermissionError(13, "Permission denied")

    path = month(lang)
    before = path.read_bytes()
    monkeypatch.setattr(shutil, "copy2", denied)  # the backup copy: as in a read-only folder (also for root)
    code, out = jxc("sync", path, "--lang", lang)
    assert code == 1 and len(out.strip().splitlines()) == 1
    says(out, "jxc: " + text("io_cannot_write", lang))
    assert path.read_bytes() == before and sorted(p.name for p in here.iterdir()) == ["m.xlsx"]


@pytest.mark.parametrize("lang", LANGS)
def test_sync_and_close_of_the_current_folder(here: Path, lang: Lang) -> None:
    """`jxc sync .` is a batch of the stores in the folder (none here: wrong usage); `jxc close .` names no file."""
    code, out = jxc("sync", ".", "--lang", lang)
    assert code == 2
    assert out.strip() == "jxc sync: " + phrase("report_no_workbook", lang, what=".")
    code, out = jxc("close", ".", "next.xlsx", "--lang", lang)
    assert code == 2 and out.strip() == "jxc: " + phrase("io_is_folder", lang, path=".")
    month(lang)  # one store in it: synced in place
    code, out = jxc("sync", ".")
    assert code == 0
    says(out, text("cli_synced", lang))
    assert phrase("cli_sync_summary", lang, stores=1, synced=1, refused=0, failed=0) in out


@pytest.mark.parametrize("lang", LANGS)
def test_sync_output_into_an_existing_folder_is_wrong_usage(here: Path, lang: Lang) -> None:
    path = month(lang)
    Path("out").mkdir()
    code, out = jxc("sync", path, "-o", "out", "--lang", lang)
    assert code == 2
    assert out.strip() == "jxc: " + phrase("io_output_is_folder", lang, path="out", example=Path("out") / "m.xlsx")


@pytest.mark.parametrize("lang", LANGS)
def test_a_named_pipe_is_refused_at_once(here: Path, lang: Lang) -> None:
    os.mkfifo("p.xlsx")
    code, out = jxc("sync", "p.xlsx", "-o", "out.xlsx", "--lang", lang)
    assert code == 2 and out.strip() == "jxc: " + phrase("io_not_regular", lang, path="p.xlsx")
    code, out = jxc("validate", "p.xlsx", "--lang", lang)  # a pipe is no workbook file to look at
    assert code == 2 and out.strip() == "jxc validate: " + phrase("report_no_workbook", lang, what="p.xlsx")


@pytest.mark.parametrize("lang", LANGS)
def test_a_file_name_that_is_not_utf8_gives_valid_json_in_the_workbooks_language(here: Path, lang: Lang) -> None:
    name = os.fsdecode(b"m-\xff.xlsx")
    month(lang, name, edit=lambda d: d["tblSales"][0].update(qty=-3))
    res = CliRunner().invoke(app, ["validate", "--json", name], env=WIDE)
    assert res.exit_code == 1
    doc = json.loads(res.stdout_bytes.decode("utf-8"))  # strict UTF-8
    (f,) = [f for f in doc["files"][0]["findings"] if f["code"] == "non-positive-qty"]
    assert doc["files"][0]["path"] == "m-\\xff.xlsx"
    says(f["message"], text("non-positive-qty", lang))
    good = os.fsdecode(b"g-\xff.xlsx")
    month(lang, good)
    for args in (["plan", good, "--json"], ["sync", ".", "--json", "--no-backup"]):  # plan's path was raw bytes
        res = CliRunner().invoke(app, args, env=WIDE)
        assert res.exit_code in (0, 1), (args, res.output)
        doc = json.loads(res.stdout_bytes.decode("utf-8"))  # strict UTF-8
        paths = [doc["path"]] if "path" in doc else [s["path"] for s in doc["stores"]]
        assert "g-\\xff.xlsx" in paths, paths


# ---------------------------------------------------------------------------------------------------
# Workbooks as people keep them


PLAIN = {"tblPurchases", "tblSales", "tblItems", "tblOpening", "tblStock", "tblPlan", "tblAnalysis"}


@pytest.mark.parametrize("lang", LANGS)
def test_plain_ranges_validate_and_sync_naming_sheets(here: Path, lang: Lang) -> None:
    path = month(lang, plain={"tblPurchases", "tblSales", "tblItems", "tblOpening"})
    code, out = jxc("validate", path)
    assert code == 0
    assert phrase("report_summary", lang, files=1, valid=1, errors=0, warnings=0) in out
    code, out = jxc("sync", path, "-o", "out.xlsx")
    assert code == 0
    says(out, text("cli_synced", lang))
    assert STOCK.sheet(lang) in out  # a sheet name, never tblStock (jxc checks every transcript for that)
    in_one_language(out, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_total_and_signature_rows_are_one_warning_and_add_nothing(here: Path, lang: Lang) -> None:
    total, signature = TOTAL_WORDS[lang]

    def totals(d: dict[str, Any]) -> None:
        sales = d["tblSales"]
        d["tblSales"] = [*sales, {"date": total, "qty": sum(r["qty"] for r in sales)}, {"date": signature}]

    path = month(lang, edit=totals)
    code, out = jxc("validate", path)
    assert code == 0
    says(out, text("total-row-skipped", lang))
    assert (out.count("total-row-skipped") == 1 and f"“{total}”" in out) or f"'{total}'" in out
    code, clean = jxc("sync", month(lang, "clean.xlsx"), "-o", "a.xlsx")
    code2, out = jxc("sync", path, "-o", "b.xlsx")
    assert code == code2 == 0
    assert out.split("；" if lang == "zh" else "; ")[1:] == clean.split("；" if lang == "zh" else "; ")[1:]


@pytest.mark.parametrize("lang", LANGS)
def test_a_month_without_history_only_warns_and_syncs(here: Path, lang: Lang) -> None:
    path = month(lang, omit={HISTORY.name})
    code, out = jxc("validate", path)
    assert code == 0
    assert message("optional-table-missing", lang, sheet=HISTORY.sheet(lang)) in out
    code, out = jxc("sync", path, "-o", "out.xlsx")
    assert code == 0
    says(out, text("cli_synced", lang))


@pytest.mark.parametrize("lang", LANGS)
def test_rows_typed_below_a_table_are_named(here: Path, lang: Lang) -> None:
    def blank_row(d: dict[str, Any]) -> None:
        lines = d["tblSales"][:7]
        d["tblSales"] = [*lines[:6], dict.fromkeys(SALES.keys()), *lines[6:]]

    full = month(lang, "full.xlsx", edit=blank_row)
    path = shrink_table(full, Path("below.xlsx"), SALES.sheet(lang), 5)
    code, out = jxc("validate", path)
    assert code == 0
    where = phrase("rows_many", lang, rows="6、7、9" if lang == "zh" else "6, 7, 9")
    assert message("rows-below-table", lang, sheet=SALES.sheet(lang), where=where, last=5) in out


# ---------------------------------------------------------------------------------------------------
# Language and consistency


@pytest.mark.parametrize("lang", LANGS)
def test_repeated_findings_are_one_line_with_count_and_first_rows(here: Path, lang: Lang) -> None:
    path = month(lang, edit=lambda d: [r.update(sku="X999") for r in d["tblSales"]])
    code, out = jxc("validate", path)
    assert code == 1
    says(out, text("unknown-sku", lang))
    head = message("unknown-sku", lang, value="X999", sku="X999").split("?")[0]  # up to the items' sheet name
    assert out.count(head) == 1  # 8 lines, one message
    says(out, text("report_alike", lang))
    assert re.search(r"(同类共 8 条|8 alike)", out)
    res = CliRunner().invoke(app, ["validate", "--json", os.fsdecode(path)], env=WIDE)  # JSON keeps every one
    assert [f["code"] for f in json.loads(res.stdout)["files"][0]["findings"]].count("unknown-sku") == 8


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "command", [["validate"], ["sync"], ["close", "next.xlsx"], ["plan"], ["card", "A001"]], ids=lambda c: c[0]
)
def test_a_missing_file_is_wrong_usage_in_every_command(here: Path, lang: Lang, command: list[str]) -> None:
    code, out = jxc(command[0], "nope.xlsx", *command[1:], "--lang", lang)
    assert code == 2
    if command[0] == "validate":  # validate takes globs too: nothing matches
        assert out.strip() == "jxc validate: " + phrase("report_no_workbook", lang, what="nope.xlsx")
    else:
        assert out.strip() == "jxc: " + phrase("io_file_not_found", lang, path="nope.xlsx", name="nope.xlsx")


@pytest.mark.parametrize("lang", LANGS)
def test_sync_output_not_named_like_a_workbook_is_refused(here: Path, lang: Lang) -> None:
    path = month(lang)
    code, out = jxc("sync", path, "-o", "out.csv", "--lang", lang)
    assert code == 2 and not Path("out.csv").exists()
    assert out.strip() == "jxc: " + phrase("io_output_suffix", lang, path="out.csv", suffix=".xlsx")


@pytest.mark.parametrize("lang", LANGS)
def test_demo_refuses_to_replace_a_workbook_unless_forced(here: Path, lang: Lang) -> None:
    kept = demo_path(here)
    kept.write_bytes(b"my edits")
    code, out = jxc("demo", here, "--lang", lang)
    assert code == 2 and kept.read_bytes() == b"my edits"
    assert " ".join(out.split()) == "jxc: " + " ".join(phrase("demo_exists", lang, path=kept).split())


@pytest.mark.parametrize("lang", LANGS)
def test_a_batch_line_is_in_one_language(here: Path, lang: Lang) -> None:
    """A store that fails in a batch: its line and the error in it speak the batch's language (the error was
    English inside a Chinese line)."""
    Path("stores").mkdir()
    month(lang, "stores/a.xlsx")
    Path("stores/b.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    code, out = jxc("sync", "stores", "--no-backup")
    assert code == 1
    line = next(s for s in out.splitlines() if "b.xlsx" in s)
    says(line, text("cli_sync_failed", lang))
    says(line, text("io_unreadable", lang))
    in_one_language(line, lang, "stores/b.xlsx")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "command", [["new", "ro/n.xlsx"], ["close", "m.xlsx", "ro/next.xlsx"], ["consolidate", "m.xlsx", "-o", "ro/g.xlsx"]]
)
def test_a_folder_that_cannot_be_written_is_one_line_in_every_command(
    here: Path, lang: Lang, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """new, close and consolidate in a read-only folder (was: an internal error, PermissionError)."""
    import tempfile

    def denied(*a: Any, **k: Any) -> None:
        raise PermissionError(13, "Permission denied")

    month(lang)
    jxc("sync", "m.xlsx", "--no-backup")  # consolidate counts a synced store only
    Path("ro").mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", denied)  # as in a read-only folder (also for root)
    code, out = jxc(*command, "--lang", lang)
    assert code == 1 and list(Path("ro").iterdir()) == []
    target = command[-1]
    assert out.strip().splitlines()[-1] == "jxc: " + phrase(
        "io_cannot_create", lang, path=target, folder="ro", error="PermissionError: Permission denied"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_consolidating_a_store_never_synced_names_it_and_the_fix(here: Path, lang: Lang) -> None:
    """No store counted (was: an internal error, a merge of an empty plan on an empty surplus)."""
    month(lang)
    code, out = jxc("consolidate", "m.xlsx", "-o", "g.xlsx")
    assert code == 1 and Path("g.xlsx").exists()
    says(out, text("cli_consolidated", lang))
    assert ("门店 0/1 个已合并" if lang == "zh" else "0 of 1 stores included") in out
    says(out, text("group_msg_not_synced", lang))
    assert phrase("group_msg_not_synced", lang, path="m.xlsx") in out


@pytest.mark.parametrize("lang", LANGS)
def test_a_write_that_fails_speaks_the_workbooks_language_without_lang(
    here: Path, lang: Lang, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --lang: the one line about a workbook that cannot be written is in the workbook's language."""

    def denied(*a: Any, **k: Any) -> None:
        raise PermissionError(13, "Permission denied")

    path = month(lang)
    monkeypatch.setattr(shutil, "copy2", denied)
    code, out = jxc("sync", path)
    assert code == 1 and len(out.strip().splitlines()) == 1
    says(out, "jxc: " + text("io_cannot_write", lang))


@pytest.mark.parametrize("lang", LANGS)
def test_a_generated_sheet_that_is_not_utf8_is_one_line_in_the_users_language(here: Path, lang: Lang) -> None:
    def bad_byte(p: dict[str, bytes], b: bytes) -> bytes:
        xml = p[STOCK_SHEET]
        at = xml.rfind(b"<", 0, len(xml) // 2)
        return _with(b, {STOCK_SHEET: xml[:at] + b"\xff" + xml[at:]})

    path = damaged(lang, "bad.xlsx", bad_byte)
    code, out = jxc("sync", path, "-o", "out.xlsx", "--lang", lang)
    assert code == 1 and len(out.strip().splitlines()) == 1 and not Path("out.xlsx").exists()
    says(out, "jxc: " + text("io_sheet_not_utf8", lang))
