"""The token service's socket (core/agent/server.py) and the script's end (client.py):
the handoff's folder rules and peer check, answers, refusals, and what a script imports."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from frameio_desktop.core.agent import client, wire
from frameio_desktop.core.agent.server import AlreadyServingError, TokenServer, ask_to_show
from frameio_desktop.core.browser import handoff
from frameio_desktop.core.settings import APP_NAME
from frameio_desktop.launcher import parse_token_arguments
from tests.helpers.other_user import as_other_user, root_only

TOKEN = {
    "access_token": "AT-from-the-app",
    "expires_at": "2026-12-06T10:00:00+00:00",
    "token_type": "Bearer",
    "scope": "openid",
}


class FakeApp:
    """The handlers of a running app: each answer is what the test sets."""

    def __init__(self) -> None:
        self.answer: dict[str, object] = {"token": TOKEN, "notice": None}
        self.requests: list[Mapping[str, object]] = []
        self.shown = 0
        self.hold = threading.Event()
        self.hold.set()

    def token(self, request: Mapping[str, object]) -> dict[str, object]:
        self.requests.append(request)
        self.hold.wait(30)
        return self.answer

    def show(self, request: Mapping[str, object]) -> dict[str, object]:
        self.shown += 1
        return {"shown": True}


@pytest.fixture
def app() -> FakeApp:
    return FakeApp()


@pytest.fixture
def server(app: FakeApp) -> Iterator[TokenServer]:
    with TokenServer({"token": app.token, "show": app.show}) as running:
        yield running
    app.hold.set()


def ask(**options: object) -> client.AppAnswer | None:
    return client.ask_app(wire.token_request(60, {"profile": "work"}), wait=5, **options)  # type: ignore[arg-type]


def test_the_socket_is_the_handoffs_folder_and_modes(server: TokenServer) -> None:
    assert Path(server.path) == handoff.runtime_folder() / wire.SOCKET_NAME
    assert wire.APP_NAME == APP_NAME
    folder = Path(server.path).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.stat().st_uid == os.getuid()
    assert stat.S_IMODE(os.stat(server.path).st_mode) & 0o077 == 0


def test_the_app_answers(server: TokenServer, app: FakeApp) -> None:
    answer = ask()
    assert answer is not None
    assert answer.token is not None
    assert answer.token.to_json() == TOKEN
    assert server.answered == {"token": 1}
    (request,) = app.requests
    assert request["flags"] == {"profile": "work"}
    assert "FRAMEIO_CLIENT_SECRET" not in request["environ"]  # type: ignore[operator]


def test_no_secret_travels(server: TokenServer, app: FakeApp, monkeypatch) -> None:
    monkeypatch.setenv("FRAMEIO_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("FRAMEIO_PROFILE", "work")
    client.ask_app(wire.token_request(60, {"client_secret": "s3cret"}), wait=5)
    (request,) = app.requests
    assert "s3cret" not in json.dumps(request)
    assert request["environ"] == {"FRAMEIO_PROFILE": "work"}


def test_an_error_answer_keeps_class_message_and_exit_code(
    server: TokenServer, app: FakeApp
) -> None:
    app.answer = {
        "error": {"type": "SessionExpiredError", "message": "Sign in again.", "exit_code": 4},
        "notice": "V2 is retired.",
    }
    answer = ask()
    assert answer is not None
    assert answer.token is None
    assert answer.notice == "V2 is retired."
    from frameio_desktop.core.errors import SessionExpiredError

    error = answer.error()
    assert isinstance(error, SessionExpiredError)
    assert (error.user_message, error.exit_code) == ("Sign in again.", 4)


@pytest.mark.parametrize(
    "said",
    [
        {"pass": "another sign-in"},
        {"token": {**TOKEN, "access_token": 5}},
        {"error": {"type": "x; rm", "message": "m", "exit_code": 4}},
        {"error": {"type": "SessionExpiredError", "message": "m", "exit_code": 0}},
        {"something": "else"},
    ],
)
def test_a_pass_or_an_unusable_answer_means_the_keyring(
    server: TokenServer, app: FakeApp, said: dict[str, object]
) -> None:
    app.answer = said
    assert ask() is None


def test_no_app_means_the_keyring() -> None:
    assert ask() is None


def test_an_app_that_does_not_accept_in_time_means_the_keyring() -> None:
    path = wire.socket_path()
    handoff.ensure_private_folder(Path(path).parent)
    with socket.socket(socket.AF_UNIX) as silent:
        silent.bind(path)
        silent.listen(1)  # connects, never reads nor answers
        assert client.ask_app(wire.token_request(60), wait=0.05) is None


def test_an_app_that_dies_while_renewing_means_the_keyring(
    server: TokenServer, app: FakeApp
) -> None:
    def broken(request: Mapping[str, object]) -> dict[str, object]:
        raise RuntimeError("the app failed")

    server._handlers["token"] = broken
    assert ask() is None
    assert ask_to_show()  # and it carries on


def test_a_folder_not_private_is_not_trusted(server: TokenServer) -> None:
    folder = Path(server.path).parent
    folder.chmod(0o755)
    assert ask() is None
    folder.chmod(0o700)
    assert ask() is not None


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b"not json\n", "unreadable request"),
        (b"[1, 2]\n", "unreadable request"),
        (b'{"v": 1, "op": "format-disk"}\n', "unknown request"),
        (b'{"v": 99, "op": "token"}\n', "unknown request"),
        (b"x" * (wire.MAX_LINE_BYTES + 10), "unreadable request"),
        (b'{"v": 1, "op": "token"', "unreadable request"),  # never ends its line
    ],
)
def test_junk_is_refused_and_the_server_carries_on(
    server: TokenServer, app: FakeApp, data: bytes, refusal: str
) -> None:
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(10)
        conn.connect(server.path)
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        answer = conn.recv(4096)
    assert refusal in json.loads(answer)["refused"]
    assert app.requests == []
    assert ask() is not None


def test_a_renewal_does_not_hold_up_other_scripts(server: TokenServer, app: FakeApp) -> None:
    app.hold.clear()  # the first request waits, as for a renewal
    first: list[client.AppAnswer | None] = []
    waiting = threading.Thread(target=lambda: first.append(ask()))
    waiting.start()
    assert ask_to_show()  # served meanwhile
    app.hold.set()
    waiting.join(30)
    assert first
    assert first[0] is not None


def test_one_app_per_user(server: TokenServer, app: FakeApp) -> None:
    with pytest.raises(AlreadyServingError):
        TokenServer({}).start()
    assert ask_to_show(show=False)  # a start at login: it runs, nothing to show
    assert app.shown == 0
    assert ask_to_show()
    assert app.shown == 1


def test_a_socket_left_behind_is_replaced(app: FakeApp) -> None:
    path = wire.socket_path()
    handoff.ensure_private_folder(Path(path).parent)
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(path)
    with TokenServer({"token": app.token}):
        assert ask() is not None
    assert not os.path.exists(path)
    assert not ask_to_show()


def connect_and_ask(path: str) -> bytes:
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(10)
        try:
            conn.connect(path)
        except PermissionError:
            return b"cannot connect"
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(wire.encode(wire.token_request(60, environ={}, cwd="/")))
        return conn.recv(4096).strip()


@root_only
def test_another_user_cannot_reach_the_socket(server: TokenServer, app: FakeApp) -> None:
    assert as_other_user(lambda: connect_and_ask(server.path)) == b"cannot connect"
    assert app.requests == []


@root_only
def test_another_user_is_refused_even_if_the_folder_were_open(
    server: TokenServer, app: FakeApp
) -> None:
    folder = Path(server.path).parent
    folder.parent.chmod(0o711)
    folder.chmod(0o711)
    os.chmod(server.path, 0o666)  # noqa: S103 - the point of the test
    answer = as_other_user(lambda: connect_and_ask(server.path))
    assert json.loads(answer) == {"refused": "another user"}
    assert server.refusals == ["another user"]
    assert app.requests == []


FORBIDDEN = ("requests", "keyring", "cryptography", "secretstorage", "jeepney", "PySide6")
SCRIPT = """
import sys
from {module} import main
code = main({argv!r})
print("EXIT", code, "IMPORTED", [m for m in {forbidden!r} if m in sys.modules], file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("module", "argv"),
    [
        # The launcher's own parser, and argparse's forms through main.
        ("frameio_desktop.launcher", ["token", "--json", "--profile", "work"]),
        ("frameio_desktop.main", ["-v", "token", "--json", "--prof", "work"]),
    ],
)
def test_a_script_asking_the_app_imports_no_keyring_nor_requests(
    server: TokenServer, app: FakeApp, module: str, argv: list[str]
) -> None:
    code = SCRIPT.format(module=module, argv=argv, forbidden=FORBIDDEN)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, client.WAIT_ENV: "10000"},
    )
    assert "EXIT 0 IMPORTED []" in result.stderr, result.stderr
    assert json.loads(result.stdout) == TOKEN
    (request,) = app.requests
    assert request["flags"] == {"profile": "work"}


