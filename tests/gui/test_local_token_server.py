"""The token service over Qt's local server (gui/local_token_server.py), what Windows uses:
tested here where Qt makes it a Unix socket, with the scripts' own client."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from frameio_desktop.core.agent import client, wire
from frameio_desktop.core.agent.server import AlreadyServingError
from frameio_desktop.core.browser.handoff import ensure_private_folder
from frameio_desktop.gui.controller import SignInController
from frameio_desktop.gui.local_token_server import LocalTokenServer
from frameio_desktop.gui.token_service import AppTokenService
from tests.gui.test_controller import sign_in

TOKEN = {
    "access_token": "AT-through-qt",
    "expires_at": "2026-12-06T10:00:00+00:00",
    "token_type": "Bearer",
    "scope": None,
}


@pytest.fixture
def path() -> str:
    folder = ensure_private_folder(Path(wire.runtime_folder()))
    return str(folder / "qt-token.sock")


class Handlers:
    def __init__(self) -> None:
        self.hold = threading.Event()
        self.hold.set()
        self.requests: list[Mapping[str, object]] = []

    def token(self, request: Mapping[str, object]) -> dict[str, object]:
        self.requests.append(request)
        self.hold.wait(30)
        return {"token": TOKEN, "notice": None}

    def show(self, request: Mapping[str, object]) -> dict[str, object]:
        return {"shown": True}


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture
def server(path: str, handlers: Handlers) -> Iterator[LocalTokenServer]:
    running = LocalTokenServer({"token": handlers.token, "show": handlers.show}, path).start()
    yield running
    handlers.hold.set()
    running.close()


def in_thread(qtbot, work: Callable[[], object]) -> object:
    """Run a blocking client call while this thread's event loop serves it."""
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(work()))
    worker.start()
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    worker.join()
    return done[0]


def ask(path: str) -> client.AppAnswer | None:
    return client.ask_app(wire.token_request(60, {"profile": "work"}), path=path, wait=10)


def test_a_script_gets_its_token(qtbot, server: LocalTokenServer, path: str) -> None:
    answer = in_thread(qtbot, lambda: ask(path))
    assert isinstance(answer, client.AppAnswer)
    assert answer.token is not None
    assert answer.token.to_json() == TOKEN
    assert server.answered == {"token": 1}


def test_a_slow_answer_does_not_hold_up_the_window_or_other_scripts(
    qtbot, server: LocalTokenServer, path: str, handlers: Handlers
) -> None:
    handlers.hold.clear()  # as a renewal would
    first: list[object] = []
    worker = threading.Thread(target=lambda: first.append(ask(path)))
    worker.start()
    qtbot.waitUntil(lambda: bool(handlers.requests), timeout=20_000)
    shown = in_thread(
        qtbot,
        lambda: _exchange(path, wire.encode({"v": wire.VERSION, "op": "show"})),
    )
    assert shown == [{"accepted": True}, {"shown": True}]
    handlers.hold.set()
    qtbot.waitUntil(lambda: bool(first), timeout=20_000)
    worker.join()
    assert isinstance(first[0], client.AppAnswer)


def _exchange(path: str, data: bytes) -> list[dict[str, object]]:
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(10)
        conn.connect(path)
        conn.sendall(data)
        received = b""
        while chunk := conn.recv(4096):
            received += chunk
    return [json.loads(line) for line in received.splitlines()]


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b"nonsense\n", "unreadable request"),
        (b'{"v": 1, "op": "format-disk"}\n', "unknown request"),
        (b"x" * (wire.MAX_LINE_BYTES + 10), "unreadable request"),
    ],
)
def test_junk_is_refused_and_the_server_carries_on(
    qtbot, server: LocalTokenServer, path: str, data: bytes, refusal: str
) -> None:
    answer = in_thread(qtbot, lambda: _exchange(path, data))
    assert isinstance(answer, list)
    assert refusal in str(answer[0]["refused"])
    assert isinstance(in_thread(qtbot, lambda: ask(path)), client.AppAnswer)


def test_one_app_listens(server: LocalTokenServer, path: str) -> None:
    with pytest.raises(AlreadyServingError):
        LocalTokenServer({}, path).start()


def test_the_app_service_on_the_local_server(
    qtbot, controller: SignInController, demo, path: str
) -> None:
    service = AppTokenService(controller, local_name=path).start()
    try:
        assert isinstance(service.server, LocalTokenServer)
        sign_in(qtbot, controller)
        request = wire.token_request(60, demo.settings_flags())
        answer = in_thread(qtbot, lambda: client.ask_app(request, path=path, wait=10))
        assert isinstance(answer, client.AppAnswer)
        assert answer.token is not None
        assert controller.tokens is not None
        assert answer.token.access_token == controller.tokens.access_token
    finally:
        service.close()
