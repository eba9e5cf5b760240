"""Sessions without a refresh token: the silent renewal (`prompt=none` in a host that shows
nothing), and asking the person when it does not work.

The demo server's V4 shape with a credential that gets no refresh token, a fake clock, and
hosts that walk the demo's pages with plain HTTP. The hosts share one cookie jar, standing
in for the persistent web profile: the demo answers `prompt=none` from its own session
cookie, or with `error=login_required` once the jar is emptied (the profile deleted).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from PySide6.QtCore import QTimer

from frameio_desktop.core.errors import NetworkError
from frameio_desktop.core.session import AuthSession
from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.sign_in_host import HostFactory, HostPlace, SignInHost
from frameio_desktop.gui.window import MainWindow
from tests.helpers.browser import _FormParser
from tests.helpers.demo import GatedDemoServer
from tests.helpers.fakes import FakeClock, MemoryKeyring
from tests.helpers.sessions import SessionFactory

pytestmark = pytest.mark.gui


class Browser:
    """The cookie jar all hosts share, and what they were asked to do."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.pages_shown = 0  # interactive hosts opened
        self.silent: list[str] = []  # authorize URLs of silent hosts
        self.profiles: list[str | None] = []  # the web_profile each host was given
        self.answer_silently = True  # False: a silent host never answers

    def sign_in(self, authorize_url: str, name: str = "Ada Lovelace") -> str:
        page = self.http.get(authorize_url, allow_redirects=False, timeout=10)
        parser = _FormParser()
        parser.feed(page.text)
        assert parser.action, "no login form"
        action = urljoin(authorize_url, parser.action)
        self.http.post(action, data={"action": "login", "name": name}, timeout=10)
        answer = self.http.post(action, data={"action": "allow"}, allow_redirects=False, timeout=10)
        return answer.headers["Location"]

    def delete_profile(self) -> None:
        self.http.cookies.clear()


class PageHost(SignInHost):
    def __init__(self, place: HostPlace, browser: Browser, *, silent: bool) -> None:
        super().__init__(place.window)
        self.browser = browser
        self.silent = silent
        browser.profiles.append(place.web_profile)

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        browser = self.browser
        if self.silent:
            browser.silent.append(authorize_url)
            if not browser.answer_silently:
                return
            answer = browser.http.get(authorize_url, allow_redirects=False, timeout=10)
            redirect = answer.headers["Location"]
        else:
            browser.pages_shown += 1
            redirect = browser.sign_in(authorize_url)
        QTimer.singleShot(0, lambda: self.redirect_caught.emit(redirect))

    def _close(self) -> None:
        self._gone()

    def release(self, timeout: float) -> None:
        self.close()


class Notes:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, text: str) -> bool:
        self.shown.append((title, text))
        return True


@pytest.fixture
def demo() -> Iterator[GatedDemoServer]:
    server = GatedDemoServer(token_ttl=3600, refresh_tokens=False)
    server.start()
    yield server
    server.state.token_gate.set()
    server.stop()


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def notes() -> Notes:
    return Notes()


class App:
    def __init__(self, qtbot, session: AuthSession, clock: FakeClock, browser: Browser, notes):
        self.qtbot = qtbot
        self.clock = clock
        self.controller = SignInController(session, clock=clock)
        self.window = MainWindow(
            self.controller,
            provider_title="Demo",
            client_id="frameio-desktop-demo",
            profile="demo",
            host_factory=HostFactory(
                make=lambda place: PageHost(place, browser, silent=False),
                where="in a test. ",
                in_process=True,
                make_silent=lambda place: PageHost(place, browser, silent=True),
            ),
            notifier=notes,
        )
        qtbot.addWidget(self.window)

    def sign_in(self) -> None:
        with self.qtbot.waitSignal(
            self.controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_IN
        ):
            self.controller.sign_in()
        self.qtbot.waitUntil(lambda: not self.controller.keeper.saving, timeout=10_000)

    def tick_to(self, left: timedelta) -> None:
        """Move the clock to `left` before the sign-in ends, and tick."""
        tokens = self.controller.tokens
        assert tokens is not None
        self.clock.now = tokens.expires_at - left
        self.controller.keeper.on_tick()


@pytest.fixture
def app(
    qtbot,
    demo: DemoServer,
    make_session: SessionFactory,
    browser: Browser,
    notes: Notes,
    backend: MemoryKeyring,
) -> Iterator[App]:
    clock = FakeClock()
    session = make_session(demo.settings_flags(), keyring=backend, clock=clock)
    started = App(qtbot, session, clock, browser, notes)
    yield started
    started.controller.runner.wait_idle()


