"""The "Settings needed" panel on the signed-out page: why no sign-in can start yet, and
the buttons that fix it (the settings form, or the built-in demo)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from frameio_desktop.core.errors import ConfigError, WindowAction
from frameio_desktop.gui.pages.parts import button, label, row, show_text


def settings_needed_text(problem: ConfigError | None, *, form: bool, demo: bool) -> str | None:
    """What is missing, in plain words: where the settings `form` can fix it, the way to
    it (and to the `demo`); where a value set outside the app wins, what to do instead."""
    if problem is None:
        return None
    if not form:
        return problem.window_what
    remedy = problem.window_remedy
    if remedy is None or remedy.action is not WindowAction.OPEN_SETTINGS:
        return problem.window_message
    or_demo = ", or try the built-in demo first" if demo else ""
    return (
        f"Open Settings to enter your credential's client ID and redirect URI{or_demo}. "
        f"({problem.window_what})"
    )


class SettingsNeededPanel(QFrame):
    #: "Open settings" was pressed.
    open_settings_requested = Signal()
    #: "Try the demo" was pressed.
    try_demo_requested = Signal()

    def __init__(self, *, offers_settings: bool, offers_demo: bool) -> None:
        super().__init__()
        self.setObjectName("warningPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title_label = label("Settings needed", "panelTitle")
        self.text_label = label("", "panelText")
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        self.open_settings_button = button("Open settings", "openSettingsButton", primary=True)
        self.open_settings_button.setToolTip("Enter the client ID and redirect URI (Ctrl+,)")
        self.open_settings_button.clicked.connect(self.open_settings_requested)
        self.try_demo_button = button("Try the demo", "tryDemoButton")
        self.try_demo_button.setToolTip(
            "Sign in to a demo server built into this app, to see how signing in works"
        )
        self.try_demo_button.clicked.connect(self.try_demo_requested)
        layout.addSpacing(4)
        layout.addWidget(row(self.try_demo_button, self.open_settings_button))
        self.open_settings_button.setVisible(offers_settings)
        self.try_demo_button.setVisible(offers_settings and offers_demo)
        # Tab goes left to right, as the buttons are shown, then on to Sign in.
        QWidget.setTabOrder(self.try_demo_button, self.open_settings_button)
        self.hide()

    def show_problem(self, text: str | None) -> None:
        """Show the panel with `text`, or hide it (None: nothing is missing)."""
        if text is not None and self.isHidden():
            self.text_label.setText("")  # announced as it appears
        self.setVisible(text is not None)
        if text is not None:
            show_text(self.text_label, text, hidden_when_empty=False)

    def show_text(self, text: str) -> None:
        """Replace the panel's words (a demo that did not start), as shown."""
        show_text(self.text_label, text, hidden_when_empty=False)
