"""The Excel side of sync (jxc_xl.excel) through xlwings' remote engine, as xlwings Lite drives it.

xlwings picks its Office.js decorators at import time when XLWINGS_ON_SERVER=true, and other tests import
xlwings without it, so every book runs in one subprocess (tests/excel_server_probe.py) that prints JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jxc_xl.core.findings import col_letter
from jxc_xl.core.money import round_half_up
from jxc_xl.core.periods import period_first_day
from jxc_xl.excel import BUTTON_EN, BUTTON_SHAPE, BUTTON_ZH, RUNPYTHON, addin_files, classic_setup_text
from jxc_xl.io.reader import read_workbook
from jxc_xl.io.template.generated import STOCK_FIRST_ROW
from jxc_xl.schema import ANALYSIS, PLAN, SALES, STOCK, Table
from tests.factories import small_month, write_book
from tests.test_reader import sales_below_table, titled_sales_book, totals_sales_book

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "tests" / "excel_server_probe.py"


def _old_stock(n: int) -> list[dict[str, Any]]:
    """Stale generated rows, more than the month has items, to see that sync shrinks the table."""
    return [{"sku": f"OLD{i}", "name": "旧行", "closing_qty": i} for i in range(n)]


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("excel")
    bad = small_month()
    bad["tblSales"][0]["sku"] = "NOPE"  # unknown-sku: an error, so sync must refuse
    stale = small_month()
    stale["tblStock"] = _old_stock(8)
    messy = small_month()
    messy["tblSales"][0]["qty"] = "abc"  # bad-type
    messy["tblSales"][1]["qty"] = "1,234"  # a text number with a thousands separator
    messy["tblPurchases"][0]["date"] = "2026/11/03"  # a date typed as text
    messy["tblHistory"][0]["period"] = date(2026, 1, 1)  # Excel turned a typed 2026-01 into a date
    messy["tblItems"].append({"sku": 1001, "name": "数字编码", "active": "YES"})  # numeric SKU, odd choice
    messy["tblCounts"].append({"date": None, "sku": "   ", "counted_qty": None})  # a whitespace-only row
    books = {
        "zh": write_book(d / "zh.xlsx"),
        "messy": write_book(d / "messy.xlsx", messy),
        "en": write_book(d / "en.xlsx", lang="en"),
        "plain": write_book(d / "plain.xlsx", plain=["tblSales", "tblPlan"]),
        "bad": write_book(d / "bad.xlsx", bad),
        "stale": write_book(d / "stale.xlsx", stale),
        "noperiod": write_book(d / "noperiod.xlsx", settings={"period": None}, period=None),
        "noplan": write_book(d / "noplan.xlsx", omit=["tblPlan"]),
        "odd": write_book(
            d / "odd.xlsx", settings={"valuation": "fifo", "allow_negative": "yes", "service_level": 0.9}
        ),
        "below": sales_below_table(d / "below.xlsx")[0],  # tblSales ends at row 5; lines in rows 6-7 and 9
        "below_bad": sales_below_table(d / "below_bad.xlsx", bad_qty="12,50")[0],
        "titled": titled_sales_book(d / "titled.xlsx")[0],  # a plain range under a title, a blank row inside
        "totals": totals_sales_book(d / "totals.xlsx"),  # a totals row, and a line typed below it
    }
    books["zh_simple"], books["messy_simple"] = books["zh"], books["messy"]
    scenarios = [
        {"xlsx": str(p), "sync": True, "script": k in ("zh", "en"), "simple": k.endswith("_simple")}
        for k, p in books.items()
    ]
    scenarios[list(books).index("plain")]["block_rows"] = 3  # tblSales' 8 rows read in three blocks
    scenarios[list(books).index("below")]["block_rows"] = 2  # the rows below the table read in two blocks
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(PROBE)],
        input=json.dumps(scenarios),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    out["books"] = books
    out["by"] = dict(zip(books, out["runs"], strict=True))
    return out


def _records(df) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", date_format="iso"))


def _actions(run: dict[str, Any], sheet: str, func: str) -> list[dict[str, Any]]:
    pos = run["sheets"].index(sheet)
    return [a for a in run["actions"] if a["sheet_position"] == pos and a["func"] == func]


def _written(run: dict[str, Any], table: Table, lang: str) -> list[dict[str, Any]]:
    """The body rows sync wrote into ``table`` (header in row 1), keyed by column key."""
    writes = _actions(run, table.sheet(lang), "setValues")
    assert len(writes) == 1, writes
    w = writes[0]
    top = STOCK_FIRST_ROW if table is STOCK else 0  # 库存's header row is under its group headers
    assert w["start_row"] == top + 1 and w["start_column"] == 0  # the body, under the untouched header row
    keys = table.keys()[: w["column_count"]]
    return [dict(zip(keys, row, strict=True)) for row in w["values"]]


# ---------------------------------------------------------------------------------------------------
# Reading: the open book gives the same frames as the file reader


@pytest.mark.parametrize(
    "name",
    [
        "zh",
        "en",
        "plain",
        "odd",
        "messy",
        "noperiod",
        "zh_simple",
        "messy_simple",
        "below",
        "below_bad",
        "titled",
        "totals",
    ],
)
def test_book_reads_like_the_file_reader(probe: dict[str, Any], name: str) -> None:
    run = probe["by"][name]
    wb = read_workbook(probe["books"][name])
    assert run["lang"] == wb.lang == ("en" if name == "en" else "zh")
    assert run["settings"] == (wb.settings.model_dump() if wb.settings else None)
    assert [f["code"] for f in run["findings"]] == [f.code for f in wb.findings]
    reader_bad = [f.model_dump() for f in wb.findings if f.code == "bad-type"]
    assert [f for f in run["findings"] if f["code"] == "bad-type"] == reader_bad
    for tname, td in wb.tables.items():
        got = run["frames"][tname]
        assert got["sheet"] == td.sheet, tname
        assert got["header_row"] == td.header_row, tname
        assert got["col_letters"] == td.col_letters, tname
        assert got["records"] == _records(td.df), tname
        assert got["bad"] == sorted(td.bad), tname


def test_plain_range_is_found_by_its_header(probe: dict[str, Any]) -> None:
    run = probe["by"]["plain"]
    assert "tblSales" not in run["tables"]  # written as a plain range, not a ListObject
    assert len(run["frames"]["tblSales"]["records"]) == len(small_month()["tblSales"])


def test_rows_typed_below_a_listobject_are_read(probe: dict[str, Any]) -> None:
    run = probe["by"]["below"]
    last = col_letter(len(SALES.columns) - 1)
    assert run["tables"]["tblSales"] == f"A1:{last}5"  # the ListObject really ends at row 5
    assert [r["_row"] for r in run["frames"]["tblSales"]["records"]] == [2, 3, 4, 5, 6, 7, 9]
    assert [(f["code"], f["row"]) for f in run["findings"]] == [("rows-below-table", 6)]  # named, as by the reader
    assert run["rows"]["tblStock"] == len(small_month()["tblItems"])  # sync went ahead with all seven lines
    bad = [f for f in probe["by"]["below_bad"]["findings"] if f["code"] == "bad-type"]
    assert [(f["cell"], f["value"]) for f in bad] == [("E9", "12,50")]


def test_totals_row_is_skipped_and_the_line_below_it_read(probe: dict[str, Any]) -> None:
    sales = probe["by"]["totals"]["frames"]["tblSales"]["records"]
    assert [(r["_row"], r["doc_no"]) for r in sales] == [(2, "SO-1"), (3, "SO-2"), (5, "SO-4")]


def test_plain_range_under_a_title_row_with_a_blank_row_inside(probe: dict[str, Any]) -> None:
    run = probe["by"]["titled"]
    assert "tblSales" not in run["tables"]
    sales = run["frames"]["tblSales"]
    assert sales["header_row"] == 3
    assert [r["_row"] for r in sales["records"]] == [4, 5, 7, 8]  # past the blank row 6, as the file reader
    assert [r["doc_no"] for r in sales["records"]] == ["SO-1", "SO-2", "SO-3", "SO-4"]
    assert "table-missing" not in [f["code"] for f in run["findings"] if f["sheet"] == "销售出库"]


def test_missing_period_is_a_finding_and_sync_refuses(probe: dict[str, Any]) -> None:
    run = probe["by"]["noperiod"]
    assert run["settings"] is None
    assert "settings-invalid" in {f["code"] for f in run["findings"]}
    assert run["error"]["type"] == "ValidationFailedError"
    assert "period" in run["error"]["message"]
    assert run["actions"] == []


@pytest.mark.parametrize("name", ["messy", "messy_simple"])
def test_messy_cells_are_typed_or_reported(probe: dict[str, Any], name: str) -> None:
    run = probe["by"][name]
    bad = [f for f in run["findings"] if f["code"] == "bad-type"]
    assert [(f["sheet"], f["column"], f["value"]) for f in bad] == [("销售出库", "qty", "abc")]
    sales = run["frames"]["tblSales"]["records"]
    assert sales[1]["qty"] == 1234
    assert run["frames"]["tblPurchases"]["records"][0]["date"].startswith("2026-11-03")
    assert run["frames"]["tblHistory"]["records"][0]["period"] == "2026-01"
    assert "1001" in [r["sku"] for r in run["frames"]["tblItems"]["records"]]


def test_settings_choices_are_typed(probe: dict[str, Any]) -> None:
    settings = probe["by"]["odd"]["settings"]
    assert (settings["valuation"], settings["allow_negative"], settings["service_level"]) == ("fifo", True, 0.9)


def test_missing_generated_table_fails_before_any_write(probe: dict[str, Any]) -> None:
    run = probe["by"]["noplan"]
    assert run["error"]["type"] == "JxcError"
    assert "tblPlan" in run["error"]["message"] and "jxc new" in run["error"]["message"]
    assert run["actions"] == []


# ---------------------------------------------------------------------------------------------------
# Writing: one pass, tables resized, values by hand


def _moving_average_closing(data: dict[str, list[dict[str, Any]]], sku: str) -> tuple[float, float]:
    """Closing qty and amount of an item by the contract's moving average: purchases, sales, sales returns.

    Same-day order: purchases, sales returns, sales; a sales return comes back at its sale line's unit cost.
    """
    op = next(r for r in data["tblOpening"] if r["sku"] == sku)
    qty, value = op["qty"], op["amount"]
    events = [(r["date"], 0, r) for r in data["tblPurchases"] if r["sku"] == sku]
    events += [(r["date"], 1, r) for r in data["tblReturns"] if r["sku"] == sku and r["kind"] == "sales_return"]
    events += [(r["date"], 3, r) for r in data["tblSales"] if r["sku"] == sku]
    assert not [r for r in data["tblReturns"] if r["sku"] == sku and r["kind"] != "sales_return"]
    issued_at: dict[str, float] = {}  # sale doc_no → unit cost it left at
    for _, kind, r in sorted(events, key=lambda e: (e[0], e[1])):
        q = r["qty"]
        if kind == 0:
            qty, value = qty + q, round_half_up(value + round_half_up(q * r["unit_price"]))
        elif kind == 1:
            qty, value = qty + q, round_half_up(value + round_half_up(q * issued_at[r["orig_doc_no"]]))
        else:
            issued_at[r["doc_no"]] = value / qty
            cost = value if q == qty else round_half_up(q * (value / qty))
            qty, value = qty - q, round_half_up(value - cost)
    return qty, value


def test_sync_writes_stock_values_computed_by_hand(probe: dict[str, Any]) -> None:
    run = probe["by"]["zh"]
    assert "error" not in run, run.get("error")
    data = small_month()
    stock = {r["sku"]: r for r in _written(run, STOCK, "zh")}
    assert sorted(stock) == sorted(i["sku"] for i in data["tblItems"])
    assert run["rows"]["tblStock"] == len(stock)
    # C001: 200 @ 3.10, sell 30, buy 150 @ 3.05, sell 80 at 984.50/320 = 3.0765625 → 246.125 → 246.13 (half up)
    # A001: a sales return of 2 comes back at the 11-12 sale's unit cost 1646/88 → 37.41
    for sku in ("C001", "A001"):
        qty, amount = _moving_average_closing(data, sku)
        assert stock[sku]["closing_qty"] == qty, sku
        assert stock[sku]["closing_amount"] == pytest.approx(amount, abs=1e-9), sku
    for r in stock.values():  # closing = opening + in − out + adj, for qty and amount, to the cent
        for k in ("qty", "amount"):
            parts = [r[f"{p}_{k}"] or 0 for p in ("opening", "in", "out", "adj")]
            assert round(parts[0] + parts[1] - parts[2] + parts[3], 2) == pytest.approx(r[f"closing_{k}"], abs=1e-9)


def test_sync_resizes_each_generated_table_once(probe: dict[str, Any]) -> None:
    run = probe["by"]["zh"]
    for table in (STOCK, PLAN, ANALYSIS):
        resizes = _actions(run, table.sheet("zh"), "resizeTable")
        assert len(resizes) == 1, table.name
        n = max(run["rows"][table.name], 1)
        ref = resizes[0]["args"][1].replace("$", "")
        top = STOCK_FIRST_ROW + 1 if table is STOCK else 1
        assert ref.startswith(f"A{top}:") and ref.endswith(str(n + top)), (table.name, ref)
    assert not _actions(run, STOCK.sheet("zh"), "rangeClearContents")  # grew from the template's one row


def test_sync_writes_plan_dates_as_dates(probe: dict[str, Any]) -> None:
    run = probe["by"]["zh"]
    plan = _written(run, PLAN, "zh") if run["rows"]["tblPlan"] else []
    assert len(plan) == run["rows"]["tblPlan"]
    first = period_first_day("2026-11")
    for r in plan:
        # the remote engine sends dates as ISO dates; order_by counts from the plan's as-of date (issue 9)
        assert date.fromisoformat(r["order_by"]) >= date.fromisoformat(r["as_of"]) >= first
        assert r["order_qty"] > 0


def test_sync_shrinks_a_longer_table_and_clears_the_rest(probe: dict[str, Any]) -> None:
    run = probe["by"]["stale"]
    n = run["rows"]["tblStock"]
    assert n == len(small_month()["tblItems"]) < 8
    resize = _actions(run, STOCK.sheet("zh"), "resizeTable")[0]
    assert resize["args"][1].replace("$", "").endswith(f"{n + 2}")  # header in row 2 (group headers above)
    (clear,) = _actions(run, STOCK.sheet("zh"), "rangeClearContents")
    # rows n+4 … 11 in Excel terms: the old rows n+3 … 10 and the old totals row 11 (it moves to row n+3)
    assert (clear["start_row"], clear["row_count"]) == (3 + n, 8 - n)
    assert all(not str(r["sku"]).startswith("OLD") for r in _written(run, STOCK, "zh"))


def test_sync_into_plain_range_plan(probe: dict[str, Any]) -> None:
    run = probe["by"]["plain"]
    assert not _actions(run, PLAN.sheet("zh"), "resizeTable")  # no ListObject to resize
    assert len(_actions(run, STOCK.sheet("zh"), "resizeTable")) == 1
    if run["rows"]["tblPlan"]:
        assert len(_written(run, PLAN, "zh")) == run["rows"]["tblPlan"]


def test_sync_en_workbook(probe: dict[str, Any]) -> None:
    run = probe["by"]["en"]
    assert "error" not in run, run.get("error")
    stock = _written(run, STOCK, "en")
    assert {r["sku"] for r in stock} == {i["sku"] for i in small_month()["tblItems"]}
    zh = {r["sku"]: r for r in _written(probe["by"]["zh"], STOCK, "zh")}
    for r in stock:  # same numbers whatever the language
        assert r["closing_amount"] == zh[r["sku"]]["closing_amount"]


def test_validation_errors_stop_sync_before_any_write(probe: dict[str, Any]) -> None:
    run = probe["by"]["bad"]
    assert run["error"]["type"] == "ValidationFailedError"
    assert "unknown-sku" in run["error"]["message"]
    assert "NOPE" in run["error"]["message"] or "销售出库" in run["error"]["message"]
    assert run["actions"] == []


# ---------------------------------------------------------------------------------------------------
# The xlwings Lite scripts, the template's button and `jxc addin`


def _template_button(path: Path) -> tuple[str, str]:
    """(shape name, "Sheet!Cell" of its hyperlink) of the sync button in a built workbook."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
                xml = z.read(name).decode()
                m = re.search(r'<xdr:cNvPr [^>]*name="([^"]+)"[^>]*>\s*<a:hlinkClick [^>]*r:id="(rId\d+)"', xml)
                if m:
                    rels = z.read(name.replace("drawings/", "drawings/_rels/") + ".rels").decode()
                    target = re.search(rf'Id="{m.group(2)}"[^>]*Target="#([^"]+)"', rels).group(1)
                    sheet, cell = target.rsplit("!", 1)
                    return m.group(1), f"{sheet.strip(chr(39))}!{cell}"
    raise AssertionError("no button in " + str(path))


