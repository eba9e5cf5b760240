"""The app in the background: the tray icon and its menu, closing the window to the tray,
the token service for scripts, and the Settings page's two background options.

With **Keep me signed in in the background** on (the default) and a system tray, closing
the window hides it: the app keeps the session alive (refresh, or silent renewal) and
answers scripts; the tray's menu says who is signed in and until when, and offers Copy
access token, Open, Sign out and Quit. Without a tray, closing quits, as it always did.
While hidden the once-a-second countdown tick slows to the next refresh or renewal
(`core.background.hidden_wait`). When the person is needed, one notification says so.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QMenu,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from frameio_desktop.core.agent.server import AlreadyServingError
from frameio_desktop.core.background import (
    Autostart,
    BackgroundPrefs,
    hidden_wait,
    load_prefs,
    save_prefs,
)
from frameio_desktop.core.errors import FrameioDesktopError
from frameio_desktop.core.timefmt import format_expiry
from frameio_desktop.gui.app import app_icon
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.token_service import AppTokenService
from frameio_desktop.gui.window import MainWindow

log = logging.getLogger(__name__)

KEEP_LABEL = "Keep me signed in in the background"
START_LABEL = "Start at login"


class Background(QObject):
    """Composes the tray, the close-to-tray filter and the token service for one window.

    The window is this object's parent, not an attribute, and nothing this object holds
    refers back to it: a reference cycle would leave the window (and its timers) to the
    cyclic garbage collector, which may run on a worker thread, where Qt cannot stop a
    timer (and may crash)."""

    #: The window was hidden to the tray (True) or shown again (False).
    hidden_changed = Signal(bool)

    def __init__(
        self,
        app: QApplication,
        controller: SignInController,
        window: MainWindow,
        *,
        prefs_path: Path | None = None,
        tray_available: bool | None = None,
        socket_path: str | None = None,
        autostart: Autostart | None = None,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.controller = controller
        self.prefs_path = prefs_path
        self.prefs = load_prefs(prefs_path)
        self.autostart = autostart or Autostart()
        self._quitting = False
        self._told: State | None = None
        available = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self.tray: QSystemTrayIcon | None = None
        self.menu = QMenu()
        if available:
            icon = window.windowIcon()
            self.tray = QSystemTrayIcon(icon if not icon.isNull() else app_icon(), self)
            self.tray.setToolTip("Frame.io Desktop")
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(self._activated)
        self.who = self.menu.addAction("Not signed in")
        self.until = self.menu.addAction("")
        self.who.setEnabled(False)
        self.until.setEnabled(False)
        self.menu.addSeparator()
        self.copy_action = self.menu.addAction("Copy access token")
        self.copy_action.triggered.connect(window.copy_token)
        self.open_action = self.menu.addAction("Open")
        self.open_action.triggered.connect(self.open)
        self.sign_out_action = self.menu.addAction("Sign out")
        self.sign_out_action.triggered.connect(controller.sign_out)
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction("Quit")
        self.quit_action.triggered.connect(self.quit)
        self.menu.aboutToShow.connect(self.update_menu)
        controller.state_changed.connect(self._state_changed)
        controller.signed_in_changed.connect(self.update_menu)
        controller.keeper.timer.timeout.connect(self._pace)
        controller.state_changed.connect(self._pace)
        window.installEventFilter(self)
        self.options = BackgroundOptions(self.prefs, tray=self.tray is not None)
        self.options.changed.connect(self.set_prefs)
        window.settings.opened.connect(self._place_options)
        window.settings.closed.connect(self._take_options_back)

        self.service = AppTokenService(controller, socket_path)
        self.service.show_requested.connect(self.open)
        self.serving = self._start_service()
        self.apply_prefs()
        self.update_menu()

    @property
    def window(self) -> MainWindow:
        return cast(MainWindow, self.parent())

    def _start_service(self) -> bool:
        try:
            self.service.start()
        except AlreadyServingError:
            log.warning("another frameio-desktop answers scripts already; this one does not")
            return False
        except (OSError, FrameioDesktopError) as exc:  # say, a runtime folder not ours
            log.warning("scripts cannot ask this app for tokens: %s", exc)
            return False
        return True

    # -- preferences --------------------------------------------------------------------------

    @property
    def keeps_running(self) -> bool:
        """Closing the window leaves the app running (the option is on, and a tray shows it)."""
        return self.prefs.keep_signed_in and self.tray is not None

    def set_prefs(self, prefs: BackgroundPrefs) -> None:
        """Save and apply new preferences (start at login: write or remove the entry)."""
        if prefs.start_at_login != self.prefs.start_at_login:
            try:
                self.autostart.apply(prefs.start_at_login)
            except OSError as exc:
                log.warning("the start-at-login entry could not be changed: %s", exc)
                prefs = BackgroundPrefs(prefs.keep_signed_in, self.autostart.enabled())
        self.prefs = prefs
        try:
            save_prefs(prefs, self.prefs_path)
        except OSError as exc:
            log.warning("the background preferences were not saved: %s", exc)
        self.apply_prefs()

    def apply_prefs(self) -> None:
        self.app.setQuitOnLastWindowClosed(not self.keeps_running)
        if self.tray is not None:
            self.tray.setVisible(self.keeps_running)

    # -- the window: close to the tray, open, quit ---------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if (
            watched is self.window
            and event.type() == QEvent.Type.Close
            and self.keeps_running
            and not self._quitting
        ):
            event.ignore()
            self.hide()
            return True
        return False

    def hide(self) -> None:
        """The window goes; the app stays. A sign-in in progress is cancelled, as closing
        the window always did."""
        if self.controller.state in (State.SIGNING_IN, State.FINISHING):
            self.controller.cancel()
        self.window.hide()
        self.hidden_changed.emit(True)
        self._pace()

    def open(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.hidden_changed.emit(False)
        self._pace()
        # The countdown is drawn again at once, not at the next tick.
        self.window.update_expiry(self.controller.clock())

    def quit(self) -> None:
        self._quitting = True
        self.window.close()
        self.app.quit()

    def close(self) -> None:
        """At the app's end: stop answering scripts, take the icon away."""
        self.service.close()
        if self.tray is not None:
            self.tray.hide()

    def _place_options(self) -> None:
        """At the end of the settings form's fields, in their scroll area (the form is
        made when it opens); below the page's other widgets when there is no form."""
        form = self.window.settings.form
        if form is not None:
            self.options.box.setContentsMargins(0, 12, 0, 0)  # the form's own margins
            form.add_section(self.options)
        else:
            layout = self.window.settings.page.layout()
            if layout is not None:
                layout.removeWidget(self.options)
                layout.addWidget(self.options)
        self.options.show()

    def _take_options_back(self) -> None:
        """The closed form is deleted soon, with its children: the options leave it first."""
        self.options.hide()
        self.options.setParent(None)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.open()

    # -- the tick: slow while hidden ------------------------------------------------------------

    def _pace(self, *_: object) -> None:
        timer = self.controller.keeper.timer
        if self.window.isVisible():
            timer.setInterval(1000)
            return
        session = self.controller.session
        lead = session.refresh_lead if session is not None else None
        now = self.controller.clock()
        wait = (
            hidden_wait(self.controller.tokens, now, lead)
            if lead is not None
            else hidden_wait(None, now)
        )
        timer.setInterval(max(1000, int(wait.total_seconds() * 1000)))

    # -- what the menu says --------------------------------------------------------------------

    def update_menu(self, *_: object) -> None:
        controller = self.controller
        signed_in = controller.state is State.SIGNED_IN and controller.tokens is not None
        account = controller.user
        if signed_in:
            who = account.display_name if account is not None else "someone"
            self.who.setText(f"Signed in as {who}")
            tokens = controller.tokens
            assert tokens is not None
            until = tokens.signed_in_until or tokens.expires_at
            self.until.setText(f"Until {format_expiry(until, controller.clock())}")
        else:
            self.who.setText("Not signed in")
            self.until.setText("")
        self.until.setVisible(signed_in)
        self.copy_action.setEnabled(signed_in)
        self.sign_out_action.setEnabled(signed_in)
        if self.tray is not None:
            self.tray.setToolTip(f"Frame.io Desktop · {self.who.text()}")

    def _state_changed(self, state: State) -> None:
        self.update_menu()
        if state is State.SIGNED_IN:
            self._told = None
            return
        # Signed out or failed while nobody looks: say it once, where the person looks.
        if (
            state in (State.SIGNED_OUT, State.ERROR)
            and not self.window.isVisible()
            and self._told is None
            and self.tray is not None
            and self.controller.last_note
        ):
            self._told = state
            self.tray.showMessage(
                "Frame.io Desktop",
                self.controller.last_note,
                QSystemTrayIcon.MessageIcon.Warning,
            )


