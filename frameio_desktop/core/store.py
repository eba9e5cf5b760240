"""Tokens in the operating system's keyring, and nowhere else.

One keyring entry per sign-in (provider, client ID, profile) holds the whole token set as
JSON, so a write replaces it in one step. With the tokens it keeps the endpoints they were
issued for (`binding`: the session sends them nowhere else) and the last-known user.

Windows limits a credential to 2,560 bytes (and keyring stores UTF-16 there), so a larger
value is written as numbered chunks of a new generation first; the main entry is switched
to point at them last; the old generation is deleted after that. A crash at any point
leaves the main entry naming a complete set. Before a generation's first chunk is written
it is listed in a journal entry, so chunks a failed write left behind are still found and
removed (by the next save, or by `clear`): keyring cannot list a service's entries. A
reader that finds a chunk gone (a writer replaced the set meanwhile) reads again, and so
sees the old set or the new one.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from frameio_desktop.core.errors import (
    KeyringLockedError,
    KeyringReadBackError,
    NoSecureKeyringError,
    StoredDataError,
    StoreError,
)
from frameio_desktop.core.keyring_calls import keyring_call
from frameio_desktop.core.tokens import TokenSet
from frameio_desktop.core.user import User

if TYPE_CHECKING:
    import logging

    import keyring.backend

# keyring itself is imported where it is used: it costs ~50 ms, and an interactive
# sign-in (the login page) needs it only once the tokens are written.


def _log() -> logging.Logger:
    # Imported when something is logged: `frameio-desktop token`'s plain read logs nothing.
    import logging

    return logging.getLogger(__name__)


SERVICE = "frameio-desktop"
#: Characters per entry where the keyring limits an entry's size: Windows' Credential
#: Manager (2,560 bytes of UTF-16 is 1,280 characters; keep a margin).
CHUNK_CHARS = 1000
_CHUNKED = "chunked:v1:"
#: A reader retries this often when a writer replaces the chunks it is reading.
_READ_ATTEMPTS = 5


@dataclass(frozen=True)
class StoredSession:
    """One keyring entry: the tokens, who they belong to, and where they may be sent."""

    tokens: TokenSet
    user: User | None = None
    #: Endpoint name -> URL the tokens were issued for; None in entries from before 0.2.
    binding: Mapping[str, str | None] | None = None


def backend_label(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


#: `insecure_reason` when keyring found no backend at all.
NO_BACKEND = "no keyring backend is available"


def insecure_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why a backend must not hold tokens, or None if it may."""
    inner = backend
    # The chainer writes to its highest-priority backend; judge that one.
    chained = getattr(backend, "backends", None)
    if type(backend).__name__ == "ChainerBackend" and chained:
        inner = chained[0]
    module = type(inner).__module__
    if module.startswith("keyring.backends.fail"):
        return NO_BACKEND
    if module.startswith("keyring.backends.null"):
        return "the keyring is switched off (null backend)"
    if module.startswith("keyrings.alt"):
        # keyrings.alt writes files on disk; tokens go only to a real keyring.
        return f"{type(inner).__name__} stores secrets in a file, not a system keyring"
    return None


def default_backend_memo() -> Path:
    return Path(platformdirs.user_cache_dir("frameio-desktop", appauthor=False)) / "keyring-backend"


