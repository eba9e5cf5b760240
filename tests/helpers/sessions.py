"""The one way tests make an `AuthSession`, and the one-call sign-in they use.

Pytest code takes the `make_session` fixture (tests/conftest.py), which is `new_session`
with the test's own folder; scripts and benchmarks call `new_session` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from keyring.backend import KeyringBackend

from frameio_desktop.core.flow import PendingSignIn
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import Settings, load_settings
from frameio_desktop.core.store import KeyringTokenStore
from frameio_desktop.core.tokens import Clock, TokenSet, utc_now
from tests.helpers.fakes import MemoryKeyring, make_settings


def new_session(
    settings: Settings | Mapping[str, str] | None = None,
    *,
    folder: Path,
    keyring: KeyringBackend | None = None,
    system_keyring: bool = False,
    clock: Clock = utc_now,
    lock_dir: Path | None = None,
    **options: Any,
) -> AuthSession:
    """A session on `settings` (a `Settings`, flags read with no environment, .env or
    settings file, or None for `fakes.make_settings()`), keeping its tokens in `keyring`
    (a fresh `MemoryKeyring` if None) and its lock files under `folder`.

    `system_keyring=True` makes it as `frameio-desktop` in another process does: the
    system keyring and the app's own lock folder, so both see the same sign-in.
    `options` go to `AuthSession` as they are (`account_choices=`, `web_profiles_root=`)."""
    if settings is None:
        settings = make_settings(folder)
    elif not isinstance(settings, Settings):
        settings = load_settings(
            dict(settings),
            environ={},
            dotenv_path=folder / "absent.env",
            settings_path=folder / "absent.json",
        )
    if system_keyring:
        return AuthSession(settings, store=KeyringTokenStore(), clock=clock, **options)
    return AuthSession(
        settings,
        http=HttpClient(),
        store=KeyringTokenStore(keyring if keyring is not None else MemoryKeyring()),
        clock=clock,
        lock_dir=lock_dir or folder / "locks",
        **options,
    )


class SessionFactory(Protocol):
    """`new_session` with the folder given: the `make_session` fixture."""

    def __call__(
        self,
        settings: Settings | Mapping[str, str] | None = None,
        *,
        keyring: KeyringBackend | None = None,
        system_keyring: bool = False,
        clock: Clock = utc_now,
        lock_dir: Path | None = None,
        **options: Any,
    ) -> AuthSession: ...


def complete_sign_in(
    session: AuthSession,
    pending: PendingSignIn,
    redirect_url: str,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> TokenSet:
    """What the window does with a caught redirect, in one call: check it, exchange the
    code, store the tokens."""
    return session.finish_sign_in(pending, pending.take_code(redirect_url), cancelled=cancelled)
