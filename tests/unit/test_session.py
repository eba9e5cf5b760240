from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import responses

from frameio_desktop.core.errors import (
    DiscoveryError,
    DuplicateParameterError,
    NotSignedInError,
    SessionExpiredError,
)
from frameio_desktop.core.session import AuthSession
from tests.helpers.fakes import (
    API,
    AUTH,
    REDIRECT,
    DroppingKeyring,
    FakeClock,
    MemoryKeyring,
    form_body,
    make_settings,
    make_tokens,
    store_for,
)
from tests.helpers.sessions import SessionFactory, complete_sign_in

TOKEN_URL = f"{AUTH}/oauth2/token"
REVOKE_URL = f"{AUTH}/oauth2/revoke"
ME = f"{API}/v2/me"


def token_body(access: str, refresh: str | None = None, expires_in: int = 3600) -> dict:
    body: dict = {"access_token": access, "token_type": "bearer", "expires_in": expires_in}
    if refresh:
        body["refresh_token"] = refresh
    return body


@responses.activate
def test_complete_sign_in_exchanges_and_stores(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    responses.post(TOKEN_URL, json=token_body("AT", "RT"))
    session = make_session(clock=clock)
    pending = session.begin_sign_in()
    tokens = complete_sign_in(
        session, pending, f"{REDIRECT}?{urlencode({'code': 'c', 'state': pending.state})}"
    )
    assert session.store.load(session.settings.store_key) == tokens
    assert session.persistent


@responses.activate
def test_rejected_redirect_stores_nothing_and_sends_nothing(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    backend = MemoryKeyring()
    session = make_session(keyring=backend, clock=clock)
    pending = session.begin_sign_in()
    with pytest.raises(DuplicateParameterError):
        complete_sign_in(session, pending, f"{REDIRECT}?code=c&state={pending.state}&iss=x&iss=y")
    assert backend.entries == {}
    assert len(responses.calls) == 0


@responses.activate
def test_fresh_token_makes_no_request(make_session: SessionFactory, clock: FakeClock) -> None:
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now))
    assert session.fresh_tokens(timedelta(seconds=60)).access_token == "access-1"
    assert len(responses.calls) == 0


def test_short_lived_token_refreshes_at_half_its_lifetime(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now, lifetime=60))
    session.load()
    clock.advance(29)
    assert not session.needs_refresh()
    clock.advance(2)
    assert session.needs_refresh()


def test_not_signed_in(make_session: SessionFactory, clock: FakeClock) -> None:
    with pytest.raises(NotSignedInError):
        make_session(clock=clock).fresh_tokens()


@responses.activate
def test_refresh_rotation_is_stored(make_session: SessionFactory, clock: FakeClock) -> None:
    responses.post(TOKEN_URL, json=token_body("AT2", "RT2"))
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now, lifetime=60))
    session.load()
    clock.advance(45)
    assert session.needs_refresh()
    tokens = session.fresh_tokens()
    assert (tokens.access_token, tokens.refresh_token) == ("AT2", "RT2")
    stored = session.store.load(session.settings.store_key)
    assert stored is not None
    assert stored.refresh_token == "RT2"
    assert form_body(responses.calls[0].request)["refresh_token"] == ["refresh-1"]


@responses.activate
def test_forced_refresh_without_loading_first_still_refreshes(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    responses.post(TOKEN_URL, json=token_body("AT2", "RT2"))
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now))
    assert session.refresh(force=True).access_token == "AT2"
    assert len(responses.calls) == 1


@responses.activate
def test_refresh_without_refresh_token_in_reply_keeps_old(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    responses.post(TOKEN_URL, json=token_body("AT2"))
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now, lifetime=10))
    clock.advance(6)
    tokens = session.fresh_tokens()
    assert (tokens.access_token, tokens.refresh_token) == ("AT2", "refresh-1")
    stored = session.store.load(session.settings.store_key)
    assert stored is not None
    assert stored.refresh_token == "refresh-1"


@responses.activate
def test_invalid_grant_ends_session(make_session: SessionFactory, clock: FakeClock) -> None:
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    backend = MemoryKeyring()
    session = make_session(keyring=backend, clock=clock)
    store_for(session, make_tokens(clock.now, lifetime=10))
    clock.advance(6)
    with pytest.raises(SessionExpiredError):
        session.fresh_tokens()
    assert backend.entries == {}
    assert session.tokens is None


@responses.activate
def test_server_error_during_refresh_keeps_stored_session(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    from frameio_desktop.core.errors import ServerError

    responses.post(TOKEN_URL, status=503, body="down")
    backend = MemoryKeyring()
    session = make_session(keyring=backend, clock=clock)
    stored = make_tokens(clock.now, lifetime=10)
    store_for(session, stored)
    with pytest.raises(ServerError):
        session.refresh(force=True)
    assert session.store.load(session.settings.store_key) == stored


def test_expired_refresh_token_ends_session_without_request(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now, lifetime=10))
    clock.advance(31 * 24 * 3600)
    with responses.RequestsMock() as mock:
        with pytest.raises(SessionExpiredError):
            session.fresh_tokens()
        assert len(mock.calls) == 0


