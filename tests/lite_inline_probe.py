"""Run an xlwings Lite ``main.py`` through xlwings' Office.js machinery and print what it did as JSON.

Started by tests/test_lite_inline.py with XLWINGS_ON_SERVER=true, twice: with the package's main.py in the
project's venv, and with the inline main.py (`jxc addin --inline`) in a fresh venv that holds only numpy,
pandas, pydantic and xlwings. It imports nothing of jxc-xl (of the tests only officejs.py, which imports
xlwings alone): everything comes from the main.py it is given. Reads JSON on stdin: {"main_py": path,
"books": {name: book JSON as the Office.js client sends it}, "calls": {label: [function name, args]},
"require_no_jxc": bool}.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import io
import json
import sys
import types
from typing import Any

import xlwings as xw
import xlwings.server
from officejs import custom_function_call  # tests/officejs.py: xlwings only, no jxc_xl


def _load_main(path: str) -> types.ModuleType:
    """main.py as xlwings Lite runs it: executed as the module ``main``."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    main = types.ModuleType("main")
    main.__file__ = path
    sys.modules["main"] = main
    exec(compile(source, path, "exec"), main.__dict__)
    return main


def _script(main: types.ModuleType, name: str, book_json: dict[str, Any]) -> dict[str, Any]:
    """One @script run as Lite runs the button: by name, the book injected by type hint."""
    book = xw.Book(json=book_json)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            ret = asyncio.run(xlwings.server.custom_scripts_call(main, name, typehint_to_value={xw.Book: book}))
        return {"actions": ret.json()["actions"], "output": printed.getvalue()}
    except Exception as exc:  # a refusal: reported to the test, which compares type and text
        return {"error": f"{type(exc).__name__}: {exc}", "actions": book.json()["actions"]}


def _call(main: types.ModuleType, func_name: str, args: list[Any]) -> dict[str, Any]:
    return custom_function_call(main, func_name, args)


def main() -> None:
    request = json.load(sys.stdin)
    jxc_installed = importlib.util.find_spec("jxc_xl") is not None
    if request.get("require_no_jxc") and jxc_installed:
        raise SystemExit("jxc_xl is importable before main.py runs: the inline test would prove nothing")
    main_py = _load_main(request["main_py"])
    out = {
        "jxc_installed": jxc_installed,
        "jxc_file": getattr(sys.modules.get("jxc_xl"), "__file__", None),
        "scripts": xlwings.server.custom_scripts_meta(main_py),
        "functions": xlwings.server.custom_functions_meta(main_py),
        "runs": {
            name: {s: _script(main_py, s, book) for s in ("jxc_sync", "jxc_sync_en")}
            for name, book in request["books"].items()
        },
        "calls": {label: _call(main_py, func, args) for label, (func, args) in request["calls"].items()},
        "modules": sorted({m.split(".")[0] for m in sys.modules}),
    }
    json.dump(out, sys.stdout, default=str, ensure_ascii=False)


if __name__ == "__main__":
    main()
