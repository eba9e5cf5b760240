"""The script's end of the token service on Windows: this user's named pipe.

The app makes the pipe with Qt's `UserAccessOption` (a DACL for this user only), named
with this user's SID, like the sign-in handoff's. A named pipe has no peer credentials to
read as a Unix socket has, so the client checks the other way round too, with the
handoff's check (`core/browser/winpipe.py`: the pipe's server process and its token's
user): unless the app runs as this same user, nothing is sent.

`Win32Pipes` is the one part that reads and writes through Windows (ctypes, kernel32);
the rest is tested on any system with fakes of it and of the owner check. Only the
standard library and that check are imported, and only on Windows.
"""

from __future__ import annotations

import sys
import time

from frameio_desktop.core.agent.wire import Channel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    from frameio_desktop.core.browser.winpipe import PipeApi

    class Pipes(Protocol):
        """The Windows calls the client makes, as `Win32Pipes` makes them."""

        def open(self, name: str, wait: float) -> int | None: ...
        def write(self, handle: int, data: bytes) -> None: ...
        def available(self, handle: int) -> int: ...
        def read(self, handle: int, size: int) -> bytes: ...
        def close(self, handle: int) -> None: ...


#: How often a waiting read looks for bytes: a blocking read of a pipe cannot time out.
POLL_SECONDS = 0.001


class PipeChannel(Channel):
    def __init__(self, pipes: Pipes, handle: int) -> None:
        self.pipes = pipes
        self.handle = handle

    def send(self, data: bytes) -> None:
        self.pipes.write(self.handle, data)

    def recv(self, size: int, timeout: float) -> bytes:
        """Up to `size` bytes; b"" once the app closed its end (`OSError` from the calls:
        a broken pipe); `TimeoutError` when nothing came in time."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                ready = self.pipes.available(self.handle)
            except BrokenPipeError:
                return b""
            if ready:
                return self.pipes.read(self.handle, min(size, ready))
            if time.monotonic() >= deadline:
                raise TimeoutError("no answer in time")
            time.sleep(POLL_SECONDS)

    def close(self) -> None:
        self.pipes.close(self.handle)


def open_pipe(
    name: str, wait: float, pipes: Pipes | None = None, owners: PipeApi | None = None
) -> Channel | None:
    """A connection to the pipe `name`, if it is there and served by a process of this
    user's (`owners`: the handoff's owner check, faked in tests); else None."""
    from frameio_desktop.core.browser.winpipe import served_by_this_user

    pipes = pipes or Win32Pipes()
    handle = pipes.open(name, wait)
    if handle is None:
        return None
    try:
        if not served_by_this_user(handle, owners):
            pipes.close(handle)
            return None
    except OSError:
        pipes.close(handle)
        return None
    return PipeChannel(pipes, handle)


class Win32Pipes:
    """The calls, through ctypes. Raises `OSError` with Windows' error for a failed one."""

    # ctypes' Windows parts, typed loosely: mypy checks this file on every system.
    _ctypes: Any
    _w: Any
    _kernel32: Any

    def __init__(self) -> None:
        if sys.platform != "win32":
            raise OSError("named pipes are Windows'")
        import ctypes
        from ctypes import wintypes

        self._ctypes = ctypes
        self._w = wintypes
        self._kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)

    def _fail(self) -> OSError:
        code = self._ctypes.get_last_error()
        if code in (109, 232):  # ERROR_BROKEN_PIPE, ERROR_NO_DATA: the app closed its end
            return BrokenPipeError(code, "the pipe was closed")
        error: OSError = self._ctypes.WinError(code)
        return error

    def open(self, name: str, wait: float) -> int | None:
        generic_read_write, open_existing, invalid = 0xC0000000, 3, -1
        k = self._kernel32
        k.CreateFileW.restype = self._w.HANDLE
        for _attempt in range(2):
            handle = k.CreateFileW(name, generic_read_write, 0, None, open_existing, 0, None)
            if handle not in (None, invalid, self._w.HANDLE(invalid).value):
                return int(handle)
            if self._ctypes.get_last_error() != 231:  # ERROR_PIPE_BUSY: wait once for it
                return None
            if not k.WaitNamedPipeW(name, max(1, int(wait * 1000))):
                return None
        return None

    def write(self, handle: int, data: bytes) -> None:
        written = self._w.DWORD()
        ok = self._kernel32.WriteFile(
            self._w.HANDLE(handle), data, len(data), self._ctypes.byref(written), None
        )
        if not ok or written.value != len(data):
            raise self._fail()

    def available(self, handle: int) -> int:
        ready = self._w.DWORD()
        ok = self._kernel32.PeekNamedPipe(
            self._w.HANDLE(handle), None, 0, None, self._ctypes.byref(ready), None
        )
        if not ok:
            raise self._fail()
        return int(ready.value)

    def read(self, handle: int, size: int) -> bytes:
        buffer = self._ctypes.create_string_buffer(size)
        got = self._w.DWORD()
        ok = self._kernel32.ReadFile(
            self._w.HANDLE(handle), buffer, size, self._ctypes.byref(got), None
        )
        if not ok:
            raise self._fail()
        return bytes(buffer.raw[: got.value])

    def close(self, handle: int) -> None:
        self._kernel32.CloseHandle(self._w.HANDLE(handle))
