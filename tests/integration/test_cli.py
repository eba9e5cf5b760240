"""`frameio-desktop token|status|logout` as scripts use them: separate processes, the real
Secret Service keyring, and the demo sign-in server on loopback."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests

from frameio_desktop.core.settings import save_settings_file
from frameio_desktop.core.store import KeyringTokenStore
from frameio_desktop.core.tokens import expired_copy, utc_now
from frameio_desktop.demo.server import DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing, start_cli
from tests.helpers.demo import GatedDemoServer
from tests.helpers.fakes import store_for
from tests.helpers.hostile_http import RecordingServer
from tests.helpers.sessions import SessionFactory, complete_sign_in

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]


class SignedIn:
    """A sign-in stored in the real keyring under a profile of this test's own."""

    def __init__(self, demo: DemoServer, make_session: SessionFactory) -> None:
        self.demo = demo
        self.settings_flags = {**demo.settings_flags(), "profile": f"cli-{secrets.token_hex(4)}"}
        self.args = flags_for(self.settings_flags)
        self.session = make_session(self.settings_flags, system_keyring=True)
        pending = self.session.begin_sign_in()
        self.tokens = complete_sign_in(
            self.session, pending, sign_in_without_browser(pending.authorize_url, "Ada Lovelace")
        )

    def expire_access_token(self) -> None:
        self.tokens = expired_copy(self.tokens, utc_now() - timedelta(seconds=1))
        store_for(self.session, self.tokens)

    def stored(self):
        return self.session.store.load(self.session.settings.store_key)

    def cleanup(self) -> None:
        self.session.store.clear(self.session.settings.store_key)


@pytest.fixture
def signed_in(demo: DemoServer, make_session: SessionFactory) -> Iterator[SignedIn]:
    state = SignedIn(demo, make_session)
    yield state
    state.cleanup()


def accepted(demo: DemoServer, token: str) -> bool:
    me = requests.get(demo.me_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return me.status_code == 200


def test_token_prints_a_working_token_without_network(
    signed_in: SignedIn, demo: DemoServer
) -> None:
    before = sum(demo.state.hits.values())
    result = run_cli(["token", *signed_in.args])
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token == signed_in.tokens.access_token
    assert sum(demo.state.hits.values()) == before  # still valid: no request at all
    assert accepted(demo, token)


def test_token_json(signed_in: SignedIn) -> None:
    result = run_cli(["token", "--json", *signed_in.args])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"access_token", "expires_at", "token_type", "scope"}
    assert data["token_type"] == "Bearer"
    assert datetime.fromisoformat(data["expires_at"]) == signed_in.tokens.expires_at


def test_token_refreshes_when_min_ttl_not_met(signed_in: SignedIn, demo: DemoServer) -> None:
    # 100 s left, 300 asked for: a refresh (the demo's tokens last 600 s) meets it.
    ends = utc_now() + timedelta(seconds=100)
    signed_in.tokens = replace(
        signed_in.tokens, expires_at=ends, obtained_at=ends - timedelta(seconds=600)
    )
    store_for(signed_in.session, signed_in.tokens)
    result = run_cli(["token", "--min-ttl", "300", *signed_in.args])
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token != signed_in.tokens.access_token
    assert demo.state.refresh_grants == 1
    assert accepted(demo, token)
    stored = signed_in.stored()
    assert stored.access_token == token
    assert stored.refresh_token != signed_in.tokens.refresh_token  # rotated and kept


def test_token_fails_rather_than_print_one_shorter_lived_than_min_ttl(
    signed_in: SignedIn, demo: DemoServer
) -> None:
    result = run_cli(["token", "--min-ttl", "3000", *signed_in.args])
    assert result.returncode == 2
    assert "less than the 3000 s asked for" in result.stderr
    assert result.stdout == ""


def test_not_signed_in_exit_3(demo: DemoServer) -> None:
    result = run_cli(["token", *flags_for({**demo.settings_flags(), "profile": "nobody"})])
    assert result.returncode == 3
    assert "No one is signed in" in result.stderr
    assert result.stdout == ""


