"""The real window and web view against real authorization servers on loopback.

Each case runs against the demo server (Authlib) and panva's oidc-provider, with the real
Secret Service keyring. The page is filled in and clicked through as a person would.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from frameio_desktop.gui.controller import State

from .conftest import App


def test_sign_in_shows_account_and_stores_working_tokens(launch, peer, profile) -> None:
    app: App = launch({**peer.settings_flags(), "profile": profile})
    app.sign_in_through_page(peer)
    window = app.window
    assert window.stack.currentWidget() is window.signed_in_page
    assert window.signed_in_page.name_label.text() in ("Ada Lovelace", "ada")
    assert window.signed_in_page.expires_label.text().startswith("expires ")
    assert window.signed_in_page.countdown_label.text().startswith("in ")
    stored = app.session.store.load(app.settings.store_key)
    assert stored is not None
    assert app.session.persistent
    assert peer.token_works(stored.access_token)
    assert app.web_views_opened == 1
    assert window.hosts.sign_in_host is None  # the web engine is gone after sign-in
    if peer.name == "demo":
        # IMS-shaped: the native custom-scheme redirect, caught in the window, and the
        # Frame.io V4 account list read after the sign-in.
        assert app.settings.redirect_uri.startswith("adobe+")
        assert app.settings.authorize_url.endswith("/ims/authorize/v2")
        assert window.signed_in_page.account_id_label.text() == "acct-ada.lovelace-1"


def test_deny_then_sign_in_again(launch, peer, profile) -> None:
    app: App = launch({**peer.settings_flags(), "profile": profile})
    app.sign_in_through_page(peer, allow=False)
    assert app.window.error_page.title_label.text() == "Access denied"
    assert app.session.store.load(app.settings.store_key) is None
    app.window.error_page.back_button.click()
    app.sign_in_through_page(peer)
    assert app.controller.state is State.SIGNED_IN


def test_relaunch_signs_in_silently_without_web_view(launch, peer, profile, qtbot) -> None:
    flags = {**peer.settings_flags(), "profile": profile}
    first: App = launch(flags)
    first.sign_in_through_page(peer)
    first.close()
    second: App = launch(flags)
    with qtbot.waitSignal(
        second.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_IN,
        timeout=30_000,
    ):
        second.controller.start()
    assert second.web_views_opened == 0
    assert (
        second.window.signed_in_page.name_label.text()
        == first.window.signed_in_page.name_label.text()
    )


def test_short_token_lifetime_refreshes_on_its_own(launch, peer_factory, profile, qtbot) -> None:
    for name in ("demo", "oidc-provider"):
        peer = peer_factory(name, token_ttl=4)
        app: App = launch({**peer.settings_flags(), "profile": f"{profile}-{name}"})
        app.sign_in_through_page(peer)
        first = app.controller.tokens
        # Due at half its 4 s lifetime; the window's own one-second timer notices.
        with qtbot.waitSignal(app.controller.signed_in_changed, timeout=15_000):
            pass
        second = app.controller.tokens
        assert second.expires_at > first.expires_at
        assert second.access_token != first.access_token
        assert peer.token_works(second.access_token)


def test_sign_out_revokes_and_empties_keyring(launch, peer, profile, qtbot) -> None:
    app: App = launch({**peer.settings_flags(), "profile": profile})
    app.sign_in_through_page(peer)
    tokens = app.controller.tokens
    before = peer.revocations()
    with qtbot.waitSignal(
        app.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_OUT,
        timeout=30_000,
    ):
        app.window.signed_in_page.sign_out_button.click()
    assert peer.revocations() > before
    assert app.session.store.load(app.settings.store_key) is None
    assert not peer.refresh_token_works(tokens.refresh_token)


def test_server_stopped_mid_session_then_refresh_now_recovers(launch, peer_factory, profile, qtbot):
    # The demo server keeps its state across a restart; oidc-provider's development
    # in-memory store does not, so a restart there would end every session by design.
    peer = peer_factory("demo")
    app: App = launch({**peer.settings_flags(), "profile": profile})
    app.sign_in_through_page(peer)
    peer.server.stop()
    with qtbot.waitSignal(app.controller.banner_changed, timeout=30_000) as banner:
        app.window.signed_in_page.refresh_button.click()
    assert "Could not refresh" in banner.args[0]
    assert "Cannot reach" in app.window.signed_in_page.banner.text()
    peer.server.start()
    old = app.controller.tokens.access_token
    with qtbot.waitSignal(app.controller.signed_in_changed, timeout=30_000):
        app.window.signed_in_page.refresh_button.click()
    assert app.controller.tokens.access_token != old
    assert not app.window.signed_in_page.banner.isVisibleTo(app.window)


@pytest.mark.parametrize("peer_name", ["demo"])
def test_silent_sign_in_imports_no_web_engine(launch, peer_factory, profile, peer_name) -> None:
    """A fresh process with a stored session: signed in, and QtWebEngine never loaded."""
    peer = peer_factory(peer_name)
    flags = {**peer.settings_flags(), "profile": profile}
    app: App = launch(flags)
    app.sign_in_through_page(peer)
    code = f"""
import sys
from frameio_desktop.gui.app import make_application
from frameio_desktop.gui.controller import State
from frameio_desktop.gui.tasks import wait_until
from frameio_desktop.main import build_controller, build_window
app = make_application()
controller, settings = build_controller({flags!r})
window = build_window(controller, settings)
window.show()
controller.start()
ok = wait_until(lambda: controller.state is State.SIGNED_IN, 30000)
engine = sorted(m for m in sys.modules if m.startswith("PySide6.QtWebEngine"))
print("SIGNED_IN" if ok else controller.state, window.signed_in_page.name_label.text(), engine)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1] == "SIGNED_IN Ada Lovelace []", result.stderr


def test_next_sign_in_after_sign_out_shows_a_fresh_login_page(launch, peer, profile, qtbot):
    """Cookies went with the deleted off-the-record profile: the login form comes back."""
    app: App = launch({**peer.settings_flags(), "profile": profile})
    app.sign_in_through_page(peer)
    with qtbot.waitSignal(
        app.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_OUT,
        timeout=30_000,
    ):
        app.window.signed_in_page.sign_out_button.click()
    first_page: list[object] = []

    def opened(*_: object) -> None:
        view = app.window.hosts.sign_in_host
        probe = "!!document.querySelector('input[name=name], input[name=login]')"
        view.page.loadFinished.connect(
            lambda ok: not first_page and view.page.runJavaScript(probe, 0, first_page.append)
        )

    app.controller.interactive.page_requested.connect(opened)
    app.window.signed_out_page.sign_in_button.click()
    qtbot.waitUntil(lambda: bool(first_page), timeout=30_000)
    assert first_page == [True]
    app.controller.cancel()
