"""Signing in with the system browser (RFC 8252): the real window and its `SystemBrowserHost`,
a real browser (Debian's chromium, headless, as `BROWSER`), and real authorization servers
(the demo server, panva's oidc-provider) redirecting to the app's loopback listener.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.browser import scheme
from frameio_desktop.core.browser.errors import SignInTimeoutError
from frameio_desktop.core.browser.handoff import MAX_MESSAGE_BYTES, SOCKET_NAME
from frameio_desktop.core.errors import FrameioDesktopError
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import load_settings
from frameio_desktop.demo.server import DEMO_NATIVE_REDIRECT
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.in_window_host import in_window_host_factory
from frameio_desktop.gui.system_browser_host import SystemBrowserHosts
from frameio_desktop.gui.window import MainWindow
from tests.helpers import oidc
from tests.helpers.browser import follow_start_address, sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing
from tests.helpers.desktop import needs_desktop_tools, private_desktop
from tests.helpers.peers import DemoPeer, OidcPeer, Peer
from tests.helpers.refusal import RefusingAuthorizer
from tests.helpers.sessions import new_session

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.gui,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (scripts/test)"),
]

HEADLESS = Path(__file__).resolve().parents[1] / "helpers" / "headless_browser.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_released(port: int) -> None:
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()


class Chromium:
    """`BROWSER` = headless chromium that fills in the sign-in pages it is shown."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fill = tmp_path / "fill.js"
        self.log = tmp_path / "pages.jsonl"
        monkeypatch.setenv("BROWSER", f"'{sys.executable}' '{HEADLESS}'")
        monkeypatch.setenv("HEADLESS_FILL_JS", str(self.fill))
        monkeypatch.setenv("HEADLESS_LOG", str(self.log))
        monkeypatch.setenv("HEADLESS_TIMEOUT", "60")

    def will_fill(self, script: str) -> None:
        self.fill.write_text(script)

    def pages(self) -> list[dict[str, str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def last_page(self, qtbot) -> dict[str, str]:
        """The page the browser ended on. It logs a page after the app may already have
        finished, so wait for the listener's own page to be logged."""
        qtbot.waitUntil(
            lambda: bool(self.pages()) and "close this tab" in self.pages()[-1]["text"],
            timeout=30_000,
        )
        return self.pages()[-1]


@pytest.fixture
def chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Chromium:
    return Chromium(tmp_path, monkeypatch)


class BrowserApp:
    """The window with the system browser as its sign-in host, and an in-memory keyring."""

    def __init__(
        self,
        qtbot,
        tmp_path: Path,
        flags: dict[str, str],
        hosts: SystemBrowserHosts,
        *,
        in_window_default: bool = False,
    ):
        self.session = new_session(flags, folder=tmp_path)
        settings = self.session.settings
        self.hosts = hosts
        self.qtbot = qtbot
        self.controller = SignInController(self.session)
        self.window = MainWindow(
            self.controller,
            provider_title=settings.title,
            client_id=settings.client_id,
            profile=settings.profile,
            host_factory=in_window_host_factory() if in_window_default else hosts.host_factory(),
            browser_factory=hosts.host_factory(),
        )
        qtbot.addWidget(self.window)
        self.window.show()

    def sign_in(self, expected: State = State.SIGNED_IN, timeout: int = 60_000) -> None:
        with self.qtbot.waitSignal(
            self.controller.state_changed,
            check_params_cb=lambda s: s is expected,
            timeout=timeout,
        ):
            self.window.signed_out_page.sign_in_button.click()

    @property
    def port(self) -> int:
        host = self.window.hosts.sign_in_host
        assert host is not None
        assert host.listener is not None  # type: ignore[attr-defined]
        return int(host.listener.port)  # type: ignore[attr-defined]

    def close(self) -> None:
        assert self.window.release_web_engine()
        self.controller.runner.wait_idle()
        self.hosts.close()


@pytest.fixture
def browser_app(qtbot, tmp_path: Path) -> Iterator[Callable[..., BrowserApp]]:
    apps: list[BrowserApp] = []

    def start(
        flags: dict[str, str], *, in_window_default: bool = False, **options: object
    ) -> BrowserApp:
        hosts = SystemBrowserHosts(**options)  # type: ignore[arg-type]
        apps.append(BrowserApp(qtbot, tmp_path, flags, hosts, in_window_default=in_window_default))
        return apps[-1]

    yield start
    for app in apps:
        app.close()


def demo_with_loopback() -> tuple[DemoPeer, str]:
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    peer = DemoPeer()
    peer.server.stop()
    peer.server._extra_redirects.append(redirect)
    peer.server.start()
    return peer, redirect


@pytest.fixture
def demo_loopback() -> Iterator[tuple[DemoPeer, str]]:
    peer, redirect = demo_with_loopback()
    yield peer, redirect
    peer.stop()


def signed_in_with_working_tokens(app: BrowserApp, peer: Peer) -> None:
    assert app.controller.state is State.SIGNED_IN
    app.qtbot.waitUntil(lambda: not app.controller.keeper.saving, timeout=10_000)
    stored = app.session.store.load(app.session.settings.store_key)
    assert stored is not None
    assert peer.token_works(stored.access_token)


def test_demo_server_through_chromium(browser_app, chromium, demo_loopback) -> None:
    peer, redirect = demo_loopback
    chromium.will_fill(peer.fill_js(allow=True))
    app = browser_app({**peer.settings_flags(), "redirect_uri": redirect})
    assert app.window.signed_out_page.sign_in_button.text() == "Sign in with your browser"
    app.sign_in()
    signed_in_with_working_tokens(app, peer)
    assert app.window.hosts.sign_in_host is None
    port = int(redirect.rsplit(":", 1)[1].split("/")[0])
    assert_released(port)
    # What the browser showed at the end: the listener's own page.
    assert chromium.last_page(app.qtbot)["title"] == "Signed in"
    assert peer.server.state.hits["/callback"] == 0  # the code never reached the server


def test_oidc_provider_on_any_free_port(browser_app, chromium) -> None:
    if oidc.available() is not None:
        pytest.skip(str(oidc.available()))
    server = oidc.OidcProvider(["http://127.0.0.1/callback"]).start()
    try:
        peer = OidcPeer.__new__(OidcPeer)
        peer.server = server
        chromium.will_fill(peer.fill_js(allow=True))
        app = browser_app(server.settings_flags("http://127.0.0.1/callback"))
        app.sign_in()
        signed_in_with_working_tokens(app, peer)
        final = chromium.last_page(app.qtbot)
        assert final["title"] == "Signed in"
        port = int(final["url"].split(":")[2].split("/")[0])
        assert port != 80
        assert_released(port)
    finally:
        server.stop()


def test_denied_in_the_browser_shows_why(browser_app, chromium, demo_loopback) -> None:
    peer, redirect = demo_loopback
    chromium.will_fill(peer.fill_js(allow=False))
    app = browser_app({**peer.settings_flags(), "redirect_uri": redirect})
    app.sign_in(State.ERROR)
    assert app.window.error_page.title_label.text() == "Access denied"
    assert chromium.last_page(app.qtbot)["title"] == "Sign-in did not finish"


class NoBrowser:
    """A browser that opens nothing, and counts how often it was asked."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)


def test_waiting_page_open_again_and_cancel(browser_app, qtbot, demo_loopback) -> None:
    peer, redirect = demo_loopback
    browser = NoBrowser()
    app = browser_app({**peer.settings_flags(), "redirect_uri": redirect}, open_url=browser)
    app.sign_in(State.SIGNING_IN, timeout=10_000)
    window = app.window
    assert window.signing_in_page.waiting.isVisibleTo(window)
    assert window.signing_in_page.waiting.title_label.text() == "Continue in your browser"
    assert window.signing_in_page.waiting.show_button.text() == "Open the page again"
    port = app.port
    window.signing_in_page.waiting.show_button.click()
    assert len(browser.opened) == 2
    # Each time a new one-time start address, never the request with its state.
    assert browser.opened[0] != browser.opened[1]
    pending = app.controller.interactive.pending
    assert pending is not None
    assert not any(pending.state in url for url in browser.opened)
    assert follow_start_address(browser.opened[1]) == pending.authorize_url
    host = window.hosts.sign_in_host
    with qtbot.waitSignal(host.finished, timeout=10_000):
        window.signing_in_page.waiting.cancel_button.click()
    assert app.controller.state is State.SIGNED_OUT
    assert_released(port)


def test_timeout_ends_the_sign_in(browser_app, demo_loopback) -> None:
    peer, redirect = demo_loopback
    app = browser_app(
        {**peer.settings_flags(), "redirect_uri": redirect}, open_url=NoBrowser(), timeout=0.3
    )
    app.sign_in(State.ERROR, timeout=10_000)
    assert app.window.error_page.title_label.text() == "Sign-in timed out"
    assert isinstance(app.controller.problem.error, SignInTimeoutError)
    port = int(redirect.rsplit(":", 1)[1].split("/")[0])
    app.qtbot.waitUntil(lambda: not app.window.hosts.closing_hosts, timeout=10_000)
    assert_released(port)


def test_port_in_use_is_shown(browser_app, demo_loopback) -> None:
    peer, redirect = demo_loopback
    port = int(redirect.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        app = browser_app({**peer.settings_flags(), "redirect_uri": redirect}, open_url=NoBrowser())
        app.sign_in(State.ERROR, timeout=10_000)
    assert str(port) in app.window.error_page.text_label.text()


def test_https_redirect_cannot_come_back_from_a_browser(browser_app, demo_loopback) -> None:
    peer, _ = demo_loopback
    app = browser_app(
        {**peer.settings_flags(), "redirect_uri": "https://app.example.test/cb"},
        open_url=NoBrowser(),
    )
    app.sign_in(State.ERROR, timeout=10_000)
    shown = app.window.error_page.text_label.text()
    assert "cannot bring that back" in shown
    # It offers what can: the app's own window, or a Native App redirect; in the window's
    # words (the command line's name the flags).
    assert "app's own sign-in window" in shown
    assert "--" not in shown
    problem = app.controller.problem
    assert problem is not None
    assert isinstance(problem.error, FrameioDesktopError)
    assert "--browser embedded" in problem.error.user_message
    assert "--no-browser" in problem.error.user_message


# -- the custom scheme, through the real desktop chain -------------------------------------------


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Temporary XDG folders for this process and what it starts: the person's own URL
    handlers are never touched."""
    with private_desktop() as xdg:
        for name, value in xdg.items():
            monkeypatch.setenv(name, value)
        yield dict(os.environ)


class DesktopBrowser:
    """A browser that signs in on the demo's pages and, like a real browser meeting a
    custom scheme, asks the desktop to open the redirect (`xdg-open`). Before that it
    tries what an attacker on this machine could: junk, an oversized message, and a
    redirect with another state, straight at the app's handoff socket."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self.answers: list[str] = []
        self.errors: list[BaseException] = []
        self.done = threading.Event()

    def __call__(self, authorize_url: str) -> None:
        threading.Thread(target=self._walk, args=(authorize_url,), daemon=True).start()

    def _raw(self, data: bytes) -> str:
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(10)
            conn.connect(str(self.socket_path))
            try:
                conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return conn.recv(1024).decode().strip()

    def _walk(self, authorize_url: str) -> None:
        try:
            redirect = sign_in_without_browser(authorize_url, "Ada Lovelace")
            self.answers.append(self._raw(b"\x00\xffjunk"))
            self.answers.append(self._raw(b"x" * (MAX_MESSAGE_BYTES + 1)))
            forged = redirect.replace("state=", "state=forged")
            self.answers.append(self._raw(forged.encode()))
            subprocess.run(["xdg-open", redirect], check=True, timeout=60)
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            self.done.set()


@needs_desktop_tools
def test_custom_scheme_redirect_through_xdg_open_and_a_second_instance(
    browser_app, desktop: dict[str, str], qtbot
) -> None:
    peer = DemoPeer()
    try:
        assert peer.settings_flags()["redirect_uri"] == DEMO_NATIVE_REDIRECT
        socket_path = Path(desktop["XDG_RUNTIME_DIR"]) / "frameio-desktop" / SOCKET_NAME
        browser = DesktopBrowser(socket_path)
        # As an installed build does: register the handler at first use.
        app = browser_app(peer.settings_flags(), open_url=browser, register_scheme=True)
        app.sign_in()
        assert browser.done.wait(60)
        assert browser.errors == []
        assert browser.answers == [
            "refused: not UTF-8",
            "refused: message too long",
            "refused: not the sign-in the app is waiting for",
        ]
        signed_in_with_working_tokens(app, peer)
        name = scheme.redirect_scheme(DEMO_NATIVE_REDIRECT)
        assert name is not None
        assert scheme.is_registered(name)
        # Signed in: the app carries on refusing what arrives.
        late = run_cli([f"{DEMO_NATIVE_REDIRECT}?code=late&state=late"], env=desktop)
        assert late.returncode == 7
        assert "no sign-in is waiting" in late.stderr
        assert app.controller.state is State.SIGNED_IN
    finally:
        peer.stop()


# -- a page that refuses embedded views ----------------------------------------------------------


@pytest.mark.webengine
def test_embedded_view_offers_the_browser_when_the_page_refuses_it(
    browser_app, chromium, demo_loopback, qtbot
) -> None:
    peer, redirect = demo_loopback
    refusing = RefusingAuthorizer(peer.settings_flags()["authorize_url"])
    try:
        chromium.will_fill(peer.fill_js(allow=True))
        flags = {**peer.settings_flags(), "redirect_uri": redirect, "authorize_url": refusing.url}
        app = browser_app(flags, in_window_default=True)
        window = app.window
        assert window.signed_out_page.sign_in_button.text() == "Sign in"
        assert window.signed_out_page.browser_button.isVisibleTo(window)
        app.sign_in(State.SIGNING_IN, timeout=10_000)
        view = window.hosts.sign_in_host.view
        qtbot.waitUntil(lambda: view.refused, timeout=30_000)
        assert app.controller.state is State.SIGNING_IN  # the 403 page is shown, not an error
        assert view.refusal_bar.isVisibleTo(view)
        assert refusing.hits == {"embedded": 1}
        with qtbot.waitSignal(
            app.controller.state_changed,
            check_params_cb=lambda s: s is State.SIGNED_IN,
            timeout=60_000,
        ):
            view.continue_button.click()
        signed_in_with_working_tokens(app, peer)
        assert refusing.hits == {"embedded": 1, "browser": 1}
        assert chromium.last_page(qtbot)["title"] == "Signed in"
    finally:
        refusing.stop()


@pytest.mark.webengine
def test_an_ordinary_page_is_not_taken_for_a_refusal(browser_app, demo_loopback, qtbot) -> None:
    peer, redirect = demo_loopback
    app = browser_app(
        {**peer.settings_flags(), "redirect_uri": redirect},
        in_window_default=True,
        open_url=NoBrowser(),
    )
    app.sign_in(State.SIGNING_IN, timeout=10_000)
    view = app.window.hosts.sign_in_host.view
    with qtbot.waitSignal(view.page.loadFinished, timeout=30_000):
        pass
    # The check runs after each load; give it the same round trip the refusal gets.
    with qtbot.waitCallback() as done:
        view.page.runJavaScript("document.title", 0, done)
    assert not view.refused
    assert not view.refusal_bar.isVisibleTo(view)


@pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing()))
@pytest.mark.parametrize("how", ["flag", "environment"])
def test_login_command_in_the_system_browser(
    chromium,
    demo_loopback,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`login --browser system` (or FRAMEIO_BROWSER=system): the real entry point, the
    real keyring; exit 0 once chromium has signed in."""
    from frameio_desktop import main

    peer, redirect = demo_loopback
    chromium.will_fill(peer.fill_js(allow=True))
    flags = {**peer.settings_flags(), "redirect_uri": redirect, "profile": f"sb-{how}"}
    args = ["login", *flags_for(flags)]
    # Bounds a run whose browser never comes back: Qt's loop is not interruptible.
    monkeypatch.setenv("FRAMEIO_BROWSER_TIMEOUT", "60")
    if how == "flag":
        args += ["--browser", "system"]
    else:
        monkeypatch.setenv("FRAMEIO_BROWSER", "system")
    try:
        assert main.main(args) == 0
        assert "Signed in to Frame.io V4 (Adobe IMS)" in capsys.readouterr().out  # said
        stored = AuthSession(load_settings(flags)).store.load(load_settings(flags).store_key)
        assert stored is not None
        assert peer.token_works(stored.access_token)
    finally:
        settings = load_settings(flags)
        AuthSession(settings).store.clear(settings.store_key)


def test_a_sign_in_that_fails_before_the_browser_opens_releases_the_port(
    browser_app, demo_loopback
) -> None:
    """The listener is bound before the sign-in starts; when discovery then fails (no
    server at the issuer), no host ever takes it, and it must not stay bound."""
    _, redirect = demo_loopback
    dead = f"http://127.0.0.1:{free_port()}"
    flags = {"provider": "oidc", "issuer": dead, "client_id": "c", "redirect_uri": redirect}
    app = browser_app(flags, open_url=NoBrowser())
    app.sign_in(State.ERROR, timeout=30_000)
    assert app.window.hosts.sign_in_host is None
    assert_released(int(redirect.rsplit(":", 1)[1].split("/")[0]))


def test_a_url_the_system_hands_to_the_running_app_completes_the_sign_in(
    browser_app, qtbot
) -> None:
    """macOS delivers a custom-scheme URL to the running app as an Apple event, which Qt
    turns into a QFileOpenEvent: the same checks as the handoff, then the sign-in."""
    from PySide6.QtCore import QCoreApplication, QUrl
    from PySide6.QtGui import QFileOpenEvent

    peer = DemoPeer()
    runtime = Path(tempfile.mkdtemp(prefix="rt-"))
    try:
        app = browser_app(
            peer.settings_flags(), open_url=NoBrowser(), handoff_path=runtime / "s" / "h.sock"
        )
        app.sign_in(State.SIGNING_IN, timeout=10_000)
        pending = app.controller.interactive.pending
        assert pending is not None
        redirect = sign_in_without_browser(pending.authorize_url, "Ada Lovelace")
        qt_app = QCoreApplication.instance()
        assert qt_app is not None
        forged = redirect.replace("state=", "state=forged")
        QCoreApplication.sendEvent(qt_app, QFileOpenEvent(QUrl(forged)))
        assert app.controller.state is State.SIGNING_IN  # refused; still waiting
        with qtbot.waitSignal(
            app.controller.state_changed,
            check_params_cb=lambda s: s is State.SIGNED_IN,
            timeout=30_000,
        ):
            QCoreApplication.sendEvent(qt_app, QFileOpenEvent(QUrl(redirect)))
        signed_in_with_working_tokens(app, peer)
    finally:
        peer.stop()
        shutil.rmtree(runtime, ignore_errors=True)


@pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing()))
def test_demo_login_in_the_system_browser(chromium, qtbot, monkeypatch) -> None:
    """`frameio-desktop --demo login --browser system`: the built-in demo server takes the
    any-port loopback redirect (RFC 8252 7.3), so the demo works from source too. The demo
    runs as `frameio-desktop demo-server` runs it (a login's own demo forgets its sign-in
    when the login ends: tests/integration/test_cli_demo.py), on a port of this test's."""
    from frameio_desktop import main
    from frameio_desktop.core.store import KeyringTokenStore
    from frameio_desktop.demo.server import DEMO_CLIENT_ID, DemoServer
    from frameio_desktop.selftest import autofill_script

    chromium.will_fill(autofill_script("Ada Lovelace", allow=True))
    key = f"frameio-v4:{DEMO_CLIENT_ID}:demo"
    port = free_port()
    monkeypatch.setenv("FRAMEIO_DEMO_PORT", str(port))
    monkeypatch.setenv("FRAMEIO_BROWSER_TIMEOUT", "60")  # a stuck run fails, not hangs
    try:
        with DemoServer(port=port):
            assert main.main(["--demo", "login", "--browser", "system"]) == 0
            final = chromium.last_page(qtbot)
            assert final["title"] == "Signed in"
            assert final["url"].startswith("http://127.0.0.1:")
            assert KeyringTokenStore().load(key) is not None
    finally:
        KeyringTokenStore().clear(key)


def test_demo_server_takes_any_port_on_its_portless_loopback_redirect() -> None:
    from frameio_desktop.demo.server import ANY_PORT_REDIRECT, DEMO_CLIENT_ID, DemoServer

    with DemoServer() as server:
        client = server.state.clients[DEMO_CLIENT_ID]
        assert client.check_redirect_uri(ANY_PORT_REDIRECT)
        assert client.check_redirect_uri("http://127.0.0.1:51234/callback")
        assert not client.check_redirect_uri("http://127.0.0.1:51234/other")
        assert not client.check_redirect_uri("http://localhost:51234/callback")
        assert not client.check_redirect_uri("https://127.0.0.1:51234/callback")
        assert not client.check_redirect_uri("http://127.0.0.1:51234/callback?x=1")
