"""An interactive sign-in: the page opens in a host, its redirect is checked here and
exchanged on a worker; or the person cancels, or the host reports a failure."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from frameio_desktop.core import errors
from frameio_desktop.core.flow import PendingSignIn
from frameio_desktop.core.user import User
from frameio_desktop.gui.sign_in_state import SignInState, State

log = logging.getLogger(__name__)


class InteractiveSignIn(QObject):
    #: The sign-in page must open in a host (authorize URL, redirect URI).
    page_requested = Signal(str, str)
    #: The sign-in page must close (the sign-in is over, either way).
    page_ended = Signal()

    def __init__(
        self,
        shared: SignInState,
        *,
        signed_in: Callable[[User | None], None],
        resume: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        """`signed_in` takes over once the exchange is done (with the account, if it
        could be read); `resume` is asked after a cancel whether a sign-in still in force
        takes the window back (True), else the window is signed out."""
        super().__init__(parent)
        self.shared = shared
        self._signed_in = signed_in
        self._resume = resume
        #: The sign-in whose page is open.
        self.pending: PendingSignIn | None = None
        #: Set when the person cancels: an exchange under way stores nothing.
        self._cancel_event = threading.Event()

    def sign_in(self, *, prepare_redirect: Callable[[str], str] | None = None) -> None:
        """Start an interactive sign-in. `prepare_redirect` (the host factory's) gets the
        configured redirect URI and returns the one to use: a loopback listener bound
        now, on the port it got."""
        shared = self.shared
        if shared.session is None:
            if shared.config_problem is not None:
                shared.fail(shared.config_problem)
            return
        session = shared.session
        shared.problem = None
        shared.last_note = ""
        redirect_uri = None
        if prepare_redirect is not None:
            try:
                redirect_uri = prepare_redirect(session.settings.redirect_uri)
            except errors.FrameioDesktopError as exc:
                shared.fail(exc)
                return
        if session.settings.needs_discovery:
            # OIDC endpoints come from the network: find them off the UI thread first.
            shared.set_state(State.FINISHING)
            shared.run(lambda: session.begin_sign_in(redirect_uri=redirect_uri), self._open)
            return
        self._open(session.begin_sign_in(redirect_uri=redirect_uri))

    def restart(self, *, prepare_redirect: Callable[[str], str] | None = None) -> None:
        """Drop the sign-in page that is open and start a new sign-in at once, without
        passing through the signed-out state (the page refused to work in the app)."""
        if self.shared.state is not State.SIGNING_IN:
            return
        self.pending = None
        self.page_ended.emit()
        if self.shared.session is not None:
            # The page's web profile goes with it: the next page may have none (the
            # person's browser), and a sign-in there must not keep this one's cookies.
            self.shared.session.web_profile.end_sign_in()
        self.sign_in(prepare_redirect=prepare_redirect)

    def _open(self, pending: PendingSignIn) -> None:
        self.shared.task = None
        self.pending = pending
        self._cancel_event = threading.Event()
        self.shared.set_state(State.SIGNING_IN)
        self.page_requested.emit(pending.authorize_url, pending.redirect_uri)

    def redirect_caught(self, url: str) -> None:
        """The host caught a navigation to the redirect URI."""
        shared = self.shared
        pending, session = self.pending, shared.session
        if shared.state is not State.SIGNING_IN or pending is None or session is None:
            log.warning("ignored a redirect outside a sign-in")
            return
        cancel = self._cancel_event
        self.page_ended.emit()
        try:
            # Cheap checks on the UI thread: a bad redirect never starts a request.
            code = pending.take_code(url)
        except errors.FrameioDesktopError as exc:
            self.pending = None
            shared.fail(exc)
            return
        shared.set_state(State.FINISHING)

        def finish() -> User | None:
            # Shown before the keyring write, which follows on its own task.
            session.finish_sign_in(pending, code, cancelled=cancel.is_set, persist=False)
            if cancel.is_set():
                raise errors.SignInCancelledError()
            return session.user()

        shared.run(finish, self._finished)

    def _finished(self, user: User | None) -> None:
        self.pending = None
        self._signed_in(user)

    def sign_in_failed(self, exc: object) -> None:
        """The host ended the sign-in with an error of its own (the system browser did
        not come back in time, or would not open)."""
        self._end(exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def page_failed(self, message: str) -> None:
        """The host could not show the sign-in page (network, certificate, ...)."""
        self._end(errors.NetworkError(message))

    def _end(self, exc: BaseException) -> None:
        if self.shared.state is not State.SIGNING_IN:
            return
        self.pending = None
        self.page_ended.emit()
        self.shared.fail(exc)

    def cancel(self) -> None:
        """Cancel a sign-in in any phase (the silent launch too). A late result is
        dropped; nothing is stored."""
        shared = self.shared
        if shared.state not in (State.SIGNING_IN, State.FINISHING, State.STARTING):
            return
        self._cancel_event.set()
        if shared.task is not None:
            shared.task.cancel()
            shared.task = None
        if shared.state is State.SIGNING_IN:
            self.page_ended.emit()
        self.pending = None
        if self._resume():
            return
        shared.last_note = "Sign-in cancelled."
        shared.set_state(State.SIGNED_OUT)
