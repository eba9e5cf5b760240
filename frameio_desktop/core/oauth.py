"""Token endpoint calls: code exchange, refresh, revocation (RFC 6749, RFC 7636, RFC 7009).

Why not Authlib's `OAuth2Session` for these calls: it is a `requests.Session` subclass that
keeps one flow's token and state on itself, so it cannot be the one shared session; and on
a non-JSON body or an HTTP 5xx it raises bare `ValueError`s or generic errors where this
app needs one typed error per failure a person must be told about. Authlib still builds the
authorize URL and the PKCE challenge (`flow.py`) and runs the demo server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from frameio_desktop.core.errors import (
    OAUTH_ERRORS,
    EndpointGoneError,
    HostNotFoundError,
    InvalidTokenResponseError,
    OAuthError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from frameio_desktop.core.flow import PendingSignIn
from frameio_desktop.core.http import HttpClient, json_body
from frameio_desktop.core.providers import retired_api_error
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.tokens import Clock, TokenSet, parse_token_response, utc_now

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RevokeResult:
    attempted: bool
    ok: bool
    error: str | None = None


class TokenClient:
    """Talks to one provider's token and revocation endpoints."""

    def __init__(self, settings: Settings, http: HttpClient, *, clock: Clock = utc_now) -> None:
        if settings.token_url is None:
            raise ValueError("endpoints not resolved; call discovery first")
        self.settings = settings
        self.http = http
        self.clock = clock

    # -- requests ------------------------------------------------------------------------

    def _post(
        self, url: str, form: dict[str, str], *, client_id_in_query: bool = False
    ) -> requests.Response:
        # A PKCE (public) client sends client_id in the body and no Authorization header
        # (in the query string where the provider wants it there: IMS revocation);
        # a confidential one uses HTTP Basic, as the Frame.io document shows.
        auth: tuple[str, str] | None = None
        if self.settings.client_secret:
            auth = (self.settings.client_id, self.settings.client_secret)
        elif client_id_in_query:
            from authlib.common.urls import add_params_to_uri

            url = add_params_to_uri(url, [("client_id", self.settings.client_id)])
        else:
            form = {**form, "client_id": self.settings.client_id}
        return self.http.request(
            "POST", url, data=form, auth=auth, headers={"Accept": "application/json"}
        )

    def _token_request(self, form: dict[str, str], previous: TokenSet | None) -> TokenSet:
        assert self.settings.token_url is not None
        try:
            response = self._post(self.settings.token_url, form)
            now = self.clock()
            body = json_body(response)
            if response.status_code == 200:
                return parse_token_response(
                    body,
                    now=now,
                    default_lifetime=self.settings.access_token_lifetime,
                    default_refresh_lifetime=self.settings.refresh_token_lifetime,
                    previous=previous,
                )
            raise _token_error(response, body)
        except (EndpointGoneError, HostNotFoundError) as exc:
            retired = retired_api_error(self.settings.provider, exc, self.clock().date())
            if retired is not None:
                raise retired from exc
            raise

    # -- grants --------------------------------------------------------------------------

    def exchange_code(self, pending: PendingSignIn, code: str) -> TokenSet:
        """Authorization code -> tokens. Always sends the PKCE `code_verifier`."""
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": pending.redirect_uri,
                "code_verifier": pending.code_verifier,
            },
            previous=None,
        )

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """Refresh. A rotated refresh token replaces the old one; none returned keeps it."""
        if not tokens.refresh_token:
            raise ValueError("no refresh token")
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
        return self._token_request(form, previous=tokens)

    def revoke(self, token: str, hint: str) -> RevokeResult:
        """RFC 7009 revocation; a 503 is retried once. Never raises for a server answer."""
        url = self.settings.revoke_url
        if url is None:
            return RevokeResult(attempted=False, ok=False, error="no revocation endpoint")
        form = {"token": token, "token_type_hint": hint}
        last_error = ""
        for _attempt in range(2):
            try:
                response = self._post(
                    url, form, client_id_in_query=self.settings.revoke_client_id_in_query
                )
            except TransportError as exc:
                return RevokeResult(attempted=True, ok=False, error=exc.user_message)
            if response.status_code == 200:
                return RevokeResult(attempted=True, ok=True)
            last_error = f"HTTP {response.status_code}"
            if response.status_code != 503:
                break
        log.warning("revocation at %s failed: %s", urlsplit(url).hostname, last_error)
        return RevokeResult(attempted=True, ok=False, error=last_error)

    def revoke_all(self, token_sets: list[TokenSet]) -> list[RevokeResult]:
        """Revoke each distinct token once: refresh tokens first (RFC 7009 section 2.1:
        that usually ends the whole grant), then access tokens."""
        refresh = [t.refresh_token for t in token_sets if t.refresh_token]
        access = [t.access_token for t in token_sets]
        results = [self.revoke(token, "refresh_token") for token in dict.fromkeys(refresh)]
        results += [self.revoke(token, "access_token") for token in dict.fromkeys(access)]
        return results


def _token_error(response: requests.Response, body: object) -> Exception:
    host = urlsplit(response.url or "").hostname or "the sign-in server"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        code = body["error"]
        description = body.get("error_description")
        cls = OAUTH_ERRORS.get(code, OAuthError)
        return cls(description if isinstance(description, str) else None, error=code)
    if response.status_code >= 500:
        return ServerError(response.status_code, host)
    if response.status_code in (404, 410):
        return EndpointGoneError(response.status_code, host)
    if response.status_code == 200:
        return InvalidTokenResponseError("The sign-in server's token response is not JSON.")
    return UnexpectedResponseError(
        f"The sign-in server answered HTTP {response.status_code} without an OAuth error."
    )
