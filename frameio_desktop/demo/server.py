"""A local sign-in server shaped like Frame.io, for the demo and the tests.

Two shapes, one per provider preset:

- `frameio-v4` (the default): Adobe IMS and the Frame.io V4 API. `/ims/authorize/v2`,
  `/ims/token/v3`, `/ims/revoke` (a public client names itself in the query),
  `/ims/userinfo/v2`, `/v4/me` (`{"data": {...}}`) and `/v4/accounts` (three accounts over
  two pages, `links.next`). It behaves like IMS where a client can get it wrong: a missing
  `code_challenge_method` means `plain` (so a client that forgets S256 fails the
  exchange), refresh tokens rotate, a credential can get no refresh token at all, and
  `prompt=none` answers from this server's own session cookie or with
  `error=login_required`. The native-app redirect `adobe+<hash>://adobeid/<client_id>`
  is registered, and a loopback `http://127.0.0.1:<port>/callback` beside it.
- `frameio-v2`: Frame.io legacy. `/oauth2/auth`, `/oauth2/token`, `/oauth2/revoke`,
  `/v2/me`; PKCE S256 required.

Built on Authlib's server side. It has a login page (any name signs in) and a consent page
with Allow and Deny, listens on 127.0.0.1 only and keeps everything in memory.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, jsonify, redirect, render_template, request, session
from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger(__name__)
# werkzeug logs every request (URLs with state and challenge) at INFO on its own handler.
logging.getLogger("werkzeug").setLevel(logging.WARNING)

DEMO_CLIENT_ID = "frameio-desktop-demo"
#: The native-app redirect an IMS "OAuth Native App" credential gets: `adobe+<hash>` is
#: fixed per credential, so this one is a constant too (the web engine registers a custom
#: scheme once per process, before its first page).
DEMO_NATIVE_REDIRECT = f"adobe+5f0e3c1a://adobeid/{DEMO_CLIENT_ID}"
CALLBACK_PATH = "/callback"
#: How many accounts `/v4/accounts` returns per page unless `page_size` says otherwise:
#: the demo user's three accounts then take two pages.
ACCOUNTS_PAGE_SIZE = 2


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
    #: Legacy V2 demo: S256 only. IMS: a missing `code_challenge_method` means `plain`.
    s256_only: bool
    #: IMS: a public client sends `client_id` in the revocation request's query.
    revoke_client_id_in_query: bool = False
    userinfo_path: str | None = None
    accounts_path: str | None = None


V4_SHAPE = DemoShape(
    provider="frameio-v4",
    authorize_path="/ims/authorize/v2",
    token_path="/ims/token/v3",
    revoke_path="/ims/revoke",
    me_path="/v4/me",
    scopes="openid email profile offline_access additional_info.roles",
    s256_only=False,
    revoke_client_id_in_query=True,
    userinfo_path="/ims/userinfo/v2",
    accounts_path="/v4/accounts",
)
V2_SHAPE = DemoShape(
    provider="frameio-v2",
    authorize_path="/oauth2/auth",
    token_path="/oauth2/token",
    revoke_path="/oauth2/revoke",
    me_path="/v2/me",
    scopes="offline account.read asset.read",
    s256_only=True,
)
SHAPES: dict[str, DemoShape] = {shape.provider: shape for shape in (V4_SHAPE, V2_SHAPE)}
#: The V2 shape's scopes (kept under their old name for callers of the V2 demo).
DEMO_SCOPES = V2_SHAPE.scopes


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
    scope: str = DEMO_SCOPES
    #: False for an IMS credential that gets no refresh token (Native and SPA apps may not).
    refresh_tokens: bool = True

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

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


class DemoState:
    """Everything the server knows. Survives a stop and restart of the listener."""

    def __init__(self, shape: DemoShape = V4_SHAPE, clock: Callable[[], float] = time.time) -> None:
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


class ImsCodeChallenge(CodeChallenge):
    """PKCE as IMS does it: a challenge is required, and a missing `code_challenge_method`
    means `plain` (Authlib's default too), so a client that sends an S256 challenge but
    forgets to say so fails the exchange: the verifier is compared with the challenge
    as if both were plain."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required.")
        super().validate_code_challenge(grant, redirect_uri)


