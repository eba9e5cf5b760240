"""The demo's default shape: Adobe IMS and the Frame.io V4 API, as IMS really is.

`/ims/authorize/v2`, `/ims/token/v3`, `/ims/revoke` (a public client names itself in the
query), `/ims/userinfo/v2`, `/v4/me` (`{"data": {...}}`) and `/v4/accounts` (three
accounts over two pages; `links.next` carries only `after`). Where a client can get it
wrong it answers as IMS does:

- a missing `code_challenge_method` means `plain`, so a client that forgets S256 fails
  the exchange;
- the credential is a Native App (`adobe+<hash>://adobeid/<client_id>`) that gets **no
  refresh token** unless the server is told otherwise; refresh tokens, when given, rotate;
- access tokens last 24 hours (`expires_in` 86399);
- `prompt=none` answers from this server's own session cookie or with
  `error=login_required`;
- a `redirect_uri` the credential does not know is not an error: the answer (code and
  state) goes to the credential's Default redirect URI, here `/default-redirect`, which
  records what it received. The app must never let anything reach it.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, render_template, request

from frameio_desktop.demo.base import DEMO_CLIENT_ID, DemoShape, DemoState, DemoUser

log = logging.getLogger(__name__)

#: The native-app redirect an IMS "OAuth Native App" credential gets: `adobe+<hash>` is
#: fixed per credential, so this one is a constant too (the web engine registers a custom
#: scheme once per process, before its first page).
DEMO_NATIVE_REDIRECT = f"adobe+5f0e3c1a://adobeid/{DEMO_CLIENT_ID}"
#: The credential's Default redirect URI: where IMS sends the answer to an unknown redirect.
DEFAULT_REDIRECT_PATH = "/default-redirect"
#: How many accounts `/v4/accounts` returns per page unless `page_size` says otherwise:
#: the demo user's three accounts then take two pages.
ACCOUNTS_PAGE_SIZE = 2
#: IMS's access-token lifetime, as its token responses say it.
IMS_TOKEN_TTL = 86399


class ImsCodeChallenge(CodeChallenge):
    """PKCE as IMS does it: a challenge is required, and a missing `code_challenge_method`
    means `plain` (Authlib's default too), so a client that sends an S256 challenge but
    forgets to say so fails the exchange: the verifier is compared with the challenge
    as if both were plain."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required.")
        super().validate_code_challenge(grant, redirect_uri)


def add_routes(
    app: Flask, state: DemoState, require_oauth: Any, current_user: Callable[[], DemoUser]
) -> None:
    """IMS userinfo, the default redirect page, and the Frame.io V4 API's `/v4/me` and
    paged `/v4/accounts`."""
    shape = state.shape
    assert shape.userinfo_path is not None
    assert shape.accounts_path is not None
    accounts_path = shape.accounts_path

    @app.route(DEFAULT_REDIRECT_PATH)
    def default_redirect() -> str:
        received = dict(request.args.items())
        with state.lock:
            state.default_page_received.append(received)
        # Names only: the values are a code and a state.
        log.error("the default redirect page received %s", sorted(received) or "nothing")
        return render_template("default_redirect.html", names=sorted(received))

    @app.route(shape.userinfo_path)
    @require_oauth()
    def userinfo() -> dict[str, Any]:
        user = current_user()
        given, _, family = user.name.partition(" ")
        return {
            "sub": user.id,
            "name": user.name,
            "given_name": given,
            "family_name": family,
            "email": user.email,
            "email_verified": True,
        }

    @app.route(shape.me_path)
    @require_oauth()
    def me_v4() -> dict[str, Any]:
        user = current_user()
        return {"data": {"id": user.id, "name": user.name, "email": user.email}}

    @app.route(accounts_path)
    @require_oauth()
    def accounts() -> Any:
        everything = current_user().accounts()
        try:
            start, cursor_size = _decode_cursor(request.args.get("after"))
            size = int(request.args.get("page_size") or cursor_size or ACCOUNTS_PAGE_SIZE)
        except ValueError:
            return jsonify({"errors": [{"detail": "bad page_size or after"}]}), 422
        if not 1 <= size <= 100 or not 0 <= start <= len(everything):
            return jsonify({"errors": [{"detail": "bad page_size or after"}]}), 422
        page = everything[start : start + size]
        following = start + size
        next_link = None
        if following < len(everything):
            # A path, as Frame.io's links are, carrying only `after`: the page size rides
            # in the opaque cursor.
            next_link = f"{accounts_path}?after={_encode_cursor(following, size)}"
        return {"data": page, "links": {"next": next_link}, "total_count": len(everything)}


def _encode_cursor(offset: int, size: int) -> str:
    text = f"offset:{offset}:{size}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> tuple[int, int | None]:
    """(offset, page size) from an `after` cursor; (0, None) without one."""
    if not cursor:
        return 0, None
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(cursor) from exc
    tag, _, rest = text.partition(":")
    offset, _, size = rest.partition(":")
    if tag != "offset":
        raise ValueError(cursor)
    return int(offset), int(size) if size else None


V4_SHAPE = DemoShape(
    provider="frameio-v4",
    authorize_path="/ims/authorize/v2",
    token_path="/ims/token/v3",
    revoke_path="/ims/revoke",
    me_path="/v4/me",
    scopes="openid email profile offline_access additional_info.roles",
    challenge=lambda: ImsCodeChallenge(required=True),
    add_routes=add_routes,
    token_ttl=IMS_TOKEN_TTL,
    refresh_ttl=14 * 24 * 3600,  # IMS refresh tokens last 14 days
    refresh_tokens=False,  # a Native App credential, per Adobe's guide
    revoke_client_id_in_query=True,
    userinfo_path="/ims/userinfo/v2",
    accounts_path="/v4/accounts",
    default_redirect_path=DEFAULT_REDIRECT_PATH,
    native_redirect=DEMO_NATIVE_REDIRECT,
)
