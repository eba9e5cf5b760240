"""Who is signed in, and which Frame.io accounts they reach: the API lookups that follow a
sign-in (`/v2/me`, `/v4/me` and every page of `/v4/accounts`, or OIDC userinfo).

The session keeps the tokens; this asks the API with them. A 401 triggers one refresh and
one retry. A lookup that began before the sign-in ended (a sign-out on the window's
thread while this runs on a worker) keeps nothing it found.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Protocol, TypeVar

from frameio_desktop.core.accounts import AccountList, FrameioAccount, fetch_accounts
from frameio_desktop.core.errors import (
    EndpointGoneError,
    HostNotFoundError,
    NotSignedInError,
    TokenRejectedError,
    TransportError,
)
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.providers import retired_api_error
from frameio_desktop.core.settings import Settings
from frameio_desktop.core.tokens import Clock, TokenSet
from frameio_desktop.core.user import User, fetch_user

log = logging.getLogger(__name__)

T = TypeVar("T")


class SignedInSession(Protocol):
    """What a lookup needs of the session (`core.session.AuthSession`)."""

    http: HttpClient
    clock: Clock

    @property
    def known_user(self) -> User | None: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def sign_ins_ended(self) -> int: ...

    def resolved_settings(self) -> Settings: ...

    def fresh_tokens(self) -> TokenSet: ...

    def refresh(self, *, force: bool = False) -> TokenSet: ...

    def remember(self, user: User, ended: int) -> bool: ...


class AccountLookup:
    """The lookups for one session, and the account list they keep (`AccountList`)."""

    def __init__(self, session: SignedInSession, accounts: AccountList) -> None:
        self.session = session
        self.list = accounts

    def user(self) -> User | None:
        """The signed-in user; for V4 with the account scripts use as its `account_id`.
        None where the provider names no one, or when the sign-in ended during the
        lookup: what it found then is kept nowhere."""
        session = self.session
        settings = session.resolved_settings()
        url = settings.account_url
        if url is None:
            return None
        ended = session.sign_ins_ended
        tokens = session.fresh_tokens()
        with self._retired_api_check():
            user = self._with_one_refresh(
                lambda token: fetch_user(session.http, url, token), tokens
            )
        if settings.accounts_url is not None:
            try:
                self._read_accounts(settings.accounts_url, ended)
                self.list.update(problem=None, unless=self._ended_since(ended))
            except NotSignedInError:
                if session.sign_ins_ended == ended:
                    raise
                return None
            except TransportError as exc:
                # The list is extra: `/v4/me` has confirmed the sign-in, and the saved
                # choice still names the account. Report it; do not end the sign-in.
                log.warning("could not read the account list: %s", exc.user_message)
                self.list.update(problem=exc, unless=self._ended_since(ended))
            user = replace(user, account_id=self.account_id)
        elif settings.account_id:
            user = replace(user, account_id=settings.account_id)
        return user if session.remember(user, ended) else None

    def list_accounts(self) -> list[FrameioAccount]:
        """Every account the user can reach, all pages (Frame.io V4); kept in the list.
        An empty list where the provider has no account list."""
        url = self.session.resolved_settings().accounts_url
        if url is None:
            return []
        return self._read_accounts(url, self.session.sign_ins_ended)

    @property
    def account_id(self) -> str | None:
        """The account scripts should use: `--account-id` / `FRAMEIO_ACCOUNT_ID` if set;
        for Frame.io V4 the saved choice while it is still listed, else the first account;
        for V2 the `account_id` that `/v2/me` named. No network."""
        settings = self.session.settings
        if settings.accounts_url is None:
            known = self.session.known_user
            return settings.account_id or (known.account_id if known else None)
        return self.list.chosen_id(settings.account_id)

    def choose_account(self, account_id: str) -> None:
        """Make `account_id` this sign-in's default account (saved per profile, not in the
        keyring). It must be one of the listed accounts when they are known. An override
        from the command line or environment still wins while it is set."""
        ended = self.session.sign_ins_ended
        self.list.choose(account_id)
        known = self.session.known_user
        if known is not None:
            self.session.remember(replace(known, account_id=self.account_id), ended)

    def _read_accounts(self, url: str, ended: int) -> list[FrameioAccount]:
        http = self.session.http
        tokens = self.session.fresh_tokens()
        found = self._with_one_refresh(lambda token: fetch_accounts(http, url, token), tokens)
        self.list.update(found, unless=self._ended_since(ended))
        return found

    def _with_one_refresh(self, ask: Callable[[str], T], tokens: TokenSet) -> T:
        """`ask` with the access token; on a 401, once more after a refresh."""
        try:
            return ask(tokens.access_token)
        except TokenRejectedError:
            return ask(self.session.refresh(force=True).access_token)

    def _ended_since(self, ended: int) -> Callable[[], bool]:
        """Asked under the account list's lock: has a sign-in ended since `ended`?"""
        return lambda: self.session.sign_ins_ended != ended

    @contextlib.contextmanager
    def _retired_api_check(self) -> Iterator[None]:
        """Say "the API was retired" where a retired provider's API answers as if gone."""
        try:
            yield
        except (EndpointGoneError, HostNotFoundError) as exc:
            settings, today = self.session.settings, self.session.clock().date()
            retired = retired_api_error(settings.provider, exc, today)
            if retired is not None:
                raise retired from exc
            raise
