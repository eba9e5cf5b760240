"""Hand a custom-scheme redirect from a second instance to the running one.

When the browser follows `adobe+<hash>://adobeid/<client>?code=...&state=...`, the
operating system starts the app again with that URL as its argument. That second
instance connects to the first one's socket, sends the URL, and exits.

The socket is a Unix socket in the per-user runtime folder (`$XDG_RUNTIME_DIR`, or what
platformdirs falls back to), which must be a directory of this user's with mode 0700;
the socket file itself is 0600. Each side also checks the other's user id (Linux
`SO_PEERCRED`; macOS and the BSDs `LOCAL_PEERCRED`, what their `getpeereid()` reads).
Where neither is available, connections are refused.

A message is one redirect URL of at most `MAX_MESSAGE_BYTES` of UTF-8, without control
characters; the answer is one line, `ok` or `refused: <reason>`. The server accepts
nothing else, and only while a sign-in is waiting (its `deliver` callback decides); every
refusal leaves it running. One connection is served at a time, each with a short
timeout, so a client that sends nothing cannot hold it for long.

Windows has no Unix sockets in Python's standard library: there the window uses
`QLocalServer` (a named pipe) instead, in `gui/local_handoff.py`, with the same rules.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import selectors
import socket
import stat
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from frameio_desktop.core.agent.wire import peer_uid
from frameio_desktop.core.browser.errors import (
    HandoffError,
    HandoffRefusedError,
    NoRunningInstanceError,
    RuntimeFolderError,
)
from frameio_desktop.core.settings import APP_NAME

log = logging.getLogger(__name__)

#: A redirect URL with a code and state is a few hundred bytes; this leaves room.
MAX_MESSAGE_BYTES = 8 * 1024
#: How long one connection may take to send its whole message.
CONNECTION_TIMEOUT_SECONDS = 2.0
SOCKET_NAME = "sign-in.sock"
# Unix socket paths are short (108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100

#: Called with a URL that passed the checks here; returns None to accept it, or the
#: reason it is refused (no sign-in waiting, not this sign-in's answer).
Deliver = Callable[[str], str | None]


def available() -> bool:
    return hasattr(socket, "AF_UNIX")


def runtime_folder() -> Path:
    """The per-user runtime folder of the app, created private if it is missing."""
    import platformdirs

    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR platformdirs warns and falls back to /tmp/runtime-<uid>,
        # which `ensure_private_folder` then checks like any other.
        warnings.simplefilter("ignore")
        folder = Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))
    return ensure_private_folder(folder)


def default_socket_path() -> Path:
    return runtime_folder() / SOCKET_NAME


def ensure_private_folder(folder: Path) -> Path:
    """Create `folder` with mode 0700, or check an existing one is this user's and private.

    A folder of another user is refused: whoever owns it could put their own socket there
    and receive the sign-in code. One of ours that is too open is tightened."""
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        raise RuntimeFolderError(
            f"The app cannot create its runtime folder {folder}: {exc}"
        ) from exc
    if not stat.S_ISDIR(info.st_mode):
        raise RuntimeFolderError(f"{folder} is not a folder; the app will not use it.")
    if info.st_uid != os.getuid():
        raise RuntimeFolderError(
            f"The runtime folder {folder} belongs to another user; the app will not use it."
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        folder.chmod(0o700)
    return folder


def check_message(data: bytes) -> str:
    """The URL in a message, or ValueError saying why the message is refused."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError("message too long")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    url = text.removesuffix("\n")
    if not url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ValueError("not a single line of text")
    parts = urlsplit(url)
    if not parts.scheme or not url.lower().startswith(parts.scheme.lower() + ":"):
        raise ValueError("not a URL")
    return url


def refusal_for(data: bytes, deliver: Deliver) -> str | None:
    """What a server answers a message: None to accept it (`ok`), else why it is refused
    (`check_message`'s reason, or the `deliver` callback's)."""
    try:
        url = check_message(data)
    except ValueError as exc:
        return str(exc)
    return deliver(url)


