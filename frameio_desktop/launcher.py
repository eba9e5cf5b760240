"""The program's entry point: `frameio-desktop token` answered by the running app before
anything else is imported, else `frameio_desktop.main.main`.

Scripts call `token` often, and while the app runs it answers from memory in a few
milliseconds (`core/agent`); the command line's parser, settings and session would cost
several times that. So a `token` command given only `--min-ttl`, `--json` and settings
flags, in their plain forms, asks the app here; with no app, a stored token that is still
fresh is read here too (`token_from_keyring`). Anything else (another command, an
abbreviated flag, `--help`, a refresh, an error or warning to print): `main.main`, which
asks the app as well (for the forms this parser leaves to argparse) and then reads the
keyring with every rule of `token`.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

#: `token --min-ttl`'s default (cli's parser has the same).
DEFAULT_MIN_TTL = 60


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["token"]:
        try:
            answered = token_from_app(arguments[1:])
            if answered is None:
                answered = token_from_keyring(arguments[1:])
        except KeyboardInterrupt:  # quietly, as main.main: ExitCode.INTERRUPTED
            sys.stderr.write("\n")
            return 130
        if answered is not None:
            return answered
    from frameio_desktop.main import main as run

    return run(arguments)


def parse_token_arguments(
    arguments: Sequence[str],
) -> tuple[int, bool, dict[str, str]] | None:
    """`token`'s (min_ttl, json, settings flags), when the arguments are only those, each
    `--name value` or `--name=value`; None for anything else."""
    from frameio_desktop.core.agent.wire import SETTING_FLAGS

    min_ttl, as_json, flags = DEFAULT_MIN_TTL, False, {}
    rest = list(arguments)
    while rest:
        argument = rest.pop(0)
        if argument == "--json":
            as_json = True
            continue
        name, equals, value = argument.partition("=")
        key = name.removeprefix("--").replace("-", "_")
        if not name.startswith("--") or key not in ("min_ttl", *SETTING_FLAGS):
            return None
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        if key != "min_ttl":
            flags[key] = value
        elif value.isascii() and value.isdigit():
            min_ttl = int(value)
        else:
            return None
    return min_ttl, as_json, flags


def token_from_app(arguments: Sequence[str]) -> int | None:
    """The running app's answer to `token <arguments>`, printed; its exit status, or None
    when the app did not answer (or the arguments are not for this parser)."""
    parsed = parse_token_arguments(arguments)
    if parsed is None:
        return None
    from frameio_desktop.core.agent import client, wire

    min_ttl, as_json, flags = parsed
    answer = client.ask_app(wire.token_request(min_ttl, flags))
    if answer is None:
        return None
    return client.write_answer(answer, as_json, sys.stdout, sys.stderr)


def token_from_keyring(arguments: Sequence[str]) -> int | None:
    """`token <arguments>` from the keyring, when a still-fresh stored token is all it
    takes and there is nothing else to say (`core.quick_read.fresh_stored_token`, lasting
    `--min-ttl`). Prints it as `cli.cmd_token` does and returns 0; None for anything else
    (a refresh, an error, a warning), which `main` then does with every rule of `token`."""
    parsed = parse_token_arguments(arguments)
    if parsed is None:
        return None
    min_ttl, as_json, flags = parsed
    from datetime import timedelta

    from frameio_desktop.core.quick_read import fresh_stored_token

    tokens = fresh_stored_token(flags, timedelta(seconds=min_ttl))
    if tokens is None:
        return None
    from frameio_desktop.core.agent.client import write_token

    fields = {
        "access_token": tokens.access_token,
        "expires_at": tokens.expires_at.isoformat(),
        "token_type": tokens.token_type,
        "scope": tokens.scope,
    }
    write_token(fields, as_json, sys.stdout)
    return 0
