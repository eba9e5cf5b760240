"""Build the installer bundle with build_installer.spec and run the frozen app's self-test.

This is what catches a missing QtWebEngineProcess, missing resources or templates, or a
keyring backend lost in freezing, before users do. Paths and expectations per system
come from tests/frozen/layout.py.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tests.frozen import layout
from tests.frozen.conftest import Built
from tests.helpers.cli import secret_service_missing

pytestmark = [pytest.mark.frozen, pytest.mark.timeout(1800)]  # the first one builds


def run_frozen(executable: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # The frozen app must not lean on this checkout or its virtualenv.
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(executable), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=executable.parent.parent,
    )


def check_self_test(result: subprocess.CompletedProcess[str]) -> None:
    """The self-test's report: every step ok, the system's own keyring, and the window
    process never loaded QtWebEngine (the frozen executable started itself as the
    sign-in window)."""
    lines = [line for line in result.stdout.splitlines() if line[:4] in ("ok  ", "FAIL")]
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "self-test passed" in result.stdout
    assert len(lines) >= 10, lines
    assert all(line.startswith("ok") for line in lines)
    assert any("no web engine in the window process" in line for line in lines)
    keyring_line = next(line for line in lines if "keyring backend" in line)
    assert layout.keyring_backend() in keyring_line
    assert "NOT SECURE" not in keyring_line


def test_frozen_self_test_passes(built: Built) -> None:
    if secret_service_missing():
        pytest.skip(str(secret_service_missing()))
    check_self_test(run_frozen(built.executable, "--self-test"))


def test_frozen_cli_reports_version_and_exit_codes(built: Built) -> None:
    from frameio_desktop import __version__

    cli = layout.console_executable(built.dist)
    version = run_frozen(cli, "--version")
    assert version.stdout.strip() == f"frameio-desktop {__version__}"
    not_signed_in = run_frozen(
        cli,
        "token",
        "--client-id",
        "x",
        "--redirect-uri",
        "adobe+0a1b2c3d://adobeid/x",  # IMS takes no http:// redirect
        "--profile",
        "frozen-nobody",
    )
    assert not_signed_in.returncode in (3, 6), not_signed_in.stderr


def test_bundle_is_trimmed(built: Built) -> None:
    files = layout.web_engine_files(built.dist)
    for name in ("helper", "icu", "resources"):
        assert files[name].is_file(), name
    internal = layout.internal(built.dist)
    assert not list(internal.rglob("qml"))
    assert not list(internal.rglob("*Qt*3D*"))
    assert not list(internal.rglob("qtwebengine_devtools_resources*"))
    assert not list(internal.rglob("*.qm"))
    locales = sorted(p.name for p in files["locales"].iterdir())
    if sys.platform == "darwin":  # Chromium on macOS has no fall-back to en-US: all stay
        assert "en-US.pak" in locales
        assert len(locales) > 50
    else:
        assert locales == ["en-US.pak"]


def test_installers_are_named_by_system_and_architecture(built: Built) -> None:
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    deb_arch = None
    if sys.platform.startswith("linux"):
        deb_arch = subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    assert [p.name for p in built.installers] == layout.installer_names(arch, deb_arch)
