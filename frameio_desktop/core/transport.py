"""A total deadline per request, enforced on the socket itself.

`requests` (and urllib3 under it) only know per-read timeouts: a server that sends one byte
just before each read timeout keeps a request alive for ever. Here every socket a request
opens or reuses is registered with that request's `Deadline`; when the deadline passes, a
timer shuts the sockets down, which wakes any read blocked on them (status line, headers,
TLS handshake or body alike), and the caller reports a timeout. Opening a connection (the
name lookup, which `getaddrinfo` cannot time out, and the connect) runs on a thread of its
own that the request waits for only until the deadline.

Imported only when the first request is made: `token` with a fresh token never needs it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError

_current = threading.local()


class Deadline:
    """One request's deadline: shuts down every registered socket when it passes."""

    def __init__(self, seconds: float) -> None:
        self.expired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired.is_set()
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired.set()
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    @contextlib.contextmanager
    def running(self) -> Iterator[Deadline]:
        """Sockets opened or reused by this thread meanwhile are watched."""
        previous = getattr(_current, "deadline", None)
        _current.deadline = self
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.cancel()
            _current.deadline = previous


def _shut(sock: socket.socket) -> None:
    # shutdown(), not close(): it wakes a recv() blocked in another thread on Linux,
    # macOS and Windows alike; the connection is then discarded by urllib3.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watch(sock: socket.socket | None) -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


def _open_in_time(conn: HTTPConnection, open_socket: Callable[[], socket.socket]) -> socket.socket:
    """`open_socket()` (look the name up, connect), waited for until the running deadline;
    a socket it opens later is closed. Without a deadline, simply `open_socket()`."""
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is None:
        return open_socket()
    lock = threading.Lock()
    outcome: list[socket.socket | BaseException] = []
    given_up = False

    def run() -> None:
        try:
            found: socket.socket | BaseException = open_socket()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            found = exc
        with lock:
            outcome.append(found)
            late = given_up
        if late and isinstance(found, socket.socket):
            found.close()

    opener = threading.Thread(target=run, name="http-connect", daemon=True)
    opener.start()
    opener.join(deadline.remaining())
    with lock:
        if not outcome:
            given_up = True
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} ran out of time.")
    found = outcome[0]
    if isinstance(found, BaseException):
        raise found
    _watch(found)
    return found


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _open_in_time(self, super()._new_conn)

    def getresponse(self) -> Any:
        _watch(self.sock)  # a kept-alive connection opened by an earlier request
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _open_in_time(self, super()._new_conn)

    def getresponse(self) -> Any:
        _watch(self.sock)
        return super().getresponse()


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedTLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedPool, "https": _WatchedTLSPool}


class DeadlineAdapter(HTTPAdapter):
    """`HTTPAdapter` whose connections register their sockets with the running deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager
