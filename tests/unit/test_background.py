"""Running in the background without Qt (core/background.py): the preferences, the start-at-
login entry of each system (temporary XDG folders, a fake registry, a temporary home), and
how long a hidden app sleeps."""

from __future__ import annotations

import plistlib
import shlex
from datetime import timedelta
from pathlib import Path

import pytest

from frameio_desktop.core.background import (
    BACKGROUND_SWITCH,
    LONGEST_HIDDEN_WAIT,
    RUN_KEY,
    RUN_VALUE,
    Autostart,
    BackgroundPrefs,
    background_command,
    hidden_wait,
    load_prefs,
    prefs_path,
    save_prefs,
)
from tests.helpers.fakes import FakeClock, make_tokens
from tests.helpers.winreg import FakeWinreg

COMMAND = ["/opt/frameio desktop/frameio-desktop", BACKGROUND_SWITCH]


def test_the_defaults_keep_signed_in_and_do_not_start_at_login(tmp_path: Path) -> None:
    assert load_prefs(tmp_path / "none.json") == BackgroundPrefs(True, False)
    (tmp_path / "bad.json").write_text("{not json")
    assert load_prefs(tmp_path / "bad.json") == BackgroundPrefs(True, False)
    (tmp_path / "odd.json").write_text('{"keep_signed_in": "no", "start_at_login": true}')
    assert load_prefs(tmp_path / "odd.json") == BackgroundPrefs(True, True)


def test_preferences_are_kept_beside_the_settings() -> None:
    save_prefs(BackgroundPrefs(keep_signed_in=False, start_at_login=True))
    assert prefs_path().parent.name == "frameio-desktop"
    assert load_prefs() == BackgroundPrefs(False, True)


def test_linux_autostart_entry(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    autostart = Autostart(COMMAND, platform="linux", environ=environ)
    assert not autostart.enabled()
    autostart.enable()
    entry = tmp_path / "config" / "autostart" / "frameio-desktop.desktop"
    assert autostart.enabled()
    lines = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    assert lines["Type"] == "Application"
    assert shlex.split(lines["Exec"]) == COMMAND  # quoted as the spec says
    assert lines["TryExec"] == COMMAND[0]  # skipped once the program is uninstalled
    autostart.disable()
    assert not entry.exists()
    assert not autostart.enabled()
    autostart.disable()  # nothing there: nothing to do


def test_windows_run_key() -> None:
    reg = FakeWinreg()
    command = ["C:\\Program Files\\Frame.io Desktop\\frameio-desktop.exe", BACKGROUND_SWITCH]
    autostart = Autostart(command, platform="win32", winreg=reg)
    assert not autostart.enabled()
    autostart.enable()
    assert autostart.enabled()
    value, _ = reg.QueryValueEx(reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY), RUN_VALUE)
    assert value == '"C:\\Program Files\\Frame.io Desktop\\frameio-desktop.exe" --background'
    autostart.disable()
    assert not autostart.enabled()
    autostart.disable()


def test_macos_launch_agent(tmp_path: Path) -> None:
    autostart = Autostart(COMMAND, platform="darwin", environ={"HOME": str(tmp_path)})
    autostart.enable()
    agent = tmp_path / "Library" / "LaunchAgents" / "io.github.frameio-desktop.plist"
    plist = plistlib.loads(agent.read_bytes())
    assert plist["ProgramArguments"] == COMMAND
    assert plist["RunAtLoad"] is True
    assert autostart.enabled()
    autostart.disable()
    assert not agent.exists()


def test_from_source_the_command_runs_this_python() -> None:
    command = background_command()
    assert command[-2:] == ["frameio_desktop", BACKGROUND_SWITCH]
    assert "-P" in command  # the working folder stays off the import path


@pytest.mark.parametrize(
    ("refresh", "lifetime", "elapsed", "wait"),
    [
        ("r", 3600, 0, LONGEST_HIDDEN_WAIT),  # refresh due in 55 min: a minute's sleep
        ("r", 3600, 3270, timedelta(seconds=30)),  # due 5 min before the end
        ("r", 3600, 3400, timedelta(seconds=1)),  # overdue: look at once
        (None, 3600, 2680, timedelta(seconds=20)),  # renewal due 15 min before the end
        (None, 3600, 2800, timedelta(seconds=60)),  # renewal overdue: then the end
        (None, 3600, 3590, timedelta(seconds=10)),
    ],
)
def test_a_hidden_app_sleeps_until_the_next_thing_is_due(
    refresh: str | None, lifetime: int, elapsed: int, wait: timedelta
) -> None:
    clock = FakeClock()
    tokens = make_tokens(clock.now, refresh=refresh, lifetime=lifetime)
    clock.advance(elapsed)
    assert hidden_wait(tokens, clock.now) == wait
    assert hidden_wait(None, clock.now) == LONGEST_HIDDEN_WAIT


def test_the_windows_uninstaller_removes_the_start_at_login_value() -> None:
    """Inno Setup's uninstall step deletes the value `Autostart` writes (the .iss is
    evaluated by ISCC on Windows; here its text is held to the same key and name)."""
    iss = Path(__file__).parents[2] / "packaging" / "windows" / "frameio-desktop.iss"
    script = iss.read_text()
    uninstall = script[script.index("procedure CurUninstallStepChanged") :]
    assert f"RegDeleteValue(HKEY_CURRENT_USER, '{RUN_KEY}', '{RUN_VALUE}')" in uninstall
