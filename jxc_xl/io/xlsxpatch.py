"""Write generated tables back into a user's xlsx, changing nothing else.

openpyxl load/save loses shapes, buttons, extLst and more (see docs/notes), so sync patches the package:
every zip entry is copied byte for byte except the worksheet and table parts of the tables written and
the few workbook parts that must follow them (calcChain, and when it goes, its relationship and
content-type override; ``calcPr fullCalcOnLoad`` when formulas elsewhere may read the new rows).

The jobs, one module each: the package (``io.package``: parts, relationships, table parts, the raw-copy
write-out), cell values → XML fragments (``io.cellxml``), the worksheet patch (``io.sheetpatch``), the table
part, calcChain and recalc flag (``io.tablepatch``). This module checks the request and runs them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import pandas as pd

from jxc_xl.core.book import ROW
from jxc_xl.core.messages import phrase
from jxc_xl.errors import JxcError, NotAWorkbookError, TableNotFoundError, WorkbookLockedError
from jxc_xl.io import package
from jxc_xl.io.addtables import SheetLook, add_missing_tables
from jxc_xl.io.chartcache import Written, refresh_charts
from jxc_xl.io.ooxml import attrs
from jxc_xl.io.package import NS_MAIN, WORKBOOK, Parts, TablePart, open_package, table_parts
from jxc_xl.io.pagebreaks import table_breaks
from jxc_xl.io.sheetpatch import patch_sheet
from jxc_xl.io.tablepatch import drop_calc_chain, patch_table, request_recalc
from jxc_xl.schema import TABLES_BY_NAME, normalise_header

T = TypeVar("T")

__all__ = [
    "NS_MAIN",
    "SheetLook",
    "TableNotFoundError",
    "check_tables",
    "check_unlocked",
    "edit_package",
    "lock_file",
    "table_names",
    "write_tables",
]


# ---------------------------------------------------------------------------------------------------
# Tables of the package


def _tables(parts: Mapping[str, bytes], path: Path) -> dict[str, TablePart]:
    """Every table of the workbook, keyed by casefolded name (and displayName)."""
    out: dict[str, TablePart] = {}
    try:
        found = table_parts(parts, path)
    except ValueError as e:  # a header or totals row count that is no number
        raise NotAWorkbookError.said("io_bad_table", path=path, part="xl/tables", error=str(e)) from e
    for tp in found:
        # A malformed ref or a table part that is not UTF-8 is refused here, before anything is written.
        try:
            c1, r1, c2, r2 = tp.area
            tp.calc_formulas  # noqa: B018
            if c1 > c2 or r1 > r2 or c2 > 16_384 or r2 > 1_048_576 or tp.header_rows < 0 or tp.totals_rows < 0:
                raise ValueError(f"ref {tp.ref!r}")
        except ValueError as e:  # UnicodeDecodeError included
            raise NotAWorkbookError.said("io_bad_table", path=path, part=tp.part, error=str(e)) from e
        for key in {tp.name, tp.display_name}:
            if key:
                out[key.casefold()] = tp
    return out


def check_tables(parts: Mapping[str, bytes], path: Path) -> None:
    """Refuse, before anything is changed, a package whose table parts cannot be read (a ref that is no range,
    a part not UTF-8, a header count that is no number): ``NotAWorkbookError`` naming the part."""
    _tables(parts, path)


def table_names(path: Path | str) -> dict[str, str]:
    """Table name → sheet name, for every Excel table in the workbook at ``path``.

    Args:
        path: the workbook.

    Returns:
        Each table's name (as in its table part) → the name of its sheet.

    Raises:
        NotAWorkbookError: the file is missing or not a readable xlsx package.
    """
    path = Path(path)
    with open_package(path) as parts:
        return {t.name: t.sheet.name for t in _tables(parts, path).values()}


def _schema_name(name: str) -> str:
    for k in TABLES_BY_NAME:
        if k.casefold() == name.casefold():
            return k
    raise ValueError(phrase("io_not_schema_table", "en", name=repr(name)))


def _column_keys(info: TablePart) -> list[str | None]:
    """Schema key of each table column (None where the header matches no column of the schema)."""
    hmap = TABLES_BY_NAME[_schema_name(info.name)].header_map()
    return [hmap.get(normalise_header(h)) for h in info.columns]


# ---------------------------------------------------------------------------------------------------
# Locks


def lock_file(path: Path) -> Path:
    """Excel's owner file for ``path`` (``~$NAME.xlsx``), present while Excel has the workbook open."""
    return path.with_name("~$" + path.name)


