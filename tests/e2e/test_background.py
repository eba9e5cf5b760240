"""The app in the background, end to end: the real window, sign-in window process, keyring
and demo server; scripts are `frameio-desktop token` processes of their own.

- The window closes, and a script still gets fresh tokens across a renewal the hidden app
  makes by itself: silently (`prompt=none`, no refresh token) and with rotating refresh
  tokens.
- `token` answers from the app, then from the keyring once the app has quit.
- The autostart entry's command, run as the desktop runs it, starts the app hidden; it
  answers scripts, and a process of another user is refused on its socket.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from frameio_desktop.core.agent import client, wire
from frameio_desktop.core.agent.client import WAIT_ENV
from frameio_desktop.core.background import Autostart
from frameio_desktop.core.settings import save_settings_file
from frameio_desktop.core.store import KeyringTokenStore
from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.background import Background
from frameio_desktop.gui.controller import State
from tests.e2e.conftest import App
from tests.helpers.cli import flags_for as cli_flags
from tests.helpers.other_user import as_other_user
from tests.helpers.peers import DemoPeer

#: Short-lived tokens, so that the hidden app renews within the test: a renewal or a
#: refresh is due half-way (10 s in).
TTL = 20
#: A loaded test machine: the app answers in ms, but give it longer before the keyring.
PATIENT = {WAIT_ENV: "10000"}

pytestmark = pytest.mark.qt_log_ignore("systemTrayWindowChanged", "does not support raise")


class ShortLivedDemo(DemoPeer):
    def __init__(self, *, refresh_tokens: bool) -> None:
        self.server = DemoServer(token_ttl=TTL, refresh_tokens=refresh_tokens).start()


@pytest.fixture
def background_of(qapp: QApplication, tmp_path: Path) -> Iterator[Callable[[App], Background]]:
    made: list[Background] = []

    def start(app: App) -> Background:
        autostart = Autostart(platform="linux", environ={"XDG_CONFIG_HOME": str(tmp_path)})
        made.append(
            Background(
                qapp,
                app.controller,
                app.window,
                prefs_path=tmp_path / "background.json",
                tray_available=True,
                autostart=autostart,
            )
        )
        return made[-1]

    yield start
    for background in made:
        background.close()
    qapp.setQuitOnLastWindowClosed(True)


def token_script(flags: dict[str, str], *more: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", "token", *more, *cli_flags(flags)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **PATIENT},
    )


def run_script(qtbot, flags: dict[str, str], *more: str) -> tuple[int, str, str]:
    """A script's `token`, while this process's event loop keeps the app running."""
    script = token_script(flags, *more)
    qtbot.waitUntil(lambda: script.poll() is not None, timeout=60_000)
    out, err = script.communicate()
    return script.returncode, out, err


@pytest.mark.parametrize("refresh_tokens", [False, True], ids=["silent-renewal", "rotating"])
def test_the_window_closes_and_scripts_get_fresh_tokens_across_a_renewal(
    launch: Callable[[dict[str, str]], App],
    background_of: Callable[[App], Background],
    profile: str,
    qtbot,
    refresh_tokens: bool,
) -> None:
    peer = ShortLivedDemo(refresh_tokens=refresh_tokens)
    try:
        flags = {**peer.settings_flags(), "profile": profile}
        app = launch(flags)
        app.sign_in_through_page(peer)
        controller = app.controller
        first = controller.tokens
        assert first is not None
        assert (first.refresh_token is not None) is refresh_tokens
        background = background_of(app)
        assert not app.window.close()  # to the tray
        assert not app.window.isVisible()

        code, out, err = run_script(qtbot, flags, "--min-ttl", "1")
        assert (code, err) == (0, "")
        # The first token, or, on a slow machine, one the hidden app has renewed to already.
        assert peer.token_works(out.strip())
        assert background.service.server.answered == {"token": 1}

        # Hidden, the app renews by itself half-way through the token's life.
        qtbot.waitUntil(
            lambda: (
                controller.tokens is not None
                and controller.tokens.access_token != first.access_token
            ),
            timeout=60_000,
        )
        assert controller.state is State.SIGNED_IN
        renewed = controller.tokens
        assert renewed is not None
        assert peer.token_works(renewed.access_token)
        if refresh_tokens:
            assert first.refresh_token is not None
            assert not peer.refresh_token_works(first.refresh_token)  # rotated: spent
        else:
            assert renewed.refresh_token is None
            assert app.web_views_opened == 1  # renewed silently: no page shown

        code, out, err = run_script(qtbot, flags, "--min-ttl", "1")
        assert (code, err) == (0, "")
        # This renewal's token, or a later one's (the next is due 10 s on).
        assert out.strip() != first.access_token
        assert peer.token_works(out.strip())
        assert background.service.server.answered == {"token": 2}
        stored = KeyringTokenStore().load(app.settings.store_key)
        assert stored is not None
        assert controller.tokens is not None
        assert stored.access_token == controller.tokens.access_token  # the keyring has it
    finally:
        peer.stop()


def test_token_answers_from_the_app_then_from_the_keyring_once_it_quits(
    launch: Callable[[dict[str, str]], App],
    background_of: Callable[[App], Background],
    profile: str,
    qtbot,
) -> None:
    peer = DemoPeer()
    try:
        flags = {**peer.settings_flags(), "profile": profile}
        app = launch(flags)
        app.sign_in_through_page(peer)
        background = background_of(app)
        app.window.close()
        from_app = run_script(qtbot, flags, "--json")
        assert background.service.server.answered == {"token": 1}
        background.close()  # what Quit does to the token service
        from_keyring = run_script(qtbot, flags, "--json")
        assert background.service.server.answered == {"token": 1}
        assert from_app == from_keyring
        assert from_app[0] == 0
    finally:
        peer.stop()


def wait_until_serving(process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    """Until the app started in another process answers for its sign-in (it has started
    and signed in silently), or has died. Another process: nothing to wait on but this."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app ended"
        if client.ask_app(wire.token_request(60), wait=5) is not None:
            return
        time.sleep(0.2)
    raise AssertionError("the app did not start answering")


