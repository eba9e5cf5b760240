"""Tokens in the operating system's keyring, and nowhere else.

One keyring entry per sign-in (provider, client ID, profile) holds the whole token set as
JSON, so a write replaces it in one step. Windows limits a credential to 2,560 bytes (and
keyring stores UTF-16 there), so a larger value is written as numbered chunks of a new
generation first; the main entry is switched to point at them last; the old generation is
deleted after that. A crash at any point leaves the main entry naming a complete set.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from frameio_desktop.core.account import Account
from frameio_desktop.core.errors import (
    KeyringReadBackError,
    NoSecureKeyringError,
    StoredDataError,
    StoreError,
)
from frameio_desktop.core.tokens import TokenSet

if TYPE_CHECKING:
    import keyring.backend

# keyring itself is imported where it is used: it costs ~50 ms, and an interactive
# sign-in (the login page) needs it only once the tokens are written.

log = logging.getLogger(__name__)

SERVICE = "frameio-desktop"
#: Characters per entry: 2,560 bytes of UTF-16 is 1,280 characters; keep a margin.
CHUNK_CHARS = 1000
_CHUNKED = "chunked:v1:"


def backend_label(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def insecure_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why a backend must not hold tokens, or None if it may."""
    inner = backend
    # The chainer writes to its highest-priority backend; judge that one.
    chained = getattr(backend, "backends", None)
    if type(backend).__name__ == "ChainerBackend" and chained:
        inner = chained[0]
    module = type(inner).__module__
    if module.startswith("keyring.backends.fail"):
        return "no keyring backend is available"
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


def _remembered_backend(memo: Path) -> keyring.backend.KeyringBackend | None:
    import keyring.backend

    try:
        module_name, _, class_name = memo.read_text(encoding="utf-8").strip().rpartition(".")
        cls = getattr(importlib.import_module(module_name), class_name)
        usable = isinstance(cls, type) and issubclass(cls, keyring.backend.KeyringBackend)
        if usable and cls.viable and cls.priority > 0:
            return cls()  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - any trouble: detect the backend afresh
        log.debug("remembered keyring backend not usable; detecting")
    return None


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


class KeyringTokenStore:
    """Loads, saves and clears token sets in `keyring`."""

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        service: str = SERVICE,
        chunk_chars: int = CHUNK_CHARS,
    ) -> None:
        self._backend = backend
        self.service = service
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

    def check_secure(self) -> None:
        reason = insecure_reason(self.backend)
        if reason:
            raise NoSecureKeyringError(
                f"No secure keyring: {reason}. You will stay signed in only until you quit."
            )

    # -- raw entries --------------------------------------------------------------------

    def _get(self, name: str) -> str | None:
        import keyring.errors

        try:
            return self.backend.get_password(self.service, name)
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"The system keyring could not be read: {exc}") from exc

    def _set(self, name: str, value: str) -> None:
        import keyring.errors

        try:
            self.backend.set_password(self.service, name, value)
        except keyring.errors.NoKeyringError as exc:
            raise NoSecureKeyringError() from exc
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"The system keyring could not be written: {exc}") from exc
        if self._get(name) != value:
            raise KeyringReadBackError()

    def _delete(self, name: str) -> None:
        import keyring.errors

        try:
            self.backend.delete_password(self.service, name)
        except keyring.errors.PasswordDeleteError:
            pass  # already gone
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"The system keyring could not be cleared: {exc}") from exc

    # -- token sets ----------------------------------------------------------------------

    def load(self, key: str) -> TokenSet | None:
        entry = self.load_entry(key)
        return entry[0] if entry else None

    def load_entry(self, key: str) -> tuple[TokenSet, Account | None] | None:
        """The tokens and the last-known account stored with them (one keyring read)."""
        self.check_secure()
        raw = self._get(key)
        if raw is None:
            return None
        if raw.startswith(_CHUNKED):
            raw = self._join(key, raw)
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise StoredDataError() from exc
        if not isinstance(data, dict):
            raise StoredDataError()
        account = data.get("account")
        cached = Account.from_json(account) if isinstance(account, dict) else None
        return TokenSet.from_json(data), cached

    def save(self, key: str, tokens: TokenSet, account: Account | None = None) -> None:
        """Write, then read back; raises rather than pretend a dropped value was kept.

        The account, when given, is kept with the tokens so a later launch can show who is
        signed in before any network request."""
        self.check_secure()
        previous = self._get(key)
        data = tokens.to_json()
        if account is not None:
            data["account"] = account.to_json()
        value = json.dumps(data, separators=(",", ":"))
        if len(value) <= self.chunk_chars:
            self._set(key, value)
        else:
            generation = secrets.token_hex(4)
            pieces = [
                value[i : i + self.chunk_chars] for i in range(0, len(value), self.chunk_chars)
            ]
            # 1. chunks of the new generation (the old entry still names the old set);
            for index, piece in enumerate(pieces):
                self._set(f"{key}#{generation}#{index}", piece)
            # 2. switch the main entry to the new generation in one write;
            self._set(key, f"{_CHUNKED}{generation}:{len(pieces)}")
        # 3. only now drop the previous generation's chunks, if there were any.
        if previous and previous.startswith(_CHUNKED) and previous != self._get(key):
            self._delete_chunks(key, previous)

    def clear(self, key: str) -> None:
        raw = self._get(key)
        if raw and raw.startswith(_CHUNKED):
            self._delete_chunks(key, raw)
        self._delete(key)

    def _parse_pointer(self, raw: str) -> tuple[str, int]:
        try:
            generation, count = raw.removeprefix(_CHUNKED).split(":")
            return generation, int(count)
        except ValueError as exc:
            raise StoredDataError() from exc

    def _join(self, key: str, pointer: str) -> str:
        generation, count = self._parse_pointer(pointer)
        pieces = []
        for index in range(count):
            piece = self._get(f"{key}#{generation}#{index}")
            if piece is None:
                raise StoredDataError()
            pieces.append(piece)
        return "".join(pieces)

    def _delete_chunks(self, key: str, pointer: str) -> None:
        generation, count = self._parse_pointer(pointer)
        for index in range(count):
            self._delete(f"{key}#{generation}#{index}")


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
