"""io.zipraw: an entry the reader inflated whole is copied without inflating it again, unless its compressed bytes
changed since; io.scanahead: the sheet scans run on a worker thread and hand back the same extents and errors."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pytest

from jxc_xl.io import scanahead, sheetscan, zipraw
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


def test_scans_ahead_give_the_same_extent_and_the_same_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _zip(tmp_path / "a.zip")
    scans = scanahead.Scans(path)
    scans.start([PART])
    assert scans.extent(PART) is None
    assert not scans.done(PART)  # handed out once
    monkeypatch.setattr(sheetscan, "MAX_PART_BYTES", 100)
    scans.start([PART])
    with pytest.raises(sheetscan.PartTooLarge):
        scans.extent(PART)
    with pytest.raises(sheetscan.PartTooLarge):  # asked again: scanned on the spot, refused again
        scans.extent(PART)
    scans.close()
