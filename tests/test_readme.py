"""The README is part of the API: its Python examples run, and every command of `jxc` is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jxc_xl
from jxc_xl.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.slow
def test_python_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    blocks = _python_blocks()
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    printed = capsys.readouterr().out
    assert "True 0" in printed  # the demo month validates without errors
    assert "{'files': 2, 'valid': 2, 'errors': 0" in printed  # the demo month and the month close created
    assert (tmp_path / "demo" / "jxc_demo_2026-12.xlsx").is_file()
    assert (tmp_path / "demo" / "empty.xlsx").is_file()
    assert "no-such-file.xlsx" in printed


def test_every_public_name_resolves_and_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    assert set(jxc_xl.__all__) == {"__version__", *jxc_xl._EXPORTS}
    for name in jxc_xl.__all__:
        obj = getattr(jxc_xl, name)
        assert obj is not None
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__ and "Returns" in obj.__doc__, f"{name}: docstring must say what it returns"
    used = set(re.findall(r"from jxc_xl import ([\w, ]+)", text))
    named = {n.strip() for line in used for n in line.split(",")} - {""}
    assert named <= set(jxc_xl.__all__), named - set(jxc_xl.__all__)


def test_importing_the_package_loads_no_file_format_or_excel_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, jxc_xl\n"
        "bad = {'pandas', 'xlwings', 'python_calamine', 'xlsxwriter', 'openpyxl'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_command_is_in_the_readme_commands_table() -> None:
    text = README.read_text(encoding="utf-8")
    commands = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert commands
    for name in commands:
        assert re.search(rf"^\| `jxc {name}\b", text, flags=re.M), f"jxc {name} is not in the README's Commands"
