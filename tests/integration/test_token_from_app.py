"""`frameio-desktop token`, `get_token()` and `token_provider()` while an app runs: the
app's token service (core/agent) on the real Secret Service keyring and the demo server,
with the scripts in processes of their own. The output and the exit codes are the same as
the keyring's, and once the app is gone the keyring answers."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from frameio_desktop.core.agent.client import WAIT_ENV
from frameio_desktop.core.agent.server import TokenServer
from frameio_desktop.core.agent.service import TokenService
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.tokens import expired_copy, utc_now
from frameio_desktop.demo.server import DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing
from tests.helpers.fakes import store_for
from tests.helpers.sessions import SessionFactory, complete_sign_in

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

#: The app answers in milliseconds; under a loaded test machine give it longer, so that
#: the answer is the app's, not the keyring's after a timeout.
PATIENT = {WAIT_ENV: "10000"}


class App:
    """A running app's token service over a signed-in session of the real keyring."""

    def __init__(self, demo: DemoServer, make_session: SessionFactory) -> None:
        self.flags = {**demo.settings_flags(), "profile": f"app-{secrets.token_hex(4)}"}
        self.args = flags_for(self.flags)
        self.session = make_session(self.flags, system_keyring=True)
        pending = self.session.begin_sign_in()
        complete_sign_in(
            self.session, pending, sign_in_without_browser(pending.authorize_url, "Ada Lovelace")
        )
        self.server = TokenServer({"token": TokenService(lambda: self.session).answer})

    def answered(self) -> int:
        return self.server.answered.get("token", 0)

    def quit(self) -> None:
        self.server.close()

    def cleanup(self) -> None:
        self.server.close()
        self.session.store.clear(self.session.settings.store_key)


@pytest.fixture
def app(demo: DemoServer, make_session: SessionFactory) -> Iterator[App]:
    running = App(demo, make_session)
    running.server.start()
    yield running
    running.cleanup()


def token(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["token", *args], env=PATIENT)


def test_token_answers_from_the_app_then_from_the_keyring_once_it_quits(
    app: App, demo: DemoServer
) -> None:
    hits = sum(demo.state.hits.values())
    from_app = [token(*app.args), token("--json", *app.args)]
    assert app.answered() == 2
    app.quit()
    from_keyring = [token(*app.args), token("--json", *app.args)]
    assert app.answered() == 2
    for answered in (*from_app, *from_keyring):
        assert answered.returncode == 0, answered.stderr
    assert [r.stdout for r in from_app] == [r.stdout for r in from_keyring]
    assert [r.stderr for r in from_app] == [r.stderr for r in from_keyring] == ["", ""]
    assert json.loads(from_app[1].stdout)["access_token"] == from_app[0].stdout.strip()
    assert sum(demo.state.hits.values()) == hits  # still valid: no request by anyone


