"""io.zipraw: an entry the reader inflated whole is copied without inflating it again, unless its compressed bytes
changed since; io.scanahead: the largest sheet, read on a worker thread, reads as read inline, errors included."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import python_calamine

from jxc_xl.errors import NotAWorkbookError
from jxc_xl.io import reader, scanahead, sheetscan, zipraw
from jxc_xl.io.package import open_package, write_package
from jxc_xl.io.reader import read_workbook
from tests.factories import write_book

PART = "xl/worksheets/sheet1.xml"
XML = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>' * 50


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(PART, XML)
    return path


def _no_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object) -> object:
        raise AssertionError("inflated again")

    monkeypatch.setattr(zipraw.zlib, "decompressobj", refuse)


def test_an_entry_read_whole_is_not_inflated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _zip(tmp_path / "a.zip")
    assert scanahead.scan_part(path, PART) is None  # read whole through zipfile: remembered
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(PART)
        assert zf.fp is not None
        data = zipraw.raw_bytes(zf.fp, info)
        _no_inflating(monkeypatch)
        zipraw.check(zf, info, data)  # passes without inflating
        with pytest.raises(AssertionError, match="inflated again"):  # other bytes are inflated to be checked
            zipraw.check(zf, info, data[:-1] + bytes([data[-1] ^ 1]))


def test_bytes_damaged_after_the_read_are_still_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.zip")
    scanahead.scan_part(path, PART)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(PART)
        assert zf.fp is not None
        data = bytearray(zipraw.raw_bytes(zf.fp, info))
        data[len(data) // 2] ^= 0xFF  # the same length, other bytes
        with pytest.raises(zipfile.BadZipFile):
            zipraw.check(zf, info, bytes(data))
    with zipfile.ZipFile(path) as zf:  # and an entry never read whole is inflated to be checked
        info = zf.getinfo(PART)
        zipraw._INFLATED.clear()
        assert zf.fp is not None
        good = zipraw.raw_bytes(zf.fp, info)
        zipraw.check(zf, info, good)
        with pytest.raises(zipfile.BadZipFile):
            zipraw.check(zf, info, zlib.compress(b"other", 9)[2:-4])


def test_sync_copies_the_ledger_sheets_it_read_without_inflating_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_book(tmp_path / "m.xlsx")
    zipraw._INFLATED.clear()
    read_workbook(path, generated=False)
    copied: list[str] = []
    real = zipraw.check

    def counting(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
        key = zipraw._key(zf, info)
        if key in zipraw._INFLATED:
            copied.append(info.filename)
        real(zf, info, data)

    monkeypatch.setattr(zipraw, "check", counting)
    out = tmp_path / "out.xlsx"
    with open_package(path) as parts, out.open("wb") as fh:
        write_package(fh, parts)
    assert any(name.startswith("xl/worksheets/") for name in copied)
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(out) as b:
        assert [(i.filename, i.CRC) for i in a.infolist()] == [(i.filename, i.CRC) for i in b.infolist()]
        assert b.testzip() is None


def test_a_big_sheet_read_on_the_worker_reads_as_read_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The largest sheet goes to the worker thread when it is big (the limit lowered here): the same workbook."""
    path = write_book(tmp_path / "m.xlsx")
    inline = read_workbook(path)
    started: list[str] = []
    real_start = scanahead.Ahead.start

    def spy(self: scanahead.Ahead, p: Path, name: str, part: str, opener: Any) -> None:
        started.append(name)
        real_start(self, p, name, part, opener)

    monkeypatch.setattr(reader, "BIG_SHEET_BYTES", 1)
    monkeypatch.setattr(scanahead.Ahead, "start", spy)
    ahead = read_workbook(path)
    assert len(started) == 1
    assert [f.message for f in ahead.findings] == [f.message for f in inline.findings]
    for name, td in inline.tables.items():
        pd.testing.assert_frame_equal(ahead.tables[name].df, td.df)


def test_the_workers_errors_are_raised_where_the_sheet_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's scan error and calamine's error reach the caller as an inline read raises them."""
    path = write_book(tmp_path / "m.xlsx")
    monkeypatch.setattr(reader, "BIG_SHEET_BYTES", 1)
    real_scan = scanahead.scan_part
    worker_parts: list[str] = []

    def too_large(p: Path, part: str, sink: Any = None) -> sheetscan.SheetExtent | None:  # the worker's scan only
        worker_parts.append(part)
        raise sheetscan.PartTooLarge(part)

    monkeypatch.setattr(scanahead, "scan_part", too_large)
    with pytest.raises(NotAWorkbookError) as error:
        read_workbook(path)
    assert len(worker_parts) == 1 and worker_parts[0] in str(error.value) and "768 MB" in str(error.value)

    def broken(p: Path) -> Any:
        raise python_calamine.CalamineError("broken sheet")

    monkeypatch.setattr(scanahead, "scan_part", real_scan)
    started: list[str] = []
    real_start = scanahead.Ahead.start

    def with_broken_book(self: scanahead.Ahead, p: Path, name: str, part: str, opener: Any) -> None:
        started.append(name)
        real_start(self, p, name, part, broken)  # the worker's own calamine book cannot be opened

    monkeypatch.setattr(scanahead.Ahead, "start", with_broken_book)
    with pytest.raises(NotAWorkbookError, match="broken sheet"):
        read_workbook(path)
    assert len(started) == 1


def test_an_entry_declaring_more_bytes_than_it_holds_is_inflated_to_copy_and_refused(tmp_path: Path) -> None:
    """zipfile checks the CRC while reading, not a declared size larger than the data: such an entry is not
    remembered, so the copy inflates it and refuses it (the corpus' huge-size case had been copied as it was,
    and LibreOffice could not open the output)."""
    good = _zip(tmp_path / "a.zip").read_bytes()
    info = zipfile.ZipFile(tmp_path / "a.zip").getinfo(PART)
    lied = bytearray(good)
    for at in (info.header_offset + 22, good.rindex(b"PK\x01\x02") + 24):  # local header and central directory
        lied[at : at + 4] = (0xFFFFFFF0).to_bytes(4, "little")
    path = tmp_path / "lied.zip"
    path.write_bytes(bytes(lied))
    scanahead.scan_part(path, PART)
    with zipfile.ZipFile(path) as zf:
        entry = zf.getinfo(PART)
        assert entry.file_size == 0xFFFFFFF0
        with pytest.raises(zipfile.BadZipFile):
            zipraw.check(zf, entry, zipraw.raw_bytes(zf.fp, entry))  # type: ignore[arg-type]
