"""The signed-in window's account list (Frame.io V4) and the default account it saves.

Signed in to the demo server, whose V4 shape lists three accounts over two pages.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget

from frameio_desktop.core.accounts import AccountChoices
from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.window import MainWindow
from tests.gui.conftest import make_window
from tests.gui.test_controller import sign_in
from tests.helpers.fakes import FakeClock, MemoryKeyring
from tests.helpers.sessions import SessionFactory


def labelled_by(widget: QWidget) -> list[str]:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return [
        other.text(QAccessible.Text.Name).replace("&", "")
        for other, _ in interface.relations(QAccessible.RelationFlag.Label)
    ]


def combo_items(window: MainWindow) -> list[tuple[str, str]]:
    combo = window.signed_in_page.accounts.combo
    return [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]


def test_signed_in_window_lists_every_account_by_name_and_id(
    qtbot, controller: SignInController, window: MainWindow
) -> None:
    sign_in(qtbot, controller, name="Ada Lovelace")
    # Three accounts over two pages: the second page was read too.
    assert combo_items(window) == [
        ("Ada's Studio (acct-ada.lovelace-1)", "acct-ada.lovelace-1"),
        ("Ada Freelance (acct-ada.lovelace-2)", "acct-ada.lovelace-2"),
        ("Demo Agency (acct-ada.lovelace-3)", "acct-ada.lovelace-3"),
    ]
    assert window.signed_in_page.accounts.combo.isVisibleTo(window)
    assert (
        window.signed_in_page.accounts.combo.currentData() == "acct-ada.lovelace-1"
    )  # the first by default
    assert window.signed_in_page.account_id_label.text() == "acct-ada.lovelace-1"
    assert window.signed_in_page.accounts.combo.isEnabled()
    # Linux screen readers take a combo box's name from its label (Qt reports the current
    # item as the name there); other platforms read accessibleName.
    assert window.signed_in_page.accounts.combo.accessibleName() == "Default account"
    assert labelled_by(window.signed_in_page.accounts.combo) == ["Default account"]
    assert window.signed_in_page.accounts.name_label.buddy() is window.signed_in_page.accounts.combo


def test_picking_with_the_keyboard_saves_the_choice_for_the_profile(
    make_session: SessionFactory,
    qtbot,
    controller: SignInController,
    window: MainWindow,
    demo: DemoServer,
    backend: MemoryKeyring,
    clock: FakeClock,
) -> None:
    sign_in(qtbot, controller, name="Ada Lovelace")
    qtbot.waitExposed(window)
    window.signed_in_page.accounts.combo.setFocus()
    with qtbot.waitSignal(controller.accounts.accounts_changed, timeout=10_000):
        qtbot.keyClick(window.signed_in_page.accounts.combo, Qt.Key.Key_Down)
    assert window.signed_in_page.accounts.combo.currentData() == "acct-ada.lovelace-2"
    assert window.signed_in_page.account_id_label.text() == "acct-ada.lovelace-2"
    assert controller.accounts.account_id == "acct-ada.lovelace-2"
    # Kept per profile in a small file, not in the keyring.
    key = controller.session.settings.store_key
    assert AccountChoices().get(key) == "acct-ada.lovelace-2"

    # A new launch of the same profile shows the saved choice.
    again = SignInController(
        make_session(demo.settings_flags(), keyring=backend, clock=clock), clock=clock
    )
    second = make_window(qtbot, again)
    with qtbot.waitSignal(again.state_changed, check_params_cb=lambda s: s is State.SIGNED_IN):
        again.start()
    again.runner.wait_idle()
    qtbot.waitUntil(lambda: second.signed_in_page.accounts.combo.count() == 3, timeout=10_000)
    assert second.signed_in_page.accounts.combo.currentData() == "acct-ada.lovelace-2"


def test_the_list_is_read_again_after_each_refresh(
    qtbot, controller: SignInController, window: MainWindow, demo: DemoServer
) -> None:
    sign_in(qtbot, controller, name="Ada Lovelace")
    accounts_path = demo.shape.accounts_path
    assert accounts_path is not None
    pages_before = demo.state.hits[accounts_path]
    with qtbot.waitSignal(controller.accounts.accounts_changed, timeout=10_000):
        window.signed_in_page.refresh_button.click()
    assert demo.state.hits[accounts_path] == pages_before + 2  # both pages
    assert window.signed_in_page.accounts.combo.count() == 3


def test_an_override_wins_and_the_list_cannot_change_it(
    make_session: SessionFactory, qtbot, demo: DemoServer, clock: FakeClock
) -> None:
    session = make_session({**demo.settings_flags(), "account_id": "acct-from-env"}, clock=clock)
    controller = SignInController(session, clock=clock)
    window = make_window(qtbot, controller)
    sign_in(qtbot, controller, name="Ada Lovelace")
    assert window.signed_in_page.accounts.combo.currentData() == "acct-from-env"
    assert window.signed_in_page.account_id_label.text() == "acct-from-env"
    assert not window.signed_in_page.accounts.combo.isEnabled()
    note = window.signed_in_page.accounts.note_label.text()
    assert "chosen outside the app" in note
    assert "FRAMEIO_" not in note
    assert "--" not in note
    assert window.signed_in_page.accounts.note_label.isVisibleTo(window)
    controller.runner.wait_idle()


def test_v2_shows_its_one_account_id_and_no_list(
    make_session: SessionFactory, qtbot, clock: FakeClock
) -> None:
    with DemoServer(provider="frameio-v2", token_ttl=600) as v2:
        controller = SignInController(make_session(v2.settings_flags(), clock=clock), clock=clock)
        window = make_window(qtbot, controller)
        sign_in(qtbot, controller, name="Ada Lovelace")
        assert window.signed_in_page.account_id_label.text() == "demo-account-0001"
        assert not window.signed_in_page.accounts.combo.isVisibleTo(window)
        assert controller.accounts.listed is None
        controller.runner.wait_idle()


def test_a_failing_account_list_leaves_the_sign_in_standing(
    qtbot, controller: SignInController, window: MainWindow, monkeypatch
) -> None:
    """`/v4/me` answered, the list did not: the person is signed in and told why the list
    is missing, instead of landing on the error page with the tokens dropped."""
    from frameio_desktop.core import lookup
    from frameio_desktop.core.errors import ServerError

    def down(*_: object, **__: object) -> object:
        raise ServerError(503, "127.0.0.1")

    monkeypatch.setattr(lookup, "fetch_accounts", down)
    sign_in(qtbot, controller, name="Ada Lovelace")
    assert controller.state is State.SIGNED_IN
    assert window.signed_in_page.name_label.text() == "Ada Lovelace"
    assert window.signed_in_page.accounts.note_label.isVisibleTo(window)
    assert "account list could not be read" in window.signed_in_page.accounts.note_label.text()
    assert "503" in window.signed_in_page.accounts.note_label.text()
