from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import requests
import responses

from frameio_desktop.core import errors
from frameio_desktop.core.flow import begin_sign_in
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.oauth import TokenClient
from frameio_desktop.core.tokens import MAX_LIFETIME
from tests.helpers.fakes import AUTH, FakeClock, make_settings, make_tokens

TOKEN_URL = f"{AUTH}/oauth2/token"
REVOKE_URL = f"{AUTH}/oauth2/revoke"


def client(clock: FakeClock, **flags: str) -> TokenClient:
    return TokenClient(make_settings(**flags), HttpClient(), clock=clock)


def form(call: responses.Call) -> dict[str, str]:
    body = call.request.body
    assert isinstance(body, str)
    return {k: v[0] for k, v in parse_qs(body).items()}


GOOD = {
    "access_token": "AT",
    "token_type": "bearer",
    "expires_in": 3600,
    "refresh_token": "RT",
    "scope": "account.read offline",
}


@responses.activate
def test_pkce_exchange_sends_verifier_and_client_id_without_authorization(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, json=GOOD)
    c = client(clock)
    pending = begin_sign_in(c.settings)
    tokens = c.exchange_code(pending, "the-code")
    sent = form(responses.calls[0])
    assert sent == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": pending.redirect_uri,
        "code_verifier": pending.code_verifier,
        "client_id": "client-123",
    }
    assert "Authorization" not in responses.calls[0].request.headers
    assert tokens.access_token == "AT"
    assert tokens.refresh_token == "RT"
    assert tokens.expires_at == clock.now + timedelta(seconds=3600)
    assert tokens.expires_at.tzinfo is not None
    assert tokens.refresh_expires_at == clock.now + timedelta(days=30)


@responses.activate
def test_confidential_client_uses_basic_auth(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, json=GOOD)
    c = client(clock, client_secret="s3cret")
    pending = begin_sign_in(c.settings)
    c.exchange_code(pending, "the-code")
    request = responses.calls[0].request
    expected = base64.b64encode(b"client-123:s3cret").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert form(responses.calls[0])["code_verifier"] == pending.code_verifier
    assert "client_id" not in form(responses.calls[0])


@responses.activate
def test_every_request_has_timeout_and_tls_verification(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, json=GOOD)
    c = client(clock)
    c.exchange_code(begin_sign_in(c.settings), "x")
    kwargs = responses.calls[0].request.req_kwargs  # type: ignore[attr-defined]  # responses adds it
    assert kwargs["timeout"]
    assert all(t > 0 for t in kwargs["timeout"])
    # True, or a CA bundle path from the environment: verification is never off.
    assert kwargs["verify"] not in (False, None, "")


@pytest.mark.parametrize("token_type", ["bearer", "Bearer", "BEARER"])
@responses.activate
def test_token_type_any_case(clock: FakeClock, token_type: str) -> None:
    responses.post(TOKEN_URL, json={**GOOD, "token_type": token_type})
    c = client(clock)
    assert c.exchange_code(begin_sign_in(c.settings), "x").token_type == "Bearer"


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD, "token_type": "mac"},
        {k: v for k, v in GOOD.items() if k != "token_type"},
        {k: v for k, v in GOOD.items() if k != "access_token"},
        {**GOOD, "access_token": ""},
        {**GOOD, "expires_in": 0},
        {**GOOD, "expires_in": -5},
        {**GOOD, "expires_in": "soon"},
        {**GOOD, "expires_in": True},
        {**GOOD, "refresh_token": ""},
        ["not", "an", "object"],
        # A hostile server (issue 12, item 7): each once escaped as a bare exception.
        {**GOOD, "expires_in": "²"},
        {**GOOD, "expires_in": "٣٦٠٠"},
        {**GOOD, "access_token": "AT-é"},
        {**GOOD, "access_token": "two words"},
        {**GOOD, "access_token": "AT\u0000"},
        {**GOOD, "refresh_token": "RT-\u2028"},
        {**GOOD, "access_token": "a" * (16 * 1024 + 1)},
        {**GOOD, "refresh_token": "r" * (16 * 1024 + 1)},
    ],
)
@responses.activate
def test_invalid_token_responses(clock: FakeClock, body: object) -> None:
    responses.post(TOKEN_URL, json=body)
    c = client(clock)
    with pytest.raises(errors.InvalidTokenResponseError):
        c.exchange_code(begin_sign_in(c.settings), "x")


