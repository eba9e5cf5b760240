"""The script's end of the token service: ask the running app; None means read the keyring.

`frameio-desktop token`, `get_token()` and `token_provider()` call `ask_app` first. No app
running (nothing listens), an app of another user, no acceptance within `wait` seconds (a
few milliseconds), a connection that ends without an answer, or an app that holds another
sign-in: all of these give None, and the caller reads the keyring as it always did. Only
the standard library is imported here (see `wire`).
"""

from __future__ import annotations

import os
import socket
import stat
import sys
import time

from frameio_desktop.core.agent import wire
from frameio_desktop.core.agent.wire import Channel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

    from frameio_desktop.core.errors import FrameioDesktopError

#: How long the app may take to accept a request before the script reads the keyring.
DEFAULT_WAIT_SECONDS = 0.05
#: Milliseconds to wait instead (a loaded machine, a test under load).
WAIT_ENV = "FRAMEIO_APP_WAIT_MS"
#: Once the app has accepted, how long it may take to answer: a renewal first makes its
#: own requests, each with its deadline, or a silent sign-in in its hidden sign-in window.
ANSWER_TIMEOUT_SECONDS = 150.0


class AppToken:
    """An access token the app handed over, with the fields `token --json` prints."""

    __slots__ = ("access_token", "expires_at", "scope", "token_type")

    def __init__(self, access_token: str, expires_at: str, token_type: str, scope: str | None):
        self.access_token = access_token
        #: ISO 8601 with its UTC offset, as the keyring path prints it.
        self.expires_at = expires_at
        self.token_type = token_type
        self.scope = scope

    def __repr__(self) -> str:
        return f"AppToken(access_token=***, expires_at={self.expires_at!r})"

    def to_json(self) -> dict[str, str | None]:
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "token_type": self.token_type,
            "scope": self.scope,
        }

    def seconds_left(self, now: float | None = None) -> float:
        from datetime import datetime

        expires = datetime.fromisoformat(self.expires_at).timestamp()
        return expires - (time.time() if now is None else now)


class AppAnswer:
    """What the app said for this sign-in: a token, or the error the keyring path would
    have reported (same class, message and exit code), and the notice it would print."""

    __slots__ = ("error_type", "exit_code", "message", "note", "notice", "token")

    def __init__(
        self,
        token: AppToken | None,
        *,
        error_type: str = "",
        message: str = "",
        exit_code: int = 0,
        note: str = "",
        notice: str | None = None,
    ) -> None:
        self.token = token
        self.error_type = error_type
        self.message = message
        self.exit_code = exit_code
        #: Which settings did not come from the settings file (the command line adds it).
        self.note = note
        self.notice = notice

    def error(self) -> FrameioDesktopError:
        """The app's failure as this package's exception: the class of the same name in
        `core.errors`, with the app's message and exit code."""
        from frameio_desktop.core import errors

        cls = getattr(errors, self.error_type, None)
        if not (isinstance(cls, type) and issubclass(cls, errors.FrameioDesktopError)):
            cls = errors.FrameioDesktopError
        # Each class builds its message from its own arguments (an expiry, a status); the
        # app has built it already, so only the base class's part runs here.
        exc = cls.__new__(cls)
        errors.FrameioDesktopError.__init__(exc, self.message)
        if exc.exit_code != self.exit_code:
            exc.exit_code = errors.ExitCode(self.exit_code)
        return exc


def wait_seconds(environ: Mapping[str, str] | None = None) -> float:
    raw = (os.environ if environ is None else environ).get(WAIT_ENV, "").strip()
    if raw.isdigit() and 0 < int(raw) <= 60_000:
        return int(raw) / 1000
    return DEFAULT_WAIT_SECONDS


