"""The demo's legacy shape (`--provider frameio-v2`): Frame.io V2's `/oauth2/auth`,
`/oauth2/token`, `/oauth2/revoke` and `/v2/me`. PKCE S256 is required, refresh tokens
are given and rotate, and an unknown redirect is an error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask

from frameio_desktop.demo.base import DemoShape, DemoState, DemoUser


class RequireS256(CodeChallenge):
    """PKCE required at the authorization request, and S256 only (Authlib's extension
    accepts a request without a challenge there and also allows `plain`)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - Authlib's own attribute

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


def add_routes(
    app: Flask, state: DemoState, require_oauth: Any, current_user: Callable[[], DemoUser]
) -> None:
    """`/v2/me`: the user at the top level."""

    @app.route(state.shape.me_path)
    @require_oauth("account.read")
    def me_v2() -> dict[str, str]:
        user = current_user()
        return {
            "_type": "user",
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "account_id": user.account_id,
        }


V2_SHAPE = DemoShape(
    provider="frameio-v2",
    authorize_path="/oauth2/auth",
    token_path="/oauth2/token",
    revoke_path="/oauth2/revoke",
    me_path="/v2/me",
    scopes="offline account.read asset.read",
    challenge=lambda: RequireS256(required=True),
    add_routes=add_routes,
    token_ttl=3600,
    refresh_ttl=30 * 24 * 3600,  # Frame.io V2's refresh tokens last 30 days
    refresh_tokens=True,
)
