"""The one object the window talks to. It composes the controller's three jobs around
their shared state (`sign_in_state.py`) and knows no widgets:

- `interactive` (`InteractiveSignIn`): a sign-in with a page: the host, the flow, cancel;
- `keeper` (`SessionKeeper`): keeping a session: silent launch, keyring write, expiry
  ticks, refresh, sign-out; with `renewal` (`SilentRenewal`) for sessions without a
  refresh token;
- `accounts` (`AccountChoice`): the account list and the default account.

Each job has its own signals; the window connects to them. The shared state, its
signals and the verbs every caller needs are here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, SignalInstance

from frameio_desktop.core import errors
from frameio_desktop.core.providers import sunset_notice, sunset_remedy
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.tokens import Clock, TokenSet, utc_now
from frameio_desktop.core.user import User
from frameio_desktop.gui.account_choice import AccountChoice
from frameio_desktop.gui.interactive import InteractiveSignIn
from frameio_desktop.gui.session_keeper import SessionKeeper
from frameio_desktop.gui.sign_in_state import Problem, SignInState, State, describe
from frameio_desktop.gui.silent_renewal import SilentRenewal
from frameio_desktop.gui.tasks import TaskRunner

__all__ = ["Problem", "SignInController", "State", "describe"]

log = logging.getLogger(__name__)


def _ignore(_: object) -> None:
    return None


def _log_failure(exc: BaseException) -> None:
    log.warning("background work failed: %s", type(exc).__name__)


class SignInController(QObject):
    def __init__(
        self,
        session: AuthSession | None,
        *,
        runner: TaskRunner | None = None,
        clock: Clock = utc_now,
        config_problem: errors.ConfigError | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        #: The state the jobs share, and its signals.
        self.shared = SignInState(
            session, runner or TaskRunner(self), clock, config_problem, parent=self
        )
        self.renewal = SilentRenewal(self.shared, parent=self)
        self.keeper = SessionKeeper(self.shared, self.renewal, parent=self)
        self.accounts = AccountChoice(self.shared, parent=self)
        self.interactive = InteractiveSignIn(
            self.shared,
            signed_in=self.keeper.adopt,
            resume=self.renewal.back_to_signed_in,
            parent=self,
        )
        self.keeper.refreshed.connect(self.accounts.check)
        self.renewal.renewed.connect(self.accounts.accounts_changed)

    # -- the shared state, read-only ------------------------------------------------------

    @property
    def state(self) -> State:
        return self.shared.state

    @property
    def session(self) -> AuthSession | None:
        return self.shared.session

    @property
    def tokens(self) -> TokenSet | None:
        return self.shared.tokens

    @property
    def user(self) -> User | None:
        return self.shared.user

    @property
    def problem(self) -> Problem | None:
        return self.shared.problem

    @property
    def last_note(self) -> str:
        """How the last sign-in ended, for the signed-out page ("" for nothing)."""
        return self.shared.last_note

    @property
    def config_problem(self) -> errors.ConfigError | None:
        return self.shared.config_problem

    @property
    def runner(self) -> TaskRunner:
        return self.shared.runner

    @property
    def clock(self) -> Clock:
        return self.shared.clock

    @property
    def state_changed(self) -> SignalInstance:
        """The state changed (the new `State`)."""
        return self.shared.state_changed

    @property
    def signed_in_changed(self) -> SignalInstance:
        """The account or the tokens changed."""
        return self.shared.signed_in_changed

    @property
    def problem_changed(self) -> SignalInstance:
        """A new `Problem` for the error page."""
        return self.shared.problem_changed

    @property
    def banner_changed(self) -> SignalInstance:
        """A warning for the signed-in page ("" clears it)."""
        return self.shared.banner_changed

    # -- the verbs ----------------------------------------------------------------------

    def start(self) -> None:
        """Sign in silently from the keyring if there is a stored session."""
        self.keeper.start()

    def sign_in(self, *, prepare_redirect: Callable[[str], str] | None = None) -> None:
        """Start an interactive sign-in (see `InteractiveSignIn.sign_in`)."""
        self.interactive.sign_in(prepare_redirect=prepare_redirect)

    def cancel(self) -> None:
        self.interactive.cancel()

    def sign_out(self) -> None:
        self.keeper.sign_out()

    def sign_in_again(self, *, prepare_redirect: Callable[[str], str] | None = None) -> None:
        """The interactive sign-in, from the signed-in page; Cancel comes back to it while
        the current sign-in lasts. `prepare_redirect` as for `sign_in`."""
        if self.state is not State.SIGNED_IN:
            return
        self.renewal.stop()
        self.renewal.reauthenticating = True
        self.interactive.sign_in(prepare_redirect=prepare_redirect)

    def back_to_start(self) -> None:
        self.shared.problem = None
        self.shared.set_state(State.SIGNED_OUT)

    def reconfigure(
        self,
        session: AuthSession | None,
        config_problem: errors.ConfigError | None = None,
        *,
        sign_in: bool = False,
    ) -> None:
        """Use a new configuration (the settings form saved, or the demo was started).

        A sign-in in progress is cancelled and the old session dropped: its tokens stay
        in the keyring, under their own configuration. Then a silent sign-in is tried with
        the new session, or, with `sign_in=True`, the sign-in page opens at once."""
        self.interactive.cancel()
        self.keeper.stop()
        shared = self.shared
        shared.session = session
        shared.config_problem = config_problem
        shared.user = None
        shared.problem = None
        self.interactive.pending = None
        shared.last_note = ""
        shared.banner_changed.emit("")
        if sign_in and session is not None:
            shared.set_state(State.SIGNED_OUT)
            self.interactive.sign_in()
        else:
            self.keeper.start()

    # -- what the window shows beside the state -------------------------------------------

    def sunset_notice(self, *, settings: bool = True) -> str | None:
        """What to tell a person signed in with a retiring provider (Frame.io V2), for
        today's local date by this controller's clock; None for any other provider.
        `settings`: whether the window offers its settings form to switch there."""
        if self.session is None:
            return None
        today = self.clock().astimezone().date()
        provider = self.session.settings.provider
        return sunset_notice(provider, today, window=True, settings=settings)

    def sunset_remedy(self) -> errors.WindowRemedy | None:
        """The button beside the notice: the settings, with the successor chosen."""
        return sunset_remedy(self.session.settings.provider) if self.session else None

    def web_profile(self) -> str | None:
        """The private (0700) folder for the sign-in page about to open: a new, empty one
        for an interactive sign-in, so that it shows the login page; the current one for a
        silent renewal. None: the page stays off the record."""
        if self.session is None:
            return None
        profile = self.session.web_profile
        path = profile.for_sign_in() if self.state is State.SIGNING_IN else profile.for_renewal()
        return str(path) if path is not None else None

    def forget_web_profile(self) -> None:
        """Delete what no sign-in uses of this sign-in's web profiles (cookies a page wrote
        as it closed), on the task runner. Never a sign-in's in progress."""
        session = self.session
        if session is None:
            return
        self.runner.run(session.web_profile.sweep, _ignore, _log_failure)
