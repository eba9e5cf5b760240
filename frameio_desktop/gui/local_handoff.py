"""The sign-in handoff over Qt's local sockets, for systems where Python has no Unix sockets
(Windows: there `QLocalServer` is a named pipe).

The same rules as `core/browser/handoff.py`: one redirect URL of at most
`MAX_MESSAGE_BYTES` of UTF-8 (here ended by a newline, as a `QLocalSocket` cannot
half-close), checked by `check_message`, then by the `deliver` callback; the answer is one
line, `ok` or `refused: <reason>`, and every refusal leaves the server running. The pipe
is created for this user only (`QLocalServer.SocketOption.UserAccessOption`). A pipe's
name is global on Windows, so it carries this user's SID, and the second instance sends
the URL only after checking that the pipe's server runs as this same user
(`core/browser/winpipe.py`): another user who created the name first gets nothing. Built
and tested on Linux (where Qt uses a Unix socket, and the checks run with a fake); not
yet run on Windows.
"""

from __future__ import annotations

import getpass
import logging
import re
import sys
import time
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from frameio_desktop.core.browser import winpipe
from frameio_desktop.core.browser.errors import (
    HandoffError,
    HandoffRefusedError,
    NoRunningInstanceError,
)
from frameio_desktop.core.browser.handoff import (
    CONNECTION_TIMEOUT_SECONDS,
    MAX_MESSAGE_BYTES,
    Deliver,
    refusal_for,
)
from frameio_desktop.core.browser.winpipe import PipeApi

log = logging.getLogger(__name__)


#: Does the server at the other end of this connected socket (its native handle) run as
#: this user? None: not asked (off Windows, a Unix socket's folder and mode decide).
OwnerCheck = Callable[[int], bool]


def server_name(*, platform: str = sys.platform, api: PipeApi | None = None) -> str:
    """One name per user: the pipe (or socket) a second instance looks for. On Windows
    the user's SID, which no other user shares (a user name can be reused, or look alike)."""
    if platform == "win32":
        sid = winpipe.current_user_sid(api)
        if sid is None:
            raise HandoffError("The app cannot tell which Windows user runs it.")
        return f"frameio-desktop-sign-in-{sid}"
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", getpass.getuser()) or "user"
    return f"frameio-desktop-sign-in-{user}"


def default_owner_check(platform: str = sys.platform) -> OwnerCheck | None:
    if platform == "win32":
        return winpipe.served_by_this_user
    return None


class LocalHandoffServer(QObject):
    """The running app's end, on the UI thread's event loop."""

    def __init__(self, deliver: Deliver, name: str | None = None) -> None:
        super().__init__()
        self._deliver = deliver
        self.name = name or server_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        #: What was refused, for logs and tests.
        self.refusals: list[str] = []

    def start(self) -> LocalHandoffServer:
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(500):
            check = default_owner_check()
            ours = check is None or check(int(probe.socketDescriptor()))
            probe.abort()
            if not ours:
                raise HandoffError(
                    "Another user on this computer holds the name of the app's sign-in pipe, "
                    "so sign-in answers cannot reach this window. Tell your administrator."
                )
            raise HandoffError("Another frameio-desktop window already receives sign-ins.")
        QLocalServer.removeServer(self.name)  # left behind by one that did not exit cleanly
        if not self._server.listen(self.name):
            raise HandoffError(
                f"The app cannot listen for sign-in answers: {self._server.errorString()}"
            )
        return self

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            if conn is not None:
                _Connection(self, conn)

    def _answer(self, conn: QLocalSocket, data: bytes) -> None:
        reason = refusal_for(data, self._deliver)
        if reason is not None:
            self._refuse(conn, reason)
            return
        _reply(conn, "ok")

    def _refuse(self, conn: QLocalSocket, reason: str) -> None:
        self.refusals.append(reason)
        log.warning("refused a sign-in handoff: %s", reason)
        _reply(conn, f"refused: {reason}")


class _Connection(QObject):
    """One client: read up to the newline (or past the size bound), answer, close."""

    def __init__(self, server: LocalHandoffServer, conn: QLocalSocket) -> None:
        # Lives as long as the socket, its parent (not an attribute: that would be a
        # reference cycle, left to the cyclic garbage collector).
        super().__init__(conn)
        self._server = server
        self._data = b""
        self._done = False
        conn.readyRead.connect(self._read)
        conn.disconnected.connect(conn.deleteLater)
        QTimer.singleShot(int(CONNECTION_TIMEOUT_SECONDS * 1000), self, self._too_slow)
        self._read()

    @property
    def _conn(self) -> QLocalSocket:
        return cast(QLocalSocket, self.parent())

    def _read(self) -> None:
        if self._done:
            return
        self._data += bytes(self._conn.read(MAX_MESSAGE_BYTES + 2 - len(self._data)).data())
        if b"\n" in self._data:
            self._finish(self._data.partition(b"\n")[0])
        elif len(self._data) > MAX_MESSAGE_BYTES:
            self._finish(self._data)

    def _too_slow(self) -> None:
        if not self._done:
            self._done = True
            self._server._refuse(self._conn, "incomplete message")

    def _finish(self, data: bytes) -> None:
        self._done = True
        self._server._answer(self._conn, data)


def _reply(conn: QLocalSocket, line: str) -> None:
    conn.write((line + "\n").encode())
    conn.flush()
    conn.disconnectFromServer()


def hand_over(
    url: str,
    name: str | None = None,
    *,
    timeout: float = 10.0,
    owner_check: OwnerCheck | None = None,
) -> None:
    """The second instance's end (blocking; no event loop needed). Raises as
    `core.browser.handoff.hand_over` does. Nothing is sent to a server that
    `owner_check` (on Windows by default: the pipe server's user is this user) refuses."""
    conn = QLocalSocket()
    conn.connectToServer(name or server_name())
    ms = int(timeout * 1000)
    if not conn.waitForConnected(ms):
        raise NoRunningInstanceError()
    check = owner_check or default_owner_check()
    if check is not None and not check(int(conn.socketDescriptor())):
        conn.abort()
        raise HandoffError(
            "The sign-in answer was not handed over: the app's pipe is served by another "
            "user on this computer. Sign in again; if this repeats, tell your administrator."
        )
    conn.write(url.encode("utf-8") + b"\n")
    if not conn.waitForBytesWritten(ms):
        raise HandoffError("The running app did not take the sign-in answer.")
    answer = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in answer and len(answer) < 1024 and time.monotonic() < deadline:
        # The answer may be here already, with the server gone: read before waiting.
        answer += bytes(conn.readAll().data())
        if b"\n" in answer:
            break
        if (
            not conn.waitForReadyRead(100)
            and conn.state() != QLocalSocket.LocalSocketState.ConnectedState
        ):
            answer += bytes(conn.readAll().data())
            break
    conn.abort()
    line = answer.decode("utf-8", "replace").strip()
    if line == "ok":
        return
    if line.startswith("refused: "):
        raise HandoffRefusedError(line.removeprefix("refused: "))
    raise HandoffError("The running app did not answer.")