def ask_app(
    request: dict[str, object],
    *,
    path: str | None = None,
    wait: float | None = None,
    answer_timeout: float = ANSWER_TIMEOUT_SECONDS,
) -> AppAnswer | None:
    """The running app's answer to `request` (`wire.token_request`), or None: read the
    keyring. Never raises for anything the app did or did not do."""
    wait = wait_seconds() if wait is None else wait
    data = wire.encode(request)
    try:
        channel = open_channel(path, wait)
        if channel is None:
            return None
        with channel:
            channel.send(data)
            reader = LineReader(channel)
            if reader.next(time.monotonic() + wait) != {"accepted": True}:
                return None
            return parse_answer(reader.next(time.monotonic() + answer_timeout))
    except (OSError, ValueError):
        return None


class _UnixChannel(Channel):
    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn

    def send(self, data: bytes) -> None:
        self.conn.sendall(data)

    def recv(self, size: int, timeout: float) -> bytes:
        self.conn.settimeout(timeout)
        return self.conn.recv(size)

    def close(self) -> None:
        self.conn.close()


def open_channel(path: str | None, wait: float) -> Channel | None:
    """A connection to this user's app (`path`: its socket, default the usual one), or
    None when none is there to be trusted."""
    if sys.platform == "win32" and path is None:
        from frameio_desktop.core.agent.winpipe import open_pipe
        from frameio_desktop.core.browser.winpipe import current_user_sid

        sid = current_user_sid()
        return open_pipe(wire.pipe_name(sid), wait) if sid else None
    return _open_unix(path or wire.socket_path(), wait)


def _open_unix(path: str, wait: float) -> Channel | None:
    """A connection to the app's socket, if the folder is this user's and private and the
    process listening is this user's."""
    try:
        info = os.lstat(os.path.dirname(path))
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(wait)
        conn.connect(path)
        if wire.peer_uid(conn) != os.getuid():
            conn.close()
            return None
    except OSError:
        conn.close()
        return None
    return _UnixChannel(conn)


class LineReader:
    """Lines of one connection, each read by a deadline."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.buffer = b""

    def next(self, deadline: float) -> dict[str, object]:
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer in time")
            if len(self.buffer) > wire.MAX_LINE_BYTES:
                raise ValueError("answer too long")
            chunk = self.channel.recv(65536, left)
            if not chunk:
                raise ValueError("the connection ended without an answer")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return wire.decode(line)


def parse_answer(message: Mapping[str, object]) -> AppAnswer | None:
    """An answer of the app's (`wire`), or None when it passes or says nothing usable."""
    notice = message.get("notice")
    notice = notice if isinstance(notice, str) else None
    token = message.get("token")
    if isinstance(token, dict):
        fields = [token.get(name) for name in ("access_token", "expires_at", "token_type")]
        scope = token.get("scope")
        if all(isinstance(v, str) and v for v in fields) and isinstance(scope, str | None):
            access, expires, kind = (str(v) for v in fields)
            return AppAnswer(AppToken(access, expires, kind, scope), notice=notice)
        return None
    error = message.get("error")
    if isinstance(error, dict):
        name, text, code = error.get("type"), error.get("message"), error.get("exit_code")
        note = error.get("note")
        if (
            isinstance(name, str)
            and name.isidentifier()
            and isinstance(text, str)
            and isinstance(code, int)
            and 1 <= code <= 125
        ):
            return AppAnswer(
                None,
                error_type=name,
                message=text,
                exit_code=code,
                note=note if isinstance(note, str) else "",
                notice=notice,
            )
    return None


def write_token(fields: Mapping[str, str | None], as_json: bool, out: TextIO) -> None:
    """`frameio-desktop token`'s output, whoever gave the token: the access token on a line,
    or with `--json` the object of `AppToken.to_json`'s fields."""
    if as_json:
        import json

        json.dump(dict(fields), out)
        out.write("\n")
    else:
        out.write(f"{fields['access_token']}\n")


def write_answer(answer: AppAnswer, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Print the app's answer as `frameio-desktop token` prints the keyring's (the notice,
    then the token, or `frameio-desktop: <message>`); the exit status."""
    if answer.notice:
        print(f"frameio-desktop: {answer.notice}", file=err)
    if answer.token is None:
        note = f" {answer.note}" if answer.note else ""
        print(f"frameio-desktop: {answer.message}{note}", file=err)
        return answer.exit_code
    write_token(answer.token.to_json(), as_json, out)
    return 0
