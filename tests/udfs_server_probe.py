"""Run jxc_xl.udfs through xlwings' own Office.js machinery and print the results as JSON.

Started by tests/test_udfs_server.py in a subprocess with XLWINGS_ON_SERVER=true set
before xlwings is imported (that switch picks the Office.js decorators at import time).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import xlwings as xw
import xlwings.server
from officejs import custom_function_call  # tests/ is the script's folder

import jxc_xl.udfs as udfs

NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
DIV0 = {"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}


def call(func_name: str, args: list[Any]) -> dict[str, Any]:
    """Office.js-shaped request, as the add-in's custom-functions code sends it."""
    return custom_function_call(udfs, func_name, args)


def main() -> None:
    meta = xlwings.server.custom_functions_meta(udfs)
    namespaces = {
        name.upper(): xlwings.server.get_custom_function_namespace(obj, udfs)
        for name, obj in vars(udfs).items()
        if hasattr(obj, "__xlfunc__")
    }
    demand = [[float(100 + i)] for i in range(1000)]
    demand[10] = [None]  # an empty cell inside the range
    out = {
        "on_server": xw.on_server if hasattr(xw, "on_server") else None,
        "meta": meta,
        "namespaces": namespaces,
        "scalar": call("eoq", [[[1300]], [[8]], [[0.225]]]),
        "range_1000": call("eoq", [demand, [[8]], [[0.225]]]),
        "ss_defaults": call("safety_stock", [[[0.95]], [[0]], [[3]], [[5]], [[2]]]),
        "ss_omitted": call("safety_stock", [[[0.9]], [[5]], [[6]], None, None]),
        "abc": call("abc", [[[5000], [2500], [1000], [600], [400], [200], [150], [80], [50], [20]], None, None]),
        "forecast_row": call("forecast", [[[2, 4, 6, 8]], [[3]], [["holt"]], [[0.5]], [[0.5]], None, None, None]),
        "discount": call("eoq_discount", [[[1000]], [[200]], [[0.2]], [[0, 200, 500]], [[500, 475, 450]]]),
        "error_negative": call("eoq", [[[1], [2], [-5]], [[8]], [[0.225]]]),
        "error_text": call("safety_stock", [[["high"]], [[5]], [[6]], None, None]),
        # Office.js passes an error cell as an Excel.ErrorCellValue (allowErrorForDataTypeAny).
        "error_cell_range": call("eoq", [[[1300], [NA], [2600]], [[8]], [[0.225]]]),
        "error_cell_single": call("safety_stock", [[[DIV0]], [[5]], [[6]], None, None]),
        "error_cell_method": call("forecast", [[[2, 4, 6, 8]], [[1]], [[NA]], None, None, None, None, None]),
        "ss_low_service": call("safety_stock", [[[0.3]], [[1]], [[1]], None, None]),
        "rop_negative_ss": call("reorder_point", [[[1]], [[1]], [[-5]]]),
        "discount_cost": call("eoq_discount_cost", [[[1000]], [[200]], [[0.2]], [[0, 200, 500]], [[500, 475, 450]]]),
        "err_to_str": {
            name.upper(): [a["options"].get("err_to_str") for a in obj.__xlfunc__["args"]]
            for name, obj in vars(udfs).items()
            if hasattr(obj, "__xlfunc__")
        },
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
