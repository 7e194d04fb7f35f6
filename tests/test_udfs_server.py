"""xlwings' Office.js machinery (xlwings Lite / Server) accepts jxc_xl.udfs.

XLWINGS_ON_SERVER must be set before xlwings is first imported, and other tests import
xlwings in this process, so the probe runs in a subprocess and reports JSON.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROBE = Path(__file__).with_name("udfs_server_probe.py")

EXPECTED_FUNCTIONS = {
    "ABC": 3,
    "DAYS_OF_INVENTORY": 4,
    "DEMAND_CLASS": 2,
    "EOQ": 3,
    "EOQ_BACKORDER": 4,
    "EOQ_COST": 4,
    "EOQ_DISCOUNT": 5,
    "EOQ_DISCOUNT_COST": 5,
    "FORECAST": 8,
    "REORDER_POINT": 3,
    "REORDER_POINT_INTERMITTENT": 6,
    "SAFETY_STOCK": 5,
    "TURNOVER": 3,
    "XYZ": 3,
}


@pytest.fixture(scope="module")
def probe() -> dict[str, Any]:
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    proc = subprocess.run(
        [sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_probe_ran_on_server_decorators(probe: dict[str, Any]) -> None:
    assert probe["on_server"] is True


def test_meta_lists_every_function_in_jxc_namespace(probe: dict[str, Any]) -> None:
    funcs = {f["id"]: f for f in probe["meta"]["functions"]}
    assert set(funcs) == set(EXPECTED_FUNCTIONS)
    assert set(probe["namespaces"].values()) == {"JXC"}
    for fid, n_params in EXPECTED_FUNCTIONS.items():
        f = funcs[fid]
        assert f["name"] == f"JXC.{fid}"
        assert f["result"] == {"dimensionality": "matrix", "type": "any"}
        assert len(f["parameters"]) == n_params
        # Bilingual help: a CJK character and ASCII text in the description and every parameter.
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f["description"]), fid
        assert any(ch.isascii() and ch.isalpha() for ch in f["description"]), fid
        for p in f["parameters"]:
            assert not p["description"].startswith("Positional argument"), (fid, p["name"])
            assert any("\u4e00" <= ch <= "\u9fff" for ch in p["description"]), (fid, p["name"])
            assert p["dimensionality"] == "matrix"


def test_meta_parameter_docs_carry_units_and_optional_flags(probe: dict[str, Any]) -> None:
    funcs = {f["id"]: f for f in probe["meta"]["functions"]}
    eoq_params = {p["name"]: p for p in funcs["EOQ"]["parameters"]}
    assert list(eoq_params) == ["annual_demand", "order_cost", "holding_cost"]
    assert "units/year" in eoq_params["annual_demand"]["description"]
    assert "per unit per year" in eoq_params["holding_cost"]["description"]
    assert all("optional" not in p for p in eoq_params.values())
    ss_params = {p["name"]: p for p in funcs["SAFETY_STOCK"]["parameters"]}
    assert ss_params["avg_demand"].get("optional") is True
    assert ss_params["lead_time_sd"].get("optional") is True
    assert "service_level" in ss_params and "0 < CSL < 1" in ss_params["service_level"]["description"]
    assert "缺货成本" in {p["name"]: p for p in funcs["EOQ_BACKORDER"]["parameters"]}["shortage_cost"]["description"]


def test_scalar_call(probe: dict[str, Any]) -> None:
    assert probe["scalar"]["result"] == [[pytest.approx(304.0468, abs=5e-5)]]
    assert probe["ss_defaults"]["result"] == [[pytest.approx(16.45, abs=5e-3)]]
    # Omitted optional arguments fall back to the Python defaults (d = σL = 0).
    assert probe["ss_omitted"]["result"] == [[pytest.approx(1.2815515655446004 * math.sqrt(6 * 25))]]
    assert probe["discount"]["result"] == [[500]]
    assert probe["forecast_row"]["result"] == [[10.0, 12.0, 14.0]]


def test_range_call_1000_rows_with_empty_cell(probe: dict[str, Any]) -> None:
    rows = probe["range_1000"]["result"]
    assert len(rows) == 1000 and all(len(r) == 1 for r in rows)
    for i, (value,) in enumerate(rows):
        if i == 10:
            assert value == ""  # empty in, empty out (not #NUM!)
        else:
            assert value == pytest.approx(math.sqrt(2 * 8 * (100 + i) / 0.225), rel=1e-12)


def test_abc_spills_labels(probe: dict[str, Any]) -> None:
    assert [r[0] for r in probe["abc"]["result"]] == list("AABBBCCCCC")


def test_errors_reach_the_user_as_xlwings_errors(probe: dict[str, Any]) -> None:
    # xlwings Server shows an XlwingsError's text in the #VALUE! tooltip; other errors are masked.
    neg = probe["error_negative"]
    assert neg["is_xlwings_error"] is True
    assert neg["error"] == "JXC.EOQ: annual_demand must be ≥ 0 (got -5 at row 3, column 1)"
    text = probe["error_text"]
    assert text["is_xlwings_error"] is True
    assert text["error"] == "JXC.SAFETY_STOCK: service_level must be a number, not text (got 'high')"


def test_every_argument_reads_excel_errors_as_text(probe: dict[str, Any]) -> None:
    assert set(probe["err_to_str"]) == set(EXPECTED_FUNCTIONS)
    for fid, flags in probe["err_to_str"].items():
        assert flags == [True] * EXPECTED_FUNCTIONS[fid], fid


def test_excel_error_cells_are_reported_not_treated_as_blank(probe: dict[str, Any]) -> None:
    rng = probe["error_cell_range"]
    assert rng.get("is_xlwings_error") is True, rng
    assert rng["error"] == "JXC.EOQ: annual_demand is an Excel error (#N/A) at row 2, column 1"
    one = probe["error_cell_single"]
    assert one.get("is_xlwings_error") is True, one
    assert one["error"] == "JXC.SAFETY_STOCK: service_level is an Excel error (#DIV/0!)"
    method = probe["error_cell_method"]
    assert method.get("is_xlwings_error") is True, method
    assert method["error"] == "JXC.FORECAST: method is an Excel error (#N/A)"


def test_negative_results_are_not_produced(probe: dict[str, Any]) -> None:
    assert probe["ss_low_service"]["result"] == [[0.0]]
    rop = probe["rop_negative_ss"]
    assert rop["is_xlwings_error"] is True
    assert rop["error"] == "JXC.REORDER_POINT: safety_stock must be ≥ 0 (got -5)"
    assert probe["discount_cost"]["result"] == [[pytest.approx(472_900)]]


def test_single_value_arguments_say_so_in_their_help(probe: dict[str, Any]) -> None:
    funcs = {f["id"]: {p["name"]: p["description"] for p in f["parameters"]} for f in probe["meta"]["functions"]}
    single = [("ABC", "a"), ("ABC", "b"), ("FORECAST", "horizon"), ("FORECAST", "method"), ("FORECAST", "window")]
    single += [("DEMAND_CLASS", "lang"), ("REORDER_POINT_INTERMITTENT", "daily_review")]
    for fid, arg in single:
        assert "one value" in funcs[fid][arg] and "单个值" in funcs[fid][arg], (fid, arg)
    for fid in ("EOQ_DISCOUNT", "EOQ_DISCOUNT_COST"):
        for arg in ("breaks", "prices"):
            assert "one price table" in funcs[fid][arg] and "单个价格表" in funcs[fid][arg], (fid, arg)
