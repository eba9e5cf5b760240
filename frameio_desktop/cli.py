"""The command line: its parser, and the commands for scripts (`token`, `status`, `logout`).

These never import PySide6: scripts call them often, so they must start fast and work on a
machine with no display. Choosing what to run is `frameio_desktop.main`'s job; this module
imports only the core.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TextIO

from frameio_desktop import __version__
from frameio_desktop.core import errors
from frameio_desktop.core.errors import ExitCode
from frameio_desktop.core.providers import sunset_notice
from frameio_desktop.core.settings import ACCOUNT_ID, ENV_NAMES, Settings, load_settings
from frameio_desktop.core.timefmt import format_expiry

if TYPE_CHECKING:
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.core.tokens import TokenSet


EXIT_CODES_HELP = "exit codes:\n" + "".join(
    f"  {int(code)}  {meaning}\n" for code, meaning in errors.EXIT_CODE_MEANINGS.items()
)


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit status for a failure: the error's own (core/errors.py), 1 for anything else."""
    if isinstance(exc, errors.FrameioDesktopError):
        return exc.exit_code
    return ExitCode.ERROR


def _add_settings_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frameio-desktop",
        description="Sign in to Frame.io and stay signed in. With no command, opens the window.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (never tokens)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the built-in demo sign-in server (Frame.io V4 and Adobe IMS; with "
        "--provider frameio-v2 the legacy shape) and sign in to it",
    )
    parser.add_argument(
        "--demo-token-ttl",
        type=int,
        default=3600,
        metavar="SECONDS",
        help="access-token lifetime on the demo server (default 3600)",
    )
    parser.add_argument(
        "--demo-no-refresh-token",
        action="store_true",
        help="the demo server gives no refresh token (as IMS may for a native app)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="sign in to the demo server through the real window, check, sign out",
    )
    _add_browser_flags(parser, suppress=False)
    _add_settings_flags(parser, suppress=False)

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        p = sub.add_parser(
            name,
            help=command.help,
            description=command.help,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_settings_flags(p, suppress=True)
        command.arguments(p)
    return parser


def _min_ttl_seconds(text: str) -> int:
    """`--min-ttl`: whole seconds, no more than any token can last."""
    from frameio_desktop.core.tokens import min_ttl

    try:
        seconds = int(text)
        min_ttl(seconds)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            str(exc) if text.strip().lstrip("+-").isdigit() else f"{text!r} is not whole seconds"
        ) from None
    return seconds


def _add_browser_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
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


def preload_session(flags: dict[str, str | None]) -> AuthSession | None:
    """The window's session, with its keyring read already started on a thread of its
    own, so the read overlaps Qt's start-up. None if the settings are wrong: the window
    then builds its own and shows the problem."""
    from frameio_desktop.core.session import AuthSession

    try:
        session = AuthSession(load_settings(flags))
    except errors.ConfigError:
        return None
    session.prefetch()
    return session


def run_script_command(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    *,
    today: Callable[[], date] = date.today,
    make_session: Callable[[Settings], AuthSession] | None = None,
) -> int:
    """Run a command of `COMMANDS` that has a handler (`main.choose_mode` sends only
    those here)."""
    handler = COMMANDS[args.command].run
    if handler is None:
        raise ValueError(f"{args.command!r} is not a script command")
    invocation = Invocation(args, out, err, today=today, make_session=make_session)
    try:
        return handler(invocation)
    except errors.FrameioDesktopError as exc:
        print(f"frameio-desktop: {exc.user_message}", file=err)
        return exit_code_for(exc)


class Invocation:
    """What a script command runs with: its arguments, its output streams, and the
    settings and session, built on first use (a command that can run without settings,
    or must say why they are wrong in its own way, never asks for them)."""

    def __init__(
        self,
        args: argparse.Namespace,
        out: TextIO,
        err: TextIO,
        *,
        today: Callable[[], date] = date.today,
        make_session: Callable[[Settings], AuthSession] | None = None,
    ) -> None:
        self.args = args
        self.out = out
        self.err = err
        self._today = today
        self._make_session = make_session
        self._settings: Settings | None = None
        self._session: AuthSession | None = None

    @property
    def settings(self) -> Settings:
        """The settings (flags, environment, `.env`, file); the sunset notice, once."""
        if self._settings is None:
            self._settings = load_settings(settings_flags(self.args))
            notice = sunset_notice(self._settings.provider, self._today())
            if notice is not None:
                print(f"frameio-desktop: {notice}", file=self.err)
        return self._settings

    @property
    def session(self) -> AuthSession:
        if self._session is None:
            from frameio_desktop.core.session import AuthSession

            self._session = (self._make_session or AuthSession)(self.settings)
        return self._session


Handler = Callable[[Invocation], int]