def check_unlocked(*paths: Path) -> None:
    """Refuse to touch a workbook that Excel holds open: our write would be lost or clash with Excel's."""
    for p in paths:
        if lock_file(p).exists():
            raise WorkbookLockedError.said("io_locked", path=p, lock=lock_file(p).name)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------------
# The patch


def _targets(src: Path, found: Mapping[str, TablePart], tables: Mapping[str, pd.DataFrame]) -> dict[str, TablePart]:
    """The table part of each frame to write; raises, before anything is changed, when one cannot be."""
    by_sheet: dict[str, list[str]] = {}
    for name in tables:
        info = found.get(name.casefold())
        if info is None and _optional(name):  # e.g. a workbook made before tblCard existed: left as it is
            continue
        if info is None:
            have = ", ".join(sorted({t.name for t in found.values()})) or phrase("io_none", "en")
            raise TableNotFoundError.said("io_table_not_found", path=src, name=repr(name), have=have)
        if info.header_rows < 1:
            sheet = repr(info.sheet.name)
            raise TableNotFoundError.said("io_no_header_row", path=src, name=repr(name), sheet=sheet)
        by_sheet.setdefault(info.sheet.part, []).append(name)
    for name, df in tables.items():
        keys = TABLES_BY_NAME[_schema_name(name)].keys()  # raises for a name outside the schema
        unknown = [c for c in df.columns if c != ROW and c not in keys]
        if unknown:
            raise ValueError(phrase("io_not_schema_keys", "en", name=name, unknown=str(unknown)))
    for sheet_part, names in by_sheet.items():
        if len(names) > 1:  # one table per sheet is the contract; two rewrites of one sheetData would clash
            raise JxcError.said("io_shared_sheet", path=src, names=str(names), part=sheet_part)
    return {name: found[name.casefold()] for name in tables if name.casefold() in found}


def _optional(name: str) -> bool:
    """A generated table a workbook may lack (``Table.optional``): writing skips it where it is absent."""
    t = TABLES_BY_NAME.get(name)
    return t is not None and t.generated and t.optional


def _patch_table_parts(src: Path, parts: Parts, info: TablePart, df: pd.DataFrame, date1904: bool) -> int:
    """Rewrite the table's worksheet and table part; the last row of the rewritten area."""
    c1, _r1, c2, _r2 = info.area
    if len(info.columns) != c2 - c1 + 1:
        raise NotAWorkbookError.said(
            "io_columns_mismatch", path=src, name=repr(info.name), sheet=repr(info.sheet.name), n=len(info.columns)
        )
    try:
        sheet_xml = parts[info.sheet.part].decode("utf-8")
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data":  # cut short inside a character: a truncated part, as at a tag
            raise NotAWorkbookError.said("io_sheet_truncated", part=info.sheet.part) from e
        raise NotAWorkbookError.said("io_sheet_not_utf8", path=src, sheet=repr(info.sheet.name)) from e
    new_xml, area_end = patch_sheet(src, sheet_xml, info, df, _column_keys(info), date1904)
    new_xml = table_breaks(new_xml, _schema_name(info.name), df, info.area[1] + info.header_rows)
    parts[info.sheet.part] = new_xml.encode("utf-8")
    parts[info.part] = patch_table(parts[info.part].decode("utf-8"), info, len(df)).encode("utf-8")
    return area_end


