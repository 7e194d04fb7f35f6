"""io.package: parts that are set, deleted and peeked at; one wording for a file that cannot be opened."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from jxc_xl.errors import NotAWorkbookError
from jxc_xl.io.package import WORKBOOK, open_package, rewrite_parts, write_package
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.xlsxpatch import table_names


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A package with a workbook part and one other part (enough for the package layer, not for Excel)."""
    p = tmp_path / "p.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(WORKBOOK, b"<workbook/>")
        z.writestr(
            "[Content_Types].xml", b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        )
        z.writestr("docProps/app.xml", b"<app/>")
    return p


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_a_new_part_is_refused_not_dropped(pkg: Path, tmp_path: Path) -> None:
    with open_package(pkg) as parts:
        with pytest.raises(ValueError, match=r"xl/new\.xml.*not a part of this package"):
            parts["xl/new.xml"] = b"<new/>"
        assert "xl/new.xml" not in parts and not parts.changed
    out = tmp_path / "o.xlsx"
    with pytest.raises(ValueError, match=r"xl/new\.xml"):
        rewrite_parts(pkg, out, {"docProps/app.xml": b"<changed/>", "xl/new.xml": b"<new/>"})
    assert not out.exists()


def test_a_deleted_part_can_be_set_again_and_is_written(pkg: Path) -> None:
    buf = io.BytesIO()
    with open_package(pkg) as parts:
        del parts["docProps/app.xml"]
        parts["docProps/app.xml"] = b"<back/>"
        write_package(buf, parts)
    got = _entries(buf.getvalue())
    assert got.pop("[Content_Types].xml").startswith(b"<Types") and got == {
        WORKBOOK: b"<workbook/>",
        "docProps/app.xml": b"<back/>",
    }


def test_peek_sees_changes_and_deletions(pkg: Path) -> None:
    with open_package(pkg) as parts:
        assert parts.peek("docProps/app.xml") == b"<app/>"
        parts["docProps/app.xml"] = b"<changed/>"
        assert parts.peek("docProps/app.xml") == b"<changed/>"
        del parts["docProps/app.xml"]
        with pytest.raises(KeyError):
            parts.peek("docProps/app.xml")
        with pytest.raises(KeyError):
            parts.peek("xl/absent.xml")


@pytest.mark.parametrize("kind", ["missing", "folder", "not a zip"])
def test_reader_and_write_back_word_an_unopenable_file_alike(tmp_path: Path, kind: str) -> None:
    p = tmp_path / "x.xlsx"
    if kind == "folder":
        p.mkdir()
    elif kind == "not a zip":
        p.write_text("this is not a zip")
    with pytest.raises(NotAWorkbookError) as by_reader:
        read_workbook(p)
    with pytest.raises(NotAWorkbookError) as by_package:
        table_names(p)
    said = {
        "missing": "file not found",
        "folder": "is a folder, not a workbook",
        "not a zip": "not a readable Excel workbook",
    }[kind]
    for e in (by_reader.value, by_package.value):
        assert str(e).startswith(f"{p}: {said}"), str(e)
    if kind != "not a zip":  # the libraries' own words end the text for a damaged file
        assert str(by_reader.value) == str(by_package.value)
