"""The two-step authorization-code flow with PKCE (RFC 6749 section 4.1, RFC 7636).

`begin_sign_in()` returns a `PendingSignIn` that holds everything the second step needs: the
authorize URL, the state and the code verifier. An embedded web view only has to hand back
the URL it caught; `PendingSignIn.take_code()` checks it (no network) and the token client
exchanges the code.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from frameio_desktop.core.errors import (
    INTERACTION_ERRORS,
    AuthorizationDeniedError,
    AuthorizationResponseError,
    AuthorizationServerError,
    DuplicateParameterError,
    FlowAlreadyUsedError,
    IssuerMismatchError,
    MissingCodeError,
    RedirectMismatchError,
    StateMismatchError,
    UnknownRedirectError,
)
from frameio_desktop.core.redact import mask
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.urlnorm import DEFAULT_PORTS, canonical_path, normal_host

#: Refusals that say a URL is not this sign-in's answer (rather than its answer saying
#: no): a listener answers them and keeps waiting for the real one.
FOREIGN_ANSWER_ERRORS: tuple[type[AuthorizationResponseError], ...] = (
    RedirectMismatchError,
    DuplicateParameterError,
    IssuerMismatchError,
    StateMismatchError,
)


def new_code_verifier() -> str:
    """43 characters of base64url from 32 random bytes (RFC 7636 section 4.1)."""
    return secrets.token_urlsafe(32)


def new_state() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class PendingSignIn:
    """One started sign-in. Single use: the first accepted redirect claims it."""

    authorize_url: str
    redirect_uri: str
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)
    issuer: str | None = None
    require_iss: bool = False
    _claimed: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __repr__(self) -> str:
        return (
            f"PendingSignIn(redirect_uri={self.redirect_uri!r}, state={mask(self.state)}, "
            f"claimed={self._claimed})"
        )

    @property
    def claimed(self) -> bool:
        return self._claimed

    def take_code(self, redirect_url: str) -> str:
        """Check the URL the sign-in page redirected to and return the code, once.

        Raises an `AuthorizationResponseError` subclass for every way the URL is wrong; a
        refused URL does not use up the flow, an accepted one does.
        """
        code = self.check_redirect(redirect_url)
        with self._lock:
            if self._claimed:
                raise FlowAlreadyUsedError()
            self._claimed = True
        return code

    def check_redirect(self, redirect_url: str) -> str:
        """Every check `take_code` makes, without using up the flow: what a redirect
        listener asks before it hands a URL on (and answers the browser accordingly).

        An error in `FOREIGN_ANSWER_ERRORS` means the URL is not this sign-in's answer at
        all (another address, another state); any other is this sign-in's own answer.
        """
        if self._claimed:
            raise FlowAlreadyUsedError()
        if not redirect_matches(self.redirect_uri, redirect_url):
            if carries_answer(redirect_url, self.state):
                raise UnknownRedirectError(answer_host(redirect_url))
            raise RedirectMismatchError()
        params = _single_valued(urlsplit(redirect_url).query)
        # RFC 9207: reject a response from another issuer (mix-up attacks).
        iss = params.get("iss")
        if iss is not None and self.issuer is not None and iss != self.issuer:
            raise IssuerMismatchError()
        if iss is None and self.require_iss:
            raise IssuerMismatchError(
                "The sign-in server promised an iss parameter and did not send one."
            )
        state = params.get("state")
        # Compared as bytes: compare_digest raises TypeError for a non-ASCII str, and the
        # state in a redirect may be anything (surrogatepass: even a lone surrogate).
        if not state or not secrets.compare_digest(
            state.encode("utf-8", "surrogatepass"), self.state.encode("utf-8")
        ):
            raise StateMismatchError()
        error = params.get("error")
        if error is not None:
            description = params.get("error_description")
            if error == "access_denied":
                raise AuthorizationDeniedError(error, description)
            if error in INTERACTION_ERRORS:
                raise INTERACTION_ERRORS[error](error, description)
            raise AuthorizationServerError(error, description)
        code = params.get("code")
        if not code:
            raise MissingCodeError()
        return code


def begin_sign_in(
    settings: Settings, *, prompt: str | None = None, redirect_uri: str | None = None
) -> PendingSignIn:
    """Start a sign-in: fresh state and verifier, S256 challenge, the authorize URL.

    `prompt="none"` asks for a silent renewal: the server answers at once, with a code from
    its own session (its cookies in the sign-in view's profile) or with
    `error=login_required` / `interaction_required` / `consent_required`, which
    `PendingSignIn.take_code` raises as `InteractionRequiredError` subclasses. It replaces
    any `prompt` the settings add (OIDC's `prompt=consent` would need a page).
    `prompt="login"` makes the server ask for the sign-in again.

    `redirect_uri` replaces the configured one for this sign-in only: a loopback listener
    on a port the system chose (RFC 8252 section 7.3) passes the address it really
    listens on, and the authorize request, the redirect check and the code exchange all
    use that one.
    """
    redirect_uri = redirect_uri or settings.redirect_uri
    if settings.authorize_url is None:
        raise ValueError("endpoints not resolved; call discovery first")
    # Imported here: `token` and silent sign-in never build an authorize URL.
    from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    extra = dict(settings.authorize_params)
    if prompt is not None:
        extra["prompt"] = prompt
    verifier = new_code_verifier()
    state = new_state()
    url = prepare_grant_uri(
        settings.authorize_url,
        client_id=settings.client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=settings.scope,
        state=state,
        code_challenge=create_s256_code_challenge(verifier),
        # Adobe IMS defaults to `plain` when this is left out.
        code_challenge_method="S256",
        **extra,
    )
    return PendingSignIn(
        authorize_url=url,
        redirect_uri=redirect_uri,
        state=state,
        code_verifier=verifier,
        issuer=settings.issuer,
        require_iss=settings.require_iss,
    )


def carries_answer(url: str, state: str) -> bool:
    """`url` carries the answer to the sign-in whose state is `state`: that state, and a
    `code` or an `error` (RFC 6749 section 4.1.2), in its query or its fragment. An
    address that merely mentions the state (a provider's own login page may) is not one.
    """
    if not state:
        return False
    parts = urlsplit(url)
    for part in (parts.query, parts.fragment):
        names: dict[str, list[str]] = {}
        for name, value in parse_qsl(part, keep_blank_values=True):
            names.setdefault(name, []).append(value)
        sent = names.get("state", [])
        if not any(
            secrets.compare_digest(value.encode("utf-8", "surrogatepass"), state.encode())
            for value in sent
        ):
            continue
        if "code" in names or "error" in names:
            return True
    return False


def answer_host(url: str) -> str:
    """Where an answer was sent, for a person: the host (and port), or the scheme."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme.lower() not in ("http", "https", "ws", "wss"):
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme else "another address"
    if parts.hostname:
        return parts.hostname + (f":{port}" if port else "")
    return "another address"


def _single_valued(query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in params:
            raise DuplicateParameterError(name)
        params[name] = value
    return params


def _origin_and_path(url: str) -> tuple[str, str, int | None, str] | None:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if port is None:
        port = DEFAULT_PORTS.get(scheme)
    return scheme, normal_host(parts.hostname), port, canonical_path(parts.path)


def redirect_matches(registered: str, actual: str) -> bool:
    """Exact match of scheme, host, port and path; no user info, no fragment.

    Both sides are read in Chromium's canonical form (`urlnorm`): an internationalised
    host as punycode, a non-ASCII path percent-encoded, no path as `/`. Escapes of ASCII
    characters are compared as written: `/%63b` is not `/cb`. The registered URI's own
    query parameters (RFC 6749 section 3.1.2 allows them) must be present with the same
    values.
    """
    reg_parts = urlsplit(registered)
    act_parts = urlsplit(actual)
    if act_parts.username is not None or act_parts.password is not None or "@" in act_parts.netloc:
        return False
    if act_parts.fragment or "#" in actual:
        return False
    # The raw host must not smuggle anything past the comparison: no percent-encoding,
    # no trailing dot.
    if "%" in act_parts.netloc or (act_parts.hostname or "").endswith("."):
        return False
    reg = _origin_and_path(registered)
    act = _origin_and_path(actual)
    if reg is None or act is None or reg != act:
        return False
    if reg_parts.query:
        try:
            actual_params = _single_valued(act_parts.query)
        except DuplicateParameterError:
            return False
        for name, value in parse_qsl(reg_parts.query, keep_blank_values=True):
            if actual_params.get(name) != value:
                return False
    return True
