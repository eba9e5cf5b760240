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
from tests.helpers.winreg import FakeWinreg

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


def test_windows_registry() -> None:
    reg = FakeWinreg()
    exe = ["C:\\Program Files\\frameio-desktop\\frameio-desktop.exe"]
    outcome = scheme.register(SCHEME, exe, platform="win32", winreg=reg)
    assert outcome.changed
    base = "hkcu\\software\\classes\\adobe+abc123"
    assert reg.keys[base] == {
        "": (1, "URL:adobe+abc123"),
        "URL Protocol": (1, ""),
        "frameio-desktop": (1, "sign-in handler"),  # our mark
    }
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


def test_windows_leaves_another_apps_key_alone() -> None:
    """Issue 19: register-scheme overwrote, and unregister-scheme deleted, another app's
    HKCU\\Software\\Classes\\<scheme>. Only keys with our mark are ours."""
    reg = FakeWinreg()
    base = "Software\\Classes\\com.example.other"
    with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, base + "\\shell\\open\\command") as key:
        reg.SetValueEx(key, "", 0, reg.REG_SZ, '"C:\\Other\\other.exe" "%1"')
    before = {k: dict(v) for k, v in reg.keys.items()}
    with pytest.raises(SchemeRegistrationError, match="another app"):
        scheme.register("com.example.other", ["C:\\fd.exe"], platform="win32", winreg=reg)
    outcome = scheme.unregister("com.example.other", platform="win32", winreg=reg)
    assert not outcome.changed
    assert "another app" in outcome.message
    assert reg.keys == before
    assert not scheme.is_registered(
        "com.example.other", ['"C:\\Other\\other.exe"'], platform="win32", winreg=reg
    )


@pytest.mark.parametrize("name", ["mailto", "vscode", "http", "https", "file", "tel", "ssh"])
def test_well_known_schemes_are_refused(name: str, xdg: dict[str, str]) -> None:
    run = RecordingXdgMime()
    with pytest.raises(SchemeRegistrationError, match="well-known scheme"):
        scheme.register(name, COMMAND, platform="linux", environ=xdg, run=run)
    with pytest.raises(SchemeRegistrationError, match="well-known scheme"):
        scheme.register(name, COMMAND, platform="win32", winreg=FakeWinreg())
    assert run.calls == []
    assert not (Path(xdg["XDG_DATA_HOME"]) / "applications").exists()


@pytest.mark.parametrize(
    ("name", "private"),
    [
        ("adobe+abc123", True),
        ("com.example.app", True),
        ("io.frame.desktop", True),
        ("myapp", False),
        ("adobe+xyz", False),
        ("com.", False),
        ("web+mailto", False),
    ],
)
def test_only_private_use_schemes(name: str, private: bool) -> None:
    assert (scheme.private_use_problem(name) is None) is private


def test_the_registered_command_runs_without_the_working_folder_and_a_fixed_switch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From source: `python -P -m frameio_desktop --handoff-url %u` (a `./frameio_desktop/`
    in the launcher's folder must not run); Windows: `"exe" --handoff-url "%1"`, so a URL
    can never become options."""
    monkeypatch.delattr("sys.frozen", raising=False)
    command = scheme.handler_command()
    assert command[1:] == ["-P", "-m", "frameio_desktop", "--handoff-url"]
    monkeypatch.setattr("sys.frozen", True, raising=False)
    frozen = scheme.handler_command()
    assert frozen[1:] == ["--handoff-url"]
    assert scheme._windows_command(["C:\\fd.exe", *frozen[1:]]) == ('C:\\fd.exe --handoff-url "%1"')


def test_the_registered_handler_ignores_a_planted_package_and_takes_no_options(
    tmp_path: Path,
) -> None:
    """The command register-scheme writes, run as the desktop runs it from the launcher's
    working folder: a planted `./frameio_desktop/` does not run, and what follows the
    handoff switch is only ever a sign-in address."""
    import os

    planted = tmp_path / "frameio_desktop"
    planted.mkdir()
    marker = tmp_path / "planted-ran"
    for name in ("__init__.py", "__main__.py"):
        (planted / name).write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    env.pop("PYTHONPATH", None)

    def run(argument: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*scheme.handler_command(), argument],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    handed = run("adobe+abc123://adobeid/x?code=c&state=s")
    assert handed.returncode == 7, handed.stderr  # nobody waiting: the real handoff ran
    assert not marker.exists()
    option = run("--self-test")
    assert option.returncode == 2
    assert "takes one sign-in address" in option.stderr


def test_register_scheme_refuses_a_well_known_scheme_from_the_settings(tmp_path: Path) -> None:
    """Through the command line: a settings file may name any redirect URI."""
    from tests.helpers.cli import run_cli

    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = run_cli(
        ["register-scheme", "--client-id", "c", "--redirect-uri", "vscode://x/cb"],
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "vscode: is a well-known scheme" in result.stderr
    assert not (tmp_path / "data" / "applications").exists()
