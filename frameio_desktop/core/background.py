"""Running in the background: the two preferences, and starting at login. No Qt.

- **Keep me signed in in the background** (on by default): closing the window leaves the
  app running with its tray icon, renewing the sign-in and answering scripts.
- **Start at login** (off by default): the desktop starts `frameio-desktop --background`
  (hidden) when the person logs in. Linux and the BSDs: an XDG autostart entry
  (`$XDG_CONFIG_HOME/autostart/frameio-desktop.desktop`); Windows: a value of the per-user
  `Run` key; macOS: a per-user LaunchAgent. Turning it off removes the entry.

The preferences are not sign-in settings: they live in `background.json` beside
`settings.json` (same folder rules), one per user, not per profile.
"""

from __future__ import annotations

import json
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from frameio_desktop.core import timing
from frameio_desktop.core.settings import default_settings_path
from frameio_desktop.core.tokens import TokenSet

#: The switch that starts the app hidden (what the autostart entries run).
BACKGROUND_SWITCH = "--background"
AUTOSTART_FILE = "frameio-desktop.desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Frame.io Desktop"
LAUNCH_AGENT = "io.github.frameio-desktop"


@dataclass(frozen=True)
class BackgroundPrefs:
    keep_signed_in: bool = True
    start_at_login: bool = False


def prefs_path() -> Path:
    return default_settings_path().with_name("background.json")


def load_prefs(path: Path | None = None) -> BackgroundPrefs:
    """The saved preferences; the defaults for a missing or unreadable file."""
    try:
        data = json.loads((path or prefs_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return BackgroundPrefs()
    if not isinstance(data, dict):
        return BackgroundPrefs()
    defaults = BackgroundPrefs()
    return BackgroundPrefs(
        **{
            name: value if isinstance(value := data.get(name), bool) else getattr(defaults, name)
            for name in asdict(defaults)
        }
    )


def save_prefs(prefs: BackgroundPrefs, path: Path | None = None) -> None:
    path = path or prefs_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(asdict(prefs), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


#: While the window is hidden the app wakes at most this far apart (no countdown to draw),
#: and sooner when a refresh or renewal is due.
LONGEST_HIDDEN_WAIT = timedelta(seconds=60)


def hidden_wait(
    tokens: TokenSet | None, now: datetime, refresh_lead: timedelta = timing.REFRESH_LEAD
) -> timedelta:
    """How long a hidden app may sleep before its next look at the session: until the
    refresh (or, without a refresh token, the silent renewal, then the end) is due, at
    least a second and at most `LONGEST_HIDDEN_WAIT`."""
    if tokens is None:
        return LONGEST_HIDDEN_WAIT
    if tokens.refresh_token:
        due = tokens.expires_at - timing.lead(tokens, refresh_lead)
    else:
        due = tokens.expires_at - timing.lead(tokens, timing.RENEWAL_LEAD)
        if due <= now:
            due = tokens.expires_at
    return min(max(due - now, timedelta(seconds=1)), LONGEST_HIDDEN_WAIT)


def background_command() -> list[str]:
    """How the desktop should start this app hidden. From source, `-P` keeps the working
    folder off the import path (as for the scheme handler)."""
    if getattr(sys, "frozen", False):
        executable = sys.executable
        if sys.platform == "win32":  # the windowed twin: no console window at login
            executable = str(Path(executable).with_name("frameio-desktop.exe"))
        return [executable, BACKGROUND_SWITCH]
    return [sys.executable, "-P", "-m", "frameio_desktop", BACKGROUND_SWITCH]


class Autostart:
    """The start-at-login entry of this system (`platform`), for `command`. `environ`
    decides the XDG folders and the home; `winreg` is the registry module (a fake in
    tests)."""

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        platform: str = sys.platform,
        environ: Mapping[str, str] | None = None,
        winreg: Any = None,
    ) -> None:
        self.command = list(command or background_command())
        self.platform = platform
        self.environ = os.environ if environ is None else environ
        self._winreg = winreg

    # -- where ---------------------------------------------------------------------------

    def _home(self) -> Path:
        return Path(self.environ.get("HOME") or Path.home())

    def desktop_file(self) -> Path:
        config = self.environ.get("XDG_CONFIG_HOME") or str(self._home() / ".config")
        return Path(config) / "autostart" / AUTOSTART_FILE

    def launch_agent(self) -> Path:
        return self._home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT}.plist"

    def winreg(self) -> Any:
        if self._winreg is None:
            import winreg  # type: ignore[import-not-found,unused-ignore]

            self._winreg = winreg
        return self._winreg

    # -- what ------------------------------------------------------------------------------

    def desktop_entry(self) -> str:
        from frameio_desktop.core.browser.scheme import desktop_exec

        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=Frame.io Desktop\n"
            "Comment=Keeps you signed in to Frame.io in the background\n"
            # desktop_exec quotes for Exec= and appends the URL field code: not wanted here.
            f"Exec={desktop_exec(self.command).removesuffix(' %u')}\n"
            # Once the program is gone (uninstalled), desktops skip the entry.
            f"TryExec={self.command[0]}\n"
            "Icon=frameio-desktop\n"
            "Terminal=false\n"
            "NoDisplay=true\n"
            "X-GNOME-Autostart-enabled=true\n"
        )

    def launch_agent_plist(self) -> bytes:
        return plistlib.dumps(
            {
                "Label": LAUNCH_AGENT,
                "ProgramArguments": self.command,
                "RunAtLoad": True,
                "ProcessType": "Interactive",
            }
        )

    def windows_value(self) -> str:
        return subprocess.list2cmdline(self.command)

    # -- on, off, whether -----------------------------------------------------------------

    def enabled(self) -> bool:
        if self.platform == "win32":
            reg = self.winreg()
            try:
                with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                    reg.QueryValueEx(key, RUN_VALUE)
            except FileNotFoundError:
                return False
            return True
        if self.platform == "darwin":
            return self.launch_agent().is_file()
        return self.desktop_file().is_file()

    def enable(self) -> None:
        """Write the entry (replacing an older one). Raises OSError when it cannot."""
        if self.platform == "win32":
            reg = self.winreg()
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, self.windows_value())
            return
        if self.platform == "darwin":
            _write(self.launch_agent(), self.launch_agent_plist())
            return
        _write(self.desktop_file(), self.desktop_entry().encode())

    def disable(self) -> None:
        """Remove the entry, if there is one."""
        if self.platform == "win32":
            reg = self.winreg()
            try:
                with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                    reg.DeleteValue(key, RUN_VALUE)
            except FileNotFoundError:
                pass
            return
        path = self.launch_agent() if self.platform == "darwin" else self.desktop_file()
        path.unlink(missing_ok=True)

    def apply(self, on: bool) -> None:
        self.enable() if on else self.disable()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
