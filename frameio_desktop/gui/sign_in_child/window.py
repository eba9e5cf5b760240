"""The sign-in window process (`frameio-desktop --sign-in-window`): one web view, then exit.

It shows the login page in a window of its own, placed over the app's window, and reports
the caught redirect (or a cancel, or a failure) to the parent on its stdout; the protocol
is in `frameio_desktop.core.sign_in_process`. The OAuth state and verifier never come here: the
parent checks the redirect, this process only catches it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QWindow
from PySide6.QtWidgets import QVBoxLayout, QWidget

from frameio_desktop.core.chromium_flags import strip_remote_debugging
from frameio_desktop.core.redact import configure_logging
from frameio_desktop.gui.app import make_application
from frameio_desktop.gui.style import STYLE_SHEET

log = logging.getLogger(__name__)

#: Platforms where a window of another process can be named as this window's owner.
FOREIGN_WINDOW_PLATFORMS = ("xcb", "windows", "cocoa")


class Frame(QWidget):
    """The top-level window around the sign-in view; closing it means cancel."""

    closed = Signal()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        self.closed.emit()
        super().closeEvent(event)


class _Commands(QObject):
    """Carries each line read from stdin (on a reader thread) to the main thread."""

    received = Signal(object)


class SignInWindowProcess:
    def __init__(self, out: TextIO, quit: Callable[[], None] = QCoreApplication.quit) -> None:
        self.out = out
        self.quit = quit
        self.frame: Frame | None = None
        self.view: Any = None  # SignInView, imported once Qt is up
        self.finished = False
        #: The page uses a persistent web profile (cookies kept for a silent renewal).
        self.persistent = False
        self.owner: QWindow | None = None
        self.commands = _Commands()
        self.commands.received.connect(self.on_command)

    def send(self, **event: object) -> None:
        try:
            self.out.write(json.dumps(event) + "\n")
            self.out.flush()
        except (BrokenPipeError, OSError, ValueError):
            self.finish()  # the parent is gone

    def read_commands(self, stdin: TextIO) -> None:
        for line in stdin:
            try:
                command = json.loads(line)
            except ValueError:
                continue
            if isinstance(command, dict):
                self.commands.received.emit(command)
        self.commands.received.emit({"cmd": "close"})  # end of input: the parent is gone

    def on_command(self, command: dict[str, Any]) -> None:
        match command.get("cmd"):
            case "open" if self.frame is None and not self.finished:
                self.open(command)
            case "raise" if self.frame is not None and not self.finished:
                self.frame.showNormal()
                self.bring_to_front()
            case "script" if self.view is not None and not self.finished:
                self.run_script(command)
            case "close":
                self.finish()

    def open(self, command: dict[str, Any]) -> None:
        from frameio_desktop.gui.webview import SignInView  # QtWebEngine starts here

        if command.get("verbose"):
            configure_logging(logging.DEBUG)
        frame = Frame()
        # Qt adds the application name ("Frame.io Desktop") where the platform shows one.
        frame.setWindowTitle(str(command.get("title") or "Sign in to Frame.io"))
        frame.setStyleSheet(STYLE_SHEET)
        frame.setMinimumSize(440, 560)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(0, 0, 0, 0)
        web_profile = command.get("web_profile")
        self.persistent = bool(web_profile)
        view = SignInView(
            str(command["authorize_url"]),
            str(command["redirect_uri"]),
            frame,
            web_profile=str(web_profile) if web_profile else None,
        )
        layout.addWidget(view)
        geometry = command.get("geometry")
        if isinstance(geometry, list) and len(geometry) == 4:
            frame.setGeometry(QRect(*(int(v) for v in geometry)))
        else:
            frame.resize(560, 740)
        self._own_by(frame, command.get("parent_window"))
        view.redirect_caught.connect(lambda url: self.done("redirect", url=url))
        view.cancel_requested.connect(lambda: self.done("cancel"))
        view.load_failed.connect(lambda message: self.done("failed", message=message))
        # The page refuses embedded views: the app continues in the person's browser.
        view.browser_wanted.connect(lambda: self.done("browser"))
        view.page.loadFinished.connect(lambda ok: self.send(event="loaded", ok=bool(ok)))
        frame.closed.connect(lambda: self.done("cancel"))
        self.frame, self.view = frame, view
        if command.get("hidden"):
            # A silent renewal (`prompt=none`): the page loads and its redirect is caught
            # as usual, but no window is ever shown.
            return
        frame.show()
        self.bring_to_front()

    def run_script(self, command: dict[str, Any]) -> None:
        source, world = str(command.get("source", "")), int(command.get("world", 0))
        if "id" not in command:
            self.view.page.runJavaScript(source, world)
            return
        ident = command["id"]

        def answer(value: object) -> None:
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                value = None
            self.send(event="result", id=ident, value=value)

        self.view.page.runJavaScript(source, world, answer)

    def bring_to_front(self) -> None:
        if self.frame is not None and QGuiApplication.platformName() != "offscreen":
            self.frame.raise_()
            self.frame.activateWindow()

    def _own_by(self, frame: Frame, parent_window: object) -> None:
        """Keep the sign-in window above the app's window (a transient, like a dialog)."""
        if not isinstance(parent_window, int) or parent_window <= 0:
            return
        if QGuiApplication.platformName() not in FOREIGN_WINDOW_PLATFORMS:
            return
        frame.winId()  # creates the native window and its QWindow
        owner = QWindow.fromWinId(parent_window)
        handle = frame.windowHandle()
        if owner is not None and handle is not None:
            self.owner = owner  # kept alive as long as the window it owns
            handle.setTransientParent(owner)

    def done(self, event: str, **fields: object) -> None:
        if self.finished:
            return
        self.send(event=event, **fields)
        self.finish()

    def finish(self) -> None:
        """Close the window, delete the page (its renderer process ends with it) and
        then the rest, as the embedded view does, then leave the event loop. The window
        object stays referenced until the process ends: it owns the profile."""
        if self.finished:
            return
        self.finished = True
        frame, view = self.frame, self.view
        if frame is None:
            self.quit()
            return
        frame.closed.disconnect()
        frame.hide()
        view.destroyed.connect(lambda *_: self.quit())
        view.shutdown()
        # If the deletions stall, leave anyway: this process is about to end.
        QTimer.singleShot(5000, frame, self.quit)


