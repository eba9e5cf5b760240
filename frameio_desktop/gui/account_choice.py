"""Accounts (Frame.io V4: every page of /v4/accounts; V2: /v2/me's account_id): the list,
the default account scripts use, and the person's choice of it."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from frameio_desktop.core.accounts import FrameioAccount
from frameio_desktop.gui.sign_in_state import SignInState, State, describe

log = logging.getLogger(__name__)


class AccountChoice(QObject):
    #: The account list or the default account changed.
    accounts_changed = Signal()

    def __init__(self, shared: SignInState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shared = shared

    @property
    def listed(self) -> list[FrameioAccount] | None:
        """The accounts last read from the provider's list; None where it has none (V2)
        or before it has been read."""
        session = self.shared.session
        return session.accounts if session is not None else None

    @property
    def problem(self) -> str | None:
        """Why the account list could not be read the last time (None if it could)."""
        session = self.shared.session
        problem = session.accounts_problem if session is not None else None
        return problem.window_message if problem is not None else None

    @property
    def account_id(self) -> str | None:
        """The account scripts use (the override, the saved choice, or the first)."""
        session = self.shared.session
        return session.account_id if session is not None else None

    @property
    def override(self) -> str | None:
        """An account set outside the window (a flag, the environment), which wins over
        the choice while it is set."""
        session = self.shared.session
        return session.settings.account_id if session is not None else None

    def check(self) -> None:
        """Read the account list again, on the task runner (after each refresh). A failure
        keeps the list already shown: the token check itself reports its own problems."""
        shared = self.shared
        session = shared.session
        if session is None or session.settings.accounts_url is None:
            return
        if shared.state is not State.SIGNED_IN:
            return
        shared.runner.run(session.list_accounts, self._on_listed, self._on_list_failed)

    def _on_listed(self, _: object) -> None:
        if self.shared.state is State.SIGNED_IN:
            self.accounts_changed.emit()

    def _on_list_failed(self, exc: BaseException) -> None:
        log.info("could not read the account list: %s", type(exc).__name__)

    def choose(self, account_id: str) -> None:
        """Make `account_id` the default account of this profile (a small file, not the
        keyring), on the task runner; `accounts_changed` follows either way."""
        shared = self.shared
        session = shared.session
        if session is None or shared.state is not State.SIGNED_IN:
            return
        if account_id == session.account_id:
            return
        shared.runner.run(
            lambda: session.choose_account(account_id), self._on_chosen, self._on_choice_failed
        )

    def _on_chosen(self, _: None) -> None:
        self.accounts_changed.emit()

    def _on_choice_failed(self, exc: BaseException) -> None:
        message = describe(exc).message
        log.warning("the default account was not saved: %s", type(exc).__name__)
        self.shared.banner_changed.emit(f"The default account could not be saved: {message}")
        self.accounts_changed.emit()  # show the choice that is in force
