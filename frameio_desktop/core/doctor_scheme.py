"""The doctor's custom-scheme check: a real round trip through the desktop's own opener.

A Native App credential's redirect (`adobe+<hash>://adobeid/<client id>`) comes back from
the person's browser only if the operating system starts this app with it. So the check
opens a one-time URL on the redirect's scheme with the opener a browser hands such links
to, and waits for the started app to hand that URL over the handoff socket
(`core/browser/handoff.py`), on which this process listens meanwhile.

On Linux the opener is `xdg-open` (Chromium and Chrome hand links to it); `gio open`
(GNOME's, which Firefox's GIO uses too) is tried when xdg-open fails, to tell the person
which part broke. xdg-utils 1.1.3 (Debian 12) without a detected desktop takes a scheme
with digits, as Adobe's are, for a file name: such a link never reaches the app. On macOS
and Windows the URL reaches the running app through the system (an Apple event, a named
pipe through Qt), which a command-line process cannot receive: there the check reports
the registration only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from frameio_desktop.core.doctor_check import Check, DoctorContext

NAME = "custom scheme"
_REGISTER_FIX = "Run `frameio-desktop register-scheme` (installed builds register it at first use)."
_REGISTER_WINDOW_FIX = (
    "Sign in with your browser once from an installed build (it registers the app for its "
    "sign-in links), or sign in with the app's own sign-in window."
)


def check_custom_scheme(context: DoctorContext) -> Check:
    from frameio_desktop.core.browser import scheme
    from frameio_desktop.core.errors import FrameioDesktopError

    redirect = context.values.get("redirect_uri", "")
    try:
        name = scheme.redirect_scheme(redirect) if redirect else None
    except FrameioDesktopError as exc:
        return Check(NAME, False, exc.user_message, "Fix the redirect URI (see above).")
    if name is None:
        return Check(NAME, True, "not needed: the redirect is not a custom scheme")
    if context.platform in ("darwin", "win32"):
        return _registration_only(name, context)
    if shutil.which("xdg-mime", path=context.environ.get("PATH")) is None:
        return Check(
            NAME,
            False,
            f"xdg-utils is not installed, so nothing can hand {name}: links to the app",
            "Install xdg-utils (Debian and Ubuntu: sudo apt install xdg-utils), then run "
            "`frameio-desktop register-scheme`.",
            window_fix="Install xdg-utils (Debian and Ubuntu: sudo apt install xdg-utils), "
            "then sign in again: the app registers itself for its sign-in links.",
        )
    handler = _xdg_default(name, context.environ)
    if not handler:
        return Check(
            NAME,
            False,
            f"nothing handles {name}: links on this desktop",
            _REGISTER_FIX,
            window_fix=_REGISTER_WINDOW_FIX,
        )
    return round_trip_check(name, handler, context)


def _registration_only(name: str, context: DoctorContext) -> Check:
    from frameio_desktop.core.browser import scheme

    if context.platform == "darwin":
        return Check(
            NAME,
            True,
            f"{name}: declared by the app bundle (macOS registers it when the app is first "
            "opened); the round trip is not tested on macOS",
        )
    if not scheme.is_registered(name, platform=context.platform, environ=context.environ):
        return Check(
            NAME,
            False,
            f"this app is not the handler of {name}: links",
            _REGISTER_FIX,
            window_fix=_REGISTER_WINDOW_FIX,
        )
    return Check(
        NAME,
        True,
        f"{name}: registered for this app; the round trip is not tested on Windows",
    )


def _xdg_default(name: str, environ: Mapping[str, str]) -> str | None:
    """The desktop file that handles `name:` links (xdg-mime), or None."""
    exe = shutil.which("xdg-mime", path=environ.get("PATH"))
    if exe is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - a desktop tool's fixed argv
            [exe, "query", "default", f"x-scheme-handler/{name}"],
            env=dict(environ),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


class _Inbox:
    """Receives handed-over URLs; accepts only the one it waits for."""

    def __init__(self, expected: str) -> None:
        self.expected = expected
        self.arrived = threading.Event()

    def deliver(self, url: str) -> str | None:
        if url != self.expected:
            return "not the doctor's check"
        self.arrived.set()
        return None


@contextlib.contextmanager
def _listening(
    inbox: _Inbox, environ: Mapping[str, str], path: os.PathLike[str] | None
) -> Iterator[dict[str, str]]:
    """Listen for the handoff; yields the environment the opener must run with.

    The app's own socket is used when it is free. When a window already listens there
    (it receives sign-ins), the check listens in a private runtime folder instead and
    points the opener's environment at it, so the window is left alone."""
    from frameio_desktop.core.browser import handoff
    from frameio_desktop.core.browser.errors import HandoffError

    env = dict(environ)
    server = handoff.HandoffServer(inbox.deliver, Path(path) if path else None)
    try:
        server.start()
    except HandoffError:
        server.close()  # someone listens there: go private
    else:
        try:
            yield env
        finally:
            server.close()
        return
    private = Path(tempfile.mkdtemp(prefix="fio-doctor-"))
    try:
        runtime = env.get("XDG_RUNTIME_DIR")
        if runtime and not env.get("DBUS_SESSION_BUS_ADDRESS"):
            # The opener still needs the session bus it found through the old folder.
            env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={Path(runtime) / 'bus'}"
        env["XDG_RUNTIME_DIR"] = str(private)
        socket_path = private / "frameio-desktop" / handoff.SOCKET_NAME
        with handoff.HandoffServer(inbox.deliver, socket_path):
            yield env
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _open(argv: Sequence[str], env: Mapping[str, str], timeout: float) -> str | None:
    """Run an opener; None when it says it opened the URL, else its complaint."""
    exe = shutil.which(argv[0], path=env.get("PATH"))
    if exe is None:
        return f"{argv[0]} is not installed"
    try:
        done = subprocess.run(  # noqa: S603 - a desktop tool's fixed argv
            [exe, *argv[1:]],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None  # still running: an opener may wait for what it started
    except OSError as exc:
        return f"{argv[0]} did not start ({exc})"
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split())[:200]
        return f"{argv[0]} failed (exit {done.returncode}){': ' + said if said else ''}"
    return None