@pytest.mark.parametrize("depth", [10_000, 100_000])
@responses.activate
def test_deeply_nested_json_is_an_invalid_response(clock: FakeClock, depth: int) -> None:
    responses.post(TOKEN_URL, body="[" * depth + "]" * depth, content_type="application/json")
    c = client(clock)
    with pytest.raises(errors.InvalidTokenResponseError):
        c.exchange_code(begin_sign_in(c.settings), "x")


@responses.activate
def test_odd_refresh_lifetime_falls_back_to_the_documented_one(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, json={**GOOD, "refresh_expires_in": "²"})
    c = client(clock)
    tokens = c.exchange_code(begin_sign_in(c.settings), "x")
    assert tokens.refresh_expires_at == clock.now + timedelta(days=30)


@responses.activate
def test_longest_accepted_token(clock: FakeClock) -> None:
    longest = "a" * (16 * 1024)
    responses.post(TOKEN_URL, json={**GOOD, "access_token": longest})
    c = client(clock)
    assert c.exchange_code(begin_sign_in(c.settings), "x").access_token == longest


@pytest.mark.parametrize(
    ("expires_in", "expected"),
    [
        (None, timedelta(seconds=3600)),  # absent: Frame.io's documented lifetime
        ("7200", timedelta(seconds=7200)),
        (10**20, MAX_LIFETIME),
        # Too large for float() and timedelta(): cut like any other absurd lifetime.
        (10**400, MAX_LIFETIME),
        ("9" * 40, MAX_LIFETIME),
    ],
)
@responses.activate
def test_expires_in_edge_cases(clock: FakeClock, expires_in: object, expected: timedelta) -> None:
    body = {k: v for k, v in GOOD.items() if k != "expires_in"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    responses.post(TOKEN_URL, json=body)
    c = client(clock)
    tokens = c.exchange_code(begin_sign_in(c.settings), "x")
    assert tokens.expires_at - clock.now == expected


@pytest.mark.parametrize("code", sorted(errors.OAUTH_ERRORS))
@responses.activate
def test_rfc6749_errors_are_typed(clock: FakeClock, code: str) -> None:
    responses.post(TOKEN_URL, status=400, json={"error": code, "error_description": "why"})
    c = client(clock)
    with pytest.raises(errors.OAUTH_ERRORS[code]) as err:
        c.exchange_code(begin_sign_in(c.settings), "x")
    assert err.value.description == "why"
    assert "why" in err.value.user_message


@responses.activate
def test_unknown_oauth_error_is_base_class(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, status=400, json={"error": "slow_down"})
    c = client(clock)
    with pytest.raises(errors.OAuthError) as err:
        c.exchange_code(begin_sign_in(c.settings), "x")
    assert err.value.error == "slow_down"


@responses.activate
def test_non_json_success_body(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, body="<html>ok</html>", status=200)
    c = client(clock)
    with pytest.raises(errors.InvalidTokenResponseError):
        c.exchange_code(begin_sign_in(c.settings), "x")


@responses.activate
def test_http_5xx_is_server_error(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, body="<html>Bad gateway</html>", status=502)
    c = client(clock)
    with pytest.raises(errors.ServerError) as err:
        c.exchange_code(begin_sign_in(c.settings), "x")
    assert err.value.status == 502
    assert "auth.example.test" in err.value.user_message


@responses.activate
def test_4xx_without_oauth_error(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, body="nope", status=403)
    c = client(clock)
    with pytest.raises(errors.UnexpectedResponseError):
        c.exchange_code(begin_sign_in(c.settings), "x")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (requests.exceptions.ConnectTimeout(), errors.RequestTimeoutError),
        (requests.exceptions.ReadTimeout(), errors.RequestTimeoutError),
        (requests.exceptions.ConnectionError(), errors.NetworkError),
        (requests.exceptions.SSLError(), errors.TLSError),
    ],
)
@responses.activate
def test_transport_failures_are_typed(
    clock: FakeClock, exc: Exception, expected: type[Exception]
) -> None:
    responses.post(TOKEN_URL, body=exc)
    c = client(clock)
    with pytest.raises(expected):
        c.exchange_code(begin_sign_in(c.settings), "x")


