"""A local sign-in server shaped like Frame.io, for the demo and the tests.

Two shapes, one per provider preset, over one shared base (`base.py`: the models, the
Authlib server with its login and consent pages):

- `frameio-v4` (the default, `ims.py`): Adobe IMS and the Frame.io V4 API, with IMS's
  rules: a Native App credential with no refresh token, 24-hour access tokens, `plain`
  for a missing `code_challenge_method`, `links.next` with only `after`, and a Default
  redirect page for a redirect the credential does not know.
- `frameio-v2` (`v2.py`): Frame.io legacy; PKCE S256 required, refresh tokens given.

It has a login page (any name signs in) and a consent page with Allow and Deny, listens
on 127.0.0.1 only and keeps everything in memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from werkzeug.serving import BaseWSGIServer, make_server

from frameio_desktop.demo.base import (
    ANY_PORT_REDIRECT,
    CALLBACK_PATH,
    DEMO_CLIENT_ID,
    DemoClient,
    DemoShape,
    DemoState,
    DemoUser,
    Token,
    create_app,
)
from frameio_desktop.demo.ims import (
    ACCOUNTS_PAGE_SIZE,
    DEFAULT_REDIRECT_PATH,
    DEMO_NATIVE_REDIRECT,
    IMS_TOKEN_TTL,
    V4_SHAPE,
)
from frameio_desktop.demo.v2 import V2_SHAPE

__all__ = [
    "ACCOUNTS_PAGE_SIZE",
    "ANY_PORT_REDIRECT",
    "CALLBACK_PATH",
    "DEFAULT_REDIRECT_PATH",
    "DEMO_CLIENT_ID",
    "DEMO_NATIVE_REDIRECT",
    "DEMO_SCOPES",
    "IMS_TOKEN_TTL",
    "SHAPES",
    "V2_SHAPE",
    "V4_SHAPE",
    "DemoClient",
    "DemoServer",
    "DemoShape",
    "DemoState",
    "DemoUser",
    "Token",
]

SHAPES: dict[str, DemoShape] = {shape.provider: shape for shape in (V4_SHAPE, V2_SHAPE)}
#: The V2 shape's scopes (kept under their old name for callers of the V2 demo).
DEMO_SCOPES = V2_SHAPE.scopes


class DemoServer:
    """Run the demo server on 127.0.0.1 in a background thread. Restartable."""

    def __init__(
        self,
        *,
        provider: str = V4_SHAPE.provider,
        port: int = 0,
        token_ttl: int | None = None,
        refresh_ttl: int | None = None,
        redirect_uris: list[str] | None = None,
        refresh_tokens: bool | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`provider` picks the shape (`frameio-v4` or `frameio-v2`). `token_ttl`,
        `refresh_ttl` and `refresh_tokens` default to the shape's: for V4 a 24-hour access
        token and no refresh token (IMS's Native App credential); `refresh_tokens=True`
        gives the other kind. `clock` (seconds since the epoch) decides when tokens
        expire; tests move it forward."""
        if provider not in SHAPES:
            raise ValueError(f"the demo server has no {provider!r} shape")
        self.shape = SHAPES[provider]
        self.state = DemoState(self.shape, clock)
        self.token_ttl = token_ttl if token_ttl is not None else self.shape.token_ttl
        self.refresh_ttl = refresh_ttl if refresh_ttl is not None else self.shape.refresh_ttl
        self.refresh_tokens = (
            refresh_tokens if refresh_tokens is not None else self.shape.refresh_tokens
        )
        self.port = port
        self._extra_redirects = list(redirect_uris or [])
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def loopback_redirect_uri(self) -> str:
        """The http://127.0.0.1 redirect, registered with both shapes (system browser)."""
        return f"{self.url}{CALLBACK_PATH}"

    @property
    def redirect_uri(self) -> str:
        """The redirect the settings name: the native-app custom scheme for V4."""
        return self.shape.native_redirect or self.loopback_redirect_uri

    @property
    def default_redirect_uri(self) -> str | None:
        """Where an unknown redirect's answer goes (IMS), or None (V2: an error page)."""
        path = self.shape.default_redirect_path
        return self.url + path if path else None

    @property
    def me_url(self) -> str:
        return self.url + self.shape.me_path

    @property
    def token_url(self) -> str:
        return self.url + self.shape.token_path

    @property
    def accounts_url(self) -> str | None:
        return self.url + self.shape.accounts_path if self.shape.accounts_path else None

    def start(self) -> DemoServer:
        app = create_app(self.state, token_ttl=self.token_ttl, refresh_ttl=self.refresh_ttl)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.port = self._server.server_port
        redirects = [self.loopback_redirect_uri, ANY_PORT_REDIRECT, *self._extra_redirects]
        if self.shape.native_redirect:
            redirects.insert(0, self.shape.native_redirect)
        self.state.clients[DEMO_CLIENT_ID] = DemoClient(
            DEMO_CLIENT_ID,
            redirects,
            scope=self.shape.scopes,
            refresh_tokens=self.refresh_tokens,
            default_redirect_uri=self.default_redirect_uri,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-sign-in-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def settings_flags(self) -> dict[str, str]:
        """Settings that point the app at this server, in its shape."""
        shape = self.shape
        flags = {
            "provider": shape.provider,
            "client_id": DEMO_CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "scopes": shape.scopes,
            "authorize_url": self.url + shape.authorize_path,
            "token_url": self.url + shape.token_path,
            "account_url": self.url + shape.me_path,
            "revoke_url": self.url + shape.revoke_path,
            "profile": "demo",
        }
        if shape is V4_SHAPE:
            flags["issuer"] = self.url
        return flags
