"""`frameio-desktop login`: the window opens straight on the sign-in page; exit 0 once
signed in, 7 when cancelled. Runs the real entry point in this process; only the
person filling in the page is simulated."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer

from frameio_desktop import main
from tests.helpers.cli import flags_for

#: A window whose sign-in never finishes closes itself after this long, so the run fails
#: instead of hanging: pytest-timeout's alarm cannot interrupt Qt's event loop while no
#: Python code runs in it (seen once, with a keyring that stalled).
WINDOW_DEADLINE_MS = 90_000


@pytest.fixture
def person(monkeypatch: pytest.MonkeyPatch):
    """Patches window creation so a 'person' acts on the login page once it loads."""
    actions: dict[str, object] = {}
    real_build = main.build_window

    def build(*args, **kwargs):
        window = real_build(*args, **kwargs)
        controller = window.controller

        def on_page(*_: object) -> None:
            host = window.hosts.sign_in_host
            act = actions["act"]

            def loaded(ok: bool) -> None:
                if ok:
                    act(host)  # type: ignore[operator]

            host.page.loadFinished.connect(loaded)

        controller.interactive.page_requested.connect(on_page)
        actions["window"] = window
        QTimer.singleShot(WINDOW_DEADLINE_MS, window, window.close)
        return window

    monkeypatch.setattr(main, "build_window", build)
    return actions


def test_login_exits_0_once_signed_in(person, peer_factory, profile) -> None:
    peer = peer_factory("demo")
    person["act"] = lambda host: host.page.runJavaScript(peer.fill_js(allow=True))
    flags = {**peer.settings_flags(), "profile": profile}
    assert main.main(["login", *flags_for(flags)]) == 0
    window = person["window"]
    session = window.controller.session
    assert session.store.load(session.settings.store_key) is not None
    session.store.clear(session.settings.store_key)


def test_login_exits_7_when_cancelled(person, peer_factory, profile) -> None:
    peer = peer_factory("demo")
    # The person gives up: Cancel in the app's window, beside the sign-in window.
    person["act"] = lambda host: person["window"].signing_in_page.waiting.cancel_button.click()
    flags = {**peer.settings_flags(), "profile": profile}
    assert main.main(["login", *flags_for(flags)]) == 7
    session = person["window"].controller.session
    assert session.store.load(session.settings.store_key) is None


def test_plain_launch_signs_in_silently_from_the_prefetched_read(
    monkeypatch: pytest.MonkeyPatch, person, peer_factory, profile
) -> None:
    """`frameio-desktop` with a stored sign-in: the keyring read started before Qt (on
    its own thread) is the one the window uses; no web view opens."""
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.gui.controller import State

    peer = peer_factory("demo")
    flags = {**peer.settings_flags(), "profile": profile}
    person["act"] = lambda host: host.page.runJavaScript(peer.fill_js(allow=True))
    assert main.main(["login", *flags_for(flags)]) == 0

    prefetched: list[AuthSession] = []
    real_prefetch = AuthSession.prefetch

    def prefetch(self: AuthSession) -> None:
        prefetched.append(self)
        real_prefetch(self)

    monkeypatch.setattr(AuthSession, "prefetch", prefetch)
    seen: dict[str, object] = {}
    real_build = main.build_window

    def build(*args, **kwargs):
        window = real_build(*args, **kwargs)
        controller = window.controller
        controller.interactive.page_requested.connect(lambda *_: seen.setdefault("web view", True))

        def shown() -> None:
            if controller.state is State.SIGNED_IN and "name" not in seen:
                seen["name"] = window.signed_in_page.name_label.text()
                seen["session"] = controller.session
                window.close()

        controller.signed_in_changed.connect(shown)
        return window

    monkeypatch.setattr(main, "build_window", build)
    assert main.main(flags_for(flags)) == 0
    assert seen["name"] == "Ada Lovelace"
    assert "web view" not in seen
    assert prefetched == [seen["session"]]
    session = prefetched[0]
    session.store.clear(session.settings.store_key)


def test_login_exits_2_at_once_when_the_server_does_not_know_the_redirect(
    person, peer_factory, profile, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo answers an unknown redirect at its default page, as IMS does: the window
    stops the answer, and `login` ends with the reason rather than leaving a window open
    on an error page."""
    from frameio_desktop.demo.server import DEFAULT_REDIRECT_PATH

    peer = peer_factory("demo")
    person["act"] = lambda host: host.page.runJavaScript(peer.fill_js(allow=True))
    flags = {
        **peer.settings_flags(),
        "profile": profile,
        "redirect_uri": "https://app.example.test/callback",
    }
    assert main.main(["login", *flags_for(flags)]) == 2
    server = peer.server
    assert server.state.default_page_received == []
    assert server.state.hits[DEFAULT_REDIRECT_PATH] == 0
    err = capsys.readouterr().err
    assert f"127.0.0.1:{server.port}" in err
    assert "Compare the redirect URI in Settings" in err
    assert "--redirect-uri" in err
    session = person["window"].controller.session
    assert session.store.load(session.settings.store_key) is None
