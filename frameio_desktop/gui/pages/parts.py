"""Small building blocks the pages share: labels, buttons, a page's column, a row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def label(text: str = "", name: str | None = None, *, wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
    widget.setWordWrap(wrap)
    if name:
        widget.setObjectName(name)
    return widget


def button(text: str, name: str | None = None, *, primary: bool = False) -> QPushButton:
    widget = QPushButton(text)
    if name:
        widget.setObjectName(name)
    widget.setProperty("primary", primary)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setMinimumHeight(36)
    return widget


def column(page: QWidget, *widgets: QWidget | None, stretch_top: bool = True) -> None:
    """Lay `widgets` out down `page` (None: a small gap), centred by stretches."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(32, 24, 32, 28)
    layout.setSpacing(12)
    if stretch_top:
        layout.addStretch(1)
    for widget in widgets:
        if widget is None:
            layout.addSpacing(8)
        else:
            layout.addWidget(widget)
    layout.addStretch(2)


def row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def notice() -> QLabel:
    """A provider's notice (the V2 sunset), hidden until it has words."""
    widget = label("", "sunsetNotice")
    widget.setAccessibleName("Provider notice")
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    widget.hide()
    return widget


def show_notice(widget: QLabel, text: str | None) -> None:
    if widget.text() != (text or ""):
        widget.setText(text or "")
    widget.setVisible(text is not None)
