"""The settings form inside the window, wired as the composition root wires it.

Settings are read from and saved to the test's own config folder (XDG_CONFIG_HOME is a
temporary folder, see tests/conftest.py); keyring entries go to an in-memory keyring.
The sign-in page is walked with plain HTTP by a small host (no QtWebEngine here).
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import Settings, default_settings_path
from frameio_desktop.core.store import ClientSecretStore, KeyringTokenStore
from frameio_desktop.demo.server import DemoServer
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.settings_access import SettingsAccess
from frameio_desktop.gui.sign_in_host import HostFactory, SignInHost
from frameio_desktop.gui.window import MainWindow
from frameio_desktop.main import DemoOnDemand, configuration_for, settings_access_for
from tests.helpers.accessibility import accessible_name, unnamed
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.fakes import MemoryKeyring
from tests.helpers.qtobjects import dispose
from tests.helpers.sessions import new_session

pytestmark = pytest.mark.gui

NATIVE = "adobe+1f2e3d://adobeid/abc123"


class WalkingHost(SignInHost):
    """Answers the demo server's login and consent pages with plain HTTP, as a person
    would click through them, and hands the window the redirect."""

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        redirect = sign_in_without_browser(authorize_url, "Ada Lovelace")
        assert redirect.startswith(redirect_uri)
        QTimer.singleShot(0, lambda: self.redirect_caught.emit(redirect))

    def _close(self) -> None:
        self._gone()

    def release(self, timeout: float) -> None:
        self.close()


def walking_hosts() -> HostFactory:
    return HostFactory(
        make=lambda place: WalkingHost(place.window), where="in a test. ", in_process=True
    )


class App:
    """The window as `main` builds it for a plain launch, with test keyrings."""

    def __init__(self, qtbot, tmp_path: Path, backend: MemoryKeyring, demo: DemoOnDemand):
        self.backend = backend

        def make_session(settings: Settings) -> AuthSession:
            return new_session(settings, folder=tmp_path, keyring=backend)

        self.secrets = ClientSecretStore(KeyringTokenStore(backend))
        self.access: SettingsAccess = settings_access_for(
            {}, secrets=self.secrets, demo=demo, make_session=make_session
        )
        configuration = configuration_for({}, None, make_session)
        self.controller = SignInController(
            configuration.session, config_problem=configuration.problem
        )
        self.window = MainWindow(
            self.controller,
            provider_title=configuration.provider_title,
            client_id=configuration.settings.client_id if configuration.settings else None,
            profile=configuration.settings.profile if configuration.settings else None,
            host_factory=walking_hosts(),
            settings_access=self.access,
            settings=configuration.settings,
        )
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.window.activateWindow()
        qtbot.waitUntil(self.window.isActiveWindow)
        with qtbot.waitSignal(
            self.controller.state_changed,
            check_params_cb=lambda s: s in (State.SIGNED_OUT, State.SIGNED_IN),
            timeout=10_000,
        ):
            self.controller.start()


@pytest.fixture
def on_demand() -> Iterator[DemoOnDemand]:
    demo = DemoOnDemand(token_ttl=600)
    yield demo
    demo.stop()


@pytest.fixture
def start_app(qtbot, tmp_path: Path, on_demand: DemoOnDemand) -> Iterator[Callable[[], App]]:
    apps: list[App] = []
    backend = MemoryKeyring()

    def start() -> App:
        apps.append(App(qtbot, tmp_path, backend, on_demand))
        return apps[-1]

    yield start
    for app in apps:
        app.window.release_web_engine()
        app.controller.runner.wait_idle()
        dispose(app.controller)


def write_settings(values: dict[str, str]) -> Path:
    path = default_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))
    return path


def demo_file_values(demo: DemoServer, **changes: str) -> dict[str, str]:
    return {**{k: v for k, v in demo.settings_flags().items()}, **changes}


def answer_next_box(qtbot, button_name: str | None) -> list[str]:
    """Click a button of the next modal message box (None: its Cancel); returns its text."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text() + " " + box.informativeText())
        if button_name is None:
            box.button(QMessageBox.StandardButton.Cancel).click()
        else:
            button = box.findChild(type(box.buttons()[0]), button_name)
            assert button is not None
            button.click()

    QTimer.singleShot(0, answer)
    return seen


