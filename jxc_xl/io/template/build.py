"""The whole workbook: sheets in order, written to a temporary file, the button named, then moved into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from jxc_xl.core.findings import col_letter
from jxc_xl.core.messages import word
from jxc_xl.errors import JxcError, UsageError
from jxc_xl.io.template.button import name_button, sync_button
from jxc_xl.io.template.cells import Rows, rows_to_frame
from jxc_xl.io.template.formulas import PRINT_COLUMNS, formulas_widths, write_formulas
from jxc_xl.io.template.generated import pareto_chart, status_formats, stock_columns, write_stock_table
from jxc_xl.io.template.guide import GUIDE_WIDTHS, write_guide
from jxc_xl.io.template.lookups import LOOKUP_SOURCES, book_warehouses
from jxc_xl.io.template.printing import DEFAULT_COLUMN_PX, PageText, column_px, print_setup
from jxc_xl.io.template.settings_sheet import write_settings_sheet
from jxc_xl.io.template.styles import (
    CREATED,
    FONT,
    FORMULAS_SHEET,
    GUIDE_SHEET,
    LAST_ROW,
    SKU_NAME,
    WAREHOUSE_NAME,
    Formats,
    quote_sheet,
)
from jxc_xl.io.template.summary_sheet import summary_sheet
from jxc_xl.io.template.tables import column_validations, write_table
from jxc_xl.schema import (
    ANALYSIS,
    COUNTS,
    ITEMS,
    OTHER,
    PERIOD_RE,
    PLAN,
    SETTINGS_BY_KEY,
    SETTINGS_TABLE,
    SUMMARY,
    TABLES,
    TABLES_BY_NAME,
    WAREHOUSES,
    Lang,
    Table,
)

TEMPLATE_FILES: dict[Lang, str] = {"zh": "jxc_workbook.xlsx", "en": "jxc_workbook_en.xlsx"}
TEMPLATE_PERIOD = "2026-11"
# Generated table → its last printed column: the plan without the forecast's detail (one supplier a page, to
# send), the analysis without its chart. (库存 sets its own print area: write_stock_table.)
PRINT_THROUGH: dict[str, str] = {PLAN.name: "reason", ANALYSIS.name: ANALYSIS.keys()[-1]}


@dataclass(frozen=True)
class _Spec:
    """What to build, checked: the arguments of build_workbook with the data as frames."""

    lang: Lang
    period: str | None
    settings: Mapping[str, Any] | None
    frames: dict[str, pd.DataFrame]
    omit: set[str]
    plain: set[str]
    extras: bool
    lookups: bool = False


def build_workbook(
    path: str | os.PathLike[str],
    *,
    lang: Lang = "zh",
    period: str | None = "2026-11",
    settings: Mapping[str, Any] | None = None,
    data: Mapping[str, Rows | None] | None = None,
    omit: Collection[str] = (),
    plain: Collection[str] = (),
    extras: bool = True,
    lookups: bool = False,
) -> Path:
    """Write a workbook of the contract to ``path`` (atomically) and return the path.

    Args:
        path: the .xlsx to write; its folder is created.
        lang: ``"zh"`` or ``"en"``: sheet names, headers, labels and texts.
        period: fills the period setting (YYYY-MM).
        settings: setting key → value, overriding the defaults.
        data: table name → rows keyed by column key (a DataFrame or a list of dicts); cells are typed by
            the Python value (numbers, dates, text; None/NaN blank; choice keys become labels of ``lang``).
            Rows for ``tblSettings`` replace the generated settings rows entirely (for tests of odd settings).
        omit: table names left out (for tests of a missing table).
        plain: tables written as a plain header + range instead of an Excel Table.
        extras: the guide and formulas sheets.
        lookups: the entry tables' computed columns (name, spec, unit beside the SKU; 盘点's book quantity and
            difference), as the templates, ``jxc new``, the demo and ``jxc close`` write them; the default (off)
            writes the input columns only, as workbooks of earlier versions (the layout test fixtures use).

    Returns:
        ``path`` as a Path.
    """
    if lang not in ("zh", "en"):
        raise UsageError.said("io_bad_lang", language=repr(lang))
    data = dict(data or {})
    for name in list(data) + list(omit) + list(plain):
        if name not in TABLES_BY_NAME:
            raise UsageError.said("io_unknown_table", name=repr(name), tables=", ".join(TABLES_BY_NAME))
    frames = {name: rows_to_frame(name, rows) for name, rows in data.items()}
    spec = _Spec(lang, period, settings, frames, set(omit), set(plain), extras, lookups)

    def write(tmp: Path) -> None:
        _build(tmp, spec)
        name_button(tmp)

    return _write_atomically(Path(path), write)


def _write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """``write`` a temporary file beside ``path``, then replace ``path`` with it (never a half-written file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".~jxc-", suffix=".xlsx", dir=path.parent)
    except OSError as e:  # a read-only folder, a full disk: nothing was written (was: an internal error)
        raise cannot_create(path, e) from e
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the user's workbook private
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise cannot_create(path, e) from e
    finally:
        tmp.unlink(missing_ok=True)
    return path


