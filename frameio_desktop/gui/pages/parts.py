"""Small building blocks the pages share: labels, buttons, a page's column, a row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
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


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say `text` now: a notice or an error that just appeared."""
    if text:
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))


def show_text(widget: QLabel, text: str, *, hidden_when_empty: bool = True) -> None:
    """Show a notice's or an error's `text` on `widget`, keep it in the accessible
    description too (a set accessible name would otherwise hide it), and announce it
    when it appears or changes."""
    shown_before = not widget.isHidden()
    changed = widget.text() != text
    if changed:
        widget.setText(text)
    widget.setAccessibleDescription(text)
    if hidden_when_empty:
        widget.setVisible(bool(text))
    if text and (changed or not shown_before):
        announce(widget, text)


def keep_together(when: str) -> str:
    """'<date> <time> UTC (in 13 d 23 h)' with its bracket unbreakable: a narrow label wraps
    before the bracket, never inside it (a lone "h)" on the next line)."""
    moment, bracket, left = when.partition(" (")
    return moment + bracket + left.replace(" ", "\u00a0") if bracket else when
