"""A one-shot listener on a loopback address for the sign-in redirect (RFC 8252 7.3, 8.3).

The person's browser is sent to `http://127.0.0.1:<port>/<path>?code=...&state=...` (or
`[::1]`, or `localhost`). This listener:

- binds the loopback address only, on the registered port, or on a port the system picks
  when the registered URI names none; `redirect_uri` is then the address it really
  listens on, and the sign-in must be started with it (`begin_login(redirect_uri=...)`);
- answers only the one expected path (anything else: 404, nothing is checked or used),
  only GET, only with the expected `Host`, with a request head of bounded size;
- asks a `judge` (normally `PendingLogin.check_redirect`) about each redirect: an answer
  that is not this sign-in's (another state) gets an error page and the listener keeps
  waiting; this sign-in's answer (a code, or the server's refusal) gets a short page and
  ends the wait;
- stops after that answer, on `cancel()`, or after `timeout` seconds, and always closes
  its socket before it reports the outcome, so the port is free once the caller hears.

Why the standard library's `http.server` and not a web framework: one GET on one path,
then close; a framework would add imports and a routing layer, and no check this needs.
Why `ThreadingHTTPServer`: browsers open speculative connections that may never send a
request; a single-threaded server would sit on such a connection until its timeout while
the real redirect waits behind it. Each connection has its own short timeout.
"""

from __future__ import annotations

import contextlib
import errno
import html
import http.client
import io
import logging
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from frameio_desktop.core.browser.errors import (
    PortInUseError,
    RedirectListenerError,
    SignInTimeoutError,
)
from frameio_desktop.core.errors import (
    AuthorizationResponseError,
    FlowAlreadyUsedError,
    SignInCancelledError,
)
from frameio_desktop.core.flow import FOREIGN_ANSWER_ERRORS

log = logging.getLogger(__name__)

#: How long the browser has to come back (RFC 8252 leaves it to the app).
DEFAULT_TIMEOUT_SECONDS = 300.0
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

_LOOPBACK_LITERALS = {"127.0.0.1": socket.AF_INET, "::1": socket.AF_INET6}


