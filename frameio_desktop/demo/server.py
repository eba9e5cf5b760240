"""A local sign-in server shaped like Frame.io legacy (V2), for the demo and the tests.

Built on Authlib's server side: the authorization-code grant with PKCE S256 required,
rotating refresh tokens, RFC 7009 revocation, and a bearer-protected `/v2/me`. It has a
login page (any name signs in) and a consent page with Allow and Deny. It listens on
127.0.0.1 only and keeps everything in memory.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, render_template, request, session
from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger(__name__)
# werkzeug logs every request (URLs with state and challenge) at INFO on its own handler.
logging.getLogger("werkzeug").setLevel(logging.WARNING)

DEMO_CLIENT_ID = "frameio-desktop-demo"
DEMO_SCOPES = "offline account.read asset.read"
CALLBACK_PATH = "/callback"


@dataclass
class DemoUser:
    id: str
    name: str
    email: str
    account_id: str = "demo-account-0001"

    def get_user_id(self) -> str:
        return self.id


@dataclass
class DemoClient:
    client_id: str
    redirect_uris: list[str]
    scope: str = DEMO_SCOPES

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match only

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # a public (PKCE) client has no secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: DemoUser
    code_challenge: str | None
    code_challenge_method: str | None
    issued_at: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return time.time() - self.issued_at > 300


@dataclass
class Token:
    client_id: str
    user: DemoUser
    access_token: str
    refresh_token: str | None
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False
    refresh_revoked: bool = False

    def check_client(self, client: DemoClient) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> DemoUser:
        return self.user

    def get_client(self) -> DemoClient | None:
        return None


class DemoState:
    """Everything the server knows. Survives a stop and restart of the listener."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clients: dict[str, DemoClient] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: list[Token] = []
        #: Requests seen, by path (the redirect path must stay at zero).
        self.hits: Counter[str] = Counter()
        self.refresh_grants = 0
        self.revocations = 0
        #: Tests close this gate to hold token requests (open by default), and wait on
        #: `token_request_arrived` to know one is being held.
        self.token_gate = threading.Event()
        self.token_gate.set()
        self.token_request_arrived = threading.Event()

    def token_by_access(self, value: str) -> Token | None:
        with self.lock:
            return next((t for t in self.tokens if t.access_token == value), None)

    def token_by_refresh(self, value: str) -> Token | None:
        with self.lock:
            return next((t for t in self.tokens if t.refresh_token == value), None)

    def access_token_active(self, value: str) -> bool:
        token = self.token_by_access(value)
        return token is not None and not token.revoked and not token.is_expired()

    def refresh_token_active(self, value: str) -> bool:
        token = self.token_by_refresh(value)
        return token is not None and not token.refresh_revoked


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


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") or "user"


