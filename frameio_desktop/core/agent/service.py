"""What the running app answers a script's token request. No Qt: the window's layer only
says which session is current and how to renew one silently.

The request carries what the script's settings are made of (`wire.token_request`); they
are resolved here with `load_settings`, as the script would, and compared with the
session's: provider, client ID, profile, issuer and every endpoint must be the same (the
endpoints a discovery will fill in are compared by the issuer they come from). Anything
else passes (`{"pass": ...}`), and the script reads the keyring, where the same rules
(`AuthSession._bound`) decide.

For its own sign-in the app gives what `session.script_tokens(min_ttl)` gives, the call
behind `frameio-desktop token`: the stored token when it lasts long enough, else a refresh
first, or the same error. A sign-in without a refresh token is first renewed silently
(`renew_silently`, the hidden sign-in window's `prompt=none`), where the window can.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from frameio_desktop.core.agent import wire
from frameio_desktop.core.errors import ConfigError, FrameioDesktopError
from frameio_desktop.core.providers import PRESETS, sunset_notice
from frameio_desktop.core.settings import ENDPOINT_SETTINGS, Settings, load_settings
from frameio_desktop.core.tokens import TokenSet, min_ttl

if TYPE_CHECKING:
    from frameio_desktop.core.session import AuthSession

log = logging.getLogger(__name__)

#: What makes a token request this sign-in's.
IDENTITY_SETTINGS = ("provider", "client_id", "profile", "issuer", *ENDPOINT_SETTINGS)

#: Renews a session without a refresh token silently, so that its token lasts `min_ttl`;
#: raises the package's error when it cannot (the person is needed).
SilentRenewal = Callable[["AuthSession", timedelta], None]


def sign_in_identity(settings: Settings) -> tuple[str | None, ...]:
    """The settings that decide which sign-in a token belongs to. An endpoint that OpenID
    discovery fills in counts as None: the issuer it comes from is compared instead."""
    preset = PRESETS.get(settings.provider)
    discovered = preset is not None and preset.discovery
    return tuple(
        None
        if discovered and name in ENDPOINT_SETTINGS and name not in settings.sources
        else getattr(settings, name)
        for name in IDENTITY_SETTINGS
    )


class _PassError(Exception):
    """Not this app's to answer: the script reads the keyring."""


class TokenService:
    """Answers `token` requests for the session `current()` returns (None: signed out)."""

    def __init__(
        self,
        current: Callable[[], AuthSession | None],
        *,
        renew_silently: SilentRenewal | None = None,
        on_renewed: Callable[[], None] | None = None,
        environ: Mapping[str, str] | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._current = current
        self._renew_silently = renew_silently
        self._on_renewed = on_renewed
        self._environ = os.environ if environ is None else environ
        self._today = today

    def answer(self, request: Mapping[str, object]) -> dict[str, object]:
        try:
            settings, wanted = self._read(request)
            session = self._session_for(settings)
            notice = sunset_notice(settings.provider, self._today())
            try:
                tokens = self._tokens(session, wanted)
            except FrameioDesktopError as exc:
                return {
                    "error": {
                        "type": type(exc).__name__,
                        "message": exc.user_message,
                        "exit_code": int(exc.exit_code),
                        "note": script_origins_note(settings, request),
                    },
                    "notice": notice,
                }
        except _PassError as why:
            log.debug("token request passed to the keyring: %s", why)
            return {"pass": str(why)}
        return {
            "token": {
                "access_token": tokens.access_token,
                "expires_at": tokens.expires_at.isoformat(),
                "token_type": tokens.token_type,
                "scope": tokens.scope,
            },
            "notice": notice,
        }

    def _read(self, request: Mapping[str, object]) -> tuple[Settings, timedelta]:
        flags, environ, location = (request.get(k) for k in ("flags", "environ", "config_location"))
        cwd, ttl = request.get("cwd"), request.get("min_ttl")
        if not (_strings(flags) and _strings(environ) and isinstance(location, dict)):
            raise _PassError("malformed request")
        if not isinstance(cwd, str) or not os.path.isabs(cwd):
            raise _PassError("malformed request")
        if not isinstance(ttl, int | float) or isinstance(ttl, bool):
            raise _PassError("malformed request")
        mine = {name: self._environ.get(name) for name in wire.CONFIG_LOCATION_VARIABLES}
        if location != mine:
            raise _PassError("another settings folder")
        try:
            wanted = min_ttl(ttl)
            settings = load_settings(
                {k: v for k, v in flags.items() if k in wire.SETTING_FLAGS},
                environ=environ,
                dotenv_path=Path(cwd) / ".env",
                # The secret is not part of which sign-in is meant; never read it here.
                secret_lookup=lambda provider, client_id: "not read",
            )
        except (ConfigError, ValueError) as exc:
            raise _PassError("the script's settings do not load") from exc
        return settings, wanted

    def _session_for(self, settings: Settings) -> AuthSession:
        session = self._current()
        if session is None:
            raise _PassError("no session")
        if sign_in_identity(session.settings) != sign_in_identity(settings):
            raise _PassError("another sign-in")
        if session.tokens is None or not session.persistent or session.has_unsaved_tokens:
            # Signed out, or tokens the keyring does not hold: the keyring path says which.
            raise _PassError("not signed in here")
        return session

    def _tokens(self, session: AuthSession, wanted: timedelta) -> TokenSet:
        held = session.tokens
        assert held is not None
        if (
            self._renew_silently is not None
            and not held.refresh_token
            and not held.is_fresh(session.clock(), wanted)
        ):
            try:
                self._renew_silently(session, wanted)
            except FrameioDesktopError as exc:
                # What the script is told is the keyring path's answer, below.
                log.info("silent renewal for a script failed: %s", exc.user_message)
        tokens = session.script_tokens(wanted)
        if tokens.access_token != held.access_token and self._on_renewed is not None:
            self._on_renewed()
        return tokens


def script_origins_note(settings: Settings, request: Mapping[str, object]) -> str:
    """What `frameio-desktop token` adds to an error line: which settings did not come
    from the settings file. The script's `.env` is `./.env` to it (`sources.shown_path`
    says so only for the app's own working folder)."""
    note = settings.origins_note()
    cwd = request.get("cwd")
    if isinstance(cwd, str):
        note = note.replace(str(Path(cwd) / ".env"), "./.env")
    return note


def _strings(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )
