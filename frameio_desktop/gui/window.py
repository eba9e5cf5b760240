"""The main window. It shows the controller's state and forwards clicks; no OAuth here."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QMimeData,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QGuiApplication, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frameio_desktop.core.configure import SetupValues
from frameio_desktop.core.errors import ConfigError, FrameioDesktopError
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.timefmt import format_expiry
from frameio_desktop.gui.controller import Problem, SignInController, State
from frameio_desktop.gui.notify import DesktopNotifier, Notifier
from frameio_desktop.gui.settings_access import Configuration, SettingsAccess
from frameio_desktop.gui.sign_in_host import HostFactory, HostPlace, SignInHost
from frameio_desktop.gui.style import STYLE_SHEET

if TYPE_CHECKING:
    # Imported when the settings are opened: every launch would pay for the form's module
    # and the Qt widget classes it binds (~4-8 ms of start-up, benchmark 2).
    from frameio_desktop.gui.settings_form import SettingsForm

log = logging.getLogger(__name__)


def _label(text: str = "", name: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def _button(text: str, name: str | None = None, *, primary: bool = False) -> QPushButton:
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    button.setProperty("primary", primary)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setMinimumHeight(36)
    return button


def _page(*widgets: QWidget | None, stretch_top: bool = True) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(32, 24, 32, 28)
    layout.setSpacing(12)
    if stretch_top:
        layout.addStretch(1)
    for widget in widgets:
        if widget is None:
            layout.addSpacing(8)
        else:
            layout.addWidget(widget)
    layout.addStretch(2)
    return page


def _row(*buttons: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    for button in buttons:
        layout.addWidget(button)
    return row


def shortcut(
    key: QKeySequence | QKeySequence.StandardKey, parent: QWidget, slot: Callable[[], object]
) -> QShortcut:
    item = QShortcut(key, parent)
    item.activated.connect(slot)
    return item


#: A sign-in that needs the person is announced this long before it ends, if the window is
#: not in front.
NOTIFY_WITHIN = timedelta(minutes=10)

#: States in which the settings can be opened (never during a sign-in or sign-out).
SETTINGS_STATES = frozenset({State.SIGNED_OUT, State.SIGNED_IN, State.ERROR})


def initials(name: str) -> str:
    parts = [p for p in name.replace("@", " ").split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


#: Marks on a copied token that clipboard managers honour by keeping it out of their
#: history, which many write to disk: KDE's (Klipper) and others read the KDE hint;
#: Windows' clipboard history, its cloud clipboard and monitoring programs read the named
#: formats (Qt's `application/x-qt-windows-mime` form; not exercised on Windows here).
_WINDOWS_FORMAT = 'application/x-qt-windows-mime;value="{}"'
SECRET_CLIPBOARD_MARKS: tuple[tuple[str, bytes], ...] = (
    ("x-kde-passwordManagerHint", b"secret"),
) + (
    (
        (_WINDOWS_FORMAT.format("ExcludeClipboardContentFromMonitorProcessing"), b"1"),
        (_WINDOWS_FORMAT.format("CanIncludeInClipboardHistory"), bytes(4)),
        (_WINDOWS_FORMAT.format("CanUploadToCloudClipboard"), bytes(4)),
    )
    if sys.platform == "win32"
    else ()
)


def secret_mime_data(text: str) -> QMimeData:
    """`text` for the clipboard, marked as a secret (`SECRET_CLIPBOARD_MARKS`)."""
    mime = QMimeData()
    mime.setText(text)
    for name, value in SECRET_CLIPBOARD_MARKS:
        mime.setData(name, QByteArray(value))
    return mime


class MainWindow(QMainWindow):
    #: A copied token's clipboard check ran: True if the token was still there and cleared.
    clipboard_checked = Signal(bool)
    #: How long a copied access token stays on the clipboard, as password managers do.
    clipboard_clear_ms = 60_000

    def __init__(
        self,
        controller: SignInController,
        *,
        provider_title: str,
        client_id: str | None,
        profile: str | None,
        host_factory: HostFactory,
        icon: QIcon | None = None,
        settings_access: SettingsAccess | None = None,
        settings: Settings | None = None,
        browser_factory: HostFactory | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        #: Tells a person who is not looking that the sign-in must be renewed by hand.
        self.notifier: Notifier = notifier or DesktopNotifier(self, icon)
        #: The hidden host of a silent renewal, if one runs.
        self.renewal_host: SignInHost | None = None
        #: Opens the settings form and applies what it saves (None: no form, as in tests).
        self.settings_access = settings_access
        #: The settings in use, as loaded (before any discovery), to compare a change with.
        self.current_settings = settings
        #: The settings form while it is open.
        self.settings_form: SettingsForm | None = None
        #: Makes the host of each sign-in page (embedded, its own process, ...).
        self.host_factory = host_factory
        #: The person's own browser, offered beside the default (None: not offered).
        self.browser_factory = (
            browser_factory
            if browser_factory is not None and not host_factory.system_browser
            else None
        )
        #: The factory of the sign-in being started, and whether it is the browser.
        self._factory_now = host_factory
        self._browser_now = host_factory.system_browser
        #: The host of the sign-in in progress, if any.
        self.sign_in_host: SignInHost | None = None
        #: Hosts closed but not yet finished releasing (a web engine, a process).
        self.closing_hosts: list[SignInHost] = []
        self.setWindowTitle("Frame.io Desktop")
        if icon is not None:
            self.setWindowIcon(icon)
        self.setStyleSheet(STYLE_SHEET)
        self.setMinimumSize(440, 560)
        self.resize(560, 740)

        # -- header ---------------------------------------------------------------------
        header = QFrame()
        header.setObjectName("header")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(20, 12, 20, 12)
        self.logo = QLabel()
        self.logo.setObjectName("logo")
        self.logo.setAccessibleName("Frame.io Desktop logo")
        if icon is not None:
            self.logo.setPixmap(icon.pixmap(28, 28))
        title = _label("Frame.io Desktop", "appTitle", wrap=False)
        self.provider_label = _label(provider_title, "providerLabel", wrap=False)
        self.provider_label.setAccessibleName(f"Provider: {provider_title}")
        self.settings_button = _button("Settings", "settingsButton")
        self.settings_button.setAccessibleName("Settings")
        self.settings_button.setToolTip("Change the sign-in settings (Ctrl+,)")
        self.settings_button.setMinimumHeight(30)
        self.settings_button.clicked.connect(self.open_settings)
        header_layout.addWidget(self.logo)
        header_layout.addWidget(title)
        header_layout.addStretch(1)
        header_layout.addWidget(self.provider_label)
        header_layout.addWidget(self.settings_button)
        # Only once in a layout: a parentless widget shown would be a window of its own.
        self.settings_button.setVisible(settings_access is not None)

        # -- pages ------------------------------------------------------------------------
        self.stack = QStackedWidget()
        self.signed_out_page = self._build_signed_out(provider_title, client_id, profile)
        self.signing_in_page = QWidget()
        self.signing_in_layout = QVBoxLayout(self.signing_in_page)
        self.signing_in_layout.setContentsMargins(0, 0, 0, 0)
        self.waiting_panel = self._build_waiting()
        self.signing_in_layout.addWidget(self.waiting_panel)
        self.waiting_panel.hide()
        self.busy_page = self._build_busy()
        self.signed_in_page = self._build_signed_in()
        self.error_page = self._build_error()
        self.settings_page = QWidget()
        self.settings_layout = QVBoxLayout(self.settings_page)
        self.settings_layout.setContentsMargins(0, 0, 0, 0)
        for page in (
            self.signed_out_page,
            self.signing_in_page,
            self.busy_page,
            self.signed_in_page,
            self.error_page,
            self.settings_page,
        ):
            self.stack.addWidget(page)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # -- shortcuts ---------------------------------------------------------------------
        shortcut(QKeySequence.StandardKey.Quit, self, self.close)
        shortcut(QKeySequence("F5"), self, self.controller.refresh_now)
        shortcut(QKeySequence.StandardKey.Refresh, self, self.controller.refresh_now)
        shortcut(QKeySequence("Ctrl+Shift+C"), self, self.copy_token)
        self.escape_shortcut = shortcut(QKeySequence.StandardKey.Cancel, self, self._escape)
        if settings_access is not None:
            # The platform's Preferences keys, and Ctrl+, where that is not one of them
            # (two shortcuts on one key would make it ambiguous, and neither would fire).
            preferences = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
            comma = QKeySequence("Ctrl+,")
            for keys in [*preferences, *([] if comma in preferences else [comma])]:
                shortcut(keys, self, self.open_settings)

        controller.state_changed.connect(self.show_state)
        controller.login_requested.connect(self.open_login)
        controller.login_finished.connect(self.close_login)
        controller.signed_in_changed.connect(self.show_account)
        controller.signed_in_changed.connect(self.show_accounts)  # after show_account
        controller.accounts_changed.connect(self.show_accounts)
        controller.renewal_requested.connect(self.open_renewal)
        controller.renewal_finished.connect(self.close_renewal)
        controller.sign_in_needed_changed.connect(self.show_sign_in_needed)
        controller.tick.connect(self.notify_if_away)
        controller.state_changed.connect(self._watch_sign_out)
        controller.problem_changed.connect(self.show_problem)
        controller.banner_changed.connect(self.show_banner)
        controller.tick.connect(self.update_expiry)
        controller.state_changed.connect(self.show_sunset)
        controller.tick.connect(self.show_sunset)
        self.show_state(controller.state)
        self.show_sunset()  # the controller may have changed state before this window

    # -- pages -------------------------------------------------------------------------

    def _build_signed_out(
        self, provider_title: str, client_id: str | None, profile: str | None
    ) -> QWidget:
        heading = _label("Sign in to Frame.io", "heading")
        intro = _label(
            "You sign in on the provider's own page, "
            + self.host_factory.where
            + "Your password never passes through this app, and your session is kept in "
            "the system keyring.",
            "muted",
        )
        details = QFrame()
        details.setObjectName("card")
        form = QFormLayout(details)
        form.setContentsMargins(16, 12, 16, 12)
        form.setHorizontalSpacing(16)
        self.provider_value = _label(provider_title, "fieldValue")
        self.client_id_value = _label(client_id or "not set", "fieldValue")
        self.profile_value = _label(profile or "default", "fieldValue")
        form.addRow(_label("Provider", "fieldName"), self.provider_value)
        form.addRow(_label("Client ID", "fieldName"), self.client_id_value)
        form.addRow(_label("Profile", "fieldName"), self.profile_value)
        self.config_panel = QFrame()
        self.config_panel.setObjectName("warningPanel")
        panel_layout = QVBoxLayout(self.config_panel)
        panel_layout.setContentsMargins(16, 12, 16, 12)
        self.config_title = _label("Settings needed", "panelTitle")
        self.config_text = _label("", "panelText")
        self.config_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        panel_layout.addWidget(self.config_title)
        panel_layout.addWidget(self.config_text)
        self.open_settings_button = _button("Open settings", "openSettingsButton", primary=True)
        self.open_settings_button.setToolTip("Enter the client ID and redirect URI (Ctrl+,)")
        self.open_settings_button.clicked.connect(self.open_settings)
        self.try_demo_button = _button("Try the demo", "tryDemoButton")
        self.try_demo_button.setToolTip(
            "Sign in to a demo server built into this app, to see how signing in works"
        )
        self.try_demo_button.clicked.connect(self.try_demo)
        access = self.settings_access
        panel_layout.addSpacing(4)
        panel_layout.addWidget(_row(self.try_demo_button, self.open_settings_button))
        self.open_settings_button.setVisible(access is not None)
        self.try_demo_button.setVisible(access is not None and access.try_demo is not None)
        # Tab goes left to right, as the buttons are shown, then on to Sign in.
        QWidget.setTabOrder(self.try_demo_button, self.open_settings_button)
        self.note_label = _label("", "note")
        in_browser = self.host_factory.system_browser
        self.sign_in_button = _button(
            "Sign in with your browser" if in_browser else "Sign in", "signInButton", primary=True
        )
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setToolTip("Open the sign-in page (Enter)")
        self.sign_in_button.clicked.connect(lambda: self.start_sign_in(in_browser))
        # Google and some company sign-ins refuse pages inside apps; the person's own
        # browser also has their password manager and existing sessions.
        self.browser_button = _button("Sign in with your browser", "browserSignInButton")
        self.browser_button.setToolTip("Open the sign-in page in your own web browser")
        self.browser_button.clicked.connect(lambda: self.start_sign_in(True))
        self.sunset_out = self._sunset_label()
        page = _page(
            heading,
            intro,
            self.sunset_out,
            None,
            details,
            self.config_panel,
            self.note_label,
            None,
            self.sign_in_button,
            self.browser_button,
        )
        self._show_config_problem(self.controller.config_problem)
        return page

    def _show_config_problem(self, problem: ConfigError | None) -> None:
        self.config_panel.setVisible(problem is not None)
        self.sign_in_button.setEnabled(problem is None)
        self.browser_button.setEnabled(problem is None)
        self.browser_button.setVisible(self.browser_factory is not None)
        if problem is None:
            return
        if self.settings_access is None:
            self.config_text.setText(problem.user_message)
            return
        # A person who double-clicked the app has no terminal: point at the form, and
        # still name the setting, for whoever set it outside the app.
        demo = ", or try the built-in demo first" if self.settings_access.try_demo else ""
        self.config_text.setText(
            f"Open Settings to enter your credential's client ID and redirect URI{demo}. "
            f"({problem.setting} {problem.problem}.)"
        )

    def _build_busy(self) -> QWidget:
        self.busy_title = _label("Finishing sign-in…", "heading")
        self.busy_title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.busy_text = _label("Exchanging the authorization code and fetching your account.")
        self.busy_text.setObjectName("muted")
        self.busy_text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy indicator
        bar.setTextVisible(False)
        bar.setMaximumHeight(6)
        self.busy_cancel = _button("Cancel", "busyCancel")
        self.busy_cancel.clicked.connect(self.controller.cancel)
        row = _row(QWidget(), self.busy_cancel, QWidget())
        return _page(self.busy_title, self.busy_text, None, bar, None, row)

    def _build_waiting(self) -> QWidget:
        # The words come from the host that is open (see SignInHost.waiting).
        self.waiting_title = _label("", "heading")
        self.waiting_title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.waiting_text = _label("", "muted")
        self.waiting_text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.show_sign_in_button = _button("", "showSignInButton", primary=True)
        self.show_sign_in_button.clicked.connect(self.raise_sign_in)
        self.waiting_cancel = _button("Cancel", "waitingCancel")
        self.waiting_cancel.clicked.connect(self.controller.cancel)
        return _page(
            self.waiting_title,
            self.waiting_text,
            None,
            _row(self.waiting_cancel, self.show_sign_in_button),
        )

    def _build_signed_in(self) -> QWidget:
        self.avatar = _label("", "avatar", wrap=False)
        self.avatar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.avatar.setFixedSize(56, 56)
        self.name_label = _label("", "accountName")
        self.email_label = _label("", "muted")
        who = QWidget()
        who_layout = QHBoxLayout(who)
        who_layout.setContentsMargins(0, 0, 0, 0)
        who_layout.setSpacing(14)
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name_label)
        names.addWidget(self.email_label)
        who_layout.addWidget(self.avatar)
        who_layout.addLayout(names, 1)

        card = QFrame()
        card.setObjectName("card")
        form = QFormLayout(card)
        form.setContentsMargins(16, 12, 16, 12)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        self.user_id_label = _label("", "fieldValue")
        self.account_id_label = _label("", "fieldValue")
        self.expires_label = _label("", "fieldValue")
        self.countdown_label = _label("", "countdown")
        self.refresh_expires_label = _label("", "fieldValue")
        for widget in (self.user_id_label, self.account_id_label):
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_label("User ID", "fieldName"), self.user_id_label)
        form.addRow(_label("Account ID", "fieldName"), self.account_id_label)
        self._build_accounts(form)
        form.addRow(_label("Access token", "fieldName"), self.expires_label)
        form.addRow(_label("", "fieldName"), self.countdown_label)
        form.addRow(_label("Refresh token", "fieldName"), self.refresh_expires_label)

        self.banner = _label("", "banner")
        self.banner.hide()
        self.copy_button = _button("Copy access token", "copyButton")
        self.copy_button.setToolTip("Copy the access token to the clipboard (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_token)
        self.refresh_button = _button("Refresh now", "refreshButton")
        self.refresh_button.setToolTip("Get a new access token now (F5)")
        self.refresh_button.clicked.connect(self.controller.refresh_now)
        self.sign_out_button = _button("Sign out", "signOutButton")
        self.sign_out_button.clicked.connect(self.controller.sign_out)
        buttons = _row(self.copy_button, self.refresh_button, self.sign_out_button)
        self.sunset_in = self._sunset_label()
        self._build_signed_in_until(form)
        self._build_renewal_panel()
        return _page(
            self.sunset_in,
            who,
            self.signed_in_until_label,
            None,
            card,
            self.renewal_panel,
            self.banner,
            None,
            buttons,
            stretch_top=False,
        )

    def _build_error(self) -> QWidget:
        self.error_title = _label("", "errorTitle")
        self.error_text = _label("", "errorText")
        self.error_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = _button("Try again", "retryButton", primary=True)
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(self._retry)
        self.back_button = _button("Back", "backButton")
        self.back_button.clicked.connect(self.controller.back_to_start)
        return _page(
            self.error_title, self.error_text, None, _row(self.back_button, self.retry_button)
        )

    # -- reacting to the controller ----------------------------------------------------

    def show_state(self, state: State) -> None:
        drop = self._factory_now.drop_prepared
        if state in (State.ERROR, State.SIGNED_OUT) and self.sign_in_host is None and drop:
            drop()  # prepared for a sign-in that ended before its page opened
        pages = {
            State.STARTING: self.busy_page,
            State.SIGNED_OUT: self.signed_out_page,
            State.SIGNING_IN: self.signing_in_page,
            State.FINISHING: self.busy_page,
            State.SIGNED_IN: self.signed_in_page,
            State.SIGNING_OUT: self.busy_page,
            State.ERROR: self.error_page,
        }
        # Signing out cannot be cancelled half-way: the keyring is cleared whatever happens.
        self.busy_cancel.setVisible(state is not State.SIGNING_OUT)
        if state is State.SIGNING_OUT:
            self.busy_title.setText("Signing out…")
            self.busy_text.setText("Ending the session at the server and clearing the keyring.")
        elif state is State.STARTING:
            self.busy_title.setText("Signing you in…")
            self.busy_text.setText("Using your saved session. No password needed.")
        elif state is State.FINISHING:
            self.busy_title.setText("Finishing sign-in…")
            self.busy_text.setText("Exchanging the authorization code and fetching your account.")
        if state is State.SIGNED_OUT:
            self.note_label.setText(self.controller.last_note)
            self.note_label.setVisible(bool(self.controller.last_note))
        self.settings_button.setEnabled(state in SETTINGS_STATES)
        if self.settings_form is not None:
            return  # the form stays in front; closing it shows the state's page
        self.stack.setCurrentWidget(pages[state])
        sign_in_ready = self.sign_in_button.isEnabled()
        focus = {
            State.SIGNED_OUT: self.sign_in_button if sign_in_ready else self.open_settings_button,
            State.FINISHING: self.busy_cancel,
            State.SIGNED_IN: self.copy_button,
            State.ERROR: self.retry_button,
        }.get(state)
        if focus is not None:
            focus.setFocus()

    def show_account(self) -> None:
        account = self.controller.account
        if account is not None:
            self.name_label.setText(account.display_name)
            self.email_label.setText(account.email or "")
            self.avatar.setText(initials(account.display_name))
            self.user_id_label.setText(account.id or "—")
            self.account_id_label.setText(account.account_id or "—")
        else:
            self.name_label.setText("Signed in")
            self.email_label.setText("This provider does not share account details.")
            self.avatar.setText("?")
            self.user_id_label.setText("—")
            self.account_id_label.setText("—")
        self.update_expiry(self.controller.clock())

    def update_expiry(self, now: datetime) -> None:
        tokens = self.controller.tokens
        if tokens is None:
            return
        expiry = format_expiry(tokens.expires_at, now)
        when, _, left = expiry.partition(" (")
        self.expires_label.setText(f"expires {when}")
        self.countdown_label.setText(left.rstrip(")") if left else "")
        self._show_signed_in_until(now)
        if tokens.refresh_token is not None:
            self.refresh_expires_label.setText(
                "expires " + format_expiry(tokens.refresh_expires_at, now)
                if tokens.refresh_expires_at
                else "no expiry given"
            )
        self.refresh_button.setEnabled(
            tokens.refresh_token is not None and not self.controller.refreshing
        )

    def show_problem(self, problem: Problem | None) -> None:
        if problem is None:
            return
        self.error_title.setText(problem.title)
        self.error_text.setText(problem.message)

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def _retry(self) -> None:
        self.controller.back_to_start()
        self.start_sign_in(self._browser_now)

    def start_sign_in(self, in_browser: bool = False) -> None:
        """Start a sign-in with the default host, or in the person's own browser."""
        factory = self._choose_factory(in_browser)
        self.controller.sign_in(prepare_redirect=factory.prepare_redirect)

    def continue_in_browser(self) -> None:
        """The page refused to work inside the app: the same sign-in, in the browser."""
        factory = self._choose_factory(True)
        if factory.system_browser:
            self.controller.restart_sign_in(prepare_redirect=factory.prepare_redirect)

    def _choose_factory(self, in_browser: bool) -> HostFactory:
        factory = self.host_factory
        if in_browser and self.browser_factory is not None:
            factory = self.browser_factory
        self._factory_now = factory
        self._browser_now = factory.system_browser
        return factory

    def _escape(self) -> None:
        if self.settings_form is not None:
            self.close_settings()
            return
        if self.controller.state in (State.FINISHING, State.SIGNING_IN):
            self.controller.cancel()

    def copy_token(self) -> None:
        tokens = self.controller.tokens
        if tokens is None or self.controller.state is not State.SIGNED_IN:
            return
        copied = tokens.access_token
        QGuiApplication.clipboard().setMimeData(secret_mime_data(copied))
        # Cleared later if still ours: whatever the person copied since is left alone.
        QTimer.singleShot(self.clipboard_clear_ms, self, lambda: self._clear_clipboard(copied))
        self.copy_button.setText("Copied")
        button = self.copy_button
        QTimer.singleShot(1500, button, lambda: button.setText("Copy access token"))

    def _clear_clipboard(self, copied: str) -> None:
        clipboard = QGuiApplication.clipboard()
        ours = clipboard.text() == copied
        if ours:
            clipboard.clear()
        self.clipboard_checked.emit(ours)

    # -- the V2 sunset notice (signed-out page and signed-in banner) ----------------------

    def _sunset_label(self) -> QLabel:
        label = _label("", "sunsetNotice")
        label.setAccessibleName("Provider notice")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.hide()
        return label

    def show_sunset(self, *_: object) -> None:
        """The retiring provider's notice for today's date (by the controller's clock)."""
        notice = self.controller.sunset_notice()
        for label in (self.sunset_out, self.sunset_in):
            if label.text() != (notice or ""):
                label.setText(notice or "")
            label.setVisible(notice is not None)

    # -- sessions without a refresh token: "Signed in until <local time>" ----------------

    def _build_signed_in_until(self, form: QFormLayout) -> None:
        self.signed_in_until_label = _label("", "signedInUntil")
        self.signed_in_until_label.hide()
        self.signed_in_until_form = form

    def _show_signed_in_until(self, now: datetime) -> None:
        """Without a refresh token the sign-in ends with the access token: say until when,
        instead of a refresh-token line."""
        tokens = self.controller.tokens
        until = tokens.signed_in_until if tokens is not None else None
        without_refresh = tokens is not None and tokens.refresh_token is None
        self.signed_in_until_form.setRowVisible(self.refresh_expires_label, not without_refresh)
        self.signed_in_until_label.setVisible(without_refresh and until is not None)
        if without_refresh and until is not None:
            self.signed_in_until_label.setText(f"Signed in until {format_expiry(until, now)}")

    # -- silent renewal (no refresh token): a hidden host, then ask the person -----------

    def _host_place(self, *, web_profile: bool = True) -> HostPlace:
        return HostPlace(
            window=self,
            layout=self.signing_in_layout,
            web_profile=self.controller.web_profile() if web_profile else None,
        )

    def _build_renewal_panel(self) -> None:
        self.renewal_panel = QFrame()
        self.renewal_panel.setObjectName("renewalPanel")
        layout = QHBoxLayout(self.renewal_panel)
        layout.setContentsMargins(12, 8, 12, 8)
        self.renewal_text = _label("", "renewalText")
        self.sign_in_again_button = _button("Sign in again", "signInAgainButton", primary=True)
        self.sign_in_again_button.setToolTip("Open the sign-in page to stay signed in")
        self.sign_in_again_button.clicked.connect(self.sign_in_again)
        layout.addWidget(self.renewal_text, 1)
        layout.addWidget(self.sign_in_again_button)
        self.renewal_panel.hide()
        #: The sign-in (its expiry) a notification was shown for: one per sign-in.
        self._notified_for: datetime | None = None
        #: "signing out", then "due" until the web profile is deleted again (see
        #: `_watch_sign_out`).
        self._web_profile_purge: str | None = None

    def open_renewal(self, authorize_url: str, redirect_uri: str) -> None:
        """Run the controller's `prompt=none` request in a host that shows nothing."""
        self.close_renewal()
        make = self.host_factory.make_silent
        if make is None:
            self.controller.renewal_failed("this kind of sign-in page cannot renew silently")
            return
        host = make(self._host_place())
        host.redirect_caught.connect(self.controller.renewal_redirect_caught)
        host.load_failed.connect(self.controller.renewal_failed)
        host.cancel_requested.connect(
            functools.partial(self.controller.renewal_failed, "the silent renewal's page closed")
        )
        self.renewal_host = host
        host.open(authorize_url, redirect_uri)

    def close_renewal(self) -> None:
        host = self.renewal_host
        if host is None:
            return
        self.renewal_host = None
        self.closing_hosts.append(host)
        host.finished.connect(functools.partial(self._host_gone, host))
        host.close()

    def _watch_sign_out(self, state: State) -> None:
        """After a sign-out, once every sign-in process has ended, delete the web profile
        again: a process still shutting down when the sign-out deleted it (a renewal that
        was running, a sign-in a moment before) writes its cookies as it ends."""
        if state is State.SIGNING_OUT:
            self._web_profile_purge = "signing out"
        elif self._web_profile_purge == "signing out":
            self._web_profile_purge = "due" if state is State.SIGNED_OUT else None
            self._purge_web_profile_if_due()

    def _purge_web_profile_if_due(self) -> None:
        if self._web_profile_purge != "due" or self.closing_hosts:
            return
        self._web_profile_purge = None
        if self.controller.state is State.SIGNED_OUT:
            self.controller.forget_web_profile()

    def sign_in_again(self) -> None:
        """The renewal panel's button: a sign-in with the default host."""
        factory = self._choose_factory(False)
        self.controller.sign_in_again(prepare_redirect=factory.prepare_redirect)

    def show_sign_in_needed(self, text: str) -> None:
        self.renewal_text.setText(text)
        self.renewal_panel.setVisible(bool(text))

    def notify_if_away(self, now: datetime) -> None:
        """In the last minutes of a sign-in that needs the person, and only if the window
        is not in front: one desktop notification per sign-in."""
        tokens = self.controller.tokens
        if tokens is None or self.controller.sign_in_needed is None:
            return
        if self.controller.state is not State.SIGNED_IN or self.isActiveWindow():
            return
        left = tokens.expires_at - now
        if left > NOTIFY_WITHIN or left.total_seconds() <= 0:
            return
        if self._notified_for == tokens.expires_at:
            return
        self._notified_for = tokens.expires_at
        local = tokens.expires_at.astimezone().strftime("%H:%M")
        self.notifier.notify(
            "Sign in to Frame.io again",
            f"Your sign-in ends at {local}. Open Frame.io Desktop and choose Sign in again.",
        )

    # -- accounts: the list and the default account (Frame.io V4) ------------------------

    def _build_accounts(self, form: QFormLayout) -> None:
        """A "Default account" row: every account by name and ID, the chosen one current.
        Shown only where the provider lists accounts; V2 keeps its one Account ID row."""
        self.signed_in_form = form
        self.accounts_combo = QComboBox()
        self.accounts_combo.setObjectName("accountsCombo")
        self.accounts_combo.setAccessibleName("Default account")
        self.accounts_combo.setAccessibleDescription(
            "The Frame.io account that scripts and the accounts command use"
        )
        self.accounts_combo.setToolTip(
            "The account scripts use by default (frameio-desktop accounts; Alt+D)"
        )
        self.accounts_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.accounts_combo.setMinimumContentsLength(16)
        # `activated` comes from the person only (mouse or keys), never from filling it.
        self.accounts_combo.activated.connect(self._account_picked)
        self.accounts_name = QLabel("&Default account")
        self.accounts_name.setObjectName("fieldName")
        self.accounts_name.setBuddy(self.accounts_combo)  # Alt+D moves the focus there
        self.accounts_note = _label("", "muted")
        # The combo box sits in the form itself: a screen reader finds its name through
        # the label beside it (the buddy must be its sibling).
        form.addRow(self.accounts_name, self.accounts_combo)
        form.addRow(self.accounts_note)
        self._show_accounts_rows(visible=False)
        self._shown_accounts: tuple[tuple[str, str | None], ...] | None = None

    def show_accounts(self) -> None:
        accounts = self.controller.accounts
        chosen = self.controller.account_id
        self.account_id_label.setText(chosen or "—")
        self._show_accounts_rows(visible=accounts is not None)
        if accounts is None:
            self._shown_accounts = None
            problem = self.controller.accounts_problem
            if problem is not None:  # the sign-in stands; only the list is missing
                self.accounts_note.setText(f"The account list could not be read: {problem}")
                self.signed_in_form.setRowVisible(self.accounts_note, True)
            return
        combo = self.accounts_combo
        listed = tuple((a.id, a.name) for a in accounts)
        if listed != self._shown_accounts:
            self._shown_accounts = listed
            combo.clear()
            for account in accounts:
                text = f"{account.name} ({account.id})" if account.name else account.id
                combo.addItem(text, account.id)
        override = self.controller.account_override
        if override is not None and combo.findData(override) < 0:
            combo.addItem(override, override)  # an override may name an unlisted account
        combo.setCurrentIndex(combo.findData(chosen) if chosen is not None else -1)
        combo.setEnabled(bool(accounts) and override is None)
        if override is not None:
            self.accounts_note.setText(
                "Set by --account-id or FRAMEIO_ACCOUNT_ID for now; unset it to choose here."
            )
        elif not accounts:
            self.accounts_note.setText("This sign-in reaches no Frame.io account.")
        self.signed_in_form.setRowVisible(self.accounts_note, override is not None or not accounts)

    def _show_accounts_rows(self, *, visible: bool) -> None:
        self.signed_in_form.setRowVisible(self.accounts_combo, visible)
        self.signed_in_form.setRowVisible(self.accounts_note, visible)

    def _account_picked(self, index: int) -> None:
        account_id = self.accounts_combo.itemData(index)
        if isinstance(account_id, str):
            self.controller.choose_account(account_id)

    # -- settings ------------------------------------------------------------------------

    def open_settings(self) -> None:
        """Show the settings form in place of the current page (not during a sign-in)."""
        access = self.settings_access
        if access is None or self.settings_form is not None:
            return
        if self.controller.state not in SETTINGS_STATES:
            return
        state = access.current()
        from frameio_desktop.gui.settings_form import SettingsForm

        checks = access.setup_checks
        form = SettingsForm(
            state,
            lambda values: access.check(values, state),
            access.presets,
            self.settings_page,
            setup_check=(checks, self.controller.runner) if checks is not None else None,
        )
        form.save_requested.connect(self._save_settings)
        form.cancel_requested.connect(self.close_settings)
        self.settings_layout.addWidget(form)
        self.settings_form = form
        # The form's own Escape closes it; the window's would make the key ambiguous.
        self.escape_shortcut.setEnabled(False)
        self.settings_button.hide()
        self.stack.setCurrentWidget(self.settings_page)
        form.first_field().setFocus()

    def close_settings(self) -> None:
        form = self.settings_form
        if form is None:
            return
        self.settings_form = None
        self.settings_layout.removeWidget(form)
        form.hide()
        form.deleteLater()
        self.escape_shortcut.setEnabled(True)
        self.settings_button.setVisible(self.settings_access is not None)
        self.show_state(self.controller.state)

    def _save_settings(self, values: SetupValues) -> None:
        form, access = self.settings_form, self.settings_access
        if form is None or access is None:
            return
        changes: tuple[str, ...] = ()
        old = self.current_settings
        if self.controller.state is State.SIGNED_IN and old is not None:
            changes = access.identity_changes(values, form.state, old)
            if changes and not self.confirm_sign_out(changes):
                return
        try:
            configuration = access.save(values, form.state)
        except FrameioDesktopError as exc:
            form.show_problem(exc.user_message)
            return
        self.close_settings()
        if not changes:
            self.apply_configuration(configuration)
            return

        # Sign out of the old configuration (revoke, clear its keyring entry), then switch.
        def after_sign_out(state: State) -> None:
            if state is State.SIGNING_OUT:
                return
            self.controller.state_changed.disconnect(after_sign_out)
            self.apply_configuration(configuration)

        self.controller.state_changed.connect(after_sign_out)
        self.controller.sign_out()

    def confirm_sign_out(self, changes: tuple[str, ...]) -> bool:
        """Ask before a change that ends the current sign-in."""
        from frameio_desktop.gui.settings_form import LABELS

        labels = [LABELS.get(name, name) for name in changes]
        names = ", ".join(label[:1].lower() + label[1:] for label in labels)  # "client ID"
        box = QMessageBox(self)
        box.setObjectName("confirmSignOut")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Change the sign-in settings?")
        box.setText("Saving signs you out of the current configuration.")
        box.setInformativeText(
            f"You are signed in, and this changes the {names}. A sign-in belongs to one "
            "configuration, so the app signs out of it first; then you sign in again."
        )
        save = box.addButton("Sign out and save", QMessageBox.ButtonRole.AcceptRole)
        save.setObjectName("confirmSave")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is save

    def apply_configuration(self, configuration: Configuration, *, sign_in: bool = False) -> None:
        """Show and use a new configuration, without a restart."""
        settings = configuration.settings
        self.current_settings = settings
        self.provider_label.setText(configuration.provider_title)
        self.provider_label.setAccessibleName(f"Provider: {configuration.provider_title}")
        self.provider_value.setText(configuration.provider_title)
        self.client_id_value.setText(settings.client_id if settings else "not set")
        self.profile_value.setText(settings.profile if settings else "default")
        self._show_config_problem(configuration.problem)
        self.controller.reconfigure(configuration.session, configuration.problem, sign_in=sign_in)

    def try_demo(self) -> None:
        """Start the built-in demo server and sign in to it."""
        access = self.settings_access
        if access is None or access.try_demo is None:
            return
        try:
            configuration = access.try_demo()
        except (OSError, FrameioDesktopError) as exc:
            log.warning("the demo server did not start: %s", exc)
            self.config_text.setText(f"The demo server did not start: {exc}")
            return
        self.apply_configuration(configuration, sign_in=True)

    # -- the sign-in page, in a host made only for an interactive sign-in ---------------

    def open_login(self, authorize_url: str, redirect_uri: str) -> None:
        self.close_login()
        # The person's own browser keeps its own cookies: no web profile of the app's.
        host = self._factory_now.make(
            self._host_place(web_profile=not self._factory_now.system_browser)
        )
        host.redirect_caught.connect(self.controller.redirect_caught)
        host.cancel_requested.connect(self.controller.cancel)
        host.load_failed.connect(self.controller.login_failed)
        host.sign_in_failed.connect(self.controller.sign_in_failed)
        host.browser_wanted.connect(self.continue_in_browser)
        self.sign_in_host = host
        host.open(authorize_url, redirect_uri)
        if host.waiting is not None:
            self.waiting_title.setText(host.waiting.title)
            self.waiting_text.setText(host.waiting.text)
            self.show_sign_in_button.setText(host.waiting.show_button)
            self.waiting_panel.show()
            self.show_sign_in_button.setFocus()

    def raise_sign_in(self) -> None:
        if self.sign_in_host is not None:
            self.sign_in_host.bring_to_front()

    def close_login(self) -> None:
        host = self.sign_in_host
        if host is None:
            return
        self.sign_in_host = None
        self.waiting_panel.hide()
        self.closing_hosts.append(host)
        host.finished.connect(functools.partial(self._host_gone, host))
        host.close()

    def _host_gone(self, host: SignInHost) -> None:
        if host in self.closing_hosts:
            self.closing_hosts.remove(host)
            host.deleteLater()
        self._purge_web_profile_if_due()

    def release_web_engine(self, timeout_ms: int = 5000) -> bool:
        """Close the sign-in page and wait until every host has released what it holds,
        so no web engine object or sign-in process outlives the window (leftovers crash
        when the application object goes away)."""
        self.close_login()
        self.close_renewal()
        for host in list(self.closing_hosts):
            host.release(timeout_ms / 1000)
        # Run the deletions queued outside a running event loop, which are otherwise
        # never run.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return not self.closing_hosts

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        if self.controller.state in (State.SIGNING_IN, State.FINISHING):
            self.controller.cancel()
        self.close_login()
        self.close_renewal()
        super().closeEvent(event)
