"""Error: what went wrong, in the error table's words, with Back and Try again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from frameio_desktop.gui.pages.parts import button, column, label, row


class ErrorPage(QWidget):
    #: "Try again" was pressed.
    retry_requested = Signal()
    #: "Back" was pressed.
    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title_label = label("", "errorTitle")
        self.text_label = label("", "errorText")
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = button("Try again", "retryButton", primary=True)
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(self.retry_requested)
        self.back_button = button("Back", "backButton")
        self.back_button.clicked.connect(self.back_requested)
        column(
            self, self.title_label, self.text_label, None, row(self.back_button, self.retry_button)
        )

    def show_problem(self, title: str, message: str) -> None:
        self.title_label.setText(title)
        self.text_label.setText(message)