def test_the_output_is_the_keyring_paths() -> None:
    import io

    from frameio_desktop.core.agent.client import AppAnswer, AppToken, write_answer

    out, err = io.StringIO(), io.StringIO()
    answer = AppAnswer(AppToken(**TOKEN), notice="V2 is retired.")
    assert write_answer(answer, True, out, err) == 0
    assert out.getvalue() == json.dumps(TOKEN) + "\n"
    assert err.getvalue() == "frameio-desktop: V2 is retired.\n"
    out = io.StringIO()
    write_answer(answer, False, out, err)
    assert out.getvalue() == "AT-from-the-app\n"
    failed = AppAnswer(None, error_type="NotSignedInError", message="No one.", exit_code=3)
    err = io.StringIO()
    assert write_answer(failed, False, out, err) == 3
    assert err.getvalue() == "frameio-desktop: No one.\n"


@pytest.mark.parametrize(
    ("argv", "parsed"),
    [
        ([], (60, False, {})),
        (["--json"], (60, True, {})),
        (["--min-ttl", "600", "--profile=work"], (600, False, {"profile": "work"})),
        (["--min-ttl=0", "--client-id", "c", "--json"], (0, True, {"client_id": "c"})),
        (["--profile", "a", "--profile", "b"], (60, False, {"profile": "b"})),
        (["--min-ttl", "-5"], None),  # left to argparse, which says what is wrong
        (["--min-ttl", "²"], None),
        (["--min-ttl", "soon"], None),
        (["--prof", "work"], None),  # an abbreviation: argparse's to expand
        (["--help"], None),
        (["--profile"], None),
        (["--json=yes"], None),
        (["--client-secret", "s"], None),
        (["extra"], None),
    ],
)
def test_the_launchers_token_arguments(argv: list[str], parsed: object) -> None:
    assert parse_token_arguments(argv) == parsed


def test_the_launcher_knows_every_settings_flag() -> None:
    from frameio_desktop.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0]
    token = commands.choices["token"]  # type: ignore[index]
    dests = {a.dest for a in token._actions if a.option_strings}
    dests -= {"help", "min_ttl", "json", "timeout", "demo"}  # the last two: left to argparse
    assert dests == set(wire.SETTING_FLAGS)
