"""What both demo shapes share: the in-memory models, the Authlib server with its login
and consent pages, and the listener on 127.0.0.1. A shape (`ims.py`, `v2.py`) adds its
paths, its PKCE rule and its API routes through a `DemoShape`."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, jsonify, redirect, render_template, request, session

log = logging.getLogger(__name__)
# werkzeug logs every request (URLs with state and challenge) at INFO on its own handler.
logging.getLogger("werkzeug").setLevel(logging.WARNING)

DEMO_CLIENT_ID = "frameio-desktop-demo"
CALLBACK_PATH = "/callback"
_LOOPBACK_PREFIX = "http://127.0.0.1/"
#: The loopback redirect registered without a port (RFC 8252 section 7.3), for a native
#: app's listener on whatever port it got: how `--demo --browser system` signs in.
ANY_PORT_REDIRECT = f"http://127.0.0.1{CALLBACK_PATH}"


@dataclass
class DemoUser:
    id: str
    name: str
    email: str
    slug: str = "user"
    account_id: str = "demo-account-0001"

    def get_user_id(self) -> str:
        return self.id

    def accounts(self) -> list[dict[str, Any]]:
        """The Frame.io V4 accounts this user can reach (three: two pages by default)."""
        first = self.name.split()[0] if self.name.split() else self.name
        names = (f"{first}'s Studio", f"{first} Freelance", "Demo Agency")
        # The fields Frame.io's SDK requires of an account (its `Account` model).
        return [
            {
                "id": f"acct-{self.slug}-{n}",
                "display_name": name,
                "roles": ["owner" if n == 1 else "member"],
                "storage_usage": 0,
                "created_at": f"2026-01-0{n}T09:00:00Z",
                "updated_at": "2026-11-01T09:00:00Z",
            }
            for n, name in enumerate(names, start=1)
        ]


@dataclass
class DemoClient:
    client_id: str
    redirect_uris: list[str]
    scope: str = ""
    #: False for an IMS credential that gets no refresh token (Native and SPA apps may not).
    refresh_tokens: bool = True
    #: Where an unknown redirect_uri's answer goes (IMS's "Default redirect URI"); None
    #: answers it with an error page instead.
    default_redirect_uri: str | None = None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.default_redirect_uri or self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact match, except that a registered loopback IP redirect without a port takes
        # any port (RFC 8252 section 7.3): a native app's listener gets a free one.
        return redirect_uri in self.redirect_uris or _without_port(redirect_uri) in {
            uri for uri in self.redirect_uris if uri.startswith(_LOOPBACK_PREFIX)
        }

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # a public (PKCE) client has no secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        # Authlib asks this before it adds a refresh token to a code exchange's answer.
        if grant_type == "refresh_token":
            return self.refresh_tokens
        return grant_type == "authorization_code"


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
    #: The server's clock (tests move it to expire a token without waiting).
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def check_client(self, client: DemoClient) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.clock() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> DemoUser:
        return self.user

    def get_client(self) -> DemoClient | None:
        return None


#: Adds a shape's API routes: (app, state, require_oauth, current_user).
RouteAdder = Callable[[Flask, "DemoState", Any, Callable[[], DemoUser]], None]


@dataclass(frozen=True)
class DemoShape:
    """The paths and rules of one provider the demo stands in for."""

    provider: str
    authorize_path: str
    token_path: str
    revoke_path: str
    #: Who is signed in: `/v2/me` (the user at top level) or `/v4/me` (`{"data": ...}`).
    me_path: str
    scopes: str
    #: The PKCE rule at the authorization request (Authlib's extension, subclassed).
    challenge: Callable[[], CodeChallenge]
    add_routes: RouteAdder
    #: Access-token and refresh-token lifetimes unless the server is told otherwise.
    token_ttl: int
    refresh_ttl: int
    #: Whether the demo's credential gets refresh tokens unless told otherwise.
    refresh_tokens: bool
    #: IMS: a public client sends `client_id` in the revocation request's query.
    revoke_client_id_in_query: bool = False
    userinfo_path: str | None = None
    accounts_path: str | None = None
    #: IMS: a redirect_uri the credential does not know is answered at the credential's
    #: Default redirect URI (this path on the demo), not with an error.
    default_redirect_path: str | None = None
    #: Redirects the credential has besides the loopback ones (the native-app one).
    native_redirect: str | None = None


class DemoState:
    """Everything the server knows. Survives a stop and restart of the listener."""

    def __init__(self, shape: DemoShape, clock: Callable[[], float] = time.time) -> None:
        self.shape = shape
        #: Seconds since the epoch, as the server sees them; tests move it forward.
        self.clock = clock
        self.lock = threading.RLock()
        self.clients: dict[str, DemoClient] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: list[Token] = []
        #: Requests seen, by path (the redirect path must stay at zero).
        self.hits: Counter[str] = Counter()
        self.refresh_grants = 0
        #: Refresh requests refused (spent, revoked or expired refresh token).
        self.refused_refreshes = 0
        self.revocations = 0
        #: The query of each request the default redirect page received (must stay empty).
        self.default_page_received: list[dict[str, str]] = []

    def before_token_request(self) -> None:
        """Runs on the server's thread before each token request is answered. Nothing
        here; a test's subclass holds requests in it (a slow server)."""

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


