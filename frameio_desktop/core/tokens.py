"""The token model: what a token response becomes, with absolute, timezone-aware expiries."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from frameio_desktop.core.errors import InvalidTokenResponseError, StoredDataError

# `logging` and `redact` are imported where they are used: `frameio-desktop token` reads
# a stored token through this module, and neither is on its path.

Clock = Callable[[], datetime]

#: Longer lifetimes than this are cut to it: a server claiming a token lasts for decades is
#: wrong or hostile, and the app would rather refresh early than trust it.
MAX_LIFETIME = timedelta(days=366)


def min_ttl(seconds: float) -> timedelta:
    """How long a token handed to a script must still be valid (`token --min-ttl`,
    `get_token(min_ttl=...)`): at least 0; more than `MAX_LIFETIME` no token can meet
    (and timedelta cannot hold much more), so it is a `ValueError` saying so."""
    if not math.isfinite(seconds) or seconds > MAX_LIFETIME.total_seconds():
        raise ValueError(
            f"min_ttl must be at most {int(MAX_LIFETIME.total_seconds())} seconds "
            f"({MAX_LIFETIME.days} days): no token lasts longer"
        )
    return timedelta(seconds=max(0.0, seconds))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, repr=False)
class TokenSet:
    access_token: str
    token_type: str
    #: When the access token stops working, computed from local receipt time.
    expires_at: datetime
    refresh_token: str | None
    #: When the refresh token stops working, where the server says or the provider documents.
    refresh_expires_at: datetime | None
    scope: str | None
    obtained_at: datetime

    def __repr__(self) -> str:
        from frameio_desktop.core.redact import mask

        return (
            f"TokenSet(access_token={mask(self.access_token)}, "
            f"refresh_token={mask(self.refresh_token)}, token_type={self.token_type!r}, "
            f"expires_at={self.expires_at.isoformat()}, scope={self.scope!r})"
        )

    __str__ = __repr__

    def seconds_left(self, now: datetime) -> float:
        return (self.expires_at - now).total_seconds()

    def is_fresh(self, now: datetime, min_ttl: timedelta = timedelta(0)) -> bool:
        """The access token will still be valid `min_ttl` from `now`."""
        return self.expires_at - now > min_ttl

    @property
    def signed_in_until(self) -> datetime | None:
        """Until when this sign-in lasts without the person: the refresh token's expiry
        (None if a refresh token never stated one), or, with no refresh token, the access
        token's. What "Signed in until <local time>" shows."""
        if self.refresh_token:
            return self.refresh_expires_at
        return self.expires_at

    def refresh_usable(self, now: datetime) -> bool:
        if not self.refresh_token:
            return False
        return self.refresh_expires_at is None or self.refresh_expires_at > now

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_at": self.expires_at.isoformat(),
            "refresh_token": self.refresh_token,
            "refresh_expires_at": (
                self.refresh_expires_at.isoformat() if self.refresh_expires_at else None
            ),
            "scope": self.scope,
            "obtained_at": self.obtained_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TokenSet:
        try:
            refresh_expires = data.get("refresh_expires_at")
            return cls(
                access_token=str(data["access_token"]),
                token_type=str(data["token_type"]),
                expires_at=_aware(datetime.fromisoformat(data["expires_at"])),
                refresh_token=data.get("refresh_token") or None,
                refresh_expires_at=(
                    _aware(datetime.fromisoformat(refresh_expires)) if refresh_expires else None
                ),
                scope=data.get("scope"),
                obtained_at=_aware(datetime.fromisoformat(data["obtained_at"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StoredDataError() from exc


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime in stored tokens")
    return value


#: Longest token accepted. Real ones are a few KiB (Adobe IMS JWTs about 1.5 KiB); a larger
#: one would fill the keyring with chunks and every request's headers.
MAX_TOKEN_CHARS = 16 * 1024


def _token_shaped(value: str) -> bool:
    """RFC 6749 appendix A.12/A.17: a token is visible ASCII (VSCHAR). Spaces are refused
    too: the access token goes into an `Authorization: Bearer` header, where one would
    split it."""
    return 0 < len(value) <= MAX_TOKEN_CHARS and all("!" <= ch <= "~" for ch in value)


def _check_token(raw: object, what: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise InvalidTokenResponseError(f"The sign-in server's reply has no {what}.")
    if len(raw) > MAX_TOKEN_CHARS:
        raise InvalidTokenResponseError(
            f"The sign-in server sent an {what} of {len(raw)} characters; more than "
            f"{MAX_TOKEN_CHARS} is not accepted."
        )
    if not _token_shaped(raw):
        raise InvalidTokenResponseError(
            f"The sign-in server sent an {what} with characters a token may not contain "
            "(RFC 6749 allows visible ASCII only)."
        )
    return raw


def _seconds(raw: object) -> int | float | None:
    """A JSON number, or a string of ASCII digits, as a number; None for anything else.

    Python's `str.isdigit` accepts "²" and other digits `float()` refuses, and a 400-digit
    JSON integer overflows `float()`: neither may escape as a bare exception."""
    if isinstance(raw, bool):
        return None  # bool is an int subclass; `true` is not a lifetime.
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return raw if math.isfinite(raw) else None
    if isinstance(raw, str):
        text = raw.strip()
        # Some servers send numbers as strings ("3600"); accept ASCII digits only.
        if text and len(text) <= 40 and text.isascii() and text.isdigit():
            return int(text)
    return None


def _lifetime(raw: object, field: str, *, strict: bool) -> timedelta | None:
    """Seconds from a response field. Returns None when absent (or invalid and not strict)."""
    if raw is None:
        return None
    seconds = _seconds(raw)
    if seconds is None:
        if strict:
            raise InvalidTokenResponseError(
                f"The sign-in server sent {field}={_short(raw)}, which is not a number of seconds."
            )
        return None
    if seconds <= 0:
        if strict:
            raise InvalidTokenResponseError(
                f"The sign-in server sent a token that has already expired ({field}={_short(raw)})."
            )
        return None
    # Compared before any conversion: a huge int must not reach float() or timedelta().
    if seconds > MAX_LIFETIME.total_seconds():
        import logging

        logging.getLogger(__name__).info("%s of %s s cut to %s", field, _short(raw), MAX_LIFETIME)
        return MAX_LIFETIME
    return timedelta(seconds=seconds)


def _short(raw: object) -> str:
    """A server-sent value for a message: bounded, and never a wall of digits."""
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_token_response(
    body: object,
    *,
    now: datetime,
    default_lifetime: timedelta,
    default_refresh_lifetime: timedelta | None,
    previous: TokenSet | None = None,
) -> TokenSet:
    """Validate a successful token response (RFC 6749 section 5.1) into a `TokenSet`.

    - `expires_in` absent: the provider's documented lifetime. Zero, negative, non-numeric:
      refused. Over a year: cut to a year.
    - No `refresh_token` in a refresh reply: the previous one (and its expiry) is kept.
    """
    if not isinstance(body, dict):
        raise InvalidTokenResponseError("The sign-in server's token response is not a JSON object.")
    access_token = _check_token(body.get("access_token"), "access token")
    token_type = body.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise InvalidTokenResponseError(
            f"The sign-in server issued a token of type {_short(token_type)}; only bearer tokens "
            "are supported."
        )
    lifetime = _lifetime(body.get("expires_in"), "expires_in", strict=True) or default_lifetime

    refresh_token = body.get("refresh_token")
    if refresh_token is not None:
        refresh_token = _check_token(refresh_token, "refresh token")
    refresh_lifetime = _lifetime(
        body.get("refresh_expires_in", body.get("refresh_token_expires_in")),
        "refresh_expires_in",
        strict=False,
    )
    refresh_expires_at: datetime | None
    if refresh_token:
        refresh_lifetime = refresh_lifetime or default_refresh_lifetime
        refresh_expires_at = now + refresh_lifetime if refresh_lifetime else None
    elif previous is not None:
        refresh_token = previous.refresh_token
        refresh_expires_at = previous.refresh_expires_at
    else:
        refresh_expires_at = None

    scope = body.get("scope")
    if not isinstance(scope, str) or len(scope) > MAX_TOKEN_CHARS or not scope.isprintable():
        scope = previous.scope if previous else None
    return TokenSet(
        access_token=access_token,
        token_type="Bearer",
        expires_at=now + lifetime,
        refresh_token=refresh_token,
        refresh_expires_at=refresh_expires_at,
        scope=scope,
        obtained_at=now,
    )


def expired_copy(tokens: TokenSet, now: datetime) -> TokenSet:
    """The same tokens with the access token marked expired (forces the next refresh): as
    if obtained one lifetime before `now`, so the lifetime the server gave is kept."""
    return replace(
        tokens, expires_at=now, obtained_at=now - (tokens.expires_at - tokens.obtained_at)
    )
