"""The xlsx package (OOXML): its parts, their relationships, the workbook's sheets and its table parts.

One reading of the package for every module that needs it: the file reader (``io.reader``, lenient: it
catches these errors and falls back to header rows), the write-back (``io.xlsxpatch``, strict: a damaged
package raises ``NotAWorkbookError``) and the template's post-processing.

Parts are inflated only when read (a month's ledger sheet is a hundred MB of XML), and writing a package
out copies every unchanged entry's compressed bytes as they are, in the original order, with the original
dates and attributes, so a rewrite changes only the parts it was asked to change.

Editing parts, the two ways:

- ``rewrite_parts(src, dst, {"xl/drawings/drawing1.xml": new_bytes})``: small packages, one call; or
  ``rewrite_parts(path, path, edit)`` with ``edit(parts)`` setting only the parts it changes. With
  ``compresslevel=None`` a changed part is deflated as zipfile does by default, so a package xlsxwriter wrote
  comes out byte for byte as a re-zip of every entry would (the template's button rename).
- ``with open_package(path) as parts: parts[name] = ...; write_package(fh, parts)``: the streaming form
  (what ``write_tables`` does: the caller owns the temp file and the atomic replace).
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from jxc_xl.core.messages import phrase
from jxc_xl.errors import NotAWorkbookError
from jxc_xl.io import zipraw
from jxc_xl.io.ooxml import attrs, split_range

__all__ = [
    "CONTENT_TYPES",
    "NS_MAIN",
    "NS_PKG_REL",
    "NS_REL",
    "WORKBOOK",
    "Parts",
    "Relationship",
    "SheetRef",
    "TablePart",
    "check_file",
    "copy_raw",
    "open_package",
    "parse_xml",
    "relationships",
    "rels_name",
    "resolve",
    "rewrite_parts",
    "table_parts",
    "unreadable",
    "workbook_sheets",
    "write_package",
]

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK = "xl/workbook.xml"
CONTENT_TYPES = "[Content_Types].xml"

# ---------------------------------------------------------------------------------------------------
# Parts


class Parts(MutableMapping[str, bytes]):
    """The package's parts, each decompressed on first use; what is set or deleted is kept apart.

    A month's ledger sheets hold a hundred MB of XML: parts nobody reads or changes are never inflated,
    and ``write_package`` copies their compressed bytes as they are. Only the zip's own entries can be set:
    a new part would need a content type and a relationship too, so setting one raises ``ValueError``
    rather than being dropped when the package is written; ``add`` makes one (``io.structure`` adds its rest).
    """

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.infos = zf.infolist()
        self._names = {i.filename for i in self.infos}
        self._cache: dict[str, bytes] = {}
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.added: list[str] = []  # new parts, in the order they were added

    def add(self, name: str, data: bytes) -> None:
        """A new part (its relationship and content type are the caller's); ``ValueError`` if it exists."""
        if name in self._names:
            raise ValueError(name)
        self._names.add(name)
        self.added.append(name)
        self.changed[name] = data

    def __getitem__(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name in self.removed or name not in self._names:
            raise KeyError(name)
        if name not in self._cache:
            self._cache[name] = self.zf.read(name)
        return self._cache[name]

    def peek(self, name: str) -> bytes:
        """A part's bytes without keeping them (for one look at a large part); ``KeyError`` like ``parts[name]``."""
        if name in self.changed:
            return self.changed[name]
        if name in self.removed or name not in self._names:
            raise KeyError(name)
        return self._cache[name] if name in self._cache else self.zf.read(name)

    def __setitem__(self, name: str, data: bytes) -> None:
        """Change an existing part (also one deleted before); a name the zip does not hold is a ValueError."""
        if name not in self._names:  # write_package writes the zip's own entries only: it would be lost
            raise ValueError(phrase("io_new_part", "en", part=name))
        self.changed[name] = data
        self.removed.discard(name)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.changed.pop(name, None)
        self.removed.add(name)

    def __contains__(self, name: object) -> bool:
        return name in self.changed or (name in self._names and name not in self.removed)

    def __iter__(self) -> Iterator[str]:
        yield from (n for n in self._names | set(self.changed) if n in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def check_file(path: Path) -> None:
    """Refuse a path that is not a regular file, in the words ``jxc validate`` shows (reader and write-back).

    A named pipe or a device is refused here: opening one to read would wait forever (or read without end).

    Raises:
        NotAWorkbookError: ``path`` does not exist (a dangling link or a link loop included), is a folder, or
            is no regular file.
    """
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):  # missing, a link loop, a name too long, a NUL byte
        raise NotAWorkbookError.said("io_file_not_found", path=path, name=path.name or path) from None
    if stat.S_ISDIR(mode):
        raise NotAWorkbookError.said("io_is_folder", path=path)
    if not stat.S_ISREG(mode):
        raise NotAWorkbookError.said("io_not_regular", path=path)


def unreadable(path: Path, error: BaseException) -> NotAWorkbookError:
    """The error for a file that is not a readable xlsx package (not a zip, an old .xls, encrypted, truncated).

    Args:
        path: the file.
        error: what the zip or sheet library raised (its type and text end the message).

    Returns:
        The NotAWorkbookError to raise ``from error``.
    """
    return NotAWorkbookError.said("io_unreadable", path=path, error=f"{type(error).__name__}: {error}")


@contextmanager
def open_package(src: Path | bytes) -> Iterator[Parts]:
    """The parts of the xlsx package at ``src`` (a path, or the file's bytes), open for the ``with`` block.

    Raises:
        NotAWorkbookError: the file is missing, not a zip, has no workbook part, or a part is damaged
            (also when met later, inside the block).
    """
    path = src if isinstance(src, Path) else Path("<xlsx bytes>")
    if isinstance(src, Path):
        check_file(src)
    try:
        zf = zipfile.ZipFile(src if isinstance(src, Path) else io.BytesIO(src))
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise unreadable(path, e) from e
    with zf:
        _check_entries(zf, path)
        parts = Parts(zf)
        for required in (WORKBOOK, CONTENT_TYPES):  # neither Excel nor LibreOffice opens a package without both
            if required not in parts:
                raise NotAWorkbookError.said("io_no_workbook_part", path=path, part=required)
        parse_xml(parts.peek(CONTENT_TYPES), path, CONTENT_TYPES)
        try:
            yield parts
        except (zipfile.BadZipFile, EOFError, zlib.error) as e:  # a damaged part met while reading it
            raise unreadable(path, e) from e


_DOCTYPES = tuple("<!DOCTYPE".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))


_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Excel, LibreOffice and every xlsx writer use


def _check_entries(zf: zipfile.ZipFile, path: Path) -> None:
    """Refuse a package whose entries cannot be read or copied faithfully: a part encrypted with a password
    (ZipCrypto/AES), compressed with a method xlsx does not use (deflate64, bzip2, …), or present twice."""
    seen: set[str] = set()
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            error = f"{info.filename}: encrypted zip entry"
            raise NotAWorkbookError.said("io_password", path=path, error=error)
        if info.compress_type not in _METHODS:
            error = f"{info.filename}: compression method {info.compress_type}"
            raise NotAWorkbookError.said("io_unreadable", path=path, error=error)
        if info.filename in seen:
            raise NotAWorkbookError.said("io_unreadable", path=path, error=f"{info.filename}: twice in the zip")
        seen.add(info.filename)


def parse_xml(data: bytes, path: Path, part: str) -> ET.Element:
    """A part's XML root; ``NotAWorkbookError`` naming the file and the part when it is not well-formed.

    A part with a DOCTYPE is refused before parsing: OOXML allows none, and its entities could expand without
    bound ("billion laughs") or name other files.
    """
    if any(d in data for d in _DOCTYPES):
        raise NotAWorkbookError.said("io_doctype", path=path, part=part)
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise NotAWorkbookError.said("io_bad_xml", path=path, part=part, error=str(e)) from e


# ---------------------------------------------------------------------------------------------------
# Relationships


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str  # the full type URI: ``.endswith("/table")`` and so on
    target: str  # the target part's name in the zip


def rels_name(part: str) -> str:
    """The .rels part holding ``part``'s relationships: 'xl/workbook.xml' → 'xl/_rels/workbook.xml.rels'."""
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


def resolve(base_part: str, target: str) -> str:
    """A relationship target as a zip entry name (targets are relative to the source part's folder)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def relationships(parts: Mapping[str, bytes], part: str, path: Path) -> list[Relationship]:
    """The internal relationships of ``part`` in document order (none when it has no .rels part)."""
    name = rels_name(part)
    if name not in parts:
        return []
    root = parse_xml(parts[name], path, name)
    return [
        Relationship(rel.get("Id", ""), rel.get("Type", ""), resolve(part, rel.get("Target", "")))
        for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship")
        if rel.get("TargetMode") != "External"
    ]


# ---------------------------------------------------------------------------------------------------
# Sheets and table parts


@dataclass(frozen=True)
class SheetRef:
    """One ``<sheet>`` of workbook.xml with its worksheet part."""

    name: str
    sheet_id: int
    position: int  # 1-based among the <sheet> elements
    part: str


def workbook_sheets(parts: Mapping[str, bytes], path: Path) -> list[SheetRef]:
    """The workbook's sheets in tab order; a sheet whose part is missing from the package is left out."""
    wb = parse_xml(parts[WORKBOOK], path, WORKBOOK)
    targets = {r.id: r.target for r in relationships(parts, WORKBOOK, path)}
    out: list[SheetRef] = []
    for pos, sh in enumerate(wb.iter(f"{{{NS_MAIN}}}sheet"), start=1):
        part = targets.get(sh.get(f"{{{NS_REL}}}id", ""))
        if part and part in parts:
            out.append(SheetRef(sh.get("name", ""), int(sh.get("sheetId", "0") or 0), pos, part))
    return out


_TABLE_COLUMN = re.compile(r"<(?:\w+:)?tableColumn\b[^>]*?(?:/>|>.*?</(?:\w+:)?tableColumn>)", re.S)
_CALC_FORMULA = re.compile(r"<(?:\w+:)?calculatedColumnFormula\b([^>]*)>(.*?)</", re.S)


@dataclass(frozen=True)
class TablePart:
    """One Excel Table (a table part) with its sheet."""

    name: str  # the name attribute (displayName when absent)
    display_name: str  # the displayName attribute (name when absent): what Excel shows and formulas use
    sheet: SheetRef
    part: str  # the table part's name in the zip
    ref: str | None  # the ref attribute as written
    header_rows: int
    totals_rows: int
    columns: list[str]  # tableColumn names, left to right
    xml: bytes = field(repr=False, compare=False)  # the table part as stored

    @cached_property
    def calc_formulas(self) -> dict[int, str]:
        """Column offset → calculated column formula, as escaped in the XML (array formulas left out).

        Raises:
            UnicodeDecodeError: the table part is not UTF-8.
        """
        calc: dict[int, str] = {}
        for i, m in enumerate(_TABLE_COLUMN.finditer(self.xml.decode("utf-8"))):
            f = _CALC_FORMULA.search(m.group())
            if f and "array" not in attrs(f.group(1)):
                calc[i] = f.group(2)
        return calc

    @property
    def area(self) -> tuple[int, int, int, int]:
        """1-based (c1, r1, c2, r2) of the ref, headers and totals included (A1 when the ref is absent).

        Raises:
            ValueError: the ref is not a cell or a range of cells.
        """
        return split_range(self.ref if self.ref is not None else "A1")


def table_parts(parts: Mapping[str, bytes], path: Path) -> list[TablePart]:
    """Every table of the workbook, sheet by sheet in tab order.

    Raises:
        NotAWorkbookError: a part on the way is not well-formed XML.
        ValueError: a header or totals row count is not a number.
    """
    out: list[TablePart] = []
    for sheet in workbook_sheets(parts, path):
        for rel in relationships(parts, sheet.part, path):
            if not rel.type.endswith("/table") or rel.target not in parts:
                continue
            data = parts[rel.target]
            t = parse_xml(data, path, rel.target)
            name, display = t.get("name"), t.get("displayName")
            out.append(
                TablePart(
                    name=name or display or "",
                    display_name=display or name or "",
                    sheet=sheet,
                    part=rel.target,
                    ref=t.get("ref"),
                    header_rows=int(t.get("headerRowCount", "1")),
                    totals_rows=int(t.get("totalsRowCount", "0")),
                    columns=[tc.get("name", "") for tc in t.iter(f"{{{NS_MAIN}}}tableColumn")],
                    xml=data,
                )
            )
    return out


# ---------------------------------------------------------------------------------------------------
# Writing a package out


def write_package(fh: IO[bytes], parts: Parts, *, compresslevel: int | None = 1) -> None:
    """Write ``parts`` as a zip to ``fh``: entries in their original order, dates and compression.

    Unchanged entries are copied compressed, byte for byte, instead of being inflated and deflated again
    (seconds for a half-million-line ledger sheet); removed ones are left out; changed ones are deflated at
    ``compresslevel`` (1 by default: rewritten sheets deflate in a fraction of the time for a few percent
    more bytes). Added parts follow, deflated, with workbook.xml's date and attributes (as a rewrite keeps).
    """
    src = parts.zf
    like = parts.zf.getinfo(WORKBOOK)
    with zipfile.ZipFile(fh, "w") as z:
        for info in parts.infos:
            name = info.filename
            if name in parts.removed:
                continue
            if name not in parts.changed and info.flag_bits & 0x1 == 0:
                copy_raw(z, src, info)
                continue
            z.writestr(_entry(name, info, info.compress_type), parts[name], compresslevel=compresslevel)
        for name in parts.added:
            if name in parts.removed:
                continue
            z.writestr(_entry(name, like, zipfile.ZIP_DEFLATED), parts[name], compresslevel=compresslevel)


def _entry(name: str, like: zipfile.ZipInfo, compress_type: int) -> zipfile.ZipInfo:
    """A new entry ``name`` dated and attributed like ``like`` (a rewritten part keeps its own)."""
    zi = zipfile.ZipInfo(name, date_time=like.date_time)
    zi.compress_type = compress_type
    zi.external_attr = like.external_attr
    zi.create_system = like.create_system
    return zi


def rewrite_parts(
    src: Path | bytes,
    dst: Path | IO[bytes],
    changes: Mapping[str, bytes] | Callable[[Parts], None],
    *,
    compresslevel: int | None = 1,
) -> None:
    """Copy the package ``src`` to ``dst`` with some parts replaced; every other entry stays as it was.

    Built in memory, then written: ``dst`` may be ``src`` (meant for small packages such as a new
    template; ``write_tables`` streams big ones through ``open_package`` and ``write_package``).

    Args:
        src: the package's path or bytes.
        dst: a path (written whole, after ``src`` is closed) or a binary file object.
        changes: part name → new bytes, or a function that edits the parts in place (read, set, delete).
        compresslevel: the deflate level of the changed parts.

    Raises:
        NotAWorkbookError: ``src`` is not a readable xlsx package.
        ValueError: ``changes`` names a part the package does not hold.
    """
    buf = io.BytesIO()
    with open_package(src) as parts:
        if callable(changes):
            changes(parts)
        else:
            parts.update(changes)
        write_package(buf, parts, compresslevel=compresslevel)
    if isinstance(dst, Path):
        dst.write_bytes(buf.getvalue())
    else:
        dst.write(buf.getvalue())


def copy_raw(z: zipfile.ZipFile, src: zipfile.ZipFile, info: zipfile.ZipInfo, *, checked: bool = True) -> None:
    """Append ``info``'s compressed data from ``src`` to ``z`` without recompressing it; ``checked``: inflated
    against its CRC first (``io.zipraw.check``), so a damaged entry is refused rather than copied.

    zipfile has no public raw copy; this writes a fresh local header (sizes and CRC in it, so no data
    descriptor) and registers the entry the way ``ZipFile.writestr`` does, for the central directory.
    """
    fp = src.fp
    out = z.fp
    assert fp is not None and out is not None
    data = zipraw.raw_bytes(fp, info)
    if checked:
        zipraw.check(src, info, data)  # inflated against its CRC, unless the reader already did (io.zipraw)
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.external_attr = info.external_attr
    zi.create_system = info.create_system
    zi.flag_bits = info.flag_bits & ~0x08  # sizes go in the local header: no data descriptor
    zi.CRC, zi.compress_size, zi.file_size = info.CRC, info.compress_size, info.file_size
    zi.header_offset = out.tell()
    out.write(zi.FileHeader())
    out.write(data)
    z.filelist.append(zi)
    z.NameToInfo[zi.filename] = zi
    z.start_dir = out.tell()  # zipfile's bookkeeping, kept as writestr keeps it
    z._didModify = True  # type: ignore[attr-defined]  # so close() writes the central directory
