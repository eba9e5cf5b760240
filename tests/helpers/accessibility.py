"""Reading widgets the way a screen reader does: through Qt's accessibility interface."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget


def accessible_name(widget: QWidget) -> str:
    """The name assistive technology announces (Qt's own rules: accessibleName, else a
    buddy label, else the button text ...)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None, f"{widget!r} has no accessible interface"
    return interface.text(QAccessible.Text.Name).strip()


def focusable_widgets(root: QWidget) -> list[QWidget]:
    """Widgets a person can reach with Tab (or click into) that are shown right now."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        if not widget.isEnabled():
            continue
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(widget)
    return found


def unnamed(root: QWidget) -> list[str]:
    """Describe every shown, focusable widget under `root` without an accessible name."""
    return [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in focusable_widgets(root)
        if not accessible_name(w)
    ]