def _without_port(uri: str) -> str | None:
    """`http://127.0.0.1:<port>/path` as `http://127.0.0.1/path`; None for anything else."""
    parts = urlsplit(uri)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "http" or parts.netloc != f"127.0.0.1:{port}" or port is None:
        return None
    return uri.replace(f"127.0.0.1:{port}", "127.0.0.1", 1)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") or "user"


def create_app(state: DemoState, *, token_ttl: int, refresh_ttl: int) -> Flask:
    shape = state.shape
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    app.config.update(
        OAUTH2_REFRESH_TOKEN_GENERATOR=True,
        OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": token_ttl, "refresh_token": token_ttl},
        SESSION_COOKIE_SAMESITE="Lax",
    )
    server = AuthorizationServer(
        app, query_client=state.clients.get, save_token=_token_saver(state)
    )
    server.register_grant(_code_grant(state), [shape.challenge()])
    server.register_grant(_refresh_grant(state, refresh_ttl))
    server.register_endpoint(_revocation(state))

    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string: str) -> Token | None:
            return state.token_by_access(token_string)

    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Validator())

    @app.before_request
    def count() -> None:
        with state.lock:
            state.hits[request.path] += 1
        if request.path == shape.token_path:
            state.before_token_request()

    _add_sign_in_pages(app, state, server)

    @app.route(shape.token_path, methods=["POST"])
    def issue_token() -> Response:
        return server.create_token_response()

    @app.route(shape.revoke_path, methods=["POST"])
    def revoke() -> Any:
        if shape.revoke_client_id_in_query and not request.args.get("client_id"):
            # IMS: a public client names itself in the query, not the body.
            error = {"error": "invalid_client", "error_description": "client_id missing"}
            return jsonify(error), 400
        return server.create_endpoint_response(RevocationEndpoint.ENDPOINT_NAME)

    def current_user() -> DemoUser:
        from authlib.integrations.flask_oauth2 import current_token

        user: DemoUser = current_token.user
        return user

    shape.add_routes(app, state, require_oauth, current_user)

    @app.route(CALLBACK_PATH)
    def callback() -> tuple[str, int]:
        # The app catches this navigation in its web view; reaching here is a leak.
        log.error("the redirect reached the network: the app did not catch it")
        return "The authorization code reached the network. The app should have caught it.", 500

    return app