@dataclass(frozen=True)
class Command:
    """One command of the command line: the parser, the mode choice (`main.choose_mode`)
    and the dispatch (`run_script_command`) all read `COMMANDS`, so a command is added in
    one place."""

    help: str
    #: Runs the command without a window (and without Qt). None: a window command, which
    #: `main.choose_mode` gives a mode of its own (`login`).
    run: Handler | None
    #: Adds the command's own flags to its parser.
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


def cmd_token(session: AuthSession, args: argparse.Namespace, out: TextIO) -> int:
    # The same rule as frameio_desktop.get_token(): the keyring only, refreshed under the lock.
    from frameio_desktop.core.tokens import min_ttl

    tokens = session.script_tokens(min_ttl(args.min_ttl))
    if args.json:
        json.dump(
            {
                "access_token": tokens.access_token,
                "expires_at": tokens.expires_at.isoformat(),
                "token_type": tokens.token_type,
                "scope": tokens.scope,
            },
            out,
        )
        out.write("\n")
    else:
        out.write(tokens.access_token + "\n")
    return ExitCode.OK


def stored_tokens(session: AuthSession) -> TokenSet:
    """The stored tokens (no network), or the reason there are none
    (`AuthSession.why_not_signed_in`)."""
    session.store.check_secure()
    tokens = session.load()
    if tokens is None:
        raise session.why_not_signed_in()
    return tokens


def cmd_status(session: AuthSession, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings: Settings = session.settings
    backend = session.store.backend_name
    tokens = stored_tokens(session)
    account = None
    problem: errors.FrameioDesktopError | None = None
    try:
        account = session.account()
        tokens = session.tokens or tokens
    except errors.FrameioDesktopError as exc:
        problem = exc
    now = session.clock()
    if args.json:
        json.dump(
            {
                # Exit 4 ("sign in again") whatever the class: an expired refresh, an
                # API that refuses even a refreshed token.
                "signed_in": problem is None or exit_code_for(problem) != ExitCode.SESSION_EXPIRED,
                "provider": settings.provider,
                "profile": settings.profile,
                "client_id": settings.client_id,
                "account": account.to_json() if account else None,
                "account_id": session.account_id,
                "accounts": (
                    [a.to_json() for a in session.accounts]
                    if session.accounts is not None
                    else None
                ),
                "signed_in_until": (
                    tokens.signed_in_until.isoformat() if tokens.signed_in_until else None
                ),
                "access_token_expires_at": tokens.expires_at.isoformat(),
                "refresh_token_expires_at": (
                    tokens.refresh_expires_at.isoformat() if tokens.refresh_expires_at else None
                ),
                "has_refresh_token": tokens.refresh_token is not None,
                "keyring_backend": backend,
                "error": problem.user_message if problem else None,
            },
            out,
        )
        out.write("\n")
    else:
        who = "unknown"
        if account is not None:
            who = account.display_name + (f" <{account.email}>" if account.email else "")
        until = tokens.signed_in_until
        lines = [
            f"Signed in to {settings.title} ({settings.provider}), profile {settings.profile}",
            (
                f"Signed in until {format_expiry(until, now)}"
                if until is not None
                else "Signed in (renewed automatically; the server states no end)"
            ),
            f"  account:        {who}",
        ]
        if account is not None:
            lines.append(f"  user id:        {account.id or '-'}")
        lines.append(f"  account id:     {session.account_id or '-'}")
        if session.accounts:
            lines.append(f"  accounts:       {len(session.accounts)} (frameio-desktop accounts)")
        lines += [
            f"  access token:   expires {format_expiry(tokens.expires_at, now)}",
            "  refresh token:  "
            + (
                f"expires {format_expiry(tokens.refresh_expires_at, now)}"
                if tokens.refresh_token
                else "none"
            ),
            f"  keyring:        {backend}",
        ]
        out.write("\n".join(lines) + "\n")
    if problem is not None:
        print(f"frameio-desktop: {problem.user_message}", file=err)
        return exit_code_for(problem)
    return ExitCode.OK


def cmd_accounts(session: AuthSession, args: argparse.Namespace, out: TextIO) -> int:
    """Every account the user can reach, the default one marked. Frame.io V2 (no account
    list) shows the one account `/v2/me` names."""
    from frameio_desktop.core.accounts import FrameioAccount

    stored_tokens(session)
    account = session.account()  # reads every page of the list where there is one
    if session.accounts_problem is not None:
        raise session.accounts_problem  # this command is the list: say why it is missing
    listed = session.accounts
    if listed is None:
        found = account.account_id if account else None
        listed = [FrameioAccount(id=found, name=None)] if found else []
    chosen = session.account_id
    if args.json:
        json.dump(
            {
                "account_id": chosen,
                "accounts": [{**a.to_json(), "default": a.id == chosen} for a in listed],
            },
            out,
        )
        out.write("\n")
        return ExitCode.OK
    if not listed:
        out.write("No accounts.\n")
    for a in listed:
        mark = "*" if a.id == chosen else " "
        out.write(f"{mark} {a.id}  {a.name or ''}".rstrip() + "\n")
    return ExitCode.OK


def cmd_logout(session: AuthSession, out: TextIO) -> int:
    tokens = session.load()
    if session.binding_problem is not None:
        # Another configuration's sign-in: not revoked through these endpoints, not removed.
        raise session.binding_problem
    if tokens is None and session.persistent and not session.damaged_entry:
        out.write("Nobody was signed in.\n")
        return ExitCode.OK
    result = session.sign_out()
    attempted = [r for r in result.revocations if r.attempted]
    if not result.revocations:
        note = "nothing could be revoked"
    elif not attempted:
        note = "this provider has no revocation endpoint"
    elif result.revoked:
        note = "revoked at the server"
    else:
        note = "the server could not be told (" + (attempted[-1].error or "error") + ")"
    if result.complete:
        out.write(f"Signed out of {session.settings.title}: {note}; local sign-in removed.\n")
        return ExitCode.OK
    left = (
        "local sign-in removed"
        if result.cleared
        else "the stored sign-in could not be removed from the keyring"
    )
    reasons = " ".join(problem.user_message for problem in result.problems)
    raise errors.SignOutIncompleteError(
        f"Sign-out is not complete ({note}; {left}). {reasons}", result.problems[0]
    )


def cmd_scheme(settings: Settings, *, register: bool, out: TextIO) -> int:
    """`register-scheme` / `unregister-scheme`: the handler of the redirect's custom scheme."""
    from frameio_desktop.core.browser import scheme

    name = scheme.redirect_scheme(settings.redirect_uri)
    if name is None:
        raise errors.ConfigError(
            "FRAMEIO_REDIRECT_URI",
            f"is {settings.redirect_uri!r}, which has no custom scheme to register",
            hint="Only a native-app redirect such as adobe+<hash>://adobeid/<client> needs one.",
        )
    outcome = scheme.register(name) if register else scheme.unregister(name)
    out.write(outcome.message + "\n")
    return ExitCode.OK


def cmd_login_no_browser(
    session: AuthSession,
    *,
    read_line: Callable[[], str],
    out: TextIO,
    reason: str | None,
) -> int:
    """`login --no-browser`: the paste flow (core/browser/paste.py), then who signed in."""
    from frameio_desktop.core.browser.paste import sign_in_by_paste

    session.store.check_secure()
    sign_in_by_paste(session, read_line=read_line, out=out, reason=reason)
    account = None
    try:
        account = session.account()
    except errors.FrameioDesktopError as exc:
        out.write(f"Signed in, but the account could not be read: {exc.user_message}\n")
    who = f" as {account.display_name}" if account is not None else ""
    out.write(f"Signed in to {session.settings.title}{who}.\n")
    return ExitCode.OK


# -- the command table ------------------------------------------------------------------------


def _token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--min-ttl",
        type=_min_ttl_seconds,
        default=60,
        metavar="SECONDS",
        help="the token must stay valid at least this long; refreshed first if not (default 60)",
    )
    _json_argument(parser)


