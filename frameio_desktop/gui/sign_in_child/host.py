"""The window's side of the sign-in window process: a `SignInHost` whose page runs in a
child process (see `process`), its events turned into Qt signals.

Its `page` offers `loadFinished` and `runJavaScript` like an embedded page's, so the
self-test and the end-to-end tests drive either kind the same way.
"""

from __future__ import annotations

import itertools
import logging
import queue
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from frameio_desktop.core.sign_in_process import SignInProcess
from frameio_desktop.gui.sign_in_host import HostFactory, HostPlace, SignInHost, Waiting

log = logging.getLogger(__name__)


class RemotePage(QObject):
    """The page in the other process: load results in, scripts out."""

    loadFinished = Signal(bool)  # noqa: N815 - the name QWebEnginePage uses

    def __init__(self, process: SignInProcess, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._process = process
        self._ids = itertools.count(1)
        self._callbacks: dict[int, Callable[[Any], None]] = {}

    def runJavaScript(  # noqa: N802 - as QWebEnginePage
        self, source: str, world_id: int = 0, callback: Callable[[Any], None] | None = None
    ) -> None:
        command: dict[str, Any] = {"cmd": "script", "source": source, "world": world_id}
        if callback is not None:
            command["id"] = next(self._ids)
            self._callbacks[command["id"]] = callback
        self._process.send(command)

    def script_result(self, event: dict[str, Any]) -> None:
        ident = event.get("id")
        if not isinstance(ident, int) or isinstance(ident, bool):
            return  # the pipe checks this already; a result for no script is ignored
        callback = self._callbacks.pop(ident, None)
        if callback is not None:
            callback(event.get("value"))


class ChildProcessHost(SignInHost):
    waiting: Waiting | None = Waiting(
        title="Continue in the sign-in window",
        text="The sign-in page is open in a window of its own. It closes by itself when "
        "you are done, and your password never passes through this app.",
        show_button="Show sign-in window",
    )
    #: The process has exited (its exit status); the web engine is gone.
    exited = Signal(int)
    #: Emitted on the reader thread, delivered queued on the main thread, which then
    #: takes the waiting events from the queue in order.
    _arrived = Signal()

    def __init__(
        self, place: HostPlace, processes: Callable[[], SignInProcess], *, hidden: bool = False
    ) -> None:
        super().__init__(place.window)
        self._window = place.window
        self._web_profile = place.web_profile
        #: A silent renewal: the sign-in process shows no window.
        self.hidden = hidden
        if hidden:
            self.waiting = None
        self._processes = processes
        self._done = False
        self.process: SignInProcess | None = None
        self._events: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._arrived.connect(self._drain)

    def open(self, authorize_url: str, redirect_uri: str) -> None:
        process = self.process = self._processes()
        self.page = RemotePage(process, self)
        process.listen(self._receive)
        # However this object goes (its window closed), the reader stops calling it.
        self.destroyed.connect(lambda *_: process.listen(None))
        # Over the app's window, owned by it where the platform allows.
        window = self._window
        shown = window.isVisible() and not self.hidden
        geometry = window.geometry() if shown else None
        process.send(
            {
                "cmd": "open",
                "authorize_url": authorize_url,
                "redirect_uri": redirect_uri,
                "geometry": (
                    [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
                    if geometry is not None
                    else None
                ),
                "parent_window": int(window.winId()) if shown else None,
                "verbose": logging.getLogger().isEnabledFor(logging.DEBUG),
                "web_profile": self._web_profile,
                "hidden": self.hidden,
            }
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def bring_to_front(self) -> None:
        if self.process is not None:
            self.process.send({"cmd": "raise"})

    def _receive(self, event: dict[str, Any]) -> None:  # on the reader thread
        self._events.put(event)
        self._arrived.emit()

    def _drain(self) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            try:
                self._on_event(event)
            except Exception:
                log.exception("the sign-in window's message could not be handled")
                if not self._done:
                    self._done = True
                    self.load_failed.emit(
                        "The sign-in window sent a message the app cannot use, so the "
                        "sign-in was stopped. Try again."
                    )

    def _on_event(self, event: dict[str, Any]) -> None:
        match event.get("event"):
            case "loaded" if isinstance(self.page, RemotePage):
                self.page.loadFinished.emit(bool(event.get("ok")))
            case "result" if isinstance(self.page, RemotePage):
                self.page.script_result(event)
            case "redirect" if not self._done:
                self._done = True
                self.redirect_caught.emit(str(event.get("url", "")))
            case "cancel" if not self._done:
                self._done = True
                self.cancel_requested.emit()
            case "browser" if not self._done:
                self._done = True
                self.browser_wanted.emit()
            case "failed" if not self._done:
                self._done = True
                self.load_failed.emit(str(event.get("message", "")))
            case "exit":
                code = event.get("code")
                code = code if isinstance(code, int) else -1  # the parent's own report
                if not self._done:
                    self._done = True
                    log.warning("the sign-in window process exited early (status %s)", code)
                    self.load_failed.emit(
                        f"The sign-in window closed unexpectedly (exit status {code})."
                    )
                self.exited.emit(code)
                self._stopped()

    def _close(self) -> None:
        """Close the sign-in window. The process exits on its own; `finished` follows."""
        self._done = True
        if self.process is None or not self.process.running:
            self._stopped()  # already ended; its exit event may have been delivered
            return
        self.process.close()

    def release(self, timeout: float) -> None:
        """Close, stop listening and wait for the process to end (at application exit)."""
        self.close()
        if self.process is not None:
            self.process.listen(None)
            self.process.wait(timeout)
        self._stopped()

    def _stopped(self) -> None:
        if self.process is not None:
            self.process.listen(None)
        self._gone()


def child_process_host_factory(processes: Callable[[], SignInProcess]) -> HostFactory:
    """Hosts whose page runs in a sign-in window process made by `processes` (the
    composition root's `ProcessFactory`, which may have started one ahead)."""
    return HostFactory(
        make=lambda place: ChildProcessHost(place, processes),
        where="in a sign-in window of this app. ",
        in_process=False,
        make_silent=lambda place: ChildProcessHost(place, processes, hidden=True),
    )
