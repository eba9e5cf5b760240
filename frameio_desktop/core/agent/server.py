"""The running app's end of the token service: a Unix socket, served on threads of its own.

The socket is made with the handoff's rules (`core/browser/handoff.py`): in the per-user
runtime folder, which must be this user's with mode 0700, the socket itself 0600, and each
connection's peer must be this user (`SO_PEERCRED` / `LOCAL_PEERCRED`); any other is
answered `{"refused": "another user"}` and nothing more. A request is one line of JSON
(`wire`), read by a short deadline; the server answers `{"accepted": true}` at once, then
what the handler of the request's `op` returns. Each connection has a thread of its own (a
renewal may take seconds while other scripts ask), at most `MAX_CONNECTIONS` at a time;
more wait in the listen queue, and their scripts read the keyring meanwhile.

Listening also makes the app the one instance of this user's: `start()` raises
`AlreadyServingError` while another app listens, which that second start takes as its cue
to ask the first one to show its window (op `show`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import selectors
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from frameio_desktop.core.agent import wire
from frameio_desktop.core.browser.handoff import ensure_private_folder

log = logging.getLogger(__name__)

#: How long a client may take to send its whole request.
REQUEST_TIMEOUT_SECONDS = 2.0
#: Connections served at once.
MAX_CONNECTIONS = 8
# Unix socket paths are short (108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100

#: What answers one `op`: the request in, the answer out (on the connection's thread).
Handler = Callable[[Mapping[str, object]], dict[str, object]]


class AlreadyServingError(Exception):
    """Another frameio-desktop app of this user's already listens (not a failure to
    report: the second start hands over to the first)."""


class TokenServer:
    """Serves until `close()`. `handlers` maps each `op` to what answers it."""

    def __init__(self, handlers: Mapping[str, Handler], path: str | None = None) -> None:
        self._handlers = dict(handlers)
        self.path = path or wire.socket_path()
        self._listener: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread: threading.Thread | None = None
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._lock = threading.Lock()
        #: What was refused, for logs and tests.
        self.refusals: list[str] = []
        #: How many requests were answered rather than passed to the keyring, by op (for
        #: tests and the benchmarks).
        self.answered: dict[str, int] = {}

    def start(self) -> TokenServer:
        """Listen. Raises `AlreadyServingError` while another app does, `OSError` (or the
        handoff's `RuntimeFolderError`) when the socket cannot be made."""
        path = self.path
        ensure_private_folder(Path(path).parent)
        if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
            raise OSError(errno.ENAMETOOLONG, f"The token socket path {path} is too long.")
        if os.path.lexists(path):
            if someone_listens(path):
                raise AlreadyServingError()
            os.unlink(path)  # left behind by an app that did not exit cleanly
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            old_umask = os.umask(0o177)
            try:
                listener.bind(path)
            finally:
                os.umask(old_umask)
            listener.listen(32)
        except OSError as exc:
            listener.close()
            if exc.errno == errno.EADDRINUSE:
                raise AlreadyServingError() from exc
            raise
        self._listener = listener
        self._thread = threading.Thread(target=self._serve, name="token-service", daemon=True)
        self._thread.start()
        log.debug("token service at %s", path)
        return self

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        listener.close()
        self._wake_r.close()
        self._wake_w.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def __enter__(self) -> TokenServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving -----------------------------------------------------------------------------

    def _serve(self) -> None:
        listener = self._listener
        assert listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake_r in ready:
                    return
                if not self._slots.acquire(timeout=0.5):
                    continue  # all busy: the client waits in the queue, or reads the keyring
                try:
                    conn, _ = listener.accept()
                except OSError:
                    self._slots.release()
                    continue
                threading.Thread(
                    target=self._serve_one, args=(conn,), name="token-request", daemon=True
                ).start()

    def _serve_one(self, conn: socket.socket) -> None:
        try:
            with conn:
                self._exchange(conn)
        except Exception:
            log.warning("token service connection failed", exc_info=True)
        finally:
            self._slots.release()

    def _exchange(self, conn: socket.socket) -> None:
        uid = wire.peer_uid(conn)
        if uid is None or uid != os.getuid():
            self._refuse(conn, "another user")
            return
        try:
            request = wire.decode(_read_line(conn, time.monotonic() + REQUEST_TIMEOUT_SECONDS))
        except (OSError, ValueError) as exc:
            self._refuse(conn, f"unreadable request ({exc})")
            return
        handler = self._handlers.get(str(request.get("op")))
        if request.get("v") != wire.VERSION or handler is None:
            self._refuse(conn, "unknown request")
            return
        conn.settimeout(REQUEST_TIMEOUT_SECONDS)
        conn.sendall(wire.encode({"accepted": True}))
        answer = handler(request)
        if "pass" not in answer:
            with self._lock:
                op = str(request["op"])
                self.answered[op] = self.answered.get(op, 0) + 1
        with contextlib.suppress(OSError):  # a script that gave up meanwhile
            conn.sendall(wire.encode(answer))

    def _refuse(self, conn: socket.socket, reason: str) -> None:
        with self._lock:
            self.refusals.append(reason)
        log.warning("refused a token request: %s", reason)
        with contextlib.suppress(OSError):
            conn.settimeout(REQUEST_TIMEOUT_SECONDS)
            conn.sendall(wire.encode({"refused": reason}))
            conn.shutdown(socket.SHUT_WR)
            # Closing on bytes not yet read resets the connection, and the client could
            # lose the answer: read a bounded amount more first, for a bounded time.
            _drain(conn)


def _read_line(conn: socket.socket, deadline: float) -> bytes:
    """One line, by one deadline for the whole of it (a client sending a byte at a time
    does not get a new timeout per byte)."""
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("incomplete request")
        if len(data) > wire.MAX_LINE_BYTES:
            raise ValueError("request too long")
        conn.settimeout(left)
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("incomplete request")
        data += chunk
    return data.partition(b"\n")[0]


def _drain(conn: socket.socket) -> None:
    """Read what the client still sends, up to its end, a bound, or a deadline."""
    left = 4 * wire.MAX_LINE_BYTES
    deadline = time.monotonic() + REQUEST_TIMEOUT_SECONDS
    while left > 0 and (remaining := deadline - time.monotonic()) > 0:
        conn.settimeout(remaining)
        chunk = conn.recv(min(left, 65536))
        if not chunk:
            return
        left -= len(chunk)


def someone_listens(path: str) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(path)
    except OSError:
        return False
    finally:
        probe.close()
    return True


def ask_to_show(path: str | None = None, *, wait: float = 2.0, show: bool = True) -> bool:
    """The second start's end: ask this user's running app to show its window. True when
    it said it will; with `show=False`, only whether this user's app runs."""
    from frameio_desktop.core.agent.client import LineReader, open_channel

    channel = open_channel(path, wait)
    if channel is None:
        return False
    if not show:
        channel.close()
        return True
    try:
        with channel:
            channel.send(wire.encode({"v": wire.VERSION, "op": "show"}))
            reader = LineReader(channel)
            deadline = time.monotonic() + wait
            return (
                reader.next(deadline) == {"accepted": True}
                and reader.next(deadline).get("shown") is True
            )
    except (OSError, ValueError):
        return False