def run() -> int:
    # The protocol gets its own copy of stdout; stray writes to fd 1 (Chromium, libraries)
    # go to stderr instead, so nothing else can ever land between two messages.
    # The pipes are used through their file descriptors, not sys.stdin/sys.stdout, which
    # a windowed (no console) frozen build may leave as None.
    out = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    commands = os.fdopen(os.dup(0), "r", encoding="utf-8")
    with contextlib.suppress(OSError):  # no stderr (a windowed build): fd 1 stays as is
        os.dup2(2, 1)
    sys.stdout = sys.stderr
    configure_logging(logging.WARNING)
    # Whoever started this process: no debugger may attach to the sign-in page.
    strip_remote_debugging(os.environ, sys.argv)
    app = make_application()
    app.setQuitOnLastWindowClosed(False)  # closing the window is a cancel, sent first
    import PySide6.QtWebEngineWidgets  # noqa: F401 - load it while the parent starts up

    child = SignInWindowProcess(out)
    threading.Thread(
        target=child.read_commands, args=(commands,), name="commands", daemon=True
    ).start()
    child.send(event="ready")
    app.exec()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    out.flush()
    if child.persistent:
        # A persistent profile's cookies reach its folder only when the web engine shuts
        # down in order (Chromium batches cookie writes): end normally, not at once, or
        # the provider's session is lost and a silent renewal cannot work.
        del child
        return 0
    # The page is gone and the parent has its answer; nothing here is kept on disk.
    # Ending now saves tearing down Qt and the interpreter (the parent waits for this).
    os._exit(0)