@pytest.mark.parametrize(("lang", "button"), [("zh", BUTTON_ZH), ("en", BUTTON_EN)])
def test_script_button_matches_the_template(probe: dict[str, Any], lang: str, button: str) -> None:
    scripts = {s["button"]: s for s in probe["scripts"]}
    assert button in scripts and scripts[button]["show_taskpane"] is True  # errors and the summary show there
    shape, target = _template_button(probe["books"][lang])
    assert button == f"[{shape}]{target}"
    assert shape == BUTTON_SHAPE


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_script_call_as_xlwings_lite_runs_it(probe: dict[str, Any], lang: str) -> None:
    run = probe["by"][lang]
    assert run["script_actions"] == run["actions"] != []
    assert f"tblStock {run['rows']['tblStock']}" in run["script_output"]


def test_lite_main_py_registers_scripts_and_functions(probe: dict[str, Any]) -> None:
    assert {s["function_name"] for s in probe["main_scripts"]} == {"jxc_sync", "jxc_sync_en"}
    assert probe["main_functions"], "main.py exposes no custom function"
    assert all(name.startswith("JXC.") for name in probe["main_functions"])


def test_addin_files() -> None:
    files = addin_files()
    assert set(files) == {"main.py", "requirements.txt", "xlwings.conf", "jxc.bas", "README-excel.md"}
    reqs = [line.split("==")[0] for line in files["requirements.txt"].splitlines() if line]
    assert {"xlwings", "numpy", "pandas", "pydantic", "jxc-xl"} <= set(reqs)
    assert "scipy" not in reqs  # the Lite path computes the normal quantile with the standard library
    assert "python-calamine" not in reqs  # no Pyodide wheel needed: Lite never reads a file
    assert '"UDF MODULES","jxc_xl.udfs"' in files["xlwings.conf"]
    assert f'RunPython "{RUNPYTHON}"' in files["jxc.bas"]
    assert files["jxc.bas"].isascii()  # VBA imports .bas in the ANSI code page
    scope: dict[str, Any] = {}
    exec(RUNPYTHON.replace("x.sync_caller()", "f = x.sync_caller"), scope)  # the macro's import resolves
    assert callable(scope["f"])
    url = "https://example.org/jxc_xl-0.1.0-py3-none-any.whl"
    assert url in addin_files(wheel_url=url)["requirements.txt"].splitlines()
    for lang in ("zh", "en"):
        assert RUNPYTHON in classic_setup_text(lang)