def test_silent_renewal_gets_a_new_token_without_a_page(
    qtbot, app: App, browser: Browser, demo: DemoServer
) -> None:
    app.sign_in()
    first = app.controller.tokens
    assert first.refresh_token is None
    assert browser.profiles[0] is not None  # the sign-in page kept its cookies on disk
    assert Path(browser.profiles[0]).stat().st_mode & 0o777 == 0o700
    app.tick_to(timedelta(minutes=20))  # not yet: 15 minutes ahead
    assert browser.silent == []
    with qtbot.waitSignal(app.controller.signed_in_changed, timeout=10_000):
        app.tick_to(timedelta(minutes=14))
    renewed = app.controller.tokens
    assert renewed.access_token != first.access_token
    assert renewed.expires_at > first.expires_at
    assert len(browser.silent) == 1
    assert parse_qs(urlsplit(browser.silent[0]).query)["prompt"] == ["none"]
    assert browser.pages_shown == 1  # no page for the renewal
    assert browser.profiles[1] == browser.profiles[0]  # the same cookies
    assert app.controller.renewal.sign_in_needed is None
    assert not app.window.signed_in_page.renewal.isVisibleTo(app.window)
    assert app.window.hosts.renewal_host is None
    # Stored: a new launch would use the renewed token.
    stored = app.controller.session.store.load(app.controller.session.settings.store_key)
    assert stored.access_token == renewed.access_token


