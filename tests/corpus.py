"""A corpus of damaged, hostile and unusual workbooks, generated into a folder (never committed).

``build_corpus(folder)`` writes several hundred files in five classes — bytes, zip, xml, content and fs (file
system) — and returns one ``Case`` per file. ``tests/test_corpus.py`` runs validate and sync over every one.
Each case is derived from one clean month of the template (``tests.factories.write_book``), so what breaks a
command is the damage named in the case, not the data.
"""

from __future__ import annotations

import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tests.factories import small_month, write_book

__all__ = ["Case", "build_corpus"]


@dataclass(frozen=True)
class Case:
    """One file of the corpus: its class ("bytes", "zip", "xml", "content", "fs"), a short name, its path."""

    kind: str
    name: str
    path: Path


# ---------------------------------------------------------------------------------------------------
# A raw zip writer: entries exactly as given (method, flags, CRC and sizes may lie)


@dataclass
class _Entry:
    name: str
    data: bytes  # the stored (compressed, maybe encrypted) bytes
    method: int = zipfile.ZIP_DEFLATED
    crc: int = 0
    usize: int = 0  # declared uncompressed size
    flags: int = 0x800  # UTF-8 names


def _entries(src: bytes) -> list[_Entry]:
    """The package's entries, deflated, with their true CRC and sizes."""
    out = []
    with zipfile.ZipFile(io.BytesIO(src)) as z:
        for info in z.infolist():
            data = z.read(info.filename)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            out.append(_Entry(info.filename, c.compress(data) + c.flush(), crc=zlib.crc32(data), usize=len(data)))
    return out


def _raw(name: str, data: bytes) -> _Entry:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return _Entry(name, c.compress(data) + c.flush(), crc=zlib.crc32(data), usize=len(data))


def _write_zip(entries: list[_Entry]) -> bytes:
    buf = io.BytesIO()
    central = []
    for e in entries:
        name = e.name.encode("utf-8")
        offset = buf.tell()
        buf.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                e.flags,
                e.method,
                0,
                0x21,
                e.crc,
                len(e.data),
                e.usize,
                len(name),
                0,
            )
        )
        buf.write(name + e.data)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                e.flags,
                e.method,
                0,
                0x21,
                e.crc,
                len(e.data),
                e.usize,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    start = buf.tell()
    for c in central:
        buf.write(c)
    size = buf.tell() - start
    buf.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return buf.getvalue()


def _zipcrypto(e: _Entry, password: bytes = b"secret") -> _Entry:
    """The entry encrypted with the traditional PKWARE cipher (ZipCrypto), as a password-protected zip holds it."""
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(b: int) -> None:
        keys[0] = (keys[0] >> 8) ^ table[(keys[0] ^ b) & 0xFF]
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = (keys[2] >> 8) ^ table[(keys[2] ^ (keys[1] >> 24)) & 0xFF]

    for b in password:
        update(b)
    out = bytearray()
    for b in bytes(11) + bytes([e.crc >> 24]) + e.data:
        t = (keys[2] | 2) & 0xFFFF
        out.append(b ^ (((t * (t ^ 1)) >> 8) & 0xFF))
        update(b)
    return _Entry(e.name, bytes(out), e.method, e.crc, e.usize, e.flags | 0x1)


# ---------------------------------------------------------------------------------------------------
# Part edits


