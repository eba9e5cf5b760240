"""A sign-in without a refresh token: "Signed in until <local time>", and the panel that
asks the person to sign in again when it could not be renewed without them."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

from frameio_desktop.gui.pages.parts import button, label, show_text


def until_label() -> QLabel:
    widget = label("", "signedInUntil")
    widget.hide()
    return widget


class RenewalPanel(QFrame):
    #: "Sign in again" was pressed.
    sign_in_again_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("renewalPanel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.text_label = label("", "renewalText")
        self.sign_in_again_button = button("Sign in again", "signInAgainButton", primary=True)
        self.sign_in_again_button.setToolTip("Open the sign-in page to stay signed in")
        self.sign_in_again_button.clicked.connect(self.sign_in_again_requested)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.sign_in_again_button)
        self.hide()

    def show_text(self, text: str) -> None:
        """Why the person must sign in again ("" hides the panel); announced as it shows."""
        appears = bool(text) and self.isHidden()
        if appears:
            self.text_label.setText("")
        self.setVisible(bool(text))
        show_text(self.text_label, text, hidden_when_empty=False)