@responses.activate
def test_refresh_rotation_replaces_refresh_token(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, json={**GOOD, "access_token": "AT2", "refresh_token": "RT2"})
    old = make_tokens(clock.now, access="AT1", refresh="RT1")
    clock.advance(600)
    new = client(clock).refresh(old)
    assert form(responses.calls[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "RT1",
        "client_id": "client-123",
    }
    assert (new.access_token, new.refresh_token) == ("AT2", "RT2")
    assert new.refresh_expires_at == clock.now + timedelta(days=30)


@responses.activate
def test_refresh_without_new_refresh_token_keeps_old(clock: FakeClock) -> None:
    body = {k: v for k, v in GOOD.items() if k not in ("refresh_token", "scope")}
    responses.post(TOKEN_URL, json={**body, "access_token": "AT2"})
    old = make_tokens(clock.now, access="AT1", refresh="RT1")
    clock.advance(600)
    new = client(clock).refresh(old)
    assert (new.access_token, new.refresh_token) == ("AT2", "RT1")
    assert new.refresh_expires_at == old.refresh_expires_at
    assert new.scope == old.scope


@responses.activate
def test_refresh_invalid_grant(clock: FakeClock) -> None:
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    with pytest.raises(errors.InvalidGrantError):
        client(clock).refresh(make_tokens(clock.now))


@responses.activate
def test_revoke_ok(clock: FakeClock) -> None:
    responses.post(REVOKE_URL, status=200)
    result = client(clock).revoke("RT", "refresh_token")
    assert result.ok
    assert form(responses.calls[0]) == {
        "token": "RT",
        "token_type_hint": "refresh_token",
        "client_id": "client-123",
    }


@responses.activate
def test_revoke_503_retried_once(clock: FakeClock) -> None:
    responses.post(REVOKE_URL, status=503)
    responses.post(REVOKE_URL, status=200)
    assert client(clock).revoke("RT", "refresh_token").ok
    assert len(responses.calls) == 2


@responses.activate
def test_revoke_503_twice_gives_up(clock: FakeClock) -> None:
    responses.post(REVOKE_URL, status=503)
    result = client(clock).revoke("RT", "refresh_token")
    assert not result.ok
    assert result.attempted
    assert len(responses.calls) == 2


@responses.activate
def test_revoke_other_failure_not_retried(clock: FakeClock) -> None:
    responses.post(REVOKE_URL, status=400, json={"error": "unsupported_token_type"})
    result = client(clock).revoke("RT", "refresh_token")
    assert not result.ok
    assert len(responses.calls) == 1


def test_no_revocation_endpoint_is_not_attempted(clock: FakeClock) -> None:
    from pathlib import Path

    from frameio_desktop.core.settings import load_settings

    settings = load_settings(
        {"provider": "frameio-v2", "client_id": "x", "redirect_uri": "https://app.example.test/cb"},
        environ={},
        dotenv_path=Path("/nonexistent/.env"),
        settings_path=Path("/nonexistent/s"),
    )
    result = TokenClient(settings, HttpClient(), clock=clock).revoke("t", "access_token")
    assert not result.attempted


@responses.activate
def test_ims_public_client_revokes_with_client_id_in_the_query(clock: FakeClock) -> None:
    responses.post(REVOKE_URL, status=200)
    assert client(clock, provider="frameio-v4").revoke("RT", "refresh_token").ok
    request = responses.calls[0].request
    assert parse_qs(request.url.split("?", 1)[1]) == {"client_id": ["client-123"]}
    assert form(responses.calls[0]) == {"token": "RT", "token_type_hint": "refresh_token"}
