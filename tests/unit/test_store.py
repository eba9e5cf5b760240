from __future__ import annotations

import pytest
from keyring.backends import fail, null

from frameio_desktop.core.errors import (
    KeyringReadBackError,
    NoSecureKeyringError,
    StoredDataError,
)
from frameio_desktop.core.store import SERVICE, KeyringTokenStore
from tests.helpers.fakes import DroppingKeyring, FakeClock, MemoryKeyring, make_tokens

KEY = "frameio-v2:client:default"


def test_round_trip(clock: FakeClock) -> None:
    backend = MemoryKeyring()
    store = KeyringTokenStore(backend)
    tokens = make_tokens(clock.now)
    store.save(KEY, tokens)
    assert store.load(KEY) == tokens
    assert list(backend.entries) == [(SERVICE, KEY)]


def test_load_nothing_stored() -> None:
    assert KeyringTokenStore(MemoryKeyring()).load(KEY) is None


def test_chunking_round_trip(clock: FakeClock) -> None:
    backend = MemoryKeyring()
    store = KeyringTokenStore(backend, chunk_chars=100)
    tokens = make_tokens(clock.now, access="A" * 3000, refresh="R" * 900)
    store.save(KEY, tokens)
    assert len(backend.entries) > 3
    assert all(len(v) <= 100 for v in backend.entries.values())
    assert store.load(KEY) == tokens


def test_default_chunk_fits_windows_limit(clock: FakeClock) -> None:
    backend = MemoryKeyring()
    store = KeyringTokenStore(backend)
    store.save(KEY, make_tokens(clock.now, access="A" * 5000))
    # 2,560 bytes per credential; keyring writes UTF-16 on Windows.
    assert all(len(v.encode("utf-16-le")) <= 2560 for v in backend.entries.values())


def test_resave_replaces_generation_and_clear_removes_all(clock: FakeClock) -> None:
    backend = MemoryKeyring()
    store = KeyringTokenStore(backend, chunk_chars=100)
    store.save(KEY, make_tokens(clock.now, access="A" * 500))
    first = set(backend.entries)
    second_tokens = make_tokens(clock.now, access="B" * 500)
    store.save(KEY, second_tokens)
    assert store.load(KEY) == second_tokens
    # the old generation's chunks are gone; only the main entry name is shared
    assert set(backend.entries) & first == {(SERVICE, KEY)}
    store.chunk_chars = 2000  # the next set fits in one entry
    small = make_tokens(clock.now)
    store.save(KEY, small)
    assert list(backend.entries) == [(SERVICE, KEY)]
    store.clear(KEY)
    assert backend.entries == {}


def test_old_generation_survives_until_switch(clock: FakeClock) -> None:
    """A crash while the new chunks are written leaves the old set readable."""

    class CrashingKeyring(MemoryKeyring):
        crash_on_pointer = False

        def set_password(self, service: str, username: str, password: str) -> None:
            if self.crash_on_pointer and password.startswith("chunked:"):
                raise SystemExit("power cut")
            super().set_password(service, username, password)

    backend = CrashingKeyring()
    store = KeyringTokenStore(backend, chunk_chars=100)
    old = make_tokens(clock.now, access="A" * 500)
    store.save(KEY, old)
    backend.crash_on_pointer = True
    with pytest.raises(SystemExit):
        store.save(KEY, make_tokens(clock.now, access="B" * 500))
    assert KeyringTokenStore(backend, chunk_chars=100).load(KEY) == old


def test_read_back_failure_detected(clock: FakeClock) -> None:
    store = KeyringTokenStore(DroppingKeyring())
    with pytest.raises(KeyringReadBackError):
        store.save(KEY, make_tokens(clock.now))


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_no_secure_backend(clock: FakeClock, backend: object) -> None:
    store = KeyringTokenStore(backend)  # type: ignore[arg-type]
    with pytest.raises(NoSecureKeyringError):
        store.save(KEY, make_tokens(clock.now))
    with pytest.raises(NoSecureKeyringError):
        store.load(KEY)


def test_plaintext_keyrings_alt_backend_refused(clock: FakeClock) -> None:
    plaintext_keyring = type(
        "PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"}
    )
    backend = plaintext_keyring()
    with pytest.raises(NoSecureKeyringError, match="file"):
        KeyringTokenStore(backend).save(KEY, make_tokens(clock.now))
    assert backend.entries == {}


@pytest.mark.parametrize("raw", ["{not json", "[1]", '{"access_token": "x"}', "chunked:v1:zz:2"])
def test_damaged_entry(raw: str) -> None:
    backend = MemoryKeyring()
    backend.entries[(SERVICE, KEY)] = raw
    with pytest.raises(StoredDataError):
        KeyringTokenStore(backend).load(KEY)


def test_detected_backend_is_remembered_and_reused(tmp_path, monkeypatch) -> None:
    import keyring as keyring_module

    from frameio_desktop.core import store as store_module

    memo = tmp_path / "keyring-backend"
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(store_module, "_user_chose_backend", lambda: False)
    detected = []

    def fake_detection():
        detected.append(1)
        return keyring.backends.SecretService.Keyring()

    import keyring.backends.SecretService

    monkeypatch.setattr(keyring_module, "get_keyring", fake_detection)
    if not keyring.backends.SecretService.Keyring.viable:
        pytest.skip("needs a viable Secret Service (scripts/test provides one)")
    first = store_module.detect_backend(memo)
    assert memo.read_text().strip() == "keyring.backends.SecretService.Keyring"
    second = store_module.detect_backend(memo)
    assert type(first) is type(second)
    assert detected == [1]  # the second start did not run detection


def test_unusable_memo_falls_back_to_detection(tmp_path, monkeypatch) -> None:
    import keyring as keyring_module

    from frameio_desktop.core import store as store_module

    memo = tmp_path / "keyring-backend"
    memo.write_text("keyring.backends.nonexistent.Keyring\n")
    monkeypatch.setattr(store_module, "_user_chose_backend", lambda: False)
    monkeypatch.setattr(keyring_module, "get_keyring", lambda: fail.Keyring())
    assert isinstance(store_module.detect_backend(memo), fail.Keyring)
    assert memo.read_text().startswith("keyring.backends.nonexistent")  # insecure: not saved


def test_users_own_keyring_choice_wins(tmp_path, monkeypatch) -> None:
    import keyring as keyring_module

    from frameio_desktop.core import store as store_module

    memo = tmp_path / "keyring-backend"
    memo.write_text("keyring.backends.SecretService.Keyring\n")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setattr(keyring_module, "get_keyring", lambda: null.Keyring())
    assert isinstance(store_module.detect_backend(memo), null.Keyring)


def test_account_kept_with_tokens(clock: FakeClock) -> None:
    from frameio_desktop.core.account import Account

    store = KeyringTokenStore(MemoryKeyring())
    account = Account(id="u1", name="Ada", email="ada@example.test", account_id="a1")
    tokens = make_tokens(clock.now)
    store.save(KEY, tokens, account)
    assert store.load_entry(KEY) == (tokens, account)
    store.save(KEY, tokens)
    assert store.load_entry(KEY) == (tokens, None)
    assert store.load(KEY) == tokens