def cannot_create(path: Path, error: OSError) -> JxcError:
    """The one line for a file that cannot be written where asked (new, close, consolidate)."""
    cause = f"{type(error).__name__}: {error.strerror or error}"
    return JxcError.said("io_cannot_create", path=path, folder=path.parent, error=cause)


def _open_workbook(path: Path, lang: Lang, period: str | None) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
            "default_format_properties": {"font_name": FONT[lang], "font_size": 11},  # CJK-friendly font in zh
        },
    )
    wb.set_properties(
        {
            "title": word("tpl_workbook_title", lang),
            "subject": f"jxc-xl {period or ''}".strip(),
            "author": "jxc-xl",
            "comments": "Generated by jxc-xl; see docs/workbook.md",
            "created": CREATED,
        }
    )
    wb.set_calc_mode("auto")
    return wb


def _list_source(wb: xlsxwriter.Workbook, spec: _Spec, t: Table, key: str, name: str, rows: int) -> str | None:
    """Define ``name`` over column ``key`` of ``t`` (its first ``rows`` rows where ``t`` is a plain range) and
    return it as the list source of the dropdowns that draw on it; None where the workbook lacks ``t``."""
    if t.name in spec.omit:
        return None
    if t.name in spec.plain:
        L = col_letter(t.keys().index(key))
        wb.define_name(name, f"={quote_sheet(t.sheet(spec.lang))}!${L}$2:${L}${rows + 1}")
    else:
        wb.define_name(name, f"={t.name}[{t.column(key).header(spec.lang)}]")
    return f"={name}"


def _write_sheet(
    wb: xlsxwriter.Workbook,
    t: Table,
    spec: _Spec,
    fm: Formats,
    sku_source: str | None,
    warehouse_source: str | None = None,
) -> None:
    lang = spec.lang
    ws = wb.add_worksheet(t.sheet(lang))
    is_plain = t.name in spec.plain
    if t is SETTINGS_TABLE:
        rows = spec.frames.get(t.name)
        write_settings_sheet(ws, lang, fm, period=spec.period, settings=spec.settings, rows=rows, plain=is_plain)
        _print_table(ws, t, spec)
        return
    # The computed columns' data; their formulas name the tables they read, so all of those must be Excel Tables.
    tables = {x.name for x in TABLES if x.name not in spec.omit | spec.plain}  # the workbook's Excel Tables
    frames = spec.frames if spec.lookups and LOOKUP_SOURCES <= tables else None
    if frames is not None:  # the book formula reads 其他出入库 where it is an Excel Table (its rows, not a range's)
        frames = {k: v for k, v in frames.items() if k != OTHER.name}
        if OTHER.name in tables:
            frames[OTHER.name] = spec.frames.get(OTHER.name, pd.DataFrame())
    # 盘点's book quantity per warehouse where 仓库 is an Excel Table (the workbook's shape, not its data)
    warehouses = book_warehouses(tables) if frames is not None and t is COUNTS else None
    if t.name == "tblStock":  # 收发存汇总: group headers above the table, a totals row
        other = OTHER.name not in spec.omit  # without 其他出入库: 库存 as before it (no other-movement columns)
        write_stock_table(ws, spec.frames.get(t.name, pd.DataFrame()), lang, fm, plain=is_plain, other=other)
        t = t if other else t.model_copy(update={"columns": tuple(stock_columns(False))})
    else:
        rows = spec.frames.get(t.name, pd.DataFrame())
        write_table(ws, t, rows, lang, fm, plain=is_plain, frames=frames, warehouses=warehouses)
    column_validations(ws, t, lang, sku_source, lookups=frames is not None, warehouse_source=warehouse_source)
    if t.generated:
        ws.set_tab_color("#70AD47")
        status_formats(ws, t, lang, fm)
    if t is PLAN:
        sync_button(ws, lang)
    if t is ANALYSIS:
        pareto_chart(wb, ws, lang, is_plain)
    if t is SUMMARY:
        summary_sheet(wb, ws, lang, fm, pareto=ANALYSIS.name not in spec.omit)
    _print_table(ws, t, spec)


