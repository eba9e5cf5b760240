"""`status --json` and `accounts --json` print their object whatever the outcome, and
`status` offline reports what is stored with exit 9: as scripts run them (separate
processes, the real Secret Service keyring, the demo server on loopback)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import pytest

from frameio_desktop.core.tokens import TokenSet
from frameio_desktop.demo.server import DemoServer
from tests.helpers.browser import sign_in_without_browser
from tests.helpers.cli import flags_for, run_cli, secret_service_missing
from tests.helpers.sessions import SessionFactory, complete_sign_in

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

#: The keys every `status --json` object has, in every outcome (README: "--json shapes").
STATUS_KEYS = {
    "signed_in",
    "checked_with_server",
    "provider",
    "profile",
    "client_id",
    "account",
    "account_id",
    "accounts",
    "signed_in_until",
    "access_token_expires_at",
    "refresh_token_expires_at",
    "has_refresh_token",
    "keyring_backend",
    "reason",
    "error",
}
ACCOUNTS_KEYS = {"signed_in", "provider", "profile", "account_id", "accounts", "error"}


def nobody(demo: DemoServer) -> list[str]:
    return flags_for({**demo.settings_flags(), "profile": f"nobody-{secrets.token_hex(4)}"})


@pytest.fixture
def signed_in(
    demo: DemoServer, make_session: SessionFactory
) -> Iterator[tuple[list[str], TokenSet]]:
    flags = {**demo.settings_flags(), "profile": f"status-{secrets.token_hex(4)}"}
    session = make_session(flags, system_keyring=True)
    pending = session.begin_sign_in()
    tokens = complete_sign_in(
        session, pending, sign_in_without_browser(pending.authorize_url, "Ada Lovelace")
    )
    yield flags_for(flags), tokens
    session.store.clear(session.settings.store_key)


def test_status_json_when_nobody_is_signed_in(demo: DemoServer) -> None:
    args = nobody(demo)
    result = run_cli(["status", "--json", *args])
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert set(data) == STATUS_KEYS
    assert data["signed_in"] is False
    assert data["provider"] == "frameio-v4"
    assert data["profile"] == args[args.index("--profile") + 1]
    assert "No one is signed in" in data["reason"]
    assert "No one is signed in" in result.stderr


def test_status_json_with_settings_that_do_not_validate() -> None:
    result = run_cli(["status", "--json", "--profile", "work"])
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert set(data) == STATUS_KEYS
    assert (data["signed_in"], data["provider"], data["profile"]) == (False, "frameio-v4", "work")
    assert "FRAMEIO_CLIENT_ID" in data["reason"]


def test_status_json_without_a_secure_keyring(demo: DemoServer) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    result = run_cli(["status", "--json", *nobody(demo)], env=env)
    assert result.returncode == 6
    data = json.loads(result.stdout)
    assert data["signed_in"] is False
    assert "keyring" in data["reason"]


def test_accounts_json_when_nobody_is_signed_in(demo: DemoServer) -> None:
    result = run_cli(["accounts", "--json", *nobody(demo)])
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert set(data) == ACCOUNTS_KEYS
    assert (data["signed_in"], data["accounts"]) == (False, None)
    assert "No one is signed in" in data["error"]


def test_accounts_json_with_settings_that_do_not_validate() -> None:
    result = run_cli(["accounts", "--json"])
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert set(data) == ACCOUNTS_KEYS
    assert data["signed_in"] is False


def test_status_offline_reports_what_is_stored_with_exit_9(
    signed_in: tuple[list[str], TokenSet], demo: DemoServer
) -> None:
    args, tokens = signed_in
    online = run_cli(["status", "--json", *args])
    assert online.returncode == 0, online.stderr
    before = json.loads(online.stdout)
    assert before["checked_with_server"] is True
    assert before["account_id"]

    demo.stop()
    try:
        text = run_cli(["status", *args])
        data_run = run_cli(["status", "--json", *args])
        accounts_run = run_cli(["accounts", "--json", *args])
    finally:
        demo.start()

    assert text.returncode == 9, text.stderr
    assert "Ada Lovelace" in text.stdout
    assert f"account id:     {before['account_id']}" in text.stdout
    assert "not checked with the server" in text.stdout
    assert "Could not check with the server" in text.stderr
    assert "Traceback" not in text.stderr

    assert data_run.returncode == 9
    data = json.loads(data_run.stdout)
    assert set(data) == STATUS_KEYS
    assert data["signed_in"] is True
    assert data["checked_with_server"] is False
    assert data["account_id"] == before["account_id"]
    assert data["account"]["name"] == before["account"]["name"]
    assert data["access_token_expires_at"] == before["access_token_expires_at"]
    assert "Could not check with the server" in data["error"]

    assert accounts_run.returncode == 5
    accounts = json.loads(accounts_run.stdout)
    assert (accounts["account_id"], accounts["accounts"]) == (before["account_id"], None)
    for output in (text.stdout, text.stderr, data_run.stdout, accounts_run.stdout):
        assert tokens.access_token not in output
