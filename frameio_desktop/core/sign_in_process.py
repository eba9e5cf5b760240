"""The sign-in window's own process: start it, talk to it, stop it. No Qt here, so the
composition root can start one before Qt is imported.

The window process never loads QtWebEngine. The sign-in web view runs in a short-lived
child, the same executable started with `--sign-in-window`, which hands the caught
redirect back and exits, so Chromium's browser side (~250 MiB that no Qt API can release)
is gone once the person is signed in.

The two talk in JSON objects, one per line. The parent writes commands to the child's
stdin:

    {"cmd": "open", "authorize_url": ..., "redirect_uri": ..., "geometry": [x, y, w, h],
     "parent_window": <native id or null>, "verbose": false,
     "web_profile": <private folder or null>, "hidden": false}
    {"cmd": "raise"}                  bring the sign-in window to the front
    {"cmd": "script", "source": ..., "id": N}  run JavaScript in the page (the self-test's
                                      autofill); with an id, its result comes back
    {"cmd": "close"}

and the child writes events to its stdout:

    {"event": "ready"}                Qt is up, waiting for "open"
    {"event": "loaded", "ok": true}   a page finished loading
    {"event": "redirect", "url": ...} the caught redirect: the only message with a code
    {"event": "cancel"}               the person cancelled or closed the window
    {"event": "browser"}              the page refuses embedded views; the person asked
                                      to continue in their own browser
    {"event": "failed", "message": ...}
    {"event": "result", "id": N, "value": ...}  a script's result

The parent adds {"event": "exit", "code": N} when the child's stdout closes. The end of
the child's stdin means the parent is gone: the child closes its window and exits. Pipes
are private to the two processes; nothing here is logged or written to disk.

The child is untrusted input here: every line is bounded (`MAX_MESSAGE_CHARS`, read with a
bounded readline so a huge line is never held whole), must be one of the events above
with fields of the right types, and may not claim to be the parent's own `exit`. Anything
else ends the sign-in with an error (a `failed` event) and stops the child.

The child is started so that nothing of the working folder is on its import path (`-P`:
a planted `./frameio_desktop/` must never run as the sign-in window), with a minimal
environment (`child_environment`: what Qt, Chromium, the display and the locale need; no
secrets such as FRAMEIO_CLIENT_SECRET) and without any remote-debugging switch.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from typing import IO, Any

from frameio_desktop.core.chromium_flags import join_flags, split_flags

log = logging.getLogger(__name__)

#: The command-line switch that turns the executable into the sign-in window.
SWITCH = "--sign-in-window"

Event = dict[str, Any]
Listener = Callable[[Event], None]


#: Longest line the child may send. Real ones are a few hundred characters; a redirect
#: URL is bounded by Chromium at 2 MiB but sign-in servers stay far below this.
MAX_MESSAGE_CHARS = 64 * 1024

#: Each event the child may send, and the type of each of its fields.
_EVENT_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "ready": {},
    "loaded": {"ok": (bool,)},
    "redirect": {"url": (str,)},
    "cancel": {},
    "browser": {},
    "failed": {"message": (str,)},
    "result": {"id": (int,), "value": (object,)},
}

#: Environment variables the sign-in window needs (exact names)...
_CHILD_ENV_NAMES = frozenset(
    {
        # where things are, who is running, the locale and time zone
        "PATH", "HOME", "USER", "LOGNAME", "USERNAME", "LANG", "LANGUAGE", "TZ",
        "TMPDIR", "TEMP", "TMP",
        # the display and the desktop session (accessibility and portals use D-Bus)
        "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS",
        "DESKTOP_SESSION", "XCURSOR_SIZE", "XCURSOR_THEME", "GDK_SCALE", "GDK_DPI_SCALE",
        # Windows' own
        "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT", "APPDATA",
        "LOCALAPPDATA", "PROGRAMDATA", "PROGRAMFILES", "USERPROFILE", "HOMEDRIVE",
        "HOMEPATH", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE",
        # the sign-in page may only be reachable through a proxy; Chromium reads these
        "http_proxy", "https_proxy", "no_proxy", "all_proxy",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
        # how this Python finds its packages, fonts and libraries
        "PYTHONPATH", "FONTCONFIG_FILE", "FONTCONFIG_PATH",
        "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "DYLD_FRAMEWORK_PATH",
        # Qt's: the platform, its plugins, scaling, input, accessibility. Not every QT_*
        # or QTWEBENGINE_* variable: some change what the page may do (remote debugging,
        # Chromium switches), so only these, and the Chromium switches below.
        "QT_QPA_PLATFORM", "QT_QPA_PLATFORMTHEME", "QT_QPA_PLATFORM_PLUGIN_PATH",
        "QT_PLUGIN_PATH", "QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS",
        "QT_AUTO_SCREEN_SCALE_FACTOR", "QT_ENABLE_HIGHDPI_SCALING",
        "QT_SCALE_FACTOR_ROUNDING_POLICY", "QT_FONT_DPI", "QT_WAYLAND_DISABLE_WINDOWDECORATION",
        "QT_WAYLAND_SHELL_INTEGRATION", "QT_ACCESSIBILITY", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON",
        "QT_IM_MODULE", "QT_STYLE_OVERRIDE", "QT_XCB_GL_INTEGRATION", "QT_OPENGL",
        "QTWEBENGINE_CHROMIUM_FLAGS", "QTWEBENGINE_DISABLE_SANDBOX", "QTWEBENGINEPROCESS_PATH",
        "QTWEBENGINE_RESOURCES_PATH", "QTWEBENGINE_LOCALES_PATH",
        "QTWEBENGINE_DICTIONARIES_PATH",
    }
)  # fmt: skip
#: ... and prefixes (the locale's categories, XDG folders, PyInstaller's bootloader state).
_CHILD_ENV_PREFIXES = ("LC_", "XDG_", "_PYI", "PYINSTALLER_")
#: The Chromium switches the sign-in window may be given through
#: QTWEBENGINE_CHROMIUM_FLAGS (each with or without `=value`): rendering and language
#: only. Anything else (`--ignore-certificate-errors`, `--proxy-server`, `--remote-*`,
#: `--disable-web-security`...) never reaches the sign-in page.
_CHILD_CHROMIUM_SWITCHES = frozenset(
    {
        "--disable-gpu", "--disable-gpu-compositing", "--disable-software-rasterizer",
        "--disable-background-networking", "--disable-dev-shm-usage", "--use-gl",
        "--use-angle", "--force-device-scale-factor", "--lang", "--ozone-platform",
        "--enable-font-antialiasing", "--disable-smooth-scrolling",
    }
)  # fmt: skip


def child_chromium_flags(flags: str) -> str:
    """The switches of `flags` (read as Qt reads them) the sign-in window may have."""
    kept = [f for f in split_flags(flags) if f.split("=", 1)[0] in _CHILD_CHROMIUM_SWITCHES]
    return join_flags(kept)


def child_command() -> list[str]:
    """This same program, in sign-in-window mode (frozen or from source).

    From source, `-P` keeps the working folder off the import path: `python -m` would
    otherwise put it first, and a `./frameio_desktop/` there would run instead."""
    if getattr(sys, "frozen", False):
        return [sys.executable, SWITCH]
    return [sys.executable, "-P", "-m", "frameio_desktop", SWITCH]


def child_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The sign-in window's environment: only what Qt, Chromium, the display and the
    locale need. Not the app's settings or secrets (FRAMEIO_CLIENT_SECRET), which the
    child never needs: it gets the authorize URL and the redirect URI over its pipe."""
    environ = os.environ if environ is None else environ
    kept = {
        name: value
        for name, value in environ.items()
        if name in _CHILD_ENV_NAMES or name.startswith(_CHILD_ENV_PREFIXES)
    }
    if "QTWEBENGINE_CHROMIUM_FLAGS" in kept:
        kept["QTWEBENGINE_CHROMIUM_FLAGS"] = child_chromium_flags(
            kept["QTWEBENGINE_CHROMIUM_FLAGS"]
        )
    if "PYTHONPATH" in kept:
        # An empty or relative entry names the working folder (or a folder in it), which
        # `-P` keeps off the import path: only absolute entries go on.
        absolute = [p for p in kept["PYTHONPATH"].split(os.pathsep) if os.path.isabs(p)]
        if absolute:
            kept["PYTHONPATH"] = os.pathsep.join(absolute)
        else:
            del kept["PYTHONPATH"]
    return kept


