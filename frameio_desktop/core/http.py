"""The one HTTP client every request goes through.

One `requests.Session` (connection reuse; proxies and CA bundles from the environment are
honoured because `trust_env` stays on), TLS verification that cannot be switched off, and
transport failures mapped to this package's errors.

Every request has a total deadline (connect, headers and body together: see `transport`),
not only per-read timeouts, and every response body is capped (`MAX_BODY_BYTES`): the body
is streamed and the request refused as soon as it grows past the cap (or announces a
larger `Content-Length`), so a hostile or broken server can neither hang the app nor fill
its memory. Callers get a response whose body is already read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from frameio_desktop import __version__
from frameio_desktop.core.errors import (
    HostNotFoundError,
    NetworkError,
    RequestTimeoutError,
    ResponseTooLargeError,
    TLSError,
)

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

#: (connect, read) seconds. A sign-in server that takes longer is treated as down.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 30.0)
#: Seconds for a whole request: connecting, sending, the headers and the body.
DEFAULT_DEADLINE = 30.0
#: No answer this app reads (tokens, an account, an OpenID configuration) comes near this.
MAX_BODY_BYTES = 1024 * 1024
_READ_CHUNK = 64 * 1024


class HttpClient:
    """Thin wrapper over a `requests.Session`; pass a fake session in tests if needed."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self._session = session
        self.timeout = timeout
        self.deadline = deadline
        self.max_body = max_body

    def within(self, seconds: float) -> HttpClient:
        """This client (the same connections), each request ending within `seconds`."""
        if seconds >= self.deadline:
            return self
        seconds = max(seconds, 0.001)
        return HttpClient(
            self.session,
            timeout=(min(self.timeout[0], seconds), min(self.timeout[1], seconds)),
            deadline=seconds,
            max_body=self.max_body,
        )

    @property
    def session(self) -> requests.Session:
        # Created on first use: `token` with a still-valid token never imports requests.
        if self._session is None:
            import requests

            from frameio_desktop.core.transport import DeadlineAdapter

            self._session = requests.Session()
            self._session.mount("https://", DeadlineAdapter())
            self._session.mount("http://", DeadlineAdapter())
            self._session.headers["User-Agent"] = f"frameio-desktop/{__version__}"
        return self._session

    def request(
        self,
        method: str,
        url: str,
        *,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> requests.Response:
        import requests

        from frameio_desktop.core.transport import Deadline

        host = urlsplit(url).hostname or url
        log.debug("%s %s", method, _without_query(url))
        deadline = Deadline(self.deadline)
        try:
            with deadline.running():
                response = self.session.request(
                    method,
                    url,
                    data=data,
                    headers=dict(headers or {}),
                    auth=auth,
                    timeout=self.timeout,
                    verify=True,
                    allow_redirects=False,
                    stream=True,
                )
                try:
                    self._read_body(response, host)
                finally:
                    response.close()
            if deadline.expired.is_set():
                # A shut-down socket can also look like a short, complete answer.
                raise _timeout(host)
            return response
        except requests.exceptions.SSLError as exc:
            if deadline.expired.is_set():
                raise _timeout(host) from exc
            raise TLSError(
                f"The secure connection to {host} could not be verified "
                "(TLS certificate problem). Nothing was sent."
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise _timeout(host) from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            # The deadline shuts the socket down: whatever the read then raised, the cause
            # is the deadline.
            if deadline.expired.is_set():
                raise _timeout(host) from exc
            if isinstance(exc, requests.exceptions.ConnectionError):
                if _name_not_resolved(exc):
                    raise HostNotFoundError(
                        f"The name {host} cannot be found. Check the network connection."
                    ) from exc
                raise NetworkError(
                    f"Cannot reach {host}. Check the network connection and try again."
                ) from exc
            raise NetworkError(f"The request to {host} failed: {type(exc).__name__}.") from exc

    def _read_body(self, response: requests.Response, host: str) -> None:
        """Read the streamed body into the response, refusing it past `max_body`."""
        announced = response.headers.get("Content-Length", "")
        if announced.strip().isdecimal() and int(announced) > self.max_body:
            raise _too_large(host, self.max_body)
        body = bytearray()
        # iter_content decodes gzip/deflate: the cap applies to what is kept, so a small
        # compressed bomb is refused too.
        for chunk in response.iter_content(_READ_CHUNK):
            body += chunk
            if len(body) > self.max_body:
                raise _too_large(host, self.max_body)
        # What requests itself does once a body is read; .json() and .text then use it.
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


def _name_not_resolved(exc: BaseException) -> bool:
    """True when a connection failed because DNS has no address for the host.

    requests wraps urllib3's `NameResolutionError` (itself around `socket.gaierror`) in
    a `MaxRetryError` held in `args[0]`; follow `reason`, `args` and causes to find it.
    """
    import socket

    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, socket.gaierror) or type(item).__name__ == "NameResolutionError":
            return True
        todo.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        todo.extend(item.args)
    return False


def _timeout(host: str) -> RequestTimeoutError:
    return RequestTimeoutError(f"{host} took too long to answer. Try again.")


def _too_large(host: str, limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{host} sent an answer larger than {limit // 1024} KiB; it was refused."
    )


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, or None when it is not JSON.

    Deeply nested JSON makes the decoder raise RecursionError, and an integer of more than
    4,300 digits a ValueError: both are "not JSON the app can use"."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None
