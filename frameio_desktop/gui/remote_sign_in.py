"""The window's side of the sign-in window process: its events as Qt signals.

`RemoteSignIn` offers what the window uses of an in-window `LoginView` (the same three
signals, `page.loadFinished`, `page.runJavaScript`, `shutdown()`), so the window, the
self-test and the end-to-end tests drive either the same way.
"""

from __future__ import annotations

import itertools
import logging
import queue
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRect, Signal

from frameio_desktop.sign_in_process import SignInProcess, take_or_start

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
        callback = self._callbacks.pop(int(event.get("id", 0)), None)
        if callback is not None:
            callback(event.get("value"))


class RemoteSignIn(QObject):
    redirect_caught = Signal(str)
    cancel_requested = Signal()
    load_failed = Signal(str)
    #: The process has exited (its exit status); the web engine is gone.
    exited = Signal(int)
    #: Emitted on the reader thread, delivered queued on the main thread, which then
    #: takes the waiting events from the queue in order.
    _arrived = Signal()

    def __init__(
        self,
        authorize_url: str,
        redirect_uri: str,
        *,
        geometry: QRect | None = None,
        parent_window: int | None = None,
        verbose: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._done = False
        self.process = take_or_start()
        self.page = RemotePage(self.process, self)
        self._events: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._arrived.connect(self._drain)
        self.process.listen(self._receive)
        # However this object goes (its window closed), the reader stops calling it.
        process = self.process
        self.destroyed.connect(lambda *_: process.listen(None))
        self.process.send(
            {
                "cmd": "open",
                "authorize_url": authorize_url,
                "redirect_uri": redirect_uri,
                "geometry": (
                    [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
                    if geometry is not None
                    else None
                ),
                "parent_window": parent_window,
                "verbose": verbose,
            }
        )

    @property
    def running(self) -> bool:
        return self.process.running

    def raise_window(self) -> None:
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
            self._on_event(event)

    def _on_event(self, event: dict[str, Any]) -> None:
        match event.get("event"):
            case "loaded":
                self.page.loadFinished.emit(bool(event.get("ok")))
            case "result":
                self.page.script_result(event)
            case "redirect" if not self._done:
                self._done = True
                self.redirect_caught.emit(str(event.get("url", "")))
            case "cancel" if not self._done:
                self._done = True
                self.cancel_requested.emit()
            case "failed" if not self._done:
                self._done = True
                self.load_failed.emit(str(event.get("message", "")))
            case "exit":
                code = int(event.get("code", -1))
                if not self._done:
                    self._done = True
                    log.warning("the sign-in window process exited early (status %s)", code)
                    self.load_failed.emit(
                        f"The sign-in window closed unexpectedly (exit status {code})."
                    )
                self.exited.emit(code)

    def shutdown(self) -> None:
        """Close the sign-in window. The process exits on its own; `exited` follows."""
        self._done = True
        self.process.close()

    def release(self, timeout: float = 10.0) -> None:
        """Stop listening and wait for the process to end (at application exit)."""
        self.shutdown()
        self.process.listen(None)
        self.process.wait(timeout)