def _trip(opener: Sequence[str], name: str, context: DoctorContext) -> str | None:
    """Open a one-time URL with `opener` and wait for it to come back; None if it did."""
    url = f"{name}://doctor/check?nonce={secrets.token_urlsafe(16)}"
    inbox = _Inbox(url)
    with _listening(inbox, context.environ, context.handoff_path) as env:
        complaint = _open([*opener, url], env, context.scheme_timeout)
        if complaint is not None:
            return complaint
        if inbox.arrived.wait(context.scheme_timeout):
            return None
    return f"the app was not started with the URL within {context.scheme_timeout:.0f} s"


def xdg_utils_version(environ: Mapping[str, str]) -> str | None:
    exe = shutil.which("xdg-open", path=environ.get("PATH"))
    if exe is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - a desktop tool's fixed argv
            [exe, "--version"], env=dict(environ), capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip().removeprefix("xdg-open").strip() or None


def round_trip_check(name: str, handler: str, context: DoctorContext) -> Check:
    via_xdg_open = _trip(["xdg-open"], name, context)
    if via_xdg_open is None:
        return Check(
            NAME,
            True,
            f"{name}: links open {handler}, and a test link opened with xdg-open reached this app",
        )
    via_gio = _trip(["gio", "open"], name, context)
    if via_gio is None:
        version = xdg_utils_version(context.environ)
        old = f"xdg-open {version}" if version else "xdg-open"
        return Check(
            NAME,
            False,
            f"{name}: a test link reaches the app through `gio open`, not through {old} "
            f"({via_xdg_open}). Browsers that hand links to xdg-open (Chromium, Chrome) "
            "will never bring the sign-in back",
            "Run the app in a desktop session (XDG_CURRENT_DESKTOP set, e.g. GNOME or KDE), "
            "update xdg-utils past 1.1.3, sign in with the app's own window, or use "
            "`login --no-browser`.",
            window_fix="Run the app in a desktop session (GNOME or KDE, say), update "
            "xdg-utils past 1.1.3, or sign in with the app's own sign-in window.",
        )
    return Check(
        NAME,
        False,
        f"{name}: links are meant for {handler}, but a test link did not reach this app "
        f"(xdg-open: {via_xdg_open}; gio open: {via_gio})",
        _REGISTER_FIX + " Then run doctor again.",
        window_fix=_REGISTER_WINDOW_FIX + " Then check the set-up again.",
    )
