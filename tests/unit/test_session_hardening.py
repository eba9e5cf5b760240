"""Issue 12's session findings: endpoint binding, honest sign-out, `token`'s answers, the
file lock and network revocation. Each test failed on the code before the fix."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import filelock
import pytest
import requests
import responses

from frameio_desktop import api, cli
from frameio_desktop.core import locks as locks_module
from frameio_desktop.core.errors import (
    ExitCode,
    KeyringLockedError,
    LockTimeoutError,
    NotSignedInError,
    SessionBindingError,
    SignInCancelledError,
    StoreError,
    TokenLifetimeTooShortError,
)
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.store import SERVICE
from tests.helpers.fakes import (
    API,
    AUTH,
    FakeClock,
    MemoryKeyring,
    form_body,
    make_settings,
    make_tokens,
    store_for,
)
from tests.helpers.sessions import new_session

TOKEN_URL = f"{AUTH}/oauth2/token"
REVOKE_URL = f"{AUTH}/oauth2/revoke"
EVIL = "https://collector.example.test"
ELSEWHERE = {
    "token_url": f"{EVIL}/token",
    "account_url": f"{EVIL}/me",
    "revoke_url": f"{EVIL}/revoke",
}


class LockedKeyring(MemoryKeyring):
    """Secret Service with its collection locked: every call fails with KeyringLocked."""

    locked = True

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        super().delete_password(service, username)

    def _check(self) -> None:
        from keyring.errors import KeyringLocked

        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")


def session_for(
    settings: Settings, backend: MemoryKeyring, clock: FakeClock, lock_dir: Path
) -> AuthSession:
    return new_session(
        settings, folder=lock_dir.parent, keyring=backend, clock=clock, lock_dir=lock_dir
    )


def run(command: str, make_session, **extra: object) -> tuple[int, str, str]:
    args = argparse.Namespace(command=command, json=False, min_ttl=60, **extra)
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_script_command(args, out, err, make_session=make_session)
    return code, out.getvalue(), err.getvalue()


def token_body(access: str, refresh: str | None = None, expires_in: int = 3600) -> dict:
    body: dict = {"access_token": access, "token_type": "bearer", "expires_in": expires_in}
    if refresh:
        body["refresh_token"] = refresh
    return body


# -- 1. a stored sign-in is bound to the endpoints that issued it ----------------------------


@pytest.mark.parametrize("changed", sorted(ELSEWHERE))
@responses.activate
def test_tokens_are_not_sent_to_other_endpoints(
    clock: FakeClock, lock_dir: Path, changed: str
) -> None:
    backend = MemoryKeyring()
    original = session_for(make_settings(), backend, clock, lock_dir)
    # Expired: a session that trusted the new settings would refresh at once.
    store_for(original, make_tokens(clock.now, lifetime=-10))
    other = session_for(make_settings(**{changed: ELSEWHERE[changed]}), backend, clock, lock_dir)
    with pytest.raises(SessionBindingError, match="No sign-in for this configuration"):
        other.fresh_tokens()
    with pytest.raises(SessionBindingError):
        other.refresh(force=True)
    with pytest.raises(SessionBindingError):
        other.user()
    result = other.sign_out()
    assert not result.complete
    assert len(responses.calls) == 0
    # The stored sign-in is left for the configuration it belongs to.
    assert original.store.load(original.settings.store_key) is not None


@responses.activate
def test_cli_commands_send_nothing_to_other_endpoints(
    clock: FakeClock, lock_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = MemoryKeyring()
    store_for(
        session_for(make_settings(), backend, clock, lock_dir),
        make_tokens(clock.now, lifetime=-10),
    )
    flags = {**make_settings_flags(), **ELSEWHERE}

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    for command in ("token", "status", "accounts", "logout"):
        code, out, err = run(command, make, **flags)
        assert code == ExitCode.NOT_SIGNED_IN, (command, err)
        assert "FRAMEIO_TOKEN_URL (from flag)" in err
        assert "access-1" not in out + err
    assert len(responses.calls) == 0
    assert len(backend.entries) == 1


def make_settings_flags() -> dict[str, str]:
    """The command-line flags that give `make_settings()`."""
    s = make_settings()
    return {
        "provider": s.provider,
        "client_id": s.client_id,
        "redirect_uri": s.redirect_uri,
        "authorize_url": str(s.authorize_url),
        "token_url": str(s.token_url),
        "account_url": str(s.account_url),
        "revoke_url": str(s.revoke_url),
    }


def test_an_entry_from_before_bindings_is_bound_to_the_preset_endpoints(
    clock: FakeClock, lock_dir: Path
) -> None:
    backend = MemoryKeyring()
    defaults = make_settings(
        provider="frameio-v4", token_url="", account_url="", revoke_url="", authorize_url=""
    )
    old_style = session_for(defaults, backend, clock, lock_dir)
    old_style.store.save(defaults.store_key, make_tokens(clock.now))  # no binding
    assert session_for(defaults, backend, clock, lock_dir).fresh_tokens().access_token
    moved = make_settings(
        provider="frameio-v4", token_url=f"{EVIL}/token", account_url="", revoke_url=""
    )
    with pytest.raises(SessionBindingError):
        session_for(moved, backend, clock, lock_dir).fresh_tokens()


# -- 2. sign-out says what it could not do, and forgets every set it knows ---------------------


def test_sign_out_with_a_locked_keyring_says_so(clock: FakeClock, lock_dir: Path) -> None:
    backend = LockedKeyring()
    backend.locked = False
    session = session_for(make_settings(), backend, clock, lock_dir)
    store_for(session, make_tokens(clock.now))
    backend.locked = True

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    code, out, err = run("logout", make, **make_settings_flags())
    assert code == ExitCode.NO_KEYRING
    assert "not complete" in err
    assert "locked" in err
    assert "removed" not in out


def test_logout_removes_a_damaged_entry_rather_than_say_nobody_was_signed_in(
    clock: FakeClock, lock_dir: Path
) -> None:
    backend = MemoryKeyring()
    session = session_for(make_settings(), backend, clock, lock_dir)
    store_for(session, make_tokens(clock.now))
    # Readable tokens beside a binding this version cannot read: the entry is "damaged".
    key = (SERVICE, session.settings.store_key)
    damaged = json.loads(backend.entries[key])
    damaged["binding"] = ["not", "a", "mapping"]
    backend.entries[key] = json.dumps(damaged)

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    code, out, err = run("logout", make, **make_settings_flags())
    assert code == ExitCode.OK, err
    assert "Nobody was signed in" not in out
    assert "removed" in out
    assert backend.entries == {}


def test_token_and_status_say_the_stored_sign_in_is_damaged(
    clock: FakeClock, lock_dir: Path
) -> None:
    backend = MemoryKeyring()
    settings = make_settings()
    backend.entries[(SERVICE, settings.store_key)] = "{not json"

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    for command in ("token", "status"):
        code, out, err = run(command, make, **make_settings_flags())
        assert code == ExitCode.NOT_SIGNED_IN, (command, err)
        assert "damaged" in err, command
        assert out == ""


@responses.activate
def test_logout_that_cannot_find_the_revocation_endpoint_still_succeeds_locally(
    clock: FakeClock, lock_dir: Path
) -> None:
    # OIDC: the revocation endpoint comes from discovery, and the network is down. As when
    # the revocation itself cannot reach the server: removed here, "could not be told".
    responses.get(
        f"{AUTH}/.well-known/openid-configuration",
        body=requests.exceptions.ConnectionError("down"),
    )
    oidc = {
        "provider": "oidc",
        "issuer": AUTH,
        "client_id": "client-123",
        "redirect_uri": make_settings().redirect_uri,
    }
    backend = MemoryKeyring()
    settings = make_settings(**oidc, authorize_url="", token_url="", account_url="", revoke_url="")
    store_for(session_for(settings, backend, clock, lock_dir), make_tokens(clock.now))

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    code, out, err = run("logout", make, **oidc)
    assert code == ExitCode.OK, err
    assert "could not be told" in out
    assert "local sign-in removed" in out
    assert backend.entries == {}


@responses.activate
def test_sign_out_after_a_failed_keyring_write_revokes_both_sets(
    clock: FakeClock, lock_dir: Path
) -> None:
    responses.post(TOKEN_URL, json=token_body("AT-new", "RT-new"))
    responses.post(REVOKE_URL, status=200)
    backend = LockedKeyring()
    backend.locked = False
    session = session_for(make_settings(), backend, clock, lock_dir)
    store_for(session, make_tokens(clock.now, lifetime=10, access="AT-old", refresh="RT-old"))
    session.load()
    original_set = backend.set_password

    def refuse(service: str, username: str, password: str) -> None:
        from keyring.errors import PasswordSetError

        raise PasswordSetError("write refused")

    backend.set_password = refuse  # type: ignore[method-assign]
    assert session.refresh(force=True).access_token == "AT-new"
    assert not session.persistent  # kept in memory; the keyring still has the old set
    backend.set_password = original_set  # type: ignore[method-assign]
    result = session.sign_out()
    revoked = {form_body(c.request)["token"][0] for c in responses.calls[1:]}
    assert revoked == {"AT-new", "RT-new", "AT-old", "RT-old"}
    assert result.cleared
    assert backend.entries == {}


# -- 12. `token`'s answers --------------------------------------------------------------------


def test_token_with_a_locked_keyring_exits_6_and_says_locked(
    clock: FakeClock, lock_dir: Path
) -> None:
    backend = LockedKeyring()

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    code, out, err = run("token", make, **make_settings_flags())
    assert code == ExitCode.NO_KEYRING
    assert "locked" in err
    assert out == ""
    with pytest.raises(KeyringLockedError):
        make(make_settings()).fresh_tokens()


def test_accounts_with_a_locked_keyring_exits_6_and_says_locked(
    clock: FakeClock, lock_dir: Path
) -> None:
    backend = LockedKeyring()
    backend.locked = False
    store_for(session_for(make_settings(), backend, clock, lock_dir), make_tokens(clock.now))
    backend.locked = True

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    code, out, err = run("accounts", make, **make_settings_flags())
    assert code == ExitCode.NO_KEYRING
    assert "locked" in err
    assert out == ""


@responses.activate
def test_status_counts_down_on_the_sessions_clock(lock_dir: Path) -> None:
    # The session's clock, not the wall clock, is what the tokens' times are read against.
    clock = FakeClock(datetime(2031, 5, 4, 12, 0, tzinfo=UTC))
    responses.get(f"{API}/v2/me", json={"id": "u1", "name": "Ada", "account_id": "a1"})
    backend = MemoryKeyring()
    store_for(session_for(make_settings(), backend, clock, lock_dir), make_tokens(clock.now))

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    code, out, err = run("status", make, **make_settings_flags())
    assert code == ExitCode.OK, err
    assert "access token:   expires" in out
    assert "(in 1 h 00 min)" in out
    assert "(expired)" not in out


@responses.activate
def test_status_json_is_not_signed_in_when_the_api_refuses_even_a_refreshed_token(
    clock: FakeClock, lock_dir: Path
) -> None:
    # The API answers 401 to the stored token and to the refreshed one: exit 4.
    responses.get(f"{API}/v2/me", status=401)
    responses.post(TOKEN_URL, json=token_body("access-2", "refresh-2"))
    backend = MemoryKeyring()
    store_for(session_for(make_settings(), backend, clock, lock_dir), make_tokens(clock.now))

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    args = argparse.Namespace(command="status", json=True, **make_settings_flags())
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_script_command(args, out, err, make_session=make)
    assert code == ExitCode.SESSION_EXPIRED, err.getvalue()
    assert json.loads(out.getvalue())["signed_in"] is False


@pytest.mark.parametrize("seconds", ["100000000000000000", "86400000000000", "31622401"])
def test_a_min_ttl_no_token_can_meet_is_a_usage_error_not_a_traceback(
    seconds: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["token", "--min-ttl", seconds])
    assert exited.value.code == ExitCode.USAGE
    assert "--min-ttl" in capsys.readouterr().err


def test_get_token_refuses_a_min_ttl_no_token_can_meet_with_a_clear_error(
    clock: FakeClock, lock_dir: Path
) -> None:
    backend = MemoryKeyring()
    session = session_for(make_settings(), backend, clock, lock_dir)
    store_for(session, make_tokens(clock.now))
    with pytest.raises(ValueError, match="min_ttl"):
        api.get_token(min_ttl=1e17, session=session)
    assert api.get_token(min_ttl=-5, session=session) == "access-1"


@responses.activate
def test_token_never_prints_a_token_shorter_lived_than_min_ttl(
    clock: FakeClock, lock_dir: Path
) -> None:
    # The server hands out one-second tokens: a refresh cannot meet --min-ttl 60.
    responses.post(TOKEN_URL, json=token_body("AT-short", "RT2", expires_in=1))
    backend = MemoryKeyring()
    session = session_for(make_settings(), backend, clock, lock_dir)
    # An hour-long token with 30 s left: the server's tokens are known to last long enough.
    store_for(session, make_tokens(clock.now - timedelta(seconds=3570)))

    def make(settings: Settings) -> AuthSession:
        return session_for(settings, backend, clock, lock_dir)

    code, out, err = run("token", make, **make_settings_flags())
    assert code == ExitCode.USAGE
    assert "AT-short" not in out
    assert out == ""
    assert "last 1 s" in err
    with pytest.raises(TokenLifetimeTooShortError):
        make(make_settings()).fresh_tokens(timedelta(seconds=60))


# -- 15. the file lock and the network --------------------------------------------------------


def lock_is_free(session: AuthSession) -> bool:
    try:
        with filelock.FileLock(str(session._lock.path), timeout=0):
            return True
    except filelock.Timeout:
        return False


@responses.activate
def test_sign_out_revokes_after_releasing_the_file_lock(clock: FakeClock, lock_dir: Path) -> None:
    session = session_for(make_settings(), MemoryKeyring(), clock, lock_dir)
    store_for(session, make_tokens(clock.now))
    seen: list[bool] = []

    def revoke(request):
        seen.append(lock_is_free(session))
        return (200, {}, "")

    responses.add_callback(responses.POST, REVOKE_URL, callback=revoke)
    session.sign_out()
    assert seen == [True, True]


@responses.activate
def test_cancelled_sign_in_revokes_after_releasing_the_file_lock(
    clock: FakeClock, lock_dir: Path
) -> None:
    session = session_for(make_settings(), MemoryKeyring(), clock, lock_dir)
    responses.post(TOKEN_URL, json=token_body("AT", "RT"))
    seen: list[bool] = []

    def revoke(request):
        seen.append(lock_is_free(session))
        return (200, {}, "")

    responses.add_callback(responses.POST, REVOKE_URL, callback=revoke)
    pending = session.begin_sign_in()
    with pytest.raises(SignInCancelledError):
        session.finish_sign_in(pending, "code", cancelled=lambda: True)
    assert seen == [True, True]
    assert session.store.load(session.settings.store_key) is None


def test_a_lock_timeout_is_its_own_error(
    clock: FakeClock, lock_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locks_module, "LOCK_TIMEOUT_SECONDS", 0.05)
    session = session_for(make_settings(), MemoryKeyring(), clock, lock_dir)
    store_for(session, make_tokens(clock.now, lifetime=10))
    session.load()
    with (
        filelock.FileLock(str(session._lock.path)),
        pytest.raises(LockTimeoutError, match="busy") as caught,
    ):
        session.refresh(force=True)
    assert not isinstance(caught.value, StoreError)
    assert cli.exit_code_for(caught.value) == ExitCode.BUSY
    assert "keyring" not in caught.value.user_message


def test_not_signed_in_is_still_not_signed_in(clock: FakeClock, lock_dir: Path) -> None:
    session = session_for(make_settings(), MemoryKeyring(), clock, lock_dir)
    with pytest.raises(NotSignedInError) as caught:
        session.fresh_tokens()
    assert type(caught.value) is NotSignedInError