def sign_in(qtbot, app: App) -> None:
    with qtbot.waitSignal(
        app.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_IN,
        timeout=10_000,
    ):
        app.window.signed_out_page.sign_in_button.click()
    qtbot.waitUntil(lambda: not app.controller.keeper.saving, timeout=10_000)


# -- Settings needed -> form -> saved -> the window uses it -----------------------------------


def test_settings_needed_page_offers_the_form_and_the_demo(start_app) -> None:
    app = start_app()
    window = app.window
    assert window.stack.currentWidget() is window.signed_out_page
    assert not window.signed_out_page.settings_needed.isHidden()
    assert "The client ID is not set" in window.signed_out_page.settings_needed.text_label.text()
    assert "FRAMEIO_" not in window.signed_out_page.settings_needed.text_label.text()
    assert "Open Settings" in window.signed_out_page.settings_needed.text_label.text()
    assert not window.signed_out_page.sign_in_button.isEnabled()
    assert window.signed_out_page.settings_needed.open_settings_button.isVisibleTo(window)
    assert window.signed_out_page.settings_needed.try_demo_button.isVisibleTo(window)
    assert QApplication.focusWidget() is window.signed_out_page.settings_needed.open_settings_button
    assert (
        window.signed_out_page.settings_needed.try_demo_button.nextInFocusChain()
        is window.signed_out_page.settings_needed.open_settings_button
    )
    window.open_settings()
    assert window.settings.form is not None
    # Nothing built for the page or the form shows up as a window of its own.
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert shown == [window]
    assert window.isActiveWindow()


