"""Sessions without a refresh token: one silent renewal, then the person.

Before such a sign-in ends, one authorize request with `prompt=none` runs in a host that
shows nothing. The provider answers from its own session (cookies kept in the persistent
web profile) with a code, which goes through the same checks and single exchange as an
interactive sign-in's, or with login_required / interaction_required / consent_required:
then the person is asked to sign in again. One attempt per token: a failed renewal is
never retried for the same sign-in.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from frameio_desktop.core import errors
from frameio_desktop.core.flow import PendingSignIn
from frameio_desktop.core.user import User
from frameio_desktop.gui.sign_in_state import SignInState, State, describe
from frameio_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

#: A silent renewal that has not been answered by then needs the person.
RENEWAL_TIMEOUT_MS = 30_000


class SilentRenewal(QObject):
    #: The renewal must run in a host that shows nothing (authorize URL, redirect URI).
    renewal_requested = Signal(str, str)
    #: The renewal's host must close (answered, timed out, or given up).
    renewal_finished = Signal()
    #: Why the person must sign in again before the sign-in ends ("" clears it).
    sign_in_needed_changed = Signal(str)
    #: The sign-in was renewed (new tokens stored; the account read again if it could be).
    renewed = Signal()

    def __init__(self, shared: SignInState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shared = shared
        #: The renewal whose hidden page is open.
        self.pending: PendingSignIn | None = None
        #: Why the person must sign in again (None: nothing to ask).
        self.sign_in_needed: str | None = None
        self._task: Task | None = None
        #: Set when a renewal's exchange must not store what it gets.
        self._cancel = threading.Event()
        #: The sign-in (its expiry) a renewal was last tried for: one attempt per token.
        self.tried_for: datetime | None = None
        #: An interactive sign-in started from the signed-in page ("Sign in again").
        self.reauthenticating = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RENEWAL_TIMEOUT_MS)
        self.timer.timeout.connect(self._timed_out)

    @property
    def renewing(self) -> bool:
        return self.pending is not None or self._task is not None

    @property
    def tried(self) -> bool:
        """A renewal runs, or has been tried, for the current sign-in."""
        tokens = self.shared.tokens
        return self.renewing or (tokens is not None and tokens.expires_at == self.tried_for)

    def renew_silently(self) -> None:
        """Try once, for the current sign-in, to renew it without the person."""
        shared = self.shared
        session, tokens = shared.session, shared.tokens
        if session is None or tokens is None or shared.state is not State.SIGNED_IN:
            return
        if self.tried:
            return
        self.tried_for = tokens.expires_at
        if session.web_profile.for_renewal() is None:
            # Every sign-in page was off the record (or its cookies are gone): the
            # provider has no session to answer from; asking would say login_required.
            self.ask_to_sign_in_again(None)
            return
        log.info("renewing the sign-in silently (prompt=none)")
        if session.settings.needs_discovery:
            self._task = shared.runner.run(
                lambda: session.begin_sign_in(prompt="none"), self._open, self._on_error
            )
            return
        self._open(session.begin_sign_in(prompt="none"))

    def _open(self, pending: PendingSignIn) -> None:
        self._task = None
        if self.shared.state is not State.SIGNED_IN:
            return
        self.pending = pending
        self.timer.start()
        self.renewal_requested.emit(pending.authorize_url, pending.redirect_uri)

    def redirect_caught(self, url: str) -> None:
        """The hidden host caught the redirect: the same checks as a sign-in's, then one
        exchange on the task runner."""
        pending, session = self.pending, self.shared.session
        if pending is None or session is None or self.shared.state is not State.SIGNED_IN:
            log.warning("ignored a renewal redirect outside a renewal")
            return
        self._end_page()
        try:
            code = pending.take_code(url)
        except errors.FrameioDesktopError as exc:
            if not isinstance(exc, errors.InteractionRequiredError):
                log.warning("the silent renewal was refused: %s", type(exc).__name__)
            self.ask_to_sign_in_again(exc)
            return

        cancel = self._cancel = threading.Event()

        def finish() -> User | None:
            # Signed out (or signed in anew) meanwhile: the new tokens are revoked, not
            # stored (checked under the session's locks, after the exchange).
            session.finish_sign_in(pending, code, cancelled=cancel.is_set)
            try:
                return session.user()
            except errors.FrameioDesktopError as exc:
                # Renewed and stored all the same; the account is read again later.
                log.info("renewed, but the account lookup failed: %s", type(exc).__name__)
                return None

        self._task = self.shared.runner.run(finish, self._on_renewed, self._on_error)

    def failed(self, message: str) -> None:
        """The hidden host could not show the page, or no such host exists."""
        if self.pending is None:
            return
        log.info("the silent renewal did not run: %s", message)
        self._end_page()
        self.ask_to_sign_in_again(None)

    def _timed_out(self) -> None:
        if self.pending is not None:
            log.info("the silent renewal was not answered in time")
            self._end_page()
            self.ask_to_sign_in_again(None)

    def _end_page(self) -> None:
        self.pending = None
        self.timer.stop()
        self.renewal_finished.emit()

    def _on_renewed(self, user: User | None) -> None:
        self._task = None
        shared = self.shared
        if shared.state is not State.SIGNED_IN:
            return
        if user is not None:
            shared.user = user
        self._set_sign_in_needed(None)
        shared.signed_in_changed.emit()
        self.renewed.emit()

    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        if isinstance(exc, errors.SignInCancelledError):
            return
        if self.shared.state is State.SIGNED_IN:
            self.ask_to_sign_in_again(exc)

    def ask_to_sign_in_again(self, reason: BaseException | None) -> None:
        session, tokens = self.shared.session, self.shared.tokens
        # The provider's session could not renew this one: its cookies are of no use, and
        # the next sign-in page must not skip the login with them.
        if session is not None:
            session.web_profile.delete()
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

    def stop(self) -> None:
        """Drop a renewal in flight (a new sign-in, sign-out, new settings)."""
        if self.pending is not None:
            self._end_page()
        self._cancel.set()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.sign_in_needed is not None:
            self._set_sign_in_needed(None)

    def back_to_signed_in(self) -> bool:
        """After "Sign in again" was cancelled: the current sign-in, while it lasts."""
        if not self.reauthenticating:
            return False
        self.reauthenticating = False
        shared = self.shared
        tokens = shared.tokens
        if tokens is None or not tokens.is_fresh(shared.clock()):
            return False
        shared.set_state(State.SIGNED_IN)
        shared.signed_in_changed.emit()
        # The current sign-in still ends: ask again (no new silent attempt for it).
        self.ask_to_sign_in_again(None)
        return True
