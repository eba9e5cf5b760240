from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backends import fail, null

from frameio_desktop.core.errors import (
    KeyringLockedError,
    KeyringReadBackError,
    NoSecureKeyringError,
    StoredDataError,
    StoreError,
)
from frameio_desktop.core.store import SERVICE, KeyringTokenStore, StoredSession
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
    from frameio_desktop.core.store import default_chunk_chars

    backend = MemoryKeyring()
    store = KeyringTokenStore(backend, chunk_chars=default_chunk_chars("win32"))
    store.save(KEY, make_tokens(clock.now, access="A" * 5000))
    assert len(backend.entries) > 3
    # 2,560 bytes per credential; keyring writes UTF-16 on Windows.
    assert all(len(v.encode("utf-16-le")) <= 2560 for v in backend.entries.values())


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_without_a_size_limit_a_long_set_is_one_entry(clock: FakeClock, platform: str) -> None:
    # Adobe IMS tokens are ~1.2 KB each: in chunks, every `token` run read the keyring
    # four times instead of once (~34 ms on the Secret Service, benchmark 6).
    from frameio_desktop.core.store import default_chunk_chars

    backend = MemoryKeyring()
    store = KeyringTokenStore(backend, chunk_chars=default_chunk_chars(platform))
    tokens = make_tokens(clock.now, access="A" * 1400, refresh="R" * 1100)
    store.save(KEY, tokens)
    assert list(backend.entries) == [(SERVICE, KEY)]
    assert store.load(KEY) == tokens


def test_a_chunked_set_from_before_is_read_and_replaced_by_one_entry(clock: FakeClock) -> None:
    backend = MemoryKeyring()
    old = make_tokens(clock.now, access="A" * 1400, refresh="R" * 1100)
    KeyringTokenStore(backend, chunk_chars=1000).save(KEY, old)
    assert len(backend.entries) > 3
    store = KeyringTokenStore(backend, chunk_chars=None)
    assert store.load(KEY) == old
    new = make_tokens(clock.now, access="B" * 1400, refresh="S" * 1100)
    store.save(KEY, new)
    assert list(backend.entries) == [(SERVICE, KEY)]
    assert store.load(KEY) == new


def test_resave_replaces_generation_and_clear_removes_all(clock: FakeClock) -> None:
    backend = MemoryKeyring()
    store = KeyringTokenStore(backend, chunk_chars=100)
    store.save(KEY, make_tokens(clock.now, access="A" * 500))
    first = set(backend.entries)
    second_tokens = make_tokens(clock.now, access="B" * 500)
    store.save(KEY, second_tokens)
    assert store.load(KEY) == second_tokens
    # the old generation's chunks are gone; only the main entry and the journal remain
    assert set(backend.entries) & first == {(SERVICE, KEY), (SERVICE, f"{KEY}#chunks")}
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
    from frameio_desktop.core.user import User

    store = KeyringTokenStore(MemoryKeyring())
    account = User(id="u1", name="Ada", email="ada@example.test", account_id="a1")
    tokens = make_tokens(clock.now)
    store.save(KEY, tokens, account)
    assert store.load_entry(KEY) == StoredSession(tokens, account)
    store.save(KEY, tokens)
    assert store.load_entry(KEY) == StoredSession(tokens, None)
    assert store.load(KEY) == tokens


def test_binding_kept_with_tokens(clock: FakeClock) -> None:
    store = KeyringTokenStore(MemoryKeyring(), chunk_chars=100)
    tokens = make_tokens(clock.now, access="A" * 300)
    binding = {"token_url": "https://auth.example.test/token", "issuer": None}
    store.save(KEY, tokens, binding=binding)
    assert store.load_entry(KEY) == StoredSession(tokens, None, binding)


class FailingKeyring(MemoryKeyring):
    """Refuses the n-th write from now on (a backend error partway through)."""

    fail_at: int | None = None

    def set_password(self, service: str, username: str, password: str) -> None:
        from keyring.errors import PasswordSetError

        if self.fail_at is not None:
            self.fail_at -= 1
            if self.fail_at < 0:
                raise PasswordSetError("the keyring daemon went away")
        super().set_password(service, username, password)


@pytest.mark.parametrize("fail_at", [1, 3, 5])
def test_chunks_of_a_failed_write_are_removed_by_clear(clock: FakeClock, fail_at: int) -> None:
    backend = FailingKeyring()
    store = KeyringTokenStore(backend, chunk_chars=100)
    old = make_tokens(clock.now, access="A" * 500)
    store.save(KEY, old)
    backend.fail_at = fail_at
    with pytest.raises(StoreError):
        store.save(KEY, make_tokens(clock.now, access="B" * 500))
    backend.fail_at = None
    assert store.load(KEY) == old  # the old set is still whole
    store.clear(KEY)
    assert backend.entries == {}


def test_chunks_of_a_failed_write_are_removed_by_the_next_save(clock: FakeClock) -> None:
    backend = FailingKeyring()
    store = KeyringTokenStore(backend, chunk_chars=100)
    backend.fail_at = 3
    with pytest.raises(StoreError):
        store.save(KEY, make_tokens(clock.now, access="B" * 500))
    backend.fail_at = None
    store.chunk_chars = 5000
    small = make_tokens(clock.now)
    store.save(KEY, small)
    assert list(backend.entries) == [(SERVICE, KEY)]
    assert store.load(KEY) == small


class RacingKeyring(MemoryKeyring):
    """Runs `writer` once, just before the reader's first chunk read returns."""

    writer: Callable[[], None] | None = None

    def get_password(self, service: str, username: str) -> str | None:
        if self.writer is not None and "#" in username and not username.endswith("#chunks"):
            writer, self.writer = self.writer, None
            writer()
        return super().get_password(service, username)


