"""Where the running app's token service listens, and what is said on it.

The socket is `token.sock` in the app's per-user runtime folder, the folder of the sign-in
handoff (`core/browser/handoff.py`): a folder of this user's with mode 0700, the socket
0600, and each side checks the other's user id. On Windows it is a named pipe of this
user's, `\\\\.\\pipe\\frameio-desktop-token-<user's SID>` (`winpipe.py`).

A script sends one line of JSON, a request:

    {"v": 1, "op": "token", "min_ttl": 60, "flags": {...}, "environ": {...},
     "config_location": {...}, "cwd": "..."}

`flags`, `environ` (the FRAMEIO_* variables and CLIENT_ID, never a secret) and `cwd` (for
its `.env`) are what the script's settings are made of: the app resolves them with the same
`load_settings` and answers only when they name exactly the sign-in it holds (provider,
client ID, profile, issuer and endpoints). It answers at once with `{"accepted": true}`,
then with one of

    {"token": {"access_token", "expires_at", "token_type", "scope"}, "notice": ...}
    {"error": {"type": "SessionExpiredError", "message": "...", "exit_code": 4}, ...}
    {"pass": "<why>"}          (not this sign-in's app: read the keyring instead)

This module and `client.py` import only the standard library: they run at every
`frameio-desktop token` and `get_token()`, which must stay cheap while the app runs, and
never import requests, keyring or cryptography.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys

# Not `from typing import TYPE_CHECKING`: importing typing would cost every `token` call.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: `core.settings.APP_NAME` (a test holds them equal; importing settings costs ~20 ms).
APP_NAME = "frameio-desktop"
SOCKET_NAME = "token.sock"
VERSION = 1
#: A request is a few hundred bytes; an answer holds tokens of at most 16 KiB.
MAX_LINE_BYTES = 64 * 1024
#: The settings a command-line flag can give (`cli`'s settings flags; a test holds them
#: equal): they travel with the request, as the flags would have been read.
SETTING_FLAGS = (
    "provider",
    "issuer",
    "client_id",
    "redirect_uri",
    "scopes",
    "authorize_url",
    "token_url",
    "account_url",
    "revoke_url",
    "profile",
    "account_id",
)
#: Where the settings file is depends on these; the app answers only a script that has
#: the same values (otherwise the two would read different settings files).
CONFIG_LOCATION_VARIABLES = ("XDG_CONFIG_HOME", "HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE")


def settings_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables `load_settings` reads (FRAMEIO_*, and the `.env` name CLIENT_ID),
    without any secret: the app does not need the script's client secret to tell which
    sign-in it means."""
    return {
        name: value
        for name, value in environ.items()
        if (name.startswith("FRAMEIO_") or name == "CLIENT_ID") and "SECRET" not in name
    }


def token_request(
    min_ttl: float,
    flags: Mapping[str, str | None] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> dict[str, object]:
    """The request for a token valid for `min_ttl` seconds under the settings that `flags`,
    `environ` and the `.env` in `cwd` give (the process's own by default)."""
    environ = os.environ if environ is None else environ
    return {
        "v": VERSION,
        "op": "token",
        "min_ttl": min_ttl,
        "flags": {
            name: value for name, value in (flags or {}).items() if value and name in SETTING_FLAGS
        },
        "environ": settings_environment(environ),
        "config_location": {name: environ.get(name) for name in CONFIG_LOCATION_VARIABLES},
        "cwd": cwd or os.getcwd(),
    }


def encode(message: dict[str, object]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict[str, object]:
    """One message; ValueError for anything that is not a JSON object of bounded size."""
    if len(line) > MAX_LINE_BYTES:
        raise ValueError("message too long")
    data = json.loads(line.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def runtime_folder() -> str:
    """The app's per-user runtime folder (`handoff.runtime_folder()`'s), not created.

    Where `$XDG_RUNTIME_DIR` names it, without importing platformdirs (a few ms at every
    `token`). Whether the folder may be used is checked where it is used."""
    base = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if base and sys.platform not in ("win32", "darwin"):
        return os.path.join(base, APP_NAME)
    import warnings

    import platformdirs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return platformdirs.user_runtime_dir(APP_NAME, appauthor=False)


def socket_path() -> str:
    return os.path.join(runtime_folder(), SOCKET_NAME)


def pipe_name(sid: str) -> str:
    """The Windows named pipe of the app of the user with this SID (a pipe's name is
    global: another user's app has its own)."""
    return rf"\\.\pipe\{APP_NAME}-token-{sid}"


def peer_uid(conn: socket.socket) -> int | None:
    """The user id of the process at the other end of a Unix socket, or None if this
    system cannot tell."""
    if hasattr(socket, "SO_PEERCRED"):  # Linux: struct ucred {pid_t; uid_t; gid_t}
        raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("iII"))
        return int(struct.unpack("iII", raw)[1])
    if sys.platform == "darwin" or "bsd" in sys.platform:
        # SOL_LOCAL = 0, LOCAL_PEERCRED = 1: struct xucred {u_int version; uid_t uid; ...}
        raw = conn.getsockopt(0, 1, struct.calcsize("IIh16I"))
        return int(struct.unpack_from("II", raw)[1])
    return None


class Channel:
    """A connection to the app: `send` all, `recv` with a deadline (b"" at its end)."""

    def send(self, data: bytes) -> None:
        raise NotImplementedError

    def recv(self, size: int, timeout: float) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Channel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