class ArrivalLock:
    """A lock that tells when a given number of threads have asked for it."""

    def __init__(self, expected: int) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._guard = threading.Lock()
        self.all_arrived = threading.Event()
        self.expected = expected

    def __enter__(self) -> None:
        with self._guard:
            self._count += 1
            if self._count >= self.expected:
                self.all_arrived.set()
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _run_threads(targets: list) -> list:
    results: list = [None] * len(targets)

    def run(i: int) -> None:
        try:
            results[i] = targets[i]()
        except Exception as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_threads_refreshing_make_one_request(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now, lifetime=10))
    session.load()
    arrival = ArrivalLock(expected=2)
    session._lock.thread = arrival  # type: ignore[assignment]

    def slow_token_endpoint(request):
        # Answer only once the second thread is waiting for the lock.
        assert arrival.all_arrived.wait(timeout=10)
        return (200, {}, '{"access_token":"AT2","token_type":"bearer","refresh_token":"RT2"}')

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=slow_token_endpoint)
        results = _run_threads([lambda: session.refresh(force=True)] * 2)
        assert len(mock.calls) == 1
    assert [r.access_token for r in results] == ["AT2", "AT2"]


def test_two_sessions_sharing_keyring_refresh_once(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    """Two processes' worth of sessions: only the file lock and the store connect them."""
    backend = MemoryKeyring()
    first = make_session(keyring=backend, clock=clock)
    second = make_session(keyring=backend, clock=clock)
    store_for(first, make_tokens(clock.now, lifetime=10))
    first.load()
    second.load()
    clock.advance(6)
    started = threading.Event()
    release = threading.Event()

    def token_endpoint(request):
        started.set()
        assert release.wait(timeout=10)
        return (200, {}, '{"access_token":"AT2","token_type":"bearer","refresh_token":"RT2"}')

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=token_endpoint)
        holder: list = []
        t = threading.Thread(target=lambda: holder.append(first.fresh_tokens()))
        t.start()
        assert started.wait(timeout=10)  # first holds the file lock, mid-request
        t2 = threading.Thread(target=lambda: holder.append(second.fresh_tokens()))
        t2.start()
        release.set()
        t.join(timeout=30)
        t2.join(timeout=30)
        assert len(mock.calls) == 1
    assert sorted(x.refresh_token for x in holder) == ["RT2", "RT2"]


