"""A copied token leaves the clipboard at quit too, if it is still ours (issue 19)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

from frameio_desktop.gui.clipboard import SecretClipboard


def quit_signal() -> None:
    """What QCoreApplication emits as the app quits."""
    app = QCoreApplication.instance()
    assert app is not None
    app.aboutToQuit.emit()


def test_a_copied_token_is_cleared_at_quit(qtbot) -> None:
    clipboard = SecretClipboard(clear_ms=3_600_000)
    clipboard.copy("the-access-token")
    assert QGuiApplication.clipboard().text() == "the-access-token"
    with qtbot.waitSignal(clipboard.checked, timeout=5_000) as checked:
        quit_signal()
    assert checked.args == [True]
    assert QGuiApplication.clipboard().text() == ""
    clipboard.deleteLater()


def test_at_quit_the_persons_own_copy_is_left_alone(qtbot) -> None:
    clipboard = SecretClipboard(clear_ms=3_600_000)
    clipboard.copy("the-access-token")
    QGuiApplication.clipboard().setText("the person's own text")
    with qtbot.waitSignal(clipboard.checked, timeout=5_000) as checked:
        quit_signal()
    assert checked.args == [False]
    assert QGuiApplication.clipboard().text() == "the person's own text"
    clipboard.deleteLater()
