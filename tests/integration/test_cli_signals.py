"""Ctrl-C as a script author meets it: every command ends quietly with 130, and a refresh
that has reached the server is saved before the process stops (refresh tokens rotate: a
lost one signs the person out). Real processes, the real keyring, the demo server."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import IO

import pytest

from frameio_desktop.core.errors import ExitCode
from frameio_desktop.core.tokens import expired_copy, utc_now
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing
from tests.helpers.demo import GatedDemoServer
from tests.helpers.fakes import store_for
from tests.helpers.sessions import SessionFactory, complete_sign_in

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]


def start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for_line(stream: IO[str] | None, text: str) -> str:
    """What the stream said up to and including the first line holding `text`."""
    assert stream is not None
    seen = ""
    for line in stream:
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came; the stream said: {seen!r}")


@pytest.fixture
def profile_flags(demo: GatedDemoServer) -> Iterator[dict[str, str]]:
    flags = {**demo.settings_flags(), "profile": f"sig-{secrets.token_hex(4)}"}
    yield flags
    run_cli(["logout", *flags_for(flags)])


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGINT, ExitCode.INTERRUPTED), (signal.SIGTERM, -signal.SIGTERM)],
)
def test_a_signal_mid_refresh_saves_the_new_tokens_then_stops(
    demo: GatedDemoServer,
    profile_flags: dict[str, str],
    make_session: SessionFactory,
    signum: int,
    code: int,
) -> None:
    session = make_session(profile_flags, system_keyring=True)
    pending = session.begin_sign_in()
    tokens = complete_sign_in(session, pending, sign_in_without_browser(pending.authorize_url))
    store_for(session, expired_copy(tokens, utc_now() - timedelta(seconds=1)))
    demo.state.token_gate.clear()
    demo.state.token_request_arrived.clear()  # set by the sign-in's own exchange
    process = start(["token", *flags_for(profile_flags)])
    assert demo.state.token_request_arrived.wait(30)  # the refresh has reached the server
    process.send_signal(signum)
    # Wait for the notice: the signal has been seen and held back, and only then does the
    # server answer (a fixed sleep would be a guess).
    held = wait_for_line(process.stderr, "Stopping once the new sign-in is saved")
    demo.state.token_gate.set()
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, err  # SIGTERM: ends as the signal would have
    assert "Traceback" not in held + err
    assert out == ""  # interrupted: no token printed
    stored = session.store.load(session.settings.store_key)
    assert stored is not None
    assert stored.refresh_token != tokens.refresh_token  # the rotated one was kept
    assert stored.refresh_token is not None
    assert demo.state.refresh_token_active(stored.refresh_token)
    again = run_cli(["token", *flags_for(profile_flags)])
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == stored.access_token  # no second refresh needed


def test_ctrl_c_at_the_paste_prompt_exits_130_quietly(
    profile_flags: dict[str, str],
) -> None:
    process = start(["login", "--no-browser", *flags_for(profile_flags)])
    wait_for_line(process.stdout, "  http://127.0.0.1")  # the sign-in address
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == ExitCode.INTERRUPTED, err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
