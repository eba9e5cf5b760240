"""The window's side of the separate sign-in window, with stand-in child processes: what
it asks the child to do, and what a child that crashes or talks back does to the window."""

from __future__ import annotations

import sys
import textwrap

import pytest

from frameio_desktop.core.sign_in_process import ProcessFactory
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.sign_in_child.host import ChildProcessHost, child_process_host_factory
from frameio_desktop.gui.window import MainWindow
from tests.helpers.browser import follow_start_address

pytestmark = pytest.mark.gui

#: Records every command it is sent (as script results no one asked for, id -1, which the
#: window ignores), until its input ends.
RECORDER = textwrap.dedent(
    """
    import json, sys
    for line in sys.stdin:
        event = {"event": "result", "id": -1, "value": json.loads(line)}
        print(json.dumps(event), flush=True)
    """
)


class Children:
    """The sign-in window processes: the given Python source, run by this Python."""

    def __init__(self) -> None:
        self.factory = ProcessFactory([sys.executable, "-c", "pass"])

    def __call__(self, source: str) -> None:
        self.factory = ProcessFactory([sys.executable, "-c", source])


@pytest.fixture
def child() -> Children:
    return Children()


@pytest.fixture
def separate_window(qtbot, controller: SignInController, child: Children):
    # The window asks the factory for a process at each sign-in: the test's latest source.
    w = MainWindow(
        controller,
        provider_title="Demo",
        client_id="frameio-desktop-demo",
        profile="demo",
        host_factory=child_process_host_factory(lambda: child.factory()),
    )
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    assert w.release_web_engine()


def test_open_show_and_cancel_reach_the_child(
    qtbot, child, controller: SignInController, separate_window: MainWindow
) -> None:
    child(RECORDER)
    controller.sign_in()
    remote = separate_window.hosts.sign_in_host
    assert isinstance(remote, ChildProcessHost)
    assert remote.process is not None
    assert separate_window.signing_in_page.waiting.isVisible()
    got: list[dict] = []
    window_side = remote._receive  # the test reads the child's answers, then passes them on

    def listen(event: dict) -> None:
        if event["event"] == "result" and event["id"] == -1:
            got.append(event["value"])
        window_side(event)

    remote.process.listen(listen)
    separate_window.signing_in_page.waiting.show_button.click()
    qtbot.waitUntil(lambda: len(got) == 2, timeout=10_000)
    opened, raised = got
    assert opened["cmd"] == "open"
    assert opened["authorize_url"] == controller.interactive.pending.authorize_url
    assert opened["redirect_uri"] == controller.interactive.pending.redirect_uri
    geometry = separate_window.geometry()
    assert opened["geometry"] == [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
    assert opened["parent_window"] == int(separate_window.winId())
    assert "code_verifier" not in str(opened)
    assert controller.interactive.pending.code_verifier not in str(opened)
    assert raised == {"cmd": "raise"}

    separate_window.signing_in_page.waiting.cancel_button.click()
    assert controller.state is State.SIGNED_OUT
    assert remote.process.wait(timeout=10) == 0  # told to close; its input ended
    assert got[-1] == {"cmd": "close"}


def test_a_crashed_sign_in_window_is_an_error_the_window_recovers_from(
    qtbot, child, controller: SignInController, separate_window: MainWindow
) -> None:
    child("import sys; sys.exit(3)")
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is State.ERROR, timeout=10_000
    ):
        controller.sign_in()
    assert "closed unexpectedly (exit status 3)" in separate_window.error_page.text_label.text()
    assert separate_window.hosts.sign_in_host is None
    assert not separate_window.signing_in_page.waiting.isVisible()
    separate_window.error_page.back_button.click()
    assert controller.state is State.SIGNED_OUT


