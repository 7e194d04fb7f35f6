"""io.sheetsplit: the largest sheet parsed in pieces reads exactly as read whole, or is read whole."""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jxc_xl.io import scanahead, sheetsplit
from jxc_xl.io.reader import _calamine, read_workbook
from jxc_xl.io.scanahead import Ahead, parse_part
from jxc_xl.io.sheetsplit import Loaded, merge

PART = "xl/worksheets/sheet1.xml"

cell = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.text(alphabet="ab 合计<&", min_size=1, max_size=4),
    st.booleans(),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
    st.just("=1+1"),  # a formula: calamine reads its cached value
)
cells = st.dictionaries(st.tuples(st.integers(0, 60), st.integers(0, 7)), cell, min_size=1, max_size=80)


def _write(path: Path, values: dict[tuple[int, int], Any], *, blank_styled: int | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for (r, c), v in values.items():
        if isinstance(v, dt.date):
            ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date)
        elif isinstance(v, str) and v.startswith("="):
            ws.write_formula(r, c, v, None, 2)
        elif isinstance(v, str):
            ws.write_string(r, c, v)
        else:
            ws.write(r, c, v)
    if blank_styled is not None:  # a styled empty cell: no value, calamine leaves it out
        ws.write_blank(blank_styled, 9, None, date)
    wb.close()
    return path


def _in_pieces(path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> tuple[Loaded, list[Path]]:
    """The sheet as ``Ahead`` reads it with ``n`` cores, and the pieces it parsed."""
    monkeypatch.setattr(scanahead, "cores", lambda: n)
    parsed: list[Path] = []
    real = scanahead.parse_part

    def spy(p: Path, name: str, opener: Any) -> Any:
        parsed.append(p)
        return real(p, name, opener)

    monkeypatch.setattr(scanahead, "parse_part", spy)
    ahead = Ahead()
    ahead.start(path, "S", PART, _calamine)
    try:
        _, got = ahead.take("S")
    finally:
        ahead.close()
    assert isinstance(got, Loaded)
    return got, parsed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=cells, n=st.integers(2, 4), blank_row=st.none() | st.integers(0, 70))
def test_pieces_read_as_the_whole_sheet(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, values: Any, n: int, blank_row: Any
) -> None:
    """Any sheet — gaps at the cuts, columns empty in a piece, dates, formulas, shared strings — reads the same."""
    path = _write(tmp_path_factory.mktemp("s") / "s.xlsx", values, blank_styled=blank_row)
    whole = parse_part(path, "S", _calamine)
    assert isinstance(whole, Loaded)
    got, _ = _in_pieces(path, monkeypatch, n)
    assert got == whole


def test_a_long_sheet_is_parsed_in_pieces_and_the_folder_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {(r, c): (f"t{r % 7}" if c == 1 else r * 10 + c) for r in range(2000) for c in range(4)}
    values[(1500, 6)] = "far right, one piece only"
    path = _write(tmp_path / "s.xlsx", values)
    whole = parse_part(path, "S", _calamine)
    got, parsed = _in_pieces(path, monkeypatch, 3)
    assert len(parsed) == 3 and all(p.name.startswith("piece") for p in parsed)
    assert got == whole
    assert not parsed[0].parent.exists()  # the pieces and their folder are gone once taken


def test_one_core_reads_the_sheet_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "s.xlsx", {(r, 0): r for r in range(500)})
    got, parsed = _in_pieces(path, monkeypatch, 1)
    assert parsed == [path] and got == parse_part(path, "S", _calamine)