def _page_text(spec: _Spec) -> PageText:
    """The header's company (the setting given, else its default) and period."""
    company = (spec.settings or {}).get("company", SETTINGS_BY_KEY["company"].default)
    return PageText(spec.lang, str(company) if company else None, spec.period)


def _print_table(ws: Worksheet, t: Table, spec: _Spec) -> None:
    """The print setup of a table's sheet: its columns' widths decide the orientation, the rows down to the
    table's header repeat on every page; the generated sheets of PRINT_THROUGH print their table's columns up
    to that one (not the button, the chart or the detail at the right), so the page keeps a readable size."""
    table = next((x for x in ws.tables if x["name"] == t.name), None)
    if table:
        first, last = table["range"].split(":")
        (first_row, first_col), (_, last_col) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last)
    else:  # a plain header + range at A1
        first_row, first_col, last_col = 0, 0, len(t.columns) - 1
    if t.name in PRINT_THROUGH:
        through = PRINT_THROUGH[t.name]
        if through in t.keys():
            last_col = min(last_col, first_col + t.keys().index(through))
        ws.print_area(0, first_col, LAST_ROW, last_col)
    pixels = [
        info.width if (info := ws.col_info.get(j)) is not None and info.width is not None else DEFAULT_COLUMN_PX
        for j in range(first_col, last_col + 1)
    ]
    print_setup(ws, _page_text(spec), pixels=pixels, header_rows=first_row + 1)


def _build(path: Path, spec: _Spec) -> None:
    wb = _open_workbook(path, spec.lang, spec.period)
    fm = Formats(wb)
    if spec.extras:
        ws = wb.add_worksheet(GUIDE_SHEET[spec.lang])
        write_guide(ws, spec.lang, fm)
        print_setup(ws, _page_text(spec), pixels=map(column_px, GUIDE_WIDTHS), gridlines=False)
    sku_source = _list_source(wb, spec, ITEMS, "sku", SKU_NAME, 10_000)
    warehouse_source = _list_source(wb, spec, WAREHOUSES, "code", WAREHOUSE_NAME, 1_000)
    for t in TABLES:
        if t.name not in spec.omit:
            _write_sheet(wb, t, spec, fm, sku_source, warehouse_source)
    if spec.extras:
        ws = wb.add_worksheet(FORMULAS_SHEET[spec.lang])
        write_formulas(ws, spec.lang, fm)
        ws.print_area(0, 0, LAST_ROW, PRINT_COLUMNS - 1)
        print_setup(ws, _page_text(spec), pixels=map(column_px, formulas_widths()), header_rows=4, gridlines=False)
    wb.close()


def new_workbook(path: str | os.PathLike[str], *, period: str = "2026-11", lang: Lang = "zh") -> Path:
    """What ``jxc new`` calls: an empty workbook for ``period``; refuses to overwrite an existing file.

    Args:
        path: the new .xlsx.
        period: its month, YYYY-MM.
        lang: ``"zh"`` or ``"en"``.

    Returns:
        ``path`` as a Path.
    """
    p = Path(path)
    if p.exists():
        raise UsageError.said("io_exists", path=p)
    if not PERIOD_RE.match(period):
        raise UsageError.said("io_bad_period", period=repr(period), path=p)
    return build_workbook(p, lang=lang, period=period, lookups=True)


def build_templates(directory: str | os.PathLike[str]) -> list[Path]:
    """The committed templates (zh and en) in ``directory``; returns their paths."""
    d = Path(directory)
    return [
        build_workbook(d / f, lang=lang, period=TEMPLATE_PERIOD, lookups=True) for lang, f in TEMPLATE_FILES.items()
    ]


def main() -> None:
    """``python -m jxc_xl.io.template [DIR]``: rebuild the committed templates (default: the repo's templates/)."""
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "templates"
    for p in build_templates(target):
        print(p)
