"""Registering the custom redirect scheme: desktop entries (with a recording xdg-mime) and the
Windows registry (with a fake registry). The real desktop chain is in tests/integration."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from frameio_desktop.core.browser import scheme
from frameio_desktop.core.browser.errors import SchemeRegistrationError

SCHEME = "adobe+abc123"
COMMAND = ["/opt/frameio desktop/bin/python", "-m", "frameio_desktop"]


def test_redirect_scheme() -> None:
    assert scheme.redirect_scheme("adobe+abc123://adobeid/client-123") == "adobe+abc123"
    assert scheme.redirect_scheme("com.example.App:/callback") == "com.example.app"
    assert scheme.redirect_scheme("http://127.0.0.1:5000/cb") is None
    assert scheme.redirect_scheme("https://app.example.test/cb") is None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["/usr/bin/python3", "-m", "frameio_desktop"], "/usr/bin/python3 -m frameio_desktop %u"),
        (["/opt/my app/run"], '"/opt/my app/run" %u'),
        (["/x/run", "50%"], "/x/run 50%% %u"),
        # Inside quotes $ is escaped with a backslash, and the string escape doubles it.
        (["/x/run", "a$b"], '/x/run "a\\\\$b" %u'),
        (["C:\\app\\run.exe"], '"C:\\\\\\\\app\\\\\\\\run.exe" %u'),
        (["/x/run", ""], '/x/run "" %u'),
    ],
)
def test_desktop_exec_quoting(command: list[str], expected: str) -> None:
    assert scheme.desktop_exec(command) == expected


class RecordingXdgMime:
    """Stands in for xdg-mime: remembers the default it was given, answers queries."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.defaults: dict[str, str] = {}

    def __call__(self, args: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        argv = list(args)
        self.calls.append(argv)
        out = ""
        if argv[1:3] == ["query", "default"]:
            out = self.defaults.get(argv[3], "") + "\n"
        elif argv[1] == "default":
            self.defaults[argv[3]] = argv[2]
        return subprocess.CompletedProcess(argv, 0, out, "")


@pytest.fixture
def xdg(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xdg-mime").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "xdg-mime").chmod(0o755)
    return {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
    }


def test_register_writes_a_desktop_entry_and_sets_the_default(xdg: dict[str, str]) -> None:
    run = RecordingXdgMime()
    outcome = scheme.register(SCHEME, COMMAND, platform="linux", environ=xdg, run=run)
    assert outcome.changed
    entry = Path(xdg["XDG_DATA_HOME"]) / "applications" / "frameio-desktop-url-adobe-abc123.desktop"
    text = entry.read_text()
    assert "MimeType=x-scheme-handler/adobe+abc123;\n" in text
    assert 'Exec="/opt/frameio desktop/bin/python" -m frameio_desktop %u\n' in text
    assert "NoDisplay=true" in text
    assert run.defaults == {"x-scheme-handler/adobe+abc123": entry.name}
    assert scheme.is_registered(SCHEME, COMMAND, platform="linux", environ=xdg, run=run)
    # Registering again changes nothing; another command is not "registered".
    again = scheme.register(SCHEME, COMMAND, platform="linux", environ=xdg, run=run)
    assert not again.changed
    assert not scheme.is_registered(SCHEME, ["/other"], platform="linux", environ=xdg, run=run)


def test_unregister_removes_the_entry_and_only_its_association(xdg: dict[str, str]) -> None:
    run = RecordingXdgMime()
    scheme.register(SCHEME, COMMAND, platform="linux", environ=xdg, run=run)
    mimeapps = Path(xdg["XDG_CONFIG_HOME"]) / "mimeapps.list"
    mimeapps.parent.mkdir(parents=True, exist_ok=True)
    file_id = scheme.desktop_file_id(SCHEME)
    mimeapps.write_text(
        "[Default Applications]\n"
        f"x-scheme-handler/{SCHEME}={file_id}\n"
        "text/html=firefox.desktop\n"
        "[Added Associations]\n"
        f"x-scheme-handler/{SCHEME}={file_id};other.desktop;\n"
    )
    outcome = scheme.unregister(SCHEME, platform="linux", environ=xdg)
    assert outcome.changed
    assert not (Path(xdg["XDG_DATA_HOME"]) / "applications" / file_id).exists()
    assert mimeapps.read_text() == (
        "[Default Applications]\n"
        "text/html=firefox.desktop\n"
        "[Added Associations]\n"
        f"x-scheme-handler/{SCHEME}=other.desktop;\n"
    )
    assert not scheme.unregister(SCHEME, platform="linux", environ=xdg).changed


def test_missing_xdg_mime_is_a_clear_error(xdg: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SchemeRegistrationError, match="xdg-utils"):
        scheme.register(SCHEME, COMMAND, platform="linux", environ={**xdg, "PATH": str(empty)})


def test_failing_xdg_mime_is_a_clear_error(xdg: dict[str, str]) -> None:
    def failing(args: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(list(args), 4, "", "no permission")

    with pytest.raises(SchemeRegistrationError, match="no permission"):
        scheme.register(SCHEME, COMMAND, platform="linux", environ=xdg, run=failing)


def test_macos_is_declared_by_the_bundle() -> None:
    outcome = scheme.register(SCHEME, COMMAND, platform="darwin")
    assert not outcome.changed
    assert "CFBundleURLTypes" in outcome.message


class FakeWinreg:
    """The few `winreg` calls the registration makes, over a dict of key paths."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1

    class Key:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> FakeWinreg.Key:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[int, str]]] = {}

    def _full(self, root: str, sub: str) -> str:
        return f"{root}\\{sub}".lower()

    def CreateKeyEx(self, root: str, sub: str) -> Key:  # noqa: N802 - winreg's names
        path = self._full(root, sub)
        parts = path.split("\\")
        for i in range(2, len(parts) + 1):
            self.keys.setdefault("\\".join(parts[:i]), {})
        return self.Key(path)

    def OpenKey(self, root: str, sub: str) -> Key:  # noqa: N802
        path = self._full(root, sub)
        if path not in self.keys:
            raise FileNotFoundError(path)
        return self.Key(path)

    def SetValueEx(self, key: Key, name: str, reserved: int, kind: int, value: str) -> None:  # noqa: N802
        self.keys[key.path][name] = (kind, value)

    def QueryValueEx(self, key: Key, name: str) -> tuple[str, int]:  # noqa: N802
        kind, value = self.keys[key.path][name]
        return value, kind

    def DeleteKey(self, root: str, sub: str) -> None:  # noqa: N802
        path = self._full(root, sub)
        if path not in self.keys:
            raise FileNotFoundError(path)
        if any(k.startswith(path + "\\") for k in self.keys):
            raise PermissionError("has subkeys")
        del self.keys[path]


def test_windows_registry() -> None:
    reg = FakeWinreg()
    exe = ["C:\\Program Files\\frameio-desktop\\frameio-desktop.exe"]
    outcome = scheme.register(SCHEME, exe, platform="win32", winreg=reg)
    assert outcome.changed
    base = "hkcu\\software\\classes\\adobe+abc123"
    assert reg.keys[base] == {"": (1, "URL:adobe+abc123"), "URL Protocol": (1, "")}
    assert reg.keys[base + "\\shell\\open\\command"] == {
        "": (1, '"C:\\Program Files\\frameio-desktop\\frameio-desktop.exe" "%1"')
    }
    assert scheme.is_registered(SCHEME, exe, platform="win32", winreg=reg)
    assert not scheme.is_registered(SCHEME, ["C:\\other.exe"], platform="win32", winreg=reg)
    assert scheme.unregister(SCHEME, platform="win32", winreg=reg).changed
    assert not any(k.startswith(base) for k in reg.keys)
    assert "hkcu\\software\\classes" in reg.keys  # the parents stay
    assert not scheme.unregister(SCHEME, platform="win32", winreg=reg).changed
    assert not scheme.is_registered(SCHEME, exe, platform="win32", winreg=reg)
