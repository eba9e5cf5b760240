"""Signing in with the system browser (RFC 8252): the real window and its `SystemBrowserHost`,
a real browser (Debian's chromium, headless, as `BROWSER`), and real authorization servers
(the demo server, panva's oidc-provider) redirecting to the app's loopback listener.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.browser.errors import SignInTimeoutError
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import load_settings
from frameio_desktop.core.store import KeyringTokenStore
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.system_browser_host import SystemBrowserHosts
from frameio_desktop.gui.window import MainWindow
from tests.helpers import oidc
from tests.helpers.fakes import MemoryKeyring
from tests.helpers.peers import DemoPeer, OidcPeer, Peer

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

    def __init__(self, qtbot, tmp_path: Path, flags: dict[str, str], hosts: SystemBrowserHosts):
        settings = load_settings(
            flags,
            environ={},
            dotenv_path=tmp_path / "absent.env",
            settings_path=tmp_path / "absent.json",
        )
        self.session = AuthSession(
            settings,
            http=HttpClient(),
            store=KeyringTokenStore(MemoryKeyring()),
            lock_dir=tmp_path / "locks",
        )
        self.hosts = hosts
        self.qtbot = qtbot
        self.controller = SignInController(self.session)
        self.window = MainWindow(
            self.controller,
            provider_title=settings.title,
            client_id=settings.client_id,
            profile=settings.profile,
            host_factory=hosts.host_factory(),
        )
        qtbot.addWidget(self.window)
        self.window.show()

    def sign_in(self, expected: State = State.SIGNED_IN, timeout: int = 60_000) -> None:
        with self.qtbot.waitSignal(
            self.controller.state_changed,
            check_params_cb=lambda s: s is expected,
            timeout=timeout,
        ):
            self.window.sign_in_button.click()

    @property
    def port(self) -> int:
        host = self.window.sign_in_host
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

    def start(flags: dict[str, str], **options: object) -> BrowserApp:
        apps.append(BrowserApp(qtbot, tmp_path, flags, SystemBrowserHosts(**options)))  # type: ignore[arg-type]
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
    app.qtbot.waitUntil(lambda: not app.controller.saving, timeout=10_000)
    stored = app.session.store.load(app.session.settings.store_key)
    assert stored is not None
    assert peer.token_works(stored.access_token)


def test_demo_server_through_chromium(browser_app, chromium, demo_loopback) -> None:
    peer, redirect = demo_loopback
    chromium.will_fill(peer.fill_js(allow=True))
    app = browser_app({**peer.settings_flags(), "redirect_uri": redirect})
    assert app.window.sign_in_button.text() == "Sign in with your browser"
    app.sign_in()
    signed_in_with_working_tokens(app, peer)
    assert app.window.sign_in_host is None
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
    assert app.window.error_title.text() == "Access denied"
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
    assert window.waiting_panel.isVisibleTo(window)
    assert window.waiting_title.text() == "Continue in your browser"
    assert window.show_sign_in_button.text() == "Open the page again"
    port = app.port
    window.show_sign_in_button.click()
    assert len(browser.opened) == 2
    assert browser.opened[0] == browser.opened[1]
    host = window.sign_in_host
    with qtbot.waitSignal(host.finished, timeout=10_000):
        window.waiting_cancel.click()
    assert app.controller.state is State.SIGNED_OUT
    assert_released(port)


def test_timeout_ends_the_sign_in(browser_app, demo_loopback) -> None:
    peer, redirect = demo_loopback
    app = browser_app(
        {**peer.settings_flags(), "redirect_uri": redirect}, open_url=NoBrowser(), timeout=0.3
    )
    app.sign_in(State.ERROR, timeout=10_000)
    assert app.window.error_title.text() == "Sign-in timed out"
    assert isinstance(app.controller.problem.error, SignInTimeoutError)
    port = int(redirect.rsplit(":", 1)[1].split("/")[0])
    app.qtbot.waitUntil(lambda: not app.window.closing_hosts, timeout=10_000)
    assert_released(port)


def test_port_in_use_is_shown(browser_app, demo_loopback) -> None:
    peer, redirect = demo_loopback
    port = int(redirect.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        app = browser_app({**peer.settings_flags(), "redirect_uri": redirect}, open_url=NoBrowser())
        app.sign_in(State.ERROR, timeout=10_000)
    assert str(port) in app.window.error_text.text()


def test_https_redirect_cannot_come_back_from_a_browser(browser_app, demo_loopback) -> None:
    peer, _ = demo_loopback
    app = browser_app(
        {**peer.settings_flags(), "redirect_uri": "https://app.example.test/cb"},
        open_url=NoBrowser(),
    )
    app.sign_in(State.ERROR, timeout=10_000)
    assert "cannot bring that back" in app.window.error_text.text()
