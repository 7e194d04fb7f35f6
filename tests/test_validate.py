"""File-level validation: one workbook, a batch with chains, the JSON shape, the xlsx report with links,
inputs never written, and corrupted files that never produce a traceback."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jxc_xl.batch import expand_paths
from jxc_xl.core.findings import CODES
from jxc_xl.io.reader import read_workbook
from jxc_xl.report.jsondoc import report_json
from jxc_xl.report.xlsx import write_report_xlsx
from jxc_xl.validate import Report, validate_file, validate_paths
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
    assert res.stats is not None and res.stats.rows["tblSales"] == len(small_month()["tblSales"])
    assert res.errors == 0 and res.stats.elapsed_s >= 0


def test_findings_are_located_and_inputs_untouched(tmp_path: Path) -> None:
    path = write_book(tmp_path / "bad.xlsx", bad_month())
    before = sha(path)
    res = validate_file(path, lang="en")
    assert sha(path) == before
    by = {f.code: f for f in res.findings}
    assert set(by) == {"unknown-sku", "amount-mismatch"}
    assert (by["unknown-sku"].sheet, by["unknown-sku"].cell) == ("销售出库", "D2")
    assert by["amount-mismatch"].cell == "G3" and "differs" in by["amount-mismatch"].message
    assert not res.valid and res.errors == 2


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
    opening.loc[0, "amount"] = None  # qty × unit cost, so no amount-mismatch in the row itself
    data = {"tblItems": small_month()["tblItems"], "tblOpening": opening}
    bad_dec = write_book(tmp_path / "dec2.xlsx", data, period="2026-12", settings={"company": "甲店"})
    feb = write_book(tmp_path / "feb.xlsx", {"tblItems": small_month()["tblItems"]}, period="2027-02",
                     settings={"company": "甲店"})  # fmt: skip
    rep = validate_paths([str(nov), str(bad_dec), str(feb)])
    assert set(codes(rep.files[0])) == set()
    assert set(codes(rep.files[1])) == {"opening-mismatch"}
    assert set(codes(rep.files[2])) == {"period-gap"}
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
    assert set(codes(res)) == {"opening-mismatch"}
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
    assert list(f1["stats"]) == ["rows", "errors", "warnings", "elapsed_s"]  # the contract's key order
    assert (f1["stats"]["errors"], f1["stats"]["warnings"]) == (2, 0) and f0["stats"]["errors"] == 0
    for f in f1["findings"]:
        assert set(f) == {"code", "severity", "sheet", "row", "column", "cell", "value", "message"}
        assert f["code"] in CODES and f["severity"] in ("error", "warning")


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


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 60), st.integers(0, 20), garbage), max_size=12))
def test_corrupted_cells_never_raise(tmp_path: Path, clean: Path, edits) -> None:
    dst = tmp_path / "corrupt.xlsx"
    try:
        _corrupt_cells(clean, dst, edits)
    except (ValueError, TypeError, AttributeError):  # openpyxl refuses some values or merged cells
        return
    res = validate_file(dst, lang="en")
    json.dumps(report_json(Report([res])))
    for f in res.findings:
        assert f.code in CODES and f.message
        # The zip is valid: a crash of ours must not hide behind file-unreadable. Only the native reader's
        # panic on an impossible date value is a legitimate way for such a file to be unreadable.
        if f.code == "file-unreadable":
            assert "internal error" not in f.message
            assert "PanicException" in f.message or "cannot be read" in f.message, f.message


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


# ---------------------------------------------------------------------------------------------------
# A native reader crash (python-calamine panics: a BaseException) on one cell


def _panic_book(tmp_path: Path) -> Path:
    """A workbook whose first sales date is -1e12: python-calamine panics reading it."""
    src = write_book(tmp_path / "src.xlsx", small_month())
    dst = tmp_path / "panic.xlsx"
    sales_xml = None
    with zipfile.ZipFile(src) as z:
        wb_xml = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet name="销售出库"[^>]*r:id="(rId\d+)"', wb_xml).group(1)
        sales_xml = "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            for n in z.namelist():
                body = z.read(n)
                if n == sales_xml:
                    body, k = re.subn(rb'(<c r="A2"[^>]*><v>)\d+(</v>)', rb"\g<1>-1000000000000\g<2>", body, count=1)
                    assert k == 1
                out.writestr(n, body)
    return dst


def test_reader_panic_costs_only_its_file(tmp_path: Path, clean: Path) -> None:
    bad = _panic_book(tmp_path)
    from python_calamine import CalamineWorkbook

    with pytest.raises(BaseException) as exc:  # the crash really happens (a BaseException, not an Exception)
        book = CalamineWorkbook.from_path(str(bad))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    assert not isinstance(exc.value, Exception)
    for jobs in (1, 2):
        rep = validate_paths([str(bad), str(clean)], jobs=jobs, lang="en")
        assert codes(rep.files[0]) == ["file-unreadable"]
        assert "销售出库" in rep.files[0].findings[0].message
        assert rep.files[1].valid and codes(rep.files[1]) == []


def test_first_crashing_sheet_names_the_sheet_calamine_fails_on(tmp_path: Path, clean: Path) -> None:
    from jxc_xl.io.reader import first_crashing_sheet

    assert first_crashing_sheet(_panic_book(tmp_path)) == "销售出库"
    assert first_crashing_sheet(clean) is None
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip at all")
    assert first_crashing_sheet(junk) is None


class _Panic(BaseException):  # like pyo3's PanicException: not an Exception, and not picklable
    def __init__(self) -> None:
        super().__init__("TimeDelta::milliseconds out of bounds")
        self.hook = lambda: None


def test_any_base_exception_of_the_reader_is_one_finding(tmp_path: Path, clean: Path, monkeypatch) -> None:
    import jxc_xl.validate as v

    def boom(path: Path, lang: str):
        if path.name == "bad.xlsx":
            raise _Panic()
        return read_workbook(path, msg_lang=lang)

    monkeypatch.setattr(v, "_read", boom)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(clean.read_bytes())
    for jobs in (1, 2):
        rep = validate_paths([str(bad), str(clean)], jobs=jobs, lang="en")
        f = rep.files[0].findings
        assert [x.code for x in f] == ["file-unreadable"] and "_Panic" in f[0].message
        assert "save it and try again" in f[0].message
        assert rep.files[1].valid


def _unpicklable_failure(i: int) -> int:
    if i == 1:
        raise _Panic()
    return i * 10


def test_run_all_falls_back_on_any_worker_failure() -> None:
    from jxc_xl.batch import run_all

    fb = lambda a, e: f"fallback {a[0]} {type(e).__name__}"  # noqa: E731
    assert run_all(_unpicklable_failure, [(0,), (1,), (2,)], 1, lambda: None, fb) == [0, "fallback 1 _Panic", 20]
    out = run_all(_unpicklable_failure, [(0,), (1,), (2,)], 2, lambda: None, fb)
    assert out[0] == 0 and out[2] == 20 and out[1].startswith("fallback 1")


# ---------------------------------------------------------------------------------------------------
# --previous as one more member of its company's chain


def _months(tmp_path: Path, company: str = "甲店") -> tuple[Path, Path, Path]:
    """October (no movement: its closing is November's opening), the small November, and December carried
    forward from November by close."""
    pytest.importorskip("jxc_xl.core.generate")
    d = tmp_path / company
    d.mkdir(exist_ok=True)
    sm = small_month()
    quiet = {"tblItems": sm["tblItems"], "tblOpening": sm["tblOpening"]}
    oct_ = write_book(d / "2026-10.xlsx", quiet, period="2026-10", settings={"company": company})
    nov = write_book(d / "2026-11.xlsx", sm, settings={"company": company})
    dec = _next_month(nov, d / "2026-12.xlsx")
    return oct_, nov, dec


def _shift(data: dict, month: int) -> dict:
    for rows in data.values():
        for r in rows:
            if "date" in r:
                r["date"] = r["date"].replace(month=month)
            for k in ("doc_no", "orig_doc_no"):
                if isinstance(r.get(k), str):
                    r[k] = r[k].replace("202611", f"2026{month:02d}")
    return data


def test_a_failure_valuing_last_month_is_named_in_the_warning(tmp_path: Path, monkeypatch) -> None:
    _, nov, dec = _months(tmp_path)
    import jxc_xl.core.generate as generate

    def broken(*a, **k):  # a bug of ours in the valuation, as it would surface
        raise KeyError("sku_code")

    monkeypatch.setattr(generate, "stock_balances", broken)
    for res in (validate_file(dec, previous=nov, lang="en"), validate_paths([str(nov), str(dec)], lang="en").files[1]):
        warned = [f for f in res.findings if f.code == "opening-mismatch"]
        assert len(warned) == 1 and warned[0].severity == "warning"
        assert "computing its closing stock failed (KeyError: 'sku_code')" in warned[0].message


def test_previous_joins_the_chain_of_a_batch(tmp_path: Path) -> None:
    oct_, nov, dec = _months(tmp_path)
    rep = validate_paths([str(nov), str(dec)], previous=oct_)
    assert [codes(r) for r in rep.files] == [[], []]  # no false period-gap on December
    # Another store's November, with an opening unlike 甲店's October: not compared with it.
    other = small_month()
    other["tblOpening"][0]["qty"] += 5
    other["tblOpening"][0]["amount"] = None
    yi = write_book(tmp_path / "yi-11.xlsx", other, settings={"company": "乙店"})
    rep = validate_paths([str(nov), str(dec), str(yi)], previous=oct_)
    assert [codes(r) for r in rep.files] == [[], [], []]
    # The previous file itself is never reported, even when it has errors.
    bad_oct = _shift(small_month(), 10)
    bad_oct["tblSales"][0]["sku"] = "NOPE"
    bad_prev = write_book(tmp_path / "bad-oct.xlsx", bad_oct, period="2026-10", settings={"company": "甲店"})
    rep = validate_paths([str(nov)], previous=bad_prev)
    assert [str(r.path) for r in rep.files] == [str(nov)]
    assert "unknown-sku" not in codes(rep.files[0])


def _warnings(res, code: str) -> list:
    return [f for f in res.findings if f.code == code and f.severity == "warning"]


def test_previous_that_cannot_serve_is_said(tmp_path: Path, clean: Path) -> None:
    _, nov, dec = _months(tmp_path)
    # Same month or later.
    for prev in (nov, dec):
        res = validate_file(nov, previous=prev if prev != nov else tmp_path / "copy.xlsx", lang="en")
        if prev == nov:
            continue
        w = _warnings(res, "opening-mismatch")
        assert len(w) == 1 and "2026-12" in w[0].message and "2026-10" in w[0].message and res.valid
    copy = tmp_path / "copy-nov.xlsx"
    copy.write_bytes(nov.read_bytes())
    w = _warnings(validate_file(nov, previous=copy, lang="en"), "opening-mismatch")
    assert len(w) == 1 and "not of a month before" in w[0].message
    # No period: a workbook that is not a jxc workbook.
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    w = _warnings(validate_file(nov, previous=plain, lang="en"), "opening-mismatch")
    assert len(w) == 1 and "no valid period" in w[0].message
    # Unreadable.
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"junk")
    w = _warnings(validate_file(nov, previous=junk, lang="en"), "opening-mismatch")
    assert len(w) == 1 and "cannot be read" in w[0].message and "junk.xlsx" in w[0].message
    # Another company.
    other = write_book(tmp_path / "o.xlsx", _shift(small_month(), 10), period="2026-10", settings={"company": "乙店"})
    w = _warnings(validate_file(nov, previous=other, lang="en"), "opening-mismatch")
    assert len(w) == 1 and "乙店" in w[0].message and "甲店" in w[0].message


def test_two_workbooks_for_one_month_are_said(tmp_path: Path) -> None:
    oct_, nov, dec = _months(tmp_path)
    twin = tmp_path / "甲店" / "nov-copy.xlsx"
    twin.write_bytes(nov.read_bytes())
    rep = validate_paths([str(oct_), str(nov), str(twin), str(dec)], lang="en")
    assert [set(codes(r)) for r in rep.files] == [set(), {"period-gap"}, {"period-gap"}, set()]
    for r in rep.files[1:3]:
        (f,) = r.findings
        assert f.severity == "warning" and f.value == "2026-11" and "nov-copy.xlsx" in f.message
        assert "2026-11.xlsx" in f.message and "keep one" in f.message


# ---------------------------------------------------------------------------------------------------
# Returns of last month's documents


def _december_with_returns(tmp_path: Path, nov: Path, dec: Path, returns: list[dict]) -> Path:
    opening = read_workbook(dec).df("tblOpening").drop(columns="_row")
    data = {"tblItems": small_month()["tblItems"], "tblOpening": opening, "tblReturns": returns}
    return write_book(tmp_path / "dec-r.xlsx", data, period="2026-12", settings={"company": "甲店"})


def _ret(orig: str, sku: str, qty: float) -> dict:
    return {"date": date(2026, 12, 3), "doc_no": "RT-1", "kind": "sales_return", "orig_doc_no": orig, "sku": sku,
            "qty": qty, "unit_price": 38.5}  # fmt: skip


def test_return_of_last_months_sale(tmp_path: Path) -> None:
    _, nov, dec = _months(tmp_path)
    ok = _december_with_returns(tmp_path, nov, dec, [_ret("SO-202611-00004", "A001", 2)])
    alone = validate_file(ok, lang="en")
    (f,) = alone.findings  # without last month: a warning that says why it may be fine
    assert (f.code, f.severity, f.cell) == ("return-unknown-original", "warning", "D2")
    assert "earlier month" in f.message and alone.valid
    assert validate_file(ok, previous=nov).findings == []
    assert [codes(r) for r in validate_paths([str(nov), str(ok)]).files] == [[], []]

    cases = {
        "SO-NOPE": ("A001", 2, "return-unknown-original", "2026-11"),
        "SO-202611-00004": ("C001", 2, "return-sku-not-on-original", "SO-202611-00004"),
    }
    for orig, (sku, qty, code, word) in cases.items():
        p = _december_with_returns(tmp_path, nov, dec, [_ret(orig, sku, qty)])
        for res in (validate_file(p, previous=nov, lang="en"), validate_paths([str(nov), str(p)], lang="en").files[1]):
            (f,) = res.findings
            assert (f.code, f.severity, f.row) == (code, "error", 2) and word in f.message
    # Two partial returns of the 30 sold on SO-202611-00004: the second passes the original quantity.
    two = [_ret("SO-202611-00004", "A001", 20), _ret("SO-202611-00004", "A001", 11) | {"doc_no": "RT-2"}]
    p = _december_with_returns(tmp_path, nov, dec, two)
    (f,) = validate_file(p, previous=nov).findings
    assert (f.code, f.row, f.value) == ("return-exceeds-original", 3, 11)


# ---------------------------------------------------------------------------------------------------
# Folder expansion


def test_expand_paths_any_case_xlsm_and_the_report(tmp_path: Path, clean: Path) -> None:
    for name in ("A.XLSX", "b.xlsm", "c.Xlsx", "report.xlsx", "~$A.XLSX"):
        (tmp_path / name).write_bytes(clean.read_bytes())
    (tmp_path / "d.csv").write_text("x")
    found, _ = expand_paths([str(tmp_path)], exclude=tmp_path / "report.xlsx")
    assert sorted(p.name for p in found) == ["A.XLSX", "b.xlsm", "c.Xlsx"]
    found, _ = expand_paths([str(tmp_path / "*")], exclude=tmp_path / "report.xlsx")
    assert sorted(p.name for p in found) == ["A.XLSX", "b.xlsm", "c.Xlsx"]
    found, _ = expand_paths([str(tmp_path / "report.xlsx")], exclude=tmp_path / "report.xlsx")
    assert [p.name for p in found] == ["report.xlsx"]  # named explicitly: the caller decides


def _repeated_unknown_sku(tmp_path: Path) -> Path:
    data = small_month()
    for line in data["tblSales"]:
        line["sku"] = "GONE"  # one missing item: the same unknown-sku on every sales line
    return write_book(tmp_path / "gone.xlsx", data)


def test_alike_findings_are_one_line_in_terminal_and_xlsx_and_all_in_json(tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    from jxc_xl.report.terminal import render_terminal

    path = _repeated_unknown_sku(tmp_path)
    report = validate_paths([str(path)])
    unknown = [f for f in report.files[0].findings if f.code == "unknown-sku"]
    n = len(small_month()["tblSales"])
    assert len(unknown) == n  # the JSON keeps every one
    assert sum(f["code"] == "unknown-sku" for f in report_json(report)["files"][0]["findings"]) == n

    out = StringIO()
    render_terminal(report, Console(file=out, width=200), "en")
    text = out.getvalue()
    assert text.count("unknown-sku") == 1 and f"{n} alike, rows 2, 3, 4, 5, 6 …" in text

    xlsx = write_report_xlsx(report, tmp_path / "r.xlsx", "en")
    ws = openpyxl.load_workbook(xlsx).worksheets[0]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    grouped = [r for r in rows if r["Code"] == "unknown-sku"]
    assert len(grouped) == 1 and grouped[0]["Count"] == n and grouped[0]["Rows"] == "2, 3, 4, 5, 6 …"
    assert grouped[0]["Column"] == "商品编码"  # the header the user sees in the (zh) workbook, not the key
    summary_head = [c.value for c in openpyxl.load_workbook(xlsx).worksheets[1][1]]
    assert "Rows Sales" in summary_head and not any("tbl" in str(h) for h in summary_head)
