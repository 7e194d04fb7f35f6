"""A zip entry's compressed bytes as they are, checked, and the entries this process has already inflated whole.

``io.package.write_package`` copies each unchanged entry compressed, byte for byte, after checking that it
inflates to its CRC-32 and size: a damaged part is refused rather than copied into the output. The reader
has already inflated every worksheet it read (``io.sheetscan`` streams each through zipfile, which checks
the CRC at the end of the entry): inflating the half-million-line ledger sheet a second time only to copy it
cost 0.6 s of a 10 s sync. So the reader records each entry it read whole (``remember``) with the CRC-32 of
its compressed bytes, and the copy inflates only an entry not recorded, or whose compressed bytes are no
longer the ones recorded (the file changed in between): ``check``.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from typing import IO

from jxc_xl.core.messages import phrase

__all__ = ["check", "raw_bytes", "remember"]

# (file, entry, offset of its local header) → (CRC-32, compressed size, size, CRC-32 of the compressed bytes)
_Key = tuple[str, str, int]
_Seen = tuple[int, int, int, int]
_INFLATED: dict[_Key, _Seen] = {}
_MAX_KEPT = 512  # a few workbooks' worksheets; forgotten all at once past it (then inflated to copy them)


def raw_bytes(fp: IO[bytes], info: zipfile.ZipInfo) -> bytes:
    """The entry's compressed bytes, read from the open zip file ``fp`` past its local header.

    Raises:
        zipfile.BadZipFile: no local header where the central directory puts it.
    """
    fp.seek(info.header_offset)
    local = fp.read(30)
    if local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(phrase("io_bad_local_header", "en", part=info.filename))
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    return fp.read(info.compress_size)


def _key(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Key | None:
    """Where the entry is, by the file's real path; None for a zip read from memory (nothing to share)."""
    return (os.path.realpath(zf.filename), info.filename, info.header_offset) if zf.filename else None


def remember(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Record that the entry ``info`` of ``zf`` was just read whole through zipfile (its CRC checked)."""
    key = _key(zf, info)
    if key is None or zf.fp is None:
        return
    data = raw_bytes(zf.fp, info)  # the handle the entry was read through: the same file, even if replaced since
    if len(_INFLATED) >= _MAX_KEPT:
        _INFLATED.clear()
    _INFLATED[key] = (info.CRC, info.compress_size, info.file_size, zlib.crc32(data))


def check(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Check the entry's compressed ``data`` before it is copied: unless these very bytes were inflated whole
    in this process (``remember``), inflate them (a chunk at a time, nothing kept) against the CRC and size.

    Raises:
        zipfile.BadZipFile: the data does not inflate, or not to the declared size and CRC.
    """
    key = _key(zf, info)
    if key is not None and _INFLATED.get(key) == (info.CRC, info.compress_size, info.file_size, zlib.crc32(data)):
        return
    crc = 0
    size = 0
    if info.compress_type == zipfile.ZIP_STORED:
        crc, size = zlib.crc32(data), len(data)
    else:
        d = zlib.decompressobj(-15)
        try:
            buf = d.decompress(data, 1 << 22)
            while buf:
                crc, size = zlib.crc32(buf, crc), size + len(buf)
                if size > info.file_size:
                    break
                buf = d.decompress(d.unconsumed_tail, 1 << 22)
        except zlib.error as e:
            raise zipfile.BadZipFile(f"{info.filename}: {e}") from e
    if crc != info.CRC or size != info.file_size:
        raise zipfile.BadZipFile(f"Bad CRC-32 or size for file {info.filename!r}")
