"""A copied token on the clipboard: marked secret, and cleared later if still there."""

from __future__ import annotations

import sys

from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

#: Marks on a copied token that clipboard managers honour by keeping it out of their
#: history, which many write to disk: KDE's (Klipper) and others read the KDE hint;
#: Windows' clipboard history, its cloud clipboard and monitoring programs read the named
#: formats (Qt's `application/x-qt-windows-mime` form; not exercised on Windows here).
_WINDOWS_FORMAT = 'application/x-qt-windows-mime;value="{}"'
SECRET_CLIPBOARD_MARKS: tuple[tuple[str, bytes], ...] = (
    ("x-kde-passwordManagerHint", b"secret"),
) + (
    (
        (_WINDOWS_FORMAT.format("ExcludeClipboardContentFromMonitorProcessing"), b"1"),
        (_WINDOWS_FORMAT.format("CanIncludeInClipboardHistory"), bytes(4)),
        (_WINDOWS_FORMAT.format("CanUploadToCloudClipboard"), bytes(4)),
    )
    if sys.platform == "win32"
    else ()
)


def secret_mime_data(text: str) -> QMimeData:
    """`text` for the clipboard, marked as a secret (`SECRET_CLIPBOARD_MARKS`)."""
    mime = QMimeData()
    mime.setText(text)
    for name, value in SECRET_CLIPBOARD_MARKS:
        mime.setData(name, QByteArray(value))
    return mime


class SecretClipboard(QObject):
    """Puts a secret on the system clipboard and takes it off again after `clear_ms`,
    as password managers do, unless the person has copied something else since; and
    at quit, if it is still there (a clipboard manager would otherwise keep it after the
    app is gone: on X11 the clipboard is handed to it at exit)."""

    #: A copied secret's check ran: True if it was still there and has been cleared.
    checked = Signal(bool)

    def __init__(self, parent: QObject | None = None, clear_ms: int = 60_000) -> None:
        super().__init__(parent)
        #: How long a copied secret stays on the clipboard.
        self.clear_ms = clear_ms
        self._copied: str | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.clear_if_ours)

    def copy(self, text: str) -> None:
        QGuiApplication.clipboard().setMimeData(secret_mime_data(text))
        self._copied = text
        # Cleared later if still ours: whatever the person copied since is left alone.
        QTimer.singleShot(self.clear_ms, self, lambda: self._clear(text))

    def clear_if_ours(self) -> None:
        """Take the last copied secret off the clipboard now, if it is still there."""
        if self._copied is not None:
            self._clear(self._copied)

    def _clear(self, copied: str) -> None:
        clipboard = QGuiApplication.clipboard()
        ours = clipboard.text() == copied
        if ours:
            clipboard.clear()
        if self._copied == copied:
            self._copied = None
        self.checked.emit(ours)
