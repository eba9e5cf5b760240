"""Build the installer bundle with build_installer.spec and run the frozen app's self-test.

This is what catches a missing QtWebEngineProcess, missing resources or templates, or a
keyring backend lost in freezing, before users do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import secret_service_missing

# The bundle is built inside the first test's set-up: minutes, not the default 120 s.
pytestmark = [pytest.mark.frozen, pytest.mark.timeout(1200)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("PyInstaller", reason="needs the build extra: pip install '.[build]'")
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_installer.py"),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        check=True,
        cwd=ROOT,
        timeout=900,
    )
    return out / "dist" / "frameio-desktop"


def run_frozen(bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # The frozen app must not lean on this checkout or its virtualenv.
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(bundle / "frameio-desktop"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=bundle.parent,
    )


def test_frozen_self_test_passes(bundle: Path) -> None:
    if secret_service_missing():
        pytest.skip(str(secret_service_missing()))
    result = run_frozen(bundle, "--self-test")
    lines = [line for line in result.stdout.splitlines() if line[:4] in ("ok  ", "FAIL")]
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "self-test passed" in result.stdout
    assert len(lines) == 10, lines
    assert all(line.startswith("ok") for line in lines)
    # The frozen executable started itself as the sign-in window; the window never
    # loaded QtWebEngine.
    assert any("no web engine in the window process" in line for line in lines)
    keyring_line = next(line for line in lines if "keyring backend" in line)
    assert "SecretService" in keyring_line
    assert "NOT SECURE" not in keyring_line


def test_frozen_cli_reports_version_and_exit_codes(bundle: Path) -> None:
    from frameio_desktop import __version__

    version = run_frozen(bundle, "--version")
    assert version.stdout.strip() == f"frameio-desktop {__version__}"
    not_signed_in = run_frozen(
        bundle,
        "token",
        "--client-id",
        "x",
        "--redirect-uri",
        "http://127.0.0.1:9/cb",
        "--profile",
        "frozen-nobody",
    )
    assert not_signed_in.returncode in (3, 6), not_signed_in.stderr


def test_bundle_is_trimmed(bundle: Path) -> None:
    internal = bundle / "_internal"
    assert (internal / "PySide6" / "Qt" / "libexec" / "QtWebEngineProcess").is_file()
    assert not (internal / "PySide6" / "Qt" / "qml").exists()
    assert not list(internal.rglob("libQt63D*"))
    locales = list((internal / "PySide6" / "Qt" / "translations").rglob("*.pak"))
    assert [p.name for p in locales] == ["en-US.pak"]
