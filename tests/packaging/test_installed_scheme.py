"""An installed app and its installer's scheme handler: the app leaves the installer's
registration alone, and register-scheme names the windowed executable on Windows, also
when the console twin runs it (a console window would flash on every redirect)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frameio_desktop.core.browser import scheme


class FakeWinreg:
    """The part of winreg the registration uses, over a dict of keys."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}

    class _Key:
        def __init__(self, values: dict[str, str]) -> None:
            self.values = values

        def __enter__(self) -> FakeWinreg._Key:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def CreateKeyEx(self, _root: str, path: str) -> _Key:  # noqa: N802 - winreg's names
        return self._Key(self.keys.setdefault(path, {}))

    def OpenKey(self, _root: str, path: str) -> _Key:  # noqa: N802
        if path not in self.keys:
            raise FileNotFoundError(path)
        return self._Key(self.keys[path])

    def SetValueEx(self, key: _Key, name: str, _r: int, _t: int, value: str) -> None:  # noqa: N802
        key.values[name] = value

    def QueryValueEx(self, key: _Key, name: str) -> tuple[str, int]:  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(name)
        return key.values[name], self.REG_SZ

    def DeleteKey(self, _root: str, path: str) -> None:  # noqa: N802
        if path not in self.keys:
            raise FileNotFoundError(path)
        del self.keys[path]


@pytest.fixture
def frozen_windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "Frame.io Desktop"
    folder.mkdir()
    for name in ("frameio-desktop.exe", "frameio-desktop-cli.exe"):
        (folder / name).write_bytes(b"MZ")
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setattr("sys.executable", str(folder / "frameio-desktop-cli.exe"))
    return folder


def test_register_scheme_from_the_console_twin_names_the_windowed_exe(
    frozen_windows: Path,
) -> None:
    command = scheme.handler_command()
    assert command == [str(frozen_windows / "frameio-desktop.exe"), scheme.HANDOFF_SWITCH]
    winreg: Any = FakeWinreg()
    scheme.register("adobe+0a1b2c", platform="win32", winreg=winreg)
    value = winreg.keys[r"Software\Classes\adobe+0a1b2c\shell\open\command"][""]
    assert "frameio-desktop.exe" in value
    assert "frameio-desktop-cli.exe" not in value
    # ... and the windowed exe sees that registration as its own.
    assert scheme.is_registered("adobe+0a1b2c", platform="win32", winreg=winreg)


def test_the_console_twin_as_frameio_desktop_com_names_the_windowed_exe(
    frozen_windows: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installer also puts the console twin in place as frameio-desktop.com (so a
    typed `frameio-desktop` can print): run from there, register-scheme and start at login
    still name frameio-desktop.exe, not the .com beside it."""
    from frameio_desktop.core.background import BACKGROUND_SWITCH, background_command

    monkeypatch.setattr("sys.executable", str(frozen_windows / "frameio-desktop.com"))
    windowed = str(frozen_windows / "frameio-desktop.exe")
    assert scheme.handler_command() == [windowed, scheme.HANDOFF_SWITCH]
    assert background_command() == [windowed, BACKGROUND_SWITCH]


def test_inno_setups_uninstaller_marks_an_installed_app(frozen_windows: Path) -> None:
    assert not scheme.registered_by_installer(platform="win32")
    (frozen_windows / "unins000.exe").write_bytes(b"MZ")
    assert scheme.registered_by_installer(platform="win32")


def test_an_installed_app_leaves_registration_to_its_installer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An installed app does not register at sign-in; an unpacked folder still does."""
    pytest.importorskip("PySide6")
    monkeypatch.setattr("sys.frozen", True, raising=False)
    from frameio_desktop.gui.system_browser_host import SystemBrowserHosts

    monkeypatch.setattr(scheme, "registered_by_installer", lambda: True)
    assert not SystemBrowserHosts().register_scheme
    monkeypatch.setattr(scheme, "registered_by_installer", lambda: False)
    assert SystemBrowserHosts().register_scheme
    assert SystemBrowserHosts(register_scheme=True).register_scheme  # asked for: always


def test_installed_elsewhere(tmp_path: Path) -> None:
    deb = "/opt/frameio-desktop/frameio-desktop"
    assert scheme.registered_by_installer(deb, frozen=True, platform="linux")
    unpacked = str(tmp_path / "frameio-desktop" / "frameio-desktop")
    assert not scheme.registered_by_installer(unpacked, frozen=True, platform="linux")
    mac = "/Applications/Frame.io Desktop.app/Contents/MacOS/frameio-desktop"
    assert scheme.registered_by_installer(mac, frozen=True, platform="darwin")
    assert not scheme.registered_by_installer(deb, frozen=False, platform="linux")
