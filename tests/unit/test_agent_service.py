"""What the running app answers a script's token request (core/agent/service.py), driven
directly: sessions on a memory keyring, `responses` for the token endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import responses

from frameio_desktop.core.agent import client, wire
from frameio_desktop.core.agent.service import TokenService, sign_in_identity
from frameio_desktop.core.errors import (
    LoginRequiredError,
    SessionExpiredError,
    SignInEndingError,
)
from frameio_desktop.core.providers import DiscoveredEndpoints, sunset_notice
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import load_settings
from tests.helpers.fakes import (
    API,
    AUTH,
    REDIRECT,
    FakeClock,
    make_tokens,
    store_for,
)
from tests.helpers.sessions import SessionFactory

TOKEN_URL = f"{AUTH}/oauth2/token"
#: The settings of the app's sign-in, as a script's flags would give them.
FLAGS = {
    "provider": "frameio-v2",
    "client_id": "client-123",
    "redirect_uri": REDIRECT,
    "authorize_url": f"{AUTH}/oauth2/auth",
    "token_url": TOKEN_URL,
    "account_url": f"{API}/v2/me",
    "revoke_url": f"{AUTH}/oauth2/revoke",
    "profile": "work",
}
TODAY = date(2026, 11, 1)
#: What `frameio-desktop token` adds to an error line for these flags.
NOTE = (
    "Settings not from the settings file: --provider flag, --client-id flag, "
    "--redirect-uri flag, --authorize-url flag, --token-url flag, --account-url flag, "
    "--revoke-url flag, --profile flag."
)


def request(tmp_path: Path, min_ttl: float = 60, **changes: str) -> dict[str, object]:
    """A script's request: these flags, no environment, its working folder `tmp_path`."""
    return wire.token_request(min_ttl, {**FLAGS, **changes}, environ={}, cwd=str(tmp_path))


@pytest.fixture
def session(make_session: SessionFactory, clock: FakeClock) -> AuthSession:
    signed_in = make_session(FLAGS, clock=clock)
    store_for(signed_in, make_tokens(clock.now, lifetime=3600))
    signed_in.load()
    return signed_in


def service_for(session: AuthSession | None, **options: object) -> tuple[TokenService, list[str]]:
    renewed: list[str] = []
    service = TokenService(
        lambda: session,
        on_renewed=lambda: renewed.append("renewed"),
        environ={},
        today=lambda: TODAY,
        **options,  # type: ignore[arg-type]
    )
    return service, renewed


def test_the_app_answers_for_its_own_sign_in(session: AuthSession, tmp_path: Path) -> None:
    service, renewed = service_for(session)
    answer = service.answer(request(tmp_path))
    held = session.tokens
    assert held is not None
    assert answer == {
        "token": {
            "access_token": held.access_token,
            "expires_at": held.expires_at.isoformat(),
            "token_type": "Bearer",
            "scope": held.scope,
        },
        # What `frameio-desktop token` prints first with a retiring provider.
        "notice": sunset_notice("frameio-v2", TODAY),
    }
    assert renewed == []


@pytest.mark.parametrize(
    "change",
    [
        {"profile": "home"},
        {"client_id": "another-client"},
        {"token_url": "https://elsewhere.example.test/token"},
        {"revoke_url": "https://elsewhere.example.test/revoke"},
        {"provider": "frameio-v4"},
    ],
)
def test_another_sign_in_passes_to_the_keyring(
    session: AuthSession, tmp_path: Path, change: dict[str, str]
) -> None:
    service, _ = service_for(session)
    assert service.answer(request(tmp_path, 60, **change)) == {"pass": "another sign-in"}


def test_a_dotenv_in_the_scripts_folder_counts(session: AuthSession, tmp_path: Path) -> None:
    # The script would read this .env: its token would be for another endpoint.
    (tmp_path / ".env").write_text("FRAMEIO_ACCOUNT_URL=https://elsewhere.example.test/me\n")
    flags = {k: v for k, v in FLAGS.items() if k != "account_url"}
    ask = wire.token_request(60, flags, environ={}, cwd=str(tmp_path))
    service, _ = service_for(session)
    assert service.answer(ask) == {"pass": "another sign-in"}


def test_the_scripts_environment_counts(session: AuthSession, tmp_path: Path) -> None:
    ask = wire.token_request(60, FLAGS, environ={}, cwd=str(tmp_path))
    ask["environ"] = {"FRAMEIO_PROFILE": "home"}
    flags = {k: v for k, v in FLAGS.items() if k != "profile"}
    ask["flags"] = flags
    service, _ = service_for(session)
    assert service.answer(ask) == {"pass": "another sign-in"}
    ask["environ"] = {"FRAMEIO_PROFILE": "work"}
    assert "token" in service.answer(ask)


def test_a_script_with_another_settings_folder_passes(session: AuthSession, tmp_path: Path) -> None:
    ask = wire.token_request(
        60, FLAGS, environ={"XDG_CONFIG_HOME": str(tmp_path)}, cwd=str(tmp_path)
    )
    service, _ = service_for(session)
    assert service.answer(ask) == {"pass": "another settings folder"}


def test_signed_out_or_no_session_passes(session: AuthSession, tmp_path: Path) -> None:
    service, _ = service_for(None)
    assert service.answer(request(tmp_path)) == {"pass": "no session"}
    session.sign_out()
    service, _ = service_for(session)
    assert service.answer(request(tmp_path)) == {"pass": "not signed in here"}