def test_the_redirect_from_the_child_is_checked_here(
    qtbot, child, controller: SignInController, separate_window: MainWindow
) -> None:
    """The child only relays; a redirect with the wrong state is refused in the window
    process and nothing is exchanged."""
    child(
        textwrap.dedent(
            """
            import json, sys
            command = json.loads(sys.stdin.readline())
            url = command["redirect_uri"] + "?code=stolen&state=forged"
            print(json.dumps({"event": "redirect", "url": url}), flush=True)
            sys.stdin.read()
            """
        )
    )
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is State.ERROR, timeout=10_000
    ):
        controller.sign_in()
    assert controller.session is not None
    assert controller.session.tokens is None
    assert "state" in separate_window.error_page.text_label.text().lower()


@pytest.mark.parametrize(
    "message",
    [
        '{"event": "exit", "code": 0}',
        '{"event": "exit", "code": "zero"}',
        '{"event": "result", "id": "x", "value": 1}',
        '{"event": "redirect", "url": 7}',
        '{"event": "loaded"}',
        '"x" * 70000',
    ],
)
def test_a_child_breaking_the_protocol_ends_the_sign_in_with_an_error(
    qtbot, child, controller: SignInController, separate_window: MainWindow, message: str
) -> None:
    """A faked exit or result, a non-numeric code or id, a message of the wrong shape or
    size: the sign-in ends with an error page, never an exception in a slot."""
    line = message if message.startswith('"x"') else repr(message)
    child(
        textwrap.dedent(
            f"""
            import sys
            sys.stdin.readline()
            sys.stdout.write({line} + "\\n")
            sys.stdout.flush()
            sys.stdin.read()
            """
        )
    )
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is State.ERROR, timeout=10_000
    ):
        controller.sign_in()
    assert "stopped" in separate_window.error_page.text_label.text()
    separate_window.error_page.back_button.click()
    assert controller.state is State.SIGNED_OUT


def test_a_page_refusing_the_app_continues_in_the_browser(
    qtbot, child, controller: SignInController, tmp_path
) -> None:
    """The child reports that its page refuses embedded views and the person chose the
    browser: the window drops the child and starts the same sign-in in the browser."""
    import shutil
    import tempfile
    from pathlib import Path

    from frameio_desktop.gui.system_browser_host import SystemBrowserHost, SystemBrowserHosts

    child(
        textwrap.dedent(
            """
            import json, sys
            sys.stdin.readline()
            print(json.dumps({"event": "browser"}), flush=True)
            sys.stdin.read()
            """
        )
    )
    opened: list[str] = []
    runtime = Path(tempfile.mkdtemp(prefix="rt-"))
    hosts = SystemBrowserHosts(open_url=opened.append, handoff_path=runtime / "s" / "h.sock")
    w = MainWindow(
        controller,
        provider_title="Demo",
        client_id="frameio-desktop-demo",
        profile="demo",
        host_factory=child_process_host_factory(lambda: child.factory()),
        browser_factory=hosts.host_factory(),
    )
    qtbot.addWidget(w)
    try:
        w.show()
        with qtbot.waitSignal(w.controller.interactive.page_requested, timeout=10_000):
            w.signed_out_page.sign_in_button.click()
        first = w.hosts.sign_in_host
        qtbot.waitUntil(lambda: isinstance(w.hosts.sign_in_host, SystemBrowserHost), timeout=10_000)
        assert controller.state is State.SIGNING_IN
        assert first is not w.hosts.sign_in_host
        assert len(opened) == 1
        assert w.signing_in_page.waiting.title_label.text() == "Continue in your browser"
        assert controller.interactive.pending is not None
        # The browser's command line carries a one-time local address, not the sign-in
        # request: no state, no code_challenge for other users to read (issue 19).
        assert controller.interactive.pending.state not in opened[0]
        assert "code_challenge" not in opened[0]
        assert follow_start_address(opened[0]) == controller.interactive.pending.authorize_url
    finally:
        assert w.release_web_engine()
        hosts.close()
        shutil.rmtree(runtime, ignore_errors=True)
