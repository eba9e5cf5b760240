"""The window's state machine. Owns the session and the task runner; knows no widgets.

States: SIGNED_OUT -> SIGNING_IN (web view) -> FINISHING (exchange on a worker) ->
SIGNED_IN, or ERROR from any of them. At launch, STARTING tries a silent sign-in from the
keyring without any web view.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from frameio_desktop.core import errors, timing
from frameio_desktop.core.account import Account
from frameio_desktop.core.accounts import FrameioAccount
from frameio_desktop.core.flow import PendingLogin
from frameio_desktop.core.providers import sunset_notice
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.tokens import Clock, TokenSet, utc_now
from frameio_desktop.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

#: A silent renewal that has not been answered by then needs the person.
RENEWAL_TIMEOUT_MS = 30_000


def _ignore(_: object) -> None:
    return None


def _log_failure(exc: BaseException) -> None:
    log.warning("background work failed: %s", type(exc).__name__)


class State(enum.Enum):
    STARTING = "starting"
    SIGNED_OUT = "signed_out"
    SIGNING_IN = "signing_in"
    FINISHING = "finishing"
    SIGNED_IN = "signed_in"
    SIGNING_OUT = "signing_out"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """What went wrong, for the error page or a banner."""

    title: str
    message: str
    error: BaseException | None = None


def describe(exc: BaseException) -> Problem:
    """The words for a failure: the error's own title and message (core/errors.py)."""
    if isinstance(exc, errors.FrameioDesktopError):
        return Problem(exc.title, exc.user_message, exc)
    log.exception("unexpected error", exc_info=exc)
    return Problem(
        errors.UNEXPECTED_TITLE,
        f"An unexpected error occurred ({type(exc).__name__}). Try again.",
        exc,
    )


@dataclass(frozen=True)
class _Shown:
    """What a silent sign-in shows: the account, and whether the server confirmed it."""

    account: Account | None
    verified: bool