def test_a_failed_account_lookup_does_not_undo_a_renewal(
    qtbot, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.sign_in()
    first = app.controller.tokens
    session = app.controller.session

    def offline() -> None:
        raise NetworkError("the API is unreachable")

    monkeypatch.setattr(session, "user", offline)
    with qtbot.waitSignal(app.controller.signed_in_changed, timeout=10_000):
        app.tick_to(timedelta(minutes=14))
    assert app.controller.tokens.access_token != first.access_token
    assert app.controller.renewal.sign_in_needed is None
    assert app.window.signed_in_page.name_label.text() == "Ada Lovelace"  # the account shown before


def test_login_required_asks_to_sign_in_again_and_never_loops(
    qtbot, app: App, browser: Browser, demo: DemoServer, notes: Notes
) -> None:
    app.sign_in()
    browser.delete_profile()
    token_requests = demo.state.hits[demo.shape.token_path]
    with qtbot.waitSignal(app.controller.renewal.sign_in_needed_changed, timeout=10_000) as asked:
        app.tick_to(timedelta(minutes=14))
    assert "Sign in again" in asked.args[0]
    assert app.window.signed_in_page.renewal.isVisibleTo(app.window)
    assert app.window.signed_in_page.renewal.sign_in_again_button.isVisibleTo(app.window)
    assert app.controller.state is State.SIGNED_IN  # the token still works until it ends
    assert demo.state.hits[demo.shape.token_path] == token_requests  # no exchange
    for minutes in (13, 12, 11, 9, 5, 1):
        app.tick_to(timedelta(minutes=minutes))
    assert len(browser.silent) == 1  # one attempt for this token, never again


def test_signing_out_during_a_renewal_stores_nothing(
    qtbot, app: App, demo: GatedDemoServer, backend: MemoryKeyring
) -> None:
    app.sign_in()
    demo.state.token_gate.clear()  # hold the renewal's exchange at the server
    demo.state.token_request_arrived.clear()
    app.tick_to(timedelta(minutes=14))
    qtbot.waitUntil(demo.state.token_request_arrived.is_set, timeout=10_000)
    assert app.controller.renewal.renewing
    with qtbot.waitSignal(
        app.controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_OUT
    ):
        app.window.signed_in_page.sign_out_button.click()
        demo.state.token_gate.set()  # the server answers after the sign-out began
    app.controller.runner.wait_idle()
    assert backend.entries == {}  # the renewed tokens were not stored
    assert app.controller.state is State.SIGNED_OUT
    assert app.controller.renewal.sign_in_needed is None
    assert not app.controller.renewal.renewing


class LingeringHost(SignInHost):
    """A sign-in process that is still ending after it was closed, and writes its cookies
    into the web profile as it goes (Chromium's shutdown flush)."""

    def __init__(self, place: HostPlace) -> None:
        super().__init__(place.window)
        self.web_profile = place.web_profile

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        pass  # no answer yet

    def _close(self) -> None:
        pass  # still ending: see end()

    def end(self) -> None:
        assert self.web_profile is not None
        folder = Path(self.web_profile)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Cookies").write_text("the provider's session")
        self._gone()

    def release(self, timeout: float) -> None:
        self.close()


def test_cookies_written_by_a_process_ending_after_sign_out_are_deleted(qtbot, app: App) -> None:
    app.sign_in()
    made: list[LingeringHost] = []

    def lingering(place: HostPlace) -> SignInHost:
        made.append(LingeringHost(place))
        return made[-1]

    app.window.hosts.host_factory = replace(app.window.hosts.host_factory, make_silent=lingering)
    app.tick_to(timedelta(minutes=14))
    assert app.window.hosts.renewal_host is made[0]
    folder = Path(made[0].web_profile or "")
    with qtbot.waitSignal(
        app.controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_OUT
    ):
        app.window.signed_in_page.sign_out_button.click()
    assert made[0] in app.window.hosts.closing_hosts  # closed, still ending
    made[0].end()  # writes its cookies after the sign-out deleted the folder
    app.controller.runner.wait_idle()
    qtbot.waitUntil(lambda: not folder.exists(), timeout=5_000)


class EndingPageHost(PageHost):
    """A sign-in page whose process is still ending after it was closed: the provider's
    session cookies reach the web profile only as it ends (Chromium's shutdown flush)."""

    def __init__(self, place: HostPlace, browser: Browser) -> None:
        super().__init__(place, browser, silent=False)
        self.jar = browser.http.cookies
        browser.http.cookies = requests.cookies.RequestsCookieJar()  # this page's own

    def _close(self) -> None:
        pass  # still ending: see end()

    def end(self) -> None:
        self.browser.http.cookies.update(self.jar)  # the profile, with the page's cookies
        self._gone()


def test_a_renewal_waits_until_the_sign_in_process_has_ended(
    qtbot, app: App, browser: Browser
) -> None:
    made: list[EndingPageHost] = []

    def ending(place: HostPlace) -> SignInHost:
        made.append(EndingPageHost(place, browser))
        return made[-1]

    hosts = app.window.hosts
    hosts.host_factory = hosts.factory_now = replace(hosts.host_factory, make=ending)
    app.sign_in()
    assert made[0] in hosts.closing_hosts  # signed in; its process still ending
    app.tick_to(timedelta(minutes=14))
    assert app.controller.renewal.renewing
    assert browser.silent == []  # no renewal page while the profile is still being written
    assert hosts.renewal_host is None
    with qtbot.waitSignal(app.controller.signed_in_changed, timeout=10_000):
        made[0].end()
    assert len(browser.silent) == 1
    assert app.controller.renewal.sign_in_needed is None


def test_sign_in_again_from_the_panel_replaces_the_sign_in(
    qtbot, app: App, browser: Browser
) -> None:
    app.sign_in()
    first = app.controller.tokens
    browser.delete_profile()
    with qtbot.waitSignal(app.controller.renewal.sign_in_needed_changed, timeout=10_000):
        app.tick_to(timedelta(minutes=14))
    with qtbot.waitSignal(
        app.controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_IN
    ):
        app.window.signed_in_page.renewal.sign_in_again_button.click()
    assert browser.pages_shown == 2
    assert app.controller.tokens.access_token != first.access_token
    assert app.controller.renewal.sign_in_needed is None
    assert not app.window.signed_in_page.renewal.isVisibleTo(app.window)


def test_cancelling_sign_in_again_returns_to_the_signed_in_page(qtbot, app: App) -> None:
    app.sign_in()
    app.controller.renewal.renew_silently()  # pretend it failed: ask
    app.controller.renewal.failed("test")
    assert app.controller.renewal.sign_in_needed is not None
    # Hold the page open: a host that shows a page and waits for the person.
    app.window.hosts.host_factory = replace(
        app.window.hosts.host_factory, make=lambda place: StayingHost(place.window)
    )
    app.window.signed_in_page.renewal.sign_in_again_button.click()
    assert app.controller.state is State.SIGNING_IN
    app.controller.cancel()
    assert app.controller.state is State.SIGNED_IN
    assert app.window.stack.currentWidget() is app.window.signed_in_page
    assert app.window.signed_in_page.renewal.isVisibleTo(app.window)  # still ends: still asked


class StayingHost(SignInHost):
    def open(self, authorize_url: str, redirect_uri: str) -> None:
        pass

    def _close(self) -> None:
        self._gone()

    def release(self, timeout: float) -> None:
        self.close()


def test_a_forged_silent_answer_is_refused_without_an_exchange(
    qtbot, app: App, demo: DemoServer
) -> None:
    app.sign_in()
    app.window.hosts.host_factory = replace(
        app.window.hosts.host_factory, make_silent=lambda place: StayingHost(place.window)
    )
    app.tick_to(timedelta(minutes=14))
    pending = app.controller.renewal.pending
    assert pending is not None
    token_requests = demo.state.hits[demo.shape.token_path]
    app.controller.renewal.redirect_caught(f"{pending.redirect_uri}?code=stolen&state=forged")
    assert app.controller.renewal.sign_in_needed is not None
    assert "state" in app.controller.renewal.sign_in_needed
    assert app.controller.renewal.pending is None
    # A second answer for the same request is not taken either.
    app.controller.renewal.redirect_caught(f"{pending.redirect_uri}?code=x&state={pending.state}")
    app.controller.runner.wait_idle()
    assert demo.state.hits[demo.shape.token_path] == token_requests


def test_an_unanswered_renewal_gives_up_and_asks(qtbot, app: App, browser: Browser) -> None:
    app.sign_in()
    browser.answer_silently = False
    app.controller.renewal.timer.setInterval(50)
    with qtbot.waitSignal(app.controller.renewal.sign_in_needed_changed, timeout=5_000):
        app.tick_to(timedelta(minutes=14))
    assert app.window.hosts.renewal_host is None  # the hidden page was closed
    assert app.controller.renewal.pending is None


def test_without_a_persistent_profile_it_asks_at_once(
    qtbot, demo: DemoServer, make_session: SessionFactory, browser: Browser, notes: Notes
) -> None:
    clock = FakeClock()
    session = make_session(demo.settings_flags(), clock=clock)
    session._settings = replace(session.settings, persistent_web_profile=False)
    started = App(qtbot, session, clock, browser, notes)
    started.sign_in()
    assert browser.profiles == [None]  # the sign-in page stayed off the record
    started.tick_to(timedelta(minutes=14))
    assert started.controller.renewal.sign_in_needed is not None
    assert browser.silent == []  # nothing to renew from: no request at all
    started.controller.runner.wait_idle()


def test_a_sign_in_in_the_system_browser_makes_no_web_profile(app: App, browser: Browser) -> None:
    app.window.hosts.factory_now = replace(app.window.hosts.host_factory, system_browser=True)
    app.sign_in()
    assert browser.profiles == [None]
    assert not list(Path(os.environ["XDG_DATA_HOME"]).rglob("web-profiles/*"))


def test_a_notification_in_the_last_ten_minutes_when_the_window_is_not_in_front(
    qtbot, app: App, browser: Browser, notes: Notes
) -> None:
    app.sign_in()
    browser.delete_profile()
    with qtbot.waitSignal(app.controller.renewal.sign_in_needed_changed, timeout=10_000):
        app.tick_to(timedelta(minutes=14))
    assert not app.window.isActiveWindow()
    app.tick_to(timedelta(minutes=11))
    assert notes.shown == []  # not yet: only in the last 10 minutes
    app.tick_to(timedelta(minutes=9))
    assert len(notes.shown) == 1
    title, text = notes.shown[0]
    assert "Sign in" in title
    assert app.controller.tokens.expires_at.astimezone().strftime("%H:%M") in text
    app.tick_to(timedelta(minutes=5))
    assert len(notes.shown) == 1  # once per sign-in


def test_no_notification_while_the_window_is_in_front(
    qtbot, app: App, browser: Browser, notes: Notes
) -> None:
    app.sign_in()
    browser.delete_profile()
    with qtbot.waitSignal(app.controller.renewal.sign_in_needed_changed, timeout=10_000):
        app.tick_to(timedelta(minutes=14))
    app.window.show()
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow)
    app.tick_to(timedelta(minutes=9))
    assert notes.shown == []
    assert app.window.signed_in_page.renewal.isVisible()  # the window itself says it


def test_refresh_now_without_a_refresh_token_keeps_the_sign_in(qtbot, app: App) -> None:
    # The Refresh button is disabled without a refresh token, but F5 (and the standard
    # Refresh key) call refresh_now all the same: a valid sign-in must not become an error.
    app.sign_in()
    assert app.controller.tokens is not None
    assert app.controller.tokens.refresh_token is None
    assert not app.window.signed_in_page.refresh_button.isEnabled()
    app.controller.keeper.refresh_now()
    # A refresh started anyway ends in the error page: let it finish first.
    qtbot.waitUntil(lambda: not app.controller.keeper.refreshing, timeout=5_000)
    assert app.controller.state is State.SIGNED_IN
    assert app.controller.problem is None
