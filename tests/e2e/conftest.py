from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from frameio_desktop.gui.controller import State
from frameio_desktop.gui.window import MainWindow
from frameio_desktop.main import build_controller, build_window
from tests.helpers import oidc
from tests.helpers.cli import secret_service_missing
from tests.helpers.peers import DemoPeer, OidcPeer, Peer

pytestmark = [pytest.mark.e2e, pytest.mark.gui, pytest.mark.webengine]


def fill_sign_in_page(window: MainWindow, script: str) -> Callable[..., None]:
    """A slot for `page_requested`: once the sign-in page is up in `window`'s embedded
    host, `script` runs on each page it loads (the login form, then the consent page)."""

    def on_page_requested(*_: object) -> None:
        host = window.hosts.sign_in_host
        assert host is not None
        page = host.page
        assert page is not None

        def loaded(ok: bool) -> None:
            if ok:
                page.runJavaScript(script)

        page.loadFinished.connect(loaded)

    return on_page_requested


def make_peer(name: str, token_ttl: int = 600) -> Peer:
    if name == "oidc-provider":
        if oidc.available() is not None:
            pytest.skip(str(oidc.available()))
        return OidcPeer(access_token_ttl=token_ttl)
    return DemoPeer(token_ttl=token_ttl)


@pytest.fixture(params=["demo", "oidc-provider"])
def peer(request: pytest.FixtureRequest) -> Iterator[Peer]:
    server = make_peer(request.param)
    yield server
    server.stop()


@pytest.fixture
def peer_factory() -> Iterator[Callable[..., Peer]]:
    made: list[Peer] = []

    def make(name: str, token_ttl: int = 600) -> Peer:
        made.append(make_peer(name, token_ttl))
        return made[-1]

    yield make
    for server in made:
        server.stop()


class App:
    """The real app wiring (settings, keyring, controller, window), as `main` builds it."""

    def __init__(self, qtbot, flags: dict[str, str]) -> None:
        self.qtbot = qtbot
        self.flags = flags
        self.controller, settings = build_controller(dict(flags))
        assert settings is not None
        self.settings = settings
        self.window: MainWindow = build_window(self.controller, self.settings)
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.web_views_opened = 0
        self.controller.interactive.page_requested.connect(self._count)

    def _count(self, *_: object) -> None:
        self.web_views_opened += 1

    @property
    def session(self):
        return self.controller.session

    def sign_in_through_page(self, peer: Peer, *, allow: bool = True) -> None:
        """Click Sign in, then fill the login form and the consent page in the web view."""
        on_page_requested = fill_sign_in_page(self.window, peer.fill_js(allow=allow))
        self.controller.interactive.page_requested.connect(on_page_requested)
        expected = State.SIGNED_IN if allow else State.ERROR
        with self.qtbot.waitSignal(
            self.controller.state_changed, check_params_cb=lambda s: s is expected, timeout=30_000
        ):
            self.window.signed_out_page.sign_in_button.click()
        self.controller.interactive.page_requested.disconnect(on_page_requested)
        if allow:
            self.qtbot.waitUntil(lambda: not self.controller.keeper.saving, timeout=10_000)

    def close(self) -> None:
        assert self.window.release_web_engine()
        self.controller.runner.wait_idle()


@pytest.fixture
def launch(qtbot) -> Iterator[Callable[[dict[str, str]], App]]:
    apps: list[App] = []

    def start(flags: dict[str, str]) -> App:
        apps.append(App(qtbot, flags))
        return apps[-1]

    yield start
    for app in apps:
        app.close()
        if app.session is not None:
            app.session.store.clear(app.settings.store_key)


@pytest.fixture
def profile() -> str:
    return f"e2e-{secrets.token_hex(4)}"


@pytest.fixture(autouse=True)
def _needs_secret_service() -> None:
    if secret_service_missing():
        pytest.skip(str(secret_service_missing()))
