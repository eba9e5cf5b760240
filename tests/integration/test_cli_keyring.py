"""`token` under cron or SSH, where there is no D-Bus session bus: it says what is missing
and how to get it, not the window's "you will stay signed in only until you quit"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from frameio_desktop.core.errors import ExitCode
from frameio_desktop.core.keyring_help import no_keyring_explained
from frameio_desktop.demo.server import DemoServer
from tests.helpers.cli import flags_for


def test_token_without_a_session_bus_says_what_is_missing(demo: DemoServer) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")
    }
    result = subprocess.run(
        [sys.executable, "-m", "frameio_desktop", "token", *flags_for(demo.settings_flags())],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == ExitCode.NO_KEYRING, result.stderr
    assert "there is no D-Bus session bus" in result.stderr
    assert "DBUS_SESSION_BUS_ADDRESS" in result.stderr
    assert "only until you quit" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_explanation_names_the_desktop_bus_when_there_is_one(tmp_path: Path) -> None:
    bus = tmp_path / "bus"
    bus.touch()
    found = no_keyring_explained({}, "linux", bus)
    assert f"DBUS_SESSION_BUS_ADDRESS=unix:path={bus}" in found
    missing = no_keyring_explained({}, "linux", tmp_path / "none")
    assert "cron and SSH" in missing
    no_service = no_keyring_explained({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, "linux")
    assert "has no Secret Service" in no_service
