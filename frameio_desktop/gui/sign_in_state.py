"""What the controller's parts share: the state, the session, the account shown, the
problem and the note, the one foreground task, and the signals the window follows.

States: SIGNED_OUT -> SIGNING_IN (a sign-in page) -> FINISHING (exchange on a worker) ->
SIGNED_IN, or ERROR from any of them. At launch, STARTING tries a silent sign-in from the
keyring without any page. SIGNING_OUT ends in SIGNED_OUT.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from frameio_desktop.core import errors
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.tokens import Clock, TokenSet
from frameio_desktop.core.user import User
from frameio_desktop.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

T = TypeVar("T")


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
    """What went wrong, for the error page or a banner, in the window's words."""

    title: str
    message: str
    error: BaseException | None = None
    #: What the error page offers to do about it (None: Back and Try again only).
    remedy: errors.WindowRemedy | None = None


def describe(exc: BaseException) -> Problem:
    """The words for a failure: the error's own title, and its message and remedy for the
    window (core/errors/), which name no flag or variable."""
    if isinstance(exc, errors.FrameioDesktopError):
        return Problem(exc.title, exc.window_message, exc, exc.window_remedy)
    log.exception("unexpected error", exc_info=exc)
    return Problem(
        errors.UNEXPECTED_TITLE,
        f"An unexpected error occurred ({type(exc).__name__}). Try again.",
        exc,
    )


class SignInState(QObject):
    """The state every part reads and changes, and its signals. No part holds another;
    they meet here (and in `SignInController`, which composes them)."""

    state_changed = Signal(object)  # State
    signed_in_changed = Signal()  # account or tokens changed
    problem_changed = Signal(object)  # Problem | None, for the error page
    banner_changed = Signal(str)  # a warning on the signed-in page ("" clears it)

    def __init__(
        self,
        session: AuthSession | None,
        runner: TaskRunner,
        clock: Clock,
        config_problem: errors.ConfigError | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.clock = clock
        #: Why there is no session (a setting missing or bad).
        self.config_problem = config_problem
        self.state = State.SIGNED_OUT
        self.problem: Problem | None = None
        self.user: User | None = None
        #: Shown on the signed-out page ("You have signed out.", ...).
        self.last_note = ""
        #: The foreground task (silent launch, discovery, exchange, sign-out), if any.
        self.task: Task | None = None

    @property
    def tokens(self) -> TokenSet | None:
        return self.session.tokens if self.session else None

    def set_state(self, state: State) -> None:
        self.state = state
        if self.session is not None and state not in (State.SIGNING_IN, State.FINISHING):
            # A sign-in that ends here without tokens takes its web profile with it (one
            # that got tokens has made it the current one already: nothing to do).
            self.session.web_profile.end_sign_in()
        self.state_changed.emit(state)

    def fail(self, exc: BaseException) -> None:
        self.problem = describe(exc)
        self.problem_changed.emit(self.problem)
        self.set_state(State.ERROR)

    def run(self, fn: Callable[[], T], on_done: Callable[[T], None]) -> Task:
        """Run `fn` as the foreground task; a failure goes to `task_failed`."""
        self.task = self.runner.run(fn, on_done, self.task_failed)
        return self.task

    def task_failed(self, exc: BaseException) -> None:
        self.task = None
        if isinstance(exc, errors.SignInCancelledError):
            return
        if isinstance(exc, errors.SessionExpiredError | errors.NotSignedInError):
            if isinstance(exc, errors.SessionExpiredError):
                self.last_note = "Your previous sign-in has expired. Sign in again."
            elif isinstance(exc, errors.SessionBindingError):
                # A stored sign-in for other endpoints: say so, rather than a bare sign-in.
                self.last_note = exc.window_message
            else:
                self.last_note = ""
            self.set_state(State.SIGNED_OUT)
            return
        self.fail(exc)

    def update_banner(self) -> None:
        """The banner says what is wrong with storing the sign-in, or nothing."""
        problem = self.session.storage_problem if self.session else None
        self.banner_changed.emit(problem.window_message if problem else "")
