"""Who is signed in: Frame.io V2 `/v2/me`, V4 `/v4/me` and OpenID Connect userinfo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from frameio_desktop.core.errors import (
    EndpointGoneError,
    ServerError,
    TokenRejectedError,
    UnexpectedResponseError,
    server_text,
)

if TYPE_CHECKING:
    import requests

    from frameio_desktop.core.http import HttpClient


@dataclass(frozen=True)
class User:
    id: str | None
    name: str | None
    email: str | None
    account_id: str | None

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.id or "Signed-in user"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> User:
        return cls(
            id=_text(data.get("id")),
            name=_text(data.get("name")),
            email=_text(data.get("email")),
            account_id=_text(data.get("account_id")),
        )

    def to_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "account_id": self.account_id,
        }


def _text(value: Any) -> str | None:
    """A string the API sent, as it may be shown: names are chosen by others (an account
    someone invited the person to), so, like a server's error text, without controls
    (terminal escapes, bidirectional overrides) and bounded (`errors.server_text`)."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    return server_text(str(value))


def parse_user(body: object) -> User:
    """Understands the three shapes:

    - V2: the user at top level (`id`, `name`, `email`, `account_id`, ...);
    - V4: `{"data": {...}}` around the user;
    - OpenID Connect userinfo: `sub`, `name` or `given_name`/`family_name`, `email`.
    """
    if not isinstance(body, dict):
        raise UnexpectedResponseError("The account lookup did not return a JSON object.")
    user = body.get("data") if isinstance(body.get("data"), dict) else body
    assert isinstance(user, dict)
    name = _text(user.get("name"))
    if name is None:
        parts = [
            _text(user.get(key)) for key in ("first_name", "given_name", "last_name", "family_name")
        ]
        name = " ".join(p for p in parts if p) or _text(user.get("preferred_username"))
    user = User(
        id=_text(user.get("id")) or _text(user.get("sub")),
        name=name,
        email=_text(user.get("email")),
        account_id=_text(user.get("account_id")),
    )
    if user.id is None and user.email is None:
        raise UnexpectedResponseError("The account lookup returned no user id or email.")
    return user


def fetch_user(http: HttpClient, url: str, access_token: str) -> User:
    response = http.request(
        "GET",
        url,
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    raise_for_api_status(response, url, "account lookup")
    from frameio_desktop.core.http import json_body

    return parse_user(json_body(response))


def raise_for_api_status(response: requests.Response, url: str, what: str) -> None:
    """The typed error for an API answer other than 200 (401: the token is refused)."""
    host = urlsplit(url).hostname or url
    if response.status_code == 401:
        raise TokenRejectedError()
    if response.status_code >= 500:
        raise ServerError(response.status_code, host)
    if response.status_code in (404, 410):
        raise EndpointGoneError(response.status_code, host)
    if response.status_code != 200:
        raise UnexpectedResponseError(f"The {what} at {host} answered HTTP {response.status_code}.")
