"""Who serves a Windows named pipe, and this user's SID: the checks the sign-in handoff
needs on Windows, where it runs over a named pipe (`gui/local_handoff.py`).

A named pipe's name is global: another user who creates `\\\\.\\pipe\\<name>` first would
block the handoff, or, if the app's second instance talked to it, receive the redirect
(code and state). So the name carries this user's SID, and the second instance sends
nothing until the pipe's server process is known to run as this same user
(`GetNamedPipeServerProcessId`, then that process's token user).

Not run on Windows here: the calls go through a small `PipeApi` that tests replace with a
fake. `Win32PipeApi` is the real one (ctypes).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)


class PipeApi(Protocol):
    def server_process_id(self, handle: int) -> int | None:
        """The process serving the pipe whose client end is `handle`, or None."""
        ...

    def process_user_sid(self, pid: int | None) -> str | None:
        """The string SID of the user a process runs as (None: this process), or None."""
        ...


def current_user_sid(api: PipeApi | None = None) -> str | None:
    return (api or Win32PipeApi()).process_user_sid(None)


def served_by_this_user(handle: int, api: PipeApi | None = None) -> bool:
    """The pipe's server runs as this user. False whenever that cannot be shown."""
    api = api or Win32PipeApi()
    pid = api.server_process_id(handle)
    if pid is None:
        return False
    mine = api.process_user_sid(None)
    theirs = api.process_user_sid(pid)
    if mine is None or theirs != mine:
        log.warning("the sign-in handoff pipe is served by another user")
        return False
    return True


class Win32PipeApi:
    """`PipeApi` with the Win32 calls (kernel32, advapi32) through ctypes."""

    _PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
    _TOKEN_QUERY = 0x0008
    _TOKEN_USER = 1

    def __init__(self) -> None:
        import ctypes

        windll = getattr(ctypes, "WinDLL")  # noqa: B009 - absent off Windows (and for mypy)
        self._ctypes: Any = ctypes
        self._kernel32: Any = windll("kernel32", use_last_error=True)
        self._advapi32: Any = windll("advapi32", use_last_error=True)

    def server_process_id(self, handle: int) -> int | None:
        ctypes = self._ctypes
        pid = ctypes.c_ulong(0)
        ok = self._kernel32.GetNamedPipeServerProcessId(ctypes.c_void_p(handle), ctypes.byref(pid))
        return int(pid.value) if ok else None

    def process_user_sid(self, pid: int | None) -> str | None:
        ctypes = self._ctypes
        k32, adv = self._kernel32, self._advapi32
        k32.GetCurrentProcess.restype = ctypes.c_void_p
        k32.OpenProcess.restype = ctypes.c_void_p
        if pid is None:
            process = k32.GetCurrentProcess()  # a pseudo-handle: not closed
        else:
            process = k32.OpenProcess(self._PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
            if not process:
                return None
        token = ctypes.c_void_p()
        try:
            if not adv.OpenProcessToken(
                ctypes.c_void_p(process), self._TOKEN_QUERY, ctypes.byref(token)
            ):
                return None
            try:
                return self._token_user_sid(token)
            finally:
                k32.CloseHandle(token)
        finally:
            if pid is not None:
                k32.CloseHandle(ctypes.c_void_p(process))

    def _token_user_sid(self, token: Any) -> str | None:
        ctypes = self._ctypes
        adv, k32 = self._advapi32, self._kernel32
        needed = ctypes.c_ulong(0)
        adv.GetTokenInformation(token, self._TOKEN_USER, None, 0, ctypes.byref(needed))
        if not needed.value:
            return None
        buffer = ctypes.create_string_buffer(needed.value)
        if not adv.GetTokenInformation(
            token, self._TOKEN_USER, buffer, needed, ctypes.byref(needed)
        ):
            return None
        # TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first member is the PSID.
        sid = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_void_p))[0]
        text = ctypes.c_wchar_p()
        if not adv.ConvertSidToStringSidW(ctypes.c_void_p(sid), ctypes.byref(text)):
            return None
        try:
            return str(text.value) if text.value else None
        finally:
            k32.LocalFree(text)
