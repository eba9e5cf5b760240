"""The band across the top of the window: logo, name, provider and the Settings button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

from frameio_desktop.gui.pages.parts import button, label


class Header(QFrame):
    #: The Settings button was pressed.
    settings_requested = Signal()

    def __init__(self, provider_title: str, icon: QIcon | None, *, settings: bool) -> None:
        super().__init__()
        self.setObjectName("header")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 12, 20, 12)
        self.logo = QLabel()
        self.logo.setObjectName("logo")
        self.logo.setAccessibleName("Frame.io Desktop logo")
        if icon is not None:
            self.logo.setPixmap(icon.pixmap(28, 28))
        title = label("Frame.io Desktop", "appTitle", wrap=False)
        self.provider_label = label("", "providerLabel", wrap=False)
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
        self.provider_label.setText(title)
        self.provider_label.setAccessibleName(f"Provider: {title}")

    def show_settings_button(self, shown: bool) -> None:
        """Shown only where the window offers the form (hidden while it is open)."""
        self.settings_button.setVisible(shown and self.offers_settings)

    def enable_settings(self, enabled: bool) -> None:
        self.settings_button.setEnabled(enabled)
