"""The one HTTP client every request goes through.

One `requests.Session` (connection reuse; proxies and CA bundles from the environment are
honoured because `trust_env` stays on), a timeout on every call, TLS verification that
cannot be switched off, and transport failures mapped to this package's errors.
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
    TLSError,
)

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

#: (connect, read) seconds. A sign-in server that takes longer is treated as down.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 30.0)


class HttpClient:
    """Thin wrapper over a `requests.Session`; pass a fake session in tests if needed."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self._session = session
        self.timeout = timeout

    @property
    def session(self) -> requests.Session:
        # Created on first use: `token` with a still-valid token never imports requests.
        if self._session is None:
            import requests

            self._session = requests.Session()
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

        host = urlsplit(url).hostname or url
        log.debug("%s %s", method, _without_query(url))
        try:
            return self.session.request(
                method,
                url,
                data=data,
                headers=dict(headers or {}),
                auth=auth,
                timeout=self.timeout,
                verify=True,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise TLSError(
                f"The secure connection to {host} could not be verified "
                "(TLS certificate problem). Nothing was sent."
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise RequestTimeoutError(f"{host} took too long to answer. Try again.") from exc
        except requests.exceptions.ConnectionError as exc:
            if _name_not_resolved(exc):
                raise HostNotFoundError(
                    f"The name {host} cannot be found. Check the network connection."
                ) from exc
            raise NetworkError(
                f"Cannot reach {host}. Check the network connection and try again."
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise NetworkError(f"The request to {host} failed: {type(exc).__name__}.") from exc

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


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None
