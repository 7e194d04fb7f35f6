"""Golden outputs: what new, demo, sync and close write is the same as before a refactor, part by part.

Each digest covers every zip entry in order: its name, compression method, date, attributes and the sha256 of
its uncompressed bytes. Unchanged entries are copied compressed byte for byte, so this is byte identity up to
zlib's own output for the few rewritten parts (which would differ only with another zlib build). A digest
changes only when what a file says changes: update it deliberately, in a commit that says why.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from jxc_xl.demo import write_demo
from jxc_xl.io.template import build_workbook
from jxc_xl.io.xlsxpatch import write_tables
from jxc_xl.sync import close_month, sync_file
from tests.factories import generated_frames as frames
from tests.factories import write_book
from tests.factories import write_user_parts_book as make_book

pytestmark = pytest.mark.slow


def package_digest(path: Path, skip: frozenset[str] = frozenset()) -> str:
    h = hashlib.sha256()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename in skip:
                continue
            data = z.read(info)
            meta = f"{info.filename}|{info.compress_type}|{info.date_time}|{info.external_attr}|{info.flag_bits & ~8}"
            h.update(meta.encode() + b"|" + hashlib.sha256(data).hexdigest().encode() + b"\n")
    return h.hexdigest()[:32]


GOLDEN = {
    "new-zh": "623a5191cbd07920dd16d7a40be3ac3a",
    "new-en": "f5a9a422625012e3b29a2fd2e1838eff",
    "demo-zh-input": "ec0218be509d7ffc331968d2b0783012",
    "demo-zh-synced": "72736f64aee057b2b7f4dc45be0792b4",
    "demo-zh-closed": "7d47cc4f3c6bf44b421058e765095f27",
    "demo-en-synced": "6877d223014165da632d046943f94e3f",
    "small-moving_average": "b6a0e4689497016ea522664729a4bea3",
    "small-monthly_average": "7ad09b444efab823d41b61efa711fb2a",
    "small-fifo": "50a5331a99f48c7d3e7941adac788916",
    "user-parts": "3b606279dffb7095086bc24d13e23537",
}


def _new(tmp: Path, lang: str) -> Path:
    return build_workbook(tmp / f"new-{lang}.xlsx", lang=lang, period="2026-12")  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_workbook(tmp_path: Path, lang: str) -> None:
    assert package_digest(_new(tmp_path, lang)) == GOLDEN[f"new-{lang}"]


def test_demo_month_zh_input_sync_and_close(tmp_path: Path) -> None:
    src = write_demo(tmp_path / "in", lang="zh")
    assert package_digest(src) == GOLDEN["demo-zh-input"]
    out = sync_file(src, tmp_path / "synced.xlsx").path
    assert package_digest(out) == GOLDEN["demo-zh-synced"]
    nxt = close_month(out, tmp_path / "next.xlsx").path
    assert package_digest(nxt) == GOLDEN["demo-zh-closed"]


def test_demo_month_en_sync(tmp_path: Path) -> None:
    src = write_demo(tmp_path / "in", lang="en")
    assert package_digest(sync_file(src, tmp_path / "synced.xlsx").path) == GOLDEN["demo-en-synced"]


@pytest.mark.parametrize("method", ["moving_average", "monthly_average", "fifo"])
def test_small_month_each_method(tmp_path: Path, method: str) -> None:
    src = write_book(tmp_path / "m.xlsx", settings={"valuation": method})
    assert package_digest(sync_file(src, tmp_path / "out.xlsx").path) == GOLDEN[f"small-{method}"]


def test_write_back_around_charts_images_and_shapes(tmp_path: Path) -> None:
    src = make_book(tmp_path / "月报.xlsx", tmp_path)
    out = tmp_path / "out.xlsx"
    write_tables(src, out, frames(7), backup=False)
    # the factory's xlsxwriter stamps docProps/core.xml with the time of the build; sync copies it unchanged
    assert package_digest(out, skip=frozenset({"docProps/core.xml"})) == GOLDEN["user-parts"]
