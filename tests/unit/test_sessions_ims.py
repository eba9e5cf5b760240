"""IMS-shaped sessions: no refresh token, rotating refresh tokens, the web profile."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import responses

from frameio_desktop.core.errors import (
    SessionExpiredError,
    SignInEndedError,
    SignInEndingError,
)
from frameio_desktop.core.web_profile import WebProfile, delete_web_profile
from tests.helpers.fakes import AUTH, FakeClock, MemoryKeyring, make_settings, make_tokens
from tests.helpers.sessions import new_session

TOKEN_URL = f"{AUTH}/oauth2/token"


def session_for(tmp_path: Path, clock: FakeClock, backend: MemoryKeyring, **flags: str):
    return new_session(
        make_settings(provider="frameio-v4", **flags),
        folder=tmp_path,
        keyring=backend,
        clock=clock,
        web_profiles_root=tmp_path / "web-profiles",
    )


@responses.activate
def test_without_refresh_token_an_expired_sign_in_asks_to_sign_in_again(
    tmp_path: Path, clock: FakeClock
) -> None:
    backend = MemoryKeyring()
    session = session_for(tmp_path, clock, backend)
    session._save(make_tokens(clock(), refresh=None, lifetime=600))
    assert session.tokens is not None
    assert session.tokens.signed_in_until == session.tokens.expires_at
    # Nothing to refresh with: no refresh is due while the token works, even near the end.
    clock.advance(590)
    assert not session.needs_refresh()
    clock.advance(11)
    assert session.needs_refresh()
    with pytest.raises(SignInEndedError) as caught:
        session.fresh_tokens(timedelta(seconds=60))
    assert isinstance(caught.value, SessionExpiredError)  # exit 4 at the command line
    assert "Sign in again" in caught.value.user_message
    assert backend.entries == {}  # the dead sign-in is forgotten
    assert len(responses.calls) == 0  # and no request was made


@responses.activate
def test_without_refresh_token_a_longer_token_than_the_sign_in_is_refused_but_kept(
    tmp_path: Path, clock: FakeClock
) -> None:
    backend = MemoryKeyring()
    session = session_for(tmp_path, clock, backend)
    session._save(make_tokens(clock(), refresh=None, lifetime=300))
    with pytest.raises(SignInEndingError):
        session.fresh_tokens(timedelta(seconds=600))
    assert session.fresh_tokens(timedelta(seconds=60)).access_token == "access-1"
    assert backend.entries  # still signed in until it ends
    assert len(responses.calls) == 0


@responses.activate
def test_rotation_spends_each_refresh_token_once(tmp_path: Path, clock: FakeClock) -> None:
    """A server that rotates: each refresh token works once; the old one is refused."""
    live = {"refresh-1"}
    issued = iter(range(2, 10))

    def token_endpoint(request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        if form.get("refresh_token") not in live:
            return 400, {}, '{"error": "invalid_grant"}'
        live.discard(form["refresh_token"])
        n = next(issued)
        live.add(f"refresh-{n}")
        body = {
            "access_token": f"access-{n}",
            "token_type": "bearer",
            "expires_in": 86399,
            "refresh_token": f"refresh-{n}",
        }
        return 200, {}, json.dumps(body)

    responses.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint)
    backend = MemoryKeyring()
    session = session_for(tmp_path, clock, backend)
    session._save(make_tokens(clock()))
    assert session.refresh(force=True).refresh_token == "refresh-2"
    assert session.refresh(force=True).refresh_token == "refresh-3"
    # Someone replays the first refresh token: the server refuses it.
    stale = session_for(tmp_path / "other", clock, MemoryKeyring())
    stale._save(make_tokens(clock()))  # holds refresh-1, spent
    with pytest.raises(SessionExpiredError):
        stale.refresh(force=True)
    assert live == {"refresh-3"}
    assert session.tokens is not None
    assert session.tokens.refresh_token == "refresh-3"


def test_persistent_web_profile_is_on_for_v4_only(tmp_path: Path, monkeypatch) -> None:
    assert make_settings(provider="frameio-v4").persistent_web_profile
    assert not make_settings(provider="frameio-v2").persistent_web_profile
    from frameio_desktop.core.errors import ConfigError
    from frameio_desktop.core.settings import load_settings

    def load(value: str):
        return load_settings(
            {"client_id": "c", "redirect_uri": "adobe+1://adobeid/c"},
            environ={"FRAMEIO_PERSISTENT_WEB_PROFILE": value},
            dotenv_path=tmp_path / "absent",
            settings_path=tmp_path / "absent.json",
        )

    assert not load("0").persistent_web_profile
    assert load("1").persistent_web_profile
    with pytest.raises(ConfigError, match="FRAMEIO_PERSISTENT_WEB_PROFILE"):
        load("maybe")


def test_web_profile_folder_is_private_and_deleted_at_sign_out(
    tmp_path: Path, clock: FakeClock
) -> None:
    root = tmp_path / "web-profiles"
    settings = make_settings(provider="frameio-v4")
    folder = WebProfile(settings, root).for_sign_in()
    assert folder is not None
    assert folder.parent.parent == root
    assert settings.client_id not in str(folder)
    if os.name == "posix":
        for made in (folder, folder.parent, root):
            assert stat.S_IMODE(made.stat().st_mode) == 0o700
    (folder / "Cookies").write_text("session cookie")
    assert WebProfile(make_settings(provider="frameio-v2"), root).for_sign_in() is None

    session = session_for(tmp_path, clock, MemoryKeyring())
    session.web_profile.keep()
    session.sign_out()
    assert not folder.exists()
    assert not delete_web_profile(settings, root)  # nothing left to delete
