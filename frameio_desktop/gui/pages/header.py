"""The band across the top of the window: logo, name, provider and the Settings button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

from frameio_desktop.gui.pages.parts import button, label


class Header(QFrame):
    #: The Settings button was pressed.
    settings_requested = Signal()

    def __init__(self, provider_title: str, icon: QIcon | None, *, settings: bool) -> None:
        super().__init__()
        self.setObjectName("header")
        self._layout = layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 12, 20, 12)
        self.logo = QLabel()
        self.logo.setObjectName("logo")
        self.logo.setAccessibleName("Frame.io Desktop logo")
        if icon is not None:
            self.logo.setPixmap(icon.pixmap(28, 28))
        self.title = title = label("Frame.io Desktop", "appTitle", wrap=False)
        self.provider_label = label("", "providerLabel", wrap=False)
        # A long title ("… · demo server") with the Settings button beside it would be cut
        # off mid-word: it is shortened with "…" instead (in full in its tooltip).
        self._provider_title = ""
        self.settings_button = button("Settings", "settingsButton")
        self.settings_button.setAccessibleName("Settings")
        self.settings_button.setToolTip("Change the sign-in settings (Ctrl+,)")
        self.settings_button.setMinimumHeight(30)
        self.settings_button.clicked.connect(self.settings_requested)
        layout.addWidget(self.logo)
        layout.addWidget(title)
        layout.addStretch(1)
        layout.addWidget(self.provider_label)
        layout.addWidget(self.settings_button)
        #: Whether this window offers the settings form at all.
        self.offers_settings = settings
        self.settings_button.setVisible(settings)
        self.show_provider(provider_title)

    def show_provider(self, title: str) -> None:
        self._provider_title = title
        self.provider_label.setAccessibleName(f"Provider: {title}")
        self._fit_provider()

    def _fit_provider(self, *, laid_out: bool = False) -> None:
        """The title, shortened with "…" to the room the band leaves it."""
        title = self._provider_title
        if not (laid_out or self.isVisible()):  # its width says nothing yet
            self.provider_label.setText(title)
            return
        layout = self._layout
        margins = layout.contentsMargins()
        room = self.width() - margins.left() - margins.right() - layout.spacing()
        for widget in (self.logo, self.title, self.settings_button):
            if widget.isVisibleTo(self):
                room -= widget.sizeHint().width() + layout.spacing()
        padding = 20 + 4  # the badge's left and right padding (style.py), and a little air
        fitted = self.provider_label.fontMetrics().elidedText(
            title, Qt.TextElideMode.ElideRight, max(room - padding, 40)
        )
        self.provider_label.setText(fitted)
        self.provider_label.setToolTip(title if fitted != title else "")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_provider(laid_out=True)

    def show_settings_button(self, shown: bool) -> None:
        """Shown only where the window offers the form (hidden while it is open)."""
        self.settings_button.setVisible(shown and self.offers_settings)
        self._fit_provider()

    def enable_settings(self, enabled: bool) -> None:
        self.settings_button.setEnabled(enabled)
