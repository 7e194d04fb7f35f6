"""One ``Workbook`` from located tables: shared by the file reader (``io.reader``) and the Excel button.

Each reader finds its tables its own way (zip parts and calamine, or xlwings ranges) and types their cells
with ``core.cells.table_data``; what follows is the same for both and lives here: an empty frame and a
table-missing finding for an input table found nowhere (a warning for a table a month may lack, such as the
demand history of a first month: the month is computed as if it were empty), the findings in table order, and
the settings typed from the settings table's raw cells.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from jxc_xl.core.book import SettingCell, TableData, Workbook, empty_frame
from jxc_xl.core.cells import ReadTable, table_missing
from jxc_xl.core.findings import Finding
from jxc_xl.core.settings_table import read_settings
from jxc_xl.schema import SETTINGS_TABLE, TABLES, Lang, Settings, Table

__all__ = ["assemble_workbook"]


def assemble_workbook(
    path: Path | None, lang: Lang, msg_lang: Lang, read: Callable[[Table], ReadTable | None]
) -> Workbook:
    """The workbook of the tables ``read`` returns, each table of the schema asked for once, in schema order.

    Tables are pulled one at a time, so a reader can free a sheet's cells as soon as its last table is read.

    Args:
        path: the workbook file (None for an open Excel book).
        lang: the workbook's language (its sheet names and headers).
        msg_lang: the language of the findings.
        read: the table's typed data, raw cells and findings; None when the workbook does not have it.

    Returns:
        The ``Workbook``: every table (empty frames for the absent ones), the findings, the typed settings
        (None when absent or unusable) and where each setting was found.
    """
    findings: list[Finding] = []
    tables: dict[str, TableData] = {}
    settings_raw: np.ndarray | None = None
    for t in TABLES:
        got = read(t)
        if got is None:
            tables[t.name] = TableData(t, empty_frame(t))
            if not t.generated and not t.quiet:  # sync creates the generated tables; only the input ones must exist
                findings.append(table_missing(t, lang, msg_lang))
            continue
        tables[t.name] = got.data
        findings.extend(got.findings)
        if t is SETTINGS_TABLE:  # the raw value cells: the frame holds them as text
            settings_raw = got.raw.get("value")

    settings: Settings | None = None
    cells: dict[str, SettingCell] = {}
    if tables[SETTINGS_TABLE.name].present:
        settings, cells, found = read_settings(tables[SETTINGS_TABLE.name], settings_raw, msg_lang)
        findings.extend(found)
    return Workbook(path, lang, settings, tables, findings, cells)