def test_the_app_renews_first_for_a_longer_min_ttl(app: App, demo: DemoServer) -> None:
    held = app.session.tokens
    assert held is not None
    now = utc_now()  # a 600 s token with 100 s left
    short = replace(
        held, obtained_at=now - timedelta(seconds=500), expires_at=now + timedelta(seconds=100)
    )
    store_for(app.session, short)
    app.session.load()
    result = token("--min-ttl", "300", *app.args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() != held.access_token
    assert app.answered() == 1
    assert demo.state.refresh_grants == 1
    stored = app.session.store.load(app.session.settings.store_key)
    assert stored is not None
    assert stored.access_token == result.stdout.strip()


def test_errors_are_the_keyring_paths(
    app: App, demo: DemoServer, make_session: SessionFactory
) -> None:
    """The same failure (expired, refresh token revoked), once through the app and once
    through the keyring of another sign-in: the same words and exit code."""

    def expire_and_revoke(session: AuthSession) -> None:
        tokens = session.tokens or session.load()
        assert tokens is not None
        assert tokens.refresh_token is not None
        expired = expired_copy(tokens, utc_now() - timedelta(seconds=1))
        store_for(session, expired)
        session.load()
        demo.state.token_by_refresh(tokens.refresh_token).refresh_revoked = True

    expire_and_revoke(app.session)
    through_app = token(*app.args)
    assert app.answered() == 1
    other = App(demo, make_session)  # not served: the keyring answers
    try:
        expire_and_revoke(other.session)
        through_keyring = token(*other.args)
    finally:
        other.cleanup()
    assert other.answered() == 0
    assert through_app.returncode == through_keyring.returncode == 4
    assert through_app.stderr == through_keyring.stderr
    assert through_app.stdout == through_keyring.stdout == ""


def test_another_sign_in_is_the_keyrings(app: App) -> None:
    result = token(*flags_for({**app.flags, "profile": "nobody-here"}))
    assert result.returncode == 3
    assert "No one is signed in" in result.stderr
    assert app.answered() == 0


def test_get_token_and_token_provider_ask_the_app(app: App, monkeypatch) -> None:
    import frameio_desktop

    monkeypatch.setenv(WAIT_ENV, "10000")
    held = app.session.tokens
    assert held is not None
    assert frameio_desktop.get_token(settings=app.flags) == held.access_token
    provider = frameio_desktop.token_provider(settings=app.flags)
    assert provider() == provider() == held.access_token
    assert app.answered() == 2  # the provider asked once: its token was still fresh
    app.quit()
    assert frameio_desktop.get_token(settings=app.flags) == held.access_token
    assert app.answered() == 2


#: Modules the launcher's read of a fresh stored token does without (logging: nothing is
#: logged on that path; the HTTP client, the redaction filter and difflib serve others).
OFF_THE_FAST_PATH = frozenset(
    {
        "logging",
        "difflib",
        "requests",
        "keyring",
        "cryptography",
        "frameio_desktop.core.http",
        "frameio_desktop.core.redact",
    }
)


def test_a_fresh_stored_token_is_read_without_the_command_line(app: App, demo: DemoServer) -> None:
    """With no app, the launcher reads a still-fresh token itself (`token_from_keyring`):
    the same output as the whole command line's, without importing it, nor what only its
    other paths need (benchmarks row 10: each costs `token` milliseconds)."""
    app.quit()
    code = (
        "import sys\n"
        "from frameio_desktop.launcher import main\n"
        f"code = main(['token', '--json', *{app.args!r}])\n"
        "print('EXIT', code, 'MAIN', 'frameio_desktop.main' in sys.modules, file=sys.stderr)\n"
        f"print('LOADED', sorted(set(sys.modules) & set({sorted(OFF_THE_FAST_PATH)!r})), "
        "file=sys.stderr)\n"
    )
    fast = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "EXIT 0 MAIN False" in fast.stderr, fast.stderr
    assert "LOADED []" in fast.stderr, fast.stderr
    whole = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from frameio_desktop.main import main; "
            f"sys.exit(main(['token', '--json', *{app.args!r}]))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert whole.returncode == 0, whole.stderr
    assert fast.stdout == whole.stdout
    assert app.answered() == 0


def test_get_token_reads_a_fresh_stored_token_without_the_session(app: App) -> None:
    """`get_token()` with no app: the same quick read as the launcher's (benchmarks row 8
    holds it to `token`'s time), the stored token, without the session or its client."""
    app.quit()
    code = (
        "import sys, frameio_desktop\n"
        f"print(frameio_desktop.get_token(settings={app.flags!r}))\n"
        "print('SESSION', 'frameio_desktop.core.session' in sys.modules, file=sys.stderr)\n"
        f"print('LOADED', sorted(set(sys.modules) & set({sorted(OFF_THE_FAST_PATH)!r})), "
        "file=sys.stderr)\n"
    )
    read = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert read.returncode == 0, read.stderr
    assert app.session.tokens is not None
    assert read.stdout.strip() == app.session.tokens.access_token
    assert "SESSION False" in read.stderr, read.stderr
    assert "LOADED []" in read.stderr, read.stderr
    assert app.answered() == 0
