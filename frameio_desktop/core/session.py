"""The signed-in session: load what is stored, refresh ahead of expiry, look up the account,
sign out. Shared by the window, the command line and the self-test.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from frameio_desktop.core import timing
from frameio_desktop.core.account import Account
from frameio_desktop.core.accounts import (
    AccountChoices,
    AccountList,
    FrameioAccount,
)
from frameio_desktop.core.binding import binding_problem, endpoint_binding
from frameio_desktop.core.errors import (
    FrameioDesktopError,
    InvalidGrantError,
    NotSignedInError,
    SessionBindingError,
    SessionExpiredError,
    SignInCancelledError,
    SignInEndedError,
    SignInEndingError,
    StoredDataError,
    StoreError,
    TokenLifetimeTooShortError,
    TransportError,
)
from frameio_desktop.core.flow import PendingLogin, begin_login
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.interrupts import signals_deferred
from frameio_desktop.core.locks import SignInLock
from frameio_desktop.core.lookup import AccountLookup
from frameio_desktop.core.oauth import RevokeResult, TokenClient
from frameio_desktop.core.prefetch import Prefetch
from frameio_desktop.core.providers import discover
from frameio_desktop.core.refresh_wait import Budget, FailureNote
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.store import KeyringTokenStore, StoredSession
from frameio_desktop.core.tokens import Clock, TokenSet, utc_now
from frameio_desktop.core.web_profile import WebProfile

log = logging.getLogger(__name__)

#: What Ctrl-C during a refresh says: the new tokens are saved before the process stops.
FINISHING_REFRESH = "Stopping once the new sign-in is saved (a refresh was under way)..."


@dataclass
class SignOutResult:
    revocations: list[RevokeResult] = field(default_factory=list)
    #: What could not be done: the keyring could not be read or cleared, the endpoints
    #: could not be found. Empty when sign-out did all it should.
    problems: list[FrameioDesktopError] = field(default_factory=list)
    #: The local copy is gone (False: the keyring may still hold tokens).
    cleared: bool = False

    @property
    def revoked(self) -> bool:
        attempted = [r for r in self.revocations if r.attempted]
        return bool(attempted) and all(r.ok for r in attempted)

    @property
    def complete(self) -> bool:
        return self.cleared and not self.problems


class AuthSession:
    """One sign-in (provider, client ID, profile). Thread-safe; safe across processes."""

    def __init__(
        self,
        settings: Settings,
        *,
        http: HttpClient | None = None,
        store: KeyringTokenStore | None = None,
        clock: Clock = utc_now,
        lock_dir: Path | None = None,
        refresh_lead: timedelta = timing.REFRESH_LEAD,
        account_choices: AccountChoices | None = None,
        web_profiles_root: Path | None = None,
    ) -> None:
        self._settings = settings
        #: Who is signed in, their Frame.io accounts and the default among them.
        self.lookup = AccountLookup(self, AccountList(settings.store_key, account_choices))
        self._web_profiles_root = web_profiles_root
        self.http = http or HttpClient()
        self.store = store or KeyringTokenStore()
        self.clock = clock
        self.refresh_lead = refresh_lead
        self._tokens: TokenSet | None = None
        self._prefetch: Prefetch[StoredSession | None] | None = None
        #: Its thread lock is held for every change of the tokens, the known account and
        #: the sign-in's end; its lock file, too, for every change of the keyring entry.
        self._lock = SignInLock(settings.store_key, lock_dir)
        #: Counts the sign-ins that ended here: a lookup started before one ended (sign-out
        #: on the UI thread, a lookup on a worker) must not write what it found afterwards.
        self._ended = 0
        self._discovery_lock = threading.Lock()
        #: The last refresh failure, for the processes that waited for that refresh.
        self._failures = FailureNote(self._lock.path.with_suffix(".failed"))
        #: Set when tokens could not be kept in the keyring; they live in memory instead.
        self.storage_problem: StoreError | None = None
        #: A fresh sign-in not yet written to the keyring (see `finish_login`).
        self._unsaved = False
        #: Who was signed in when the tokens were last stored (shown before any request).
        self.known_account: Account | None = None
        #: Set when the stored sign-in belongs to other endpoints than these settings name.
        self.binding_problem: SessionBindingError | None = None
        #: The last keyring read found an entry it cannot read: not "nobody signed in"
        #: (sign-out still removes it).
        self.damaged_entry = False

    # -- settings and endpoints ----------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def web_profile(self) -> WebProfile:
        """The sign-in page's cookies between sign-ins (`core.web_profile`)."""
        return WebProfile(self._settings, self._web_profiles_root)

    def resolved_settings(self) -> Settings:
        """Settings with every endpoint known (runs OIDC discovery once, if needed)."""
        with self._discovery_lock:
            if self._settings.needs_discovery:
                assert self._settings.issuer is not None
                self._settings = self._settings.with_discovery(
                    discover(self.http, self._settings.issuer)
                )
            return self._settings

    def token_client(self, http: HttpClient | None = None) -> TokenClient:
        return TokenClient(self.resolved_settings(), http or self.http, clock=self.clock)

    # -- state -----------------------------------------------------------------------------

    @property
    def tokens(self) -> TokenSet | None:
        return self._tokens

    @property
    def persistent(self) -> bool:
        return self.storage_problem is None

    @property
    def has_unsaved_tokens(self) -> bool:
        return self._unsaved

    def _bound(self, entry: StoredSession | None) -> StoredSession | None:
        """The entry, if these settings' endpoints are the ones its tokens were issued for.

        Otherwise None, and `binding_problem` says why: the tokens are never sent to
        endpoints other than the ones that issued them."""
        if entry is None:
            return None
        self.binding_problem = binding_problem(entry.binding, self._settings)
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
        result. At launch the read (keyring's imports, a D-Bus session, a key exchange)
        then overlaps Qt's start-up instead of following it."""
        if self._prefetch is None:
            key = self._settings.store_key
            self._prefetch = Prefetch(lambda: self.store.load_entry(key))

    def load(self) -> TokenSet | None:
        """Read the stored tokens (and the last-known account) into the session. No network."""
        prefetch, self._prefetch = self._prefetch, None
        self.damaged_entry = False
        try:
            entry = self._bound(
                prefetch.result()
                if prefetch is not None
                else self.store.load_entry(self._settings.store_key)
            )
            with self._lock.thread:
                self._tokens = entry.tokens if entry else None
                self.known_account = entry.account if entry else None
        except StoredDataError:
            log.warning("stored sign-in is damaged; it will be replaced at the next sign-in")
            with self._lock.thread:
                self._tokens = None
            self.damaged_entry = True
        except StoreError as exc:
            self.storage_problem = exc
        return self._tokens

    def _reload(self) -> TokenSet | None:
        if not self.persistent or self._unsaved:
            return self._tokens
        try:
            entry = self._bound(self.store.load_entry(self._settings.store_key))
        except StoreError:
            return self._tokens
        return entry.tokens if entry else None

    def _save(self, tokens: TokenSet) -> None:
        self._tokens = tokens
        self._unsaved = False
        if not self.persistent:
            return
        try:
            self.store.save(
                self._settings.store_key,
                tokens,
                self.known_account,
                binding=endpoint_binding(self._settings),
            )
        except StoreError as exc:
            # Keep going with the tokens in memory; the UI says "only until you quit".
            log.warning("tokens kept in memory only: %s", exc.user_message)
            self.storage_problem = exc

    def _forget(self) -> StoreError | None:
        """Drop the tokens here and in the keyring; the keyring's error, if it failed.
        The caller holds the thread lock. The session is over: its web profile goes too."""
        self._end_sign_in()
        self.web_profile.delete()
        if self.persistent:
            try:
                self.store.clear(self._settings.store_key)
            except StoreError as exc:
                log.warning("could not clear the keyring entry: %s", exc.user_message)
                return exc
        return None

    # -- sign-in ---------------------------------------------------------------------------

    def begin_login(
        self, *, prompt: str | None = None, redirect_uri: str | None = None
    ) -> PendingLogin:
        """Start a sign-in; `prompt="none"` for a silent renewal, `redirect_uri` for the
        address a loopback listener really listens on (see `flow.begin_login`)."""
        return begin_login(self.resolved_settings(), prompt=prompt, redirect_uri=redirect_uri)

    def finish_login(
        self,
        pending: PendingLogin,
        code: str,
        *,
        cancelled: Callable[[], bool] | None = None,
        persist: bool = True,
    ) -> TokenSet:
        """Exchange a code that `PendingLogin.take_code` accepted, and store the tokens.

        `cancelled` is asked after the exchange: if the person cancelled meanwhile, the new
        tokens are revoked and nothing is stored. With `persist=False` the tokens are kept
        in memory until `persist()` writes them (the window shows the account first: a
        keyring write with its read-back costs tens of milliseconds, or an unlock prompt).
        """
        client = self.token_client()
        tokens = client.exchange_code(pending, code)
        with self._lock.both():
            dropped = cancelled is not None and cancelled()
            if not dropped:
                self.web_profile.keep()
                if persist:
                    self._save(tokens)
                else:
                    self._tokens = tokens
                    self._unsaved = True
        if dropped:
            # Revoked outside the locks: other processes need not wait for the network.
            _revoke_all(client, [tokens])
            raise SignInCancelledError()
        return tokens

    def persist(self) -> None:
        """Write tokens that `finish_login(persist=False)` kept in memory."""
        with self._lock.both():
            if self._unsaved and self._tokens is not None:
                self._save(self._tokens)
            self._unsaved = False

    # -- refresh ----------------------------------------------------------------------------

    def lead_for(self, tokens: TokenSet) -> timedelta:
        """How long before expiry to refresh (`timing.lead`)."""
        return timing.lead(tokens, self.refresh_lead)

    def needs_refresh(self) -> bool:
        """A refresh is due (`timing.refresh_due`)."""
        tokens = self._tokens
        return tokens is not None and timing.refresh_due(tokens, self.clock(), self.refresh_lead)

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

    def fresh_tokens(
        self, min_ttl: timedelta | None = None, *, timeout: float | None = None
    ) -> TokenSet:
        """Tokens valid for at least `min_ttl` (default: the refresh lead time).

        With a stored token that is still fresh this makes no network request; nor when
        `min_ttl` is at least as long as the server's tokens last (the lifetime of the
        last one it gave): that fails at once (`TokenLifetimeTooShortError`).
        """
        tokens = self._tokens or self.load()
        if tokens is None:
            raise self.why_not_signed_in()
        wanted = min_ttl
        min_ttl = self.lead_for(tokens) if min_ttl is None else min_ttl
        if tokens.is_fresh(self.clock(), min_ttl):
            return tokens
        lifetime = tokens.expires_at - tokens.obtained_at
        if wanted is not None and tokens.refresh_token and timedelta(0) < lifetime <= wanted:
            raise TokenLifetimeTooShortError(
                lifetime.total_seconds(), wanted.total_seconds(), remembered=True
            )
        new = self.refresh(min_ttl=min_ttl, timeout=timeout)
        if wanted is not None and not new.is_fresh(self.clock(), wanted):
            # The server's tokens are shorter-lived than the caller needs: never hand out
            # one that expires before the promised time.
            raise TokenLifetimeTooShortError(new.seconds_left(self.clock()), wanted.total_seconds())
        return new

    def script_tokens(self, min_ttl: timedelta, *, timeout: float | None = None) -> TokenSet:
        """What `frameio-desktop token` and `frameio_desktop.get_token()` give: tokens
        valid for at least `min_ttl`, from a secure keyring only (`NoSecureKeyringError`
        without one, rather than "not signed in"), refreshed under the locks if needed."""
        self.store.check_secure()
        return self.fresh_tokens(max(min_ttl, timedelta(0)), timeout=timeout)

    def refresh(
        self,
        *,
        force: bool = False,
        min_ttl: timedelta | None = None,
        timeout: float | None = None,
    ) -> TokenSet:
        """Refresh once, even when many threads or processes ask at the same moment.

        Whoever gets the locks second finds new tokens in the store (or in memory) and
        uses them instead of spending the refresh token again; if the one before it failed
        to reach the server, it ends with that failure (`RefreshFailedElsewhereError`)
        instead of asking the same server again. `timeout` bounds the whole call: the wait
        for the locks and the request.
        """
        seen = self._tokens
        budget = Budget(timeout)
        waiting_since = time.time()
        with self._lock.threads(timeout), self._lock.processes(budget.remaining()):
            latest = self._reload()
            if latest is None:
                self._tokens = None
                raise self.binding_problem or NotSignedInError()
            now = self.clock()
            min_ttl = self.lead_for(latest) if min_ttl is None else min_ttl
            # Another thread or process refreshed while this one waited for the locks.
            changed = seen is not None and latest.access_token != seen.access_token
            if latest.is_fresh(now, min_ttl) and (changed or not force):
                self._tokens = latest
                return latest
            if not latest.refresh_token:
                if latest.is_fresh(now):
                    # Still valid, just not for as long as asked: keep it, say until when.
                    self._tokens = latest
                    raise SignInEndingError(latest.expires_at)
                self._forget()
                raise SignInEndedError(latest.expires_at)
            if not latest.refresh_usable(now):
                self._forget()
                raise SessionExpiredError()
            failed = self._failures.since(waiting_since)
            if failed is not None:
                raise failed  # the process before this one just tried, and failed
            # From here until the new tokens are saved, Ctrl-C waits (core/interrupts.py).
            with signals_deferred(FINISHING_REFRESH):
                try:
                    new = self.token_client(budget.http(self.http)).refresh(latest)
                except InvalidGrantError as exc:
                    # The refresh token was revoked, expired, or spent elsewhere.
                    self._forget()
                    raise SessionExpiredError() from exc
                except TransportError as exc:
                    if not budget.shortens(self.http):  # not only this caller's --timeout
                        self._failures.write(exc)
                    raise
                # Crash windows, for a server that rotates refresh tokens:
                # - before the reply arrives: the stored (old) token is still valid; the next
                #   process refreshes with it.
                # - after the reply, before the keyring write finishes: the keyring still holds
                #   the old token, which the server has spent; the next refresh gets
                #   invalid_grant and the person is asked to sign in again. No hang, no loop.
                # - after the write: the new token is in the keyring; nothing is lost.
                # `_save` writes the new set before anything of the old one is removed.
                self._save(new)
            return new

    # -- who is signed in (core/lookup.py) -----------------------------------------------

    def account(self) -> Account | None:
        """The signed-in user (`AccountLookup.account`); a 401 refreshes once."""
        return self.lookup.account()

    def list_accounts(self) -> list[FrameioAccount]:
        """Every account the user reaches (`AccountLookup.list_accounts`)."""
        return self.lookup.list_accounts()

    def choose_account(self, account_id: str) -> None:
        """Save this sign-in's default account (`AccountLookup.choose_account`)."""
        self.lookup.choose_account(account_id)

    @property
    def account_id(self) -> str | None:
        """The account scripts should use (`AccountLookup.account_id`). No network."""
        return self.lookup.account_id

    @property
    def accounts(self) -> list[FrameioAccount] | None:
        """The accounts last read from the account list (None: not read in this process)."""
        return self.lookup.list.accounts

    @property
    def accounts_problem(self) -> TransportError | None:
        """Why the last account-list read failed (None when it worked or never ran)."""
        return self.lookup.list.problem

    @property
    def account_choices(self) -> AccountChoices:
        """The default account per sign-in (a small non-secret file in the config folder)."""
        return self.lookup.list.choices

    @property
    def sign_ins_ended(self) -> int:
        """How many sign-ins ended here (a lookup keeps nothing if this changed)."""
        return self._ended

    def known_account_if_fresh(self) -> Account | None:
        """The last-known account, if the stored access token is still fresh: what a launch
        can show at once, before verifying in the background. No network."""
        tokens = self._tokens
        if tokens is None or self.known_account is None or self.needs_refresh():
            return None
        return self.known_account

    def remember(self, account: Account, ended: int) -> bool:
        """Keep the account with the tokens (one keyring write, only when it changed), if
        no sign-in has ended since the lookup began (`ended`: `_ended` then). False if one
        has: the account is not kept."""
        with self._lock.thread:
            if self._ended != ended:
                return False
            if account == self.known_account:
                return True
            self.known_account = account
            if self._unsaved or self._tokens is None:
                return True  # persist() writes it with the tokens
        with self._lock.both():
            if self._tokens is not None and self._ended == ended:
                self._save(self._tokens)
        return True

    # -- sign-out ----------------------------------------------------------------------------

    def sign_out(self) -> SignOutResult:
        """Forget every token set this session knows of, then revoke them at the server.

        Known sets: the one in memory (possibly newer than the keyring's, after a failed
        keyring write) and the one in the keyring, read even when an earlier read or write
        failed. The keyring is cleared under the locks; the revocations, which can take a
        while, happen after the locks are released. The result says what could not be done.
        """
        result = SignOutResult()
        known: list[TokenSet] = [self._tokens] if self._tokens is not None else []
        with self._lock.both():
            keyring_ok = True
            try:
                entry = self.store.load_entry(self._settings.store_key)
            except StoredDataError:
                entry = None  # damaged: nothing to revoke; clearing removes it
            except StoreError as exc:
                entry = None
                keyring_ok = False
                result.problems.append(exc)
            if entry is not None:
                if self._bound(entry) is not None:
                    known.append(entry.tokens)
                elif self.binding_problem is not None:
                    # Another configuration's sign-in: neither sent anywhere nor removed.
                    result.problems.append(self.binding_problem)
                    keyring_ok = False
            self._end_sign_in()
            if keyring_ok:
                try:
                    self.store.clear(self._settings.store_key)
                    result.cleared = True
                except StoreError as exc:
                    log.warning("could not clear the keyring entry: %s", exc.user_message)
                    result.problems.append(exc)
            self._forget_local_traces()
        if known:
            try:
                client = self.token_client()
            except FrameioDesktopError as exc:
                # The revocation endpoint could not be found (discovery failed): the
                # server could not be told, as when the revocation itself fails. What is
                # here is gone all the same, so it is no problem of the sign-out's.
                log.warning("revocation skipped: %s", exc.user_message)
                result.revocations.append(
                    RevokeResult(attempted=True, ok=False, error=exc.user_message)
                )
            else:
                result.revocations.extend(_revoke_all(client, known))
        return result

    def _end_sign_in(self) -> None:
        """Forget the tokens and who they belong to, here (the caller holds
        the thread lock); a lookup still running for them keeps nothing it finds."""
        self._tokens = None
        self._unsaved = False
        self.known_account = None
        self._ended += 1

    def _forget_local_traces(self) -> None:
        """What a sign-in leaves outside the keyring: the chosen account and the sign-in
        page's cookies. Best effort: sign-out has already cleared the tokens."""
        self.lookup.list.forget()
        self.web_profile.delete()


def _revoke_all(client: TokenClient, token_sets: list[TokenSet]) -> list[RevokeResult]:
    """Revoke each distinct token once: refresh tokens first (RFC 7009 section 2.1: that
    usually ends the whole grant), then access tokens."""
    refresh = [t.refresh_token for t in token_sets if t.refresh_token]
    access = [t.access_token for t in token_sets]
    results = []
    for token in dict.fromkeys(refresh):
        results.append(client.revoke(token, "refresh_token"))
    for token in dict.fromkeys(access):
        results.append(client.revoke(token, "access_token"))
    return results
