"""One custom-function call as the Office.js add-in sends it, through xlwings' own server machinery.

Shared by the probes (tests/udfs_server_probe.py, tests/lite_inline_probe.py), which run as scripts with
XLWINGS_ON_SERVER=true. Imports xlwings only — never jxc_xl — so the Lite probe stays free of the package.
"""

from __future__ import annotations

import asyncio
import types
from typing import Any

import xlwings as xw
import xlwings.server


def custom_function_call(module: types.ModuleType, func_name: str, args: list[Any]) -> dict[str, Any]:
    """``{"result": …}``, or ``{"error": text, "is_xlwings_error": bool}`` when the call raises."""
    data = {
        "func_name": func_name,
        "args": args,
        "caller_address": "Excel[Book1.xlsx]Sheet1!B2",
        "content_language": "en-US",
        "version": xw.__version__,
        "client": "Office.js",
        "runtime": "1.4",
    }
    try:
        return {"result": asyncio.run(xlwings.server.custom_functions_call(data, module))}
    except Exception as exc:  # reported to the test, which asserts on type and text
        return {"error": str(exc), "is_xlwings_error": isinstance(exc, xw.XlwingsError)}
