"""Waiting for a refresh another process is making: a time budget for the whole wait, and
the failure the refreshing process leaves for those that waited.

Many `token` calls at once refresh once: the first takes the cross-process lock and asks
the server, the rest wait for the lock. When the server is down or stalled, the first one
fails after its deadline; the ones that waited then end with its failure
(`FailureNote.since`) instead of each asking the dead server again in turn.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path

from frameio_desktop.core.errors import RefreshFailedElsewhereError, TransportError
from frameio_desktop.core.http import HttpClient

log = logging.getLogger(__name__)


class Budget:
    """The time one call may take (None: no limit beyond each step's own)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._ends = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        if self._ends is None:
            return None
        return max(0.0, self._ends - time.monotonic())

    def http(self, http: HttpClient) -> HttpClient:
        """`http`, its requests ending by the budget's end at the latest."""
        left = self.remaining()
        return http if left is None else http.within(left)

    def shortens(self, http: HttpClient) -> bool:
        """The budget ends a request sooner than the client's own deadline would."""
        left = self.remaining()
        return left is not None and left < http.deadline


class FailureNote:
    """The last refresh failure of one sign-in, in a small file beside its lock: when it
    happened and what the person was told (never a token)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, problem: TransportError) -> None:
        note = {"at": time.time(), "message": problem.user_message}
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        try:
            temporary.write_text(json.dumps(note), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            log.debug("could not leave the refresh failure for waiting processes: %s", exc)
            with contextlib.suppress(OSError):
                temporary.unlink()

    def since(self, moment: float) -> RefreshFailedElsewhereError | None:
        """The failure of a refresh that ended at or after `moment` (wall-clock seconds,
        compared across processes), if there was one."""
        try:
            note = json.loads(self.path.read_text(encoding="utf-8"))
            at, message = float(note["at"]), str(note["message"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return RefreshFailedElsewhereError(message) if at >= moment else None
