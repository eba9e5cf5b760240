"""What `status` and `accounts` report, whatever the state: one object, built without Qt.

Scripts parse `status --json` and `accounts --json` on stdout, so both print their object
in every outcome: nobody signed in, a locked keyring, bad settings, offline. Offline,
`status` reports what is stored (the account, the account ID, the expiry) and says that
the server could not be asked (`StatusUncheckedError`, exit 9).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from frameio_desktop.core import errors
from frameio_desktop.core.errors import ExitCode

if TYPE_CHECKING:
    from frameio_desktop.core.accounts import FrameioAccount
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.core.settings import Settings
    from frameio_desktop.core.tokens import TokenSet
    from frameio_desktop.core.user import User


@dataclass(frozen=True)
class Identity:
    """Which sign-in a report is about, as far as the settings could be read."""

    provider: str | None
    profile: str | None
    client_id: str | None

    @classmethod
    def of(cls, settings: Settings) -> Identity:
        return cls(settings.provider, settings.profile, settings.client_id)

    @classmethod
    def from_raw(cls, flags: Mapping[str, str | None]) -> Identity:
        """The raw values, for settings that do not validate (a report still names them)."""
        from frameio_desktop.core.providers import DEFAULT_PROVIDER
        from frameio_desktop.core.settings import resolve_values

        try:
            values, _ = resolve_values(flags)
        except errors.FrameioDesktopError:
            values = {}
        return cls(
            values.get("provider", DEFAULT_PROVIDER),
            values.get("profile", "default"),
            values.get("client_id"),
        )


@dataclass(frozen=True)
class StatusReport:
    """Everything `status` says. `problem` decides the exit code; `checked` is False when
    the server could not be asked and what is shown is what was stored."""

    identity: Identity
    tokens: TokenSet | None = None
    user: User | None = None
    account_id: str | None = None
    accounts: list[FrameioAccount] | None = None
    keyring_backend: str | None = None
    checked: bool = False
    problem: errors.FrameioDesktopError | None = None

    @property
    def signed_in(self) -> bool:
        if self.tokens is None:
            return False
        # Exit 4 ("sign in again") whatever the class: an expired refresh, an API that
        # refuses even a refreshed token.
        return self.problem is None or self.problem.exit_code != ExitCode.SESSION_EXPIRED

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK if self.problem is None else self.problem.exit_code

    def to_json(self) -> dict[str, Any]:
        tokens = self.tokens
        return {
            "signed_in": self.signed_in,
            "checked_with_server": self.checked,
            "provider": self.identity.provider,
            "profile": self.identity.profile,
            "client_id": self.identity.client_id,
            "account": self.user.to_json() if self.user else None,
            "account_id": self.account_id,
            "accounts": [a.to_json() for a in self.accounts] if self.accounts is not None else None,
            "signed_in_until": _iso(tokens.signed_in_until if tokens else None),
            "access_token_expires_at": _iso(tokens.expires_at if tokens else None),
            "refresh_token_expires_at": _iso(tokens.refresh_expires_at if tokens else None),
            "has_refresh_token": bool(tokens and tokens.refresh_token),
            "keyring_backend": self.keyring_backend,
            "reason": None if self.signed_in else _message(self.problem),
            "error": _message(self.problem),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _message(problem: errors.FrameioDesktopError | None) -> str | None:
    return problem.user_message if problem is not None else None


def stored_tokens(session: AuthSession) -> TokenSet:
    """The stored tokens (no network), or the reason there are none
    (`AuthSession.why_not_signed_in`)."""
    session.store.check_secure()
    tokens = session.load()
    if tokens is None:
        raise session.why_not_signed_in()
    return tokens


def _backend_name(session: AuthSession) -> str | None:
    try:
        return session.store.backend_name
    except Exception:  # noqa: BLE001 - a report names the backend only if it can
        return None


def status_report(session: AuthSession) -> StatusReport:
    """Ask the server who is signed in (`/v4/me` and the account list); offline, what is
    stored, with `StatusUncheckedError`. Never raises a `FrameioDesktopError`."""
    identity = Identity.of(session.settings)
    backend = _backend_name(session)
    try:
        tokens = stored_tokens(session)
    except errors.FrameioDesktopError as exc:
        return StatusReport(identity, keyring_backend=backend, problem=exc)
    try:
        account = session.user()
    except errors.TransportError as exc:
        # Offline or a failing server: what the keyring holds is still true.
        stored = session.known_user
        return StatusReport(
            identity,
            tokens=session.tokens or tokens,
            user=stored,
            account_id=session.account_id or (stored.account_id if stored else None),
            keyring_backend=backend,
            problem=errors.StatusUncheckedError(exc),
        )
    except errors.FrameioDesktopError as exc:
        return StatusReport(
            identity,
            tokens=session.tokens or tokens,
            account_id=session.account_id,
            accounts=session.accounts,
            keyring_backend=backend,
            checked=True,
            problem=exc,
        )
    return StatusReport(
        identity,
        tokens=session.tokens or tokens,
        user=account,
        account_id=session.account_id,
        accounts=session.accounts,
        keyring_backend=backend,
        checked=True,
    )


def accounts_json(
    identity: Identity,
    *,
    account_id: str | None,
    accounts: list[FrameioAccount] | None,
    problem: errors.FrameioDesktopError | None = None,
    signed_in: bool = True,
) -> dict[str, Any]:
    """`accounts --json`: the list with the default marked, or, when it cannot be read,
    what is known (the stored default account ID) and why."""
    return {
        "signed_in": signed_in,
        "provider": identity.provider,
        "profile": identity.profile,
        "account_id": account_id,
        "accounts": (
            [{**a.to_json(), "default": a.id == account_id} for a in accounts]
            if accounts is not None
            else None
        ),
        "error": _message(problem),
    }


def status_text(report: StatusReport, settings: Settings, now: datetime) -> str:
    """`status` for people: who, until when, the tokens' expiry, the keyring. Nothing
    when nobody is signed in (the reason goes to stderr)."""
    from frameio_desktop.core.timefmt import format_expiry

    tokens = report.tokens
    if tokens is None:
        return ""
    account = report.user
    who = "unknown"
    if account is not None:
        who = account.display_name + (f" <{account.email}>" if account.email else "")
    unchecked = "" if report.checked else " (stored; not checked with the server)"
    until = tokens.signed_in_until
    lines = [
        f"Signed in to {settings.title}, profile {settings.profile}",
        (
            f"Signed in until {format_expiry(until, now)}"
            if until is not None
            else "Signed in (renewed automatically; the server states no end)"
        ),
        f"  account:        {who}{unchecked if account is not None else ''}",
    ]
    if account is not None:
        lines.append(f"  user id:        {account.id or '-'}")
    lines.append(f"  account id:     {report.account_id or '-'}")
    if report.accounts:
        lines.append(f"  accounts:       {len(report.accounts)} (frameio-desktop accounts)")
    lines += [
        f"  access token:   expires {format_expiry(tokens.expires_at, now)}",
        "  refresh token:  "
        + (
            f"expires {format_expiry(tokens.refresh_expires_at, now)}"
            if tokens.refresh_token
            else "none"
        ),
        f"  keyring:        {report.keyring_backend or '-'}",
    ]
    if not report.checked:
        lines.append("  server:         not reached; the above is what is stored")
    return "\n".join(lines) + "\n"
