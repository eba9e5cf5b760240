"""Keeping a session: the silent sign-in at launch, the keyring write after a sign-in,
the once-a-second tick that refreshes or renews in time, and the sign-out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from frameio_desktop.core import errors, timing
from frameio_desktop.core.session import SignOutResult
from frameio_desktop.core.tokens import TokenSet
from frameio_desktop.core.user import User
from frameio_desktop.gui.sign_in_state import SignInState, State, describe
from frameio_desktop.gui.silent_renewal import SilentRenewal
from frameio_desktop.gui.tasks import Task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Shown:
    """What a silent sign-in shows: the account, and whether the server confirmed it."""

    user: User | None
    verified: bool


class SessionKeeper(QObject):
    #: Once a second while signed in (the time now), for countdowns.
    tick = Signal(object)  # datetime
    #: A refresh brought new tokens (the account list is read again after it).
    refreshed = Signal()

    def __init__(
        self, shared: SignInState, renewal: SilentRenewal, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.shared = shared
        self.renewal = renewal
        self._refresh_task: Task | None = None
        self._save_task: Task | None = None
        self._retry_at: datetime | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.on_tick)
        shared.state_changed.connect(self._run_timer)

    def _run_timer(self, state: State) -> None:
        if state is State.SIGNED_IN:
            self.timer.start()
        else:
            self.timer.stop()

    # -- launch: silent sign-in ----------------------------------------------------------

    def start(self) -> None:
        """Sign in silently from the keyring if there is a stored session. No page."""
        shared = self.shared
        if shared.session is None:
            shared.set_state(State.SIGNED_OUT)
            return
        session = shared.session

        def silent() -> _Shown:
            if session.load() is None:
                raise session.binding_problem or errors.NotSignedInError()
            known = session.known_user_if_fresh()
            if known is not None:
                return _Shown(known, verified=False)
            session.fresh_tokens()
            return _Shown(session.user(), verified=True)

        shared.set_state(State.STARTING)
        shared.run(silent, self._on_silent)

    def _on_silent(self, result: _Shown) -> None:
        self.adopt(result.user)
        session = self.shared.session
        if not result.verified and session is not None:
            # Shown from the keyring; now ask the server, without holding up the window.
            self.shared.runner.run(session.user, self._on_verified, self._on_verify_failed)

    def _on_verified(self, user: User | None) -> None:
        if self.shared.state is State.SIGNED_IN and user is not None:
            self.shared.user = user
            self.shared.signed_in_changed.emit()

    def _on_verify_failed(self, exc: BaseException) -> None:
        if self.shared.state is not State.SIGNED_IN:
            return
        if isinstance(exc, errors.SessionExpiredError | errors.NotSignedInError):
            self.shared.user = None
            self.shared.task_failed(exc)
            return
        log.info("could not verify the stored sign-in: %s", type(exc).__name__)

    def adopt(self, user: User | None) -> None:
        """Signed in (silently or by a person): show it, and keep it in the keyring."""
        shared = self.shared
        shared.task = None
        self.renewal.stop()
        self.renewal.reauthenticating = False
        shared.user = user
        shared.problem = None
        self._retry_at = None
        shared.set_state(State.SIGNED_IN)
        shared.signed_in_changed.emit()
        shared.update_banner()
        session = shared.session
        if session is not None and session.has_unsaved_tokens:
            self._save_task = shared.runner.run(session.persist, self._on_saved, self._on_saved)

    @property
    def saving(self) -> bool:
        return self._save_task is not None

    def _on_saved(self, _: object) -> None:
        # persist() never raises for the keyring itself: a storage problem is recorded on
        # the session and shown in the banner.
        self._save_task = None
        self.shared.update_banner()

    # -- signed in: the tick, refresh ------------------------------------------------------

    def on_tick(self) -> None:
        shared = self.shared
        now = shared.clock()
        self.tick.emit(now)
        if shared.state is not State.SIGNED_IN or shared.session is None:
            return
        step = timing.next_step(
            shared.tokens,
            now,
            retry_at=self._retry_at,
            renewal_tried=self.renewal.tried,
            refresh_lead=shared.session.refresh_lead,
        )
        if step is timing.Step.RENEW:
            self.renewal.renew_silently()
        elif step is timing.Step.REFRESH:
            self.refresh_now()

    def refresh_now(self) -> None:
        shared = self.shared
        session = shared.session
        if session is None or shared.state is not State.SIGNED_IN:
            return
        if self._refresh_task is not None:
            return
        tokens = session.tokens
        if tokens is not None and not timing.forced_refresh_allowed(tokens, shared.clock()):
            # Nothing to refresh with (F5 reaches here while the button is disabled): a
            # forced refresh would end a sign-in that is still valid. Before it ends, the
            # silent renewal or the person takes over; once it has, the refresh below
            # says so.
            return
        self._refresh_task = shared.runner.run(
            lambda: session.refresh(force=True), self._on_refreshed, self._on_refresh_error
        )

    def _on_refreshed(self, tokens: TokenSet) -> None:
        self._refresh_task = None
        self._retry_at = None
        self.shared.update_banner()
        self.shared.signed_in_changed.emit()
        self.refreshed.emit()

    def _on_refresh_error(self, exc: BaseException) -> None:
        self._refresh_task = None
        shared = self.shared
        if isinstance(exc, errors.SessionExpiredError | errors.NotSignedInError):
            shared.user = None
            shared.fail(exc)
            return
        self._retry_at = timing.retry_time(shared.clock())
        problem = describe(exc)
        shared.banner_changed.emit(
            f"Could not refresh the sign-in: {problem.message} "
            f"It will be tried again in {int(timing.RETRY_AFTER.total_seconds())} s."
        )

    @property
    def refreshing(self) -> bool:
        return self._refresh_task is not None

    def stop(self) -> None:
        """Drop a refresh or renewal in flight (sign-out, new settings)."""
        self.renewal.stop()
        if self._refresh_task is not None:
            self._refresh_task.cancel()
            self._refresh_task = None
        self._retry_at = None

    # -- sign-out ----------------------------------------------------------------------------

    def sign_out(self) -> None:
        shared = self.shared
        if shared.session is None:
            return
        session = shared.session
        self.stop()

        def done(result: SignOutResult) -> None:
            shared.task = None
            shared.user = None
            if result.problems:
                # Say plainly what is left: the keyring may still hold the tokens.
                shared.last_note = "Sign-out is not complete. " + " ".join(
                    p.window_message for p in result.problems
                )
            else:
                shared.last_note = "You have signed out."
            shared.set_state(State.SIGNED_OUT)

        shared.set_state(State.SIGNING_OUT)
        shared.run(session.sign_out, done)