def test_session_expired_exit_4(signed_in: SignedIn, demo: DemoServer) -> None:
    signed_in.expire_access_token()
    assert signed_in.tokens.refresh_token is not None
    demo.state.token_by_refresh(signed_in.tokens.refresh_token).refresh_revoked = True
    result = run_cli(["token", *signed_in.args])
    assert result.returncode == 4
    assert "Sign in again" in result.stderr
    assert signed_in.stored() is None


def test_network_error_exit_5_keeps_session(signed_in: SignedIn, demo: DemoServer) -> None:
    signed_in.expire_access_token()
    demo.stop()
    result = run_cli(["token", *signed_in.args])
    assert result.returncode == 5
    assert "Cannot reach 127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr
    assert signed_in.stored() is not None  # nothing stored is lost
    demo.start()


def test_no_secure_keyring_exit_6(demo: DemoServer) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    result = run_cli(["token", *flags_for(demo.settings_flags())], env=env)
    assert result.returncode == 6
    assert "keyring" in result.stderr


def test_bad_settings_exit_2() -> None:
    result = run_cli(["token", "--redirect-uri", "https://app.example.test/cb"])
    assert result.returncode == 2
    assert "FRAMEIO_CLIENT_ID" in result.stderr
    assert "--client-id" in result.stderr


def test_help_documents_exit_codes() -> None:
    result = run_cli(["token", "--help"])
    assert result.returncode == 0
    for line in ("3  not signed in", "4  session expired", "5  network", "6  no secure keyring"):
        assert line in result.stdout


def test_status_text_and_json_print_no_token(signed_in: SignedIn) -> None:
    text = run_cli(["status", *signed_in.args])
    assert text.returncode == 0, text.stderr
    assert "Ada Lovelace <ada.lovelace@example.com>" in text.stdout
    assert "Signed in to Frame.io V4 (Adobe IMS), profile " in text.stdout  # named once
    assert "SecretService" in text.stdout
    assert "expires" in text.stdout
    data = json.loads(run_cli(["status", "--json", *signed_in.args]).stdout)
    assert data["account"]["email"] == "ada.lovelace@example.com"
    assert data["keyring_backend"].endswith("SecretService.Keyring")
    assert data["profile"] == signed_in.settings_flags["profile"]
    assert signed_in.tokens.refresh_token is not None
    for output in (text.stdout + text.stderr, json.dumps(data)):
        assert signed_in.tokens.access_token not in output
        assert signed_in.tokens.refresh_token not in output


def test_logout_revokes_and_clears(signed_in: SignedIn, demo: DemoServer) -> None:
    result = run_cli(["logout", *signed_in.args])
    assert result.returncode == 0, result.stderr
    assert "revoked at the server" in result.stdout
    assert signed_in.stored() is None
    assert signed_in.tokens.refresh_token is not None
    assert not demo.state.refresh_token_active(signed_in.tokens.refresh_token)
    assert not accepted(demo, signed_in.tokens.access_token)
    again = run_cli(["logout", *signed_in.args])
    assert again.returncode == 0
    assert "Nobody was signed in" in again.stdout


def test_the_environment_cannot_send_the_stored_tokens_elsewhere(
    signed_in: SignedIn, demo: DemoServer
) -> None:
    """Issue 12, item 1: the settings now name other endpoints than the sign-in's."""
    signed_in.expire_access_token()  # `token` would refresh at once with the new endpoints
    moved = ("token_url", "account_url", "revoke_url")
    flags = {k: v for k, v in signed_in.settings_flags.items() if k not in moved}
    save_settings_file({k: signed_in.settings_flags[k] for k in moved})
    with RecordingServer() as evil:
        env = {
            "FRAMEIO_TOKEN_URL": f"{evil.url}/token",
            "FRAMEIO_ACCOUNT_URL": f"{evil.url}/me",
            "FRAMEIO_REVOKE_URL": f"{evil.url}/revoke",
        }
        for command in ("status", "token", "logout"):
            result = run_cli([command, *flags_for(flags)], env=env)
            assert result.returncode == 3, (command, result.stderr)
            assert "No sign-in for this configuration" in result.stderr
            assert result.stderr.count("other endpoints") == 1  # said once, not logged too
            assert "FRAMEIO_TOKEN_URL (from environment)" in result.stderr
        assert evil.requests == []
    # The sign-in is still there for the settings it was made with.
    assert signed_in.stored() is not None
    assert run_cli(["token", *flags_for(flags)]).returncode == 0


