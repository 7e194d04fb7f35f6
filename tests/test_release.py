"""A release that installs: sdist + wheel from the working tree, twine check, and the wheel in a fresh venv.

The slow fixture copies the working tree (tracked and new files, as git lists them) into a temporary folder,
builds it with ``python -m build`` (the wheel is built from the sdist, so a file missing from the sdist shows),
checks both with ``twine check --strict``, installs the wheel into a fresh venv (its dependencies from the
package index) and runs the ``jxc`` command from that venv, far from the source tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from jxc_xl import __version__

ROOT = Path(__file__).resolve().parent.parent


def _copy_working_tree(target: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, files.split("\0")):
        src = ROOT / name
        if src.is_file():  # a tracked file deleted in the working tree is not part of it
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / name)
    return target


def _bin(env_dir: Path, name: str) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def _run(args: list[Any], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("release")
    src = _copy_working_tree(tmp / "src")
    dist = tmp / "dist"
    built = _run([sys.executable, "-m", "build", "--outdir", dist, src], cwd=tmp, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    twine = _run([sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir())], cwd=tmp)
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    wheel = next(dist.glob("*.whl"))
    pip = _run([_bin(env_dir, "python"), "-m", "pip", "install", "--quiet", wheel], cwd=tmp, timeout=1800)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return {"dist": dist, "twine": twine, "env": env_dir, "work": tmp}


@pytest.mark.slow
def test_build_gives_sdist_and_wheel_of_this_version_and_twine_passes(release: dict[str, Any]) -> None:
    names = sorted(p.name for p in release["dist"].iterdir())
    assert names == [f"jxc_xl-{__version__}-py3-none-any.whl", f"jxc_xl-{__version__}.tar.gz"]
    assert release["twine"].returncode == 0, release["twine"].stdout + release["twine"].stderr
    assert release["twine"].stdout.count("PASSED") == 2


@pytest.mark.slow
def test_installed_wheel_carries_its_version_types_and_no_scipy(release: dict[str, Any]) -> None:
    code = (
        "import importlib.metadata as md, importlib.util, pathlib, jxc_xl\n"
        "pkg = pathlib.Path(jxc_xl.__file__).parent\n"
        "print(jxc_xl.__version__, md.version('jxc-xl'), (pkg / 'py.typed').is_file(), pkg.parent.name)\n"
        "print(importlib.util.find_spec('scipy') is None)\n"
    )
    proc = _run([_bin(release["env"], "python"), "-c", code], cwd=release["work"])
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first == f"{__version__} {__version__} True site-packages"  # installed, not the source tree
    assert second == "True"  # scipy is no dependency any more


@pytest.mark.slow
def test_jxc_from_the_installed_wheel(release: dict[str, Any]) -> None:
    jxc, work = _bin(release["env"], "jxc"), release["work"]
    version = _run([jxc, "--version"], cwd=work)
    assert version.returncode == 0 and version.stdout.split() == ["jxc-xl", __version__], version
    demo = _run([jxc, "demo", work / "demo"], cwd=work)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    workbook = work / "demo" / "jxc_demo_2026-11.xlsx"
    assert workbook.is_file() and workbook.stat().st_size > 100_000
    checked = _run([jxc, "validate", workbook, "--json"], cwd=work)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr
    assert '"valid": true' in checked.stdout
    new = _run([jxc, "new", work / "empty.xlsx", "--period", "2027-01", "--lang", "en"], cwd=work)
    assert new.returncode == 0 and (work / "empty.xlsx").is_file(), new.stdout + new.stderr
    assert _run([jxc, "validate", work / "empty.xlsx"], cwd=work).returncode == 0
    addin = _run([jxc, "addin"], cwd=work)
    assert addin.returncode == 0 and f"jxc-xl=={__version__}" in addin.stdout.splitlines()
    inline = _run([jxc, "addin", "--inline", "--out", work / "lite"], cwd=work)
    assert inline.returncode == 0, inline.stderr
    main_py = (work / "lite" / "main.py").read_text(encoding="utf-8")
    assert re.search(r"_SOURCES\['jxc_xl.udfs'\] = \(False, \(", main_py)  # the installed wheel bundles itself
