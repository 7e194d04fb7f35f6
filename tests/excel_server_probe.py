"""Run jxc_xl.excel through xlwings' remote (Office.js) engine and print what it read and wrote as JSON.

Started by tests/test_excel.py in a subprocess with XLWINGS_ON_SERVER=true set before xlwings is imported
(that switch makes ``xw.script`` the Office.js decorator at import time). Reads a JSON list of scenarios on
stdin: {"xlsx": path, "sync": bool}. For each, the workbook file becomes the book JSON that the xlwings Lite /
Office.js client sends (sheets with values from A1, tables with their addresses, dates as ISO strings).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import sys
import types
from typing import Any

import openpyxl
import xlwings as xw
import xlwings.server
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

# As in xlwings Lite (Pyodide): no python-calamine. The Excel side types cells with jxc_xl.core.cells alone, so
# every scenario (the "simple" ones included) must read without it.
sys.modules["python_calamine"] = None  # type: ignore[assignment]

import jxc_xl.excel as excel  # noqa: E402


def _cell(v: Any) -> Any:
    """A cell as Office.js hands it over: blanks as "", dates as ISO strings with Z."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return f"{v.isoformat()}T00:00:00.000Z"
    return v


def _parts(ref: str, totals: int = 0) -> tuple[str, str, str | None]:
    """A table's ``A1:M4`` → its header row ``A1:M1``, body ``A2:M3`` and totals row ``A4:M4`` (or None)."""
    c1, r1, c2, r2 = range_boundaries(ref)
    a, b = get_column_letter(c1), get_column_letter(c2)
    end = r2 - totals
    return f"{a}{r1}:{b}{r1}", f"{a}{r1 + 1}:{b}{end}", f"{a}{end + 1}:{b}{r2}" if totals else None


def payload(path: str) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[_cell(v) for v in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        tables = []
        for t in ws.tables.values():
            totals = int(t.totalsRowCount or 0)
            header, body, total = _parts(t.ref, totals)
            tables.append(
                {
                    "name": t.name,
                    "range_address": t.ref,
                    "header_row_range_address": header,
                    "data_body_range_address": body,
                    "total_row_range_address": total,
                    "show_headers": True,
                    "show_totals": bool(totals),
                    "row_count": 0,
                    "column_count": 0,
                }
            )
        sheets.append({"name": ws.title, "values": values or [[]], "pictures": [], "tables": tables})
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": "m.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def _frames(wb: Any) -> dict[str, Any]:
    out = {}
    for name, td in wb.tables.items():
        out[name] = {
            "sheet": td.sheet,
            "header_row": td.header_row,
            "col_letters": td.col_letters,
            "bad": sorted(td.bad),
            "records": json.loads(td.df.to_json(orient="records", date_format="iso")),
        }
    return out


def run(scenario: dict[str, Any]) -> dict[str, Any]:
    excel._BLOCK_ROWS = scenario.get("block_rows", 2000)  # small blocks: a plain range read over several
    data = payload(scenario["xlsx"])
    book = xw.Book(json=data)
    wb = excel.book_to_workbook(book)
    out: dict[str, Any] = {
        "sheets": [s["name"] for s in data["sheets"]],
        "tables": {t["name"]: t["range_address"] for s in data["sheets"] for t in s["tables"]},
        "lang": wb.lang,
        "settings": wb.settings.model_dump() if wb.settings else None,
        "findings": [f.model_dump() for f in wb.findings],
        "frames": _frames(wb),
    }
    if scenario.get("sync"):
        book = xw.Book(json=payload(scenario["xlsx"]))  # a fresh book: reading above queued no actions
        try:
            out["rows"] = excel.sync_book(book, force=scenario.get("force", False))
        except Exception as exc:  # reported to the test, which asserts on type and text
            out["error"] = {"type": type(exc).__name__, "message": str(exc)}
        out["actions"] = book.json()["actions"]
    if scenario.get("script"):
        # The way xlwings Lite / Server runs the button: the script by name, the book injected by type hint.
        book = xw.Book(json=payload(scenario["xlsx"]))
        name = "jxc_sync_en" if out["lang"] == "en" else "jxc_sync"
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):  # what Lite shows in its output pane
            ret = asyncio.run(xlwings.server.custom_scripts_call(excel, name, typehint_to_value={xw.Book: book}))
        out["script_actions"] = ret.json()["actions"]
        out["script_output"] = printed.getvalue()
    return out


def main() -> None:
    scenarios = json.load(sys.stdin)
    main_py = types.ModuleType("main")
    exec(compile(excel.addin_files()["main.py"], "main.py", "exec"), main_py.__dict__)  # as xlwings Lite does
    result = {
        "scripts": xlwings.server.custom_scripts_meta(excel),
        "main_scripts": xlwings.server.custom_scripts_meta(main_py),
        "main_functions": [f["name"] for f in xlwings.server.custom_functions_meta(main_py)["functions"]],
        "runs": [run(s) for s in scenarios],
    }
    json.dump(result, sys.stdout, default=str, ensure_ascii=False)


if __name__ == "__main__":
    main()