@responses.activate
def test_no_secure_keyring_keeps_tokens_in_memory(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    responses.post(TOKEN_URL, json=token_body("AT", "RT"))
    backend = DroppingKeyring()
    session = make_session(keyring=backend, clock=clock)
    pending = session.begin_sign_in()
    complete_sign_in(session, pending, f"{REDIRECT}?code=c&state={pending.state}")
    assert not session.persistent
    assert "only until you quit" in session.storage_problem.user_message
    assert session.fresh_tokens().access_token == "AT"
    responses.post(TOKEN_URL, json=token_body("AT2", "RT2"))
    assert session.refresh(force=True).access_token == "AT2"


@responses.activate
def test_account_retries_once_after_401(make_session: SessionFactory, clock: FakeClock) -> None:
    responses.get(ME, status=401)
    responses.get(ME, json={"id": "u1", "name": "Ada", "email": "a@example.test"})
    responses.post(TOKEN_URL, json=token_body("AT2", "RT2"))
    session = make_session(clock=clock)
    store_for(session, make_tokens(clock.now))
    account = session.user()
    assert account is not None
    assert account.name == "Ada"
    assert responses.calls[2].request.headers["Authorization"] == "Bearer AT2"


@responses.activate
def test_sign_out_revokes_and_clears(make_session: SessionFactory, clock: FakeClock) -> None:
    responses.post(REVOKE_URL, status=200)
    backend = MemoryKeyring()
    session = make_session(keyring=backend, clock=clock)
    store_for(session, make_tokens(clock.now))
    result = session.sign_out()
    assert result.revoked
    hints = [form_body(c.request)["token_type_hint"][0] for c in responses.calls]
    assert hints == ["refresh_token", "access_token"]
    assert backend.entries == {}


@responses.activate
def test_sign_out_clears_even_when_revocation_fails(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    responses.post(REVOKE_URL, body=ConnectionError("down"))
    backend = MemoryKeyring()
    session = make_session(keyring=backend, clock=clock)
    store_for(session, make_tokens(clock.now))
    result = session.sign_out()
    assert not result.revoked
    assert backend.entries == {}
    assert session.tokens is None


# -- OpenID Connect discovery -----------------------------------------------------------

ISSUER = "https://id.example.test"
CONFIG = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/auth",
    "token_endpoint": f"{ISSUER}/token",
    "userinfo_endpoint": f"{ISSUER}/me",
    "revocation_endpoint": f"{ISSUER}/revoke",
    "authorization_response_iss_parameter_supported": True,
}


def oidc_session(make_session: SessionFactory, clock: FakeClock) -> AuthSession:
    return make_session(
        make_settings(
            provider="oidc",
            issuer=ISSUER,
            authorize_url="",
            token_url="",
            account_url="",
            revoke_url="",
        ),
        clock=clock,
    )


@responses.activate
def test_oidc_discovery_fills_endpoints(make_session: SessionFactory, clock: FakeClock) -> None:
    responses.get(f"{ISSUER}/.well-known/openid-configuration", json=CONFIG)
    session = oidc_session(make_session, clock)
    resolved = session.resolved_settings()
    assert (resolved.token_url, resolved.account_url, resolved.revoke_url) == (
        f"{ISSUER}/token",
        f"{ISSUER}/me",
        f"{ISSUER}/revoke",
    )
    pending = session.begin_sign_in()
    assert pending.authorize_url.startswith(f"{ISSUER}/auth?")
    assert pending.require_iss
    session.resolved_settings()
    assert len(responses.calls) == 1


@pytest.mark.parametrize(
    "config",
    [
        {**CONFIG, "issuer": "https://other.example.test"},
        {**CONFIG, "token_endpoint": "http://id.example.test/token"},
        {k: v for k, v in CONFIG.items() if k != "authorization_endpoint"},
    ],
)
@responses.activate
def test_bad_discovery_documents(
    make_session: SessionFactory, clock: FakeClock, config: dict
) -> None:
    responses.get(f"{ISSUER}/.well-known/openid-configuration", json=config)
    with pytest.raises(DiscoveryError):
        oidc_session(make_session, clock).resolved_settings()


@responses.activate
def test_sign_in_shown_before_saving_then_persisted(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    responses.post(TOKEN_URL, json=token_body("AT", "RT"))
    backend = MemoryKeyring()
    session = make_session(keyring=backend, clock=clock)
    pending = session.begin_sign_in()
    code = pending.take_code(f"{REDIRECT}?code=c&state={pending.state}")
    session.finish_sign_in(pending, code, persist=False)
    assert backend.entries == {}
    assert session.has_unsaved_tokens
    assert session.fresh_tokens().access_token == "AT"  # usable before the write
    responses.post(TOKEN_URL, json=token_body("AT2", "RT2"))
    clock.advance(3500)
    assert session.refresh().access_token == "AT2"  # a refresh before the write works too
    session.persist()
    stored = session.store.load(session.settings.store_key)
    assert stored is not None
    assert stored.access_token == "AT2"
    assert not session.has_unsaved_tokens


@responses.activate
def test_account_remembered_with_tokens_for_the_next_launch(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    responses.get(ME, json={"id": "u1", "name": "Ada", "email": "a@example.test"})
    backend = MemoryKeyring()
    session = make_session(keyring=backend, clock=clock)
    store_for(session, make_tokens(clock.now))
    session.user()
    session.user()
    assert len(responses.calls) == 2
    writes = backend.writes
    later = make_session(keyring=backend, clock=clock)
    later.load()
    assert later.known_user_if_fresh() is not None
    assert later.known_user_if_fresh().name == "Ada"
    assert backend.writes == writes  # the second lookup found nothing new to store
    clock.advance(3400)  # inside the refresh lead: not shown without asking the server
    assert later.known_user_if_fresh() is None


class GatedKeyring(MemoryKeyring):
    """Reads wait for `release`, and each read is counted with its thread's name."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.readers: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.readers.append(threading.current_thread().name)
        assert self.release.wait(10)
        return super().get_password(service, username)


def test_prefetch_reads_once_on_its_own_thread(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    backend = GatedKeyring()
    session = make_session(keyring=backend, clock=clock)
    backend.release.set()
    store_for(session, make_tokens(clock.now))
    backend.readers.clear()
    backend.release.clear()
    session.prefetch()
    session.prefetch()  # a second call starts nothing more
    backend.release.set()
    tokens = session.load()
    assert tokens is not None
    assert tokens.access_token == "access-1"
    assert set(backend.readers) == {"keyring-prefetch"}
    session.load()  # a later load reads the keyring again, on the caller's thread
    assert backend.readers[-1] == threading.current_thread().name


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("locked")


def test_prefetch_failure_is_reported_by_load(
    make_session: SessionFactory, clock: FakeClock
) -> None:
    session = make_session(keyring=LockedKeyring(), clock=clock)
    session.prefetch()
    assert session.load() is None
    assert session.storage_problem is not None
