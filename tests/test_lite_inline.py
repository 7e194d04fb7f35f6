"""xlwings Lite without a package index: `jxc addin --inline` and the scipy-free Lite path.

The slow test runs the inline main.py in a fresh venv that holds only numpy, pandas, pydantic and xlwings (no
jxc-xl: the probe checks that ``jxc_xl`` cannot be found before main.py runs) through xlwings' Office.js
machinery, and compares everything with the package's main.py run in the project's venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from jxc_xl import __version__
from jxc_xl.cli import app
from jxc_xl.core.invmath.stock import norm_s_inv, safety_stock
from jxc_xl.excel import addin_files
from jxc_xl.io.reader import read_workbook
from jxc_xl.lite import LITE_ROOTS, PYODIDE_PACKAGES, external_imports, lite_modules
from jxc_xl.schema import STOCK
from tests.factories import small_month, write_book

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).with_name("lite_inline_probe.py")
SERVER_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}

# One call of every JXC.* function (Office.js shape: each argument a 2-D block or None); the test checks
# that the labels cover every function main.py registers.
CALLS: dict[str, tuple[str, list[Any]]] = {
    "eoq": ("eoq", [[[1300], [2600], [None]], [[8]], [[0.225]]]),
    "eoq_cost": ("eoq_cost", [[[1300]], [[8]], [[0.225]], [[250]]]),
    "eoq_backorder": ("eoq_backorder", [[[1300]], [[8]], [[0.225]], [[2.5]]]),
    "eoq_discount": ("eoq_discount", [[[1000]], [[200]], [[0.2]], [[0, 200, 500]], [[500, 475, 450]]]),
    "eoq_discount_cost": ("eoq_discount_cost", [[[1000]], [[200]], [[0.2]], [[0, 200, 500]], [[500, 475, 450]]]),
    "safety_stock": ("safety_stock", [[[0.95], [0.99], [0.5]], [[4]], [[7]], [[10]], [[1.5]]]),
    "reorder_point": ("reorder_point", [[[10]], [[7]], [[12.5]]]),
    "abc": ("abc", [[[5000], [2500], [1000], [600], [400], [200], [150], [80], [50], [20]], None, None]),
    "xyz": ("xyz", [[[10, 12, 11, 9], [1, 20, 0, 7], [5, 5, 5, 5]], None, None]),
    "turnover": ("turnover", [[[12000]], [[3000]], [[5000]]]),
    "demand_class": ("demand_class", [[[5, 0, 0, 6, 0, 0, 5, 0], [10, 11, 9, 10, 12, 10, 9, 11]], [["en"]]]),
    "reorder_point_intermittent": (
        "reorder_point_intermittent",
        [[[0.2], [0.5]], [[2.0]], [[7]], [[0.95]], [[1.0]], None],
    ),
    "days_of_inventory": ("days_of_inventory", [[[12000]], [[3000]], [[5000]], [[31]]]),
    "forecast": ("forecast", [[[2, 4, 6, 8]], [[3]], [["holt"]], [[0.5]], [[0.5]], None, None, None]),
    "forecast_croston": ("forecast", [[[0, 3, 0, 0, 5, 0, 4]], [[2]], [["croston"]], None, None, None, None, None]),
    "error_text": ("safety_stock", [[["high"]], [[5]], [[6]], None, None]),
    "error_cell": (
        "eoq",
        [[[1300], [{"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}]], [[8]], [[1]]],
    ),
}


# ---------------------------------------------------------------------------------------------------
# The normal quantile without scipy


def test_norm_s_inv_equals_scipy_within_1e_12() -> None:
    from scipy.special import ndtri

    p = np.concatenate(
        [np.linspace(1e-6, 1 - 1e-6, 20_001), np.logspace(-300, -1, 300), 1 - np.logspace(-15, -1, 150), [0.5, 0.95]]
    )
    np.testing.assert_allclose(norm_s_inv(p), ndtri(p), rtol=1e-12, atol=1e-12)
    grid = np.array([[0.95, np.nan], [0.9, 0.95]])  # repeated values, an empty cell, the shape kept
    got = norm_s_inv(grid)
    assert got.shape == (2, 2) and np.isnan(got[0, 1])
    np.testing.assert_allclose(got[~np.isnan(got)], ndtri(grid[~np.isnan(grid)]), rtol=1e-12)
    assert safety_stock(0.95, 4.0, 7) == pytest.approx(float(ndtri(0.95)) * 4.0 * 7**0.5, rel=1e-12)


def test_lite_path_imports_no_scipy_and_no_calamine() -> None:
    """Every module of the bundle imports, and the button's late imports run, with scipy and calamine absent."""
    names = [m.name for m in lite_modules()]
    code = (
        "import importlib, sys\n"
        "sys.modules['scipy'] = None\n"  # as in a Lite without scipy: importing it fails
        "sys.modules['python_calamine'] = None\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "from jxc_xl.core.invmath import safety_stock\n"
        "print(round(safety_stock(0.95, 4.0, 7), 6))\n"
        "bad = {'openpyxl', 'xlsxwriter', 'typer', 'rich', 'statsmodels'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["17.407495"]  # z(0.95) · 4 · √7


# ---------------------------------------------------------------------------------------------------
# The bundle: computed from the imports


def test_bundle_holds_the_lite_path_and_nothing_of_the_file_side() -> None:
    names = {m.name for m in lite_modules()}
    assert set(LITE_ROOTS) | {"jxc_xl", "jxc_xl.core", "jxc_xl.schema", "jxc_xl.errors"} <= names
    # the button's late imports (rules, generate) and what they import
    assert {"jxc_xl.core.rules", "jxc_xl.core.generate", "jxc_xl.core.valuation", "jxc_xl.core.plan"} <= names
    assert not {n for n in names if n.startswith(("jxc_xl.io", "jxc_xl.report", "jxc_xl.demo"))}
    assert not names & {"jxc_xl.cli", "jxc_xl.sync", "jxc_xl.validate", "jxc_xl.batch", "jxc_xl.lite"}
    assert external_imports(lite_modules()) <= set(PYODIDE_PACKAGES)


def test_bundle_covers_what_the_lite_path_really_imports() -> None:
    """The static set against a run: import the roots, sync a book's worth of late imports, list jxc_xl."""
    code = (
        "import sys, jxc_xl.excel, jxc_xl.udfs\n"
        "from jxc_xl.core.rules import all_findings\n"
        "from jxc_xl.core.generate import generate\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'jxc_xl')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) <= {m.name for m in lite_modules()}


def test_inline_files() -> None:
    files = addin_files(inline=True)
    reqs = files["requirements.txt"].splitlines()
    assert reqs == ["numpy", "pandas", "pydantic", f"xlwings=={version('xlwings')}"]
    main_py = files["main.py"]
    compile(main_py, "main.py", "exec")
    for m in lite_modules():
        assert f"_SOURCES[{m.name!r}] = ({m.is_package!r}, (" in main_py
    assert main_py.rstrip().endswith(addin_files()["main.py"].rstrip().splitlines()[-1])  # same public imports
    assert addin_files(inline=True)["main.py"] == main_py  # deterministic: the same file every run
    # the package's requirements pin this version and carry no scipy
    assert f"jxc-xl=={__version__}" in addin_files()["requirements.txt"].splitlines()
    assert "scipy" not in addin_files()["requirements.txt"]


def test_cli_addin_inline_writes_the_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["addin", "--inline", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == addin_files(inline=True)["main.py"]
    assert "jxc-xl" not in (tmp_path / "requirements.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------------
# The inline main.py in a venv without jxc-xl, against the package's main.py


def _lite_venv(directory: Path) -> Path:
    """A fresh venv with only Pyodide's four packages, at the project venv's versions; its python."""
    venv.EnvBuilder(with_pip=True).create(directory)
    python = directory / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pins = [f"{p}=={version(p)}" for p in PYODIDE_PACKAGES]
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *pins], check=True, timeout=900)
    return python


def _payloads(books: dict[str, Path]) -> dict[str, Any]:
    """Each workbook as the book JSON the Office.js client sends (tests/excel_server_probe.payload)."""
    code = (
        "import json, sys\n"
        "from tests.excel_server_probe import payload\n"
        "print(json.dumps({k: payload(p) for k, p in json.load(sys.stdin).items()}, default=str))\n"
    )
    paths = json.dumps({k: str(p) for k, p in books.items()})
    env = {**os.environ, **SERVER_ENV, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], input=paths, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _probe(python: Path | str, main_py: Path, request: dict[str, Any], cwd: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | SERVER_ENV
    body = json.dumps({**request, "main_py": str(main_py)})
    proc = subprocess.run(
        [str(python), str(PROBE)], input=body, capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("lite")
    bad = small_month()
    bad["tblSales"][0]["sku"] = "NOPE"  # unknown-sku: sync refuses
    books = {
        "zh": write_book(d / "zh.xlsx"),
        "en": write_book(d / "en.xlsx", lang="en"),
        "fifo": write_book(d / "fifo.xlsx", settings={"valuation": "fifo", "service_level": 0.9}),
        "bad": write_book(d / "bad.xlsx", bad),
    }
    request = {"books": _payloads(books), "calls": CALLS}
    (d / "package").mkdir()
    (d / "inline").mkdir()
    for kind in ("package", "inline"):
        (d / kind / "main.py").write_text(addin_files(inline=kind == "inline")["main.py"], encoding="utf-8")
    package = _probe(sys.executable, d / "package" / "main.py", request, d / "package")
    python = _lite_venv(d / "venv")
    inline = _probe(python, d / "inline" / "main.py", {**request, "require_no_jxc": True}, d / "inline")
    return {"package": package, "inline": inline, "books": books}


@pytest.mark.slow
def test_inline_main_py_runs_without_jxc_xl(runs: dict[str, Any]) -> None:
    inline = runs["inline"]
    assert inline["jxc_installed"] is False and inline["jxc_file"].startswith(f"<jxc-xl {__version__}>/")
    assert not {"scipy", "python_calamine", "openpyxl", "xlsxwriter"} & set(inline["modules"])
    assert runs["package"]["jxc_installed"] is True  # the reference really is the installed package


@pytest.mark.slow
def test_inline_registers_the_same_scripts_and_functions(runs: dict[str, Any]) -> None:
    package, inline = runs["package"], runs["inline"]
    assert {s["function_name"] for s in inline["scripts"]} == {"jxc_sync", "jxc_sync_en"}
    assert inline["scripts"] == package["scripts"]
    assert inline["functions"] == package["functions"]
    called = {func for func, _ in CALLS.values()}
    assert {f["id"].lower() for f in inline["functions"]["functions"]} == called  # every JXC.* function


@pytest.mark.slow
def test_inline_sync_and_functions_equal_the_package(runs: dict[str, Any]) -> None:
    package, inline = runs["package"], runs["inline"]
    assert inline["runs"] == package["runs"]
    assert inline["calls"] == package["calls"]
    for name in ("zh", "en", "fifo"):
        assert inline["runs"][name]["jxc_sync"]["actions"], name
    assert "unknown-sku" in inline["runs"]["bad"]["jxc_sync"]["error"]
    assert inline["runs"]["bad"]["jxc_sync"]["actions"] == []  # refused before any write
    assert all("result" in r for k, r in inline["calls"].items() if not k.startswith("error")), inline["calls"]
    assert inline["calls"]["error_text"]["is_xlwings_error"] is True


@pytest.mark.slow
def test_inline_sync_writes_what_jxc_sync_writes(runs: dict[str, Any], tmp_path: Path) -> None:
    """The inline button's 库存 rows equal `jxc sync`'s file, cell for cell."""
    from jxc_xl.sync import sync_file

    run = runs["inline"]["runs"]["zh"]["jxc_sync"]
    sheets = [s["name"] for s in json.loads(json.dumps(_payloads({"zh": runs["books"]["zh"]})))["zh"]["sheets"]]
    pos = sheets.index(STOCK.zh_sheet)
    writes = [a for a in run["actions"] if a["sheet_position"] == pos and a["func"] == "setValues"]
    assert len(writes) == 1
    keys = STOCK.keys()[: writes[0]["column_count"]]
    written = [dict(zip(keys, row, strict=True)) for row in writes[0]["values"]]
    df = read_workbook(sync_file(runs["books"]["zh"], tmp_path / "s.xlsx").path).df(STOCK.name)
    assert len(written) == len(df) > 0
    for got, (_, want) in zip(written, df.iterrows(), strict=True):
        for key, value in got.items():
            expected = want[key]
            if isinstance(expected, float):
                assert value == pytest.approx(expected, rel=1e-12, abs=1e-9), (want["sku"], key)
            else:
                assert (value if value not in ("", None) else None) == (None if expected is None else expected)