def _parts(src: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(src)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _with(src: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The package with parts replaced (None removes one); order and the rest kept."""
    out = []
    for e in _entries(src):
        if e.name in changes:
            new = changes[e.name]
            if new is not None:
                out.append(_raw(e.name, new))
        else:
            out.append(e)
    return _write_zip(out)


def _template_parts() -> tuple[dict[str, str], dict[str, str]]:
    """Worksheet part by sheet name and table part by table name in the zh template, which the corpus' clean
    month is built like (so a case names the sheet it means however the template orders its sheets)."""
    from jxc_xl.io.package import open_package, table_parts, workbook_sheets

    path = Path(__file__).resolve().parent.parent / "templates" / "jxc_workbook.xlsx"
    with open_package(path) as parts:
        sheets = {s.name: s.part for s in workbook_sheets(parts, path)}
        tables = {t.name: t.part for t in table_parts(parts, path)}
    return sheets, tables


_SHEETS, _TABLES = _template_parts()
SALES_SHEET = _SHEETS["销售出库"]
PURCHASE_SHEET = _SHEETS["采购入库"]
STOCK_SHEET = _SHEETS["库存"]  # generated
PURCHASE_TABLE = _TABLES["tblPurchases"]
STOCK_RELS = STOCK_SHEET.replace("worksheets/", "worksheets/_rels/") + ".rels"


def _table_part(parts: dict[str, bytes], name: str) -> str:
    for k, v in parts.items():
        if k.startswith("xl/tables/") and f'name="{name}"'.encode() in v:
            return k
    raise KeyError(name)


def _add_cell(xml: bytes, ref: str, inner: bytes = b"<v>1</v>", attrs: bytes = b"") -> bytes:
    row = int("".join(ch for ch in ref if ch.isdigit()))
    cell = b'<row r="%d"><c r="%s"%s>%s</c></row>' % (row, ref.encode(), attrs, inner)
    return xml.replace(b"</sheetData>", cell + b"</sheetData>", 1)


def _set_first_data_cell(xml: bytes, col: str, inner: bytes, t: bytes = b"") -> bytes:
    """Row 2's cell in column ``col`` replaced (a type attribute ``t`` if given)."""
    import re

    ref = f"{col}2".encode()
    pat = re.compile(rb'<c r="' + ref + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    new = b'<c r="' + ref + b'"' + (b' t="' + t + b'"' if t else b"") + b">" + inner + b"</c>"
    return pat.sub(lambda m: new, xml, count=1)


# ---------------------------------------------------------------------------------------------------
# The classes


def _bytes_cases(base: bytes) -> Iterator[tuple[str, bytes]]:
    rnd = random.Random(11)
    n = len(base)
    for i, off in enumerate(
        sorted({0, 1, 4, 22, 30, 100, n // 2, n - 22, n - 1} | {rnd.randrange(n) for _ in range(35)})
    ):
        yield f"truncated-{i:02d}-{off}", base[:off]
    yield "empty", b""
    for i in range(6):
        yield f"random-{i}", rnd.randbytes(rnd.choice([10, 500, 5000, 50000]))
    yield "random-pk-prefix", b"PK\x03\x04" + rnd.randbytes(4000)
    yield "xls-magic", bytes.fromhex("d0cf11e0a1b11ae1") + rnd.randbytes(3000)
    yield "text", "日期,单号\n2026-11-01,PO-1\n".encode()
    for i in range(40):
        b = bytearray(base)
        for _ in range(1 + i % 4):
            pos = rnd.randrange(n)
            b[pos] ^= 1 << rnd.randrange(8)
        yield f"bitflip-{i:02d}", bytes(b)


def _zip_cases(base: bytes) -> Iterator[tuple[str, bytes]]:
    entries = _entries(base)
    names = [e.name for e in entries]
    for target in (
        SALES_SHEET,
        PURCHASE_SHEET,
        STOCK_SHEET,
        "xl/workbook.xml",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        PURCHASE_TABLE,
    ):
        yield f"encrypted-{target}", _write_zip([_zipcrypto(e) if e.name == target else e for e in entries])
    yield "encrypted-all", _write_zip([_zipcrypto(e) for e in entries])
    for target in (SALES_SHEET, "xl/workbook.xml", PURCHASE_TABLE, "[Content_Types].xml"):
        dup = next(e for e in entries if e.name == target)
        yield f"duplicate-{target}", _write_zip([*entries, _raw(target, b"<x/>")])
        yield f"duplicate-same-{target}", _write_zip([*entries, dup])
    for target in (SALES_SHEET, STOCK_SHEET, "xl/workbook.xml", "xl/sharedStrings.xml", PURCHASE_TABLE):
        yield (
            f"bad-crc-{target}",
            _write_zip(
                [
                    _Entry(e.name, e.data, e.method, e.crc ^ 0xFFFF, e.usize, e.flags) if e.name == target else e
                    for e in entries
                ]
            ),
        )
        yield (
            f"huge-size-{target}",
            _write_zip(
                [
                    _Entry(e.name, e.data, e.method, e.crc, 0xFFFFFFF0, e.flags) if e.name == target else e
                    for e in entries
                ]
            ),
        )
        yield (
            f"small-size-{target}",
            _write_zip(
                [_Entry(e.name, e.data, e.method, e.crc, 3, e.flags) if e.name == target else e for e in entries]
            ),
        )
        for method in (9, 12, 14, 99):  # deflate64, bzip2, lzma, AES: not readable here
            yield (
                f"method{method}-{target}",
                _write_zip(
                    [
                        _Entry(e.name, e.data, method, e.crc, e.usize, e.flags) if e.name == target else e
                        for e in entries
                    ]
                ),
            )
    for target in names:
        yield f"missing-{target}", _write_zip([e for e in entries if e.name != target])
    yield (
        "directory-entries",
        _write_zip(
            [_Entry("xl/", b"", zipfile.ZIP_STORED), *entries, _Entry("xl/worksheets/extra/", b"", zipfile.ZIP_STORED)]
        ),
    )
    yield "dir-named-like-part", _write_zip([_Entry("xl/tables/table99.xml/", b"", zipfile.ZIP_STORED), *entries])
    # A zip bomb, kept small on disk: 400 MB of one repeated cell row inside the sales sheet.
    row = b'<row><c t="n"><v>1</v></c><c t="n"><v>1</v></c></row>'
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = bomb.compress(
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    chunk = row * 20000
    for _ in range(400_000_000 // len(chunk)):
        body += bomb.compress(chunk)
    body += bomb.compress(b"</sheetData></worksheet>") + bomb.flush()
    yield (
        "zip-bomb-sheet",
        _write_zip(
            [
                _Entry(e.name, body, zipfile.ZIP_DEFLATED, 0, 1000, e.flags) if e.name == SALES_SHEET else e
                for e in entries
            ]
        ),
    )
    yield (
        "zip-bomb-strings",
        _write_zip(
            [
                _Entry(e.name, body, zipfile.ZIP_DEFLATED, 0, 1000, e.flags) if e.name == "xl/sharedStrings.xml" else e
                for e in entries
            ]
        ),
    )
    yield (
        "not-deflated-stored",
        _write_zip(
            [_Entry(e.name, zlib.decompress(e.data, -15), zipfile.ZIP_STORED, e.crc, e.usize, e.flags) for e in entries]
        ),
    )


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "ha-ha-ha-ha-ha-ha-ha-ha-ha-ha">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(8))
    + b"]>"
)


def _xml_cases(base: bytes) -> Iterator[tuple[str, bytes]]:
    parts = _parts(base)
    stock_table = _table_part(parts, "tblStock")
    targets = [
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        SALES_SHEET,
        STOCK_SHEET,
        PURCHASE_TABLE,
        stock_table,
        STOCK_RELS,
    ]
    for t in targets:
        x = parts[t]
        for frac in (0.3, 0.7, 0.98):
            yield f"truncated-{t}-{frac}", _with(base, {t: x[: int(len(x) * frac)]})
        yield f"garbage-{t}", _with(base, {t: b"<<<not xml>>> \x00\x01"})
        yield f"empty-{t}", _with(base, {t: b""})
        text = x.decode("utf-8")
        yield f"utf16-{t}", _with(base, {t: text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")})
        yield f"latin1-{t}", _with(base, {t: text.replace("商品", "Ware\xe9").encode("latin-1", "replace")})
        body = x.split(b"?>", 1)[-1] if x.startswith(b"<?xml") else x
        yield f"laughs-{t}", _with(base, {t: _LAUGHS + body.replace(b">", b">&i;", 1)})
        yield f"doctype-{t}", _with(base, {t: b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd">' + body})
        yield (
            f"external-entity-{t}",
            _with(base, {t: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>' + body}),
        )
        yield f"wrong-ns-{t}", _with(base, {t: x.replace(b"spreadsheetml/2006/main", b"spreadsheetml/2099/other")})
        yield (
            f"huge-attr-{t}",
            _with(
                base,
                {
                    t: x.replace(b">", b' junk="' + b"x" * 5_000_000 + b'">', 1)
                    if not x.startswith(b"<?xml")
                    else x.replace(b"?>", b"?>", 1).replace(b"/>", b' junk="' + b"x" * 5_000_000 + b'"/>', 1)
                },
            ),
        )
    for ref in ("A1:H", "A1:H0", "1:6", "A1:XFE3", "ZZZZ1:A2", "", "A1:A1048577", "A0:H6", "H6:A1"):
        yield (
            f"table-ref-{ref or 'empty'}",
            _with(
                base,
                {
                    PURCHASE_TABLE: parts[PURCHASE_TABLE].replace(
                        _table_ref(parts[PURCHASE_TABLE]), f'ref="{ref}"'.encode()
                    )
                },
            ),
        )
        yield (
            f"stock-table-ref-{ref or 'empty'}",
            _with(
                base,
                {stock_table: _re_sub(rb'(<table\b[^>]*?\sref=")[^"]*', rb"\g<1>" + ref.encode(), parts[stock_table])},
            ),
        )
    for attr, val in (
        ("headerRowCount", "x"),
        ("headerRowCount", "0"),
        ("totalsRowCount", "-1"),
        ("totalsRowCount", "99999999999"),
    ):
        yield (
            f"stock-table-{attr}-{val}",
            _with(base, {stock_table: parts[stock_table].replace(b" ref=", f' {attr}="{val}" ref='.encode(), 1)}),
        )


def _re_sub(pat: bytes, repl: bytes, s: bytes) -> bytes:
    import re

    return re.sub(pat, repl, s, count=1)


def _table_ref(xml: bytes) -> bytes:
    """The ref attribute of a table part's <table> element as written (b'ref="A1:L6"'): the purchase table's
    width follows the schema, so the cases must not assume it."""
    import re

    m = re.search(rb'<table\b[^>]*?\s(ref="[^"]*")', xml)
    return m.group(1) if m else b'ref="A1:H6"'


def _content_cases(folder: Path, base: bytes) -> Iterator[tuple[str, bytes]]:
    parts = _parts(base)

    def month(edit: Callable[[dict[str, list[dict[str, Any]]]], None], **kw: Any) -> bytes:
        data = small_month()
        edit(data)
        p = folder / "_tmp_content.xlsx"
        p.unlink(missing_ok=True)
        write_book(p, data, **kw)
        return p.read_bytes()

    def set_(table: str, key: str, value: Any, row: int = 0) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
        def edit(data: dict[str, list[dict[str, Any]]]) -> None:
            data[table][row][key] = value

        return edit

    for key in ("amount", "qty", "unit_price"):
        for v in (1e308, -1e308, 1e300, 1e20, 9.3e18, "1e999", "-1e999", "9" * 400, "NaN", "inf", "-inf", "1e-400"):
            yield f"{key}-{v!s:.12}", month(set_("tblPurchases", key, v))
    for v in (1e308, "1e999", "9" * 400):
        yield f"opening-amount-{v!s:.12}", month(set_("tblOpening", "amount", v))
        yield f"sales-qty-{v!s:.12}", month(set_("tblSales", "qty", v))
        yield f"item-cost-{v!s:.12}", month(set_("tblItems", "cost", v))
    yield from _cost_cases(month)
    yield (
        "formula-cell",
        _with(
            base, {PURCHASE_SHEET: _set_first_data_cell(parts[PURCHASE_SHEET], "E", b"<f>1/0</f><v>#DIV/0!</v>", b"e")}
        ),
    )
    for err in (b"#N/A", b"#REF!", b"#VALUE!", b"#NUM!", b"#NAME?"):
        yield (
            f"error-cell-{err.decode()}",
            _with(
                base, {PURCHASE_SHEET: _set_first_data_cell(parts[PURCHASE_SHEET], "G", b"<v>" + err + b"</v>", b"e")}
            ),
        )
    for serial in (b"-1", b"-1000000000000", b"2958466", b"1e308", b"99999999999"):  # dates out of range
        yield (
            f"date-serial-{serial.decode()}",
            _with(base, {PURCHASE_SHEET: _set_first_data_cell(parts[PURCHASE_SHEET], "A", b"<v>" + serial + b"</v>")}),
        )
    yield "date-text", month(set_("tblPurchases", "date", "2026-13-45"))
    yield "date-ancient", month(set_("tblPurchases", "date", date(1899, 1, 1)))
    yield "bool-qty", _with(base, {PURCHASE_SHEET: _set_first_data_cell(parts[PURCHASE_SHEET], "E", b"<v>1</v>", b"b")})
    yield (
        "inline-str-qty",
        _with(
            base,
            {
                PURCHASE_SHEET: _set_first_data_cell(
                    parts[PURCHASE_SHEET], "E", b"<is><t>" + b"9" * 400 + b"</t></is>", b"inlineStr"
                )
            },
        ),
    )
    yield (
        "bad-shared-index",
        _with(base, {PURCHASE_SHEET: _set_first_data_cell(parts[PURCHASE_SHEET], "C", b"<v>999999</v>", b"s")}),
    )
    yield (
        "negative-shared-index",
        _with(base, {PURCHASE_SHEET: _set_first_data_cell(parts[PURCHASE_SHEET], "C", b"<v>-1</v>", b"s")}),
    )
    for sheet in (PURCHASE_SHEET, SALES_SHEET, STOCK_SHEET, "xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml"):
        yield f"xfd-{sheet}", _with(base, {sheet: _add_cell(parts[sheet], "XFD1048576")})
        yield f"far-column-{sheet}", _with(base, {sheet: _add_cell(parts[sheet], "AAA7")})
        yield f"far-row-{sheet}", _with(base, {sheet: _add_cell(parts[sheet], "B1048576")})
        yield f"xfd-empty-{sheet}", _with(base, {sheet: _add_cell(parts[sheet], "XFD1048576", b"", b' s="1"')})
    yield (
        "xfd-and-a1-only",
        _with(
            base,
            {
                "xl/worksheets/sheet1.xml": _add_cell(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
                    "XFD1048576",
                )
            },
        ),
    )
    yield "row-beyond-limit", _with(base, {PURCHASE_SHEET: _add_cell(parts[PURCHASE_SHEET], "A2000000")})
    yield (
        "merged-cells",
        _with(
            base,
            {
                PURCHASE_SHEET: parts[PURCHASE_SHEET].replace(
                    b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A2:C3"/></mergeCells>', 1
                )
            },
        ),
    )
    yield "plain-ranges", month(lambda d: None, plain={"tblPurchases", "tblSales", "tblItems", "tblOpening"})
    yield "plain-generated", month(lambda d: None, plain={"tblStock", "tblPlan", "tblAnalysis"})
    yield "missing-stock", month(lambda d: None, omit={"tblStock"})
    yield "missing-history", month(lambda d: None, omit={"tblHistory"})
    yield (
        "totals-row",
        _with(
            base,
            {
                PURCHASE_TABLE: parts[PURCHASE_TABLE]
                .replace(
                    _table_ref(parts[PURCHASE_TABLE]),
                    _table_ref(parts[PURCHASE_TABLE]).replace(b'6"', b'7"') + b' totalsRowCount="1"',
                )
                .replace(b'<autoFilter ref="A1:H6"/>', b'<autoFilter ref="A1:H6"/>')
            },
        ),
    )
    yield "huge-text", month(set_("tblPurchases", "note", "备注" * 16000))
    yield "control-chars", month(set_("tblPurchases", "note", "a\x01b\x1fc"))
    yield "no-data", month(lambda d: [d[k].clear() for k in list(d)])


def _cost_cases(month: Callable[..., bytes]) -> Iterator[tuple[str, bytes]]:
    """Sale, return and count lines whose money at cost overflows: the line's qty × the SKU's unit cost passes
    the per-line limit, int64 cents (1e24) or, summed, int64 (two counts of 8.9e14 and 1e15 at 100)."""

    def dear(d: dict[str, list[dict[str, Any]]]) -> None:
        d["tblOpening"][0].update(qty=1, unit_cost=1e9, amount=1e9)  # A001 at 1e9 a piece: within the limit

    def sale(q: float) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
        def edit(d: dict[str, list[dict[str, Any]]]) -> None:
            dear(d)
            d["tblSales"][0].update(qty=q, unit_price=1e-6, amount=None)  # its revenue stays small

        return edit

    def count(*qs: float) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
        def edit(d: dict[str, list[dict[str, Any]]]) -> None:
            dear(d)
            days = (date(2026, 11, 26 + i) for i in range(len(qs)))
            d["tblCounts"] = [{"date": day, "sku": "A001", "counted_qty": q} for day, q in zip(days, qs, strict=True)]

        return edit

    def ret(i: int, q: float) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
        def edit(d: dict[str, list[dict[str, Any]]]) -> None:
            dear(d)
            d["tblReturns"][i].update(qty=q, unit_price=None, amount=None)

        return edit

    def hundred(d: dict[str, list[dict[str, Any]]]) -> None:
        d["tblOpening"][0].update(qty=1, unit_cost=100, amount=100)
        d["tblCounts"] = [
            {"date": date(2026, 11, 27), "sku": "A001", "counted_qty": 8.9e14},
            {"date": date(2026, 11, 28), "sku": "A001", "counted_qty": 1e15},
        ]

    for neg in (False, True):
        kw: dict[str, Any] = {"settings": {"allow_negative": True}} if neg else {}
        tag = "-negative-allowed" if neg else ""
        for q in (1e12, 1e15):
            yield f"sale-cost-{q:.0e}{tag}", month(sale(q), **kw)
            yield f"count-cost-{q:.0e}{tag}", month(count(q), **kw)
            yield f"sales-return-cost-{q:.0e}{tag}", month(ret(0, q), **kw)
            yield f"purchase-return-cost-{q:.0e}{tag}", month(ret(1, q), **kw)
        yield f"count-cost-up-and-down{tag}", month(count(1e15, 0, 1e15), **kw)
        yield f"counts-sum-past-int64{tag}", month(hundred, **kw)
    for method in ("fifo", "monthly_average"):
        yield f"count-cost-1e15-{method}", month(count(1e15), settings={"valuation": method, "allow_negative": True})
        yield f"sale-cost-1e15-{method}", month(sale(1e15), settings={"valuation": method, "allow_negative": True})


def _fs_cases(folder: Path, base: bytes) -> Iterator[tuple[str, Path]]:
    p = folder / "fs-fifo.xlsx"
    os.mkfifo(p)
    yield "fifo", p
    p = folder / "fs-folder.xlsx"
    p.mkdir()
    (p / "inside.txt").write_text("x")
    yield "folder", p
    p = folder / "fs-loop.xlsx"
    p.symlink_to(p)
    yield "symlink-loop", p
    p = folder / "fs-dangling.xlsx"
    p.symlink_to(folder / "nowhere.xlsx")
    yield "symlink-dangling", p
    p = folder / "fs-link.xlsx"
    target = folder / "fs-link-target.bin"
    target.write_bytes(base)
    p.symlink_to(target)
    yield "symlink-good", p
    p = folder / "fs-unreadable.xlsx"
    p.write_bytes(base)
    p.chmod(0)
    yield "unreadable", p
    p = Path(os.fsdecode(bytes(folder) + b"/fs-\xff\xfe-name.xlsx"))
    p.write_bytes(base)
    yield "non-utf8-name", p
    p = folder / "fs-UPPER.XLSX"
    p.write_bytes(base)
    yield "upper-suffix", p
    p = folder / "fs-[brackets] *.xlsx"
    p.write_bytes(base)
    yield "odd-chars", p


def build_corpus(folder: Path) -> list[Case]:
    """Write the corpus into ``folder`` (created); one Case per file."""
    folder.mkdir(parents=True, exist_ok=True)
    base_path = write_book(folder / "_base.xlsx")
    base = base_path.read_bytes()
    base_path.unlink()
    cases: list[Case] = [Case("content", "clean", folder / "content-clean.xlsx")]
    cases[0].path.write_bytes(base)
    gens: list[tuple[str, Iterator[tuple[str, bytes]]]] = [
        ("bytes", _bytes_cases(base)),
        ("zip", _zip_cases(base)),
        ("xml", _xml_cases(base)),
        ("content", _content_cases(folder, base)),
    ]
    for kind, gen in gens:
        for i, (name, data) in enumerate(gen):
            p = folder / f"{kind}-{i:03d}.xlsx"
            p.write_bytes(data)
            cases.append(Case(kind, name, p))
    (folder / "_tmp_content.xlsx").unlink(missing_ok=True)
    cases += [Case("fs", name, p) for name, p in _fs_cases(folder, base)]
    return cases


# ---------------------------------------------------------------------------------------------------
# The driver: each case through `jxc validate` and `jxc sync -o`, in this process (run it in a child under a
# memory limit: ``python -m tests.corpus LIST OUT RESULTS [keep]``; a line per case is appended to RESULTS as soon
# as it is done, and ``started`` before, so a parent learns which case killed the process).


class _Alarm(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Alarm()


def _digest(p: Path) -> str | None:
    import hashlib

    try:
        if not p.is_file():
            return None
        return hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return None


def _opens(out: Path) -> list[str]:
    """Problems opening a written output in python-calamine and openpyxl (none: it opens in both)."""
    problems = []
    try:  # python-calamine through the reader: a stray cell at XFD1048576 the user kept is read around
        from jxc_xl.io.reader import read_workbook

        read_workbook(out)
    except BaseException as e:
        problems.append(f"calamine: {type(e).__name__}: {e}")
    try:
        import warnings

        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            openpyxl.load_workbook(out).close()
    except BaseException as e:
        problems.append(f"openpyxl: {type(e).__name__}: {e}")
    return problems


def run_case(index: int, path: Path, out_dir: Path, timeout: int = 60, *, keep: bool = False) -> dict[str, Any]:
    """Validate and sync one file through the CLI; what happened, as a JSON-able record. ``keep``: leave the
    written output (``out_dir/out-INDEX.xlsx``) for a later check (LibreOffice opens them all in one call)."""
    import json
    import signal

    from typer.testing import CliRunner

    from jxc_xl.cli import app

    runner = CliRunner()
    (out_dir / f"out-{index:03d}.xlsx").unlink(missing_ok=True)
    before = _digest(path)
    rec: dict[str, Any] = {"index": index}
    signal.signal(signal.SIGALRM, _on_alarm)
    for verb, args in (
        ("validate", ["validate", "--json", os.fsdecode(path)]),
        ("sync", ["sync", os.fsdecode(path), "-o", str(out_dir / f"out-{index:03d}.xlsx"), "--force"]),
    ):
        signal.alarm(timeout)
        try:
            res = runner.invoke(app, args)
            code, text = res.exit_code, res.output
            exc = res.exception if not isinstance(res.exception, SystemExit) else None
            if exc is not None:
                import traceback

                text += "".join(traceback.format_exception(exc))
        except _Alarm:
            code, text = -1, "hang"
        finally:
            signal.alarm(0)
        rec[verb] = code
        rec[f"{verb}_text"] = text[-3000:]
        if verb == "validate" and code in (0, 1):
            try:
                json.loads(res.stdout)
                rec["json_ok"] = True
            except (ValueError, UnicodeDecodeError) as e:
                rec["json_ok"] = f"{type(e).__name__}: {e}"
    out = out_dir / f"out-{index:03d}.xlsx"
    rec["out"] = out.exists()
    rec["opens"] = _opens(out) if out.exists() else []
    if rec["opens"]:  # sync copies the parts it does not write: was the input already unopenable that way?
        rec["input_opens"] = _opens(path)
    rec["unchanged"] = _digest(path) == before
    if out.exists():
        import re

        try:
            with zipfile.ZipFile(out) as z:
                rec["laughs"] = any(re.search(rb"(ha-){40}", z.read(n)) for n in z.namelist())
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as e:
            rec["opens"].append(f"zipfile: {type(e).__name__}: {e}")
        if not keep:
            out.unlink()  # disk space: the corpus writes hundreds
    return rec


def main(argv: list[str]) -> None:
    import json

    listing, out_dir, results = Path(argv[0]), Path(argv[1]), Path(argv[2])
    keep = argv[3:] == ["keep"]
    todo = [line.split("\t", 1) for line in listing.read_text("utf-8", "surrogateescape").splitlines()]
    import faulthandler

    with results.open("a", encoding="utf-8") as fh:
        for idx, p in todo:
            fh.write(json.dumps({"started": int(idx)}) + "\n")
            fh.flush()
            # A hang inside native code (a blocking open of a named pipe) is not interrupted by SIGALRM: the
            # watchdog prints every thread's stack and ends the process; the parent records the case as died.
            faulthandler.dump_traceback_later(150, exit=True)
            rec = run_case(int(idx), Path(p), out_dir, keep=keep)
            faulthandler.cancel_dump_traceback_later()
            fh.write(json.dumps(rec, ensure_ascii=True) + "\n")
            fh.flush()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