def test_form_saves_and_the_window_uses_it_without_restart(qtbot, start_app) -> None:
    app = start_app()
    window = app.window
    qtbot.keyClick(window.signed_out_page.settings_needed.open_settings_button, Qt.Key.Key_Space)
    form = window.settings.form
    assert form is not None
    assert window.stack.currentWidget() is window.settings.page
    assert QApplication.focusWidget() is form.provider
    qtbot.keyClick(form.provider, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "abc123")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), NATIVE)
    with qtbot.waitSignal(
        app.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_OUT,
        timeout=10_000,
    ):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    path = default_settings_path()
    assert json.loads(path.read_text()) == {
        "provider": "frameio-v4",
        "client_id": "abc123",
        "redirect_uri": NATIVE,
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert window.settings.form is None
    assert window.stack.currentWidget() is window.signed_out_page
    assert window.signed_out_page.settings_needed.isHidden()
    assert window.signed_out_page.sign_in_button.isEnabled()
    assert window.signed_out_page.client_id_value.text() == "abc123"
    assert window.header.provider_label.text() == "Frame.io V4 (Adobe IMS)"
    # The window kept the focus throughout (no stray window took it): Sign in has it.
    assert QApplication.focusWidget() is window.signed_out_page.sign_in_button
    session = app.controller.session
    assert session is not None
    assert session.settings.client_id == "abc123"
    assert session.settings.redirect_uri == NATIVE


def test_cancel_saves_nothing(qtbot, start_app) -> None:
    app = start_app()
    app.window.signed_out_page.settings_needed.open_settings_button.click()
    form = app.window.settings.form
    assert form is not None
    qtbot.keyClicks(form.client_id, "abc123")
    qtbot.keyClick(form.client_id, Qt.Key.Key_Escape)
    assert app.window.settings.form is None
    assert app.window.stack.currentWidget() is app.window.signed_out_page
    assert not default_settings_path().exists()


def test_a_web_app_secret_goes_to_the_keyring_not_the_file(qtbot, start_app) -> None:
    app = start_app()
    app.window.signed_out_page.settings_needed.open_settings_button.click()
    form = app.window.settings.form
    assert form is not None
    qtbot.keyClicks(form.client_id, "abc123")
    qtbot.keyClicks(form.redirect_uri, "https://app.example.test/cb")
    form.web_app.setChecked(True)
    qtbot.keyClicks(form.client_secret, "the-web-app-secret")
    with qtbot.waitSignal(app.controller.state_changed, timeout=10_000):
        qtbot.keyClick(form.client_secret, Qt.Key.Key_Enter)
    assert "the-web-app-secret" not in default_settings_path().read_text()
    assert app.secrets.load("frameio-v4", "abc123") == "the-web-app-secret"
    session = app.controller.session
    assert session is not None
    assert session.settings.client_secret == "the-web-app-secret"


# -- a change to a signed-in configuration -------------------------------------------------


def test_changing_the_client_of_a_signed_in_profile_asks_then_signs_out(
    qtbot, start_app, on_demand: DemoOnDemand
) -> None:
    demo = on_demand.start()
    write_settings(demo_file_values(demo, profile="p1"))
    app = start_app()
    sign_in(qtbot, app)
    old_key = app.controller.session.settings.store_key
    assert app.controller.session.store.load(old_key) is not None
    revocations = demo.state.revocations

    qtbot.mouseClick(app.window.header.settings_button, Qt.MouseButton.LeftButton)
    form = app.window.settings.form
    assert form is not None
    form.client_id.selectAll()
    qtbot.keyClicks(form.client_id, "another-client")

    # Cancel: nothing changes, the form stays open.
    asked = answer_next_box(qtbot, None)
    qtbot.keyClick(form.client_id, Qt.Key.Key_Return)
    assert asked
    assert "client ID" in asked[0]
    assert app.window.settings.form is form
    assert app.controller.state is State.SIGNED_IN
    assert json.loads(default_settings_path().read_text())["client_id"] == "frameio-desktop-demo"

    # Sign out and save: the old sign-in is revoked and cleared, then the new one is used.
    # The offscreen platform has no window manager to give the focus back after the box.
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow)
    asked = answer_next_box(qtbot, "confirmSave")
    with qtbot.waitSignal(
        app.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_OUT,
        timeout=10_000,
    ):
        qtbot.keyClick(form.client_id, Qt.Key.Key_Return)
    assert asked
    qtbot.waitUntil(lambda: app.controller.session.settings.client_id == "another-client")
    assert json.loads(default_settings_path().read_text())["client_id"] == "another-client"
    assert KeyringTokenStore(app.backend).load(old_key) is None
    assert demo.state.revocations > revocations
    assert app.window.signed_out_page.client_id_value.text() == "another-client"


def test_changing_only_the_profile_does_not_ask(qtbot, start_app, on_demand) -> None:
    demo = on_demand.start()
    write_settings(demo_file_values(demo, profile="p1"))
    app = start_app()
    sign_in(qtbot, app)
    old_key = app.controller.session.settings.store_key
    app.window.header.settings_button.click()
    form = app.window.settings.form
    assert form is not None
    form.profile.selectAll()
    qtbot.keyClicks(form.profile, "p2")
    with qtbot.waitSignal(
        app.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_OUT,
        timeout=10_000,
    ):
        qtbot.keyClick(form.profile, Qt.Key.Key_Return)  # a box would block here
    assert app.controller.session.settings.profile == "p2"
    # The first profile's sign-in is kept for when it is chosen again.
    assert KeyringTokenStore(app.backend).load(old_key) is not None


# -- Try the demo -------------------------------------------------------------------------


