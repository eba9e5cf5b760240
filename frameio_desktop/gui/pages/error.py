"""Error: what went wrong, in the error table's words, with Back and Try again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from frameio_desktop.gui.pages.parts import announce, button, column, label, row


class ErrorPage(QWidget):
    #: "Try again" was pressed.
    retry_requested = Signal()
    #: "Back" was pressed.
    back_requested = Signal()
    #: The error's own button was pressed ("Open settings", ...).
    action_requested = Signal()

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
        #: What the error itself says to do (its label comes with the error).
        self.action_button = button("", "errorActionButton")
        self.action_button.clicked.connect(self.action_requested)
        self.action_button.hide()
        buttons = row(self.back_button, self.action_button, self.retry_button)
        column(self, self.title_label, self.text_label, None, buttons)

    def show_problem(self, title: str, message: str, action: str | None = None) -> None:
        """The error's heading and words, and a button labelled `action` (None: none);
        a screen reader hears both as they appear."""
        self.title_label.setText(title)
        self.text_label.setText(message)
        self.text_label.setAccessibleDescription(message)
        self.action_button.setText(action or "")
        self.action_button.setVisible(action is not None)
        # The error's own remedy is what to do next (trying again alone cannot help):
        # it is then the primary button, the one Enter presses.
        for widget, primary in (
            (self.action_button, action is not None),
            (self.retry_button, action is None),
        ):
            widget.setProperty("primary", primary)
            widget.setDefault(primary)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        announce(self, f"{title}. {message}")