class BackgroundOptions(QWidget):
    """The Settings page's background options; each takes effect when ticked."""

    #: The options as ticked now (BackgroundPrefs).
    changed = Signal(object)

    def __init__(self, prefs: BackgroundPrefs, *, tray: bool) -> None:
        super().__init__()
        layout = self.box = QVBoxLayout(self)
        layout.setContentsMargins(32, 8, 32, 16)  # the settings page's own margins
        heading = QLabel("In the background (applies at once, without Save)")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.keep = QCheckBox(KEEP_LABEL)
        self.start = QCheckBox(START_LABEL)
        self.keep.setChecked(prefs.keep_signed_in)
        self.start.setChecked(prefs.start_at_login)
        note = QLabel(
            "Closing the window then leaves the app in the tray, renewing your sign-in and "
            "giving scripts that ask for a token. These take effect as soon as they are "
            "ticked, without Save; Start at login starts the app hidden."
            if tray
            else "There is no system tray on this desktop: closing the window quits."
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        for widget in (heading, self.keep, self.start, note):
            layout.addWidget(widget)
        self.keep.toggled.connect(self._changed)
        self.start.toggled.connect(self._changed)

    def _changed(self, _: bool) -> None:
        self.changed.emit(BackgroundPrefs(self.keep.isChecked(), self.start.isChecked()))
