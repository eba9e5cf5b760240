"""Signing in: the page embedded in the window goes here, or, while the page is
somewhere else (a sign-in window, the person's browser), a panel that says where, with a
button that shows it again and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from frameio_desktop.gui.pages.parts import button, column, label, row


class WaitingPanel(QWidget):
    #: The button that shows the sign-in page again was pressed.
    show_requested = Signal()
    #: Cancel was pressed.
    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        # The words come from the host that is open (see SignInHost.waiting).
        self.title_label = label("", "heading")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label = label("", "muted")
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.show_button = button("", "showSignInButton", primary=True)
        self.show_button.clicked.connect(self.show_requested)
        self.cancel_button = button("Cancel", "waitingCancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        column(
            self,
            self.title_label,
            self.text_label,
            None,
            row(self.cancel_button, self.show_button),
        )


class SigningInPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        #: Where a host puts a page embedded in the window.
        self.host_layout: QBoxLayout = layout
        self.waiting = WaitingPanel()
        layout.addWidget(self.waiting)
        self.waiting.hide()

    def show_waiting(self, title: str, text: str, show_button: str) -> None:
        """Say where the page is; `show_button` labels the button that brings it back."""
        self.waiting.title_label.setText(title)
        self.waiting.text_label.setText(text)
        self.waiting.show_button.setText(show_button)
        self.waiting.show()
        self.waiting.show_button.setFocus()

    def hide_waiting(self) -> None:
        self.waiting.hide()