def valid_event(event: object) -> bool:
    """One of the events a child may send, with fields of the right types."""
    if not isinstance(event, dict):
        return False
    fields = _EVENT_FIELDS.get(event.get("event"))  # type: ignore[arg-type]
    if fields is None:
        return False  # unknown, or "exit", which only the parent reports
    for name, types in fields.items():
        value = event.get(name)
        # A bool is an int to isinstance: refuse it where an int is meant, but not
        # where any JSON value is (a script's result may well be true or false).
        if name not in event or (
            isinstance(value, bool) and bool not in types and object not in types
        ):
            return False
        if not isinstance(value, types):
            return False
    return True


class SignInProcess:
    """One sign-in window process. Events arriving before `listen()` are kept and
    delivered, in order, when a listener is set; the listener runs on the reader thread
    and must only hand the event over (a queued Qt signal does)."""

    def __init__(self, command: list[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._listener: Listener | None = None
        self._backlog: list[Event] = []
        self.exit_code: int | None = None
        self._proc = subprocess.Popen(  # noqa: S603 - our own executable, no shell
            command or child_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            env=child_environment(),
        )
        self._exited = threading.Event()
        self._reader = threading.Thread(
            target=self._read, name="sign-in-window-reader", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def running(self) -> bool:
        return not self._exited.is_set()

    def listen(self, listener: Listener | None) -> None:
        """Set (or, with None, drop) the listener. After `listen(None)` returns, the
        listener is never called again."""
        with self._lock:
            self._listener = listener
            if listener is not None:
                backlog, self._backlog = self._backlog, []
                for event in backlog:
                    listener(event)

    def send(self, command: Event) -> bool:
        """Write one command; False if the child is gone."""
        stdin = self._proc.stdin
        if stdin is None or stdin.closed:
            return False
        try:
            stdin.write(json.dumps(command) + "\n")
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def close(self) -> None:
        """Ask the child to close its window and exit; does not wait."""
        self.send({"cmd": "close"})
        stdin = self._proc.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()

    def wait(self, timeout: float = 10.0) -> int | None:
        """Wait for the child to exit; kill it if it has not after `timeout` seconds."""
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the sign-in window did not exit; stopping it")
            self._proc.kill()
            self._proc.wait(5)
        self._exited.wait(5)
        return self._proc.returncode

    def _deliver(self, event: Event) -> None:
        with self._lock:
            if self._listener is None:
                self._backlog.append(event)
                return
            try:
                self._listener(event)
            except Exception:
                log.debug("the sign-in window's listener failed", exc_info=True)

    def _read(self) -> None:
        stdout: IO[str] | None = self._proc.stdout
        assert stdout is not None
        while True:
            # Bounded: a line longer than the limit is never read whole.
            line = stdout.readline(MAX_MESSAGE_CHARS + 1)
            if not line:
                break
            problem = None
            if len(line) > MAX_MESSAGE_CHARS:
                problem = "an oversized message"
            else:
                try:
                    event = json.loads(line)
                except (ValueError, RecursionError):
                    event = None
                if not valid_event(event):
                    problem = "a malformed message"
            if problem is not None:
                self._violation(problem)
                break
            self._deliver(event)
        code = self._proc.wait()
        self.exit_code = code
        self._deliver({"event": "exit", "code": code})
        self._exited.set()

    def _violation(self, what: str) -> None:
        """The child broke the protocol: end the sign-in with an error, stop the child."""
        log.warning("the sign-in window sent %s; stopping it", what)
        self._deliver(
            {
                "event": "failed",
                "message": f"The sign-in window sent {what}, so the sign-in was stopped. "
                "Try again.",
            }
        )
        with contextlib.suppress(OSError):
            self._proc.kill()


class ProcessFactory:
    """Makes sign-in window processes for the child-process host. One can be started
    ahead (`prestart`), before the caller imports Qt, so its start-up overlaps the
    window's: the `login` command knows it will need one at once."""

    def __init__(self, command: list[str] | None = None) -> None:
        self._command = command
        self._spare: SignInProcess | None = None

    def prestart(self) -> None:
        if self._spare is None:
            self._spare = SignInProcess(self._command)

    def __call__(self) -> SignInProcess:
        """The prestarted process if it is still alive, else a new one."""
        spare, self._spare = self._spare, None
        if spare is not None and spare.running:
            return spare
        return SignInProcess(self._command)
