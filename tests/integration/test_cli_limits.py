"""`token` against a stalled or failing server and with limits it cannot meet, as scripts
meet them: real processes, the real keyring, the demo server on loopback."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import IO

import pytest

import frameio_desktop
from frameio_desktop.core.errors import ExitCode, RequestTimeoutError
from frameio_desktop.core.tokens import TokenSet, expired_copy, utc_now
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing
from tests.helpers.demo import GatedDemoServer
from tests.helpers.fakes import store_for
from tests.helpers.sessions import SessionFactory, complete_sign_in

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

TOKEN_PATH = "/ims/token/v3"


class Expired:
    """A sign-in whose access token has expired, so `token` must refresh."""

    def __init__(self, demo: GatedDemoServer, make_session: SessionFactory) -> None:
        self.flags = {**demo.settings_flags(), "profile": f"lim-{secrets.token_hex(4)}"}
        self.args = flags_for(self.flags)
        self.session = make_session(self.flags, system_keyring=True)
        pending = self.session.begin_sign_in()
        self.tokens: TokenSet = complete_sign_in(
            self.session, pending, sign_in_without_browser(pending.authorize_url)
        )
        store_for(self.session, expired_copy(self.tokens, utc_now() - timedelta(seconds=1)))
        demo.state.token_request_arrived.clear()  # set by the sign-in's own exchange

    def stored(self) -> TokenSet | None:
        return self.session.store.load(self.session.settings.store_key)


@pytest.fixture
def expired(demo: GatedDemoServer, make_session: SessionFactory) -> Iterator[Expired]:
    state = Expired(demo, make_session)
    yield state
    state.session.store.clear(state.session.settings.store_key)


def start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for_line(stream: IO[str] | None, text: str) -> str:
    assert stream is not None
    seen = ""
    for line in stream:
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came; the stream said: {seen!r}")


def test_callers_waiting_for_a_failed_refresh_end_with_its_failure(
    expired: Expired, demo: GatedDemoServer
) -> None:
    demo.state.token_gate.clear()
    holder = start(["token", *expired.args])
    assert demo.state.token_request_arrived.wait(30)  # it holds the lock, mid-refresh
    waiters = [start(["-v", "token", *expired.args]) for _ in range(2)]
    for waiter in waiters:  # each is queued behind the holder (its own log line says so)
        wait_for_line(waiter.stderr, "waiting for another frameio-desktop process")
    demo.state.token_failure = 503
    demo.state.token_gate.set()
    _, holder_err = holder.communicate(timeout=60)
    assert holder.returncode == ExitCode.NETWORK, holder_err
    assert "HTTP 503" in holder_err
    for waiter in waiters:
        out, err = waiter.communicate(timeout=60)
        assert waiter.returncode == ExitCode.NETWORK, err
        assert out == ""
        assert "HTTP 503" in err
        assert "did not try again" in err
        assert "Traceback" not in err
    assert demo.state.hits[TOKEN_PATH] == 2  # the sign-in's exchange, and one refresh
    assert expired.stored() is not None  # a server failure keeps the sign-in
    # A later call is not answered by that old failure: it asks the server itself.
    demo.state.token_failure = None
    later = run_cli(["token", *expired.args])
    assert later.returncode == 0, later.stderr


def test_timeout_bounds_a_stalled_refresh(expired: Expired, demo: GatedDemoServer) -> None:
    demo.state.token_gate.clear()
    result = run_cli(["token", "--timeout", "1", *expired.args])
    assert result.returncode == ExitCode.NETWORK, result.stderr
    assert "took too long" in result.stderr
    assert expired.stored() is not None


def test_timeout_bounds_the_wait_for_another_refresh(
    expired: Expired, demo: GatedDemoServer
) -> None:
    demo.state.token_gate.clear()
    holder = start(["token", *expired.args])
    try:
        assert demo.state.token_request_arrived.wait(30)
        waiter = run_cli(["token", "--timeout", "1", *expired.args])
        assert waiter.returncode == ExitCode.BUSY, waiter.stderr
        assert "busy with this sign-in for over 1 s" in waiter.stderr
    finally:
        demo.state.token_gate.set()
        holder.communicate(timeout=60)
    assert holder.returncode == 0


def test_get_token_timeout(expired: Expired, demo: GatedDemoServer) -> None:
    demo.state.token_gate.clear()
    with pytest.raises(RequestTimeoutError):
        frameio_desktop.get_token(settings=expired.flags, timeout=1)
    assert expired.stored() is not None


def test_min_ttl_beyond_the_servers_token_lifetime_fails_at_once(
    expired: Expired, demo: GatedDemoServer
) -> None:
    # The demo's tokens last 600 s; the stored sign-in remembers it.
    hits = sum(demo.state.hits.values())
    result = run_cli(["token", "--min-ttl", "3000", *expired.args])
    assert result.returncode == ExitCode.USAGE
    assert "last 600 s" in result.stderr
    assert "less than the 3000 s asked for" in result.stderr
    assert result.stdout == ""
    assert sum(demo.state.hits.values()) == hits  # no request
    assert expired.stored() is not None


def test_min_ttl_negative_is_refused_and_documented() -> None:
    result = run_cli(["token", "--min-ttl", "-1"])
    assert result.returncode == ExitCode.USAGE
    assert "negative" in result.stderr
    helped = run_cli(["token", "--help"])
    assert "--min-ttl SECONDS" in helped.stdout
    assert "the token must stay valid at least this long" in " ".join(helped.stdout.split())
    assert "--timeout SECONDS" in helped.stdout
