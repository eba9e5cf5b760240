"""The HTTP side of the loopback redirect listener (`loopback.LoopbackListener`): one GET
on one path, a bounded request head, a total deadline per connection, a bounded number of
connections, and only this user's connections where the system tells whose they are.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import io
import logging
import os
import socket
import socketserver
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from frameio_desktop.core.browser.peer import loopback_peer_uid


class Listener(Protocol):
    """What the server asks of `loopback.LoopbackListener`."""

    @property
    def redirect_uri(self) -> str: ...

    def _answer(self, url: str) -> tuple[HTTPStatus, str, str]: ...


log = logging.getLogger("frameio_desktop.core.browser.loopback")

#: The request line and headers together; a browser's redirect needs a few kilobytes.
MAX_REQUEST_HEAD_BYTES = 16 * 1024
#: At most this much of a refused request is read and thrown away before closing.
_DRAIN_BYTES = 256 * 1024
#: Connections served at once; more are closed at once.
MAX_CONNECTIONS = 32
#: How long one connection may wait for each read of its request.
CONNECTION_TIMEOUT_SECONDS = 10.0
#: How long one connection may take in all, however slowly it sends: one byte inside each
#: read timeout would otherwise hold a slot (of `MAX_CONNECTIONS`) for hours.
CONNECTION_DEADLINE_SECONDS = 15.0


def _page(heading: str, text: str) -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(heading)}</title>"
        "<style>body{font:16px system-ui,sans-serif;max-width:36em;margin:4em auto;"
        "padding:0 1em;color:#222}</style></head><body>"
        f"<h1>{html.escape(heading)}</h1><p>{html.escape(text)}</p></body></html>"
    ).encode()


class _RequestTooLarge(http.client.HTTPException):
    """The request head is over `MAX_REQUEST_HEAD_BYTES` (`parse_request` answers 431)."""


class _CappedReader:
    """The connection's reader, refusing to read more than `limit` bytes of request head.

    `BaseHTTPRequestHandler` bounds each line (64 KiB) and the number of headers (100),
    which still lets one request hold megabytes; this bounds the whole head."""

    def __init__(self, raw: io.BufferedIOBase, limit: int) -> None:
        self._raw = raw
        self._left = limit

    def readline(self, size: int = -1) -> bytes:
        if self._left <= 0:
            raise _RequestTooLarge("request head too large")
        size = self._left if size < 0 else min(size, self._left)
        line = self._raw.readline(size)
        self._left -= len(line)
        if self._left <= 0 and not line.endswith(b"\n"):
            raise _RequestTooLarge("request head too large")
        return line

    def read(self, size: int = -1) -> bytes:
        return b""  # a GET has no body; nothing else is read

    def close(self) -> None:
        self._raw.close()


class BoundedHandler(BaseHTTPRequestHandler):
    """One request per connection, its head capped (`MAX_REQUEST_HEAD_BYTES`), each read
    within `CONNECTION_TIMEOUT_SECONDS` and the whole connection within
    `CONNECTION_DEADLINE_SECONDS`: the redirect listener's, and the start page's
    (`start_page`). Subclasses add the `do_GET`."""

    server: BoundedServer
    protocol_version = "HTTP/1.0"  # one request per connection, then close
    server_version = "frameio-desktop"
    sys_version = ""
    timeout = CONNECTION_TIMEOUT_SECONDS

    def setup(self) -> None:
        super().setup()
        self.rfile = _CappedReader(self.rfile, MAX_REQUEST_HEAD_BYTES)  # type: ignore[assignment]
        # shutdown() wakes the read blocked on this connection; the handler then ends.
        self._deadline = threading.Timer(CONNECTION_DEADLINE_SECONDS, self._cut_off)
        self._deadline.daemon = True
        self._deadline.start()

    def _cut_off(self) -> None:
        self.server.logger.debug("a connection to %s ran out of time", self.server.what)
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        # The whole head is in: from now on this connection is not idle, and no new
        # connection may push it out (`_Server.process_request`).
        self.server.request_started(self.connection)
        return parsed

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except _RequestTooLarge:
            # Only the request line gets here (headers are answered by parse_request).
            self.requestline = self.request_version = self.command = ""
            self.close_connection = True
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)

    def finish(self) -> None:
        try:
            super().finish()
            # A refused request may leave unread bytes; closing on them would reset the
            # connection and the client could lose the answer. Let it read, then drain a
            # bit (within the same total deadline).
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(1.0)
            left = _DRAIN_BYTES
            while left > 0 and (chunk := self.connection.recv(min(left, 65536))):
                left -= len(chunk)
        except OSError:
            pass
        finally:
            self._deadline.cancel()

    def log_message(self, format: str, *args: Any) -> None:
        # The base writes request lines to stderr; a path may be a key (the start page's).
        self.server.logger.debug("%s to %s", self.command, self.server.what)

    def log_error(self, format: str, *args: Any) -> None:
        self.server.logger.debug("%s refused a request", self.server.what)


class _Handler(BoundedHandler):
    server: _Server

    def do_GET(self) -> None:
        listener = self.server.listener
        expected = urlsplit(listener.redirect_uri)
        host = (self.headers.get("Host") or "").lower()
        if host != expected.netloc.lower() or not self.path.startswith("/"):
            self._send(HTTPStatus.BAD_REQUEST, "Wrong address", "This address is not served.")
            return
        if urlsplit(self.path).path != expected.path:
            self._send(HTTPStatus.NOT_FOUND, "Not found", "Nothing is here.")
            return
        status, heading, text = listener._answer(f"http://{expected.netloc}{self.path}")
        self._send(status, heading, text)

    def _refuse_method(self) -> None:
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _refuse_method  # noqa: N815

    def _send(self, status: HTTPStatus, heading: str, text: str) -> None:
        body = _page(heading, text)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        # The address bar holds the code: keep it out of caches and other sites' logs.
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The base writes request lines (code and state) to stderr; log the path only.
        log.debug("%s %s", self.command, urlsplit(getattr(self, "path", "")).path)

    def log_error(self, format: str, *args: Any) -> None:
        log.debug("listener: " + format, *args)


class BoundedServer(ThreadingHTTPServer):
    """A loopback server for the person's browser: only this user's connections where the
    system tells whose they are, at most `MAX_CONNECTIONS` at once, and idle ones pushed
    out for new ones, so that idle connections never crowd out the browser's request."""

    #: Who this server is, in log lines.
    what = "a loopback server"
    logger = log
    daemon_threads = True
    # Windows lets another socket take over a port bound with SO_REUSEADDR; there the
    # listener asks for exclusive use instead. Elsewhere SO_REUSEADDR only lets the port
    # be bound again while old connections linger in TIME_WAIT.
    allow_reuse_address = sys.platform != "win32"
    request_queue_size = 16

    def __init__(
        self,
        family: socket.AddressFamily,
        address: tuple[str, int],
        handler: type[BoundedHandler],
    ) -> None:
        self.address_family = family
        # One thread per connection, but not without end: past this many open at once, a
        # new connection pushes out the oldest one that has not sent its request head yet
        # (idle, or dripping it), so idle connections never crowd out the browser's
        # redirect, which arrives whole; with none of those, the new one is closed.
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._idle: dict[Any, None] = {}  # oldest first
        self._idle_lock = threading.Lock()
        super().__init__(address, handler)

    def request_started(self, connection: Any) -> None:
        with self._idle_lock:
            self._idle.pop(connection, None)

    def _push_out_oldest_idle(self) -> bool:
        with self._idle_lock:
            oldest = next(iter(self._idle), None)
            if oldest is not None:
                del self._idle[oldest]
        if oldest is None:
            return False
        self.logger.warning("%s is full; closed its oldest idle connection", self.what)
        with contextlib.suppress(OSError):
            oldest.shutdown(socket.SHUT_RDWR)  # its thread ends and frees its place
        return True

    def process_request(self, request: Any, client_address: Any) -> None:
        owner = loopback_peer_uid(client_address, self.server_address)  # type: ignore[arg-type]
        if owner is not None and hasattr(os, "geteuid") and owner != os.geteuid():
            # Another user on this computer: never the person's browser. Closed before it
            # takes one of the places the browser's redirect needs.
            self.logger.warning("closed a connection to %s from another user", self.what)
            self.shutdown_request(request)
            return
        if not self._slots.acquire(blocking=False) and not (
            self._push_out_oldest_idle() and self._slots.acquire(timeout=2.0)
        ):
            self.logger.warning("too many connections to %s; one was closed", self.what)
            self.shutdown_request(request)
            return
        with self._idle_lock:
            self._idle[request] = None
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.request_started(request)  # gone: no longer idle either
            self._slots.release()

    def server_bind(self) -> None:
        exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
        if exclusive is not None:
            self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        # Not HTTPServer.server_bind: it looks up the host's name, which can stall on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.logger.debug("a connection to %s failed", self.what, exc_info=True)


class _Server(BoundedServer):
    what = "the redirect listener"

    def __init__(
        self, listener: Listener, family: socket.AddressFamily, address: tuple[str, int]
    ) -> None:
        self.listener = listener
        super().__init__(family, address, _Handler)
