"""Frame.io's own V4 SDK (`frameio` from PyPI) against the demo server, with
`token=frameio_desktop.token_provider()`: the token expires between two SDK calls, the
provider refreshes it, and the rotated-out refresh token is refused afterwards."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests

import frameio_desktop
from frameio_desktop.core.errors import NotSignedInError
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.tokens import utc_now
from frameio_desktop.demo.server import DEMO_CLIENT_ID, DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import secret_service_missing
from tests.helpers.sessions import SessionFactory, complete_sign_in

frameio = pytest.importorskip("frameio", reason="the test extra installs Frame.io's SDK")

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

TTL = 600


class SharedClock:
    """One clock for the demo server (epoch seconds) and the session (datetimes): moving
    it forward expires the access token on both sides at once, without waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def epoch(self) -> float:
        return time.time() + self.offset

    def now(self) -> datetime:
        return utc_now() + timedelta(seconds=self.offset)


@pytest.fixture
def clock() -> SharedClock:
    return SharedClock()


@pytest.fixture
def demo(clock: SharedClock) -> Iterator[DemoServer]:
    # The SDK test crosses a rotation: a credential that gets refresh tokens.
    with DemoServer(token_ttl=TTL, clock=clock.epoch, refresh_tokens=True) as server:
        yield server


@pytest.fixture
def flags(demo: DemoServer) -> dict[str, str]:
    return {**demo.settings_flags(), "profile": f"sdk-{secrets.token_hex(4)}"}


@pytest.fixture
def session(
    flags: dict[str, str], clock: SharedClock, make_session: SessionFactory
) -> Iterator[AuthSession]:
    signed_in = make_session(flags, system_keyring=True, clock=clock.now)
    pending = signed_in.begin_sign_in()
    complete_sign_in(signed_in, pending, sign_in_without_browser(pending.authorize_url))
    yield signed_in
    signed_in.store.clear(signed_in.settings.store_key)


def test_sdk_calls_across_an_expiry_and_a_rotation(
    demo: DemoServer, session: AuthSession, clock: SharedClock
) -> None:
    from frameio import Frameio

    client = Frameio(base_url=demo.url, token=frameio_desktop.token_provider(session=session))
    me = client.users.show()
    assert me.data.name == "Ada Lovelace"
    first = session.tokens
    assert first is not None
    assert demo.state.refresh_grants == 0  # fresh: the SDK got the stored token

    clock.offset += TTL + 1  # the access token expires between the two calls
    expired = requests.get(
        demo.me_url, headers={"Authorization": f"Bearer {first.access_token}"}, timeout=10
    )
    assert expired.status_code == 401

    accounts = list(client.accounts.index())  # every page, through the SDK's pager
    assert [a.id for a in accounts] == [
        "acct-ada.lovelace-1",
        "acct-ada.lovelace-2",
        "acct-ada.lovelace-3",
    ]
    assert demo.state.hits["/v4/accounts"] == 2  # two pages
    assert demo.state.refresh_grants == 1  # refreshed once, then fresh for the next page
    second = session.tokens
    assert second is not None
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    stored = session.store.load(session.settings.store_key)
    assert stored is not None
    assert stored.refresh_token == second.refresh_token  # the rotated token was kept

    # The demo spent the old refresh token: using it again is refused.
    replay = requests.post(
        demo.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": first.refresh_token,
            "client_id": DEMO_CLIENT_ID,
        },
        timeout=10,
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_get_token_reads_the_settings_and_the_keyring(
    demo: DemoServer, session: AuthSession, flags: dict[str, str]
) -> None:
    token = frameio_desktop.get_token(settings=flags)
    assert session.tokens is not None
    assert token == session.tokens.access_token  # still fresh: no refresh, same token
    me = requests.get(demo.me_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.status_code == 200
    with pytest.raises(NotSignedInError):
        frameio_desktop.get_token(profile="nobody-here", settings=flags)
