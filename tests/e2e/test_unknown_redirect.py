"""A redirect URI the server does not know, through the real window (issue 21 section 2).

The IMS-shaped demo answers an unknown redirect_uri as IMS does: at the credential's
Default redirect URI, a page that records every request it gets. The window (its sign-in
window process, or the page embedded in it) and the hidden renewal stop this sign-in's
answer before it leaves, so that page receives nothing, and the sign-in ends with an error
that names where the answer was sent."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from frameio_desktop.core.errors import UnknownRedirectError
from frameio_desktop.demo.server import DEFAULT_REDIRECT_PATH, DEMO_CLIENT_ID, DemoServer
from frameio_desktop.gui.controller import State
from tests.conftest import CUSTOM_REDIRECT
from tests.e2e.conftest import App, fill_sign_in_page
from tests.helpers.peers import DemoPeer

#: What a Single-Page App credential might list; the demo's credential does not know it.
UNKNOWN_REDIRECT = "https://app.example.test/callback"


def default_page_host(server: DemoServer) -> str:
    return f"127.0.0.1:{server.port}"


def assert_nothing_reached_the_default_page(server: DemoServer) -> None:
    assert server.state.default_page_received == []
    assert server.state.hits[DEFAULT_REDIRECT_PATH] == 0


@pytest.mark.parametrize("window_kind", ["separate", "in-window"])
def test_the_answer_never_reaches_the_default_page(
    launch: Callable[[dict[str, str]], App],
    profile: str,
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
    window_kind: str,
) -> None:
    monkeypatch.setenv("FRAMEIO_SIGN_IN_WINDOW", window_kind)
    peer = DemoPeer()
    try:
        server = peer.server
        app = launch(
            {**peer.settings_flags(), "profile": profile, "redirect_uri": UNKNOWN_REDIRECT}
        )
        app.controller.interactive.page_requested.connect(
            fill_sign_in_page(app.window, peer.fill_js(allow=True))
        )
        with qtbot.waitSignal(
            app.controller.state_changed,
            check_params_cb=lambda s: s is State.ERROR,
            timeout=60_000,
        ):
            app.window.signed_out_page.sign_in_button.click()
        # The demo did answer: a code for this sign-in, aimed at its default page.
        assert any(code.redirect_uri == UNKNOWN_REDIRECT for code in server.state.codes.values())
        assert_nothing_reached_the_default_page(server)
        problem = app.controller.problem
        assert problem is not None
        assert isinstance(problem.error, UnknownRedirectError)
        assert app.window.error_page.title_label.text() == "Redirect URI not recognised"
        shown = app.window.error_page.text_label.text()
        assert default_page_host(server) in shown
        assert "Compare the redirect URI in Settings" in shown
        assert app.session.store.load(app.settings.store_key) is None
        assert server.state.tokens == []  # no exchange either
    finally:
        peer.stop()


def test_the_hidden_renewal_stops_it_too(
    launch: Callable[[dict[str, str]], App],
    profile: str,
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Signed in with a credential that gets no refresh token; then the credential's
    redirect URI changes (in Adobe Developer Console, say). The renewal's prompt=none
    answer goes to the default page: stopped, and the person is asked to sign in, told
    why."""
    monkeypatch.setenv("FRAMEIO_PERSISTENT_WEB_PROFILE", "1")
    peer = DemoPeer(refresh_tokens=False)
    try:
        server = peer.server
        app = launch({**peer.settings_flags(), "profile": profile})
        app.sign_in_through_page(peer)
        assert app.controller.tokens is not None
        assert app.controller.tokens.refresh_token is None
        server.state.clients[DEMO_CLIENT_ID].redirect_uris.remove(server.redirect_uri)
        with qtbot.waitSignal(
            app.controller.renewal.sign_in_needed_changed, check_params_cb=bool, timeout=60_000
        ):
            app.controller.renewal.renew_silently()
        assert_nothing_reached_the_default_page(server)
        needed = app.controller.renewal.sign_in_needed or ""
        assert default_page_host(server) in needed
        assert "Compare the redirect URI in Settings" in needed
        assert app.controller.state is State.SIGNED_IN  # kept until the token ends
        qtbot.waitUntil(lambda: not app.window.hosts.closing_hosts, timeout=30_000)
    finally:
        peer.stop()


@pytest.mark.parametrize("window_kind", ["separate", "embedded"])
def test_a_native_apps_own_default_redirect_ends_the_sign_in_too(
    launch: Callable[[dict[str, str]], App],
    profile: str,
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
    window_kind: str,
) -> None:
    """A Native App credential's default redirect is its own `adobe+<hash>://` address.
    With another hash in Settings (copied from another project, say), IMS answers there:
    a scheme the sign-in page does not know, which Chromium drops without offering it to
    the page. The sign-in still ends at once, saying where the answer went."""
    monkeypatch.setenv("FRAMEIO_SIGN_IN_WINDOW", window_kind)
    peer = DemoPeer()
    try:
        server = peer.server
        server.state.clients[DEMO_CLIENT_ID].default_redirect_uri = server.redirect_uri
        # A scheme this test process registered at its start (tests/conftest.py), as the
        # app registers its own before its first page.
        wrong_hash = f"{CUSTOM_REDIRECT.split('://')[0]}://adobeid/{DEMO_CLIENT_ID}"
        app = launch({**peer.settings_flags(), "profile": profile, "redirect_uri": wrong_hash})
        app.controller.interactive.page_requested.connect(
            fill_sign_in_page(app.window, peer.fill_js(allow=True))
        )
        with qtbot.waitSignal(
            app.controller.state_changed,
            check_params_cb=lambda s: s is State.ERROR,
            timeout=60_000,
        ):
            app.window.signed_out_page.sign_in_button.click()
        assert any(code.redirect_uri == wrong_hash for code in server.state.codes.values())
        problem = app.controller.problem
        assert problem is not None
        assert isinstance(problem.error, UnknownRedirectError)
        assert server.redirect_uri.split("://")[0] in app.window.error_page.text_label.text()
        assert server.state.tokens == []
    finally:
        peer.stop()
