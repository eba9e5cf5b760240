"""Signed out: what will be signed in to, and the buttons that start a sign-in."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QWidget

from frameio_desktop.gui.pages.notice import Notice
from frameio_desktop.gui.pages.parts import button, column, label, show_text
from frameio_desktop.gui.pages.settings_needed import SettingsNeededPanel


class SignedOutPage(QWidget):
    #: A sign-in was asked for: True in the person's own browser, False with the default.
    sign_in_requested = Signal(bool)

    def __init__(
        self,
        *,
        where: str,
        in_browser: bool,
        browser_offered: bool,
        settings_needed: SettingsNeededPanel,
    ) -> None:
        """`where` ends "You sign in on the provider's own page, "; `in_browser`: the
        default sign-in is the person's browser; `browser_offered`: a second button
        offers the browser beside the default."""
        super().__init__()
        heading = label("Sign in to Frame.io", "heading")
        intro = label(
            "You sign in on the provider's own page, "
            + where
            + "Your password never passes through this app, and your session is kept in "
            "the system keyring.",
            "muted",
        )
        details = QFrame()
        details.setObjectName("card")
        form = QFormLayout(details)
        form.setContentsMargins(16, 12, 16, 12)
        form.setHorizontalSpacing(16)
        self.provider_value = label("", "fieldValue")
        self.client_id_value = label("", "fieldValue")
        self.profile_value = label("", "fieldValue")
        form.addRow(label("Provider", "fieldName"), self.provider_value)
        form.addRow(label("Client ID", "fieldName"), self.client_id_value)
        form.addRow(label("Profile", "fieldName"), self.profile_value)
        self.settings_needed = settings_needed
        self.note_label = label("", "note")
        self.sign_in_button = button(
            "Sign in with your browser" if in_browser else "Sign in", "signInButton", primary=True
        )
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setToolTip("Open the sign-in page (Enter)")
        self.sign_in_button.clicked.connect(lambda: self.sign_in_requested.emit(in_browser))
        # Google and some company sign-ins refuse pages inside apps; the person's own
        # browser also has their password manager and existing sessions.
        self.browser_button = button("Sign in with your browser", "browserSignInButton")
        self.browser_button.setToolTip("Open the sign-in page in your own web browser")
        self.browser_button.clicked.connect(lambda: self.sign_in_requested.emit(True))
        self.browser_button.setVisible(browser_offered)
        #: A retiring provider's notice, with its "Open settings" button.
        self.sunset = Notice("sunsetNotice", "Provider notice")
        self.sunset_label = self.sunset.text_label
        column(
            self,
            heading,
            intro,
            self.sunset,
            None,
            details,
            settings_needed,
            self.note_label,
            None,
            self.sign_in_button,
            self.browser_button,
        )

    def show_configuration(self, provider: str, client_id: str | None, profile: str | None) -> None:
        self.provider_value.setText(provider)
        self.client_id_value.setText(client_id or "not set")
        self.profile_value.setText(profile or "default")

    def show_settings_needed(self, text: str | None) -> None:
        """What is missing before a sign-in can start (None: nothing; the buttons work)."""
        self.settings_needed.show_problem(text)
        self.sign_in_button.setEnabled(text is None)
        self.browser_button.setEnabled(text is None)

    def show_note(self, text: str) -> None:
        """How the last sign-in ended ("You have signed out.", ...; "" hides it)."""
        show_text(self.note_label, text)

    def show_sunset(self, text: str | None, action: str | None = None) -> None:
        self.sunset.show_notice(text, action)

    def focus_first(self) -> None:
        """Sign in if it can start, else the way to fix the settings."""
        if self.sign_in_button.isEnabled():
            self.sign_in_button.setFocus()
        else:
            self.settings_needed.open_settings_button.setFocus()
