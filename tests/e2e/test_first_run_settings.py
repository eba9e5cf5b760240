"""A first run, as a person who double-clicked the app: no settings anywhere.

The config folder is empty (XDG_CONFIG_HOME is a temporary folder, tests/conftest.py);
the form is filled in through its real widgets by keyboard only; the sign-in runs in the
real sign-in page against the demo server; the tokens go to the real Secret Service. A
relaunch then signs in silently with the saved settings.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from frameio_desktop.core.settings import default_settings_path
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.window import MainWindow
from frameio_desktop.main import launch, settings_access_for
from tests.e2e.conftest import fill_sign_in_page
from tests.helpers.peers import DemoPeer
from tests.helpers.qtobjects import dispose

pytestmark = [pytest.mark.e2e, pytest.mark.gui, pytest.mark.webengine]


@pytest.fixture
def peer() -> Iterator[DemoPeer]:
    server = DemoPeer()
    yield server
    server.stop()


class Run:
    """One launch of the app as `main` makes it for a double-click (no flags)."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.closed = False
        self.web_views_opened = 0
        self.controller: SignInController
        self.window: MainWindow
        self.controller, self.window = launch({}, settings_access=settings_access_for({}))
        qtbot.addWidget(self.window)
        qtbot.waitExposed(self.window)
        self.window.activateWindow()
        qtbot.waitUntil(self.window.isActiveWindow)
        self.controller.interactive.page_requested.connect(self._count)

    def _count(self, *_: object) -> None:
        self.web_views_opened += 1

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        assert self.window.release_web_engine()
        self.controller.runner.wait_idle()
        dispose(self.controller)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def tab(qtbot, times: int = 1) -> QWidget:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    return focused()


def test_first_run_form_by_keyboard_sign_in_then_silent_relaunch(
    qtbot, peer: DemoPeer, profile: str
) -> None:
    flags = peer.settings_flags()
    path = default_settings_path()
    assert not path.parent.exists()
    runs: list[Run] = []
    try:
        first = Run(qtbot)
        runs.append(first)
        window = first.window
        qtbot.waitUntil(lambda: first.controller.state is State.SIGNED_OUT)
        assert not window.signed_out_page.settings_needed.isHidden()  # "Settings needed"

        # Keyboard only: the focus starts on "Open settings".
        assert focused() is window.signed_out_page.settings_needed.open_settings_button
        qtbot.keyClick(focused(), Qt.Key.Key_Space)
        form = window.settings.form
        assert form is not None
        assert focused() is form.provider
        assert form.provider.currentData() == flags["provider"]  # V4, the default
        qtbot.keyClicks(tab(qtbot), flags["client_id"])
        assert focused() is form.client_id
        qtbot.keyClicks(tab(qtbot), flags["redirect_uri"])
        assert focused() is form.redirect_uri
        qtbot.keyClicks(tab(qtbot, 2), profile)  # past the Web App box
        assert focused() is form.profile
        qtbot.keyClick(tab(qtbot), Qt.Key.Key_Space)  # open Advanced
        assert focused() is form.advanced
        for name in ("scopes", "authorize_url", "token_url", "account_url", "revoke_url"):
            qtbot.keyClicks(tab(qtbot), flags[name])
            assert focused() is form.endpoint_edits[name]
        assert form.save_button.isEnabled()
        with qtbot.waitSignal(
            first.controller.state_changed,
            check_params_cb=lambda s: s is State.SIGNED_OUT,
            timeout=10_000,
        ):
            qtbot.keyClick(focused(), Qt.Key.Key_Return)

        saved = json.loads(path.read_text())
        assert saved == {
            **{k: flags[k] for k in ("provider", "client_id", "redirect_uri", "scopes")},
            **{k: flags[k] for k in ("authorize_url", "token_url", "account_url", "revoke_url")},
            "profile": profile,
        }
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert window.signed_out_page.sign_in_button.isEnabled()

        # Sign in to the demo server on the real sign-in page.
        first.controller.interactive.page_requested.connect(
            fill_sign_in_page(window, peer.fill_js(allow=True))
        )
        with qtbot.waitSignal(
            first.controller.state_changed,
            check_params_cb=lambda s: s is State.SIGNED_IN,
            timeout=30_000,
        ):
            qtbot.keyClick(focused(), Qt.Key.Key_Return)  # focus is on Sign in
        qtbot.waitUntil(lambda: not first.controller.keeper.saving, timeout=10_000)
        assert first.web_views_opened == 1
        name = window.signed_in_page.name_label.text()
        first.close()

        # Relaunch: the saved settings, the stored sign-in, no sign-in page.
        second = Run(qtbot)
        runs.append(second)
        qtbot.waitUntil(lambda: second.controller.state is State.SIGNED_IN, timeout=30_000)
        assert second.web_views_opened == 0
        assert second.window.signed_in_page.name_label.text() == name
        session = second.controller.session
        assert session is not None
        assert session.settings.profile == profile
        assert session.settings.sources["client_id"] == "settings file"
    finally:
        for run in runs:
            session = run.controller.session
            if session is not None:
                session.store.clear(session.settings.store_key)
            run.close()