def connect_and_ask(path: str) -> bytes:
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(10)
        try:
            conn.connect(path)
        except PermissionError:
            return b"cannot connect"
        with contextlib.suppress(OSError):
            conn.sendall(wire.encode(wire.token_request(60, environ={}, cwd="/")))
        return conn.recv(4096).strip()


def test_started_at_login_it_runs_hidden_and_answers_scripts(
    tmp_path: Path, profile: str, make_session
) -> None:
    from tests.helpers.browser import sign_in_without_browser
    from tests.helpers.sessions import complete_sign_in

    peer = DemoPeer()
    app = None
    flags = {**peer.settings_flags(), "profile": profile}
    try:
        save_settings_file(flags)  # what the Settings form saved
        session = make_session(flags, system_keyring=True)
        pending = session.begin_sign_in()
        complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url, "Ada"))
        autostart = Autostart()  # this test's XDG folders (tests/conftest.py)
        autostart.enable()
        entry = autostart.desktop_file().read_text()
        exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
        command = shlex.split(exec_line.removeprefix("Exec="))  # as the desktop reads it
        assert command[-1] == "--background"
        app = subprocess.Popen(command, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        path = wire.socket_path()
        wait_until_serving(app)

        # The script cannot read the keyring (a null backend): only the app can answer.
        env = {**os.environ, **PATIENT, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        result = subprocess.run(
            [sys.executable, "-m", "frameio_desktop", "token"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        assert session.tokens is not None
        assert result.stdout.strip() == session.tokens.access_token

        # Started at login again (a second session's autostart): it leaves the first be.
        again = subprocess.run(
            command, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=60
        )
        assert again.returncode == 0
        assert app.poll() is None

        if hasattr(os, "geteuid") and os.geteuid() == 0:  # root can act as another user
            assert as_other_user(lambda: connect_and_ask(path)) == b"cannot connect"
            folder = Path(path).parent
            folder.parent.chmod(0o711)
            folder.chmod(0o711)
            os.chmod(path, 0o666)  # noqa: S103 - the peer check is the second guard
            answer = as_other_user(lambda: connect_and_ask(path))
            assert answer == b'{"refused":"another user"}'
    finally:
        if app is not None:
            app.terminate()
            app.wait(60)
        KeyringTokenStore().clear(f"{flags['provider']}:{flags['client_id']}:{profile}")
        peer.stop()
