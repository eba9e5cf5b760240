"""The sign-in view's persistent web profile: where its cookies live between sign-ins.

With `Settings.persistent_web_profile` (on by default for Frame.io V4) the sign-in page
keeps the provider's cookies in a folder of the app's own, so that an authorize request
with `prompt=none` can renew a session that has no refresh token without showing a page.
Without the setting every sign-in stays off the record.

The lifecycle, which holds under any order of sign-in, sign-out and renewal:
- One private (0700) folder per sign-in (provider, client ID, profile); inside it, one
  folder per interactive sign-in (a *generation*), made fresh when its page opens. So a
  new sign-in always starts without cookies, and shows the login page.
- A sign-in that ends with tokens makes its generation the *current* one, which silent
  renewals use (its name is kept in a small file, for the next launch).
- Everything else is deleted: the generation of a sign-in that ended without tokens, and
  the current one when the session ends (signed out, expired, renewal refused). A
  deletion never removes the generation of a sign-in in progress in this process, and
  each change holds a lock (threads) and a lock file (processes), so a deletion cannot
  race a creation. Deleting renames first (atomic, under the locks) and removes the
  files afterwards, on a thread of its own.

Qt-free: the window asks for the folders; the session and the window report the ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs

from frameio_desktop.core.settings import APP_NAME, Settings

log = logging.getLogger(__name__)

#: The file, inside a sign-in's folder, that names its current generation.
CURRENT = "current"
_GENERATION_PREFIX = "g-"
_TRASH_PREFIX = ".trash-"

#: One lock per sign-in folder, shared by every `WebProfile` of this process; and the
#: generation each one's sign-in in progress uses (never deleted while it lasts).
_locks: dict[Path, threading.Lock] = {}
_in_progress: dict[Path, Path] = {}
_registry_lock = threading.Lock()
#: Removals still running (see `_remove`).
_removals: list[threading.Thread] = []


def default_web_profiles_root() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "web-profiles"


def web_profile_path(settings: Settings, root: Path | None = None) -> Path:
    """The folder for this sign-in's web profiles (not created). A hash of the store key
    names it, so a client ID or profile name never becomes a path component."""
    digest = hashlib.sha256(settings.store_key.encode()).hexdigest()[:24]
    return (root or default_web_profiles_root()) / digest


class WebProfile:
    """The web profiles of one sign-in (provider, client ID, profile)."""

    def __init__(self, settings: Settings, root: Path | None = None) -> None:
        self.enabled = settings.persistent_web_profile
        self.folder = web_profile_path(settings, root)
        with _registry_lock:
            self._lock = _locks.setdefault(self.folder, threading.Lock())

    # -- what the hosts get ----------------------------------------------------------------

    def for_sign_in(self) -> Path | None:
        """A new, empty, private folder for an interactive sign-in's page (the one before
        it, if it never ended, is dropped); None when sign-ins stay off the record."""
        if not self.enabled:
            return None
        with self._locked(create=True):
            _private(self.folder)
            generation = self.folder / f"{_GENERATION_PREFIX}{secrets.token_hex(8)}"
            generation.mkdir(mode=0o700)
            _in_progress[self.folder] = generation
            trash = self._stale() + _left_behind(self.folder.parent)
        _remove(trash)
        return generation

    def for_renewal(self) -> Path | None:
        """The current generation, whose cookies a silent renewal answers from; None when
        there is none (signed in elsewhere, or before this version), or when off."""
        if not self.enabled:
            return None
        with self._locked():
            return self._current()

    # -- how sign-ins and sessions end -----------------------------------------------------

    def keep(self) -> None:
        """The sign-in in progress ended with tokens: its generation becomes the current
        one, and the rest is deleted. Nothing happens when no page of this process had a
        folder (the system browser, a pasted URL, a renewal)."""
        with self._locked():
            generation = _in_progress.pop(self.folder, None)
            if generation is None or not generation.is_dir():
                return
            _write_current(self.folder, generation.name)
            trash = self._stale()
        _remove(trash)

    def end_sign_in(self) -> None:
        """The sign-in in progress ended without tokens (denied, cancelled, failed): its
        generation is deleted. Nothing happens when none is in progress."""
        with self._locked():
            if _in_progress.pop(self.folder, None) is None:
                return
            trash = self._stale()
        _remove(trash)

    def delete(self) -> bool:
        """The session ended: delete every generation but that of a sign-in in progress
        here, whatever the setting says now (it may have been on at the sign-in). True if
        there was something to delete."""
        with self._locked():
            with contextlib.suppress(FileNotFoundError):
                (self.folder / CURRENT).unlink()
            trash = self._stale()
        _remove(trash)
        return bool(trash)

    def sweep(self) -> None:
        """Delete what no sign-in uses: cookies a sign-in process wrote as it ended, after
        its generation was deleted. Safe at any time."""
        with self._locked():
            trash = self._stale()
        _remove(trash)

    # -- inside -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, *, create: bool = False) -> Iterator[None]:
        """This sign-in's lock, and its lock file beside the folder (not created unless
        `create`: without the folders there is nothing to guard)."""
        with self._lock:
            parent = self.folder.parent
            if create:
                _private(parent)
            elif not parent.is_dir():
                yield
                return
            import filelock

            with filelock.FileLock(str(parent / f"{self.folder.name}.lock")):
                yield

    def _current(self) -> Path | None:
        try:
            name = (self.folder / CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            return None
        generation = self.folder / name
        if not name.startswith(_GENERATION_PREFIX) or "/" in name or not generation.is_dir():
            return None
        return generation

    def _stale(self) -> list[Path]:
        """Move what no one uses out of the folder (under the lock: a rename is atomic);
        the caller removes it after the lock is released."""
        try:
            entries = list(self.folder.iterdir())
        except (FileNotFoundError, NotADirectoryError):
            return []
        keep = {CURRENT, getattr(self._current(), "name", None)}
        keep.add(getattr(_in_progress.get(self.folder), "name", None))
        trash = []
        for entry in entries:
            if entry.name in keep:
                continue
            target = self.folder.parent / f"{_TRASH_PREFIX}{secrets.token_hex(8)}"
            try:
                entry.rename(target)
            except OSError as exc:
                log.warning("the sign-in web profile could not be deleted: %s", exc)
                continue
            trash.append(target)
        return trash


def _left_behind(root: Path) -> list[Path]:
    """Folders a deletion moved aside but did not remove (the app stopped meanwhile)."""
    return [p for p in root.iterdir() if p.name.startswith(_TRASH_PREFIX)]


def _private(folder: Path) -> None:
    """Make `folder` (and its missing parents) with mode 0700; close one made by hand."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


