"""Fresh access tokens for Python scripts and Frame.io's SDK, without the command line.

    import frameio_desktop
    from frameio import Frameio

    client = Frameio(token=frameio_desktop.token_provider())
    me = client.users.show()

The same rules as `frameio-desktop token`: the running app is asked first (over its
per-user socket, `core/agent`; it answers only for the sign-in these settings name, and
renews first if it must), else the system keyring is read; a token with less than
`min_ttl` seconds left is refreshed first, and the refresh is serialised across processes
by the same file lock, so many scripts at once refresh once. Nothing here imports Qt; the
session and its dependencies are imported on first use (and not at all while the app
answers), so `import frameio_desktop` stays cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frameio_desktop.core.agent.client import AppToken
    from frameio_desktop.core.session import AuthSession


def open_session(
    profile: str | None = None, settings: Mapping[str, str] | None = None
) -> AuthSession:
    """The stored sign-in for `profile`, with settings read as the command line reads them
    (environment, `.env`, the settings file; `settings` plays the part of flags)."""
    import logging  # here: a fresh stored token (`stored_token`) is read without it

    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.core.settings import load_settings

    flags: dict[str, str | None] = dict(settings or {})
    if profile is not None:
        flags["profile"] = profile
    loaded = load_settings(flags)
    for warning in loaded.warnings:  # a `.env`'s ignored keys, unknown settings-file keys
        logging.getLogger("frameio_desktop").warning("%s", warning)
    return AuthSession(loaded)


def fresh_access_token(
    session: AuthSession, min_ttl: float = 60, *, timeout: float | None = None
) -> str:
    """An access token valid for at least `min_ttl` seconds, refreshed if needed, within
    `timeout` seconds if given (the wait for another process's refresh included).

    Raises `ValueError` for a `min_ttl` no token can meet (over `MAX_LIFETIME`), else the
    package's errors (`frameio_desktop.core.errors`): `NotSignedInError`,
    `SessionExpiredError` (sign in again; also `SignInEndedError` when the provider gave
    no refresh token), `NoSecureKeyringError`, `TransportError` and the rest.
    """
    from frameio_desktop.core.tokens import min_ttl as min_ttl_delta

    return session.script_tokens(min_ttl_delta(min_ttl), timeout=timeout).access_token


def token_from_app(
    min_ttl: float,
    profile: str | None = None,
    settings: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
) -> AppToken | None:
    """The running app's token for these settings, valid for at least `min_ttl` seconds;
    None when no app answered for them (or, with `timeout`, not within it). Raises the
    package's error the app reports (the one the keyring path would have raised)."""
    from frameio_desktop.core.agent import client, wire

    flags: dict[str, str | None] = dict(settings or {})
    if profile is not None:
        flags["profile"] = profile
    answer = client.ask_app(
        wire.token_request(min_ttl, flags),
        answer_timeout=client.ANSWER_TIMEOUT_SECONDS if timeout is None else timeout,
    )
    if answer is None:
        return None
    if answer.token is None:
        raise answer.error()
    return answer.token


def get_token(
    min_ttl: float = 60,
    profile: str | None = None,
    *,
    settings: Mapping[str, str] | None = None,
    session: AuthSession | None = None,
    timeout: float | None = None,
) -> str:
    """An access token for `profile` (default: the settings' profile) valid for at least
    `min_ttl` seconds: from the running app, else the keyring. Pass `session` to reuse one
    (`open_session`), for example with a clock of your own (the app is then not asked);
    otherwise each call asks afresh. `timeout` bounds the call in seconds: a refresh that
    takes longer raises `RequestTimeoutError`, a wait for another process's refresh
    `LockTimeoutError`."""
    if session is None:
        from_app = token_from_app(min_ttl, profile, settings, timeout=timeout)
        if from_app is not None:
            return from_app.access_token
        stored = stored_token(min_ttl, profile, settings)
        if stored is not None:
            return stored
    return fresh_access_token(session or open_session(profile, settings), min_ttl, timeout=timeout)


def stored_token(
    min_ttl: float, profile: str | None = None, settings: Mapping[str, str] | None = None
) -> str | None:
    """The stored access token, when it lasts `min_ttl` seconds and nothing else is needed
    (`core.quick_read`, as `frameio-desktop token` reads it); None: open the session."""
    from frameio_desktop.core.quick_read import fresh_stored_token
    from frameio_desktop.core.tokens import min_ttl as min_ttl_delta

    flags: dict[str, str | None] = dict(settings or {})
    if profile is not None:
        flags["profile"] = profile
    tokens = fresh_stored_token(flags, min_ttl_delta(min_ttl))
    return tokens.access_token if tokens is not None else None


class TokenProvider:
    """A callable giving a fresh access token on every call: `Frameio(token=provider)`.

    It keeps the last token, so a call while that is still fresh asks nothing (neither the
    app nor the keyring). Otherwise it asks the running app, else its one session; a
    refresh takes the cross-process lock and first re-reads the keyring, in case another
    process refreshed meanwhile (rotated refresh tokens are spent once). With a `session`
    of your own it never asks the app.
    """

    def __init__(
        self,
        min_ttl: float = 60,
        profile: str | None = None,
        *,
        settings: Mapping[str, str] | None = None,
        session: AuthSession | None = None,
    ) -> None:
        self.min_ttl = min_ttl
        self._profile = profile
        self._settings = settings
        self._session = session
        self._ask_app = session is None
        self._from_app: AppToken | None = None
        self._lock = threading.Lock()

    @property
    def session(self) -> AuthSession:
        with self._lock:
            if self._session is None:
                self._session = open_session(self._profile, self._settings)
            return self._session

    def __call__(self) -> str:
        if self._ask_app:
            held = self._from_app
            if held is not None and held.seconds_left() > self.min_ttl:
                return held.access_token
            self._from_app = token_from_app(self.min_ttl, self._profile, self._settings)
            if self._from_app is not None:
                return self._from_app.access_token
        return fresh_access_token(self.session, self.min_ttl)


def token_provider(
    min_ttl: float = 60,
    profile: str | None = None,
    *,
    settings: Mapping[str, str] | None = None,
    session: AuthSession | None = None,
) -> TokenProvider:
    """A callable for `Frameio(token=...)` that returns a token valid for at least
    `min_ttl` seconds each time the SDK asks (before every request)."""
    return TokenProvider(min_ttl, profile, settings=settings, session=session)
