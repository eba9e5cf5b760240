"""The core against the real demo server (Authlib) on loopback, no Qt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from frameio_desktop.core.errors import AuthorizationDeniedError, SessionExpiredError
from frameio_desktop.demo.server import CALLBACK_PATH, DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.fakes import MemoryKeyring
from tests.helpers.sessions import SessionFactory, complete_sign_in


@pytest.fixture(params=["frameio-v4", "frameio-v2"])
def demo(request: pytest.FixtureRequest) -> Iterator[DemoServer]:
    with DemoServer(provider=request.param, token_ttl=120, refresh_tokens=True) as server:
        yield server


@pytest.fixture
def ims() -> Iterator[DemoServer]:
    with DemoServer(token_ttl=120, refresh_tokens=True) as server:
        yield server


def test_full_sign_in_refresh_and_sign_out(make_session: SessionFactory, demo: DemoServer) -> None:
    backend = MemoryKeyring()
    session = make_session(demo.settings_flags(), keyring=backend)
    pending = session.begin_sign_in()
    redirect = sign_in_without_browser(pending.authorize_url, "Ada Lovelace")
    tokens = complete_sign_in(session, pending, redirect)
    assert demo.state.hits[CALLBACK_PATH] == 0
    assert 110 <= tokens.seconds_left(tokens.obtained_at) <= 120
    account = session.user()
    assert account is not None
    assert (account.name, account.email) == ("Ada Lovelace", "ada.lovelace@example.com")

    old_refresh = tokens.refresh_token
    new = session.refresh(force=True)
    assert new.refresh_token != old_refresh  # rotated
    assert not demo.state.refresh_token_active(old_refresh or "")

    result = session.sign_out()
    assert result.revoked
    assert backend.entries == {}
    assert not demo.state.refresh_token_active(new.refresh_token or "")
    assert not demo.state.access_token_active(new.access_token)


def test_deny_consent(make_session: SessionFactory, demo: DemoServer) -> None:
    session = make_session(demo.settings_flags())
    pending = session.begin_sign_in()
    redirect = sign_in_without_browser(pending.authorize_url, allow=False)
    with pytest.raises(AuthorizationDeniedError):
        complete_sign_in(session, pending, redirect)


@pytest.mark.parametrize(
    "pkce",
    [
        "",
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=plain",
    ],
)
def test_v2_demo_requires_pkce_s256(pkce: str) -> None:
    with DemoServer(provider="frameio-v2") as demo:
        url = (
            f"{demo.url}/oauth2/auth?response_type=code&client_id=frameio-desktop-demo"
            f"&redirect_uri={demo.redirect_uri}&scope=offline&state=s{pkce}"
        )
        page = requests.get(url, timeout=10)
    assert page.status_code == 400
    assert "code_challenge" in page.text


def test_wrong_verifier_is_refused(make_session: SessionFactory, demo: DemoServer) -> None:
    from frameio_desktop.core.errors import InvalidGrantError, InvalidRequestError

    session = make_session(demo.settings_flags())
    pending = session.begin_sign_in()
    redirect = sign_in_without_browser(pending.authorize_url)
    pending.code_verifier = "x" * 43
    with pytest.raises((InvalidGrantError, InvalidRequestError)):
        complete_sign_in(session, pending, redirect)


def test_spent_refresh_token_ends_session(make_session: SessionFactory, demo: DemoServer) -> None:
    backend = MemoryKeyring()
    session = make_session(demo.settings_flags(), keyring=backend)
    pending = session.begin_sign_in()
    tokens = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    demo.state.token_by_refresh(tokens.refresh_token or "").refresh_revoked = True
    with pytest.raises(SessionExpiredError):
        session.refresh(force=True)
    assert backend.entries == {}