_LOOPBACK_PREFIX = "http://127.0.0.1/"
#: The loopback redirect registered without a port (RFC 8252 section 7.3), for a native
#: app's listener on whatever port it got: how `--demo --browser system` signs in.
ANY_PORT_REDIRECT = f"http://127.0.0.1{CALLBACK_PATH}"


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
                    issued_at=state.clock(),
                    clock=state.clock,
                )
            )

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    challenge = RequireS256(required=True) if shape.s256_only else ImsCodeChallenge(required=True)
    server.register_grant(CodeGrant, [challenge])
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
        if request.path == shape.token_path:
            state.before_token_request()

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

    @app.route(shape.authorize_path, methods=["GET", "POST"])
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

    if shape.provider == "frameio-v2":

        @app.route(shape.me_path)
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

    else:
        _add_v4_routes(app, state, require_oauth, current_user)

    @app.route(CALLBACK_PATH)
    def callback() -> tuple[str, int]:
        # The app catches this navigation in its web view; reaching here is a leak.
        log.error("the redirect reached the network: the app did not catch it")
        return "The authorization code reached the network. The app should have caught it.", 500

    return app


def _add_v4_routes(
    app: Flask, state: DemoState, require_oauth: Any, current_user: Callable[[], DemoUser]
) -> None:
    """IMS userinfo and the Frame.io V4 API's `/v4/me` and paged `/v4/accounts`."""
    shape = state.shape
    assert shape.userinfo_path is not None
    assert shape.accounts_path is not None
    accounts_path = shape.accounts_path

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
            size = int(request.args.get("page_size", ACCOUNTS_PAGE_SIZE))
            start = _decode_cursor(request.args.get("after"))
        except ValueError:
            return jsonify({"errors": [{"detail": "bad page_size or after"}]}), 422
        if not 1 <= size <= 100 or not 0 <= start <= len(everything):
            return jsonify({"errors": [{"detail": "bad page_size or after"}]}), 422
        page = everything[start : start + size]
        following = start + size
        next_link = None
        if following < len(everything):
            # A path, as Frame.io's links are: the client resolves it against the API.
            query = urlencode({"after": _encode_cursor(following), "page_size": size})
            next_link = f"{accounts_path}?{query}"
        return {"data": page, "links": {"next": next_link}, "total_count": len(everything)}


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    padded = cursor + "=" * (-len(cursor) % 4)
    text = base64.urlsafe_b64decode(padded.encode()).decode()
    if not text.startswith("offset:"):
        raise ValueError(cursor)
    return int(text.removeprefix("offset:"))


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
        provider: str = V4_SHAPE.provider,
        port: int = 0,
        token_ttl: int = 3600,
        refresh_ttl: int | None = None,
        redirect_uris: list[str] | None = None,
        refresh_tokens: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`provider` picks the shape (`frameio-v4` or `frameio-v2`). `refresh_tokens=False`
        stands in for an IMS credential that gets no refresh token. `clock` (seconds since
        the epoch) decides when tokens expire; tests move it forward."""
        if provider not in SHAPES:
            raise ValueError(f"the demo server has no {provider!r} shape")
        self.shape = SHAPES[provider]
        self.state = DemoState(self.shape, clock)
        self.token_ttl = token_ttl
        # IMS refresh tokens last 14 days; Frame.io V2's 30.
        days = 14 if self.shape is V4_SHAPE else 30
        self.refresh_ttl = refresh_ttl if refresh_ttl is not None else days * 24 * 3600
        self.refresh_tokens = refresh_tokens
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
        if self.shape is V4_SHAPE:
            return DEMO_NATIVE_REDIRECT
        return self.loopback_redirect_uri

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
        if self.shape is V4_SHAPE:
            redirects.insert(0, DEMO_NATIVE_REDIRECT)
        self.state.clients[DEMO_CLIENT_ID] = DemoClient(
            DEMO_CLIENT_ID, redirects, scope=self.shape.scopes, refresh_tokens=self.refresh_tokens
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