def _rewrite_sheet(path: Path, edit: Any) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    parts[PART] = edit(parts[PART])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_rows_out_of_order_are_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Calamine places a cell by its position, so rows written out of order still read right: the pieces' rows
    overlap and the sheet is read whole instead."""
    path = _write(tmp_path / "s.xlsx", {(r, 0): r for r in range(400)})

    def swap(xml: bytes) -> bytes:  # the first row moved to the end of the rows
        start = xml.index(b"<row ")
        end = xml.index(b"</row>", start) + len(b"</row>")
        tail = xml.index(b"</sheetData>")
        return xml[:start] + xml[end:tail] + xml[start:end] + xml[tail:]

    _rewrite_sheet(path, swap)
    whole = parse_part(path, "S", _calamine)
    assert isinstance(whole, Loaded) and whole.rows[0] == [0]
    got, parsed = _in_pieces(path, monkeypatch, 2)
    assert len(parsed) == 3  # two pieces, then the whole sheet
    assert got == whole


@pytest.mark.parametrize("markup", [b"<!-- </row><row r='9'> -->", b"<?pi </sheetData>?>"])
def test_a_sheet_with_comments_or_instructions_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, markup: bytes
) -> None:
    """A `<` that is not a tag could hide a cut: such a sheet is not split."""
    path = _write(tmp_path / "s.xlsx", {(r, 0): r for r in range(400)})
    _rewrite_sheet(path, lambda xml: xml.replace(b"</row>", b"</row>" + markup, 1))
    got, parsed = _in_pieces(path, monkeypatch, 2)
    assert parsed == [path] and got == parse_part(path, "S", _calamine)


def test_a_piece_calamine_cannot_read_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "s.xlsx", {(r, 0): r for r in range(400)})
    real = scanahead.parse_part

    def failing(p: Path, name: str, opener: Any) -> Any:
        return RuntimeError("piece") if p.name.startswith("piece") else real(p, name, opener)

    monkeypatch.setattr(scanahead, "parse_part", failing)
    monkeypatch.setattr(scanahead, "cores", lambda: 2)
    ahead = Ahead()
    ahead.start(path, "S", PART, _calamine)
    _, got = ahead.take("S")
    assert got == real(path, "S", _calamine)


def test_a_full_disk_only_stops_the_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "s.xlsx", {(r, 0): r for r in range(400)})
    monkeypatch.setattr(sheetsplit.Splitter, "_open_piece", lambda self: (_ for _ in ()).throw(OSError(28, "full")))
    got, parsed = _in_pieces(path, monkeypatch, 2)
    assert parsed == [path] and got == parse_part(path, "S", _calamine)


def test_merge_pads_and_refuses_overlap() -> None:
    a = Loaded((0, 1), [["a", "b"], ["c", "d"]])
    b = Loaded((4, 0), [["x", "", ""]])  # a gap of two rows, one column further left and one wider
    assert merge([a, b]) == Loaded((0, 0), [["", "a", "b"], ["", "c", "d"], ["", "", ""], ["", "", ""], ["x", "", ""]])
    assert merge([Loaded((0, 0), [["a"], ["b"]]), Loaded((1, 0), [["c"]])]) is None
    assert merge([Loaded(None, []), Loaded(None, [])]) == Loaded(None, [])


def test_the_workbook_reads_the_same_with_its_ledger_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: the reader with its big sheet in pieces gives the same tables and findings."""
    import pandas as pd

    from jxc_xl.demo import write_demo
    from jxc_xl.io import reader

    path = write_demo(tmp_path, n_skus=60, n_lines=3000)  # its sales sheet is the largest
    inline = read_workbook(path)
    monkeypatch.setattr(reader, "BIG_SHEET_BYTES", 1)
    monkeypatch.setattr(scanahead, "cores", lambda: 2)
    parsed: list[str] = []
    real = scanahead.parse_part
    monkeypatch.setattr(scanahead, "parse_part", lambda p, n, o: (parsed.append(p.name), real(p, n, o))[1])
    split = read_workbook(path)
    assert parsed == ["piece0.xlsx", "piece1.xlsx"]
    assert [f.message for f in split.findings] == [f.message for f in inline.findings]
    for name, td in inline.tables.items():
        pd.testing.assert_frame_equal(split.tables[name].df, td.df)


