"""The xlwings adapter called the way xlwings calls it: 2-D lists in, scalars or 2-D lists out."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import numpy as np
import pytest
import xlwings as xw

from jxc_xl import udfs
from jxc_xl.core import invmath as im

EOQ_1300 = 304.0467800264368


def test_namespace() -> None:
    assert udfs.__xlwings_func_namespace__ == "JXC"


def test_scalar_and_one_by_one_range_give_plain_values() -> None:
    assert udfs.eoq(1300, 8, 0.225) == pytest.approx(EOQ_1300)
    got = udfs.eoq([[1300.0]], [[8.0]], [[0.225]])
    assert isinstance(got, float)
    assert got == pytest.approx(EOQ_1300)
    assert udfs.abc([[5.0]], [[0.8]], [[0.95]]) == "C"


def test_column_with_empty_cells_spills_a_column_with_empty_results() -> None:
    got = udfs.eoq([[1300.0], [None], [""], [2600.0]], [[8.0]], [[0.225]])
    assert got[0][0] == pytest.approx(EOQ_1300)
    assert got[1] == [None] and got[2] == [None]
    assert got[3][0] == pytest.approx(EOQ_1300 * math.sqrt(2))
    assert all(isinstance(row[0], float | type(None)) for row in got)


def test_row_column_and_block_broadcasting() -> None:
    row = udfs.eoq([[1300.0, 2600.0]], 8, 0.225)
    assert len(row) == 1 and len(row[0]) == 2
    block = udfs.eoq([[1300.0], [2600.0]], [[8.0, 16.0]], 0.225)
    assert np.array(block).shape == (2, 2)
    np.testing.assert_allclose(block, np.sqrt(2 * np.array([[8, 16]]) * np.array([[1300], [2600]]) / 0.225))


def test_vectors_through_the_adapter() -> None:
    assert udfs.eoq_cost(1300, 8, 0.225, 250) == pytest.approx(69.725)
    assert udfs.eoq_cost(1300, 8, 0.225) == pytest.approx(68.4105, abs=5e-5)
    assert udfs.eoq_backorder(1300, 8, 0.225, 5) == pytest.approx(310.8126, abs=5e-5)
    breaks, prices = [[0.0, 200.0, 500.0]], [[500.0], [475.0], [450.0]]  # row and column both fine
    assert udfs.eoq_discount(1000, 200, 0.2, breaks, prices) == 500
    assert udfs.eoq_discount_cost(1000, 200, 0.2, breaks, prices) == pytest.approx(472_900)
    ss = udfs.safety_stock(0.9, 5, 6, 50, 2)
    assert ss == pytest.approx(129.11, abs=5e-3)
    assert udfs.reorder_point(50, 6, ss) == pytest.approx(429.11, abs=5e-3)
    assert udfs.safety_stock(0.95, 0, 3, 5, 2) == pytest.approx(16.45, abs=5e-3)
    values = [[5000.0], [2500.0], [1000.0], [600.0], [400.0], [200.0], [150.0], [80.0], [50.0], [20.0]]
    assert [r[0] for r in udfs.abc(values)] == list("AABBBCCCCC")
    q = udfs.eoq(2400, 3.2, 0.24)
    assert udfs.turnover(2400, q, 0) == pytest.approx(18.97, abs=5e-3)


def test_abc_row_and_empties() -> None:
    assert udfs.abc([[50.0, None, 30.0, 20.0]]) == [["A", None, "A", "C"]]


def test_turnover_undefined_is_empty() -> None:
    assert udfs.turnover([[100.0], [100.0]], [[0.0], [50.0]], [[0.0], [50.0]]) == [[None], [2.0]]
    assert udfs.days_of_inventory(0, 10, 10) is None
    assert udfs.days_of_inventory(1200, 100, 300, 30) == pytest.approx(5.0)


def test_xyz_orientation() -> None:
    # One series in a row or in a column → one label; a block → one label per row.
    assert udfs.xyz([[10.0, 20.0, 10.0, 20.0]]) == "X"
    assert udfs.xyz([[10.0], [20.0], [10.0], [20.0]]) == "X"
    got = udfs.xyz([[10.0, 10.0, 10.0], [0.0, 0.0, 0.0], [1.0, None, None]], 0.5, 1.0)
    assert got == [["X"], ["Z"], [None]]


def test_forecast_orientation_and_per_sku() -> None:
    row = udfs.forecast([[2.0, 4.0, 6.0, 8.0]], 3, "holt", 0.5, 0.5)
    np.testing.assert_allclose(row, [[10.0, 12.0, 14.0]])
    col = udfs.forecast([[2.0], [4.0], [6.0], [8.0]], 3, "holt", 0.5, 0.5)
    np.testing.assert_allclose(col, [[10.0], [12.0], [14.0]])
    block = udfs.forecast([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0], [None, None, None]], 2, "MA", None, None, 2)
    assert block[0] == [2.5, 2.5] and block[1] == [4.0, 4.0] and block[2] == [None, None]
    assert udfs.forecast([[3.0, 5.0]], 1, "ses", 0.5) == pytest.approx(4.0)


def test_errors_are_xlwings_errors_naming_function_argument_and_range() -> None:
    with pytest.raises(udfs.FormulaArgumentError) as info:
        udfs.eoq([[1.0], [2.0], [-5.0]], 8, 0.225)
    err = info.value
    assert isinstance(err, xw.XlwingsError) and isinstance(err, im.InvalidArgument)
    assert str(err) == "JXC.EOQ: annual_demand must be ≥ 0 (got -5 at row 3, column 1)"
    assert err.argument == "annual_demand"
    with pytest.raises(xw.XlwingsError, match=r"^JXC.SAFETY_STOCK: service_level must be in \(0, 1\) \(got 1.5\)$"):
        udfs.safety_stock([[1.5]], 5, 6)
    with pytest.raises(xw.XlwingsError, match=r"JXC.EOQ: holding_cost must be a number, not text \(got 'abc'\)"):
        udfs.eoq(1300, 8, [["abc"]])
    with pytest.raises(xw.XlwingsError, match=r"JXC\.EOQ: argument shapes do not match"):
        udfs.eoq([[1.0], [2.0], [3.0]], [[1.0], [2.0]], 0.225)
    with pytest.raises(xw.XlwingsError, match=r"JXC\.FORECAST: method must be one of"):
        udfs.forecast([[1.0, 2.0]], 1, "arima")
    with pytest.raises(xw.XlwingsError, match=r"JXC.ABC: b must be in \[a=0.9, 1\] \(got 0.5\)"):
        udfs.abc([[1.0], [2.0]], 0.9, 0.5)


def test_large_range_call_matches_core() -> None:
    rng = np.random.default_rng(7)
    demand = rng.uniform(0, 10_000, size=(10_000, 1))
    got = np.array(udfs.eoq(demand.tolist(), 8, 0.225))
    np.testing.assert_allclose(got, np.sqrt(2 * 8 * demand / 0.225))
    labels = udfs.abc(demand.tolist())
    assert [r[0] for r in labels] == im.abc(demand[:, 0]).tolist()


def test_excel_errors_dates_and_decimals_as_classic_xlwings_passes_them() -> None:
    # With err_to_str=True classic xlwings passes an error cell as its text, a date cell as datetime.
    with pytest.raises(udfs.FormulaArgumentError) as info:
        udfs.eoq([[1300.0], ["#N/A"], [2600.0]], 8, 0.225)
    assert str(info.value) == "JXC.EOQ: annual_demand is an Excel error (#N/A) at row 2, column 1"
    with pytest.raises(udfs.FormulaArgumentError, match=r"^JXC.EOQ: holding_cost is an Excel error \(#DIV/0!\)$"):
        udfs.eoq(1300, 8, [["#DIV/0!"]])
    with pytest.raises(
        udfs.FormulaArgumentError,
        match=r"^JXC.EOQ: annual_demand is a date, not a number \(got 2024-01-05 00:00:00\)$",
    ):
        udfs.eoq([[datetime.datetime(2024, 1, 5)]], 8, 0.225)
    assert udfs.eoq([[Decimal("1300")]], [[Decimal("8")]], 0.225) == pytest.approx(EOQ_1300)


def test_discount_and_non_negative_stock_through_the_adapter() -> None:
    breaks, prices = [[0.0, 200.0, 500.0]], [[500.0, 475.0, 450.0]]
    got = udfs.eoq_discount([[1000.0], [10.0]], 200, 0.2, breaks, prices)
    assert got[0] == [500.0]
    assert got[1][0] == pytest.approx(im.eoq_discount_details(10, 200, 0.2, [0, 200, 500], [500, 475, 450]).order_qty)
    assert udfs.safety_stock([[0.3], [0.9]], 1, 1) == [[0.0], [pytest.approx(1.2815515655446004)]]
    with pytest.raises(udfs.FormulaArgumentError, match=r"^JXC.REORDER_POINT: safety_stock must be ≥ 0 \(got -5\)$"):
        udfs.reorder_point(1, 1, -5)


def test_demand_class_and_intermittent_reorder_point_through_the_adapter() -> None:
    rows = [[5, 0, 0, 6, 0, 0, 5, 0, 0, 6, 0, 0], [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9]]
    assert udfs.demand_class(rows) == [["间歇"], ["平稳"]]
    assert udfs.demand_class([rows[1]], "en") == "Smooth"  # one row is one series: one label
    with pytest.raises(xw.XlwingsError, match=r"JXC\.DEMAND_CLASS: lang"):
        udfs.demand_class(rows, "fr")
    got = udfs.reorder_point_intermittent([[0.2], [0.5]], 2.0, 7, 0.95)
    assert got == [[pytest.approx(float(v))] for v in im.reorder_point_intermittent(np.array([0.2, 0.5]), 2.0, 7, 0.95)]
    with pytest.raises(xw.XlwingsError, match=r"JXC\.REORDER_POINT_INTERMITTENT: service_level"):
        udfs.reorder_point_intermittent(1, 1, 7, 0)
