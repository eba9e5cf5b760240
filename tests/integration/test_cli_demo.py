"""The demo for script authors: `demo-server` runs it on a stable port, `--demo` on every
command uses it, and its sign-ins never linger in the keyring. Real processes, the real
keyring."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import IO

import pytest
import requests

from frameio_desktop.core.errors import ExitCode
from frameio_desktop.core.store import KeyringTokenStore
from frameio_desktop.demo.server import DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import run_cli, secret_service_missing
from tests.helpers.sessions import SessionFactory, complete_sign_in

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

DEMO_KEY = "frameio-v4:frameio-desktop-demo:demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
    )


def read_until(stream: IO[str] | None, text: str) -> str:
    assert stream is not None
    seen = ""
    for line in stream:
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came; the stream said: {seen!r}")


@pytest.fixture
def port_env() -> Iterator[dict[str, str]]:
    yield {"FRAMEIO_DEMO_PORT": str(free_port())}
    KeyringTokenStore().clear(DEMO_KEY)


def test_demo_server_serves_every_command_and_forgets_its_sign_in(
    port_env: dict[str, str],
) -> None:
    server = start(["demo-server"], port_env)
    try:
        said = read_until(server.stdout, "export FRAMEIO_PROFILE=demo")
        url = f"http://127.0.0.1:{port_env['FRAMEIO_DEMO_PORT']}"
        assert f"Demo sign-in server at {url}" in said
        assert f"base_url=\n'{url}'" in said or f"base_url='{url}'" in said
        login = start(["login", "--demo", "--no-browser"], port_env)
        for line in login.stdout or ():
            if line.strip().startswith("http"):
                break
        redirect = sign_in_without_browser(line.strip(), "Ada Lovelace")
        _, err = login.communicate(redirect + "\n", timeout=60)
        assert login.returncode == 0, err
        token = run_cli(["token", "--demo"], env=port_env)
        assert token.returncode == 0, token.stderr
        me = requests.get(
            f"{url}/v4/me", headers={"Authorization": f"Bearer {token.stdout.strip()}"}, timeout=10
        )
        assert me.status_code == 200
        status = run_cli(["--demo", "status"], env=port_env)  # before the command, too
        assert status.returncode == 0, status.stderr
        assert "profile demo" in status.stdout
        assert KeyringTokenStore().load(DEMO_KEY) is not None
    finally:
        server.send_signal(signal.SIGINT)
        _, server_err = server.communicate(timeout=30)
    assert server.returncode == ExitCode.INTERRUPTED, server_err
    assert "Traceback" not in server_err
    assert KeyringTokenStore().load(DEMO_KEY) is None  # nothing lingers
    after = run_cli(["token", "--demo"], env=port_env)
    assert after.returncode == ExitCode.NOT_SIGNED_IN
    assert "no demo server is running" in after.stderr


def test_a_stale_demo_sign_in_is_dropped_not_reported_as_other_endpoints(
    port_env: dict[str, str], make_session: SessionFactory
) -> None:
    # An older demo, on another port, left its sign-in under the demo's key.
    with DemoServer() as older:
        session = make_session(older.settings_flags(), system_keyring=True)
        assert session.settings.store_key == DEMO_KEY
        pending = session.begin_sign_in()
        complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    assert KeyringTokenStore().load(DEMO_KEY) is not None
    result = run_cli(["token", "--demo"], env=port_env)
    assert result.returncode == ExitCode.NOT_SIGNED_IN
    assert "other endpoints" not in result.stderr
    assert "Settings not from the settings file" not in result.stderr  # the demo's, all
    assert KeyringTokenStore().load(DEMO_KEY) is None
    again = run_cli(["logout", "--demo"], env=port_env)
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("command", [["token", "--demo"], ["--demo"], ["demo-server"]])
def test_without_the_demo_extra_it_says_so(command: list[str]) -> None:
    code = (
        "import sys\n"
        "sys.modules['flask'] = None  # as if the demo extra were not installed\n"
        "from frameio_desktop.main import main\n"
        f"sys.exit(main({command!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert "needs the demo extra" in result.stderr
    assert "pip install 'frameio-desktop[demo]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_window_demo_uses_one_port_and_leaves_no_sign_in(
    port_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, make_session: SessionFactory
) -> None:
    """`frameio-desktop --demo` twice: the same endpoints each time (no "made with other
    endpoints"), a running demo shared, and no sign-in left when it ends."""
    from frameio_desktop import demo_mode
    from frameio_desktop.cli import build_parser

    port = port_env["FRAMEIO_DEMO_PORT"]
    monkeypatch.setenv("FRAMEIO_DEMO_PORT", port)
    args = build_parser().parse_args(["--demo"])
    first = demo_mode.OwnOrShared(args)
    flags = first.start()
    try:
        assert first.own is not None  # nothing ran there: a server of its own
        assert flags["token_url"].startswith(f"http://127.0.0.1:{port}/")
        session = make_session(flags, system_keyring=True)
        pending = session.begin_sign_in()
        complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
        second = demo_mode.OwnOrShared(args)
        assert second.start() == flags  # the same endpoints: the running server's
        assert second.own is None
        second.stop()  # not its server: the sign-in stays
        assert KeyringTokenStore().load(DEMO_KEY) is not None
    finally:
        first.stop()
    assert KeyringTokenStore().load(DEMO_KEY) is None
    assert not demo_mode.port_in_use(int(port))


def test_try_the_demo_leaves_no_sign_in(make_session: SessionFactory) -> None:
    from frameio_desktop.demo_mode import DemoOnDemand

    on_demand = DemoOnDemand()
    server = on_demand.start()
    session = make_session(server.settings_flags(), system_keyring=True)
    pending = session.begin_sign_in()
    complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    assert KeyringTokenStore().load(DEMO_KEY) is not None
    on_demand.stop()
    assert KeyringTokenStore().load(DEMO_KEY) is None


def test_the_window_demo_never_signs_in_to_another_program_on_the_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from frameio_desktop import demo_mode
    from frameio_desktop.cli import build_parser
    from frameio_desktop.core.errors import ConfigError
    from tests.helpers.hostile_http import RecordingServer

    with RecordingServer() as stranger:
        monkeypatch.setenv("FRAMEIO_DEMO_PORT", stranger.url.rsplit(":", 1)[1])
        shared = demo_mode.OwnOrShared(build_parser().parse_args(["--demo"]))
        with pytest.raises(ConfigError, match="another program listens there"):
            shared.start()
        assert shared.own is None