@pytest.mark.parametrize(
    "damage",
    [
        lambda ask: ask.update(min_ttl=10**9),
        lambda ask: ask.update(min_ttl="60"),
        lambda ask: ask.update(cwd="relative/folder"),
        lambda ask: ask.update(flags={"profile": 3}),
        lambda ask: ask.update(environ=None),
        lambda ask: ask["flags"].pop("client_id"),
    ],
)
def test_a_request_that_does_not_load_passes(
    session: AuthSession, tmp_path: Path, damage: Callable[[dict], object]
) -> None:
    ask = request(tmp_path)
    damage(ask)
    service, _ = service_for(session)
    assert "pass" in service.answer(ask)


@responses.activate
def test_renews_first_when_the_token_would_not_last(
    session: AuthSession, tmp_path: Path, clock: FakeClock
) -> None:
    responses.post(
        TOKEN_URL,
        json={
            "access_token": "AT2",
            "refresh_token": "RT2",
            "token_type": "bearer",
            "expires_in": 3600,
        },
    )
    clock.advance(100)
    service, renewed = service_for(session)
    answer = service.answer(request(tmp_path, min_ttl=3590))
    assert answer["token"]["access_token"] == "AT2"  # type: ignore[index]
    assert renewed == ["renewed"]
    stored = session.store.load(session.settings.store_key)
    assert stored is not None
    assert stored.refresh_token == "RT2"  # rotated, and kept where scripts read it


@responses.activate
def test_an_error_is_the_keyring_paths_own(
    session: AuthSession, tmp_path: Path, clock: FakeClock
) -> None:
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    clock.advance(100)
    service, _ = service_for(session)
    answer = service.answer(request(tmp_path, min_ttl=3590))
    assert answer["error"] == {
        "type": "SessionExpiredError",
        "message": SessionExpiredError().user_message,
        "exit_code": 4,
        "note": NOTE,
    }
    parsed = client.parse_answer(answer)
    assert parsed is not None
    error = parsed.error()
    assert type(error) is SessionExpiredError
    assert (error.user_message, error.exit_code) == (SessionExpiredError().user_message, 4)


@responses.activate
def test_an_errors_note_names_the_scripts_dotenv_as_the_script_would(
    session: AuthSession, tmp_path: Path, clock: FakeClock
) -> None:
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    clock.advance(100)
    (tmp_path / ".env").write_text("CLIENT_ID=client-123\n")
    flags = {k: v for k, v in FLAGS.items() if k != "client_id"}
    ask = wire.token_request(3590, flags, environ={}, cwd=str(tmp_path))
    service, _ = service_for(session)
    note = service.answer(ask)["error"]["note"]  # type: ignore[index]
    assert "CLIENT_ID from ./.env" in note
    assert str(tmp_path) not in note


def test_without_a_refresh_token_the_app_renews_silently_first(
    make_session: SessionFactory, clock: FakeClock, tmp_path: Path
) -> None:
    session = make_session(FLAGS, clock=clock)
    store_for(session, make_tokens(clock.now, refresh=None, lifetime=600))
    session.load()
    asked: list[timedelta] = []

    def renew(renewing: AuthSession, wanted: timedelta) -> None:
        asked.append(wanted)
        store_for(renewing, make_tokens(clock.now, access="renewed", refresh=None))
        renewing.load()

    service, renewed = service_for(session, renew_silently=renew)
    assert service.answer(request(tmp_path, min_ttl=60))["token"]["access_token"] == "access-1"  # type: ignore[index]
    assert asked == []  # lasts long enough: nothing to do
    answer = service.answer(request(tmp_path, min_ttl=1200))
    assert answer["token"]["access_token"] == "renewed"  # type: ignore[index]
    assert asked == [timedelta(seconds=1200)]
    assert renewed == ["renewed"]


def test_a_failed_silent_renewal_says_what_the_keyring_path_says(
    make_session: SessionFactory, clock: FakeClock, tmp_path: Path
) -> None:
    session = make_session(FLAGS, clock=clock)
    tokens = make_tokens(clock.now, refresh=None, lifetime=600)
    store_for(session, tokens)
    session.load()

    def renew(renewing: AuthSession, wanted: timedelta) -> None:
        raise LoginRequiredError()

    service, _ = service_for(session, renew_silently=renew)
    answer = service.answer(request(tmp_path, min_ttl=1200))
    expected = SignInEndingError(tokens.expires_at)
    assert answer["error"] == {
        "type": "SignInEndingError",
        "message": expected.user_message,
        "exit_code": 4,
        "note": NOTE,
    }
    assert session.tokens == tokens  # still usable until it ends


def test_discovered_endpoints_count_by_their_issuer(tmp_path: Path) -> None:
    def oidc(**more: str):
        flags = {
            "provider": "oidc",
            "issuer": "https://id.example.test",
            "client_id": "c",
            "redirect_uri": REDIRECT,
            **more,
        }
        return load_settings(
            flags, environ={}, dotenv_path=tmp_path / "x", settings_path=tmp_path / "x"
        )

    before = oidc()
    found = before.with_discovery(
        replace(
            _discovered(),
            token_url="https://id.example.test/token",
        )
    )
    assert sign_in_identity(found) == sign_in_identity(before)
    overridden = oidc(token_url="https://other.example.test/token")
    assert sign_in_identity(overridden) != sign_in_identity(before)


def _discovered() -> DiscoveredEndpoints:
    return DiscoveredEndpoints(
        authorize_url="https://id.example.test/auth",
        token_url="https://id.example.test/token",
        account_url="https://id.example.test/me",
        revoke_url=None,
        issuer="https://id.example.test",
        iss_parameter_supported=False,
    )
