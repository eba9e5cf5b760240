"""Busy: a heading, a line and a moving bar while work runs (starting, finishing a
sign-in, signing out), with Cancel where the work can be cancelled."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QProgressBar, QWidget

from frameio_desktop.gui.pages.parts import button, column, label, row


class BusyPage(QWidget):
    #: Cancel was pressed.
    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title_label = label("Finishing sign-in…", "heading")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label = label("Exchanging the authorization code and fetching your account.")
        self.text_label.setObjectName("muted")
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy indicator
        bar.setTextVisible(False)
        bar.setMaximumHeight(6)
        self.cancel_button = button("Cancel", "busyCancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        cancel_row = row(QWidget(), self.cancel_button, QWidget())
        column(self, self.title_label, self.text_label, None, bar, None, cancel_row)

    def show_busy(self, title: str, text: str, *, cancellable: bool) -> None:
        self.title_label.setText(title)
        self.text_label.setText(text)
        self.cancel_button.setVisible(cancellable)
