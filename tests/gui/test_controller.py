"""Window states and transitions, driven through the controller without a web view.

The redirect the web view would catch comes from walking the demo server's pages with
plain HTTP (tests/helpers/browser.py); the web view itself is tested in test_webview.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from frameio_desktop.core.errors import ConfigError, NetworkError
from frameio_desktop.demo.server import CALLBACK_PATH, DemoServer
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.session_keeper import SessionKeeper
from frameio_desktop.gui.window import MainWindow
from tests.gui.conftest import make_window
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.demo import GatedDemoServer
from tests.helpers.fakes import DroppingKeyring, FakeClock, MemoryKeyring


def sign_in(qtbot, controller: SignInController, *, allow: bool = True, name: str = "Ada") -> None:
    with qtbot.waitSignal(controller.interactive.page_requested) as opened:
        controller.sign_in()
    authorize_url, redirect_uri = opened.args
    redirect = sign_in_without_browser(authorize_url, name, allow=allow)
    assert redirect.startswith(redirect_uri)
    expected = State.SIGNED_IN if allow else State.ERROR
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is expected, timeout=10_000
    ):
        controller.interactive.redirect_caught(redirect)
    if allow:
        # The account is shown first; the keyring write follows on its own task.
        qtbot.waitUntil(lambda: not controller.keeper.saving, timeout=10_000)


def test_starts_signed_out_when_nothing_stored(qtbot, controller, window: MainWindow) -> None:
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_OUT
    ):
        controller.start()
    assert window.stack.currentWidget() is window.signed_out_page
    assert window.signed_out_page.sign_in_button.isEnabled()


def test_sign_in_shows_account_and_expiry(
    qtbot, controller, window: MainWindow, demo: DemoServer, backend: MemoryKeyring
) -> None:
    sign_in(qtbot, controller, name="Ada Lovelace")
    assert window.stack.currentWidget() is window.signed_in_page
    assert window.signed_in_page.name_label.text() == "Ada Lovelace"
    assert window.signed_in_page.email_label.text() == "ada.lovelace@example.com"
    assert window.signed_in_page.avatar.text() == "AL"
    assert (
        window.signed_in_page.account_id_label.text() == "acct-ada.lovelace-1"
    )  # the first listed
    assert window.signed_in_page.countdown_label.text() == "in 10 min 00 s"
    assert window.signed_in_page.expires_label.text().startswith("expires ")
    assert window.signed_in_page.refresh_expires_label.text().startswith("expires ")
    assert backend.entries, "tokens stored in the keyring"
    assert demo.state.hits[CALLBACK_PATH] == 0


def test_countdown_recomputed_from_clock_each_tick(
    qtbot, controller, window: MainWindow, clock: FakeClock
) -> None:
    sign_in(qtbot, controller)
    before = window.signed_in_page.countdown_label.text()
    clock.advance(125)  # as after a laptop sleeps: no ticks in between
    controller.keeper.on_tick()
    assert before == "in 10 min 00 s"
    assert window.signed_in_page.countdown_label.text() == "in 7 min 55 s"
    assert controller.keeper.timer.isActive()
    assert controller.keeper.timer.interval() == 1000


def test_auto_refresh_ahead_of_expiry(
    qtbot, controller, window: MainWindow, clock: FakeClock, demo: DemoServer
) -> None:
    sign_in(qtbot, controller)
    first = controller.tokens
    clock.advance(200)  # 400 s left: outside the 5 min lead, no refresh
    controller.keeper.on_tick()
    assert not controller.keeper.refreshing
    clock.advance(150)  # 250 s left: inside the 5 min lead
    with qtbot.waitSignal(controller.signed_in_changed, timeout=10_000):
        controller.keeper.on_tick()
    assert controller.tokens.access_token != first.access_token
    assert demo.state.refresh_grants == 1


def test_deny_shows_access_denied_and_can_sign_in_again(
    qtbot, controller, window: MainWindow
) -> None:
    sign_in(qtbot, controller, allow=False)
    assert window.stack.currentWidget() is window.error_page
    assert window.error_page.title_label.text() == "Access denied"
    window.error_page.back_button.click()
    assert controller.state is State.SIGNED_OUT
    sign_in(qtbot, controller)
    assert controller.state is State.SIGNED_IN


def test_error_description_is_shown_as_text_not_markup(
    qtbot, controller, window: MainWindow
) -> None:
    with qtbot.waitSignal(controller.interactive.page_requested):
        controller.sign_in()
    params = {
        "state": controller.interactive.pending.state,
        "error": "server_error",
        "error_description": "<b>boom</b><img src=x>",
    }
    controller.interactive.redirect_caught(
        f"{controller.interactive.pending.redirect_uri}?{urlencode(params)}"
    )
    assert controller.state is State.ERROR
    assert window.error_page.text_label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>boom</b><img src=x>" in window.error_page.text_label.text()


def test_forged_state_is_refused_without_any_request(
    qtbot, controller, window: MainWindow, demo: DemoServer
) -> None:
    with qtbot.waitSignal(controller.interactive.page_requested):
        controller.sign_in()
    controller.interactive.redirect_caught(
        f"{controller.interactive.pending.redirect_uri}?code=x&state=forged"
    )
    assert controller.state is State.ERROR
    assert "state" in window.error_page.text_label.text()
    assert demo.state.hits[demo.shape.token_path] == 0


def test_non_ascii_state_shows_the_error_page(
    qtbot, controller, window: MainWindow, demo: DemoServer
) -> None:
    with qtbot.waitSignal(controller.interactive.page_requested):
        controller.sign_in()
    controller.interactive.redirect_caught(
        f"{controller.interactive.pending.redirect_uri}?code=x&state=%C3%A9"
    )
    assert controller.state is State.ERROR
    assert window.stack.currentWidget() is window.error_page
    assert "state" in window.error_page.text_label.text()
    assert demo.state.hits[demo.shape.token_path] == 0


def test_cancel_during_exchange_stores_nothing(
    qtbot, controller, window: MainWindow, demo: GatedDemoServer, backend: MemoryKeyring
) -> None:
    with qtbot.waitSignal(controller.interactive.page_requested) as opened:
        controller.sign_in()
    redirect = sign_in_without_browser(opened.args[0])
    demo.state.token_gate.clear()  # hold the exchange at the server
    controller.interactive.redirect_caught(redirect)
    assert controller.state is State.FINISHING
    assert demo.state.token_request_arrived.wait(10)
    window.busy_page.cancel_button.click()
    assert controller.state is State.SIGNED_OUT
    assert window.signed_out_page.note_label.text() == "Sign-in cancelled."
    demo.state.token_gate.set()  # the server answers late
    controller.runner.wait_idle()
    qtbot.wait_until(lambda: demo.state.revocations >= 1, timeout=5000)
    assert controller.state is State.SIGNED_OUT
    assert backend.entries == {}


def test_refresh_failure_shows_banner_then_refresh_now_recovers(
    qtbot, controller, window: MainWindow, demo: DemoServer
) -> None:
    sign_in(qtbot, controller)
    demo.stop()
    with qtbot.waitSignal(controller.banner_changed, timeout=15_000) as banner:
        window.signed_in_page.refresh_button.click()
    assert "Could not refresh" in banner.args[0]
    assert window.signed_in_page.banner.isVisibleTo(window)
    assert controller.state is State.SIGNED_IN  # still signed in; the token still works
    demo.start()
    old = controller.tokens.access_token
    with qtbot.waitSignal(controller.signed_in_changed, timeout=10_000):
        window.signed_in_page.refresh_button.click()
    assert controller.tokens.access_token != old
    assert not window.signed_in_page.banner.isVisibleTo(window)


def test_sign_out_revokes_and_clears(
    qtbot, controller, window: MainWindow, demo: DemoServer, backend: MemoryKeyring
) -> None:
    sign_in(qtbot, controller)
    tokens = controller.tokens
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_OUT
    ):
        window.signed_in_page.sign_out_button.click()
        assert controller.state is State.SIGNING_OUT
        assert window.busy_page.title_label.text() == "Signing out…"
        assert window.busy_page.cancel_button.isHidden()
    assert backend.entries == {}
    assert not demo.state.refresh_token_active(tokens.refresh_token)
    assert window.signed_out_page.note_label.text() == "You have signed out."


def test_sign_out_that_cannot_clear_the_keyring_says_so(
    qtbot, controller, window: MainWindow, demo: DemoServer, backend: MemoryKeyring
) -> None:
    sign_in(qtbot, controller)

    def locked(service: str, username: str) -> None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("Failed to unlock the collection!")

    backend.delete_password = locked  # type: ignore[method-assign]
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_OUT
    ):
        window.signed_in_page.sign_out_button.click()
    assert backend.entries  # still there, and the window says so
    assert "not complete" in window.signed_out_page.note_label.text()
    assert "locked" in window.signed_out_page.note_label.text()
    assert window.signed_out_page.note_label.isVisibleTo(window)


def test_a_sign_in_stored_for_other_endpoints_is_not_used_and_says_why(
    qtbot, demo: DemoServer, relaunch, backend: MemoryKeyring, clock: FakeClock
) -> None:
    from frameio_desktop.core.store import KeyringTokenStore
    from tests.helpers.fakes import make_tokens

    controller, window = relaunch()
    settings = controller.session.settings
    elsewhere = {
        "issuer": settings.issuer,
        "token_url": "https://collector.example.test/token",
        "account_url": settings.account_url,
        "revoke_url": settings.revoke_url,
    }
    KeyringTokenStore(backend).save(
        settings.store_key, make_tokens(clock.now, lifetime=-5), binding=elsewhere
    )
    with qtbot.waitSignal(
        controller.state_changed, check_params_cb=lambda s: s is State.SIGNED_OUT
    ):
        controller.start()
    assert "No sign-in for this configuration" in window.signed_out_page.note_label.text()
    assert demo.state.hits[demo.shape.token_path] == 0
    assert backend.entries  # left for the settings it belongs to


def test_silent_sign_in_from_keyring(qtbot, controller, relaunch) -> None:
    sign_in(qtbot, controller)
    again, window = relaunch()
    with qtbot.waitSignal(again.state_changed, check_params_cb=lambda s: s is State.SIGNED_IN):
        again.start()
    assert window.signed_in_page.name_label.text() == "Ada"
    assert window.hosts.sign_in_host is None


def test_expired_session_at_launch_asks_to_sign_in(
    qtbot, controller, demo: DemoServer, clock: FakeClock, relaunch
) -> None:
    sign_in(qtbot, controller)
    demo.state.token_by_refresh(controller.tokens.refresh_token).refresh_revoked = True
    again, _ = relaunch()
    clock.advance(3600)  # the access token has expired; the refresh token was revoked
    with qtbot.waitSignal(again.state_changed, check_params_cb=lambda s: s is State.SIGNED_OUT):
        again.start()
    assert "expired" in again.last_note


def test_copy_access_token_to_clipboard(qtbot, controller, window: MainWindow) -> None:
    sign_in(qtbot, controller)
    window.signed_in_page.copy_button.click()
    assert QGuiApplication.clipboard().text() == controller.tokens.access_token
    assert window.signed_in_page.copy_button.text() == "Copied"
    # Marked secret, so clipboard managers keep it out of their (on-disk) history.
    copied = QGuiApplication.clipboard().mimeData()
    assert bytes(copied.data("x-kde-passwordManagerHint").data()) == b"secret"


def test_copied_token_is_cleared_from_the_clipboard_later(
    qtbot, controller, window: MainWindow
) -> None:
    sign_in(qtbot, controller)
    window.clipboard.clear_ms = 50
    with qtbot.waitSignal(window.clipboard.checked, timeout=5_000) as checked:
        window.signed_in_page.copy_button.click()
        assert QGuiApplication.clipboard().text() == controller.tokens.access_token
    assert checked.args == [True]
    assert QGuiApplication.clipboard().text() == ""


def test_clipboard_someone_else_filled_is_left_alone(qtbot, controller, window: MainWindow) -> None:
    sign_in(qtbot, controller)
    window.clipboard.clear_ms = 50
    with qtbot.waitSignal(window.clipboard.checked, timeout=5_000) as checked:
        window.signed_in_page.copy_button.click()
        QGuiApplication.clipboard().setText("the person's own text")
    assert checked.args == [False]
    assert QGuiApplication.clipboard().text() == "the person's own text"


def test_missing_setting_shows_panel_not_traceback(qtbot) -> None:
    problem = ConfigError("FRAMEIO_CLIENT_ID", "is not set")
    controller = SignInController(None, config_problem=problem)
    window = make_window(qtbot, controller, provider_title="Frame.io", client_id=None, profile=None)
    controller.start()
    assert window.stack.currentWidget() is window.signed_out_page
    assert not window.signed_out_page.settings_needed.isHidden()
    shown = window.signed_out_page.settings_needed.text_label.text()
    assert shown == "The client ID is not set."  # no form here: the words, and no flag
    assert not window.signed_out_page.sign_in_button.isEnabled()


def test_no_secure_keyring_banner(qtbot, relaunch) -> None:
    controller, window = relaunch(keyring=DroppingKeyring())
    sign_in(qtbot, controller)
    assert "only until you quit" in window.signed_in_page.banner.text()
    assert window.signed_in_page.banner.isVisibleTo(window)


#: Which page each state shows (busy: a spinner with a heading).
PAGES = {
    State.STARTING: "busy_page",
    State.SIGNED_OUT: "signed_out_page",
    State.SIGNING_IN: "signing_in_page",
    State.FINISHING: "busy_page",
    State.SIGNED_IN: "signed_in_page",
    State.SIGNING_OUT: "busy_page",
    State.ERROR: "error_page",
}


@pytest.mark.parametrize("state", list(State))
def test_every_state_has_its_page(qtbot, window: MainWindow, state: State) -> None:
    expected = getattr(window, PAGES[state])
    # Start from another page, so showing the state must switch to its own.
    window.stack.setCurrentWidget(
        window.error_page if expected is not window.error_page else window.busy_page
    )
    window.show_state(state)
    assert window.stack.currentWidget() is expected


def test_launch_shows_last_known_account_without_the_network(
    qtbot, controller, demo: DemoServer, relaunch, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, controller, name="Ada Lovelace")
    demo.stop()  # offline: the window still shows who is signed in
    # The server's check of the stored sign-in runs in the background; record its failure
    # once the controller has handled it. (Patched on the class: an instance attribute
    # holding the bound method would keep the controller alive in a reference cycle.)
    failures: list[BaseException] = []
    handle = SessionKeeper._on_verify_failed

    def on_verify_failed(self: SessionKeeper, exc: BaseException) -> None:
        handle(self, exc)
        failures.append(exc)

    monkeypatch.setattr(SessionKeeper, "_on_verify_failed", on_verify_failed)
    again, window = relaunch()
    with qtbot.waitSignal(again.state_changed, check_params_cb=lambda s: s is State.SIGNED_IN):
        again.start()
    assert window.signed_in_page.name_label.text() == "Ada Lovelace"
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    assert isinstance(failures[0], NetworkError)
    # Offline is not signed out: the window still shows the account.
    assert again.state is State.SIGNED_IN
    assert window.stack.currentWidget() is window.signed_in_page
    assert window.signed_in_page.name_label.text() == "Ada Lovelace"
    demo.start()


def test_revoked_session_shown_from_keyring_is_caught_in_the_background(
    qtbot, controller, demo: DemoServer, relaunch
) -> None:
    sign_in(qtbot, controller)
    tokens = controller.tokens
    token = demo.state.token_by_access(tokens.access_token)
    token.revoked = True
    token.refresh_revoked = True
    again, _ = relaunch()
    states: list[State] = []
    again.state_changed.connect(states.append)
    again.start()
    qtbot.waitUntil(lambda: again.state is State.SIGNED_OUT, timeout=10_000)
    assert State.SIGNED_IN in states  # shown at once, then corrected by the server
    assert "expired" in again.last_note


def test_the_window_reads_the_error_table() -> None:
    """The window's heading and message come from the error class, as the exit code does."""
    from frameio_desktop.core.errors import TokenRejectedError
    from frameio_desktop.gui.controller import describe

    problem = describe(TokenRejectedError())
    assert problem.title == "Your sign-in has expired"
    assert problem.message == TokenRejectedError.default_message
    unexpected = describe(KeyError("x"))
    assert unexpected.title == "Something went wrong"
    assert "KeyError" in unexpected.message
