"""File-level validation: one workbook, a batch with chains, the JSON shape, the xlsx report with links,
inputs never written, and corrupted files that never produce a traceback."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jxc_xl.core.findings import CODES
from jxc_xl.io.reader import read_workbook
from jxc_xl.validate import (
    Report,
    expand_paths,
    report_json,
    validate_file,
    validate_paths,
    write_report_xlsx,
)
from tests.factories import small_month, write_book


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def codes(res) -> list[str]:
    return [f.code for f in res.findings]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_book(tmp_path_factory.mktemp("clean") / "m.xlsx", small_month())


def bad_month() -> dict:
    data = small_month()
    data["tblSales"][0]["sku"] = "NOPE"  # unknown-sku at 销售出库!D2
    data["tblPurchases"][1]["amount"] = 1.0  # amount-mismatch at 采购入库!G3
    return data


def test_clean_file_is_valid_with_stats(clean: Path) -> None:
    res = validate_file(clean)
    assert res.valid and res.findings == [] and res.period == "2026-11"
    assert res.stats["rows"]["tblSales"] == len(small_month()["tblSales"])
    assert res.stats["errors"] == 0 and res.stats["elapsed_s"] >= 0


def test_findings_are_located_and_inputs_untouched(tmp_path: Path) -> None:
    path = write_book(tmp_path / "bad.xlsx", bad_month())
    before = sha(path)
    res = validate_file(path, lang="en")
    assert sha(path) == before
    by = {f.code: f for f in res.findings}
    assert set(by) == {"unknown-sku", "amount-mismatch"}
    assert (by["unknown-sku"].sheet, by["unknown-sku"].cell) == ("销售出库", "D2")
    assert by["amount-mismatch"].cell == "G3" and "differs" in by["amount-mismatch"].message
    assert not res.valid and res.stats["errors"] == 2


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 40])
def test_unreadable_file_is_one_finding(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "broken.xlsx"
    p.write_bytes(content)
    res = validate_file(p)
    assert codes(res) == ["file-unreadable"]
    assert "broken.xlsx" in res.findings[0].message and not res.valid


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    res = validate_file(tmp_path / "gone.xlsx")
    assert codes(res) == ["file-unreadable"]


def test_expand_paths_folders_globs_and_lock_files(tmp_path: Path, clean: Path) -> None:
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (sub / "x.xlsx").write_bytes(clean.read_bytes())
    (sub / "~$x.xlsx").write_bytes(b"lock")
    (tmp_path / "y.xlsx").write_bytes(clean.read_bytes())
    (tmp_path / "note.txt").write_text("no")
    found, unmatched = expand_paths([str(tmp_path), str(tmp_path / "*.xlsx"), str(tmp_path / "nope.xlsx")])
    assert sorted(p.name for p in found) == ["x.xlsx", "y.xlsx"]  # once each, lock file skipped
    assert unmatched == [str(tmp_path / "nope.xlsx")]


def test_batch_survives_a_broken_file_and_jobs_agree(tmp_path: Path) -> None:
    write_book(tmp_path / "s1.xlsx", small_month(), settings={"company": "甲店"})
    write_book(tmp_path / "s2.xlsx", bad_month(), settings={"company": "乙店"})
    (tmp_path / "s3.xlsx").write_bytes(b"garbage")
    one = validate_paths([str(tmp_path)], jobs=1)
    two = validate_paths([str(tmp_path)], jobs=2)
    assert [codes(r) for r in one.files] == [codes(r) for r in two.files]
    assert [r.path.name for r in one.files] == ["s1.xlsx", "s2.xlsx", "s3.xlsx"]
    assert [r.valid for r in one.files] == [True, False, False]
    assert codes(one.files[2]) == ["file-unreadable"]
    assert one.summary() == {"files": 3, "valid": 1, "errors": 3, "warnings": 0}


def _next_month(src: Path, dst: Path) -> Path:
    from jxc_xl.sync import close_month

    close_month(src, dst)
    return dst


def test_chain_opening_mismatch_and_period_gap(tmp_path: Path) -> None:
    pytest.importorskip("jxc_xl.core.generate")
    nov = write_book(tmp_path / "2026-11.xlsx", small_month(), settings={"company": "甲店"})
    dec = _next_month(nov, tmp_path / "2026-12.xlsx")
    assert validate_paths([str(nov), str(dec)]).files[1].findings == []  # close carried it exactly

    # A December whose opening was typed by hand with one quantity wrong.
    wb = read_workbook(dec)
    opening = wb.df("tblOpening").drop(columns="_row")
    opening.loc[0, "qty"] += 1
    data = {"tblItems": small_month()["tblItems"], "tblOpening": opening}
    bad_dec = write_book(tmp_path / "dec2.xlsx", data, period="2026-12", settings={"company": "甲店"})
    feb = write_book(tmp_path / "feb.xlsx", {"tblItems": small_month()["tblItems"]}, period="2027-02",
                     settings={"company": "甲店"})  # fmt: skip
    rep = validate_paths([str(nov), str(bad_dec), str(feb)])
    mism = [f for f in rep.files[1].findings if f.code == "opening-mismatch"]
    assert mism and mism[0].row == 2 and mism[0].column == "qty" and "2026-11" in mism[0].message
    gaps = [f for f in rep.files[2].findings if f.code == "period-gap"]
    assert [g.value for g in gaps] == ["2027-01"]
    assert gaps[0].sheet == "参数" and gaps[0].cell is not None
    # Another company's months do not chain with these.
    other = write_book(tmp_path / "o.xlsx", {"tblItems": small_month()["tblItems"]}, period="2027-04",
                       settings={"company": "乙店"})  # fmt: skip
    rep = validate_paths([str(nov), str(other)])
    assert "period-gap" not in codes(rep.files[0]) + codes(rep.files[1])


def test_previous_option_checks_the_opening(tmp_path: Path) -> None:
    pytest.importorskip("jxc_xl.core.generate")
    nov = write_book(tmp_path / "nov.xlsx", small_month())
    dec = _next_month(nov, tmp_path / "dec.xlsx")
    assert "opening-mismatch" not in codes(validate_file(dec, previous=nov))
    data = {"tblItems": small_month()["tblItems"]}  # no opening at all: every SKU with stock is missing
    empty_dec = write_book(tmp_path / "dec0.xlsx", data, period="2026-12")
    res = validate_file(empty_dec, previous=nov)
    missing = [f for f in res.findings if f.code == "opening-mismatch"]
    assert len(missing) == len(small_month()["tblOpening"])
    assert {f.value for f in missing} == {r["sku"] for r in small_month()["tblOpening"]}


def test_report_json_has_the_contract_shape(tmp_path: Path, clean: Path) -> None:
    bad = write_book(tmp_path / "bad.xlsx", bad_month())
    doc = report_json(validate_paths([str(clean), str(bad)]))
    json.dumps(doc)  # serialisable as is
    assert set(doc) == {"files", "summary"}
    assert set(doc["summary"]) == {"files", "valid", "errors", "warnings"}
    f0, f1 = doc["files"]
    assert set(f0) == {"path", "period", "valid", "findings", "stats"}
    assert f0["valid"] is True and f1["valid"] is False
    assert {"rows", "errors", "warnings", "elapsed_s"} <= set(f1["stats"])
    for f in f1["findings"]:
        assert set(f) == {"code", "severity", "sheet", "row", "column", "cell", "value", "message"}
        assert f["code"] in CODES and f["severity"] == CODES[f["code"]]


def test_report_xlsx_links_open_the_source_cell(tmp_path: Path, clean: Path) -> None:
    bad = write_book(tmp_path / "data" / "bad.xlsx", bad_month())
    before = sha(bad)
    out = write_report_xlsx(validate_paths([str(clean), str(bad)]), tmp_path / "out" / "report.xlsx", "zh")
    assert sha(bad) == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题", "汇总"]
    ws = wb["问题"]
    heads = [c.value for c in ws[1]]
    rows = [dict(zip(heads, [c for c in r], strict=True)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 2
    cell = next(r["单元格"] for r in rows if r["代码"].value == "unknown-sku")
    assert cell.value == "D2"
    link = cell.hyperlink
    assert link.target.replace("\\", "/").endswith("data/bad.xlsx")
    assert link.location == "'销售出库'!D2"
    summary = wb["汇总"]
    assert summary.max_row >= 3 and summary["D2"].value in ("是", "否")


def _corrupt_cells(src: Path, dst: Path, edits: list[tuple[int, int, int, object]]) -> None:
    wb = openpyxl.load_workbook(src)
    for s, r, c, v in edits:
        ws = wb.worksheets[s % len(wb.worksheets)]
        ws.cell(row=1 + r % max(ws.max_row, 1), column=1 + c % max(ws.max_column, 1), value=v)
    wb.save(dst)


garbage = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
    st.none(),
    st.sampled_from(["2026-11-31", "1,234.50", " 3 ", "#N/A", "=1/0", "采购退货", "否", "2026-13"]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 60), st.integers(0, 20), garbage), max_size=12))
def test_corrupted_cells_never_raise(tmp_path: Path, clean: Path, edits) -> None:
    dst = tmp_path / "corrupt.xlsx"
    try:
        _corrupt_cells(clean, dst, edits)
    except (ValueError, TypeError, AttributeError):  # openpyxl refuses some values or merged cells
        return
    res = validate_file(dst)
    json.dumps(report_json(Report([res])))
    for f in res.findings:
        assert f.code in CODES and f.message


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes_never_raise(tmp_path: Path, clean: Path, data) -> None:
    raw = bytearray(clean.read_bytes())
    mode = data.draw(st.sampled_from(["flip", "truncate", "member"]))
    if mode == "flip":
        for _ in range(data.draw(st.integers(1, 20))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    elif mode == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:  # a valid zip whose sheet XML is damaged
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zin, zipfile.ZipFile(buf, "w") as zout:
            names = zin.namelist()
            victim = data.draw(st.sampled_from(names))
            for n in names:
                body = zin.read(n)
                if n == victim:
                    body = body[: data.draw(st.integers(0, len(body)))] + data.draw(st.binary(max_size=20))
                zout.writestr(n, body)
        raw = bytearray(buf.getvalue())
    p = tmp_path / "bytes.xlsx"
    p.write_bytes(bytes(raw))
    res = validate_file(p)
    json.dumps(report_json(Report([res])))
    assert all(f.code in CODES for f in res.findings)


def test_english_workbook_locates_on_its_own_sheets(tmp_path: Path) -> None:
    path = write_book(tmp_path / "en.xlsx", bad_month(), lang="en")
    res = validate_file(path, lang="en")
    f = next(f for f in res.findings if f.code == "unknown-sku")
    assert (f.sheet, f.cell) == ("Sales", "D2")
    assert "Items" in f.message and "商品" not in f.message
