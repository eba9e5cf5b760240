"""The system-browser commands in real processes: `login --no-browser` with the redirect pasted
on stdin, `login` choosing it by itself without a display, `register-scheme` and
`unregister-scheme`, and a second instance handing a custom-scheme redirect to the first
through the real desktop chain (xdg-open and gio).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.browser.handoff import SOCKET_NAME, HandoffServer
from frameio_desktop.demo.server import DEMO_NATIVE_REDIRECT, DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing
from tests.helpers.desktop import needs_desktop_tools, private_desktop

ROOT = Path(__file__).resolve().parents[2]


def start_login(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def authorize_url_from(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The authorize URL the command printed, and what it printed before it."""
    assert process.stdout is not None
    before = ""
    for line in process.stdout:
        if line.strip().startswith("http"):
            return line.strip(), before
        before += line
    raise AssertionError("no authorize URL printed")


def headless_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    return {**env, **extra}


@pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing()))
@pytest.mark.parametrize("explicit", [True, False])
def test_login_by_pasting_the_redirect(demo: DemoServer, explicit: bool) -> None:
    flags = {**demo.settings_flags(), "profile": f"paste-{secrets.token_hex(4)}"}
    args = ["login", *flags_for(flags)] + (["--no-browser"] if explicit else [])
    # Without --no-browser: no display, so it is chosen by itself (and says why).
    env = headless_env() if not explicit else {**os.environ}
    process = start_login(args, env)
    try:
        url, before = authorize_url_from(process)
        redirect = sign_in_without_browser(url, "Ada Lovelace")
        assert redirect.startswith(DEMO_NATIVE_REDIRECT)
        out, err = process.communicate("a typo\n" + redirect + "\n", timeout=60)
        assert process.returncode == 0, err
        assert "Signed in to Frame.io V4 (Adobe IMS) as Ada Lovelace." in out
        assert ("Not opening a browser: there is no display." in before) is not explicit
        assert "does not belong" not in out  # a typo is another address, not a state
        status = run_cli(["status", *flags_for(flags)])
        assert status.returncode == 0, status.stderr
        assert "Ada Lovelace" in status.stdout
    finally:
        process.kill()
        run_cli(["logout", *flags_for(flags)])


@pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing()))
def test_login_paste_with_a_foreign_state_then_end_of_input(demo: DemoServer) -> None:
    flags = {**demo.settings_flags(), "profile": f"paste-{secrets.token_hex(4)}"}
    process = start_login(["login", "--no-browser", *flags_for(flags)], {**os.environ})
    authorize_url_from(process)
    out, _ = process.communicate(f"{DEMO_NATIVE_REDIRECT}?code=x&state=forged\n", timeout=60)
    assert process.returncode == 7
    assert "state mismatch" in out
    assert "Start again" not in out  # it asks for another paste: no contradiction
    assert "Address (an empty line cancels): " in out
    assert demo.state.hits["/ims/token/v3"] == 0


# -- the custom scheme ---------------------------------------------------------------------------

desktop_chain = needs_desktop_tools


@pytest.fixture
def desktop() -> Iterator[dict[str, str]]:
    """Temporary XDG folders: the person's own URL handlers are never touched."""
    with private_desktop() as xdg:
        yield {**os.environ, **xdg}


@desktop_chain
def test_register_scheme_commands(desktop: dict[str, str]) -> None:
    flags = flags_for({"client_id": "c", "redirect_uri": DEMO_NATIVE_REDIRECT})
    done = run_cli(["register-scheme", *flags], env=desktop)
    assert done.returncode == 0, done.stderr
    assert "Registered" in done.stdout
    entry = Path(desktop["XDG_DATA_HOME"]) / "applications"
    (desktop_file,) = entry.glob("*.desktop")
    assert f"x-scheme-handler/{DEMO_NATIVE_REDIRECT.split(':')[0]};" in desktop_file.read_text()
    undone = run_cli(["unregister-scheme", *flags], env=desktop)
    assert undone.returncode == 0, undone.stderr
    assert not desktop_file.exists()
    loopback = run_cli(
        [
            "register-scheme",
            *flags_for(
                {"provider": "frameio-v2", "client_id": "c", "redirect_uri": "http://127.0.0.1/cb"}
            ),
        ],
        env=desktop,
    )
    assert loopback.returncode == 2
    assert "no custom scheme" in loopback.stderr


