"""The composition root: the one place that decides what this run is, and builds it.

`main()` parses the command line (`cli`), chooses the mode, builds settings, session,
controller, sign-in host factory and window, and hands the window plain values. Every
layer below is wired here and nowhere else; nothing imports this module.

Qt is imported only once a mode shows a window. Two start-up costs run before that
import, so they overlap it: a plain launch starts its keyring read (`preload_session`),
and `login` starts the sign-in window process it is about to need.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from frameio_desktop import demo_mode
from frameio_desktop.cli import (
    COMMANDS,
    build_parser,
    preload_session,
    run_script_command,
)
from frameio_desktop.cli_flags import (
    DEFAULT_BROWSER_TIMEOUT,
    browser_choice,
    browser_timeout,
    settings_flags,
)
from frameio_desktop.core.agent.server import ask_to_show
from frameio_desktop.core.browser.launch import no_display_reason
from frameio_desktop.core.browser.scheme import HANDOFF_SWITCH, redirect_scheme
from frameio_desktop.core.errors import (
    ConfigError,
    ExitCode,
    FrameioDesktopError,
    NoDisplayError,
)
from frameio_desktop.core.redact import configure_logging
from frameio_desktop.core.settings import Settings, dotenv_environ, load_settings
from frameio_desktop.core.sign_in_process import SWITCH, ProcessFactory
from frameio_desktop.demo_mode import DemoOnDemand

# Re-exported: the window's tests and scripts/screenshots.py build the root's parts.
from frameio_desktop.settings_entry import configuration_for as configuration_for
from frameio_desktop.settings_entry import provider_title, settings_access_for

if TYPE_CHECKING:
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.demo.server import DemoServer
    from frameio_desktop.gui.controller import SignInController
    from frameio_desktop.gui.settings_access import SettingsAccess
    from frameio_desktop.gui.sign_in_host import HostFactory
    from frameio_desktop.gui.system_browser_host import SystemBrowserHosts
    from frameio_desktop.gui.window import MainWindow

log = logging.getLogger(__name__)


class Mode(enum.Enum):
    SCRIPT = "script"  # token, status, logout: no window, no Qt
    WINDOW = "window"  # the app (no command)
    DEMO = "demo"  # the app, signed in to the built-in demo server (--demo)
    LOGIN = "login"  # the window straight on the sign-in page; exit 0 once signed in
    DEMO_SERVER = "demo-server"  # the demo server alone, until Ctrl-C: no window, no Qt
    SELF_TEST = "self-test"  # the whole sign-in against the demo server, reported
    SIGN_IN_CHILD = "sign-in-child"  # the sign-in window process (started by the app)
    LOGIN_PASTE = "login-paste"  # login --no-browser, or no display: no window, no Qt
    HANDOFF = "handoff"  # started by the OS with a custom-scheme redirect: hand it over


class HostKind(enum.Enum):
    """Where the sign-in page is shown (FRAMEIO_SIGN_IN_WINDOW)."""

    CHILD_PROCESS = "separate"  # a sign-in window of its own process (the default)
    IN_WINDOW = "in-window"  # inside the app's window; QtWebEngine stays loaded after
    SYSTEM_BROWSER = "system"  # the person's own browser (--browser system, RFC 8252)


#: FRAMEIO_SIGN_IN_WINDOW's older spelling of `in-window`, still accepted.
OLD_IN_WINDOW = "embedded"


def host_kind_from_environment() -> HostKind:
    """The sign-in page runs in a process of its own unless FRAMEIO_SIGN_IN_WINDOW is
    `in-window` (or its older spelling `embedded`)."""
    choice = os.environ.get("FRAMEIO_SIGN_IN_WINDOW", "separate").strip().lower()
    if choice == OLD_IN_WINDOW:
        return HostKind.IN_WINDOW
    try:
        return HostKind(choice)
    except ValueError:
        log.warning("FRAMEIO_SIGN_IN_WINDOW=%r is neither separate nor in-window", choice)
        return HostKind.CHILD_PROCESS


def host_kind_for(args: argparse.Namespace) -> HostKind:
    """`--browser system` or FRAMEIO_BROWSER=system: the person's browser; otherwise the
    app's own page, in its window or in a window of its own (FRAMEIO_SIGN_IN_WINDOW)."""
    if browser_choice(args, dotenv_environ()) == "system":
        return HostKind.SYSTEM_BROWSER
    return host_kind_from_environment()


def is_redirect_argument(arguments: Sequence[str]) -> bool:
    """A lone custom-scheme URL (`adobe+<hash>://...`): how the operating system starts the
    app for a redirect its browser followed (Mode.HANDOFF). Never a command or a flag."""
    if len(arguments) != 1:
        return False
    scheme_part, colon, _ = arguments[0].partition(":")
    if not colon or len(scheme_part) < 2:  # a Windows drive letter is not a scheme
        return False
    try:
        return redirect_scheme(arguments[0]) is not None
    except FrameioDesktopError:
        return False


