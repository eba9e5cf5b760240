"""SIGINT (Ctrl-C) and SIGTERM end the app as closing its window does.

Python runs a signal handler only when the interpreter gets control, and Qt's event loop
runs in C++: without help, Ctrl-C in the terminal does nothing until the next Python
slot, and SIGTERM kills the app without its clean-up. The C-level handler writes the
signal's number to a socket (`signal.set_wakeup_fd`); a `QSocketNotifier` on the other end
wakes the loop, which quits. Signals reach only the main thread, where Qt's loop runs.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from types import FrameType

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

#: The signals that quit the app.
QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class QuitOnSignals(QObject):
    """While installed, SIGINT and SIGTERM quit `app`'s event loop; `received` is the
    first one (None if none came). `uninstall()` puts the previous handlers back."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.app = app
        self.received: int | None = None
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {number: signal.signal(number, self._note) for number in QUIT_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._wake)

    def _note(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
        self.app.quit()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            for number in self._reader.recv(64):
                if number in QUIT_SIGNALS and self.received is None:
                    self.received = number
        if self.received is not None:
            self.app.quit()

    def uninstall(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._reader.close()
        self._writer.close()
