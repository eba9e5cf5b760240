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

from frameio_desktop.cli_flags import (
    EXIT_CODES_HELP,
    add_demo_flag,
    add_global_flags,
    add_settings_flags,
    demo_server_arguments,
    json_argument,
    login_arguments,
    settings_flags,
    token_arguments,
)
from frameio_desktop.core import errors
from frameio_desktop.core.errors import ExitCode
from frameio_desktop.core.providers import sunset_notice
from frameio_desktop.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from frameio_desktop.core.session import AuthSession


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit status for a failure: the error's own (core/errors/), 1 for anything else."""
    if isinstance(exc, errors.FrameioDesktopError):
        return exc.exit_code
    return ExitCode.ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frameio-desktop",
        description="Sign in to Frame.io and stay signed in. With no command, opens the window.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_global_flags(parser)

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        p = sub.add_parser(
            name,
            help=command.help,
            description=command.help,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_settings_flags(p, suppress=True)
        if command.takes_demo:
            add_demo_flag(p)
        command.arguments(p)
    return parser


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
        code = handler(invocation)
        warn_about_unknown_account(invocation)
        return code
    except errors.FrameioDesktopError as exc:
        json_whatever_the_outcome(args, exc, out)
        # Say which settings did not come from the settings file: a `.env`'s CLIENT_ID
        # is otherwise a silent reason for "No one is signed in".
        note = invocation.loaded_settings.origins_note() if invocation.loaded_settings else ""
        if getattr(args, "demo", False):
            note = ""  # every setting is the demo's, by design
        print(f"frameio-desktop: {exc.user_message}" + (f" {note}" if note else ""), file=err)
        return exit_code_for(exc)


def warn_about_unknown_account(invocation: Invocation) -> None:
    """An account ID given by flag or environment that the account list, read by this
    command, does not hold: taken as asked, but said (a typo would build wrong URLs)."""
    settings = invocation.loaded_settings
    session = invocation.built_session
    if settings is None or session is None or not settings.account_id:
        return
    listed = session.accounts
    if listed is None or any(a.id == settings.account_id for a in listed):
        return
    origin = (
        "--account-id flag"
        if getattr(invocation.args, "account_id", None)
        else "FRAMEIO_ACCOUNT_ID from the environment or .env"
    )
    ids = ", ".join(a.id for a in listed) or "none"
    print(
        f"frameio-desktop: warning: the account ID {settings.account_id!r} ({origin}) is not "
        f"one of the signed-in user's accounts ({ids}).",
        file=invocation.err,
    )


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
    def loaded_settings(self) -> Settings | None:
        """The settings, if they were loaded (None before, or when they could not be)."""
        return self._settings

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
    def built_session(self) -> AuthSession | None:
        """The session, if the command built one."""
        return self._session

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
    #: Takes `--demo` (the demo server's settings): every command but the demo's own.
    takes_demo: bool = True


def cmd_token(session: AuthSession, args: argparse.Namespace, out: TextIO) -> int:
    # The same rule as frameio_desktop.get_token(): the keyring only, refreshed under the lock.
    from frameio_desktop.core.agent.client import write_token
    from frameio_desktop.core.tokens import min_ttl

    tokens = session.script_tokens(min_ttl(args.min_ttl), timeout=getattr(args, "timeout", None))
    fields = {
        "access_token": tokens.access_token,
        "expires_at": tokens.expires_at.isoformat(),
        "token_type": tokens.token_type,
        "scope": tokens.scope,
    }
    write_token(fields, args.json, out)
    return ExitCode.OK


def run_token(run: Invocation) -> int:
    """`token`: the running app's answer if it gives one, else the keyring's."""
    answered = token_from_app(run)
    return cmd_token(run.session, run.args, run.out) if answered is None else answered


def token_from_app(run: Invocation) -> int | None:
    """`token` answered by the running app (core/agent), printed as `cmd_token` prints;
    None when no app answered for these settings (then the keyring it is)."""
    from frameio_desktop.core.agent import client, wire

    timeout = getattr(run.args, "timeout", None)
    answer = client.ask_app(
        wire.token_request(run.args.min_ttl, settings_flags(run.args)),
        answer_timeout=client.ANSWER_TIMEOUT_SECONDS if timeout is None else timeout,
    )
    if answer is None:
        return None
    return client.write_answer(answer, run.args.json, run.out, run.err)


def _print_json(data: object, out: TextIO) -> None:
    json.dump(data, out)
    out.write("\n")


def cmd_status(session: AuthSession, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Who is signed in, asked of the server; offline, what is stored (exit 9). With
    `--json` the object is printed whatever the outcome (core/status.py)."""
    from frameio_desktop.core.status import status_report, status_text

    report = status_report(session)
    if args.json:
        _print_json(report.to_json(), out)
    else:
        out.write(status_text(report, session.settings, session.clock()))
    if report.problem is not None:
        print(f"frameio-desktop: {report.problem.user_message}", file=err)
    return report.exit_code


def cmd_accounts(session: AuthSession, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Every account the user can reach, the default one marked. Frame.io V2 (no account
    list) shows the one account `/v2/me` names. With `--json` an object whatever the
    outcome: when the list cannot be read, the stored default account ID and why."""
    from frameio_desktop.core.accounts import FrameioAccount
    from frameio_desktop.core.status import Identity, accounts_json, stored_tokens

    try:
        stored_tokens(session)
        account = session.user()  # reads every page of the list where there is one
        if session.accounts_problem is not None:
            raise session.accounts_problem  # this command is the list: say why it is missing
    except errors.FrameioDesktopError as exc:
        if args.json:
            stored = session.known_user
            _print_json(
                accounts_json(
                    Identity.of(session.settings),
                    account_id=session.account_id or (stored.account_id if stored else None),
                    accounts=None,
                    problem=exc,
                    signed_in=session.tokens is not None
                    and exc.exit_code != ExitCode.SESSION_EXPIRED,
                ),
                out,
            )
        print(f"frameio-desktop: {exc.user_message}", file=err)
        return exit_code_for(exc)
    listed = session.accounts
    if listed is None:
        found = account.account_id if account else None
        listed = [FrameioAccount(id=found, name=None)] if found else []
    chosen = session.account_id
    if args.json:
        _print_json(
            accounts_json(Identity.of(session.settings), account_id=chosen, accounts=listed), out
        )
        return ExitCode.OK
    if not listed:
        out.write("No accounts.\n")
    for a in listed:
        mark = "*" if a.id == chosen else " "
        out.write(f"{mark} {a.id}  {a.name or ''}".rstrip() + "\n")
    return ExitCode.OK


def json_whatever_the_outcome(
    args: argparse.Namespace, problem: errors.FrameioDesktopError, out: TextIO
) -> None:
    """`status --json` and `accounts --json` print their object even when the settings
    cannot be read: what the settings name, not signed in, and why."""
    from frameio_desktop.core.status import Identity, StatusReport, accounts_json

    if not getattr(args, "json", False) or args.command not in ("status", "accounts"):
        return
    identity = Identity.from_raw(settings_flags(args))
    if args.command == "status":
        _print_json(StatusReport(identity, problem=problem).to_json(), out)
    else:
        _print_json(
            accounts_json(
                identity, account_id=None, accounts=None, problem=problem, signed_in=False
            ),
            out,
        )


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


def already_signed_in(args: argparse.Namespace, out: TextIO) -> int:
    """`login --if-needed`: 0 (and who) when the stored sign-in is usable, refreshed if
    due; `NOT_SIGNED_IN` when a sign-in is needed (none, expired, or made with other
    settings). Other failures (network, keyring) raise: a sign-in would not help."""
    from frameio_desktop.core.session import AuthSession
    from frameio_desktop.core.tokens import min_ttl

    session = AuthSession(load_settings(settings_flags(args)))
    try:
        session.script_tokens(min_ttl(60))
    except (errors.NotSignedInError, errors.SessionExpiredError):
        return ExitCode.NOT_SIGNED_IN
    known = session.known_user
    who = f" as {known.display_name}" if known is not None else ""
    out.write(f"Already signed in to {session.settings.title}{who}.\n")
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
        account = session.user()
    except errors.FrameioDesktopError as exc:
        out.write(f"Signed in, but the account could not be read: {exc.user_message}\n")
    who = f" as {account.display_name}" if account is not None else ""
    out.write(f"Signed in to {session.settings.title}{who}.\n")
    return ExitCode.OK


# -- the command table ------------------------------------------------------------------------


def run_doctor(flags: Mapping[str, str | None], *, as_json: bool, out: TextIO) -> int:
    from frameio_desktop.core.doctor import run_doctor

    return run_doctor(flags, as_json=as_json, out=out)


def _scheme(register: bool) -> Handler:
    def run(run: Invocation) -> int:
        return cmd_scheme(run.settings, register=register, out=run.out)

    return run


#: Every command, in the order `--help` lists them.
COMMANDS: dict[str, Command] = {
    "token": Command(
        "print an access token valid for at least --min-ttl seconds",
        run_token,
        token_arguments,
    ),
    "status": Command(
        "who is signed in, and when the tokens expire",
        lambda run: cmd_status(run.session, run.args, run.out, run.err),
        json_argument,
    ),
    "accounts": Command(
        "list the Frame.io accounts of the signed-in user",
        lambda run: cmd_accounts(run.session, run.args, run.out, run.err),
        json_argument,
    ),
    "logout": Command(
        "revoke and forget the stored sign-in", lambda run: cmd_logout(run.session, run.out)
    ),
    "login": Command("open the sign-in window; exit 0 once signed in", None, login_arguments),
    "demo-server": Command(
        "run the built-in demo sign-in server until Ctrl-C, and print the settings that "
        "use it (then --demo on any command uses it)",
        None,
        demo_server_arguments,
        takes_demo=False,
    ),
    "register-scheme": Command(
        "make this app the handler of its custom redirect scheme (adobe+...://) for you",
        _scheme(register=True),
    ),
    "unregister-scheme": Command("undo register-scheme", _scheme(register=False)),
    "doctor": Command(
        "check the set-up: settings, keyring, redirect, scheme, display, network, clock",
        lambda run: run_doctor(settings_flags(run.args), as_json=run.args.json, out=run.out),
        json_argument,
    ),
}

#: The commands that never show a window (and never import Qt).
SCRIPT_COMMANDS = tuple(name for name, command in COMMANDS.items() if command.run is not None)