@pytest.mark.parametrize("new_size", [500, 10])
def test_a_reader_racing_a_writer_sees_the_old_or_the_new_set(
    clock: FakeClock, new_size: int
) -> None:
    backend = RacingKeyring()
    writer = KeyringTokenStore(backend, chunk_chars=100)
    reader = KeyringTokenStore(backend, chunk_chars=100)
    old = make_tokens(clock.now, access="A" * 500)
    new = make_tokens(clock.now, access="B" * new_size)
    writer.save(KEY, old)
    backend.writer = lambda: writer.save(KEY, new)
    assert reader.load(KEY) in (old, new)
    assert backend.writer is None  # the race did happen


def test_a_pointer_to_missing_chunks_is_damaged(clock: FakeClock) -> None:
    backend = MemoryKeyring()
    store = KeyringTokenStore(backend, chunk_chars=100)
    store.save(KEY, make_tokens(clock.now, access="A" * 500))
    chunk = next(name for (_, name) in backend.entries if name.endswith("#1"))
    del backend.entries[(SERVICE, chunk)]
    with pytest.raises(StoredDataError):
        store.load(KEY)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("Failed to unlock the collection!")


def test_a_locked_keyring_says_so() -> None:
    with pytest.raises(KeyringLockedError, match="locked"):
        KeyringTokenStore(LockedKeyring()).load(KEY)


def test_memo_naming_a_module_keyring_does_not_list_is_not_imported(tmp_path, monkeypatch) -> None:
    import sys

    import keyring as keyring_module

    from frameio_desktop.core import store as store_module

    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "planted_backend_x1.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(tmp_path / 'ran')!r}).write_text('ran')\n"
        "from keyring.backend import KeyringBackend\n"
        "class Keyring(KeyringBackend):\n"
        "    priority = 99\n"
    )
    monkeypatch.syspath_prepend(str(planted))
    memo = tmp_path / "keyring-backend"
    memo.write_text("planted_backend_x1.Keyring\n")
    monkeypatch.setattr(store_module, "_user_chose_backend", lambda: False)
    monkeypatch.setattr(keyring_module, "get_keyring", lambda: fail.Keyring())
    assert isinstance(store_module.detect_backend(memo), fail.Keyring)
    assert not (tmp_path / "ran").exists()
    assert "planted_backend_x1" not in sys.modules


def test_memo_of_a_built_in_backend_reads_no_entry_points(tmp_path, monkeypatch) -> None:
    # Scanning every distribution's entry points cost each `token` run ~10 ms (benchmark 6):
    # keyring's own backends are trusted by their package, third-party ones still looked up.
    from frameio_desktop.core import store as store_module

    scans: list[int] = []

    def listed() -> set[str]:
        scans.append(1)
        return {"keyrings.thirdparty.backend"}

    monkeypatch.setattr(store_module, "_listed_backend_modules", listed)
    assert store_module._is_backend_module("keyring.backends.SecretService")
    assert store_module._is_backend_module("keyring.backends.kwallet")
    assert scans == []
    assert not store_module._is_backend_module("keyring.backends.macOS.api")
    assert not store_module._is_backend_module("keyring.backends.")
    assert scans == []
    assert store_module._is_backend_module("keyrings.thirdparty.backend")
    assert not store_module._is_backend_module("keyring_backends_lookalike")
    assert not store_module._is_backend_module("keyring.backendsX")
    assert scans == [1, 1, 1]


def test_remembered_built_in_backend_is_used_without_an_entry_point_scan(
    tmp_path, monkeypatch
) -> None:
    import keyring
    import keyring.backends.SecretService

    from frameio_desktop.core import store as store_module

    if not keyring.backends.SecretService.Keyring.viable:
        pytest.skip("needs a viable Secret Service (scripts/test provides one)")
    memo = tmp_path / "keyring-backend"
    memo.write_text("keyring.backends.SecretService.Keyring\n")
    monkeypatch.setattr(store_module, "_user_chose_backend", lambda: False)

    def no_scan() -> set[str]:
        raise AssertionError("entry points scanned for a built-in backend")

    monkeypatch.setattr(store_module, "_listed_backend_modules", no_scan)
    # Detecting afresh (what an unusable memo leads to) would find nothing here.
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    assert isinstance(store_module.detect_backend(memo), keyring.backends.SecretService.Keyring)


def test_the_exit_waits_for_a_keyring_call_on_another_thread(tmp_path: Path) -> None:
    """A read on a daemon thread (the window's early read) is not cut off by the exit: a
    Secret Service left with a request unanswered can abort (gnome-keyring-daemon does)."""
    code = (
        "import sys, threading, time\n"
        "from pathlib import Path\n"
        "from frameio_desktop.core.store import KeyringTokenStore\n"
        "from tests.helpers.fakes import MemoryKeyring\n"
        "started = threading.Event()\n"
        "class Slow(MemoryKeyring):\n"
        "    def get_password(self, service, username):\n"
        "        started.set()\n"
        "        time.sleep(1)\n"
        "        Path(sys.argv[1]).write_text('answered')\n"
        "        return None\n"
        "store = KeyringTokenStore(Slow())\n"
        "threading.Thread(target=store.load, args=('k',), daemon=True).start()\n"
        "started.wait(30)\n"
    )
    answered = tmp_path / "answered"
    result = subprocess.run(
        [sys.executable, "-c", code, str(answered)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert answered.read_text() == "answered"
