"""The token service over Qt's local sockets, where Python has no Unix sockets (Windows:
there `QLocalServer` is a named pipe, `\\\\.\\pipe\\frameio-desktop-token-<SID>`).

The same messages and rules as `core/agent/server.py`: one line of JSON, read by a short
deadline, `{"accepted": true}` at once, then the handler's answer. The pipe is made for
this user only (`QLocalServer.SocketOption.UserAccessOption`); Qt gives no peer
credentials for a pipe, so that access control is the server's check, and the script
checks the server's user (`core/agent/winpipe.py`). A handler may take seconds (a
renewal), so each runs on a thread of its own and its answer is written back on the UI
thread. Built and tested on Linux, where Qt makes it a Unix socket; not run on Windows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import cast

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from frameio_desktop.core.agent import wire
from frameio_desktop.core.agent.server import (
    REQUEST_TIMEOUT_SECONDS,
    AlreadyServingError,
    Handler,
)

log = logging.getLogger(__name__)


def pipe_server_name() -> str | None:
    """`QLocalServer`'s name for this user's pipe (Qt adds `\\\\.\\pipe\\`), or None when
    this user's SID cannot be read."""
    from frameio_desktop.core.browser.winpipe import current_user_sid

    sid = current_user_sid()
    return wire.pipe_name(sid).removeprefix("\\\\.\\pipe\\") if sid else None


class LocalTokenServer(QObject):
    """Serves until `close()`, on the UI thread's event loop (handlers on threads)."""

    _answered = Signal(object, bytes)  # (the connection, the answer's line)

    def __init__(self, handlers: Mapping[str, Handler], name: str) -> None:
        super().__init__()
        self._handlers = dict(handlers)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._answered.connect(self._write, Qt.ConnectionType.QueuedConnection)
        self._lock = threading.Lock()
        #: What was refused, and how many requests were answered (not passed), by op.
        self.refusals: list[str] = []
        self.answered: dict[str, int] = {}

    def start(self) -> LocalTokenServer:
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(500):
            probe.abort()
            raise AlreadyServingError()
        QLocalServer.removeServer(self.name)  # left behind by an app that did not exit cleanly
        if not self._server.listen(self.name):
            raise OSError(f"The app cannot listen for scripts: {self._server.errorString()}")
        return self

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            if conn is not None:
                _Request(self, conn)

    def _serve(self, conn: QLocalSocket, request: Mapping[str, object]) -> None:
        """A valid request: accepted at once, answered from a thread."""
        handler = self._handlers[str(request["op"])]
        conn.write(wire.encode({"accepted": True}))
        conn.flush()

        def answer() -> None:
            try:
                reply = handler(request)
            except Exception:
                log.warning("token request failed", exc_info=True)
                reply = None
            if reply is not None and "pass" not in reply:
                with self._lock:
                    op = str(request["op"])
                    self.answered[op] = self.answered.get(op, 0) + 1
            self._answered.emit(conn, wire.encode(reply) if reply is not None else b"")

        threading.Thread(target=answer, name="token-request", daemon=True).start()

    def _write(self, conn: QLocalSocket, data: bytes) -> None:
        try:
            if conn.state() == QLocalSocket.LocalSocketState.ConnectedState and data:
                conn.write(data)
                conn.flush()
            conn.disconnectFromServer()
        except RuntimeError:  # the script gave up and its socket is gone: nobody to tell
            pass

    def _refuse(self, conn: QLocalSocket, reason: str) -> None:
        self.refusals.append(reason)
        log.warning("refused a token request: %s", reason)
        conn.write(wire.encode({"refused": reason}))
        conn.flush()
        conn.disconnectFromServer()


class _Request(QObject):
    """One client: read up to the newline (or past the size bound), then serve or refuse."""

    def __init__(self, server: LocalTokenServer, conn: QLocalSocket) -> None:
        # Lives as long as the socket, its parent (not an attribute: that would be a
        # reference cycle, left to the cyclic garbage collector).
        super().__init__(conn)
        self._server = server
        self._data = b""
        self._done = False
        conn.readyRead.connect(self._read)
        conn.disconnected.connect(conn.deleteLater)
        QTimer.singleShot(int(REQUEST_TIMEOUT_SECONDS * 1000), self, self._too_slow)
        self._read()

    @property
    def _conn(self) -> QLocalSocket:
        return cast(QLocalSocket, self.parent())

    def _read(self) -> None:
        if self._done:
            return
        self._data += bytes(self._conn.read(wire.MAX_LINE_BYTES + 2 - len(self._data)).data())
        if b"\n" in self._data:
            self._finish(self._data.partition(b"\n")[0])
        elif len(self._data) > wire.MAX_LINE_BYTES:
            self._done = True
            self._server._refuse(self._conn, "unreadable request (request too long)")

    def _too_slow(self) -> None:
        if not self._done:
            self._done = True
            self._server._refuse(self._conn, "unreadable request (incomplete request)")

    def _finish(self, line: bytes) -> None:
        self._done = True
        try:
            request = wire.decode(line)
        except ValueError as exc:
            self._server._refuse(self._conn, f"unreadable request ({exc})")
            return
        if request.get("v") != wire.VERSION or str(request.get("op")) not in (
            self._server._handlers
        ):
            self._server._refuse(self._conn, "unknown request")
            return
        self._server._serve(self._conn, request)
