"""The running app's token service, wired to the window's controller.

The service itself is Qt-free (`core/agent`): it runs on threads of its own and answers
for the controller's session while that is signed in. A refresh runs on the request's
thread (the session is thread-safe, and serialises refreshes across threads and
processes). Only a silent renewal (a sign-in without a refresh token) needs the UI
thread, where the hidden sign-in host lives: the request asks for it with a queued signal
and waits until it has ended. `show_requested` is a second start's "open the window".

No reference cycles: the controller is this object's parent, not an attribute, and the
server (whose threads may outlive it) calls back into it weakly. A cycle would leave the
controller, and its timers, to the cyclic garbage collector, which may run on a worker
thread, where Qt cannot stop a timer (and may crash).
"""

from __future__ import annotations

import logging
import socket
import threading
import weakref
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import ParamSpec, TypeVar, cast

from PySide6.QtCore import QObject, Qt, Signal
from shiboken6 import isValid

from frameio_desktop.core.agent.server import Handler, TokenServer
from frameio_desktop.core.agent.service import TokenService
from frameio_desktop.core.session import AuthSession
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.local_token_server import LocalTokenServer, pipe_server_name

log = logging.getLogger(__name__)

#: How long a script's request waits for a silent renewal (the renewal's own page times
#: out after 30 s; the exchange after it has its deadline).
RENEWAL_WAIT_SECONDS = 90.0

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _weakly(method: Callable[_P, _R], gone: _R) -> Callable[_P, _R]:
    """`method` of a QObject, without keeping it alive: `gone` once it has been deleted
    (the Python object, or the Qt object with its parent)."""
    owner = weakref.ref(method.__self__)  # type: ignore[attr-defined]
    function = method.__func__  # type: ignore[attr-defined]

    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        obj = owner()
        if obj is None or not isValid(obj):
            return gone
        return cast(_R, function(obj, *args, **kwargs))

    return call


class AppTokenService(QObject):
    #: A script's request brought new tokens (a refresh on the request's thread).
    renewed = Signal()
    #: Another start of the app asked this one to show its window.
    show_requested = Signal()
    _renewal_wanted = Signal(object)  # threading.Event: set when the renewal has ended

    def __init__(
        self,
        controller: SignInController,
        path: str | None = None,
        *,
        local_name: str | None = None,
    ) -> None:
        """Serve on the Unix socket `path` (default: the usual one), or, where Python has
        no Unix sockets (Windows) or `local_name` is given, on Qt's local server of that
        name (default: this user's pipe)."""
        super().__init__(controller)
        self._renewal_wanted.connect(self._renew, Qt.ConnectionType.QueuedConnection)
        self.service = TokenService(
            _weakly(self._current, None),
            renew_silently=_weakly(self._renew_silently, None),
            on_renewed=_weakly(self._on_renewed, None),
        )
        handlers: dict[str, Handler] = {
            "token": self.service.answer,
            "show": _weakly(self._show, {"shown": False}),
        }
        self.server: TokenServer | LocalTokenServer | None
        if local_name is None and hasattr(socket, "AF_UNIX"):
            self.server = TokenServer(handlers, path)
        else:
            name = local_name or pipe_server_name()
            self.server = LocalTokenServer(handlers, name) if name else None
        # The window's countdown and the account list follow the new tokens.
        self.renewed.connect(controller.shared.signed_in_changed)

    @property
    def controller(self) -> SignInController:
        return cast(SignInController, self.parent())

    def start(self) -> AppTokenService:
        """Listen (see `TokenServer.start`: `AlreadyServingError` when another app does)."""
        if self.server is None:
            raise OSError("this user's Windows SID cannot be read: no pipe to name")
        self.server.start()
        return self

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    def _current(self) -> AuthSession | None:
        controller = self.controller
        return controller.session if controller.state is State.SIGNED_IN else None

    def _on_renewed(self) -> None:
        self.renewed.emit()

    def _show(self, request: Mapping[str, object]) -> dict[str, object]:
        self.show_requested.emit()
        return {"shown": True}

    # -- a silent renewal for a script --------------------------------------------------------

    def _renew_silently(self, session: AuthSession, wanted: timedelta) -> None:
        """On a request's thread: have the UI thread renew, and wait until it has ended."""
        ended = threading.Event()
        self._renewal_wanted.emit(ended)
        if not ended.wait(RENEWAL_WAIT_SECONDS):
            log.info("a silent renewal for a script did not end in time")

    def _renew(self, ended: threading.Event) -> None:
        renewal = self.controller.renewal
        if not renewal.renewing:
            renewal.renew_silently()  # once per sign-in: nothing if it was tried already
        if not renewal.renewing:
            ended.set()
            return

        controller = self.controller

        def done(*_: object) -> None:
            if renewal.renewing and controller.state is State.SIGNED_IN:
                return  # the page has answered; the exchange still runs
            renewal.renewed.disconnect(done)
            renewal.sign_in_needed_changed.disconnect(done)
            controller.state_changed.disconnect(done)
            ended.set()

        # Renewed, or the person is needed (refused, timed out, failed), or signed out.
        renewal.renewed.connect(done)
        renewal.sign_in_needed_changed.connect(done)
        controller.state_changed.connect(done)