@dataclass(frozen=True)
class LoopbackAddress:
    """A loopback redirect URI, taken apart."""

    #: As registered: "127.0.0.1", "::1" or "localhost" (the redirect URI keeps it).
    host: str
    #: None: the registered URI names no port, so any free one will do (RFC 8252 7.3).
    port: int | None
    path: str
    query: str

    @property
    def bind_host(self) -> str:
        """The address to bind. `localhost` binds 127.0.0.1: a name can resolve to a
        non-loopback address (hosts file, a resolver that forwards it), so the listener
        binds a literal; and 127.0.0.1 because every browser that resolves `localhost`
        tries it (RFC 6761 6.3; Chromium and Firefox try ::1 and 127.0.0.1 in turn)."""
        return "127.0.0.1" if self.host == "localhost" else self.host

    def uri(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = f"?{self.query}" if self.query else ""
        return f"http://{host}:{port}{self.path}{query}"


def loopback_address(redirect_uri: str) -> LoopbackAddress | None:
    """The listener address for an `http://` loopback redirect URI, or None for any other
    redirect URI (https, a custom scheme, another host)."""
    parts = urlsplit(redirect_uri)
    if parts.scheme.lower() != "http" or parts.username or parts.password or parts.fragment:
        return None
    host = (parts.hostname or "").lower()
    if host not in _LOOPBACK_LITERALS and host != "localhost":
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return LoopbackAddress(host=host, port=port or None, path=parts.path or "/", query=parts.query)


@dataclass(frozen=True)
class ListenerOutcome:
    """How a listener ended: the accepted redirect URL, or why not."""

    url: str | None = None
    error: BaseException | None = None


Judge = Callable[[str], object]


def judge_for(authorize_url: str, redirect_uri: str) -> Callable[[str], str]:
    """`PendingLogin.check_redirect` for a sign-in known by its authorize URL alone (the
    state is in it): what a host that was handed only the URL asks of each redirect. The
    controller's `take_code` later makes every check again, issuer included."""
    from frameio_desktop.core.flow import PendingLogin

    state = parse_qs(urlsplit(authorize_url).query).get("state", [""])[0]
    if not state:
        raise ValueError("the authorize URL has no state")
    probe = PendingLogin(
        authorize_url=authorize_url, redirect_uri=redirect_uri, state=state, code_verifier=""
    )
    return probe.check_redirect


class LoopbackListener:
    """One sign-in's redirect endpoint. `open()`, then `start()` or `wait()`, once."""

    def __init__(
        self,
        registered_uri: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        app_title: str = "frameio-desktop",
    ) -> None:
        address = loopback_address(registered_uri)
        if address is None:
            raise ValueError(f"not a loopback redirect URI: {registered_uri!r}")
        self.address = address
        self.timeout = timeout
        self.app_title = app_title
        self._server: _Server | None = None
        self._redirect_uri: str | None = None
        self._lock = threading.Lock()
        self._outcome: ListenerOutcome | None = None
        self._done = threading.Event()
        self._closed = threading.Event()
        self._started = False
        self._judge: Judge | None = None

    # -- life ------------------------------------------------------------------------------

    def open(self) -> str:
        """Bind and listen; return the redirect URI to start the sign-in with.

        Raises `PortInUseError` when another program has the port, and
        `RedirectListenerError` when the loopback address cannot be bound at all.
        """
        if self._server is not None:
            return self.redirect_uri
        family = _LOOPBACK_LITERALS[self.address.bind_host]
        try:
            server = _Server(self, family, (self.address.bind_host, self.address.port or 0))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                raise PortInUseError(self.address.bind_host, self.address.port or 0) from exc
            raise RedirectListenerError(
                f"The app cannot listen on {self.address.bind_host} port "
                f"{self.address.port or 'any'} for the sign-in answer ({exc.strerror or exc})."
            ) from exc
        self._server = server
        self._redirect_uri = self.address.uri(server.server_address[1])
        log.debug("listening for the redirect on %s", self._redirect_uri)
        return self._redirect_uri

    @property
    def redirect_uri(self) -> str:
        if self._redirect_uri is None:
            raise RuntimeError("open() the listener first")
        return self._redirect_uri

    @property
    def port(self) -> int:
        return int(urlsplit(self.redirect_uri).port or 0)

    def start(self, judge: Judge, on_finished: Callable[[ListenerOutcome], None]) -> None:
        """Serve on threads of its own; `on_finished` is called once, from one of them,
        after the socket is closed."""
        if self._started:
            raise RuntimeError("a listener serves one sign-in")
        self.open()
        self._started = True
        self._judge = judge
        server = self._server
        assert server is not None
        threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="loopback-redirect-listener",
            daemon=True,
        ).start()
        threading.Thread(
            target=self._supervise,
            args=(server, on_finished),
            name="loopback-redirect-supervisor",
            daemon=True,
        ).start()

    def wait(self, judge: Judge) -> str:
        """Serve until the sign-in's answer; return the accepted redirect URL.

        Raises `SignInTimeoutError`, `SignInCancelledError`, or the judge's error for an
        answer that was this sign-in's but said no (`AuthorizationDeniedError`, ...).
        """
        box: list[ListenerOutcome] = []
        ended = threading.Event()

        def keep(outcome: ListenerOutcome) -> None:
            box.append(outcome)
            ended.set()

        self.start(judge, keep)
        ended.wait()
        outcome = box[0]
        if outcome.error is not None:
            raise outcome.error
        assert outcome.url is not None
        judge(outcome.url)  # the answer said no: raise what the judge says
        return outcome.url

    def cancel(self) -> None:
        """Stop waiting (thread-safe); the outcome is `SignInCancelledError`."""
        self._finish(ListenerOutcome(error=SignInCancelledError()))
        if not self._started:
            self.close()

    def close(self) -> None:
        """Release the port now, whatever the state (an unstarted listener too)."""
        server, self._server = self._server, None
        if server is not None and not self._started:
            server.server_close()
            self._closed.set()
        elif server is not None:
            self._finish(ListenerOutcome(error=SignInCancelledError()))
            self._closed.wait()

    @property
    def finished(self) -> bool:
        """The socket is closed."""
        return self._closed.is_set()

    @property
    def started(self) -> bool:
        return self._started

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Wait until the socket is closed (after `cancel()`, say); True if it is."""
        if not self._started:
            return self._server is None
        return self._closed.wait(timeout)

    def __enter__(self) -> LoopbackListener:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inside ------------------------------------------------------------------------------

    def _finish(self, outcome: ListenerOutcome) -> bool:
        """Record the outcome if it is the first; True if it was."""
        with self._lock:
            if self._outcome is not None:
                return False
            self._outcome = outcome
        self._done.set()
        return True

    def _supervise(self, server: _Server, on_finished: Callable[[ListenerOutcome], None]) -> None:
        if not self._done.wait(self.timeout):
            self._finish(ListenerOutcome(error=SignInTimeoutError(self.timeout)))
        server.shutdown()
        server.server_close()
        self._server = None
        self._closed.set()
        assert self._outcome is not None
        log.debug("redirect listener closed: %s", _describe(self._outcome))
        on_finished(self._outcome)

    def _answer(self, url: str) -> tuple[HTTPStatus, str, str]:
        """Judge one redirect; return the status, heading and text of the page."""
        if self._done.is_set():
            return HTTPStatus.CONFLICT, "Sign-in already finished", _ALREADY_FINISHED
        assert self._judge is not None
        try:
            self._judge(url)
        except FOREIGN_ANSWER_ERRORS as exc:
            log.warning("refused a redirect that is not this sign-in's: %s", type(exc).__name__)
            return (
                HTTPStatus.BAD_REQUEST,
                "This is not the sign-in the app is waiting for",
                (
                    f"{exc.user_message} If you started the sign-in again, finish it in the "
                    "newest tab."
                ),
            )
        except FlowAlreadyUsedError:
            return HTTPStatus.CONFLICT, "Sign-in already finished", _ALREADY_FINISHED
        except AuthorizationResponseError as exc:
            # This sign-in's own answer, and it says no: the app shows the same message.
            if not self._finish(ListenerOutcome(url=url)):
                return HTTPStatus.CONFLICT, "Sign-in already finished", _ALREADY_FINISHED
            return (
                HTTPStatus.OK,
                "Sign-in did not finish",
                (f"{exc.user_message} You can close this tab and return to {self.app_title}."),
            )
        except Exception as exc:
            log.exception("checking the redirect failed")
            self._finish(ListenerOutcome(error=exc))
            return (
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "Sign-in did not finish",
                (f"{self.app_title} could not check the answer. Return to the app."),
            )
        if not self._finish(ListenerOutcome(url=url)):
            return HTTPStatus.CONFLICT, "Sign-in already finished", _ALREADY_FINISHED
        return (
            HTTPStatus.OK,
            "Signed in",
            (f"You can close this tab and return to {self.app_title}."),
        )


_ALREADY_FINISHED = "This sign-in has already finished. You can close this tab."


def _describe(outcome: ListenerOutcome) -> str:
    return "redirect received" if outcome.error is None else type(outcome.error).__name__


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


class _Handler(BaseHTTPRequestHandler):
    server: _Server
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
        log.debug("a connection to the redirect listener ran out of time")
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Windows lets another socket take over a port bound with SO_REUSEADDR; there the
    # listener asks for exclusive use instead. Elsewhere SO_REUSEADDR only lets the port
    # be bound again while old connections linger in TIME_WAIT.
    allow_reuse_address = sys.platform != "win32"
    request_queue_size = 16

    def __init__(
        self, listener: LoopbackListener, family: socket.AddressFamily, address: tuple[str, int]
    ) -> None:
        self.listener = listener
        self.address_family = family
        # One thread per connection, but not without end: past this many open at once,
        # a new connection is closed at once (a browser needs two or three).
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            log.warning("too many connections to the redirect listener; one was closed")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
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
        log.debug("listener connection failed", exc_info=True)
