"""The locks that keep one sign-in's tokens consistent: one for this process's threads, and
a lock file for other processes (so a refresh token is spent once, whoever asks)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from frameio_desktop.core.errors import LockTimeoutError
from frameio_desktop.core.settings import APP_NAME

log = logging.getLogger(__name__)

#: How long a process waits for another one's refresh before giving up.
LOCK_TIMEOUT_SECONDS = 60.0


def default_lock_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "locks"


class SignInLock:
    """One sign-in's (`Settings.store_key`) thread lock and lock file."""

    def __init__(self, store_key: str, lock_dir: Path | None = None) -> None:
        digest = hashlib.sha256(store_key.encode()).hexdigest()[:16]
        #: The lock file; other files of the sign-in's locking sit beside it.
        self.path = (lock_dir or default_lock_dir()) / f"{digest}.lock"
        #: Held for every change of the session's tokens, known user and end.
        self.thread = threading.Lock()

    @contextlib.contextmanager
    def threads(self, wait: float | None = None) -> Iterator[None]:
        """The lock for this process's threads, waited for at most `wait` seconds."""
        if wait is None:
            with self.thread:
                yield
            return
        if not self.thread.acquire(timeout=wait):
            raise LockTimeoutError()
        try:
            yield
        finally:
            self.thread.release()

    @contextlib.contextmanager
    def processes(self, wait: float | None = None) -> Iterator[None]:
        """The lock file, waited for `LOCK_TIMEOUT_SECONDS` (or `wait`, if shorter: a
        caller's `--timeout`)."""
        import filelock  # only refreshes and sign-ins need it

        self.path.parent.mkdir(parents=True, exist_ok=True)
        seconds = LOCK_TIMEOUT_SECONDS if wait is None else min(wait, LOCK_TIMEOUT_SECONDS)
        lock = filelock.FileLock(str(self.path), timeout=seconds)
        try:
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:
                log.info("waiting for another frameio-desktop process busy with this sign-in")
                lock.acquire()
        except filelock.Timeout as exc:
            raise LockTimeoutError(
                "Another frameio-desktop process has been busy with this sign-in for over "
                f"{seconds:.3g} s. Try again in a moment."
            ) from exc
        try:
            yield
        finally:
            lock.release()

    @contextlib.contextmanager
    def both(self) -> Iterator[None]:
        """Both locks, threads first."""
        with self.thread, self.processes():
            yield
