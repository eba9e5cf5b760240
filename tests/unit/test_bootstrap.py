"""scripts/bootstrap installs once per pyproject.toml: a later run asking for fewer extras
(scripts/demo after scripts/test) installs nothing, and pip's pages of build warnings stay
in a log unless the install fails. Run against a fake `.venv/bin/python` that records its
calls."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../calls"
case "$*" in *"pip install"*) echo "a page of setuptools warnings" >&2; exit ${FAIL:-0};; esac
exit 0
"""


def checkout(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap", tmp_path / "scripts" / "bootstrap")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def bootstrap(root: Path, extras: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(root / "scripts" / "bootstrap"), extras],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **env},
    )


def pip_runs(root: Path) -> int:
    calls = root / ".venv" / "calls"
    return calls.read_text().count("pip install") if calls.exists() else 0


def test_fewer_extras_after_more_install_nothing(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    first = bootstrap(root, "gui,demo,test,lint,build")
    assert first.returncode == 0, first.stderr
    assert pip_runs(root) == 2  # pip itself, then the package
    assert "setuptools warnings" not in first.stderr  # kept in the log
    again = bootstrap(root, "gui,demo")
    assert again.returncode == 0, again.stderr
    assert pip_runs(root) == 2
    assert again.stderr == ""
    more = bootstrap(root, "gui,demo,packaging")  # an extra not installed yet
    assert more.returncode == 0, more.stderr
    assert pip_runs(root) == 4


def test_a_failed_install_shows_its_log_and_fails(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    failed = bootstrap(root, "gui", FAIL="1")
    assert failed.returncode != 0
    assert "setuptools warnings" in failed.stderr
    assert not list((root / ".venv").glob(".installed-*"))