def test_a_dotenv_cannot_name_endpoints(signed_in: SignedIn, demo: DemoServer) -> None:
    """Issue 19, medium 1: a `.env`'s endpoints are ignored (with a warning), so neither
    a refresh nor a new sign-in goes where a working folder says."""
    signed_in.expire_access_token()
    moved = ("token_url", "account_url", "revoke_url")
    flags = {k: v for k, v in signed_in.settings_flags.items() if k not in moved}
    save_settings_file({k: signed_in.settings_flags[k] for k in moved})
    with RecordingServer() as evil:
        Path(".env").write_text(
            f"FRAMEIO_TOKEN_URL={evil.url}/token\n"
            f"FRAMEIO_ACCOUNT_URL={evil.url}/me\n"
            f"FRAMEIO_REVOKE_URL={evil.url}/revoke\n"
        )
        for command in ("token", "status"):
            result = run_cli([command, *flags_for(flags)])
            assert result.returncode == 0, (command, result.stderr)
            assert "warning: Ignored FRAMEIO_TOKEN_URL, FRAMEIO_ACCOUNT_URL" in result.stderr
        assert evil.requests == []
    Path(".env").unlink()


def test_token_does_not_import_pyside(signed_in: SignedIn) -> None:
    code = (
        "import sys\n"
        "from frameio_desktop.main import main\n"
        f"rc = main(['token', *{signed_in.args!r}])\n"
        "print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NO-QT', rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "NO-QT 0", result.stderr


def test_twenty_processes_refresh_once(signed_in: SignedIn, demo: DemoServer) -> None:
    signed_in.expire_access_token()
    processes = [start_cli(["token", *signed_in.args]) for _ in range(20)]
    outputs = [p.communicate(timeout=120) for p in processes]
    codes = [p.returncode for p in processes]
    assert codes == [0] * 20, [err for _, err in outputs]
    tokens = {out.strip() for out, _ in outputs}
    assert all(accepted(demo, t) for t in tokens)
    assert demo.state.refresh_grants == 1
    assert len(tokens) == 1


def test_killed_mid_refresh_leaves_a_usable_or_clearly_expired_session(
    signed_in: SignedIn, demo: GatedDemoServer
) -> None:
    signed_in.expire_access_token()
    demo.state.token_gate.clear()
    demo.state.token_request_arrived.clear()  # set by the sign-in's own code exchange
    victim = start_cli(["token", *signed_in.args])
    assert demo.state.token_request_arrived.wait(30)  # it holds the lock, mid-refresh
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    demo.state.token_gate.set()  # the server finishes the refresh the victim never saw
    result = run_cli(["token", *signed_in.args], timeout=60)
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        assert accepted(demo, result.stdout.strip())
    else:
        assert result.returncode == 4
        assert "Sign in again" in result.stderr


def test_subcommands_against_oidc_provider(make_session: SessionFactory) -> None:
    from tests.helpers import oidc
    from tests.helpers.browser import sign_in_oidc_provider_without_browser
    from tests.helpers.peers import OIDC_REDIRECT

    if oidc.available() is not None:
        pytest.skip(str(oidc.available()))
    server = oidc.OidcProvider([OIDC_REDIRECT]).start()
    try:
        flags = {**server.settings_flags(OIDC_REDIRECT), "profile": f"cli-{secrets.token_hex(4)}"}
        session = make_session(flags, system_keyring=True)
        pending = session.begin_sign_in()
        tokens = complete_sign_in(
            session,
            pending,
            sign_in_oidc_provider_without_browser(pending.authorize_url, OIDC_REDIRECT),
        )
        args = flags_for(flags)
        same = run_cli(["token", *args])
        assert same.returncode == 0, same.stderr
        assert same.stdout.strip() == tokens.access_token  # valid: no refresh, no discovery
        assert server.counts()["refresh"] == 0
        store_for(session, expired_copy(tokens, utc_now() - timedelta(seconds=1)))
        fresh = run_cli(["token", *args])
        assert fresh.returncode == 0, fresh.stderr
        assert fresh.stdout.strip() != tokens.access_token
        assert server.counts()["refresh"] == 1
        status = run_cli(["status", "--json", *args])
        assert json.loads(status.stdout)["account"]["email"] == "ada@example.com"
        out = run_cli(["logout", *args])
        assert out.returncode == 0
        assert "revoked at the server" in out.stdout
        assert run_cli(["token", *args]).returncode == 3
    finally:
        server.stop()
        KeyringTokenStore().clear(session.settings.store_key)


def test_accounts_lists_every_page_and_marks_the_default(signed_in: SignedIn) -> None:
    text = run_cli(["accounts", *signed_in.args])
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert [line.split()[1] if line.startswith("*") else line.split()[0] for line in lines] == [
        "acct-ada.lovelace-1",
        "acct-ada.lovelace-2",
        "acct-ada.lovelace-3",
    ]
    assert lines[0].startswith("* ")
    data = json.loads(run_cli(["accounts", "--json", *signed_in.args]).stdout)
    assert data["account_id"] == "acct-ada.lovelace-1"
    assert [a["default"] for a in data["accounts"]] == [True, False, False]
    overridden = run_cli(["accounts", "--json", "--account-id", "acct-x", *signed_in.args])
    assert json.loads(overridden.stdout)["account_id"] == "acct-x"
    env = run_cli(["status", "--json", *signed_in.args], env={"FRAMEIO_ACCOUNT_ID": "acct-y"})
    status = json.loads(env.stdout)
    assert status["account_id"] == "acct-y"
    assert [a["id"] for a in status["accounts"]] == [a["id"] for a in data["accounts"]]
    for output in (text.stdout, json.dumps(data), json.dumps(status)):
        assert signed_in.tokens.access_token not in output


@pytest.fixture
def no_refresh_demo() -> Iterator[DemoServer]:
    with DemoServer(refresh_tokens=False, token_ttl=600) as server:
        yield server


def test_expired_sign_in_without_refresh_token_exits_4_and_opens_nothing(
    no_refresh_demo: DemoServer, make_session: SessionFactory
) -> None:
    signed_in = SignedIn(no_refresh_demo, make_session)
    try:
        assert signed_in.tokens.refresh_token is None
        status = run_cli(["status", *signed_in.args])
        assert status.returncode == 0, status.stderr
        assert "Signed in until " in status.stdout
        signed_in.expire_access_token()
        hits = sum(no_refresh_demo.state.hits.values())
        result = run_cli(["token", *signed_in.args])
        assert result.returncode == 4
        assert "Sign in again" in result.stderr
        assert result.stdout == ""
        assert sum(no_refresh_demo.state.hits.values()) == hits  # no request, no page
    finally:
        signed_in.cleanup()


def test_an_account_id_not_among_the_accounts_is_warned_about(signed_in: SignedIn) -> None:
    result = run_cli(["status", "--account-id", "acct-typo", *signed_in.args])
    assert result.returncode == 0, result.stderr
    assert "warning: the account ID 'acct-typo' (--account-id flag) is not one of" in (
        result.stderr
    )
    assert "acct-ada.lovelace-1" in result.stderr
    env = run_cli(["accounts", *signed_in.args], env={"FRAMEIO_ACCOUNT_ID": "acct-typo"})
    assert "FRAMEIO_ACCOUNT_ID from the environment" in env.stderr
    listed = run_cli(["status", "--account-id", "acct-ada.lovelace-2", *signed_in.args])
    assert "warning" not in listed.stderr


def test_login_if_needed_does_nothing_when_signed_in(signed_in: SignedIn, demo: DemoServer) -> None:
    hits = sum(demo.state.hits.values())
    result = run_cli(["login", "--if-needed", *signed_in.args])
    assert result.returncode == 0, result.stderr
    assert "Already signed in to Frame.io V4 (Adobe IMS)" in result.stdout
    assert sum(demo.state.hits.values()) == hits  # a fresh token: not even a request


def test_login_if_needed_signs_in_when_not_signed_in(demo: DemoServer) -> None:
    flags = flags_for({**demo.settings_flags(), "profile": f"cli-{secrets.token_hex(4)}"})
    process = subprocess.Popen(
        [sys.executable, "-m", "frameio_desktop", "login", "--if-needed", "--no-browser", *flags],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = process.communicate("\n", timeout=60)  # an empty line cancels the sign-in
    assert process.returncode == 7, err
    assert "Address (an empty line cancels): " in out  # the sign-in was started
    assert "Already signed in" not in out
