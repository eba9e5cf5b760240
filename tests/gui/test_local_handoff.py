"""The handoff over Qt's local sockets (what Windows would use), run here on Linux, where Qt
makes it a Unix socket: a client in another thread, the server on the UI thread."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator

import pytest

from frameio_desktop.core.browser.handoff import MAX_MESSAGE_BYTES
from frameio_desktop.gui.local_handoff import LocalHandoffServer
from tests.helpers.inbox import URL, Inbox

pytestmark = pytest.mark.gui


@pytest.fixture
def name() -> str:
    return f"frameio-desktop-test-{secrets.token_hex(4)}"


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def server(qtbot, inbox: Inbox, name: str) -> Iterator[LocalHandoffServer]:
    running = LocalHandoffServer(inbox.deliver, name).start()
    yield running
    running.close()


_CLIENT = """
import sys
from frameio_desktop.core.browser.errors import HandoffError
from frameio_desktop.gui.local_handoff import hand_over
try:
    hand_over(sys.argv[1], sys.argv[2], timeout=float(sys.argv[3]))
except HandoffError as exc:
    print(type(exc).__name__, getattr(exc, "reason", ""))
    sys.exit(1)
print("ok")
"""


def second_instance(qtbot, url: str, name: str, timeout: float = 10) -> str:
    """A client in its own process (as the second instance is), while this process's
    event loop serves; what it printed."""
    client = subprocess.Popen(
        [sys.executable, "-c", _CLIENT, url, name, str(timeout)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=30_000)
    assert client.stdout is not None
    return client.stdout.read().strip()


def test_a_redirect_is_handed_over(qtbot, server, inbox: Inbox, name: str) -> None:
    assert second_instance(qtbot, URL, name) == "ok"
    assert inbox.received == [URL]


def test_refusals_leave_the_server_running(qtbot, server, inbox: Inbox, name: str) -> None:
    inbox.waiting = False
    assert second_instance(qtbot, URL, name) == "HandoffRefusedError no sign-in is waiting"
    inbox.waiting = True
    assert second_instance(qtbot, "\x01junk", name).startswith("HandoffRefusedError not a")
    big = "x" * (MAX_MESSAGE_BYTES + 10)
    assert second_instance(qtbot, big, name) == "HandoffRefusedError message too long"
    assert server.refusals == [
        "no sign-in is waiting",
        "not a single line of text",
        "message too long",
    ]
    assert second_instance(qtbot, URL, name) == "ok"
    assert inbox.received == [URL]


def test_nobody_listening(qtbot, name: str) -> None:
    assert second_instance(qtbot, URL, name, timeout=1) == "NoRunningInstanceError"


def test_the_window_uses_it_where_there_are_no_unix_sockets(
    qtbot, monkeypatch: pytest.MonkeyPatch, demo, tmp_path
) -> None:
    """Where Python has no Unix sockets (Windows) the system-browser hosts listen through
    Qt; a second instance's answer completes the window's sign-in."""
    from frameio_desktop.core.browser import handoff
    from frameio_desktop.gui import local_handoff
    from frameio_desktop.gui.controller import SignInController, State
    from frameio_desktop.gui.system_browser_host import SystemBrowserHosts
    from frameio_desktop.gui.window import MainWindow
    from tests.helpers.browser import sign_in_without_browser
    from tests.helpers.sessions import new_session

    name = f"frameio-desktop-test-{secrets.token_hex(4)}"
    monkeypatch.setattr(handoff, "available", lambda: False)
    monkeypatch.setattr(local_handoff, "server_name", lambda: name)
    controller = SignInController(new_session(demo.settings_flags(), folder=tmp_path))
    opened: list[str] = []
    hosts = SystemBrowserHosts(open_url=opened.append)
    window = MainWindow(
        controller,
        provider_title="Demo",
        client_id="frameio-desktop-demo",
        profile="demo",
        host_factory=hosts.host_factory(),
    )
    qtbot.addWidget(window)
    try:
        window.show()
        with qtbot.waitSignal(controller.interactive.page_requested, timeout=10_000):
            window.signed_out_page.sign_in_button.click()
        assert isinstance(hosts._handoff, LocalHandoffServer)
        redirect = sign_in_without_browser(opened[0], "Ada Lovelace")
        with qtbot.waitSignal(
            controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_IN, timeout=30_000
        ):
            assert second_instance(qtbot, redirect, name) == "ok"
    finally:
        assert window.release_web_engine()
        controller.runner.wait_idle()
        hosts.close()


_CHECKED_CLIENT = """
import sys
from frameio_desktop.core.browser.errors import HandoffError
from frameio_desktop.gui.local_handoff import hand_over
seen = []
def owner_check(handle):
    seen.append(handle)
    return sys.argv[3] == "ours"
try:
    hand_over(sys.argv[1], sys.argv[2], timeout=10, owner_check=owner_check)
except HandoffError as exc:
    print("refused", seen[0] > 0, exc.user_message)
    sys.exit(1)
print("ok", seen[0] > 0)
"""


@pytest.mark.parametrize("owner", ["ours", "another user"])
def test_nothing_is_sent_to_a_pipe_another_user_serves(
    qtbot, server, inbox: Inbox, name: str, owner: str
) -> None:
    """Issue 19 (Windows named pipe): the second instance checks who serves the pipe
    (by its native handle) before it sends the redirect. Here with a fake check."""
    client = subprocess.Popen(
        [sys.executable, "-c", _CHECKED_CLIENT, URL, name, owner],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=30_000)
    assert client.stdout is not None
    printed = client.stdout.read().strip()
    if owner == "ours":
        assert printed == "ok True"
        assert inbox.received == [URL]
    else:
        assert printed.startswith("refused True")
        assert "served by another user" in printed
        assert inbox.received == []
