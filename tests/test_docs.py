"""docs/workbook.md is generated from the schema and must stay current."""

from __future__ import annotations

from pathlib import Path

from jxc_xl import docs
from jxc_xl.core.findings import CODES
from jxc_xl.schema import SETTINGS, TABLES


def test_committed_doc_equals_render() -> None:
    assert docs.DOC_PATH.exists(), "run: python -m jxc_xl.docs"
    assert docs.DOC_PATH.read_text(encoding="utf-8") == docs.render(), "stale; run: python -m jxc_xl.docs"


def test_render_names_every_table_column_setting_and_code() -> None:
    text = docs.render()
    for t in TABLES:
        assert f"### {t.name} — {t.zh_sheet} / {t.en_sheet}" in text
        section = text.split(f"### {t.name} —", 1)[1].split("\n### ", 1)[0]
        for c in t.columns:
            assert f"| `{c.key}` | {c.zh} | {c.en} | {c.type.value} |" in section, (t.name, c.key)
    for s in SETTINGS:
        assert f"| `{s.key}` | {s.zh} | {s.en} |" in text
    for code, severity in CODES.items():
        assert f"| `{code}` | {severity} |" in text


def test_check_mode_detects_a_stale_file(tmp_path: Path, monkeypatch) -> None:
    stale = tmp_path / "workbook.md"
    stale.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(docs, "DOC_PATH", stale)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0
    assert stale.read_text(encoding="utf-8") == docs.render()
    assert docs.main(["--check"]) == 0
