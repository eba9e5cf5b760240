"""The command line's flags and what their values mean: the settings flags every command
takes, the window's flags, `token`'s and `login`'s own. `cli` builds the parser from
these and its command table; nothing here runs a command.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from frameio_desktop import __version__
from frameio_desktop.core import errors
from frameio_desktop.core.settings import ACCOUNT_ID, ENV_NAMES

EXIT_CODES_HELP = "exit codes:\n" + "".join(
    f"  {int(code)}  {meaning}\n" for code, meaning in errors.EXIT_CODE_MEANINGS.items()
)


def add_settings_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    group = parser.add_argument_group("settings (override environment, .env and settings file)")
    default = argparse.SUPPRESS if suppress else None
    for name, env in ENV_NAMES.items():
        if name == "client_secret":
            continue  # a secret on the command line would show in `ps`; use the environment
        flag = "--" + name.replace("_", "-")
        group.add_argument(flag, dest=name, default=default, metavar="VALUE", help=f"[{env}]")
    group.add_argument(
        "--account-id",
        dest=ACCOUNT_ID,
        default=default,
        metavar="ID",
        help="the Frame.io account to use, over the saved default [FRAMEIO_ACCOUNT_ID]",
    )


def add_global_flags(parser: argparse.ArgumentParser) -> None:
    """The flags before the command: the window's, the demo's, and the settings."""
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (never tokens)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in demo sign-in server (Frame.io V4 and Adobe IMS; with "
        "--provider frameio-v2 the legacy shape) on its own port and profile: the one "
        "`demo-server` runs, or one of the window's own; every command takes it",
    )
    add_demo_server_flags(parser, suppress=False)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="sign in to the demo server through the real window, check, sign out",
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="start hidden, in the tray (what Start at login runs); a second start "
        "opens the running app's window",
    )
    add_browser_flags(parser, suppress=False)
    add_settings_flags(parser, suppress=False)


def add_demo_flag(parser: argparse.ArgumentParser) -> None:
    """`--demo` after a command: the settings of the demo on its port (`demo-server`)."""
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the demo server's settings and profile (start it with "
        "`frameio-desktop demo-server`)",
    )


def add_demo_server_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """What kind of credential the demo server plays."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--demo-token-ttl",
        type=int,
        default=default,
        metavar="SECONDS",
        help="access-token lifetime on the demo server (default: 86399, IMS's 24 hours; "
        "3600 for frameio-v2)",
    )
    refresh = parser.add_mutually_exclusive_group()
    refresh.add_argument(
        "--demo-refresh-token",
        dest="demo_refresh_token",
        action="store_true",
        default=default,
        help="the demo's credential gets refresh tokens, which rotate (by default it is an "
        "IMS Native App credential that gets none, and renews with prompt=none)",
    )
    # The default since IMS-shaped demos; kept so that older command lines still work.
    refresh.add_argument(
        "--demo-no-refresh-token",
        dest="demo_refresh_token",
        action="store_false",
        default=default,
        help=argparse.SUPPRESS,
    )


def demo_server_arguments(parser: argparse.ArgumentParser) -> None:
    add_demo_server_flags(parser, suppress=True)


def min_ttl_seconds(text: str) -> int:
    """`--min-ttl`: whole seconds, 0 or more, no more than any token can last."""
    from frameio_desktop.core.tokens import min_ttl

    try:
        seconds = int(text)
        min_ttl(seconds)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            str(exc) if text.strip().lstrip("+-").isdigit() else f"{text!r} is not whole seconds"
        ) from None
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative: give 0 or more seconds")
    return seconds


def add_browser_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--browser",
        choices=BROWSER_CHOICES,
        default=default,
        help="where the sign-in page opens: your own web browser (system) or the app's "
        "sign-in window (embedded, the default) [FRAMEIO_BROWSER]",
    )
    parser.add_argument(
        "--browser-timeout",
        type=int,
        default=default,
        metavar="SECONDS",
        help="how long to wait for your browser to come back (default "
        f"{DEFAULT_BROWSER_TIMEOUT}) [FRAMEIO_BROWSER_TIMEOUT]",
    )


BROWSER_CHOICES = ("system", "embedded")
#: Seconds the system-browser sign-in waits for the redirect (RFC 8252 leaves it open).
DEFAULT_BROWSER_TIMEOUT = 300
#: A day: longer is no sign-in anyone is still waiting for (and far past it, a wait
#: overflows).
MAX_BROWSER_TIMEOUT = 86_400


def browser_choice(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """`system` or `embedded`: the flag, else FRAMEIO_BROWSER, else embedded."""
    choice = getattr(args, "browser", None) or environ.get("FRAMEIO_BROWSER", "").strip().lower()
    if choice and choice not in BROWSER_CHOICES:
        raise errors.ConfigError("FRAMEIO_BROWSER", f"is {choice!r}, not system or embedded")
    return choice or "embedded"


def browser_timeout(args: argparse.Namespace, environ: Mapping[str, str]) -> float:
    value = getattr(args, "browser_timeout", None)
    if value is None:
        raw = environ.get("FRAMEIO_BROWSER_TIMEOUT", "").strip()
        try:
            value = int(raw) if raw else DEFAULT_BROWSER_TIMEOUT
        except ValueError:
            raise errors.ConfigError(
                "FRAMEIO_BROWSER_TIMEOUT", f"is {raw!r}, not a number of seconds"
            ) from None
    if not 0 < value <= MAX_BROWSER_TIMEOUT:
        raise errors.ConfigError(
            "FRAMEIO_BROWSER_TIMEOUT",
            f"is {value}; it must be a whole number of seconds from 1 to {MAX_BROWSER_TIMEOUT}",
        )
    return float(value)


def settings_flags(args: argparse.Namespace) -> dict[str, str | None]:
    flags = {name: getattr(args, name, None) for name in ENV_NAMES if name != "client_secret"}
    flags[ACCOUNT_ID] = getattr(args, ACCOUNT_ID, None)
    return flags


def token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--min-ttl",
        type=min_ttl_seconds,
        default=60,
        metavar="SECONDS",
        help="the token must stay valid at least this long; refreshed first if not (default 60)",
    )
    parser.add_argument(
        "--timeout",
        type=_timeout_seconds,
        default=None,
        metavar="SECONDS",
        help="give up after this long, the wait for another process's refresh included "
        "(default: 60 s for that wait, 30 s for the request)",
    )
    json_argument(parser)


def _timeout_seconds(text: str) -> float:
    """`--timeout`: seconds, more than 0 and at most a day."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= MAX_BROWSER_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{text} is not between 0 and {MAX_BROWSER_TIMEOUT} seconds"
        )
    return seconds


def json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON object")


def login_arguments(parser: argparse.ArgumentParser) -> None:
    add_browser_flags(parser, suppress=True)
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="print the sign-in address and read back the address the browser ends on "
        "(chosen on its own without a display, or over SSH without one)",
    )
    parser.add_argument(
        "--if-needed",
        action="store_true",
        help="only sign in if there is no usable sign-in: with one (refreshed if due), "
        "say who is signed in and exit 0 without a window",
    )