class SignInController(QObject):
    state_changed = Signal(object)  # State
    #: Emitted when the web view must open (authorize URL, redirect URI).
    login_requested = Signal(str, str)
    #: Emitted when the web view must close (sign-in over, either way).
    login_finished = Signal()
    signed_in_changed = Signal()  # account or tokens changed
    problem_changed = Signal(object)  # Problem | None, for the error page
    banner_changed = Signal(str)  # a warning on the signed-in page ("" clears it)
    tick = Signal(object)  # datetime: once a second, for countdowns
    saved = Signal()  # a new sign-in has been written to the keyring (or could not be)
    #: The account list or the default account changed (Frame.io V4).
    accounts_changed = Signal()
    #: A silent renewal must run in a host that shows nothing (authorize URL, redirect URI).
    renewal_requested = Signal(str, str)
    #: The silent renewal's host must close (answered, timed out, or given up).
    renewal_finished = Signal()
    #: Why the person must sign in again before the sign-in ends ("" clears it).
    sign_in_needed_changed = Signal(str)

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
        self.session = session
        self.runner = runner or TaskRunner(self)
        self.clock = clock
        self.config_problem = config_problem
        self.state = State.SIGNED_OUT
        self.problem: Problem | None = None
        self.account: Account | None = None
        self.pending: PendingLogin | None = None
        self.last_note = ""  # shown on the signed-out page ("you signed out", ...)
        self._task: Task | None = None
        self._cancel_event = threading.Event()
        self._refresh_task: Task | None = None
        self._save_task: Task | None = None
        self._retry_at: datetime | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.on_tick)
        self._init_renewal()

    # -- state -------------------------------------------------------------------------

    @property
    def tokens(self) -> TokenSet | None:
        return self.session.tokens if self.session else None

    def _set_state(self, state: State) -> None:
        self.state = state
        if self.session is not None and state not in (State.SIGNING_IN, State.FINISHING):
            # A sign-in that ends here without tokens takes its web profile with it (one
            # that got tokens has made it the current one already: nothing to do).
            self.session.web_profile.end_sign_in()
        if state is State.SIGNED_IN:
            self.timer.start()
        else:
            self.timer.stop()
        self.state_changed.emit(state)

    def _fail(self, exc: BaseException) -> None:
        self.problem = describe(exc)
        self.problem_changed.emit(self.problem)
        self._set_state(State.ERROR)

    def _run(self, fn: Callable[[], object], on_done: Callable[[object], None]) -> Task:
        self._task = self.runner.run(fn, on_done, self._on_task_error)
        return self._task

    def _on_task_error(self, exc: BaseException) -> None:
        self._task = None
        if isinstance(exc, errors.SignInCancelledError):
            return
        if isinstance(exc, errors.SessionExpiredError | errors.NotSignedInError):
            if isinstance(exc, errors.SessionExpiredError):
                self.last_note = "Your previous sign-in has expired. Sign in again."
            elif isinstance(exc, errors.SessionBindingError):
                # A stored sign-in for other endpoints: say so, rather than a bare sign-in.
                self.last_note = exc.user_message
            else:
                self.last_note = ""
            self._set_state(State.SIGNED_OUT)
            return
        self._fail(exc)

    # -- launch: silent sign-in ----------------------------------------------------------

    def start(self) -> None:
        """Sign in silently from the keyring if there is a stored session. No web view."""
        if self.session is None:
            self._set_state(State.SIGNED_OUT)
            return
        session = self.session

        def silent() -> object:
            if session.load() is None:
                raise session.binding_problem or errors.NotSignedInError()
            known = session.known_account_if_fresh()
            if known is not None:
                return _Shown(known, verified=False)
            session.fresh_tokens()
            return _Shown(session.account(), verified=True)

        self._set_state(State.STARTING)
        self._run(silent, self._on_silent)

    def _on_silent(self, result: object) -> None:
        assert isinstance(result, _Shown)
        self._on_signed_in(result.account)
        if not result.verified and self.session is not None:
            # Shown from the keyring; now ask the server, without holding up the window.
            self.runner.run(self.session.account, self._on_verified, self._on_verify_failed)

    def _on_verified(self, account: object) -> None:
        if self.state is State.SIGNED_IN and isinstance(account, Account):
            self.account = account
            self.signed_in_changed.emit()

    def _on_verify_failed(self, exc: BaseException) -> None:
        if self.state is not State.SIGNED_IN:
            return
        if isinstance(exc, errors.SessionExpiredError | errors.NotSignedInError):
            self.account = None
            self._on_task_error(exc)
            return
        log.info("could not verify the stored sign-in: %s", type(exc).__name__)

    def _on_signed_in(self, account: object) -> None:
        self._task = None
        self._stop_renewal()
        self._reauthenticating = False
        self.pending = None
        self.account = account if isinstance(account, Account) else None
        self.problem = None
        self._retry_at = None
        self._set_state(State.SIGNED_IN)
        self.signed_in_changed.emit()
        self._update_banner()
        if self.session is not None and self.session.has_unsaved_tokens:
            self._save_task = self.runner.run(self.session.persist, self._on_saved, self._on_saved)

    @property
    def saving(self) -> bool:
        return self._save_task is not None

    def _on_saved(self, _: object) -> None:
        # persist() never raises for the keyring itself: a storage problem is recorded on
        # the session and shown in the banner.
        self._save_task = None
        self._update_banner()
        self.saved.emit()

    def _update_banner(self) -> None:
        problem = self.session.storage_problem if self.session else None
        self.banner_changed.emit(problem.user_message if problem else "")

    # -- interactive sign-in -------------------------------------------------------------

    def sign_in(self, *, prepare_redirect: Callable[[str], str] | None = None) -> None:
        """Start an interactive sign-in. `prepare_redirect` (the host factory's) gets the
        configured redirect URI and returns the one to use: a loopback listener bound
        now, on the port it got."""
        if self.session is None:
            if self.config_problem is not None:
                self._fail(self.config_problem)
            return
        session = self.session
        self.problem = None
        self.last_note = ""
        redirect_uri = None
        if prepare_redirect is not None:
            try:
                redirect_uri = prepare_redirect(session.settings.redirect_uri)
            except errors.FrameioDesktopError as exc:
                self._fail(exc)
                return
        if session.settings.needs_discovery:
            # OIDC endpoints come from the network: find them off the UI thread first.
            self._set_state(State.FINISHING)
            self._run(lambda: session.begin_login(redirect_uri=redirect_uri), self._open_login)
            return
        self._open_login(session.begin_login(redirect_uri=redirect_uri))

    def restart_sign_in(self, *, prepare_redirect: Callable[[str], str] | None = None) -> None:
        """Drop the sign-in page that is open and start a new sign-in at once, without
        passing through the signed-out state (the page refused to work in the app)."""
        if self.state is not State.SIGNING_IN:
            return
        self.pending = None
        self.login_finished.emit()
        self.sign_in(prepare_redirect=prepare_redirect)

    def _open_login(self, pending: object) -> None:
        assert isinstance(pending, PendingLogin)
        self._task = None
        self.pending = pending
        self._cancel_event = threading.Event()
        self._set_state(State.SIGNING_IN)
        self.login_requested.emit(pending.authorize_url, pending.redirect_uri)

    def redirect_caught(self, url: str) -> None:
        """The web view caught a navigation to the redirect URI."""
        if self.state is not State.SIGNING_IN or self.pending is None or self.session is None:
            log.warning("ignored a redirect outside a sign-in")
            return
        pending = self.pending
        session = self.session
        cancel = self._cancel_event
        self.login_finished.emit()
        try:
            # Cheap checks on the UI thread: a bad redirect never starts a request.
            code = pending.take_code(url)
        except errors.FrameioDesktopError as exc:
            self.pending = None
            self._fail(exc)
            return
        self._set_state(State.FINISHING)

        def finish() -> object:
            # Shown before the keyring write, which follows on its own task.
            session.finish_login(pending, code, cancelled=cancel.is_set, persist=False)
            if cancel.is_set():
                raise errors.SignInCancelledError()
            return session.account()

        self._run(finish, self._on_signed_in)

    def sign_in_failed(self, exc: object) -> None:
        """The sign-in page's host ended the sign-in with an error of its own (the
        system browser did not come back in time, or would not open)."""
        if self.state is not State.SIGNING_IN:
            return
        self.pending = None
        self.login_finished.emit()
        self._fail(exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def login_failed(self, message: str) -> None:
        """The web view could not show the sign-in page (network, certificate, ...)."""
        if self.state is not State.SIGNING_IN:
            return
        self.pending = None
        self.login_finished.emit()
        self._fail(errors.NetworkError(message))

    def cancel(self) -> None:
        """Cancel a sign-in in any phase. A late result is dropped; nothing is stored."""
        if self.state not in (State.SIGNING_IN, State.FINISHING, State.STARTING):
            return
        self._cancel_event.set()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.state is State.SIGNING_IN:
            self.login_finished.emit()
        self.pending = None
        if self._back_to_signed_in():
            return
        self.last_note = "Sign-in cancelled."
        self._set_state(State.SIGNED_OUT)

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
        self.cancel()
        self._stop_renewal()
        if self._refresh_task is not None:
            self._refresh_task.cancel()
            self._refresh_task = None
        self.session = session
        self.config_problem = config_problem
        self.account = None
        self.problem = None
        self.pending = None
        self._retry_at = None
        self.last_note = ""
        self.banner_changed.emit("")
        if sign_in and session is not None:
            self._set_state(State.SIGNED_OUT)
            self.sign_in()
        else:
            self.start()

    def back_to_start(self) -> None:
        self.problem = None
        self._set_state(State.SIGNED_OUT)

    # -- signed in: countdown, refresh, copy, sign-out ------------------------------------

    def on_tick(self) -> None:
        now = self.clock()
        self.tick.emit(now)
        if self.state is not State.SIGNED_IN or self.session is None:
            return
        tokens = self.tokens
        step = timing.next_step(
            tokens,
            now,
            retry_at=self._retry_at,
            renewal_tried=self.renewing
            or (tokens is not None and tokens.expires_at == self._renewal_tried_for),
            refresh_lead=self.session.refresh_lead,
        )
        if step is timing.Step.RENEW:
            self.renew_silently()
        elif step is timing.Step.REFRESH:
            self.refresh_now()

    def refresh_now(self) -> None:
        if self.session is None or self.state is not State.SIGNED_IN:
            return
        if self._refresh_task is not None:
            return
        session = self.session
        tokens = session.tokens
        if tokens is not None and not timing.forced_refresh_allowed(tokens, self.clock()):
            # Nothing to refresh with (F5 reaches here while the button is disabled): a
            # forced refresh would end a sign-in that is still valid. Before it ends, the
            # silent renewal or the person takes over; once it has, the refresh below
            # says so.
            return
        self._refresh_task = self.runner.run(
            lambda: session.refresh(force=True), self._on_refreshed, self._on_refresh_error
        )

    def _on_refreshed(self, tokens: TokenSet) -> None:
        self._refresh_task = None
        self._retry_at = None
        self._update_banner()
        self.signed_in_changed.emit()
        self.check_accounts()

    def _on_refresh_error(self, exc: BaseException) -> None:
        self._refresh_task = None
        if isinstance(exc, errors.SessionExpiredError | errors.NotSignedInError):
            self.account = None
            self._fail(exc)
            return
        self._retry_at = timing.retry_time(self.clock())
        problem = describe(exc)
        self.banner_changed.emit(
            f"Could not refresh the sign-in: {problem.message} "
            f"It will be tried again in {int(timing.RETRY_AFTER.total_seconds())} s."
        )

    @property
    def refreshing(self) -> bool:
        return self._refresh_task is not None

    def sign_out(self) -> None:
        if self.session is None:
            return
        session = self.session
        self._stop_renewal()
        if self._refresh_task is not None:
            self._refresh_task.cancel()
            self._refresh_task = None

        def done(result: object) -> None:
            self._task = None
            self.account = None
            problems = getattr(result, "problems", [])
            if problems:
                # Say plainly what is left: the keyring may still hold the tokens.
                self.last_note = "Sign-out is not complete. " + " ".join(
                    p.user_message for p in problems
                )
            else:
                self.last_note = "You have signed out."
            self._set_state(State.SIGNED_OUT)

        self._set_state(State.SIGNING_OUT)
        self._run(session.sign_out, done)

    # -- the V2 sunset ---------------------------------------------------------------------

    def sunset_notice(self) -> str | None:
        """What to tell a person signed in with a retiring provider (Frame.io V2), for
        today's local date by this controller's clock; None for any other provider."""
        if self.session is None:
            return None
        return sunset_notice(self.session.settings.provider, self.clock().astimezone().date())

    # -- accounts (Frame.io V4: every page of /v4/accounts; V2: /v2/me's account_id) ------

    @property
    def accounts(self) -> list[FrameioAccount] | None:
        """The accounts last read from the provider's list; None where it has none (V2)
        or before it has been read."""
        return self.session.accounts if self.session is not None else None

    @property
    def accounts_problem(self) -> str | None:
        """Why the account list could not be read the last time (None if it could)."""
        problem = self.session.accounts_problem if self.session is not None else None
        return problem.user_message if problem is not None else None

    @property
    def account_id(self) -> str | None:
        """The account scripts use (the override, the saved choice, or the first)."""
        return self.session.account_id if self.session is not None else None

    @property
    def account_override(self) -> str | None:
        """`--account-id` / `FRAMEIO_ACCOUNT_ID`, which wins over the choice while set."""
        return self.session.settings.account_id if self.session is not None else None

    def check_accounts(self) -> None:
        """Read the account list again, on the task runner (after each refresh). A failure
        keeps the list already shown: the token check itself reports its own problems."""
        session = self.session
        if session is None or session.settings.accounts_url is None:
            return
        if self.state is not State.SIGNED_IN:
            return
        self.runner.run(session.list_accounts, self._on_accounts, self._on_accounts_failed)

    def _on_accounts(self, _: object) -> None:
        if self.state is State.SIGNED_IN:
            self.accounts_changed.emit()

    def _on_accounts_failed(self, exc: BaseException) -> None:
        log.info("could not read the account list: %s", type(exc).__name__)

    def choose_account(self, account_id: str) -> None:
        """Make `account_id` the default account of this profile (a small file, not the
        keyring), on the task runner; `accounts_changed` follows either way."""
        session = self.session
        if session is None or self.state is not State.SIGNED_IN:
            return
        if account_id == session.account_id:
            return
        self.runner.run(
            lambda: session.choose_account(account_id),
            self._on_account_chosen,
            self._on_account_choice_failed,
        )

    def _on_account_chosen(self, _: object) -> None:
        self.accounts_changed.emit()

    def _on_account_choice_failed(self, exc: BaseException) -> None:
        message = exc.user_message if isinstance(exc, errors.FrameioDesktopError) else str(exc)
        log.warning("the default account was not saved: %s", type(exc).__name__)
        self.banner_changed.emit(f"The default account could not be saved: {message}")
        self.accounts_changed.emit()  # show the choice that is in force

    # -- sessions without a refresh token: silent renewal, then the person ----------------
    #
    # Before such a sign-in ends, one authorize request with `prompt=none` runs in a host
    # that shows nothing. The provider answers from its own session (cookies kept in the
    # persistent web profile) with a code, which goes through the same checks and single
    # exchange as an interactive sign-in's, or with login_required / interaction_required
    # / consent_required: then the person is asked to sign in again. One attempt per
    # token: a failed renewal is never retried for the same sign-in.

    def _init_renewal(self) -> None:
        self.renewal: PendingLogin | None = None
        #: Why the person must sign in again (None: nothing to ask).
        self.sign_in_needed: str | None = None
        self._renewal_task: Task | None = None
        #: Set when a renewal's exchange must not store what it gets.
        self._renewal_cancel = threading.Event()
        #: The sign-in (its expiry) a renewal was last tried for: one attempt per token.
        self._renewal_tried_for: datetime | None = None
        #: An interactive sign-in started from the signed-in page ("Sign in again").
        self._reauthenticating = False
        self._renewal_timer = QTimer(self)
        self._renewal_timer.setSingleShot(True)
        self._renewal_timer.setInterval(RENEWAL_TIMEOUT_MS)
        self._renewal_timer.timeout.connect(self._renewal_timed_out)

    @property
    def renewing(self) -> bool:
        return self.renewal is not None or self._renewal_task is not None

    def renew_silently(self) -> None:
        """Try once, for the current sign-in, to renew it without the person."""
        session, tokens = self.session, self.tokens
        if session is None or tokens is None or self.state is not State.SIGNED_IN:
            return
        if self.renewing or tokens.expires_at == self._renewal_tried_for:
            return
        self._renewal_tried_for = tokens.expires_at
        if session.web_profile.for_renewal() is None:
            # Every sign-in page was off the record (or its cookies are gone): the
            # provider has no session to answer from; asking would say login_required.
            self._ask_to_sign_in_again(None)
            return
        log.info("renewing the sign-in silently (prompt=none)")
        if session.settings.needs_discovery:
            self._renewal_task = self.runner.run(
                lambda: session.begin_login(prompt="none"),
                self._open_renewal,
                self._on_renewal_error,
            )
            return
        self._open_renewal(session.begin_login(prompt="none"))

    def _open_renewal(self, pending: object) -> None:
        assert isinstance(pending, PendingLogin)
        self._renewal_task = None
        if self.state is not State.SIGNED_IN:
            return
        self.renewal = pending
        self._renewal_timer.start()
        self.renewal_requested.emit(pending.authorize_url, pending.redirect_uri)

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

    def renewal_redirect_caught(self, url: str) -> None:
        """The hidden host caught the redirect: the same checks as a sign-in's, then one
        exchange on the task runner."""
        pending, session = self.renewal, self.session
        if pending is None or session is None or self.state is not State.SIGNED_IN:
            log.warning("ignored a renewal redirect outside a renewal")
            return
        self._end_renewal_page()
        try:
            code = pending.take_code(url)
        except errors.FrameioDesktopError as exc:
            if not isinstance(exc, errors.InteractionRequiredError):
                log.warning("the silent renewal was refused: %s", type(exc).__name__)
            self._ask_to_sign_in_again(exc)
            return

        cancel = self._renewal_cancel = threading.Event()

        def finish() -> object:
            # Signed out (or signed in anew) meanwhile: the new tokens are revoked, not
            # stored (checked under the session's locks, after the exchange).
            session.finish_login(pending, code, cancelled=cancel.is_set)
            try:
                return session.account()
            except errors.FrameioDesktopError as exc:
                # Renewed and stored all the same; the account is read again later.
                log.info("renewed, but the account lookup failed: %s", type(exc).__name__)
                return None

        self._renewal_task = self.runner.run(finish, self._on_renewed, self._on_renewal_error)

    def renewal_failed(self, message: str) -> None:
        """The hidden host could not show the page, or no such host exists."""
        if self.renewal is None:
            return
        log.info("the silent renewal did not run: %s", message)
        self._end_renewal_page()
        self._ask_to_sign_in_again(None)

    def _renewal_timed_out(self) -> None:
        if self.renewal is not None:
            log.info("the silent renewal was not answered in time")
            self._end_renewal_page()
            self._ask_to_sign_in_again(None)

    def _end_renewal_page(self) -> None:
        self.renewal = None
        self._renewal_timer.stop()
        self.renewal_finished.emit()

    def _on_renewed(self, account: object) -> None:
        self._renewal_task = None
        if self.state is not State.SIGNED_IN:
            return
        if isinstance(account, Account):
            self.account = account
        self._set_sign_in_needed(None)
        self.signed_in_changed.emit()
        self.accounts_changed.emit()

    def _on_renewal_error(self, exc: BaseException) -> None:
        self._renewal_task = None
        if isinstance(exc, errors.SignInCancelledError):
            return
        if self.state is State.SIGNED_IN:
            self._ask_to_sign_in_again(exc)

    def _ask_to_sign_in_again(self, reason: BaseException | None) -> None:
        # The provider's session could not renew this one: its cookies are of no use, and
        # the next sign-in page must not skip the login with them.
        if self.session is not None:
            self.session.web_profile.delete()
        tokens = self.tokens
        until = ""
        if tokens is not None:
            until = f" at {tokens.expires_at.astimezone().strftime('%H:%M')}"
        why = ""
        if reason is not None and not isinstance(reason, errors.InteractionRequiredError):
            why = f" ({describe(reason).message})"
        self._set_sign_in_needed(
            f"Your sign-in ends{until} and could not be renewed without you{why}. "
            "Sign in again to stay signed in."
        )

    def _set_sign_in_needed(self, text: str | None) -> None:
        self.sign_in_needed = text
        self.sign_in_needed_changed.emit(text or "")

    def _stop_renewal(self) -> None:
        """Drop a renewal in flight (a new sign-in, sign-out, new settings)."""
        if self.renewal is not None:
            self._end_renewal_page()
        self._renewal_cancel.set()
        if self._renewal_task is not None:
            self._renewal_task.cancel()
            self._renewal_task = None
        if self.sign_in_needed is not None:
            self._set_sign_in_needed(None)

    def sign_in_again(self, *, prepare_redirect: Callable[[str], str] | None = None) -> None:
        """The interactive sign-in, from the signed-in page; Cancel comes back to it while
        the current sign-in lasts. `prepare_redirect` as for `sign_in`."""
        if self.state is not State.SIGNED_IN:
            return
        self._stop_renewal()
        self._reauthenticating = True
        self.sign_in(prepare_redirect=prepare_redirect)

    def _back_to_signed_in(self) -> bool:
        if not self._reauthenticating:
            return False
        self._reauthenticating = False
        tokens = self.tokens
        if tokens is None or not tokens.is_fresh(self.clock()):
            return False
        self._set_state(State.SIGNED_IN)
        self.signed_in_changed.emit()
        # The current sign-in still ends: ask again (no new silent attempt for it).
        self._ask_to_sign_in_again(None)
        return True