def _add_sign_in_pages(app: Flask, state: DemoState, server: AuthorizationServer) -> None:
    """The authorization endpoint: login page (any name), consent page, `prompt`."""

    def user_from_session() -> DemoUser | None:
        user = session.get("user")
        if user is None:
            return None
        return DemoUser(
            id=f"user-{user['slug']}",
            name=user["name"],
            email=f"{user['slug']}@example.com",
            slug=user["slug"],
        )

    @app.route(state.shape.authorize_path, methods=["GET", "POST"])
    def authorize() -> Any:
        try:
            grant = server.get_consent_grant(end_user=None)
        except OAuth2Error as error:
            # Never redirect to an unchecked redirect URI: show the problem here.
            return render_template("error.html", error=error), 400
        prompt = request.args.get("prompt", "")
        if prompt == "none":
            # No page may be shown: answer from this server's own session cookie, or say
            # that the person has to sign in (OpenID Connect Core 3.1.2.6, as IMS does).
            end_user = user_from_session()
            if end_user is None:
                params = {"error": "login_required", "state": request.args.get("state", "")}
                return redirect(add_params_to_uri(grant.redirect_uri, params))
            return server.create_authorization_response(grant_user=end_user, grant=grant)
        if request.method == "GET" and prompt == "login":
            session.pop("user", None)  # the person must sign in again, even if known
        if request.method == "POST" and request.form.get("action") == "login":
            name = request.form.get("name", "").strip()
            if not name:
                return render_template("login.html", error="Enter a name.", **_page(grant))
            session["user"] = {"name": name, "slug": _slug(name)}
        user = session.get("user")
        if user is None:
            return render_template("login.html", error=None, **_page(grant))
        if request.method == "POST" and request.form.get("action") in ("allow", "deny"):
            end_user = user_from_session() if request.form["action"] == "allow" else None
            return server.create_authorization_response(grant_user=end_user, grant=grant)
        return render_template("consent.html", user=user, **_page(grant))


def _code_grant(state: DemoState) -> type[grants.AuthorizationCodeGrant]:
    default_page = state.shape.default_redirect_path is not None

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's own attribute

        @staticmethod
        def validate_authorization_redirect_uri(req: Any, client: DemoClient) -> str:
            asked = req.payload.redirect_uri
            if default_page and asked and not client.check_redirect_uri(asked):
                # IMS: no error page; the answer goes to the Default redirect URI.
                log.warning("unknown redirect_uri: answering at the default redirect page")
                return client.get_default_redirect_uri()
            uri: str = grants.AuthorizationCodeGrant.validate_authorization_redirect_uri(
                req, client
            )
            return uri

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
                    issued_at=state.clock(),
                )

        def query_authorization_code(self, code: str, client: DemoClient) -> Any:
            with state.lock:
                item = state.codes.get(code)
            if item and item.client_id == client.client_id and state.clock() - item.issued_at < 300:
                return item
            return None

        def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
            with state.lock:
                state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: AuthorizationCode) -> DemoUser:
            return authorization_code.user

    return CodeGrant


def _refresh_grant(state: DemoState, refresh_ttl: int) -> type[grants.RefreshTokenGrant]:
    class RefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            with state.lock:
                state.refresh_grants += 1
                token = state.token_by_refresh(refresh_token)
                fresh = token is not None and state.clock() < token.issued_at + refresh_ttl
                if fresh and token is not None and not token.refresh_revoked:
                    return token
                state.refused_refreshes += 1
                return None

        def authenticate_user(self, refresh_token: Token) -> DemoUser:
            return refresh_token.user

        def revoke_old_credential(self, refresh_token: Token) -> None:
            with state.lock:
                refresh_token.refresh_revoked = True
                refresh_token.revoked = True

    return RefreshGrant


def _revocation(state: DemoState) -> type[RevocationEndpoint]:
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

    return Revocation


def _token_saver(state: DemoState) -> Callable[[dict[str, Any], Any], None]:
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
                    issued_at=state.clock(),
                    clock=state.clock,
                )
            )

    return save_token


def _page(grant: Any) -> dict[str, Any]:
    return {
        "client_id": grant.client.client_id,
        "scopes": grant.request.payload.scope.split(),
        "action_url": request.full_path,
    }