def _user_chose_backend() -> bool:
    """keyring's own configuration (environment or keyringrc.cfg) always wins."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    config_root = platformdirs.user_config_dir("python_keyring", appauthor=False)
    return (Path(config_root) / "keyringrc.cfg").is_file()


def _listed_backend_modules() -> set[str]:
    """The modules keyring itself lists as backends: its `keyring.backends` entry points.

    This is the list `keyring.backend.get_all_keyring()` loads its plugins from; that call
    would also import and probe every backend (about 100 ms), which is what the memo saves.
    """
    from importlib.metadata import entry_points

    return {ep.value.partition(":")[0] for ep in entry_points(group="keyring.backends")}


#: keyring's own backends: the modules directly inside its package `keyring.backends`.
_BUILT_IN_BACKENDS = "keyring.backends."


def _is_backend_module(module_name: str) -> bool:
    """Whether `module_name` is a module keyring lists as a backend.

    keyring's own backends (`keyring.backends.<name>`) are trusted without a look-up: that
    is a regular package, so its modules come from keyring's installed folder only, never
    from elsewhere on sys.path or from the cache folder. Reading the entry points imports
    importlib.metadata and scans every installed distribution's metadata, ~10 ms at each
    `frameio-desktop token` (benchmark 6), so only a third-party backend pays for it.
    """
    if module_name.startswith(_BUILT_IN_BACKENDS):
        return module_name.removeprefix(_BUILT_IN_BACKENDS).isidentifier()
    return module_name in _listed_backend_modules()


def _remembered_backend(memo: Path) -> keyring.backend.KeyringBackend | None:
    import keyring.backend

    try:
        module_name, _, class_name = memo.read_text(encoding="utf-8").strip().rpartition(".")
        # The memo is a file anyone with the cache folder can write: import nothing that
        # keyring does not list itself.
        if not _is_backend_module(module_name):
            _log().warning("remembered keyring backend %r is not a keyring backend", module_name)
            return None
        cls = getattr(importlib.import_module(module_name), class_name)
        usable = isinstance(cls, type) and issubclass(cls, keyring.backend.KeyringBackend)
        if usable and cls.viable and cls.priority > 0:
            return cls()  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - any trouble: detect the backend afresh
        _log().debug("remembered keyring backend not usable; detecting")
    return None


#: The remembered backend whose entries `core.secret_service` can read without keyring.
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"


def plain_reads_possible(memo: Path | None = None) -> bool:
    """The remembered backend is keyring's Secret Service, and keyring's own configuration
    (which may choose another backend, scheme or collection) is not set."""
    if _user_chose_backend():
        return False
    try:
        remembered = (memo or default_backend_memo()).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return remembered == SECRET_SERVICE_BACKEND


def detect_backend(memo: Path | None = None) -> keyring.backend.KeyringBackend:
    """keyring's backend, found once and remembered by class name in the cache folder.

    keyring's detection scans every backend (on Linux it even imports the macOS one) and
    costs `frameio-desktop token` ~60 ms per run; the remembered class is checked for
    viability and used directly. A backend chosen in keyring's own configuration wins.
    """
    import keyring

    if _user_chose_backend():
        return keyring.get_keyring()
    memo = memo or default_backend_memo()
    remembered = _remembered_backend(memo)
    if remembered is not None:
        return remembered
    backend = keyring.get_keyring()
    if insecure_reason(backend) is None and type(backend).__name__ != "ChainerBackend":
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            memo.write_text(backend_label(backend) + "\n", encoding="utf-8")
        except OSError:
            pass
    return backend


def default_chunk_chars(platform: str = sys.platform) -> int | None:
    """`CHUNK_CHARS` on Windows; elsewhere None: one entry holds the whole set however long.

    The Secret Service and the macOS Keychain have no such limit, and every chunk is one
    more lookup at every `frameio-desktop token` (on the Secret Service a D-Bus session and
    a key exchange each): Adobe IMS's ~1.2 KB tokens made three chunks, and `token` ~34 ms
    slower, on Linux (benchmark 6). Chunked entries already stored are still read.
    """
    return CHUNK_CHARS if platform == "win32" else None


class KeyringTokenStore:
    """Loads, saves and clears token sets in `keyring`."""

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        service: str = SERVICE,
        chunk_chars: int | None = default_chunk_chars(),
    ) -> None:
        self._backend = backend
        #: Read entries straight from the Secret Service in a plain session
        #: (`core.secret_service`) until keyring is needed: decided at the first read.
        self._plain_reads: bool | None = None if backend is None else False
        self.service = service
        #: None: never split a value (see `default_chunk_chars`).
        self.chunk_chars = chunk_chars

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        # Resolved lazily: finding the backend can start D-Bus work.
        if self._backend is None:
            self._backend = detect_backend()
        return self._backend

    @property
    def backend_name(self) -> str:
        return backend_label(self.backend)

    def reads_plainly(self) -> bool:
        """Reads go straight to the Secret Service (`core.secret_service`), not keyring."""
        return self._reads_plainly()

    def _reads_plainly(self) -> bool:
        if self._plain_reads is None:
            self._plain_reads = self._backend is None and plain_reads_possible()
        return self._plain_reads and self._backend is None

    def check_secure(self) -> None:
        if self._reads_plainly():
            return  # the remembered backend is the Secret Service: secure
        reason = insecure_reason(self.backend)
        if reason == NO_BACKEND:  # say what is missing, and how to get it (cron, SSH)
            from frameio_desktop.core.keyring_help import no_keyring_explained

            raise NoSecureKeyringError(f"No secure keyring: {no_keyring_explained()}")
        if reason:
            raise NoSecureKeyringError(
                f"No secure keyring: {reason}. A sign-in can only be kept in a secure keyring."
            )

    # -- raw entries --------------------------------------------------------------------

    def _get(self, name: str) -> str | None:
        with keyring_call():
            return self._get_now(name)

    def _get_now(self, name: str) -> str | None:
        if self._reads_plainly():
            from frameio_desktop.core.secret_service import SecretServiceUnavailable, read_secret

            try:
                return read_secret(self.service, name)
            except SecretServiceUnavailable as exc:
                _log().debug("reading through keyring: %s", exc)
                self._plain_reads = False
        import keyring.errors

        try:
            return self.backend.get_password(self.service, name)
        except keyring.errors.KeyringLocked as exc:
            raise KeyringLockedError() from exc
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"The system keyring could not be read: {exc}") from exc

    def _set(self, name: str, value: str) -> None:
        import keyring.errors

        try:
            with keyring_call():
                self.backend.set_password(self.service, name, value)
        except keyring.errors.NoKeyringError as exc:
            raise NoSecureKeyringError() from exc
        except keyring.errors.KeyringLocked as exc:
            raise KeyringLockedError() from exc
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"The system keyring could not be written: {exc}") from exc
        if self._get(name) != value:
            raise KeyringReadBackError()

    def _delete(self, name: str) -> None:
        import keyring.errors

        try:
            with keyring_call():
                self.backend.delete_password(self.service, name)
        except keyring.errors.PasswordDeleteError:
            pass  # already gone
        except keyring.errors.KeyringLocked as exc:
            raise KeyringLockedError() from exc
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"The system keyring could not be cleared: {exc}") from exc

    # -- token sets ----------------------------------------------------------------------

    def load(self, key: str) -> TokenSet | None:
        entry = self.load_entry(key)
        return entry.tokens if entry else None

    def load_entry(self, key: str) -> StoredSession | None:
        """The tokens, the last-known user and the endpoint binding (one keyring read,
        more for a chunked set)."""
        self.check_secure()
        raw = self._read_value(key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise StoredDataError() from exc
        if not isinstance(data, dict):
            raise StoredDataError()
        user = data.get("account")  # the key entries have always had
        cached = User.from_json(user) if isinstance(user, dict) else None
        binding = data.get("binding")
        if binding is not None and not (
            isinstance(binding, dict) and all(isinstance(v, str | None) for v in binding.values())
        ):
            raise StoredDataError()
        return StoredSession(TokenSet.from_json(data), cached, binding)

    def _read_value(self, key: str) -> str | None:
        raw = self._get(key)
        for _attempt in range(_READ_ATTEMPTS):
            if raw is None or not raw.startswith(_CHUNKED):
                return raw
            joined = self._join(key, raw)
            if joined is not None:
                return joined
            # A chunk is gone: a writer replaced the set since the pointer was read.
            again = self._get(key)
            if again == raw:
                break  # the pointer names chunks that are not there: damaged
            raw = again
        raise StoredDataError()

    def save(
        self,
        key: str,
        tokens: TokenSet,
        user: User | None = None,
        *,
        binding: Mapping[str, str | None] | None = None,
    ) -> None:
        """Write, then read back; raises rather than pretend a dropped value was kept.

        The user, when given, is kept with the tokens so a later launch can show who is
        signed in before any network request; the binding, so that they are never sent to
        endpoints other than the ones that issued them. Callers hold the session's lock."""
        self.check_secure()
        previous = self._get(key)
        journal = self._journal(key)
        if previous and previous.startswith(_CHUNKED):
            journal.append(self._parse_pointer(previous))
        data = tokens.to_json()
        if user is not None:
            data["account"] = user.to_json()
        if binding is not None:
            data["binding"] = dict(binding)
        value = json.dumps(data, separators=(",", ":"))
        current: tuple[str, int] | None = None
        if self.chunk_chars is None or len(value) <= self.chunk_chars:
            self._set(key, value)
        else:
            chunk_chars = self.chunk_chars
            import secrets  # only a chunked write needs it (hashlib's OpenSSL, at each token)

            generation = secrets.token_hex(4)
            pieces = [value[i : i + chunk_chars] for i in range(0, len(value), chunk_chars)]
            current = (generation, len(pieces))
            # 1. name the new generation in the journal before writing any of it;
            self._write_journal(key, [*journal, current])
            # 2. chunks of the new generation (the old entry still names the old set);
            for index, piece in enumerate(pieces):
                self._set(f"{key}#{generation}#{index}", piece)
            # 3. switch the main entry to the new generation in one write;
            self._set(key, f"{_CHUNKED}{generation}:{len(pieces)}")
        # 4. only now drop every other generation: the previous one, and any a failed
        #    write left behind.
        for stale in dict.fromkeys(journal):
            if stale != current:
                self._delete_generation(key, stale)
        self._write_journal(key, [current] if current else [])

    def clear(self, key: str) -> None:
        """Remove the entry, its chunks and any chunks a failed write left behind."""
        raw = self._get(key)
        generations = self._journal(key)
        if raw and raw.startswith(_CHUNKED):
            generations.append(self._parse_pointer(raw))
        # The main entry first: from then on nothing names the tokens.
        self._delete(key)
        for generation in dict.fromkeys(generations):
            self._delete_generation(key, generation)
        self._delete(_journal_name(key))

    # -- chunks --------------------------------------------------------------------------

    def _journal(self, key: str) -> list[tuple[str, int]]:
        raw = self._get(_journal_name(key))
        found: list[tuple[str, int]] = []
        for item in (raw or "").split():
            try:
                found.append(self._parse_pointer(item))
            except StoredDataError:
                _log().warning("ignored a damaged chunk journal item")
        return found

    def _write_journal(self, key: str, generations: list[tuple[str, int]]) -> None:
        if generations:
            self._set(_journal_name(key), " ".join(f"{g}:{n}" for g, n in generations))
        else:
            self._delete(_journal_name(key))

    def _parse_pointer(self, raw: str) -> tuple[str, int]:
        try:
            generation, count = raw.removeprefix(_CHUNKED).split(":")
            return generation, int(count)
        except ValueError as exc:
            raise StoredDataError() from exc

    def _join(self, key: str, pointer: str) -> str | None:
        """The chunks a pointer names, joined; None when one of them is missing."""
        generation, count = self._parse_pointer(pointer)
        pieces = []
        for index in range(count):
            piece = self._get(f"{key}#{generation}#{index}")
            if piece is None:
                return None
            pieces.append(piece)
        return "".join(pieces)

    def _delete_generation(self, key: str, generation: tuple[str, int]) -> None:
        name, count = generation
        for index in range(count):
            self._delete(f"{key}#{name}#{index}")


def _journal_name(key: str) -> str:
    return f"{key}#chunks"


class ClientSecretStore:
    """A Web App credential's client secret, in a keyring entry of its own.

    Keyed by provider and client ID (every profile of one credential shares its secret),
    under a prefix no token entry uses. The settings file only says that a secret is here.
    """

    PREFIX = "client-secret:"

    def __init__(self, entries: KeyringTokenStore | None = None) -> None:
        # The token store's raw entries: same backend choice, same error mapping.
        self.entries = entries or KeyringTokenStore()

    def key(self, provider: str, client_id: str) -> str:
        return f"{self.PREFIX}{provider}:{client_id}"

    def load(self, provider: str, client_id: str) -> str | None:
        self.entries.check_secure()
        return self.entries._get(self.key(provider, client_id))

    def save(self, provider: str, client_id: str, secret: str) -> None:
        """Write and read back; a backend that drops it raises `KeyringReadBackError`."""
        self.entries.check_secure()
        self.entries._set(self.key(provider, client_id), secret)

    def clear(self, provider: str, client_id: str) -> None:
        self.entries._delete(self.key(provider, client_id))
