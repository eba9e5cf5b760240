"""`frameio-desktop doctor` as a person runs it: its own process, the real Secret Service,
the real xdg-open/gio chain in temporary XDG folders, and servers on loopback only.

A passing run against the demo server, and each failing check that can be produced here:
no keyring, a locked keyring, an unregistered scheme, xdg-open 1.1.3 taking the scheme for a
file name, a skewed `Date`, a redirect IMS refuses.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from frameio_desktop.demo.server import DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing
from tests.helpers.desktop import needs_desktop_tools, private_desktop
from tests.helpers.sessions import SessionFactory, complete_sign_in

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

CHECKS = [
    "settings",
    "redirect",
    "keyring",
    "session",
    "display and browser",
    "custom scheme",
    "network",
    "clock",
]


def doctor(args: list[str], env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    result = run_cli(["doctor", "--json", *args], env=env, timeout=180)
    assert "Traceback" not in result.stderr, result.stderr
    data = json.loads(result.stdout)
    assert [set(check) for check in data["checks"]] == [
        {"name", "ok", "detail", "fix"} for _ in data["checks"]
    ]
    return result.returncode, {check["name"]: check for check in data["checks"]}


def failed(checks: dict[str, Any]) -> list[str]:
    return [name for name, check in checks.items() if not check["ok"]]


@pytest.fixture
def desktop() -> Iterator[dict[str, str]]:
    """A GNOME-like desktop of its own (xdg-open hands links to gio there)."""
    with private_desktop() as xdg:
        yield xdg


@pytest.fixture
def demo_args(demo: DemoServer) -> list[str]:
    return flags_for({**demo.settings_flags(), "profile": f"doctor-{secrets.token_hex(4)}"})


@needs_desktop_tools
def test_a_passing_run_against_the_demo(
    demo: DemoServer, make_session: SessionFactory, desktop: dict[str, str]
) -> None:
    flags = {**demo.settings_flags(), "profile": f"doctor-{secrets.token_hex(4)}"}
    session = make_session(flags, system_keyring=True)
    pending = session.begin_sign_in()
    complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url, "Ada"))
    session.user()  # as the window does after a sign-in: the account is kept with it
    try:
        args = flags_for(flags)
        registered = run_cli(["register-scheme", *args], env=desktop)
        assert registered.returncode == 0, registered.stderr

        code, checks = doctor(args, env=desktop)
        assert failed(checks) == [], checks
        assert code == 0
        assert list(checks) == CHECKS
        assert "client_id=frameio-desktop-demo (--client-id flag)" in checks["settings"]["detail"]
        assert "reached this app" in checks["custom scheme"]["detail"]
        assert "Ada is signed in" in checks["session"]["detail"]
        assert "a refresh token" in checks["session"]["detail"]
        assert "SecretService" in checks["keyring"]["detail"]

        text = run_cli(["doctor", *args], env=desktop, timeout=180)
        assert text.returncode == 0
        assert text.stdout.count("✓") == len(CHECKS)
        assert "All 8 checks passed." in text.stdout
    finally:
        session.store.clear(session.settings.store_key)


def test_no_keyring(demo_args: list[str]) -> None:
    # cron or SSH: no D-Bus session bus, so no Secret Service.
    env = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    code, checks = doctor(demo_args, env=env)
    assert code == 11
    assert not checks["keyring"]["ok"]
    assert "no keyring backend is available" in checks["keyring"]["detail"]
    assert checks["keyring"]["fix"]


@pytest.mark.skipif(
    shutil.which("gnome-keyring-daemon") is None or shutil.which("dbus-run-session") is None,
    reason="needs gnome-keyring and dbus (scripts/test installs them)",
)
def test_locked_keyring(demo_args: list[str], tmp_path: Path) -> None:
    """A Secret Service of its own (this test locks it), locked before doctor runs."""
    lock = (
        "import secretstorage; c = secretstorage.dbus_init(); "
        "secretstorage.get_default_collection(c).lock()"
    )
    script = (
        f'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; '
        f"trap 'kill \"$GNOME_KEYRING_PID\"' EXIT; "
        f'"$0" -c "{lock}" && "$0" -m frameio_desktop doctor --json "$@"'
    )
    home = tmp_path / "keyring-home"
    (home / "run").mkdir(parents=True, mode=0o700)
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_RUNTIME_DIR": str(home / "run"),
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script, sys.executable, *demo_args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert result.returncode == 11, result.stderr
    assert not checks["keyring"]["ok"]
    assert "locked" in checks["keyring"]["detail"]
    assert "Unlock" in checks["keyring"]["fix"]


@needs_desktop_tools
def test_an_unregistered_scheme(demo_args: list[str], desktop: dict[str, str]) -> None:
    code, checks = doctor(demo_args, env=desktop)
    assert code == 11
    scheme = checks["custom scheme"]
    assert not scheme["ok"]
    assert "nothing handles adobe+" in scheme["detail"]
    assert "register-scheme" in scheme["fix"]


@needs_desktop_tools
def test_xdg_open_that_takes_the_scheme_for_a_file_name(
    demo_args: list[str], desktop: dict[str, str]
) -> None:
    assert run_cli(["register-scheme", *demo_args], env=desktop).returncode == 0
    # No desktop detected: xdg-utils 1.1.3's own opener, not gio.
    generic = {**desktop, "XDG_CURRENT_DESKTOP": "", "DESKTOP_SESSION": ""}
    version = subprocess.run(["xdg-open", "--version"], capture_output=True, text=True).stdout
    code, checks = doctor(demo_args, env=generic)
    scheme = checks["custom scheme"]
    if "1.1.3" not in version:
        pytest.skip(f"this xdg-open ({version.strip()}) opens such links")
    assert code == 11
    assert not scheme["ok"]
    assert "xdg-open 1.1.3" in scheme["detail"]
    assert "gio open" in scheme["detail"]
    assert "Chromium" in scheme["detail"]


class _SkewedDate(BaseHTTPRequestHandler):
    skew = timedelta(minutes=-10)  # the server's clock is 10 minutes behind

    def date_time_string(self, timestamp: float | None = None) -> str:
        return format_datetime(datetime.now(UTC) + self.skew, usegmt=True)

    def do_GET(self) -> None:
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def skewed_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SkewedDate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_skewed_date(skewed_server: str) -> None:
    args = flags_for(
        {
            "client_id": "skew-client",
            "redirect_uri": "https://app.example.test/callback",
            "authorize_url": f"{skewed_server}/authorize",
            "token_url": f"{skewed_server}/token",
            "account_url": f"{skewed_server}/v4/me",
            "revoke_url": f"{skewed_server}/revoke",
        }
    )
    code, checks = doctor(args)
    assert code == 11
    assert checks["network"]["ok"], checks["network"]
    clock = checks["clock"]
    assert not clock["ok"]
    assert "10 min" in clock["detail"]
    assert "ahead of 127.0.0.1" in clock["detail"]
    assert "clock" in clock["fix"]


def test_a_redirect_ims_refuses() -> None:
    # Adobe's own endpoints: a proxy that refuses keeps the network check off the internet.
    env = {"HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    args = ["--client-id", "my-client", "--redirect-uri", "http://127.0.0.1:8000/callback"]
    code, checks = doctor(args, env=env)
    assert code == 11
    redirect = checks["redirect"]
    assert not redirect["ok"]
    assert "never accepts an http:// redirect" in redirect["detail"]
    assert "adobe+<hash>://adobeid/my-client" in redirect["detail"]
    assert "Adobe Developer Console" in redirect["fix"]
    assert not checks["settings"]["ok"]
    assert not checks["network"]["ok"]
    assert "via proxy http://127.0.0.1:9" in checks["network"]["detail"]


def test_a_dotenv_with_keys_it_may_not_set() -> None:
    Path(".env").write_text(
        "CLIENT_ID=from-dotenv\nFRAMEIO_AUTHORIZE_URL=https://elsewhere.example.test/auth\n",
        encoding="utf-8",
    )
    env = {"HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}  # stays off the internet
    code, checks = doctor(["--redirect-uri", "https://app.example.test/callback"], env=env)
    assert code == 11
    settings = checks["settings"]
    assert not settings["ok"]
    assert "Ignored FRAMEIO_AUTHORIZE_URL in ./.env" in settings["detail"]
    assert "client_id=from-dotenv (CLIENT_ID from ./.env)" in settings["detail"]
    assert "elsewhere.example.test" not in checks["network"]["detail"]
    assert "Remove FRAMEIO_AUTHORIZE_URL from ./.env" in settings["fix"]


def test_a_native_redirect_for_another_client_is_noted(demo: DemoServer) -> None:
    flags = {**demo.settings_flags(), "redirect_uri": "adobe+5f0e3c1a://adobeid/another-client"}
    _, checks = doctor(flags_for(flags))
    redirect = checks["redirect"]
    assert redirect["ok"]
    assert "Note: This redirect names a different client ID" in redirect["detail"]


@needs_desktop_tools
def test_a_window_that_receives_sign_ins_is_left_alone(
    demo_args: list[str], desktop: dict[str, str]
) -> None:
    """The app's socket is taken (a window waits for sign-ins): doctor listens in a private
    folder, and the window gets nothing."""
    from frameio_desktop.core.browser.handoff import SOCKET_NAME, HandoffServer

    assert run_cli(["register-scheme", *demo_args], env=desktop).returncode == 0
    received: list[str] = []

    def window(url: str) -> str | None:
        received.append(url)
        return "no sign-in is waiting"

    socket_path = Path(desktop["XDG_RUNTIME_DIR"]) / "frameio-desktop" / SOCKET_NAME
    with HandoffServer(window, socket_path):
        _, checks = doctor(demo_args, env=desktop)
    assert checks["custom scheme"]["ok"], checks["custom scheme"]
    assert received == []