@desktop_chain
def test_xdg_open_starts_a_second_instance_that_hands_over(desktop: dict[str, str]) -> None:
    flags = flags_for({"client_id": "c", "redirect_uri": DEMO_NATIVE_REDIRECT})
    assert run_cli(["register-scheme", *flags], env=desktop).returncode == 0
    arrived = threading.Event()
    received: list[str] = []

    def deliver(url: str) -> str | None:
        if not arrived.is_set():
            received.append(url)
            arrived.set()
            return None
        return "no sign-in is waiting"

    url = f"{DEMO_NATIVE_REDIRECT}?code=the-code&state=the-state"
    path = Path(desktop["XDG_RUNTIME_DIR"]) / "frameio-desktop" / SOCKET_NAME
    with HandoffServer(deliver, path) as server:
        subprocess.run(["xdg-open", url], env=desktop, check=True, timeout=60)
        assert arrived.wait(60)
        assert received == [url]
        # Run by hand with a redirect and no sign-in waiting: refused, exit 7.
        again = run_cli([url], env=desktop)
        assert again.returncode == 7
        assert "no sign-in is waiting" in again.stderr
        assert server.refusals == ["no sign-in is waiting"]
    gone = run_cli([url], env=desktop)
    assert gone.returncode == 7
    assert "not waiting for one" in gone.stderr


@pytest.mark.parametrize(
    ("arguments", "handoff"),
    [
        ([DEMO_NATIVE_REDIRECT + "?code=c&state=s"], True),
        (["com.example.app:/callback?code=c"], True),
        (["http://127.0.0.1:5000/callback?code=c"], False),
        (["C:\\Users\\me\\file"], False),
        (["login"], False),
        (["--browser", "system"], False),
        ([DEMO_NATIVE_REDIRECT, "extra"], False),
    ],
)
def test_what_starts_a_handoff(arguments: list[str], handoff: bool) -> None:
    from frameio_desktop.main import is_redirect_argument

    assert is_redirect_argument(arguments) is handoff


def test_login_paste_failure_names_where_the_settings_came_from(demo: DemoServer) -> None:
    """Issue 23: a message that depends on a setting names its source when it is not the
    settings file."""
    flags = {**demo.settings_flags(), "profile": f"paste-{secrets.token_hex(4)}"}
    env = {**os.environ, "FRAMEIO_CLIENT_ID": flags.pop("client_id")}
    process = start_login(["login", "--no-browser", *flags_for(flags)], env)
    authorize_url_from(process)
    _, err = process.communicate("", timeout=60)  # the input ends: cancelled
    assert process.returncode == 7, err
    assert "FRAMEIO_CLIENT_ID from the environment" in err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
@pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing()))
def test_login_no_browser_with_a_custom_scheme_works_in_chromium(demo: DemoServer) -> None:
    """The real Chromium never shows an adobe+...:// redirect in its address bar (it asks
    to open an app); the printed way, the developer tools' Network list, has it."""
    from frameio_desktop.selftest import autofill_script
    from tests.helpers.headless_browser import sign_in_watching_the_network

    flags = {**demo.settings_flags(), "profile": f"paste-{secrets.token_hex(4)}"}
    process = start_login(["login", "--no-browser", *flags_for(flags)], {**os.environ})
    try:
        url, before = authorize_url_from(process)
        assert "BEFORE you sign in, open the browser's developer tools" in before
        assert "https://localhost/" in before  # the credential that needs no tools
        scheme = DEMO_NATIVE_REDIRECT.split(":")[0]
        shown, requested = sign_in_watching_the_network(
            url, autofill_script("Ada Lovelace"), scheme
        )
        assert requested is not None
        assert "code=" in requested
        assert not any(address.startswith(scheme) for address in shown)  # never in the bar
        out, err = process.communicate(f'"{requested}"\n', timeout=60)  # quoted, as copied
        assert process.returncode == 0, err
        assert "Signing in (exchanging the code with the server)..." in out
        assert "Signed in to Frame.io V4 (Adobe IMS)" in out
    finally:
        process.kill()
        run_cli(["logout", *flags_for(flags)])