class HandoffServer:
    """The running app's end: serves until `close()`, on a thread of its own."""

    def __init__(self, deliver: Deliver, path: Path | None = None) -> None:
        self._deliver = deliver
        self._path = path
        self._listener: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread: threading.Thread | None = None
        #: What was refused, for logs and tests: (reason, peer uid or None).
        self.refusals: list[str] = []

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = default_socket_path()
        return self._path

    def start(self) -> HandoffServer:
        """Listen. Raises `HandoffError` when another instance already does."""
        if not available():
            raise HandoffError("This system has no Unix sockets for the sign-in handoff.")
        path = self.path
        ensure_private_folder(path.parent)
        if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
            raise HandoffError(f"The handoff socket path {path} is too long.")
        if path.exists() or path.is_symlink():
            if _someone_listens(path):
                raise HandoffError("Another frameio-desktop window already receives sign-ins.")
            path.unlink()  # left behind by an instance that did not exit cleanly
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            old_umask = os.umask(0o177)
            try:
                listener.bind(os.fspath(path))
            finally:
                os.umask(old_umask)
            listener.listen(8)
        except OSError as exc:
            listener.close()
            if exc.errno == errno.EADDRINUSE:
                raise HandoffError(
                    "Another frameio-desktop window already receives sign-ins."
                ) from exc
            raise HandoffError(f"The app cannot listen on {path}: {exc}") from exc
        self._listener = listener
        self._thread = threading.Thread(target=self._serve, name="sign-in-handoff", daemon=True)
        self._thread.start()
        log.debug("handoff socket at %s", path)
        return self

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=CONNECTION_TIMEOUT_SECONDS + 5)
        listener.close()
        self._wake_r.close()
        self._wake_w.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> HandoffServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving -----------------------------------------------------------------------------

    def _serve(self) -> None:
        listener = self._listener
        assert listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake_r in ready:
                    return
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                with conn:
                    try:
                        self._serve_one(conn)
                    except Exception:
                        log.warning("handoff connection failed", exc_info=True)

    def _serve_one(self, conn: socket.socket) -> None:
        conn.settimeout(CONNECTION_TIMEOUT_SECONDS)
        uid = peer_uid(conn)
        if uid is None or uid != os.getuid():
            self._refuse(conn, "another user")
            return
        data = b""
        # One deadline for the whole message, not per read: a client sending a byte at a
        # time would otherwise hold the (only) connection for hours.
        deadline = time.monotonic() + CONNECTION_TIMEOUT_SECONDS
        try:
            while len(data) <= MAX_MESSAGE_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                conn.settimeout(left)
                chunk = conn.recv(MAX_MESSAGE_BYTES + 1 - len(data))
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            conn.settimeout(CONNECTION_TIMEOUT_SECONDS)  # for the answer
            self._refuse(conn, "incomplete message")
            return
        reason = refusal_for(data, self._deliver)
        if reason is not None:
            self._refuse(conn, reason)
            return
        _send_line(conn, "ok")

    def _refuse(self, conn: socket.socket, reason: str) -> None:
        self.refusals.append(reason)
        log.warning("refused a sign-in handoff: %s", reason)
        _send_line(conn, f"refused: {reason}")


def _send_line(conn: socket.socket, line: str) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(line.encode() + b"\n")
        conn.shutdown(socket.SHUT_WR)
        # Closing on unread bytes (an oversized message) would reset the connection, and
        # the client could lose the answer: read a bounded amount more first, for a
        # bounded time.
        left = 8 * MAX_MESSAGE_BYTES
        deadline = time.monotonic() + CONNECTION_TIMEOUT_SECONDS
        while left > 0 and (remaining := deadline - time.monotonic()) > 0:
            conn.settimeout(remaining)
            chunk = conn.recv(min(left, 65536))
            if not chunk:
                break
            left -= len(chunk)


def _someone_listens(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(os.fspath(path))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def hand_over(url: str, path: Path | None = None, *, timeout: float = 10.0) -> None:
    """The second instance's end: give `url` to the running app.

    Raises `NoRunningInstanceError` when nothing listens, `HandoffRefusedError` with the
    running app's reason when it says no, `HandoffError` for anything else."""
    if not available():
        raise HandoffError("This system has no Unix sockets for the sign-in handoff.")
    path = path or default_socket_path()
    ensure_private_folder(path.parent)
    data = url.encode("utf-8")
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    with conn:
        try:
            conn.connect(os.fspath(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise NoRunningInstanceError() from exc
        except OSError as exc:
            raise HandoffError(f"The app cannot reach the running one: {exc}") from exc
        uid = peer_uid(conn)
        if uid is None or uid != os.getuid():
            raise HandoffError("The handoff socket belongs to another user; nothing was sent.")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while len(answer) < 1024 and (chunk := conn.recv(1024)):
                answer += chunk
        except OSError as exc:
            raise HandoffError(f"The running app did not answer: {exc}") from exc
    line = answer.decode("utf-8", "replace").strip()
    if line == "ok":
        return
    if line.startswith("refused: "):
        raise HandoffRefusedError(line.removeprefix("refused: "))
    raise HandoffError("The running app did not answer.")
