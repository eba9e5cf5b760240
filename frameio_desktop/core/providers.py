"""Provider presets, and OpenID Connect discovery for the generic `oidc` provider."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlsplit

from frameio_desktop.core.errors import (
    ApiRetiredError,
    DiscoveryError,
    EndpointGoneError,
    HostNotFoundError,
    ServerError,
    WindowAction,
    WindowRemedy,
)
from frameio_desktop.core.urlnorm import normal_host

if TYPE_CHECKING:
    from frameio_desktop.core.http import HttpClient


@dataclass(frozen=True)
class ProviderPreset:
    """What is known about a provider before any setting is read."""

    name: str
    title: str
    authorize_url: str | None
    token_url: str | None
    account_url: str | None
    revoke_url: str | None
    issuer: str | None
    scopes: tuple[str, ...]
    #: Documented access-token lifetime, used when a token response leaves out
    #: `expires_in` (RFC 6749 section 5.1 lets the server document a default instead).
    access_token_lifetime: timedelta
    #: Documented refresh-token lifetime, when the provider publishes one.
    refresh_token_lifetime: timedelta | None
    #: Endpoints come from `<issuer>/.well-known/openid-configuration`.
    discovery: bool = False
    #: OpenID Connect Core 11: `offline_access` is ignored unless `prompt=consent`.
    offline_access_needs_consent: bool = False
    #: Adobe IMS: a public client names itself in the revocation request's query string.
    revoke_client_id_in_query: bool = False
    #: The day the provider's API stops answering (Frame.io V2: 2026-12-01).
    retires_on: date | None = None
    #: The preset to move to once this one is retired.
    successor: str | None = None
    #: The account lookup returns the user's accounts at `<API>/accounts` (Frame.io V4).
    lists_accounts: bool = False
    #: Keep the sign-in page's cookies between sign-ins by default, so an authorize request
    #: with `prompt=none` can renew a session that has no refresh token.
    persistent_web_profile: bool = False


FRAMEIO_V2 = ProviderPreset(
    name="frameio-v2",
    title="Frame.io (legacy V2)",
    authorize_url="https://applications.frame.io/oauth2/auth",
    token_url="https://applications.frame.io/oauth2/token",
    account_url="https://api.frame.io/v2/me",
    # The V2 document names no revocation endpoint; FRAMEIO_REVOKE_URL adds one.
    revoke_url=None,
    issuer=None,
    scopes=("offline", "account.read", "asset.read"),
    access_token_lifetime=timedelta(seconds=3600),
    refresh_token_lifetime=timedelta(days=30),
    retires_on=date(2026, 12, 1),
    successor="frameio-v4",
)

_IMS = "https://ims-na1.adobelogin.com"

FRAMEIO_V4 = ProviderPreset(
    name="frameio-v4",
    title="Frame.io V4 (Adobe IMS)",
    authorize_url=f"{_IMS}/ims/authorize/v2",
    token_url=f"{_IMS}/ims/token/v3",
    account_url="https://api.frame.io/v4/me",
    revoke_url=f"{_IMS}/ims/revoke",
    issuer=_IMS,
    scopes=("openid", "email", "profile", "offline_access", "additional_info.roles"),
    access_token_lifetime=timedelta(hours=24),
    refresh_token_lifetime=timedelta(days=14),
    revoke_client_id_in_query=True,
    lists_accounts=True,
    persistent_web_profile=True,
)

OIDC = ProviderPreset(
    name="oidc",
    title="OpenID Connect",
    authorize_url=None,
    token_url=None,
    account_url=None,
    revoke_url=None,
    issuer=None,
    scopes=("openid", "profile", "email", "offline_access"),
    access_token_lifetime=timedelta(hours=1),
    refresh_token_lifetime=None,
    discovery=True,
    offline_access_needs_consent=True,
)

PRESETS: dict[str, ProviderPreset] = {p.name: p for p in (FRAMEIO_V2, FRAMEIO_V4, OIDC)}
DEFAULT_PROVIDER = FRAMEIO_V4.name


def sunset_notice(
    preset: str, today: date, *, window: bool = False, settings: bool = True
) -> str | None:
    """What to tell a person who picked a retiring provider, or None.

    `today` is passed in (the local date where the CLI or window runs) so that tests set
    the clock. Before the retirement day the notice gives the date; from that day on it
    says the API is gone. Both name the preset to switch to: its flag for the command
    line, its name in Settings for the `window` (which offers `sunset_remedy`'s button);
    a window without `settings` (the demo, `login`) says to start the app with it instead.
    """
    found = PRESETS.get(preset)
    if found is None or found.retires_on is None:
        return None
    successor = PRESETS.get(found.successor) if found.successor else None
    if successor is None:
        switch = "another provider"
    elif window and settings:
        switch = f"{successor.title} in Settings"
    elif window:
        switch = f"{successor.title}: start the app again with it as the provider"
    else:
        switch = f"--provider {successor.name}"
    day = found.retires_on.isoformat()
    if today < found.retires_on:
        return f"{found.title} is retired on {day}: switch to {switch} before then."
    return f"{found.title} has been retired (since {day}): sign in with {switch}."


def sunset_remedy(preset: str) -> WindowRemedy | None:
    """The window's button beside a retiring provider's notice: the settings, with the
    provider to switch to chosen."""
    found = PRESETS.get(preset)
    if found is None or found.retires_on is None:
        return None
    return WindowRemedy(
        "", WindowAction.OPEN_SETTINGS, setting="provider", provider=found.successor
    )


def retired_api_error(preset: str, problem: Exception, today: date) -> ApiRetiredError | None:
    """The `ApiRetiredError` to raise instead of `problem`, when `problem` is how a retired
    API answers: an endpoint that is gone (HTTP 404 or 410), or, from the retirement day
    on, a host that no longer resolves. (Before that day an unresolved host is more likely
    a network without DNS, and stays a network error.)"""
    found = PRESETS.get(preset)
    if found is None or found.retires_on is None:
        return None
    gone = isinstance(problem, EndpointGoneError)
    unresolved = isinstance(problem, HostNotFoundError) and today >= found.retires_on
    if not (gone or unresolved):
        return None
    successor = PRESETS.get(found.successor) if found.successor else None
    return ApiRetiredError(
        found.title,
        found.retires_on,
        found.successor,
        successor_title=successor.title if successor is not None else None,
    )


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_secure_endpoint(url: str) -> bool:
    """https anywhere, http only on loopback (RFC 8252 section 8.3)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and is_loopback_host(parts.hostname)


#: Adobe IMS's hosts (`ims-na1.adobelogin.com` and its regional siblings).
IMS_DOMAIN = "adobelogin.com"
#: Where a person finds the redirect IMS accepts, in words any surface can show.
IMS_REDIRECT_WHERE = (
    "Adobe Developer Console shows it under your project's OAuth credential: "
    "Redirect URI for a Native App, Default redirect URI for a Single-Page App or Web App."
)


def is_ims_endpoint(url: str | None) -> bool:
    """`url` is on Adobe IMS itself (https on `adobelogin.com`), not a test server or a
    proxy standing in for it."""
    if not url:
        return False
    parts = urlsplit(url)
    # The host as a browser reads it: escapes decoded, other dots and full-width letters
    # mapped (IDNA), so `ims-na1.adobelogin.com%2e` is IMS here as it is there.
    host = normal_host(unquote(parts.hostname or "", errors="replace")).rstrip(".")
    return parts.scheme.lower() == "https" and (
        host == IMS_DOMAIN or host.endswith("." + IMS_DOMAIN)
    )


def ims_redirect_rule(
    redirect_uri: str, authorize_url: str | None, client_id: str | None = None
) -> str | None:
    """Why Adobe IMS would not accept `redirect_uri`, as sentences with no flag or variable
    name in them (the window shows them too), or None.

    Adobe documents that IMS never accepts an `http://` redirect, loopback included: a
    Native App credential redirects to `adobe+<hash>://adobeid/<client id>`, a Single-Page
    App or Web App one to `https://`. The rule holds only when `authorize_url` is IMS's own;
    with an endpoint override (a test server, a proxy) `http://` loopback stays allowed.
    """
    if not is_ims_endpoint(authorize_url):
        return None
    if urlsplit(redirect_uri).scheme.lower() != "http":
        return None
    native = f"adobe+<hash>://adobeid/{client_id or '<client id>'}"
    return (
        "Adobe IMS never accepts an http:// redirect. Use your credential's Native App "
        f"redirect ({native}) or an https:// one. {IMS_REDIRECT_WHERE}"
    )


class RedirectSettings(Protocol):
    """What `ims_redirect_problem` reads of `Settings` (named here, not imported: settings
    import this module)."""

    @property
    def redirect_uri(self) -> str: ...
    @property
    def authorize_url(self) -> str | None: ...
    @property
    def client_id(self) -> str: ...


def ims_redirect_problem(settings: RedirectSettings) -> str | None:
    """`ims_redirect_rule` for loaded settings: why IMS would refuse their redirect URI, or
    None. (`load_settings` already refuses such settings; `doctor` asks this to explain.)"""
    return ims_redirect_rule(settings.redirect_uri, settings.authorize_url, settings.client_id)


@dataclass(frozen=True)
class DiscoveredEndpoints:
    authorize_url: str
    token_url: str
    account_url: str | None
    revoke_url: str | None
    issuer: str
    #: RFC 9207: the server promises an `iss` on every authorization response.
    iss_parameter_supported: bool


def discover(http: HttpClient, issuer: str) -> DiscoveredEndpoints:
    """Read `<issuer>/.well-known/openid-configuration` and check it names this issuer."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = http.request("GET", url)
    if response.status_code >= 500:
        raise ServerError(response.status_code, urlsplit(url).hostname or url)
    from frameio_desktop.core.http import json_body

    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict):
        raise DiscoveryError(
            f"{url} did not return an OpenID configuration (HTTP {response.status_code})."
        )
    # OpenID Connect Discovery 1.0 section 4.3: the issuer must match exactly.
    if body.get("issuer") != issuer:
        raise DiscoveryError(
            f"The OpenID configuration at {url} names the issuer {body.get('issuer')!r}, "
            f"not {issuer!r}."
        )
    authorize_url = _endpoint(body, "authorization_endpoint", required=True)
    token_url = _endpoint(body, "token_endpoint", required=True)
    assert authorize_url is not None
    assert token_url is not None
    return DiscoveredEndpoints(
        authorize_url=authorize_url,
        token_url=token_url,
        account_url=_endpoint(body, "userinfo_endpoint", required=False),
        revoke_url=_endpoint(body, "revocation_endpoint", required=False),
        issuer=issuer,
        iss_parameter_supported=body.get("authorization_response_iss_parameter_supported") is True,
    )


def _endpoint(body: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not is_secure_endpoint(value):
        raise DiscoveryError(
            f"The OpenID configuration's {name} is missing or not an https:// URL."
        )
    return value
