"""The core against panva's oidc-provider (OpenID Certified) on loopback, no Qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frameio_desktop.core.errors import AuthorizationDeniedError, SessionExpiredError
from tests.helpers import oidc
from tests.helpers.browser import sign_in_oidc_provider_without_browser
from tests.helpers.fakes import MemoryKeyring, store_for
from tests.helpers.sessions import SessionFactory, complete_sign_in

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


def test_sign_in_account_refresh_revoke(
    make_session: SessionFactory, provider: oidc.OidcProvider, tmp_path: Path
) -> None:
    backend = MemoryKeyring()
    session = make_session(provider.settings_flags(REDIRECT), keyring=backend)
    pending = session.begin_sign_in()
    assert "prompt=consent" in pending.authorize_url
    assert pending.require_iss  # discovered: the server sends iss (RFC 9207)
    redirect = sign_in_oidc_provider_without_browser(pending.authorize_url, REDIRECT, "ada")
    assert "iss=" in redirect
    tokens = complete_sign_in(session, pending, redirect)
    assert tokens.refresh_token
    account = session.user()
    assert account is not None
    assert (account.id, account.email) == ("ada", "ada@example.com")

    before = provider.counts()["refresh"]
    rotated = session.refresh(force=True)
    assert rotated.refresh_token != tokens.refresh_token
    assert provider.counts()["refresh"] == before + 1

    # the spent refresh token no longer works at the server
    stale = make_session(session.settings, lock_dir=tmp_path / "locks2")
    store_for(stale, tokens)
    with pytest.raises(SessionExpiredError):
        stale.refresh(force=True)

    result = session.sign_out()
    assert result.revoked
    assert backend.entries == {}
    after_logout = make_session(session.settings, lock_dir=tmp_path / "l3")
    store_for(after_logout, rotated)
    with pytest.raises(SessionExpiredError):
        after_logout.refresh(force=True)


def test_deny(make_session: SessionFactory, provider: oidc.OidcProvider) -> None:
    session = make_session(provider.settings_flags(REDIRECT))
    pending = session.begin_sign_in()
    redirect = sign_in_oidc_provider_without_browser(pending.authorize_url, REDIRECT, allow=False)
    with pytest.raises(AuthorizationDeniedError):
        complete_sign_in(session, pending, redirect)
