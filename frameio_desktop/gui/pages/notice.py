"""A notice across a page (a retiring provider): its words, and the button that acts on
it. Its words stay in the accessible description and are announced when they appear."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout

from frameio_desktop.gui.pages.parts import button, label, show_text


class Notice(QFrame):
    #: The notice's button was pressed.
    action_requested = Signal()

    def __init__(self, name: str, accessible_name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text_label = label("", "noticeText")
        self.text_label.setAccessibleName(accessible_name)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = button("", "noticeAction")
        self.action_button.clicked.connect(self.action_requested)
        self.action_button.hide()
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_notice(self, text: str | None, action: str | None = None) -> None:
        """Show `text` with a button labelled `action` (None: no button), or hide it."""
        if text is None:
            self.hide()
            return
        self.action_button.setText(action or "")
        self.action_button.setVisible(action is not None)
        shown_before = not self.isHidden()
        self.show()
        if not shown_before:
            self.text_label.setText("")  # so that it is announced as it appears
        show_text(self.text_label, text, hidden_when_empty=False)
