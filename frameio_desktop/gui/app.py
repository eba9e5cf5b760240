"""Starting the window: Qt application set-up, the demo server, and the `login` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib.resources import files

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from frameio_desktop import __version__
from frameio_desktop.core.errors import ConfigError
from frameio_desktop.core.session import AuthSession
from frameio_desktop.core.settings import Settings, load_settings
from frameio_desktop.gui.controller import SignInController, State
from frameio_desktop.gui.window import MainWindow
from frameio_desktop.sign_in_process import separate_window_wanted

log = logging.getLogger(__name__)

EXIT_CANCELLED = 7


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
    # No remote debugging port unless a developer asks for one explicitly.
    os.environ.pop("QTWEBENGINE_REMOTE_DEBUGGING", None)


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
    return app


def build_controller(
    flags: dict[str, str | None], session: AuthSession | None = None
) -> tuple[SignInController, Settings | None]:
    if session is not None:  # built (and its keyring read started) before Qt
        return SignInController(session), session.settings
    try:
        settings = load_settings(flags)
    except ConfigError as problem:
        return SignInController(None, config_problem=problem), None
    return SignInController(AuthSession(settings)), settings


def build_window(controller: SignInController, settings: Settings | None) -> MainWindow:
    title = settings.title if settings else "Frame.io"
    if settings is not None and settings.profile == "demo":
        title += " · demo server"
    return MainWindow(
        controller,
        provider_title=title,
        client_id=settings.client_id if settings else None,
        profile=settings.profile if settings else None,
        icon=app_icon(),
        separate_sign_in=separate_window_wanted(),
    )


def launch(
    flags: dict[str, str | None], *, sign_in: bool = False, session: AuthSession | None = None
) -> tuple[SignInController, MainWindow]:
    """Build and show the window. The silent sign-in (a keyring read that costs imports, a
    D-Bus session and a key exchange) starts before the window is built, so both overlap;
    `sign_in=True` opens straight on the sign-in page instead (the `login` command).
    A `session` made by `cli.preload_session` has had its keyring read running since
    before Qt was imported."""
    controller, settings = build_controller(flags, session)
    if not sign_in:
        controller.start()
    window = build_window(controller, settings)
    window.show()
    if sign_in:
        controller.sign_in()
    return controller, window


def run_gui(args: argparse.Namespace, session: AuthSession | None = None) -> int:
    from frameio_desktop.cli import settings_flags

    app = make_application()
    flags = settings_flags(args)
    demo = None
    if args.demo or args.self_test:
        from frameio_desktop.demo.server import DemoServer

        demo = DemoServer(
            provider=flags.get("provider") or "frameio-v4",
            token_ttl=args.demo_token_ttl,
            refresh_tokens=not args.demo_no_refresh_token,
        ).start()
        # The demo's settings, except where a flag was given on purpose.
        flags = {**demo.settings_flags(), **{k: v for k, v in flags.items() if v}}
        log.info("demo sign-in server at %s", demo.url)
    try:
        if args.self_test:
            from frameio_desktop.selftest import run_self_test

            return int(run_self_test(app, flags, demo))
        login = args.command == "login"
        controller, window = launch(flags, sign_in=login, session=session)
        exit_code = EXIT_CANCELLED if login else 0
        if login:

            def on_state(state: State) -> None:
                nonlocal exit_code
                if state is State.SIGNED_IN:
                    exit_code = 0
                    QTimer.singleShot(0, window.close)
                elif state is State.SIGNED_OUT and controller.last_note:
                    QTimer.singleShot(0, window.close)

            controller.state_changed.connect(on_state)
            if controller.state is State.SIGNED_IN:  # cannot happen before exec, but be sure
                on_state(State.SIGNED_IN)
        app.exec()
        window.release_web_engine()
        controller.runner.wait_idle()
        return exit_code
    finally:
        if demo is not None:
            demo.stop()
