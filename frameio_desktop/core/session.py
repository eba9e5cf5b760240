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
from frameio_desktop.core.accounts import (
    AccountChoices,
    AccountList,
    FrameioAccount,
)
from frameio_desktop.core.errors import (
    FrameioDesktopError,
    InvalidGrantError,
    NotSignedInError,
    SessionBindingError,
    SessionExpiredError,
    SignInCancelledError,
    SignInEndedError,
    SignInEndingError,
    StoreError,
    TokenLifetimeTooShortError,
    TransportError,
)
from frameio_desktop.core.flow import PendingSignIn, begin_sign_in
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.interrupts import signals_deferred
from frameio_desktop.core.locks import SignInLock
from frameio_desktop.core.lookup import AccountLookup
from frameio_desktop.core.oauth import RevokeResult, TokenClient
from frameio_desktop.core.providers import discover
from frameio_desktop.core.refresh_wait import Budget, FailureNote
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.store import KeyringTokenStore
from frameio_desktop.core.stored_sign_in import StoredSignIn
from frameio_desktop.core.tokens import Clock, TokenSet, utc_now
from frameio_desktop.core.user import User
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
        #: Its thread lock is held for every change of the tokens, the known account and
        #: the sign-in's end; its lock file, too, for every change of the keyring entry.
        self._lock = SignInLock(settings.store_key, lock_dir)
        #: The tokens, who they belong to, and the keyring entry (`core.stored_sign_in`).
        self.stored = StoredSignIn(lambda: self._settings, self.store, self._lock)
        self._discovery_lock = threading.Lock()
        #: The last refresh failure, for the processes that waited for that refresh.
        self._failures = FailureNote(self._lock.path.with_suffix(".failed"))

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

    # -- what is held (core/stored_sign_in.py) -------------------------------------------

    @property
    def tokens(self) -> TokenSet | None:
        return self.stored.tokens

    @property
    def known_user(self) -> User | None:
        """Who was signed in when the tokens were last stored (shown before any request)."""
        return self.stored.known_user

    @property
    def persistent(self) -> bool:
        return self.stored.persistent

    @property
    def has_unsaved_tokens(self) -> bool:
        return self.stored.unsaved

    @property
    def storage_problem(self) -> StoreError | None:
        """Set when tokens could not be kept in the keyring; they live in memory instead."""
        return self.stored.storage_problem

    @property
    def binding_problem(self) -> SessionBindingError | None:
        """Set when the stored sign-in belongs to other endpoints than the settings name."""
        return self.stored.binding_problem

    @property
    def damaged_entry(self) -> bool:
        """The last keyring read found an entry it cannot read (sign-out still removes it)."""
        return self.stored.damaged_entry

    def prefetch(self) -> None:
        """Start the keyring read now, on a thread of its own: at launch it overlaps Qt's
        start-up. The next `load()` takes its result."""
        self.stored.prefetch()

    def load(self) -> TokenSet | None:
        """Read the stored tokens (and the last-known account) into the session. No network."""
        return self.stored.load()

    def _save(self, tokens: TokenSet) -> None:
        self.stored.save(tokens)

    def _forget(self) -> None:
        """The session is over (the caller holds the locks): drop the tokens here and in
        the keyring, and the sign-in page's cookies."""
        self.stored.forget()
        self.web_profile.delete()

    # -- sign-in ---------------------------------------------------------------------------

    def begin_sign_in(
        self, *, prompt: str | None = None, redirect_uri: str | None = None
    ) -> PendingSignIn:
        """Start a sign-in; `prompt="none"` for a silent renewal, `redirect_uri` for the
        address a loopback listener really listens on (see `flow.begin_sign_in`)."""
        return begin_sign_in(self.resolved_settings(), prompt=prompt, redirect_uri=redirect_uri)

    def finish_sign_in(
        self,
        pending: PendingSignIn,
        code: str,
        *,
        cancelled: Callable[[], bool] | None = None,
        persist: bool = True,
    ) -> TokenSet:
        """Exchange a code that `PendingSignIn.take_code` accepted, and store the tokens.

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
                    self.stored.save(tokens)
                else:
                    self.stored.hold(tokens)
        if dropped:
            # Revoked outside the locks: other processes need not wait for the network.
            client.revoke_all([tokens])
            raise SignInCancelledError()
        return tokens

    def persist(self) -> None:
        """Write tokens that `finish_sign_in(persist=False)` kept in memory."""
        self.stored.persist()

    # -- refresh ----------------------------------------------------------------------------

    def lead_for(self, tokens: TokenSet) -> timedelta:
        """How long before expiry to refresh (`timing.lead`)."""
        return timing.lead(tokens, self.refresh_lead)

    def needs_refresh(self) -> bool:
        """A refresh is due (`timing.refresh_due`)."""
        tokens = self.stored.tokens
        return tokens is not None and timing.refresh_due(tokens, self.clock(), self.refresh_lead)

    def why_not_signed_in(self) -> FrameioDesktopError:
        """What to say when `load()` found no tokens (`StoredSignIn.why_not_signed_in`)."""
        return self.stored.why_not_signed_in()

    def fresh_tokens(
        self, min_ttl: timedelta | None = None, *, timeout: float | None = None
    ) -> TokenSet:
        """Tokens valid for at least `min_ttl` (default: the refresh lead time).

        With a stored token that is still fresh this makes no network request; nor when
        `min_ttl` is at least as long as the server's tokens last (the lifetime of the
        last one it gave): that fails at once (`TokenLifetimeTooShortError`).
        """
        tokens = self.stored.tokens or self.load()
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
        stored = self.stored
        seen = stored.tokens
        budget = Budget(timeout)
        waiting_since = time.time()
        with self._lock.threads(timeout), self._lock.processes(budget.remaining()):
            latest = stored.reload()
            if latest is None:
                stored.tokens = None
                raise stored.binding_problem or NotSignedInError()
            now = self.clock()
            min_ttl = self.lead_for(latest) if min_ttl is None else min_ttl
            # Another thread or process refreshed while this one waited for the locks.
            changed = seen is not None and latest.access_token != seen.access_token
            if latest.is_fresh(now, min_ttl) and (changed or not force):
                stored.tokens = latest
                return latest
            if not latest.refresh_token:
                if latest.is_fresh(now):
                    # Still valid, just not for as long as asked: keep it, say until when.
                    stored.tokens = latest
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
                stored.save(new)
            return new

    # -- who is signed in (core/lookup.py) -----------------------------------------------

    def user(self) -> User | None:
        """The signed-in user (`AccountLookup.user`); a 401 refreshes once."""
        return self.lookup.user()

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
        return self.stored.ended

    def known_user_if_fresh(self) -> User | None:
        """The last-known account, if the stored access token is still fresh: what a launch
        can show at once, before verifying in the background. No network."""
        known = self.stored.known_user
        if self.stored.tokens is None or known is None or self.needs_refresh():
            return None
        return known

    def remember(self, user: User, ended: int) -> bool:
        """Keep the account with the tokens (`StoredSignIn.remember`)."""
        return self.stored.remember(user, ended)

    # -- sign-out ----------------------------------------------------------------------------

    def sign_out(self) -> SignOutResult:
        """Forget every token set this session knows of (`clear_for_sign_out`), the chosen
        account and the sign-in page's cookies, under the locks; then, after the locks are
        released, revoke the tokens at the server. The result says what could not be done."""
        result = SignOutResult()
        with self._lock.both():
            known, result.cleared = self.stored.clear_for_sign_out(result.problems)
            self.lookup.list.forget()
            self.web_profile.delete()
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
                result.revocations.extend(client.revoke_all(known))
        return result
