"""The core against panva's oidc-provider (OpenID Certified) on loopback, no Qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.errors import AuthorizationDeniedError, SessionExpiredError
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import load_settings
from frameio_desktop.core.store import KeyringTokenStore
from tests.helpers import oidc
from tests.helpers.browser import sign_in_oidc_provider_without_browser
from tests.helpers.fakes import MemoryKeyring, store_for

pytestmark = [
    pytest.mark.oidc_provider,
    pytest.mark.skipif(oidc.available() is not None, reason=str(oidc.available())),
]
REDIRECT = "http://127.0.0.1:8765/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[oidc.OidcProvider]:
    server = oidc.OidcProvider([REDIRECT]).start()
    yield server
    server.stop()


def make_session(
    provider: oidc.OidcProvider, tmp_path: Path, backend: MemoryKeyring
) -> AuthSession:
    settings = load_settings(
        provider.settings_flags(REDIRECT),
        environ={},
        dotenv_path=tmp_path / "none",
        settings_path=tmp_path / "none.json",
    )
    return AuthSession(
        settings, http=HttpClient(), store=KeyringTokenStore(backend), lock_dir=tmp_path / "locks"
    )


def test_sign_in_account_refresh_revoke(provider: oidc.OidcProvider, tmp_path: Path) -> None:
    backend = MemoryKeyring()
    session = make_session(provider, tmp_path, backend)
    pending = session.begin_login()
    assert "prompt=consent" in pending.authorize_url
    assert pending.require_iss  # discovered: the server sends iss (RFC 9207)
    redirect = sign_in_oidc_provider_without_browser(pending.authorize_url, REDIRECT, "ada")
    assert "iss=" in redirect
    tokens = session.complete_login(pending, redirect)
    assert tokens.refresh_token
    account = session.account()
    assert account is not None
    assert (account.id, account.email) == ("ada", "ada@example.com")

    before = provider.counts()["refresh"]
    rotated = session.refresh(force=True)
    assert rotated.refresh_token != tokens.refresh_token
    assert provider.counts()["refresh"] == before + 1

    # the spent refresh token no longer works at the server
    stale = AuthSession(
        session.settings,
        http=HttpClient(),
        store=KeyringTokenStore(MemoryKeyring()),
        lock_dir=tmp_path / "locks2",
    )
    store_for(stale, tokens)
    with pytest.raises(SessionExpiredError):
        stale.refresh(force=True)

    result = session.sign_out()
    assert result.revoked
    assert backend.entries == {}
    after_logout = AuthSession(
        session.settings,
        http=HttpClient(),
        store=KeyringTokenStore(MemoryKeyring()),
        lock_dir=tmp_path / "l3",
    )
    store_for(after_logout, rotated)
    with pytest.raises(SessionExpiredError):
        after_logout.refresh(force=True)


def test_deny(provider: oidc.OidcProvider, tmp_path: Path) -> None:
    session = make_session(provider, tmp_path, MemoryKeyring())
    pending = session.begin_login()
    redirect = sign_in_oidc_provider_without_browser(pending.authorize_url, REDIRECT, allow=False)
    with pytest.raises(AuthorizationDeniedError):
        session.complete_login(pending, redirect)