def test_try_the_demo_starts_the_server_and_signs_in(qtbot, start_app, on_demand) -> None:
    app = start_app()
    assert on_demand.server is None
    with qtbot.waitSignal(
        app.controller.state_changed,
        check_params_cb=lambda s: s is State.SIGNED_IN,
        timeout=15_000,
    ):
        qtbot.keyClick(app.window.signed_out_page.settings_needed.try_demo_button, Qt.Key.Key_Space)
    assert on_demand.server is not None
    # The badge may be shortened with "…" beside the Settings button; its name is whole.
    assert app.window.header.provider_label.accessibleName().endswith("· demo server")
    assert app.window.signed_in_page.name_label.text() == "Ada Lovelace"
    assert app.controller.session.settings.profile == "demo"
    # The person's own settings file is untouched.
    assert not default_settings_path().exists()


# -- accessibility --------------------------------------------------------------------------


def test_every_focusable_widget_in_every_state_has_an_accessible_name(
    qtbot, start_app, on_demand
) -> None:
    app = start_app()
    window = app.window
    assert accessible_name(window.header.logo) == "Frame.io Desktop logo"
    checked = []

    def check(label: str) -> None:
        assert unnamed(window) == [], label
        checked.append(label)

    check("settings needed")
    window.open_settings()
    form = window.settings.form
    assert form is not None
    form.web_app.setChecked(True)
    form.advanced.setChecked(True)
    form.provider.setCurrentIndex(form.provider.findData("oidc"))
    check("settings form, everything shown")
    window.close_settings()

    demo = on_demand.start()
    write_settings(demo_file_values(demo))
    signed = start_app()
    window = signed.window
    check_window = window

    def check_signed(label: str) -> None:
        assert unnamed(check_window) == [], label
        checked.append(label)

    check_signed("signed out")
    for state in (State.STARTING, State.FINISHING, State.SIGNING_OUT):
        window.show_state(state)
        check_signed(state.value)
    window.show_state(State.SIGNING_IN)
    window.signing_in_page.show_waiting(
        "Continue in the sign-in window", "Sign in there.", "Show sign-in window"
    )
    check_signed("waiting for the sign-in window")
    window.signing_in_page.hide_waiting()
    window.show_state(State.SIGNED_OUT)
    sign_in(qtbot, signed)
    check_signed("signed in")
    window.show_problem(signed.controller.problem or _problem())
    window.show_state(State.ERROR)
    check_signed("error")
    assert len(checked) == 9


def _problem():
    from frameio_desktop.gui.controller import Problem

    return Problem("Access denied", "Permission was not given.")


def test_changing_the_provider_of_a_signed_in_profile_asks_first(
    qtbot, start_app, on_demand: DemoOnDemand
) -> None:
    demo = on_demand.start()
    write_settings(demo_file_values(demo, profile="p1"))
    app = start_app()
    sign_in(qtbot, app)
    key = app.controller.session.settings.store_key
    before = default_settings_path().read_text()
    app.window.header.settings_button.click()
    form = app.window.settings.form
    assert form is not None
    assert form.provider.currentData() == "frameio-v4"
    form.provider.setFocus()
    qtbot.keyClick(form.provider, Qt.Key.Key_Down)  # the next choice: Frame.io V2
    assert form.provider.currentData() == "frameio-v2"
    asked = answer_next_box(qtbot, None)
    qtbot.keyClick(form.provider, Qt.Key.Key_Return)
    assert asked
    assert "provider" in asked[0]
    assert app.controller.state is State.SIGNED_IN
    assert default_settings_path().read_text() == before
    assert KeyringTokenStore(app.backend).load(key) is not None


def test_ctrl_comma_opens_the_settings(qtbot, start_app) -> None:
    app = start_app()
    qtbot.keyClick(app.window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert app.window.settings.form is not None


def test_the_window_module_leaves_the_settings_form_until_it_is_opened() -> None:
    # Every launch paid for the form's module and the Qt classes it binds (benchmark 2);
    # the tests above open it, so it still comes when asked for.
    import subprocess
    import sys

    code = (
        "import sys, frameio_desktop.main, frameio_desktop.gui.window\n"
        "print('frameio_desktop.gui.settings_form' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "False"
