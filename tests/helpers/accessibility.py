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


def labels_of(widget: QWidget) -> list[str]:
    """The texts of the labels Qt reports as labelling `widget` (its buddy labels). On
    Linux a combo box's name is its current text, and screen readers announce its label
    from this relation (AT-SPI labelled-by)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return [
        other.text(QAccessible.Text.Name)
        for other, relation in interface.relations(QAccessible.RelationFlag.Label)
        if relation & QAccessible.RelationFlag.Label
    ]


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


def shown_words(root: QWidget) -> list[str]:
    """Every text a person (or a screen reader) can meet under `root` right now: labels,
    button texts, tooltips, accessible names and descriptions of the shown widgets."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    words = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            words.append(widget.text())
        words += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
    return [w for w in words if w]
