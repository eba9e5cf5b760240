"""The Qt application: its set-up, its icon, and what the `login` command watches.

What to build and run is chosen by `frameio_desktop.main`, which calls these."""

from __future__ import annotations

import logging
import os
import sys
from importlib.resources import files

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from frameio_desktop import __version__
from frameio_desktop.core.chromium_flags import strip_remote_debugging
from frameio_desktop.core.errors import ExitCode, UnknownRedirectError
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.ui_thread_gc import collect_on_ui_thread

log = logging.getLogger(__name__)


def prepare_web_engine_environment() -> None:
    """Chromium refuses to start as root with its sandbox. Turn it off only then, loudly.

    Must run before QtWebEngine starts; setting the variable imports nothing.
    """
    if (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and not os.environ.get("QTWEBENGINE_DISABLE_SANDBOX")
    ):
        log.warning(
            "running as root: the web view's Chromium sandbox is turned off. "
            "Run the app as a normal user to keep it on."
        )
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    # Background networking (component updates, safe-browsing lists) is not needed for a
    # sign-in page and would call hosts the person never chose to contact.
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--disable-background-networking" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (
            flags + " --disable-background-networking"
        ).strip()
    # No remote debugging in this process either (the embedded sign-in page runs here with
    # FRAMEIO_SIGN_IN_WINDOW=in-window): the flags are read as Qt reads them, quotes too.
    strip_remote_debugging(os.environ, [])


def app_icon() -> QIcon:
    icon = QIcon()
    folder = files("frameio_desktop.resources")
    for size in (16, 32, 48, 64, 128, 256):
        png = folder.joinpath(f"icon-{size}.png")
        if png.is_file():
            icon.addFile(str(png))
    if icon.isNull():
        icon.addFile(str(folder.joinpath("icon.svg")))
    return icon


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    prepare_web_engine_environment()
    # QtWebEngine is loaded later (lazily); it needs shared GL contexts set before the app.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("frameio-desktop")
    app.setApplicationDisplayName("Frame.io Desktop")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("frameio-desktop")
    app.setDesktopFileName("frameio-desktop")
    app.setWindowIcon(app_icon())
    collect_on_ui_thread()  # a Qt object in a reference cycle is freed on this thread only
    return app


class LoginCommand:
    """`frameio-desktop login`: closes the window once signed in (exit 0), or once the
    sign-in ended without it (cancelled or failed and gone back: exit 7). A failure that
    trying again cannot fix (a redirect URI the server does not know) ends it at once,
    with its message on stderr and its own exit code."""

    def __init__(self, controller: SignInController, window: QWidget) -> None:
        self.exit_code = ExitCode.CANCELLED
        self._controller = controller
        self._window = window
        controller.state_changed.connect(self._on_state)
        if controller.state is State.SIGNED_IN:  # cannot happen before exec, but be sure
            self._on_state(State.SIGNED_IN)

    def _on_state(self, state: State) -> None:
        if state is State.SIGNED_IN:
            self.exit_code = ExitCode.OK
            QTimer.singleShot(0, self._window.close)
        elif state is State.SIGNED_OUT and self._controller.last_note:
            QTimer.singleShot(0, self._window.close)
        elif state is State.ERROR:
            problem = self._controller.problem
            error = problem.error if problem is not None else None
            if isinstance(error, UnknownRedirectError):
                hint = error.command_line_hint
                print(f"frameio-desktop: {error.user_message} {hint}", file=sys.stderr)
                self.exit_code = ExitCode(error.exit_code)
                QTimer.singleShot(0, self._window.close)