def create_app(state: DemoState, *, token_ttl: int, refresh_ttl: int) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    app.config.update(
        OAUTH2_REFRESH_TOKEN_GENERATOR=True,
        OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": token_ttl, "refresh_token": token_ttl},
        SESSION_COOKIE_SAMESITE="Lax",
    )

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's own attribute

        def save_authorization_code(self, code: str, req: Any) -> None:
            with state.lock:
                state.codes[code] = AuthorizationCode(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope,
                    user=req.user,
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )

        def query_authorization_code(self, code: str, client: DemoClient) -> Any:
            with state.lock:
                item = state.codes.get(code)
            if item and item.client_id == client.client_id and not item.is_expired():
                return item
            return None

        def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
            with state.lock:
                state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: AuthorizationCode) -> DemoUser:
            return authorization_code.user

    class RefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            with state.lock:
                state.refresh_grants += 1
                token = state.token_by_refresh(refresh_token)
            fresh = token is not None and time.time() < token.issued_at + refresh_ttl
            return token if fresh and token is not None and not token.refresh_revoked else None

        def authenticate_user(self, refresh_token: Token) -> DemoUser:
            return refresh_token.user

        def revoke_old_credential(self, refresh_token: Token) -> None:
            with state.lock:
                refresh_token.refresh_revoked = True
                refresh_token.revoked = True

    class Revocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = ["none"]  # noqa: RUF012

        def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
            if token_type_hint == "access_token":
                return state.token_by_access(token_string)
            if token_type_hint == "refresh_token":
                return state.token_by_refresh(token_string)
            return state.token_by_access(token_string) or state.token_by_refresh(token_string)

        def revoke_token(self, token: Token, req: Any) -> None:
            with state.lock:
                state.revocations += 1
                token.revoked = True
                token.refresh_revoked = True

    def query_client(client_id: str) -> DemoClient | None:
        return state.clients.get(client_id)

    def save_token(token: dict[str, Any], req: Any) -> None:
        with state.lock:
            state.tokens.append(
                Token(
                    client_id=req.client.client_id,
                    user=req.user,
                    access_token=token["access_token"],
                    refresh_token=token.get("refresh_token"),
                    scope=token.get("scope", ""),
                    expires_in=int(token["expires_in"]),
                )
            )

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(CodeGrant, [RequireS256(required=True)])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)

    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string: str) -> Token | None:
            return state.token_by_access(token_string)

    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Validator())

    @app.before_request
    def count() -> None:
        with state.lock:
            state.hits[request.path] += 1
        if request.path == "/oauth2/token":
            state.token_request_arrived.set()
            state.token_gate.wait(timeout=60)

    @app.route("/oauth2/auth", methods=["GET", "POST"])
    def authorize() -> Any:
        try:
            grant = server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            # Never redirect to an unchecked redirect URI: show the problem here.
            return render_template("error.html", error=error), 400
        if request.method == "POST" and request.form.get("action") == "login":
            name = request.form.get("name", "").strip()
            if not name:
                return render_template("login.html", error="Enter a name.", **_page(grant))
            session["user"] = {"name": name, "slug": _slug(name)}
        user = session.get("user")
        if user is None:
            return render_template("login.html", error=None, **_page(grant))
        if request.method == "POST" and request.form.get("action") in ("allow", "deny"):
            end_user = None
            if request.form["action"] == "allow":
                end_user = DemoUser(
                    id=f"user-{user['slug']}",
                    name=user["name"],
                    email=f"{user['slug']}@example.com",
                )
            return server.create_authorization_response(grant_user=end_user, grant=grant)
        return render_template("consent.html", user=user, **_page(grant))

    @app.route("/oauth2/token", methods=["POST"])
    def issue_token() -> Response:
        return server.create_token_response()  # type: ignore[no-any-return]

    @app.route("/oauth2/revoke", methods=["POST"])
    def revoke() -> Response:
        return server.create_endpoint_response(  # type: ignore[no-any-return]
            RevocationEndpoint.ENDPOINT_NAME
        )

    @app.route("/v2/me")
    @require_oauth("account.read")
    def me() -> dict[str, str]:
        from authlib.integrations.flask_oauth2 import current_token

        user: DemoUser = current_token.user
        return {
            "_type": "user",
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "account_id": user.account_id,
        }

    @app.route(CALLBACK_PATH)
    def callback() -> tuple[str, int]:
        # The app catches this navigation in its web view; reaching here is a leak.
        log.error("the redirect reached the network: the app did not catch it")
        return "The authorization code reached the network. The app should have caught it.", 500

    return app


def _page(grant: Any) -> dict[str, Any]:
    return {
        "client_id": grant.client.client_id,
        "scopes": grant.request.payload.scope.split(),
        "action_url": request.full_path,
    }


class DemoServer:
    """Run the demo server on 127.0.0.1 in a background thread. Restartable."""

    def __init__(
        self,
        *,
        port: int = 0,
        token_ttl: int = 3600,
        refresh_ttl: int = 30 * 24 * 3600,
        redirect_uris: list[str] | None = None,
    ) -> None:
        self.state = DemoState()
        self.token_ttl = token_ttl
        self.refresh_ttl = refresh_ttl
        self.port = port
        self._extra_redirects = list(redirect_uris or [])
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def redirect_uri(self) -> str:
        return f"{self.url}{CALLBACK_PATH}"

    def start(self) -> DemoServer:
        app = create_app(self.state, token_ttl=self.token_ttl, refresh_ttl=self.refresh_ttl)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.port = self._server.server_port
        self.state.clients[DEMO_CLIENT_ID] = DemoClient(
            DEMO_CLIENT_ID, [self.redirect_uri, *self._extra_redirects]
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
        """Settings that point the app at this server (Frame.io V2's shape)."""
        return {
            "provider": "frameio-v2",
            "client_id": DEMO_CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "scopes": DEMO_SCOPES,
            "authorize_url": f"{self.url}/oauth2/auth",
            "token_url": f"{self.url}/oauth2/token",
            "account_url": f"{self.url}/v2/me",
            "revoke_url": f"{self.url}/oauth2/revoke",
            "profile": "demo",
        }