def _end_rows_midway(xml: bytes) -> bytes:
    """The rows ended halfway by `</sheetData >` (well-formed), the rest in a second sheetData calamine never reads."""
    mid = xml.index(b"</row>", len(xml) // 2) + len(b"</row>")
    return xml[:mid] + b"</sheetData ><sheetData>" + xml[mid:]


def _one_column(path: Path, rows: int = 400) -> Path:
    return _write(path, {(r, 0): r for r in range(rows)})


@pytest.mark.parametrize(
    "edit",
    [
        # `<sheetPr <sheetData>` is one start tag to quick-xml (calamine accepts it): not where the rows start
        lambda xml: xml.replace(b"<dimension ", b"<sheetPr <sheetData></sheetPr><dimension ", 1),
        # a comment in the head holding a `<sheetData>`
        lambda xml: xml.replace(b"<sheetData>", b"<!-- <sheetData> --><sheetData>", 1),
        _end_rows_midway,
    ],
    ids=["sheetdata-inside-a-tag", "comment-in-head", "end-tag-with-space"],
)
def test_heads_and_ends_calamine_reads_otherwise_are_read_whole_or_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any
) -> None:
    """Audit cases: where the literal `<sheetData>` / `</sheetData>` is not where calamine starts or ends the rows,
    the sheet reads as calamine reads it whole (was: pieces read empty, rows lost or added)."""
    path = _rewrite_sheet(_one_column(tmp_path / "s.xlsx"), edit)
    whole = parse_part(path, "S", _calamine)
    assert isinstance(whole, Loaded)
    for n in (2, 3):
        got, _ = _in_pieces(path, monkeypatch, n)
        assert got == whole


def test_no_temporary_folder_reads_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit: a temp folder that cannot be made raised FileNotFoundError out of the read."""
    path = _one_column(tmp_path / "s.xlsx")

    def no_folder(**_: Any) -> str:
        raise FileNotFoundError("no temp dir")

    monkeypatch.setattr(sheetsplit.tempfile, "mkdtemp", no_folder)
    got, parsed = _in_pieces(path, monkeypatch, 2)
    assert parsed == [path] and got == parse_part(path, "S", _calamine)


def test_pieces_stay_within_the_cell_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows out of order could make each piece as large as the sheet: no more pieces are handed over than the
    budget holds at the scan's bound (here 2 × 4,000 cells fit, 3 do not)."""
    path = _write(tmp_path / "s.xlsx", {(r, c): r for r in range(1000) for c in range(3)})  # bound ≈ 1,099 × 3
    monkeypatch.setattr(sheetsplit, "BUDGET_CELLS", 2 * 1099 * 3)
    got, parsed = _in_pieces(path, monkeypatch, 4)
    assert [p.name for p in parsed] == ["piece0.xlsx", "piece1.xlsx"]
    assert got == parse_part(path, "S", _calamine)
    monkeypatch.setattr(sheetsplit, "BUDGET_CELLS", 1099 * 3)
    _, parsed = _in_pieces(path, monkeypatch, 4)
    assert parsed == [path]


def test_a_package_of_many_entries_reads_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _one_column(tmp_path / "s.xlsx")
    monkeypatch.setattr(sheetsplit, "MAX_ENTRIES", 3)
    got, parsed = _in_pieces(path, monkeypatch, 2)
    assert parsed == [path] and got == parse_part(path, "S", _calamine)


def test_an_interrupted_read_leaves_no_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit: Ctrl-C during the scan or while waiting for the pieces left the folder behind."""
    path = _write(tmp_path / "s.xlsx", {(r, 0): r for r in range(3000)})
    made: list[str] = []
    real_mkdtemp = sheetsplit.tempfile.mkdtemp

    def mkdtemp(**kw: Any) -> str:
        made.append(real_mkdtemp(**kw))
        return made[-1]

    monkeypatch.setattr(sheetsplit.tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(scanahead, "cores", lambda: 2)
    real_take = sheetsplit.Splitter._take

    def interrupted(self: sheetsplit.Splitter, chunk: bytes) -> None:
        real_take(self, chunk)
        if self._k:  # a piece has been handed over
            raise KeyboardInterrupt

    monkeypatch.setattr(sheetsplit.Splitter, "_take", interrupted)
    ahead = Ahead()
    with pytest.raises(KeyboardInterrupt):
        ahead.start(path, "S", PART, _calamine)
    ahead.close()
    for _ in range(100):  # the piece handed over is read, then removed
        if not Path(made[0]).exists():
            break
        time.sleep(0.05)
    assert made and not Path(made[0]).exists()