def _json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON object")


def _login_arguments(parser: argparse.ArgumentParser) -> None:
    _add_browser_flags(parser, suppress=True)
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="print the sign-in address and read back the address the browser ends on "
        "(chosen on its own without a display, or over SSH without one)",
    )


def _scheme(register: bool) -> Handler:
    def run(run: Invocation) -> int:
        return cmd_scheme(run.settings, register=register, out=run.out)

    return run


#: Every command, in the order `--help` lists them.
COMMANDS: dict[str, Command] = {
    "token": Command(
        "print an access token valid for at least --min-ttl seconds",
        lambda run: cmd_token(run.session, run.args, run.out),
        _token_arguments,
    ),
    "status": Command(
        "who is signed in, and when the tokens expire",
        lambda run: cmd_status(run.session, run.args, run.out, run.err),
        _json_argument,
    ),
    "accounts": Command(
        "list the Frame.io accounts of the signed-in user",
        lambda run: cmd_accounts(run.session, run.args, run.out),
        _json_argument,
    ),
    "logout": Command(
        "revoke and forget the stored sign-in", lambda run: cmd_logout(run.session, run.out)
    ),
    "login": Command("open the sign-in window; exit 0 once signed in", None, _login_arguments),
    "register-scheme": Command(
        "make this app the handler of its custom redirect scheme (adobe+...://) for you",
        _scheme(register=True),
    ),
    "unregister-scheme": Command("undo register-scheme", _scheme(register=False)),
}

#: The commands that never show a window (and never import Qt).
SCRIPT_COMMANDS = tuple(name for name, command in COMMANDS.items() if command.run is not None)
