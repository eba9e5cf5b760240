"""Fakes you can read: an in-memory keyring, one that drops what it is given, a clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

from keyring.backend import KeyringBackend
from keyring.compat import properties

from frameio_desktop.core.binding import endpoint_binding
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import Settings, load_settings
from frameio_desktop.core.tokens import TokenSet


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps entries in a dict, like a real one would on disk.

    Only used when passed in explicitly: keyring's discovery registers every subclass,
    and a priority that raises keeps this one out of it.
    """

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's classproperty
        raise RuntimeError("test-only backend; pass it in explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.entries:
            raise PasswordDeleteError(username)
        del self.entries[(service, username)]


class DroppingKeyring(MemoryKeyring):
    """Accepts writes and keeps nothing, as a misconfigured backend can."""

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


AUTH = "https://auth.example.test"
API = "https://api.example.test"
REDIRECT = "https://app.example.test/callback"


def make_settings(tmp_path: Path | None = None, /, **flags: str) -> Settings:
    """Settings from flags only: no environment, no .env, no settings file. V2-shaped
    (`/v2/me`, no account list) unless `provider` says otherwise."""
    base: dict[str, str] = {
        "provider": "frameio-v2",
        "client_id": "client-123",
        "redirect_uri": REDIRECT,
        "authorize_url": f"{AUTH}/oauth2/auth",
        "token_url": f"{AUTH}/oauth2/token",
        "account_url": f"{API}/v2/me",
        "revoke_url": f"{AUTH}/oauth2/revoke",
    }
    base.update(flags)
    nowhere = (tmp_path or Path("/nonexistent")) / "absent"
    return load_settings(
        base, environ={}, dotenv_path=nowhere / ".env", settings_path=nowhere / "s.json"
    )


def make_tokens(
    now: datetime,
    *,
    access: str = "access-1",
    refresh: str | None = "refresh-1",
    lifetime: float = 3600,
    extra: Mapping[str, object] | None = None,
) -> TokenSet:
    return TokenSet(
        access_token=access,
        token_type="Bearer",
        expires_at=now + timedelta(seconds=lifetime),
        refresh_token=refresh,
        refresh_expires_at=now + timedelta(days=30) if refresh else None,
        scope="offline account.read",
        obtained_at=now,
    )


def store_for(session: AuthSession, tokens: TokenSet) -> None:
    """Put tokens in the session's keyring entry as a sign-in under its settings would."""
    session.store.save(
        session.settings.store_key, tokens, binding=endpoint_binding(session.settings)
    )


def form_body(request: object) -> dict[str, list[str]]:
    """The form fields of a request `responses` recorded."""
    body = getattr(request, "body", None)
    if isinstance(body, bytes):
        body = body.decode()
    return parse_qs(body or "")
