"""The app in the background (gui/background.py, gui/token_service.py): closing the window
to the tray, the tray's menu, the token service answering from the window's session, the
options on the Settings page, and the tick while hidden."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel

from frameio_desktop.core import errors
from frameio_desktop.core.agent import client, wire
from frameio_desktop.core.agent.server import ask_to_show
from frameio_desktop.core.background import Autostart, BackgroundPrefs, load_prefs
from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.background import Background
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.in_window_host import in_window_host_factory
from frameio_desktop.gui.window import MainWindow
from tests.gui.test_controller import sign_in
from tests.helpers.fakes import FakeClock, MemoryKeyring
from tests.helpers.sessions import SessionFactory

# The offscreen platform has no tray and cannot raise a window; the tests make a tray all
# the same, and Qt says so.
pytestmark = pytest.mark.qt_log_ignore("systemTrayWindowChanged", "does not support raise")


@pytest.fixture
def autostart(tmp_path: Path) -> Autostart:
    return Autostart(
        ["frameio-desktop", "--background"],
        platform="linux",
        environ={"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)},
    )


def make_background(
    qapp: QApplication,
    controller: SignInController,
    window: MainWindow,
    tmp_path: Path,
    autostart: Autostart,
    *,
    tray: bool = True,
) -> Background:
    return Background(
        qapp,
        controller,
        window,
        prefs_path=tmp_path / "background.json",
        tray_available=tray,
        autostart=autostart,
    )


@pytest.fixture
def background(
    qapp: QApplication,
    controller: SignInController,
    window: MainWindow,
    tmp_path: Path,
    autostart: Autostart,
) -> Iterator[Background]:
    made = make_background(qapp, controller, window, tmp_path, autostart)
    yield made
    made.close()
    qapp.setQuitOnLastWindowClosed(True)


def ask(demo: DemoServer, min_ttl: int = 60) -> client.AppAnswer | None:
    return client.ask_app(wire.token_request(min_ttl, demo.settings_flags()), wait=10)


def test_closing_the_window_leaves_the_app_answering_scripts(
    qtbot, background: Background, controller: SignInController, window: MainWindow, demo
) -> None:
    window.show()
    sign_in(qtbot, controller, name="Ada Lovelace")
    assert not window.close()  # the close was turned into a hide
    assert not window.isVisible()
    assert controller.state is State.SIGNED_IN
    background.update_menu()
    assert background.who.text() == "Signed in as Ada Lovelace"
    assert background.until.text().startswith("Until ")
    answer = ask(demo)
    assert answer is not None
    assert answer.token is not None
    assert answer.token.access_token == controller.tokens.access_token
    assert background.service.server.answered == {"token": 1}


def test_a_script_that_needs_a_longer_token_gets_a_refreshed_one(
    qtbot, background: Background, controller: SignInController, demo, clock: FakeClock
) -> None:
    sign_in(qtbot, controller)
    before = controller.tokens
    assert before is not None
    clock.advance(100)
    with qtbot.waitSignal(controller.signed_in_changed, timeout=10_000):
        answer = ask(demo, min_ttl=599)  # the demo's tokens last 600 s: refresh first
    assert answer is not None
    assert answer.token is not None
    assert answer.token.access_token != before.access_token
    assert controller.tokens is not None
    assert controller.tokens.access_token == answer.token.access_token
    assert demo.state.refresh_grants == 1


def test_signed_out_the_app_passes_scripts_to_the_keyring(
    qtbot, background: Background, controller: SignInController, demo
) -> None:
    controller.start()
    qtbot.waitUntil(lambda: controller.state is State.SIGNED_OUT)
    assert ask(demo) is None


def test_the_tray_menu_offers_what_the_issue_names(
    qtbot, background: Background, controller: SignInController
) -> None:
    texts = [a.text() for a in background.menu.actions() if not a.isSeparator()]
    assert texts[2:] == ["Copy access token", "Open", "Sign out", "Quit"]
    background.update_menu()
    assert background.who.text() == "Not signed in"
    assert not background.copy_action.isEnabled()
    assert not background.sign_out_action.isEnabled()
    sign_in(qtbot, controller)
    assert background.copy_action.isEnabled()
    assert background.sign_out_action.isEnabled()


def test_open_and_quit(
    qtbot, qapp: QApplication, background: Background, window: MainWindow, monkeypatch
) -> None:
    window.hide()
    background.open()
    assert window.isVisible()
    quits: list[bool] = []
    monkeypatch.setattr(qapp, "quit", lambda: quits.append(True))
    background.quit_action.trigger()
    assert not window.isVisible()
    assert quits == [True]


def test_a_second_start_shows_the_running_apps_window(
    qtbot, background: Background, window: MainWindow
) -> None:
    window.hide()
    assert ask_to_show()
    qtbot.waitUntil(window.isVisible)


def test_without_a_tray_closing_quits_as_before(
    qtbot,
    qapp: QApplication,
    controller: SignInController,
    window: MainWindow,
    tmp_path: Path,
    autostart: Autostart,
) -> None:
    made = make_background(qapp, controller, window, tmp_path, autostart, tray=False)
    try:
        window.show()
        assert not made.keeps_running
        assert qapp.quitOnLastWindowClosed()
        assert window.close()
    finally:
        made.close()


def test_the_options_take_effect_when_ticked(
    qtbot, qapp: QApplication, background: Background, autostart: Autostart, tmp_path: Path
) -> None:
    options = background.options
    assert options.keep.isChecked()
    assert not options.start.isChecked()
    assert not qapp.quitOnLastWindowClosed()
    options.start.setChecked(True)
    assert autostart.enabled()
    options.keep.setChecked(False)
    assert qapp.quitOnLastWindowClosed()
    assert load_prefs(tmp_path / "background.json") == BackgroundPrefs(False, True)
    options.start.setChecked(False)
    assert not autostart.enabled()


def test_the_options_are_placed_below_the_settings_form(
    background: Background, window: MainWindow
) -> None:
    window.settings.opened.emit()
    assert background.options.parentWidget() is window.settings.page


def test_the_window_and_controller_are_freed_without_the_cyclic_garbage_collector(
    qapp: QApplication,
    demo: DemoServer,
    make_session: SessionFactory,
    backend: MemoryKeyring,
    clock: FakeClock,
    tmp_path: Path,
    autostart: Autostart,
) -> None:
    # As the bare window's test (test_window_sessions.py), with the background's parts
    # attached: a reference cycle through the window or the controller leaves them (and
    # their timers) to the cyclic collector, which may run on a worker thread. Qt then
    # says "Timers cannot be stopped from another thread", and may crash.
    gc.collect()
    collecting = gc.isenabled()  # off with Qt: the UI thread collects (ui_thread_gc)
    gc.disable()
    try:
        session = make_session(demo.settings_flags(), keyring=backend, clock=clock)
        controller = SignInController(session, clock=clock)
        window = MainWindow(
            controller,
            provider_title="Demo",
            client_id="frameio-desktop-demo",
            profile="demo",
            host_factory=in_window_host_factory(),
        )
        background = make_background(qapp, controller, window, tmp_path, autostart, tray=True)
        window.settings.opened.emit()  # the options on the settings page
        assert background.serving
        background.close()
        freed = [weakref.ref(o) for o in (window, controller, background, background.service)]
        del window, controller, background
        assert [ref() for ref in freed] == [None] * len(freed)
    finally:
        if collecting:
            gc.enable()
        qapp.setQuitOnLastWindowClosed(True)


def test_the_countdown_tick_slows_while_hidden(
    qtbot, background: Background, controller: SignInController, window: MainWindow
) -> None:
    window.show()
    sign_in(qtbot, controller)
    timer = controller.keeper.timer
    assert timer.interval() == 1000
    window.close()
    assert timer.interval() > 1000
    background.open()
    assert timer.interval() == 1000


def test_one_notification_when_the_hidden_app_needs_the_person(
    qtbot, background: Background, controller: SignInController, window: MainWindow, monkeypatch
) -> None:
    said: list[str] = []
    assert background.tray is not None
    monkeypatch.setattr(background.tray, "showMessage", lambda title, text, *_: said.append(text))
    sign_in(qtbot, controller)
    window.close()
    expired = errors.SessionExpiredError()
    controller.shared.task_failed(expired)  # what a failed refresh ends in
    assert controller.state is State.SIGNED_OUT
    controller.shared.set_state(State.SIGNED_OUT)  # said again: no second notification
    assert said == ["Your previous sign-in has expired. Sign in again."]


def test_the_options_are_a_section_in_the_settings_forms_scroll_area(
    qtbot, qapp: QApplication, tmp_path: Path, autostart: Autostart
) -> None:
    """Not below Cancel and Save, where they squeezed the fields' scroll area; and they
    outlive the form, which is deleted when it closes."""
    from tests.gui.test_window_settings import App, DemoOnDemand

    demo = DemoOnDemand(token_ttl=600)
    try:
        app = App(qtbot, tmp_path, MemoryKeyring(), demo)
        made = make_background(qapp, app.controller, app.window, tmp_path, autostart)
        try:
            for _ in range(2):  # opened, closed (the form deleted), opened again
                app.window.settings.open()
                form = app.window.settings.form
                assert form is not None
                assert form.fields_scroll.widget().isAncestorOf(made.options)
                assert made.options.isVisibleTo(form)
                assert "without Save" in made.options.findChildren(QLabel)[0].text()
                app.window.settings.close()
                qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                made.options.start.setChecked(not made.options.start.isChecked())
        finally:
            made.close()
            qapp.setQuitOnLastWindowClosed(True)
            app.controller.runner.wait_idle()
    finally:
        demo.stop()
