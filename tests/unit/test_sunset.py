"""Frame.io V2's retirement on 2026-12-01: the notice, and the error a gone API gives."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, date, datetime

import pytest
import requests
import responses

from frameio_desktop import cli
from frameio_desktop.core import errors
from frameio_desktop.core.errors import ExitCode
from frameio_desktop.core.flow import begin_sign_in
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.oauth import TokenClient
from frameio_desktop.core.providers import sunset_notice
from tests.helpers.fakes import API, AUTH, FakeClock, MemoryKeyring, make_settings, make_tokens
from tests.helpers.sessions import new_session

BEFORE = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
AFTER = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
TOKEN_URL = f"{AUTH}/oauth2/token"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 28), "is retired on 2026-12-01"),
        (date(2026, 11, 30), "is retired on 2026-12-01"),
        (date(2026, 12, 1), "has been retired"),
        (date(2027, 6, 1), "has been retired"),
    ],
)
def test_v2_notice_changes_on_the_retirement_day(today: date, expected: str) -> None:
    notice = sunset_notice("frameio-v2", today)
    assert notice is not None
    assert expected in notice
    assert "--provider frameio-v4" in notice


@pytest.mark.parametrize("preset", ["frameio-v4", "oidc", "no-such-preset"])
def test_no_notice_for_providers_that_stay(preset: str) -> None:
    assert sunset_notice(preset, date(2027, 1, 1)) is None


def client(now: datetime, provider: str = "frameio-v2") -> TokenClient:
    return TokenClient(make_settings(provider=provider), HttpClient(), clock=FakeClock(now))


@pytest.mark.parametrize("status", [404, 410])
@responses.activate
def test_v2_token_endpoint_gone_says_retired(status: int) -> None:
    responses.post(TOKEN_URL, body="gone", status=status)
    c = client(BEFORE)
    with pytest.raises(errors.ApiRetiredError) as caught:
        c.exchange_code(begin_sign_in(c.settings), "x")
    assert "has been retired" in caught.value.user_message
    assert "--provider frameio-v4" in caught.value.user_message


@responses.activate
def test_v4_endpoint_gone_is_not_called_retired() -> None:
    responses.post(TOKEN_URL, body="gone", status=410)
    c = client(BEFORE, provider="frameio-v4")
    with pytest.raises(errors.EndpointGoneError):
        c.exchange_code(begin_sign_in(c.settings), "x")


def unresolved() -> requests.exceptions.ConnectionError:
    # The shape requests gives a DNS failure: ConnectionError(MaxRetryError(reason=...)).
    import socket

    from urllib3.connection import HTTPSConnection
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    reason = NameResolutionError("applications.frame.io", HTTPSConnection("x"), socket.gaierror())
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/", reason))  # type: ignore[arg-type]


@responses.activate
def test_unresolved_v2_host_after_the_day_says_retired() -> None:
    responses.post(TOKEN_URL, body=unresolved())
    c = client(AFTER)
    with pytest.raises(errors.ApiRetiredError):
        c.refresh(make_tokens(AFTER))


@responses.activate
def test_unresolved_v2_host_before_the_day_is_a_network_error() -> None:
    responses.post(TOKEN_URL, body=unresolved())
    c = client(BEFORE)
    with pytest.raises(errors.HostNotFoundError):
        c.refresh(make_tokens(BEFORE))


@responses.activate
def test_v2_account_lookup_gone_says_retired(tmp_path) -> None:
    responses.get(f"{API}/v2/me", status=404)
    clock = FakeClock(BEFORE)
    session = new_session(make_settings(), folder=tmp_path, clock=clock, lock_dir=tmp_path)
    session.stored.tokens = make_tokens(BEFORE)
    with pytest.raises(errors.ApiRetiredError):
        session.user()


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 11, 28), "is retired on 2026-12-01"), (date(2026, 12, 2), "has been retired")],
)
def test_cli_prints_the_notice_on_stderr_with_the_set_clock(
    memory_keyring: MemoryKeyring, today: date, expected: str
) -> None:
    args = argparse.Namespace(
        command="logout", provider="frameio-v2", client_id="c", redirect_uri=f"{AUTH}/cb"
    )
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_script_command(args, out, err, today=lambda: today) == ExitCode.OK
    assert expected in err.getvalue()
    assert "--provider frameio-v4" in err.getvalue()
    assert "retired" not in out.getvalue()
