"""The plain Secret Service read (core/secret_service.py) against the real gnome-keyring that
scripts/test runs: the same entry keyring reads, without keyring, SecretStorage or
cryptography, and keyring again whenever a plain read cannot be done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import keyring
import pytest

from frameio_desktop.core import secret_service
from frameio_desktop.core.secret_service import SecretServiceUnavailable, read_secret
from frameio_desktop.core.store import (
    SECRET_SERVICE_BACKEND,
    SERVICE,
    KeyringTokenStore,
    default_backend_memo,
    plain_reads_possible,
)
from tests.helpers.cli import secret_service_missing
from tests.helpers.fakes import make_tokens

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(secret_service_missing() is not None, reason=str(secret_service_missing())),
]

KEY = "frameio-v4:plain-read-test:default"
#: scripts/with-keyring unlocks its throw-away login keyring with this.
TEST_KEYRING_PASSWORD = b"frameio-test-keyring"


@pytest.fixture
def stored() -> Iterator[str]:
    """A token set written through keyring (the system's Secret Service backend)."""
    store = KeyringTokenStore(keyring.get_keyring())
    store.save(KEY, make_tokens(datetime(2026, 12, 6, 9, 0, tzinfo=UTC), access="AT-plain"))
    value = keyring.get_password(SERVICE, KEY)
    assert value is not None
    yield value
    store.clear(KEY)


@pytest.fixture
def remembered() -> None:
    """The keyring-backend memo as `token` finds it after the first run."""
    memo = default_backend_memo()
    memo.parent.mkdir(parents=True, exist_ok=True)
    memo.write_text(SECRET_SERVICE_BACKEND + "\n")


def test_reads_what_keyring_wrote(stored: str) -> None:
    assert read_secret(SERVICE, KEY) == stored
    assert read_secret(SERVICE, "frameio-v4:nobody:default") is None
    assert read_secret("another-service", KEY) is None


def test_the_store_reads_plainly_when_keyring_would_use_the_secret_service(
    stored: str, remembered: None
) -> None:
    assert plain_reads_possible()
    store = KeyringTokenStore()
    entry = store.load_entry(KEY)
    assert entry is not None
    assert entry.tokens.access_token == "AT-plain"
    assert store._backend is None  # keyring was never asked


def test_keyrings_own_configuration_wins(remembered: None, monkeypatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    assert not plain_reads_possible()


def test_other_backends_are_read_through_keyring(tmp_path) -> None:
    memo = tmp_path / "memo"
    memo.write_text("keyring.backends.kwallet.DBusKeyring\n")
    assert not plain_reads_possible(memo)
    assert not plain_reads_possible(tmp_path / "absent")


def test_when_a_plain_read_fails_keyring_reads(stored: str, remembered: None, monkeypatch) -> None:
    def unavailable(service: str, username: str) -> str | None:
        raise SecretServiceUnavailable("say, the daemon wants a prompt")

    monkeypatch.setattr(secret_service, "read_secret", unavailable)
    store = KeyringTokenStore()
    entry = store.load_entry(KEY)
    assert entry is not None
    assert entry.tokens.access_token == "AT-plain"
    assert store._backend is not None  # keyring read it, and reads from now on


def test_no_keyring_secretstorage_nor_cryptography_is_imported(
    stored: str, remembered: None
) -> None:
    code = (
        "import json, sys\n"
        "from frameio_desktop.core.store import KeyringTokenStore\n"
        f"entry = KeyringTokenStore().load_entry({KEY!r})\n"
        "loaded = [m for m in ('keyring', 'secretstorage', 'cryptography') if m in sys.modules]\n"
        "print(json.dumps([entry.tokens.access_token, loaded]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=os.environ
    )
    assert json.loads(result.stdout) == ["AT-plain", []], result.stderr


def _service_call(method: str, signature: str, *body: object) -> tuple[object, ...]:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus="SESSION") as conn:
        address = DBusAddress(
            "/org/freedesktop/secrets",
            bus_name="org.freedesktop.secrets",
            interface="org.freedesktop.Secret.Service",
        )
        reply = conn.send_and_get_reply(new_method_call(address, method, signature, body))
        return tuple(reply.body)


def _unlock_default_collection() -> None:
    """gnome-keyring's own unlock with the test keyring's password (no prompt)."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus="SESSION") as conn:
        service = DBusAddress(
            "/org/freedesktop/secrets",
            bus_name="org.freedesktop.secrets",
            interface="org.freedesktop.Secret.Service",
        )
        _, session = conn.send_and_get_reply(
            new_method_call(service, "OpenSession", "sv", ("plain", ("s", "")))
        ).body
        (collection,) = conn.send_and_get_reply(
            new_method_call(service, "ReadAlias", "s", ("default",))
        ).body
        internal = DBusAddress(
            "/org/freedesktop/secrets",
            bus_name="org.freedesktop.secrets",
            interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
        )
        secret = (session, b"", TEST_KEYRING_PASSWORD, "text/plain")
        conn.send_and_get_reply(
            new_method_call(internal, "UnlockWithMasterPassword", "o(oayays)", (collection, secret))
        )


def test_a_locked_collection_is_left_to_keyring(stored: str) -> None:
    (collection,) = _service_call("ReadAlias", "s", "default")
    _service_call("Lock", "ao", [collection])
    try:
        with pytest.raises(SecretServiceUnavailable, match="locked"):
            read_secret(SERVICE, KEY)
    finally:
        _unlock_default_collection()
    assert read_secret(SERVICE, KEY) == stored