def _patch_parts(
    src: Path, parts: Parts, tables: Mapping[str, pd.DataFrame], look: SheetLook | None = None
) -> list[str]:
    """Write ``tables`` into the package ``parts`` (its changed/removed parts record what to write); the names
    of the tables written. ``look``: a generated table the workbook lacks is made first (``io.addtables``)."""
    if look is not None:
        _tables(parts, src)  # a damaged table part is refused before anything is added
        add_missing_tables(parts, src, list(tables), look, optional_on_sheet=True)  # where the button writes
    found = _tables(parts, src)
    pr = re.search(r"<(?:\w+:)?workbookPr\b[^>]*>", parts[WORKBOOK].decode("utf-8"))
    date1904 = pr is not None and attrs(pr.group()).get("date1904") in ("1", "true")
    targets = _targets(src, found, tables)
    areas: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for name, info in targets.items():
        df = tables[name]
        area_end = _patch_table_parts(src, parts, info, df, date1904)
        c1, r1, c2, _ = info.area
        areas[(info.sheet.sheet_id, info.sheet.position)] = (c1, r1 + info.header_rows, c2, area_end)
    written = {n: Written(info, tables[n], _column_keys(info)) for n, info in targets.items()}
    refresh_charts(parts, src, written, date1904)  # the charts that plot these tables
    changed = drop_calc_chain(parts, areas)
    request_recalc(parts, wrote_formulas=any(t.calc_formulas for t in targets.values()), changed=changed)
    return list(targets)


def write_tables(
    src: Path,
    dst: Path,
    tables: Mapping[str, pd.DataFrame],
    *,
    backup: bool = True,
    look: SheetLook | None = None,
) -> list[str]:
    """Replace the data rows of the named Excel tables of ``src`` with ``tables`` and save as ``dst``.

    ``look`` given, a generated table the workbook lacks (a month kept as plain ranges) is first made as an
    Excel Table, on its sheet or on a sheet copied from the template (``io.addtables``).

    ``tables`` maps a table name ("tblStock") to a frame whose columns are schema keys. Every other part
    of the package stays byte-identical; dst is written atomically (temp file + os.replace). When dst is
    src and ``backup``, src is first copied to NAME.bak.xlsx. Returns the names of the tables written: an optional
    generated table (``Table.optional``) that the file lacks is skipped.
    """
    return edit_package(src, dst, lambda parts: _patch_parts(Path(src), parts, tables, look), backup=backup)


def edit_package(src: Path, dst: Path, edit: Callable[[Parts], T], *, backup: bool = True, write: bool = True) -> T:
    """Run ``edit`` on the parts of ``src`` and save the result as ``dst`` atomically (temp file + os.replace);
    ``edit``'s result. Parts it leaves alone keep their bytes. When dst is src and ``backup``, src is first copied
    to NAME.bak.xlsx. ``write=False``: nothing is written (a dry run sees what ``edit`` would change).

    Raises:
        WorkbookLockedError: Excel holds src or dst open.
        JxcError: dst's folder cannot be written (nothing is changed then).
    """
    src, dst = Path(src), Path(dst)
    check_unlocked(src) if _same_file(src, dst) else check_unlocked(src, dst)
    tmp: Path | None = None
    try:
        with open_package(src) as parts:
            result = edit(parts)
            if not write:
                return result
            try:
                if backup and _same_file(src, dst):
                    shutil.copy2(src, src.with_name(src.stem + ".bak" + src.suffix))
                fd, tmp_name = tempfile.mkstemp(prefix=".~jxc-", suffix=dst.suffix or ".xlsx", dir=dst.parent)
            except OSError as e:  # a read-only folder, a full disk: nothing was written yet
                raise _unwritable(dst, e) from e
            tmp = Path(tmp_name)
            with os.fdopen(fd, "wb") as fh:
                package.write_package(fh, parts)  # looked up on the module: a test makes it fail midway
                fh.flush()
                os.fsync(fh.fileno())
        try:
            shutil.copymode(src, tmp)
            os.replace(tmp, dst)  # after the source is closed: Windows cannot replace an open file
        except OSError as e:
            raise _unwritable(dst, e) from e
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return result


def _unwritable(dst: Path, error: OSError) -> JxcError:
    cause = f"{type(error).__name__}: {error.strerror or error}"
    return JxcError.said("io_cannot_write", path=dst, folder=dst.parent, error=cause)
