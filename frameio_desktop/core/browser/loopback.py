"""A one-shot listener on a loopback address for the sign-in redirect (RFC 8252 7.3, 8.3).

The person's browser is sent to `http://127.0.0.1:<port>/<path>?code=...&state=...` (or
`[::1]`, or `localhost`). This listener:

- binds the loopback address only, on the registered port, or on a port the system picks
  when the registered URI names none; `redirect_uri` is then the address it really
  listens on, and the sign-in must be started with it (`begin_sign_in(redirect_uri=...)`);
- answers only the one expected path (anything else: 404, nothing is checked or used),
  only GET, only with the expected `Host`, with a request head of bounded size;
- asks a `judge` (normally `PendingSignIn.check_redirect`) about each redirect: an answer
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

import errno
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from frameio_desktop.core.browser.errors import (
    PortInUseError,
    RedirectListenerError,
    SignInTimeoutError,
)
from frameio_desktop.core.browser.redirect_http import (
    CONNECTION_DEADLINE_SECONDS,
    CONNECTION_TIMEOUT_SECONDS,
    MAX_CONNECTIONS,
    MAX_REQUEST_HEAD_BYTES,
    _Server,
)
from frameio_desktop.core.errors import (
    AuthorizationResponseError,
    FlowAlreadyUsedError,
    SignInCancelledError,
)
from frameio_desktop.core.flow import FOREIGN_ANSWER_ERRORS

__all__ = [
    "CONNECTION_DEADLINE_SECONDS",
    "CONNECTION_TIMEOUT_SECONDS",
    "MAX_CONNECTIONS",
    "MAX_REQUEST_HEAD_BYTES",
    "ListenerOutcome",
    "LoopbackAddress",
    "LoopbackListener",
    "judge_for",
    "loopback_address",
]

log = logging.getLogger(__name__)

#: How long the browser has to come back (RFC 8252 leaves it to the app).
DEFAULT_TIMEOUT_SECONDS = 300.0

_LOOPBACK_LITERALS = {"127.0.0.1": socket.AF_INET, "::1": socket.AF_INET6}


class _NoSuchAddressError(RedirectListenerError):
    """This computer has no such loopback address (IPv6 switched off)."""

    def __init__(self, host: str) -> None:
        super().__init__(f"This computer has no loopback address {host}.")


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
    def bind_hosts(self) -> tuple[str, ...]:
        """The addresses to bind, all on one port. `localhost` binds both 127.0.0.1 and
        ::1: browsers resolve it to the loopback addresses themselves (RFC 6761 6.3) and
        try ::1 first, so a listener on 127.0.0.1 alone would leave [::1]:<port> to
        whoever binds it, and with it the code and the state. Literals, not the name's
        lookup: a hosts file or resolver could point it at a non-loopback address."""
        return ("127.0.0.1", "::1") if self.host == "localhost" else (self.host,)

    @property
    def bind_host(self) -> str:
        """The first address bound (the one whose port a free pick decides)."""
        return self.bind_hosts[0]

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
    """`PendingSignIn.check_redirect` for a sign-in known by its authorize URL alone (the
    state is in it): what a host that was handed only the URL asks of each redirect. The
    controller's `take_code` later makes every check again, issuer included."""
    from frameio_desktop.core.flow import PendingSignIn

    state = parse_qs(urlsplit(authorize_url).query).get("state", [""])[0]
    if not state:
        raise ValueError("the authorize URL has no state")
    probe = PendingSignIn(
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
        #: The other addresses of a `localhost` redirect (::1), on the same port.
        self._also: list[_Server] = []
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
        # A free port on the first address may be taken on another (::1) by someone else:
        # then try another free port; a registered port has no other to try.
        for _ in range(1 if self.address.port else 8):
            server = self._bind(self.address.bind_host, self.address.port or 0)
            port = server.server_address[1]
            try:
                self._also = self._bind_others(port)
                break
            except PortInUseError:
                server.server_close()
                if self.address.port:
                    raise
        else:
            raise PortInUseError(self.address.bind_hosts[-1], 0)
        self._server = server
        self._redirect_uri = self.address.uri(server.server_address[1])
        log.debug("listening for the redirect on %s", self._redirect_uri)
        return self._redirect_uri

    def _bind_others(self, port: int) -> list[_Server]:
        """Servers on the other addresses (::1 for `localhost`) on `port`. An address this
        computer does not have (no IPv6 loopback) is skipped: nobody can listen there."""
        bound: list[_Server] = []
        try:
            for host in self.address.bind_hosts[1:]:
                try:
                    bound.append(self._bind(host, port))
                except _NoSuchAddressError:
                    continue
        except BaseException:
            for each in bound:
                each.server_close()
            raise
        return bound

    def _bind(self, host: str, port: int) -> _Server:
        try:
            return _Server(self, _LOOPBACK_LITERALS[host], (host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                raise PortInUseError(host, port) from exc
            if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                raise _NoSuchAddressError(host) from exc
            raise RedirectListenerError(
                f"The app cannot listen on {host} port {port or 'any'} for the sign-in "
                f"answer ({exc.strerror or exc})."
            ) from exc

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
        for each in (server, *self._also):
            threading.Thread(
                target=each.serve_forever,
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
            for each in (server, *self._also):
                each.server_close()
            self._also = []
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
        for each in (server, *self._also):
            each.shutdown()
            each.server_close()
        self._server = None
        self._also = []
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