@pytest.mark.parametrize("name", ["zh", "odd", "en"])
def test_button_writes_what_jxc_sync_writes(probe: dict[str, Any], name: str, tmp_path: Path) -> None:
    """Two I/O paths, one core: every value the Excel button writes equals the file path's synced cell."""
    from jxc_xl.sync import sync_file

    run = probe["by"][name]
    lang = "en" if name == "en" else "zh"
    synced = sync_file(probe["books"][name], tmp_path / "synced.xlsx", force=True).path
    wb = read_workbook(synced)
    assert run["rows"]["tblStock"] > 0 and run["rows"]["tblAnalysis"] > 0
    for table in (STOCK, PLAN, ANALYSIS):
        written = _written(run, table, lang) if run["rows"][table.name] else []
        from_file = _records(wb.df(table.name).drop(columns=["_row"]))
        assert len(written) == len(from_file) == run["rows"][table.name], table.name
        for got, want in zip(written, from_file, strict=True):
            for key, value in got.items():
                expected = want[key]
                if isinstance(expected, str) and table.column(key).type.value == "date":
                    expected = expected[:10]
                    value = str(value)[:10]
                if isinstance(expected, float):
                    assert value == pytest.approx(expected, rel=1e-12, abs=1e-9), (table.name, want["sku"], key)
                else:
                    assert (value if value not in ("", None) else None) == expected, (table.name, want["sku"], key)
