"""`QTWEBENGINE_CHROMIUM_FLAGS` read the way QtWebEngine reads it, so that no switch that
opens the sign-in page to a debugger survives in any process that starts Chromium.

QtWebEngine splits the variable with `QProcess::splitCommand`: whitespace separates
arguments, double quotes group (`"--a=b c"` is one argument, without its quotes), and
three double quotes in a row stand for one literal quote. Python's `str.split` would keep
the quotes, so a quoted `"--remote-debugging-port=9222"` would slip past a check of the
first characters while Qt hands Chromium the bare switch.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping

FLAGS_VARIABLE = "QTWEBENGINE_CHROMIUM_FLAGS"
#: QtWebEngine's own switch for a debugging port (a number, or host:port).
REMOTE_DEBUGGING_VARIABLE = "QTWEBENGINE_REMOTE_DEBUGGING"

#: Chromium switches that open the page to a debugger: `--remote-debugging-port`,
#: `--remote-debugging-pipe`, `--remote-debugging-address`, `--remote-allow-origins`...;
#: Chromium also accepts a single dash, and `/` on Windows.
_REMOTE_DEBUGGING = re.compile(r"^(?:--?|/)(?:remote-debugging|remote-allow-origins)", re.I)


def split_flags(text: str) -> list[str]:
    """The arguments `QProcess::splitCommand` makes of `text` (Qt 6)."""
    args: list[str] = []
    current: list[str] = []
    quotes = 0
    in_quote = False
    for char in text:
        if char == '"':
            quotes += 1
            if quotes == 3:  # the third quote in a row: a literal quote
                quotes = 0
                current.append(char)
            continue
        if quotes:
            if quotes == 1:
                in_quote = not in_quote
            quotes = 0
        if not in_quote and char.isspace():
            if current:
                args.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        args.append("".join(current))
    return args


def join_flags(args: list[str]) -> str:
    """Arguments written so that `split_flags` (and Qt) read them back unchanged."""

    def quoted(arg: str) -> str:
        if arg and not any(c.isspace() or c == '"' for c in arg):
            return arg
        return '"' + arg.replace('"', '"""') + '"'

    return " ".join(quoted(arg) for arg in args if arg)


def is_remote_debugging(arg: str) -> bool:
    return bool(_REMOTE_DEBUGGING.match(arg.strip()))


def without_remote_debugging(flags: str) -> str:
    """Chromium flags, as Qt reads them, with every remote-debugging switch removed."""
    return join_flags([arg for arg in split_flags(flags) if not is_remote_debugging(arg)])


def strip_remote_debugging(environ: MutableMapping[str, str], argv: list[str]) -> None:
    """Before QtWebEngine starts in this process: no debugging port from its environment
    or its arguments, whoever started it."""
    environ.pop(REMOTE_DEBUGGING_VARIABLE, None)
    if FLAGS_VARIABLE in environ:
        environ[FLAGS_VARIABLE] = without_remote_debugging(environ[FLAGS_VARIABLE])
    argv[:] = [arg for arg in argv if not is_remote_debugging(arg)]