def _write_current(folder: Path, name: str) -> None:
    temp = folder / f"{CURRENT}.{secrets.token_hex(4)}.tmp"
    temp.write_text(name + "\n", encoding="utf-8")
    os.replace(temp, folder / CURRENT)


def _remove(trash: list[Path]) -> None:
    """Remove what `_stale` moved aside, on a thread of its own: a profile holds hundreds
    of cache files, and the window calls from its UI thread. Its old paths are gone
    already, so nothing waits for this."""
    if not trash:
        return
    thread = threading.Thread(target=_remove_now, args=(trash,), name="web-profile-removal")
    with _registry_lock:
        _removals[:] = [t for t in _removals if t.is_alive()]
        _removals.append(thread)
    thread.start()


def finish_removals(timeout: float | None = None) -> bool:
    """Wait until the files of every deletion so far are gone (tests, and a quitting
    app). True if they are."""
    with _registry_lock:
        running = list(_removals)
    for thread in running:
        thread.join(timeout)
    return not any(t.is_alive() for t in running)


def _remove_now(trash: list[Path]) -> None:
    for path in trash:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        if path.exists():
            log.warning("the sign-in web profile could not be deleted completely: %s", path)


def delete_web_profile(settings: Settings, root: Path | None = None) -> bool:
    """Delete this sign-in's web profiles (`WebProfile.delete`). True if there were any."""
    return WebProfile(settings, root).delete()
