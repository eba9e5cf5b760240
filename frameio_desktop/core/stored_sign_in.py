"""What this process holds of one sign-in: its tokens, who they belong to, and the keyring
entry they come from, read and written under the sign-in's locks (`core.locks`).

The session (`core.session`) decides when to sign in, refresh and sign out; this keeps the
result, in memory and in the keyring, and says why there is none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from frameio_desktop.core.binding import binding_problem, endpoint_binding
from frameio_desktop.core.errors import (
    FrameioDesktopError,
    NotSignedInError,
    SessionBindingError,
    StoredDataError,
    StoreError,
)
from frameio_desktop.core.locks import SignInLock
from frameio_desktop.core.prefetch import Prefetch
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.store import KeyringTokenStore, StoredSession
from frameio_desktop.core.tokens import TokenSet
from frameio_desktop.core.user import User

log = logging.getLogger(__name__)


class StoredSignIn:
    """One sign-in's tokens and keyring entry. Every change holds `lock.thread`; every
    keyring write, the lock file too (the caller takes it, as the session does)."""

    def __init__(
        self, settings: Callable[[], Settings], store: KeyringTokenStore, lock: SignInLock
    ) -> None:
        self._settings = settings
        self.store = store
        self.lock = lock
        self.tokens: TokenSet | None = None
        #: A fresh sign-in not yet written to the keyring (`AuthSession.finish_sign_in`).
        self.unsaved = False
        #: Who was signed in when the tokens were last stored (shown before any request).
        self.known_user: User | None = None
        #: Counts the sign-ins that ended here: a lookup started before one ended (sign-out
        #: on the UI thread, a lookup on a worker) must not write what it found afterwards.
        self.ended = 0
        #: Set when tokens could not be kept in the keyring; they live in memory instead.
        self.storage_problem: StoreError | None = None
        #: Set when the stored sign-in belongs to other endpoints than these settings name.
        self.binding_problem: SessionBindingError | None = None
        #: The last keyring read found an entry it cannot read: not "nobody signed in"
        #: (sign-out still removes it).
        self.damaged_entry = False
        self._prefetch: Prefetch[StoredSession | None] | None = None

    @property
    def key(self) -> str:
        return self._settings().store_key

    @property
    def persistent(self) -> bool:
        return self.storage_problem is None

    # -- reading ---------------------------------------------------------------------------

    def bound(self, entry: StoredSession | None) -> StoredSession | None:
        """The entry, if these settings' endpoints are the ones its tokens were issued for.

        Otherwise None, and `binding_problem` says why: the tokens are never sent to
        endpoints other than the ones that issued them."""
        if entry is None:
            return None
        self.binding_problem = binding_problem(entry.binding, self._settings())
        if self.binding_problem is not None:
            # Debug only: the caller reports `binding_problem` itself (once, not twice).
            log.debug(
                "stored sign-in is bound to other endpoints: %s",
                ", ".join(self.binding_problem.changed),
            )
            return None
        return entry

    def prefetch(self) -> None:
        """Start the keyring read now, on a thread of its own; the next `load()` takes its
        result."""
        if self._prefetch is None:
            key = self.key
            self._prefetch = Prefetch(lambda: self.store.load_entry(key))

    def load(self) -> TokenSet | None:
        """Read the stored tokens (and the last-known account). No network."""
        prefetch, self._prefetch = self._prefetch, None
        self.damaged_entry = False
        try:
            entry = self.bound(
                prefetch.result() if prefetch is not None else self.store.load_entry(self.key)
            )
            with self.lock.thread:
                self.tokens = entry.tokens if entry else None
                self.known_user = entry.user if entry else None
        except StoredDataError:
            log.warning("stored sign-in is damaged; it will be replaced at the next sign-in")
            with self.lock.thread:
                self.tokens = None
            self.damaged_entry = True
        except StoreError as exc:
            self.storage_problem = exc
        return self.tokens

    def reload(self) -> TokenSet | None:
        """The keyring's tokens (another process may have refreshed), or the ones in
        memory where the keyring is not used or not yet written."""
        if not self.persistent or self.unsaved:
            return self.tokens
        try:
            entry = self.bound(self.store.load_entry(self.key))
        except StoreError:
            return self.tokens
        return entry.tokens if entry else None

    def why_not_signed_in(self) -> FrameioDesktopError:
        """What to say when `load()` found no tokens: "not signed in" would be wrong for a
        locked keyring, a sign-in that belongs to other endpoints, or an unreadable entry."""
        if self.binding_problem is not None:
            return self.binding_problem
        if self.storage_problem is not None:
            return self.storage_problem
        if self.damaged_entry:
            return NotSignedInError(
                "The stored sign-in cannot be read (it is damaged). Sign in again; "
                "`frameio-desktop logout` removes it."
            )
        return NotSignedInError()

    # -- writing -----------------------------------------------------------------------------

    def save(self, tokens: TokenSet) -> None:
        """Keep `tokens`, and write them with the known account and the settings' binding
        (in memory only, with `storage_problem` set, if the keyring fails)."""
        self.tokens = tokens
        self.unsaved = False
        if not self.persistent:
            return
        try:
            self.store.save(
                self.key, tokens, self.known_user, binding=endpoint_binding(self._settings())
            )
        except StoreError as exc:
            # Keep going with the tokens in memory; the UI says "only until you quit".
            log.warning("tokens kept in memory only: %s", exc.user_message)
            self.storage_problem = exc

    def hold(self, tokens: TokenSet) -> None:
        """Keep `tokens` in memory until `persist()` writes them."""
        self.tokens = tokens
        self.unsaved = True

    def persist(self) -> None:
        """Write tokens that `hold()` kept in memory."""
        with self.lock.both():
            if self.unsaved and self.tokens is not None:
                self.save(self.tokens)
            self.unsaved = False

    def remember(self, user: User, ended: int) -> bool:
        """Keep the account with the tokens (one keyring write, only when it changed), if
        no sign-in has ended since the lookup began (`ended`: `self.ended` then). False if
        one has: the account is not kept."""
        with self.lock.thread:
            if self.ended != ended:
                return False
            if user == self.known_user:
                return True
            self.known_user = user
            if self.unsaved or self.tokens is None:
                return True  # persist() writes it with the tokens
        with self.lock.both():
            if self.tokens is not None and self.ended == ended:
                self.save(self.tokens)
        return True

    def end(self) -> None:
        """Forget the tokens and who they belong to, here (the caller holds the thread
        lock); a lookup still running for them keeps nothing it finds."""
        self.tokens = None
        self.unsaved = False
        self.known_user = None
        self.ended += 1

    def forget(self) -> StoreError | None:
        """`end()`, and clear the keyring entry; the keyring's error, if it failed."""
        self.end()
        if self.persistent:
            try:
                self.store.clear(self.key)
            except StoreError as exc:
                log.warning("could not clear the keyring entry: %s", exc.user_message)
                return exc
        return None

    def clear_for_sign_out(
        self, problems: list[FrameioDesktopError]
    ) -> tuple[list[TokenSet], bool]:
        """Sign-out's part here (the caller holds both locks): every token set known (in
        memory, and in the keyring even after an earlier read or write failed), then
        `end()` and clear the keyring. Returns the sets and whether the keyring was
        cleared; what could not be done goes to `problems`."""
        known: list[TokenSet] = [self.tokens] if self.tokens is not None else []
        keyring_ok = True
        try:
            entry = self.store.load_entry(self.key)
        except StoredDataError:
            entry = None  # damaged: nothing to revoke; clearing removes it
        except StoreError as exc:
            entry = None
            keyring_ok = False
            problems.append(exc)
        if entry is not None:
            if self.bound(entry) is not None:
                known.append(entry.tokens)
            elif self.binding_problem is not None:
                # Another configuration's sign-in: neither sent anywhere nor removed.
                problems.append(self.binding_problem)
                keyring_ok = False
        self.end()
        if not keyring_ok:
            return known, False
        try:
            self.store.clear(self.key)
        except StoreError as exc:
            log.warning("could not clear the keyring entry: %s", exc.user_message)
            problems.append(exc)
            return known, False
        return known, True
