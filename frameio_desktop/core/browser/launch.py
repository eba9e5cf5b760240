"""Open the person's browser, and tell when there is no display to open it on.

`BROWSER` (a list of commands separated by `os.pathsep`; `%s` stands for the URL, else it
is appended) is honoured first, read at each call. Why not `webbrowser` for it: that
module reads `BROWSER` once per process, runs an entry with arguments as one file name,
and waits for an unknown command to exit, which for a browser binary is when the browser
closes. Without `BROWSER` the window uses Qt's `QDesktopServices` (the desktop's own
choice); the command line and tests use `webbrowser`.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping

from frameio_desktop.core.browser.errors import BrowserOpenError

log = logging.getLogger(__name__)


def no_display_reason(
    environ: Mapping[str, str] | None = None, platform: str = sys.platform
) -> str | None:
    """Why a browser cannot be shown to the person here, or None if it can.

    Over SSH the browser would open on the remote computer, not in front of the person;
    with X11 or Wayland forwarding (`DISPLAY` set) it does open in front of them."""
    environ = os.environ if environ is None else environ
    over_ssh = bool(environ.get("SSH_CONNECTION"))
    if platform in ("win32", "darwin"):
        return "this is an SSH session" if over_ssh else None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    if environ.get("QT_QPA_PLATFORM"):
        return None  # a Qt platform that needs no X11 or Wayland display, chosen on purpose
    return "this is an SSH session without a display" if over_ssh else "there is no display"


def browser_commands(environ: Mapping[str, str] | None = None) -> list[list[str]]:
    """The commands in `BROWSER`, in order (empty when it is unset)."""
    environ = os.environ if environ is None else environ
    return [shlex.split(entry) for entry in environ.get("BROWSER", "").split(os.pathsep) if entry]


def open_with_browser_variable(url: str, environ: Mapping[str, str] | None = None) -> bool:
    """Run the first `BROWSER` command that starts; False when `BROWSER` is unset.

    The command runs detached and is not waited for."""
    commands = browser_commands(environ)
    if not commands:
        return False
    for command in commands:
        argv = [arg.replace("%s", url) for arg in command]
        if not any("%s" in arg for arg in command):
            argv.append(url)
        try:
            subprocess.Popen(  # noqa: S603 - the person's own BROWSER setting
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                env=None if environ is None else dict(environ),
            )
        except OSError as exc:
            log.warning("BROWSER command %s did not start: %s", command[0], exc)
            continue
        return True
    raise BrowserOpenError(
        "None of the commands in BROWSER could be started. Fix BROWSER, or open the "
        "sign-in page yourself."
    )


def open_browser(url: str, environ: Mapping[str, str] | None = None) -> None:
    """Open `url` in the person's browser: `BROWSER`, else Python's `webbrowser`."""
    if open_with_browser_variable(url, environ):
        return
    import webbrowser

    if not webbrowser.open(url):
        raise BrowserOpenError()
