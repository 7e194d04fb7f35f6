"""The shape of the package: modules of one job, functions readable at once, a core free of adapters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jxc_xl"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
# Declarative data, not logic: the contract's tables and columns.
DECLARATIVE = {"schema.py"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _rel(p: Path) -> str:
    return p.relative_to(PACKAGE).as_posix()


def test_no_module_is_over_the_limit() -> None:
    long = {
        _rel(p): n
        for p in _modules()
        if _rel(p) not in DECLARATIVE and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"modules over {MAX_MODULE_LINES} lines: cut them at their seams"


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_function_is_over_the_limit() -> None:
    long = {}
    for p in _modules():
        for fn in _functions(ast.parse(p.read_text(encoding="utf-8"))):
            n = (fn.end_lineno or fn.lineno) - fn.lineno + 1
            if n > MAX_FUNCTION_LINES:
                long[f"{_rel(p)}:{fn.lineno} {fn.name}"] = n
    assert long == {}, f"functions over {MAX_FUNCTION_LINES} lines"


ADAPTERS = ("xlwings", "xlsxwriter", "python_calamine", "openpyxl", "typer", "rich", "zipfile", "jxc_xl.io")


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            names.update(a.name for a in n.names)
        elif isinstance(n, ast.ImportFrom) and n.module:
            names.add(n.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").rglob("*.py")), ids=_rel)
def test_core_imports_no_adapter_and_no_file_format(path: Path) -> None:
    imported = _imported(ast.parse(path.read_text(encoding="utf-8")))
    bad = {m for m in imported if m.startswith(ADAPTERS) or m in ("jxc_xl.cli", "jxc_xl.excel", "jxc_xl.udfs")}
    assert bad == set()


@pytest.mark.slow
def test_core_runs_without_xlwings_and_file_readers() -> None:
    code = (
        "import sys, importlib, pkgutil, jxc_xl.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'jxc_xl.core.'): importlib.import_module(m.name)\n"
        "bad = {'xlwings', 'xlsxwriter', 'python_calamine', 'openpyxl', 'typer'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_message_catalog_defines_each_key_once() -> None:
    from jxc_xl.core.messages import TEXT_SECTIONS, WORDS

    assert len(WORDS) == sum(len(s) for s in TEXT_SECTIONS)
