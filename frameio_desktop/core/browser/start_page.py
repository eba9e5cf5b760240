"""A one-time local start address that forwards the browser to the authorize URL.

Opening the authorize URL itself would put its `state` and `code_challenge` on the
browser's command line, which every local user can read (`/proc/*/cmdline`, `ps`). With
both, another user can run the same authorize request as themselves and deliver the code
to the app, which would then be signed in to their account (login CSRF). So the browser
is given `http://127.0.0.1:<port>/start/<random>` instead: a loopback address served here
that answers its first fetch with a redirect to the authorize URL and every later one
with 410 Gone. A second fetch means someone else may have fetched it first, so it also
tells the owner (`on_reused`), who stops the sign-in. Where the system says whose a
connection is (Linux), another user's is closed before it is read.
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus

from frameio_desktop.core.browser.redirect_http import BoundedHandler, BoundedServer

log = logging.getLogger(__name__)

PATH_PREFIX = "/start/"


class StartPage:
    """Serves one-time start addresses for one authorize URL until `close()`."""

    def __init__(self, authorize_url: str, on_reused: Callable[[], None] | None = None) -> None:
        self.authorize_url = authorize_url
        self.on_reused = on_reused
        self._lock = threading.Lock()
        self._fresh: set[str] = set()
        self._used: set[str] = set()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="sign-in-start-page",
            daemon=True,
        )
        self._thread.start()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def new_url(self) -> str:
        """A fresh start address (used up by its first fetch)."""
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._fresh.add(token)
        return f"http://{self.netloc}{PATH_PREFIX}{token}"

    def take(self, token: str) -> str:
        """'fresh' (and now used), 'used' (a second fetch) or 'unknown'."""
        with self._lock:
            if token in self._fresh:
                self._fresh.discard(token)
                self._used.add(token)
                return "fresh"
            return "used" if token in self._used else "unknown"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> StartPage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handler(BoundedHandler):
    """One GET of a start address. Its head is capped and the whole connection has a
    deadline (`redirect_http.BoundedHandler`); no log line names the path (the key)."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        page = self.server.page
        if (self.headers.get("Host") or "").lower() != page.netloc:
            self._send(HTTPStatus.BAD_REQUEST)  # another name for this address: rebinding
            return
        if not self.path.startswith(PATH_PREFIX):
            self._send(HTTPStatus.NOT_FOUND)
            return
        outcome = page.take(self.path.removeprefix(PATH_PREFIX))
        if outcome == "fresh":
            self._send(HTTPStatus.FOUND, location=page.authorize_url)
        elif outcome == "used":
            log.warning("the sign-in's start address was fetched a second time")
            # The owner hears of it before the fetch gets its answer: whoever fetched
            # first must find the sign-in stopped.
            if page.on_reused is not None:
                page.on_reused()
            self._send(HTTPStatus.GONE)
        else:
            self._send(HTTPStatus.NOT_FOUND)

    def _send(self, status: HTTPStatus, location: str | None = None) -> None:
        body = (
            b"This sign-in address has been used. Start the sign-in again from the app.\n"
            if status is HTTPStatus.GONE
            else b""
        )
        self.send_response(status)
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)


class _Server(BoundedServer):
    """Where the system tells whose a connection is (Linux), another user's never reaches
    the address, so it can neither read the sign-in nor use the address up; at most
    `MAX_CONNECTIONS` at once, idle ones making way (`redirect_http.BoundedServer`)."""

    what = "the sign-in start address"
    logger = log

    def __init__(self, page: StartPage) -> None:
        self.page = page
        super().__init__(socket.AF_INET, ("127.0.0.1", 0), _Handler)
