"""The sign-in page's web profile through the window: cookies live only as long as a
session, and no order of sign-out, sign-in and renewal leaves the next page without its
folder or with the last person's cookies.

Hosts here stand in for the sign-in page: they write a cookie into the folder the window
gives them, as Chromium does, and then answer as a person would (sign in, deny, fail)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from PySide6.QtCore import QTimer

from frameio_desktop.core.web_profile import finish_removals
from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.sign_in_host import HostFactory, HostPlace, SignInHost
from frameio_desktop.gui.tasks import TaskRunner
from frameio_desktop.gui.window import MainWindow
from tests.helpers.browser import _FormParser
from tests.helpers.fakes import FakeClock
from tests.helpers.qtobjects import dispose
from tests.helpers.sessions import SessionFactory

pytestmark = pytest.mark.gui


class CookieHost(SignInHost):
    """A sign-in page: keeps a cookie in its folder, then does what `answer` says."""

    def __init__(self, place: HostPlace, answer: Callable[[CookieHost, str, str], None]) -> None:
        super().__init__(place.window)
        self.folder = Path(place.web_profile) if place.web_profile else None
        self.answer = answer

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        if self.folder is not None:
            (self.folder / "Cookies").write_text("the provider's session")
        self.answer(self, authorize_url, redirect_uri)

    def _close(self) -> None:
        self._gone()

    def release(self, timeout: float) -> None:
        self.close()


def sign_in_on_the_demo(host: CookieHost, authorize_url: str, redirect_uri: str) -> None:
    http = requests.Session()
    parser = _FormParser()
    parser.feed(http.get(authorize_url, allow_redirects=False, timeout=10).text)
    assert parser.action, "no login form"
    action = urljoin(authorize_url, parser.action)
    http.post(action, data={"action": "login", "name": "Ada Lovelace"}, timeout=10)
    answer = http.post(action, data={"action": "allow"}, allow_redirects=False, timeout=10)
    location = answer.headers["Location"]
    QTimer.singleShot(0, lambda: host.redirect_caught.emit(location))


def deny(host: CookieHost, authorize_url: str, redirect_uri: str) -> None:
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    answer = f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"
    QTimer.singleShot(0, lambda: host.redirect_caught.emit(answer))


def fail(host: CookieHost, authorize_url: str, redirect_uri: str) -> None:
    QTimer.singleShot(0, lambda: host.load_failed.emit("the page could not be loaded"))


def stay(host: CookieHost, authorize_url: str, redirect_uri: str) -> None:
    pass  # the person has not answered yet


class HoldingRunner(TaskRunner):
    """Runs tasks as usual; those started while `holding` wait for `release`."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.held = 0
        self._gate = threading.Event()

    def run(self, fn: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        if self.holding:
            gate = self._gate
            self.held += 1

            def held() -> Any:
                gate.wait()
                return fn()

            return super().run(held, *args, **kwargs)
        return super().run(fn, *args, **kwargs)

    def release(self) -> None:
        self.holding = False
        self._gate.set()


class App:
    def __init__(self, qtbot: Any, controller: SignInController, clock: FakeClock) -> None:
        self.qtbot, self.controller, self.clock = qtbot, controller, clock
        self.answer: Callable[[CookieHost, str, str], None] = sign_in_on_the_demo
        self.silent_answer: Callable[[CookieHost, str, str], None] = stay
        self.hosts: list[CookieHost] = []
        self.window = MainWindow(
            controller,
            provider_title="Demo",
            client_id="frameio-desktop-demo",
            profile="demo",
            host_factory=HostFactory(
                make=lambda place: self._host(place, lambda *a: self.answer(*a)),
                where="in a test. ",
                in_process=True,
                make_silent=lambda place: self._host(place, lambda *a: self.silent_answer(*a)),
            ),
        )
        qtbot.addWidget(self.window)

    def _host(self, place: HostPlace, answer: Callable[[CookieHost, str, str], None]) -> SignInHost:
        self.hosts.append(CookieHost(place, answer))
        return self.hosts[-1]

    def wait_for(self, state: State, action: Callable[[], None]) -> None:
        with self.qtbot.waitSignal(
            self.controller.state_changed, check_params_cb=lambda s: s is state, timeout=10_000
        ):
            action()

    def sign_in(self) -> None:
        self.answer = sign_in_on_the_demo
        self.wait_for(State.SIGNED_IN, self.controller.sign_in)
        self.qtbot.waitUntil(lambda: not self.controller.keeper.saving, timeout=10_000)

    def cookies(self) -> list[Path]:
        """Every cookie file of this app's web profiles, wherever it lies."""
        self.controller.runner.wait_idle()
        assert finish_removals(timeout=30)
        root = Path(os.environ["XDG_DATA_HOME"])
        return [p for p in root.rglob("Cookies") if "web-profiles" in p.parts]


@pytest.fixture
def demo() -> Iterator[DemoServer]:
    server = DemoServer(token_ttl=3600, refresh_tokens=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(qtbot: Any, demo: DemoServer, make_session: SessionFactory) -> Iterator[App]:
    clock = FakeClock()
    session = make_session(demo.settings_flags(), clock=clock)
    controller = SignInController(session, runner=HoldingRunner(), clock=clock)
    started = App(qtbot, controller, clock)
    yield started
    controller.runner.release()  # type: ignore[attr-defined]
    controller.runner.wait_idle()
    dispose(controller)


def test_a_signed_in_session_keeps_its_cookies(app: App) -> None:
    app.sign_in()
    assert len(app.cookies()) == 1


@pytest.mark.parametrize("answer", [deny, fail], ids=["denied", "failed"])
def test_a_sign_in_that_ends_without_tokens_leaves_no_cookies(
    app: App, answer: Callable[[CookieHost, str, str], None]
) -> None:
    app.answer = answer
    app.wait_for(State.ERROR, app.controller.sign_in)
    assert app.cookies() == []


def test_a_cancelled_sign_in_leaves_no_cookies(app: App) -> None:
    app.answer = stay
    app.wait_for(State.SIGNING_IN, app.controller.sign_in)
    app.wait_for(State.SIGNED_OUT, app.controller.cancel)
    assert app.cookies() == []


def test_an_ended_session_leaves_no_cookies(app: App) -> None:
    app.sign_in()
    tokens = app.controller.tokens
    assert tokens is not None
    assert tokens.refresh_token is None
    app.clock.now = tokens.expires_at + timedelta(seconds=1)
    app.wait_for(State.ERROR, app.controller.keeper.on_tick)  # "your sign-in has ended"
    assert app.cookies() == []


def test_a_refused_renewal_leaves_no_cookies(app: App) -> None:
    app.sign_in()
    app.silent_answer = fail
    tokens = app.controller.tokens
    assert tokens is not None
    with app.qtbot.waitSignal(app.controller.renewal.sign_in_needed_changed, timeout=10_000):
        app.clock.now = tokens.expires_at - timedelta(minutes=14)
        app.controller.keeper.on_tick()
    assert app.cookies() == []


def test_the_next_sign_in_after_a_sign_out_keeps_its_folder_and_shows_the_login(
    app: App,
) -> None:
    """21 §5, forced: the sign-out's late deletion of the web profile runs after the next
    sign-in's page got its folder. The page keeps its folder, and starts with no cookies
    of the session that was signed out."""
    app.sign_in()
    runner = app.controller.runner
    assert isinstance(runner, HoldingRunner)

    def sign_out_and_hold_what_follows() -> None:
        app.window.signed_in_page.sign_out_button.click()
        runner.holding = True  # the sign-out runs; the work it leaves behind waits

    app.wait_for(State.SIGNED_OUT, sign_out_and_hold_what_follows)
    assert runner.held >= 1  # the window's second deletion, after its hosts closed
    app.answer = stay
    app.wait_for(State.SIGNING_IN, app.controller.sign_in)
    page = app.hosts[-1].folder
    assert page is not None
    runner.release()
    runner.wait_idle()
    assert page.is_dir()
    assert [p.parent for p in app.cookies()] == [page]  # only the new page's own


def test_a_page_given_up_for_the_browser_leaves_no_cookies(app: App) -> None:
    """The page refused to work in the app and the person went on in their browser: the
    first page's folder is not what the browser's sign-in keeps."""
    app.answer = stay
    app.wait_for(State.SIGNING_IN, app.controller.sign_in)
    first = app.hosts[-1].folder
    assert first is not None
    hosts = app.window.hosts
    hosts.factory_now = replace(hosts.factory_now, system_browser=True)
    app.answer = sign_in_on_the_demo
    app.wait_for(State.SIGNED_IN, lambda: app.controller.interactive.restart())
    assert app.hosts[-1].folder is None  # the person's own browser: no folder of the app's
    assert app.cookies() == []
    assert app.controller.session is not None
    assert app.controller.session.web_profile.for_renewal() is None
