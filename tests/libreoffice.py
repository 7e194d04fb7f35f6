"""LibreOffice Calc headless as a formula engine for tests.

``recalc(path, outdir)`` opens an xlsx with a private profile that forces recalculation of every formula on
load (OOXMLRecalcMode=0; by default LibreOffice keeps cached values), saves the result as xlsx in ``outdir``
and returns that file: read it with ``openpyxl.load_workbook(out, data_only=True)``. The converted file is
for reading computed values only (LibreOffice drops calculated-column formulas and frozen panes).

``require_soffice()`` skips the calling test when LibreOffice is missing, but fails it when ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
TIMEOUT_S = 180


def soffice_path() -> str | None:
    """The soffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """The soffice path; skips the test when missing (fails instead when the env var CI is 'true')."""
    exe = soffice_path()
    if exe is None:
        msg = "LibreOffice (soffice) is not installed; apt-get install -y libreoffice-calc"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


def make_profile(directory: Path) -> Path:
    """A private LibreOffice user profile that recalculates xlsx formulas on load."""
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    return directory


def convert(path: Path | str, outdir: Path | str, fmt: str = "xlsx", profile: Path | None = None) -> Path:
    """``soffice --convert-to fmt`` of ``path`` into ``outdir`` with a private (recalculating) profile."""
    exe = require_soffice()
    path, outdir = Path(path).resolve(), Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jxc-lo-") as tmp:
        prof = profile or make_profile(Path(tmp) / "profile")
        cmd = [
            exe,
            f"-env:UserInstallation={prof.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(path),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    out = outdir / f"{path.stem}.{fmt.split(':')[0]}"
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(
            f"LibreOffice could not convert {path} to {fmt} (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return out


def recalc(path: Path | str, outdir: Path | str) -> Path:
    """Open ``path`` in LibreOffice with forced recalculation; return the saved xlsx in ``outdir``.

    ``outdir`` must differ from the folder of ``path`` (the output keeps the file name).
    """
    if Path(outdir).resolve() == Path(path).resolve().parent:
        raise ValueError(f"outdir {outdir} must differ from the folder of {path}: the output keeps its name")
    return convert(path, outdir, "xlsx")


SOFFICE_LOCK = Path("/tmp/soffice.lock")  # one LibreOffice at a time on this machine (shared by test runs)


def _soffice_batch(exe: str, profile: Path, paths: list[Path], outdir: Path, fmt: str, timeout: float) -> bool:
    """One ``soffice --convert-to`` over ``paths``; False when it timed out (its process group is killed: the
    soffice script starts soffice.bin, which would outlive a kill of the script alone)."""
    import signal

    cmd = [exe, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore"]
    cmd += ["--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return False


def convert_many(
    paths: list[Path], outdir: Path | str, fmt: str = "csv", *, chunk: int = 60, timeout: float = 900
) -> set[Path]:
    """The ``paths`` LibreOffice opens: each converted to ``fmt`` in ``outdir``, ``chunk`` files per soffice call
    (one call per file costs a LibreOffice start each), under an exclusive lock on ``SOFFICE_LOCK``. The stems of
    ``paths`` must differ (the output is ``STEM.fmt``). A call that times out is retried file by file, so a file
    LibreOffice hangs on fails alone. Skips the test without soffice (fails when CI=true)."""
    import fcntl

    exe = require_soffice()
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    ext = fmt.split(":")[0]
    with tempfile.TemporaryDirectory(prefix="jxc-lo-") as tmp, SOFFICE_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        profile = Path(tmp) / "profile"
        for start in range(0, len(paths), chunk):
            part = [p.resolve() for p in paths[start : start + chunk]]
            if not _soffice_batch(exe, profile, part, outdir, fmt, timeout):
                for p in part:
                    if not (outdir / f"{p.stem}.{ext}").exists():
                        _soffice_batch(exe, profile, [p], outdir, fmt, min(timeout, 120))
    return {p for p in paths if (outdir / f"{Path(p).stem}.{ext}").exists()}
