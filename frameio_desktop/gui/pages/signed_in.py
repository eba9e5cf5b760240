"""Signed in: who, until when, the default account, and copy / refresh / sign out."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from frameio_desktop.gui.pages.account_picker import AccountPicker, Listed
from frameio_desktop.gui.pages.notice import Notice
from frameio_desktop.gui.pages.parts import button, column, label, row, show_text
from frameio_desktop.gui.pages.signed_in_until import RenewalPanel, until_label

COPY_TEXT = "Copy access token"
REFRESH_HELP = "Get a new access token now (F5)"
NO_REFRESH_HELP = (
    "This sign-in has no refresh token: it lasts until the time above, then you sign in again"
)


def initials(name: str) -> str:
    parts = [p for p in name.replace("@", " ").split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


class ValueLabel(QLabel):
    """A value in the card, announced with its name ("User ID: abc"): a screen reader
    reads a label's text alone, so the value would come without what it is."""

    def __init__(self, name: str, object_name: str) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
        self.setWordWrap(True)
        self.setObjectName(object_name)
        self.field_name = name
        self.setAccessibleName(name)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setAccessibleName(f"{self.field_name}: {text}" if text else self.field_name)


def _add_value(form: QFormLayout, name: str, value: ValueLabel, shown: str | None = None) -> None:
    """A row whose field label is the value's buddy (AT-SPI labelled-by)."""
    field = label(name if shown is None else shown, "fieldName")
    field.setBuddy(value)
    form.addRow(field, value)


class SignedInPage(QWidget):
    #: "Copy access token" was pressed.
    copy_requested = Signal()
    #: "Refresh now" was pressed.
    refresh_requested = Signal()
    #: "Sign out" was pressed.
    sign_out_requested = Signal()
    #: The renewal panel's "Sign in again" was pressed.
    sign_in_again_requested = Signal()
    #: An account was chosen as the default (its ID).
    account_picked = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.avatar = label("", "avatar", wrap=False)
        self.avatar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.avatar.setFixedSize(56, 56)
        self.avatar.setAccessibleName("Avatar")  # not its initials, read as a word
        self.name_label = label("", "accountName")
        self.email_label = label("", "muted")
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
        self._form = form
        self.user_id_label = ValueLabel("User ID", "fieldValue")
        self.account_id_label = ValueLabel("Account ID", "fieldValue")
        self.expires_label = ValueLabel("Access token", "fieldValue")
        self.countdown_label = ValueLabel("Access token time left", "countdown")
        self.refresh_expires_label = ValueLabel("Refresh token", "fieldValue")
        for widget in (self.user_id_label, self.account_id_label):
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        _add_value(form, "User ID", self.user_id_label)
        _add_value(form, "Account ID", self.account_id_label)
        self.accounts = AccountPicker(form)
        self.accounts.picked.connect(self.account_picked)
        _add_value(form, "Access token", self.expires_label)
        _add_value(form, "Access token time left", self.countdown_label, shown="")
        _add_value(form, "Refresh token", self.refresh_expires_label)

        self.banner = label("", "banner")
        self.banner.hide()
        self.copy_button = button(COPY_TEXT, "copyButton")
        self.copy_button.setToolTip("Copy the access token to the clipboard (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_requested)
        self.refresh_button = button("Refresh now", "refreshButton")
        self.refresh_button.setToolTip(REFRESH_HELP)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.sign_out_button = button("Sign out", "signOutButton")
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        #: A retiring provider's notice, with its "Open settings" button.
        self.sunset = Notice("sunsetNotice", "Provider notice")
        self.sunset_label = self.sunset.text_label
        self.until_label = until_label()
        self.renewal = RenewalPanel()
        self.renewal.sign_in_again_requested.connect(self.sign_in_again_requested)
        column(
            self,
            self.sunset,
            who,
            self.until_label,
            None,
            card,
            self.renewal,
            self.banner,
            None,
            row(self.copy_button, self.refresh_button, self.sign_out_button),
            stretch_top=False,
        )

    def show_account(
        self, name: str | None, email: str | None, user_id: str | None, account_id: str | None
    ) -> None:
        """The signed-in user (`name` None: the provider shares no details)."""
        if name is None:
            self.name_label.setText("Signed in")
            self.email_label.setText("This provider does not share account details.")
            self.avatar.setText("?")
            self.avatar.setAccessibleName("Avatar")
        else:
            self.name_label.setText(name)
            self.email_label.setText(email or "")
            self.avatar.setText(initials(name))
            self.avatar.setAccessibleName(f"Avatar of {name}")
        self.user_id_label.setText(user_id or "—")
        self.account_id_label.setText(account_id or "—")

    def show_accounts(
        self,
        accounts: Sequence[Listed] | None,
        chosen: str | None,
        *,
        override: str | None,
        problem: str | None,
    ) -> None:
        """The account in use, and the list to choose from (see `AccountPicker`)."""
        self.account_id_label.setText(chosen or "—")
        self.accounts.show_accounts(accounts, chosen, override=override, problem=problem)

    def show_expiry(
        self,
        access: str,
        countdown: str,
        *,
        refresh: str | None,
        until: str | None,
        can_refresh: bool,
    ) -> None:
        """When the access token expires; `refresh`: the refresh token's line (None: there
        is no refresh token, so `until` says when the sign-in ends)."""
        self.expires_label.setText(access)
        self.countdown_label.setText(countdown)
        self._form.setRowVisible(self.refresh_expires_label, refresh is not None)
        self.until_label.setVisible(refresh is None and until is not None)
        if refresh is None:
            if until is not None:
                self.until_label.setText(until)
        else:
            self.refresh_expires_label.setText(refresh)
        self.refresh_button.setEnabled(can_refresh)
        # Disabled for good when there is no refresh token: say why, not what it would do.
        why = NO_REFRESH_HELP if refresh is None else REFRESH_HELP
        self.refresh_button.setToolTip(why)
        self.refresh_button.setAccessibleDescription(why)

    def show_banner(self, text: str) -> None:
        """A warning under the card ("" hides it)."""
        show_text(self.banner, text)

    def show_sign_in_needed(self, text: str) -> None:
        self.renewal.show_text(text)

    def show_sunset(self, text: str | None, action: str | None = None) -> None:
        self.sunset.show_notice(text, action)

    def show_copied(self) -> None:
        """Say "Copied" on the button for a moment."""
        self.copy_button.setText("Copied")
        copy = self.copy_button
        QTimer.singleShot(1500, copy, lambda: copy.setText(COPY_TEXT))