def hand_over_redirect(url: str) -> int:
    """The second instance's whole job: give the URL to the running app and exit."""
    from frameio_desktop.core.browser import handoff

    try:
        if handoff.available():
            handoff.hand_over(url)
        else:  # Windows: the running app listens on a named pipe, through Qt
            from frameio_desktop.gui.local_handoff import hand_over

            hand_over(url)
    except FrameioDesktopError as exc:
        print(f"frameio-desktop: {exc.user_message}", file=sys.stderr)
        return exc.exit_code
    return ExitCode.OK


def login_mode(args: argparse.Namespace) -> Mode:
    if getattr(args, "no_browser", False) or no_display_reason() is not None:
        return Mode.LOGIN_PASTE
    return Mode.LOGIN


#: The modes of the commands in `cli.COMMANDS` that have no script handler: they show a
#: window, read a pasted address or run the demo server, so this module runs them.
ENTRY_COMMANDS: dict[str, Callable[[argparse.Namespace], Mode]] = {
    "login": login_mode,
    "demo-server": lambda args: Mode.DEMO_SERVER,
}


def choose_mode(args: argparse.Namespace) -> Mode:
    """The mode of a parsed command line (the sign-in child and the handoff are chosen
    before parsing)."""
    if args.command is not None and COMMANDS[args.command].run is not None:
        return Mode.SCRIPT
    if args.self_test:
        return Mode.SELF_TEST
    if args.command is not None:
        return ENTRY_COMMANDS[args.command](args)
    if args.demo:
        return Mode.DEMO
    return Mode.WINDOW


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; Ctrl-C ends any command quietly with 130 (a refresh under
    way is saved first: core/interrupts.py)."""
    try:
        return run_command_line(argv)
    except KeyboardInterrupt:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write("\n")
            sys.stderr.flush()
        return ExitCode.INTERRUPTED


def run_command_line(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [SWITCH]:  # Mode.SIGN_IN_CHILD: started by the app, not by people
        import signal

        from frameio_desktop.gui.sign_in_child.window import run

        # Ctrl-C in the terminal reaches the whole process group: the app quits on it and
        # ends this window itself; here it would only be a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return run()
    if arguments[:1] == [HANDOFF_SWITCH]:  # Mode.HANDOFF, as registered by register-scheme
        configure_logging(logging.WARNING)
        if not is_redirect_argument(arguments[1:]):
            print(f"frameio-desktop: {HANDOFF_SWITCH} takes one sign-in address", file=sys.stderr)
            return ExitCode.USAGE
        return hand_over_redirect(arguments[1])
    if is_redirect_argument(arguments):  # Mode.HANDOFF: an older registration's form
        configure_logging(logging.WARNING)
        return hand_over_redirect(arguments[0])
    args = build_parser().parse_args(arguments)
    configure_logging(logging.DEBUG if args.verbose else logging.WARNING)
    mode = choose_mode(args)
    if not (args.demo or args.self_test):  # the demo reads no .env and no settings file
        warn_about_settings(settings_flags(args), sys.stderr)
    if mode is Mode.DEMO_SERVER:
        return run_entry_step(lambda: demo_mode.run_demo_server(args, sys.stdout))
    if args.demo and mode in (Mode.SCRIPT, Mode.LOGIN_PASTE):
        failed = run_entry_step(lambda: demo_mode.forget_stale_demo_sign_in(args, sys.stderr))
        if failed:
            return failed
    if mode is Mode.SCRIPT:
        return run_script_command(args, sys.stdout, sys.stderr)
    if mode in (Mode.LOGIN, Mode.LOGIN_PASTE) and getattr(args, "if_needed", False):
        from frameio_desktop.cli import already_signed_in

        signed_in = run_entry_step(lambda: already_signed_in(args, sys.stdout))
        if signed_in != ExitCode.NOT_SIGNED_IN:
            return signed_in  # 0, or why it cannot be told (network, keyring)
    if mode is Mode.LOGIN_PASTE:
        return run_login_paste(args)
    failed = run_entry_step(lambda: check_before_qt(args, mode))
    if failed:
        return failed
    kind = host_kind_for(args)
    timeout = browser_timeout(args, dotenv_environ())
    processes = ProcessFactory() if kind is HostKind.CHILD_PROCESS else None
    session = None
    if mode is Mode.LOGIN and processes is not None:
        processes.prestart()  # needed at once: start it before this process imports Qt
    elif mode is Mode.WINDOW:
        # One app per user: the running one shows its window instead (not for a start at
        # login, `--background`, which has nothing to show).
        if ask_to_show(show=not args.background):
            return ExitCode.OK
        session = preload_session(settings_flags(args))
    # Everything else shows a window; only now is Qt imported.
    browser = system_browser_hosts(timeout)
    try:
        return run_gui(
            args,
            mode,
            host_factory_for(kind, processes, browser=browser),
            session,
            browser_factory=browser.host_factory(),
        )
    finally:
        browser.close()


def check_before_qt(args: argparse.Namespace, mode: Mode) -> None:
    """What a window run can find wrong before Qt is imported (Qt's own messages mislead):
    no display, no demo extra, settings `login` cannot use (an http:// redirect for IMS),
    a wrong browser choice or timeout."""
    windowed = mode in (Mode.WINDOW, Mode.DEMO, Mode.SELF_TEST)
    if windowed and sys.platform not in ("win32", "darwin") and no_display_reason():
        raise NoDisplayError()  # no X11 or Wayland display (nor QT_QPA_PLATFORM)
    if args.demo or mode is Mode.SELF_TEST:
        demo_mode.check_demo_installed(args)
    if mode is Mode.LOGIN and not args.demo:
        load_settings(settings_flags(args))
    host_kind_for(args)
    browser_timeout(args, dotenv_environ())


def run_entry_step(step: Callable[[], int | None]) -> int:
    """Run a step of this module's own; a failure is said in one line, with its code."""
    try:
        return step() or ExitCode.OK
    except FrameioDesktopError as exc:
        print(f"frameio-desktop: {exc.user_message}", file=sys.stderr)
        return exc.exit_code


def warn_about_settings(flags: Mapping[str, str | None], err: TextIO) -> None:
    """Print, once per run, what was ignored in the `.env` and the settings file."""
    from frameio_desktop.core.sources import resolve

    try:
        found = resolve(flags)
    except ConfigError:
        return  # an unreadable settings file: the command itself says so
    for warning in found.warnings:
        print(f"frameio-desktop: warning: {warning}", file=err)


def run_login_paste(args: argparse.Namespace) -> int:
    """`login --no-browser` (or `login` with no display): Qt is never imported."""
    from frameio_desktop.cli import cmd_login_no_browser
    from frameio_desktop.core.session import AuthSession

    def read_line() -> str:
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line

    reason = None if getattr(args, "no_browser", False) else no_display_reason()
    settings = None
    try:
        settings = load_settings(settings_flags(args))
        session = AuthSession(settings)
        return cmd_login_no_browser(session, read_line=read_line, out=sys.stdout, reason=reason)
    except FrameioDesktopError as exc:
        # As the script commands do: name the settings not from the settings file.
        note = settings.origins_note() if settings is not None else ""
        print(
            f"frameio-desktop: {exc.user_message}" + (f" {note}" if note else ""), file=sys.stderr
        )
        return exc.exit_code


def system_browser_hosts(timeout: float) -> SystemBrowserHosts:
    """The system-browser hosts of this run. Imports Qt."""
    from frameio_desktop.gui.system_browser_host import SystemBrowserHosts

    return SystemBrowserHosts(timeout=timeout)


# -- building the window ---------------------------------------------------------------------


def host_factory_for(
    kind: HostKind,
    processes: ProcessFactory | None = None,
    *,
    browser: SystemBrowserHosts | None = None,
) -> HostFactory:
    """The window's sign-in hosts of this kind. Imports Qt."""
    if kind is HostKind.SYSTEM_BROWSER:
        return (browser or system_browser_hosts(DEFAULT_BROWSER_TIMEOUT)).host_factory()
    if kind is HostKind.IN_WINDOW:
        from frameio_desktop.gui.in_window_host import in_window_host_factory

        return in_window_host_factory()
    from frameio_desktop.gui.sign_in_child.host import child_process_host_factory

    return child_process_host_factory(processes or ProcessFactory())


def build_controller(
    flags: dict[str, str | None], session: AuthSession | None = None
) -> tuple[SignInController, Settings | None]:
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.gui.controller import SignInController

    if session is not None:  # built (and its keyring read started) before Qt
        return SignInController(session), session.settings
    try:
        settings = load_settings(flags)
    except ConfigError as problem:
        return SignInController(None, config_problem=problem), None
    return SignInController(AuthSession(settings)), settings


def build_window(
    controller: SignInController,
    settings: Settings | None,
    host_factory: HostFactory | None = None,
    settings_access: SettingsAccess | None = None,
    browser_factory: HostFactory | None = None,
) -> MainWindow:
    from frameio_desktop.gui.app import app_icon
    from frameio_desktop.gui.window import MainWindow

    return MainWindow(
        controller,
        provider_title=provider_title(settings),
        client_id=settings.client_id if settings else None,
        profile=settings.profile if settings else None,
        host_factory=host_factory or host_factory_for(host_kind_from_environment()),
        icon=app_icon(),
        settings_access=settings_access,
        settings=settings,
        browser_factory=browser_factory,
    )


def launch(
    flags: dict[str, str | None],
    host_factory: HostFactory | None = None,
    *,
    sign_in: bool = False,
    session: AuthSession | None = None,
    settings_access: SettingsAccess | None = None,
    browser_factory: HostFactory | None = None,
    show: bool = True,
) -> tuple[SignInController, MainWindow]:
    """Build and show the window (`show=False`: built hidden, for `--background`). The
    silent sign-in (a keyring read that costs imports, a D-Bus session and a key
    exchange) starts before the window is built, so both overlap;
    `sign_in=True` opens straight on the sign-in page instead (the `login` command).
    A `session` made by `cli.preload_session` has had its keyring read running since
    before Qt was imported."""
    controller, settings = build_controller(flags, session)
    if not sign_in:
        controller.start()
    window = build_window(
        controller, settings, host_factory, settings_access, browser_factory=browser_factory
    )
    if show:
        window.show()
    if sign_in:
        window.start_sign_in(window.hosts.host_factory.system_browser)
    return controller, window


def demo_server_for(args: argparse.Namespace, flags: Mapping[str, str | None]) -> DemoServer:
    """The demo server `--demo` asks for (not started), on a free port: see
    `demo_mode.demo_server`."""
    return demo_mode.demo_server(argparse.Namespace(**{**vars(args), **flags}), port=0)


def signed_in_line(controller: SignInController) -> str:
    """What `login` prints once signed in, as `login --no-browser` does."""
    title = controller.session.settings.title if controller.session else "Frame.io"
    account = controller.user
    return f"Signed in to {title}" + (f" as {account.display_name}." if account else ".")


def run_gui(
    args: argparse.Namespace,
    mode: Mode,
    host_factory: HostFactory,
    session: AuthSession | None = None,
    *,
    browser_factory: HostFactory | None = None,
) -> int:
    from frameio_desktop.gui.app import LoginCommand, make_application
    from frameio_desktop.gui.quit_signals import QuitOnSignals

    app = make_application()
    stopping = QuitOnSignals(app)
    flags = settings_flags(args)
    demo = None
    on_demand = DemoOnDemand(args.demo_token_ttl, args.demo_refresh_token)
    shared = demo_mode.OwnOrShared(args)
    if args.demo or mode is Mode.SELF_TEST:
        if mode is Mode.SELF_TEST:  # a server of its own, which it checks and signs out of
            demo = demo_server_for(args, flags).start()
            demo_flags = demo.settings_flags()
        else:  # the demo port's: a running `demo-server`, or one for this run
            demo_flags = shared.start()
        # The demo's settings, except where a flag was given on purpose.
        if host_factory.system_browser:
            # A browser cannot return a custom-scheme redirect to an app run from source
            # (nothing registered the scheme); the demo's any-port loopback one it can.
            from frameio_desktop.demo.server import ANY_PORT_REDIRECT

            demo_flags["redirect_uri"] = ANY_PORT_REDIRECT
        flags = {**demo_flags, **{k: v for k, v in flags.items() if v}}
    try:
        if mode is Mode.SELF_TEST:
            from frameio_desktop.selftest import run_self_test

            def make_window(controller: SignInController, settings: Settings) -> MainWindow:
                return build_window(controller, settings, host_factory)

            return run_self_test(app, flags, demo, make_window, host_factory.in_process)
        # The settings form is the plain app's: --demo sets every value by flag, and
        # `login` ends with its sign-in.
        access = settings_access_for(flags, demo=on_demand) if mode is Mode.WINDOW else None
        controller, window = launch(
            flags,
            host_factory,
            sign_in=mode is Mode.LOGIN,
            session=session,
            settings_access=access,
            browser_factory=browser_factory,
            show=not (args.background and mode is Mode.WINDOW),
        )
        login = LoginCommand(controller, window) if mode is Mode.LOGIN else None
        log.debug("window shown; SIGINT and SIGTERM quit it")
        background = None
        if mode in (Mode.WINDOW, Mode.DEMO):  # the tray, close to it, and the token service
            from frameio_desktop.gui.background import Background

            background = Background(app, controller, window)
        app.exec()
        if background is not None:
            background.close()
        window.release_web_engine()
        controller.runner.wait_idle()
        if stopping.received is not None:
            return ExitCode.INTERRUPTED if stopping.received == 2 else ExitCode.TERMINATED
        if login is None:
            return ExitCode.OK
        if login.exit_code == ExitCode.OK:  # `login`, whichever browser: say it worked
            print(signed_in_line(controller), flush=True)
        return login.exit_code
    finally:
        stopping.uninstall()
        on_demand.stop()
        shared.stop()
        if demo is not None:
            demo.stop()
