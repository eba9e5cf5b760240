"""Each page on its own: plain values in, intents out (no controller, no window)."""

from __future__ import annotations

import pytest

from frameio_desktop.gui.pages.busy import BusyPage
from frameio_desktop.gui.pages.error import ErrorPage
from frameio_desktop.gui.pages.header import Header
from frameio_desktop.gui.pages.settings_needed import SettingsNeededPanel
from frameio_desktop.gui.pages.signed_in import SignedInPage
from frameio_desktop.gui.pages.signed_out import SignedOutPage
from frameio_desktop.gui.pages.waiting import SigningInPage
from tests.helpers.accessibility import accessible_name, labels_of

pytestmark = pytest.mark.gui


def signed_out(qtbot, *, in_browser: bool = False, browser_offered: bool = True):
    page = SignedOutPage(
        where="in a test. ",
        in_browser=in_browser,
        browser_offered=browser_offered,
        settings_needed=SettingsNeededPanel(offers_settings=True, offers_demo=True),
    )
    qtbot.addWidget(page)
    page.show()
    return page


def test_the_signed_out_page_asks_for_a_sign_in_here_or_in_the_browser(qtbot) -> None:
    page = signed_out(qtbot)
    with qtbot.waitSignal(page.sign_in_requested) as here:
        page.sign_in_button.click()
    assert here.args == [False]
    with qtbot.waitSignal(page.sign_in_requested) as browser:
        page.browser_button.click()
    assert browser.args == [True]


def test_settings_needed_disables_sign_in_and_offers_the_form(qtbot) -> None:
    page = signed_out(qtbot)
    page.show_settings_needed("The client ID is not set.")
    assert not page.sign_in_button.isEnabled()
    assert page.settings_needed.isVisible()
    with qtbot.waitSignal(page.settings_needed.open_settings_requested):
        page.settings_needed.open_settings_button.click()
    page.show_settings_needed(None)
    assert page.sign_in_button.isEnabled()
    assert not page.settings_needed.isVisible()


def test_the_signed_in_page_says_until_when_without_a_refresh_token(qtbot) -> None:
    page = SignedInPage()
    qtbot.addWidget(page)
    page.show()
    page.show_account("Ada Lovelace", "ada@example.test", "u1", "a1")
    assert page.avatar.text() == "AL"
    page.show_expiry(
        "expires soon", "in 1 h", refresh=None, until="Signed in until 10:00", can_refresh=False
    )
    assert page.until_label.isVisible()
    assert not page.refresh_expires_label.isVisible()
    assert not page.refresh_button.isEnabled()
    # The greyed-out button says why (a screen reader too), not what it would do.
    assert "no refresh token" in page.refresh_button.toolTip()
    assert "no refresh token" in page.refresh_button.accessibleDescription()
    page.show_expiry(
        "expires soon", "in 1 h", refresh="expires later", until=None, can_refresh=True
    )
    assert not page.until_label.isVisible()
    assert page.refresh_expires_label.text() == "expires later"
    assert page.refresh_button.toolTip().startswith("Get a new access token")


def test_the_signed_in_page_reports_a_picked_account(qtbot) -> None:
    page = SignedInPage()
    qtbot.addWidget(page)
    page.show()
    page.show_accounts([("a1", "Studio"), ("a2", None)], "a1", override=None, problem=None)
    combo = page.accounts.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Studio (a1)", "a2"]
    with qtbot.waitSignal(page.account_picked) as picked:
        combo.activated.emit(1)
    assert picked.args == ["a2"]


def test_the_error_page_offers_the_errors_own_button_only_when_it_has_one(qtbot) -> None:
    page = ErrorPage()
    qtbot.addWidget(page)
    page.show()
    page.show_problem("Access denied", "Permission was not given.")
    assert not page.action_button.isVisible()
    assert page.retry_button.isDefault()
    assert page.retry_button.property("primary")
    page.show_problem("Settings needed", "The client ID is not set.", "Open settings")
    assert page.action_button.text() == "Open settings"
    # The remedy, not "Try again", is the primary button (the one Enter presses).
    assert page.action_button.isDefault()
    assert page.action_button.property("primary")
    assert not page.retry_button.isDefault()
    assert not page.retry_button.property("primary")
    page.show_problem("Access denied", "Permission was not given.")
    assert page.retry_button.isDefault()
    assert not page.action_button.isDefault()
    with qtbot.waitSignal(page.action_requested):
        page.action_button.click()


def test_busy_and_waiting_pages(qtbot) -> None:
    busy = BusyPage()
    qtbot.addWidget(busy)
    busy.show()
    busy.show_busy("Signing out…", "Clearing the keyring.", cancellable=False)
    assert not busy.cancel_button.isVisible()
    waiting = SigningInPage()
    qtbot.addWidget(waiting)
    waiting.show()
    waiting.show_waiting("Continue in your browser", "The page is open there.", "Open it again")
    assert waiting.waiting.show_button.text() == "Open it again"
    with qtbot.waitSignal(waiting.waiting.cancel_requested):
        waiting.waiting.cancel_button.click()
    waiting.hide_waiting()
    assert not waiting.waiting.isVisible()


def test_a_long_provider_title_is_shortened_not_cut_beside_the_settings_button(qtbot) -> None:
    title = "Frame.io V4 (Adobe IMS) · demo server"
    header = Header(title, None, settings=True)
    qtbot.addWidget(header)
    header.setFixedWidth(420)  # narrower than the three side by side
    header.show()
    qtbot.waitExposed(header)
    shown = header.provider_label
    assert shown.text().endswith("…")
    assert title.startswith(shown.text().removesuffix("…"))
    assert shown.toolTip() == title
    assert shown.accessibleName() == f"Provider: {title}"
    # Its whole text fits where the layout put it, clear of the Settings button.
    assert shown.width() >= shown.sizeHint().width()
    assert shown.geometry().right() < header.settings_button.geometry().left()
    before = shown.text()
    header.show_settings_button(False)  # the button's room goes to the title
    assert len(shown.text()) > len(before)


def test_a_screen_reader_hears_each_value_of_the_signed_in_page_with_its_name(qtbot) -> None:
    page = SignedInPage()
    qtbot.addWidget(page)
    page.show()
    page.show_account("Grace Hopper", "grace@example.com", "user-42", "acct-7")
    page.show_expiry(
        "in 59 minutes", "59:00 left", refresh="in 30 days", until=None, can_refresh=True
    )
    assert accessible_name(page.user_id_label) == "User ID: user-42"
    assert accessible_name(page.account_id_label) == "Account ID: acct-7"
    assert accessible_name(page.expires_label) == "Access token: in 59 minutes"
    assert accessible_name(page.refresh_expires_label) == "Refresh token: in 30 days"
    assert labels_of(page.user_id_label) == ["User ID"]
    assert labels_of(page.refresh_expires_label) == ["Refresh token"]
    # The avatar is not read out as its initials ("GH").
    assert accessible_name(page.avatar) == "Avatar of Grace Hopper"
    page.show_account(None, None, None, None)
    assert accessible_name(page.avatar) == "Avatar"
    assert accessible_name(page.user_id_label) == "User ID: —"
