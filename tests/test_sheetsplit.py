"""io.sheetsplit: the largest sheet parsed in pieces reads exactly as read whole, or is read whole."""

from __future__ import annotations

import datetime as dt
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
