"""The sign-in window's own process: start it, talk to it, stop it. No Qt here, so the
composition root can start one before Qt is imported.

The window process never loads QtWebEngine. The sign-in web view runs in a short-lived
child, the same executable started with `--sign-in-window`, which hands the caught
redirect back and exits, so Chromium's browser side (~250 MiB that no Qt API can release)
is gone once the person is signed in.

The two talk in JSON objects, one per line. The parent writes commands to the child's
stdin:

    {"cmd": "open", "authorize_url": ..., "redirect_uri": ..., "geometry": [x, y, w, h],
     "parent_window": <native id or null>, "verbose": false}
    {"cmd": "raise"}                  bring the sign-in window to the front
    {"cmd": "script", "source": ..., "id": N}  run JavaScript in the page (the self-test's
                                      autofill); with an id, its result comes back
    {"cmd": "close"}

and the child writes events to its stdout:

    {"event": "ready"}                Qt is up, waiting for "open"
    {"event": "loaded", "ok": true}   a page finished loading
    {"event": "redirect", "url": ...} the caught redirect: the only message with a code
    {"event": "cancel"}               the person cancelled or closed the window
    {"event": "failed", "message": ...}
    {"event": "result", "id": N, "value": ...}  a script's result

The parent adds {"event": "exit", "code": N} when the child's stdout closes. The end of
the child's stdin means the parent is gone: the child closes its window and exits. Pipes
are private to the two processes; nothing here is logged or written to disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

log = logging.getLogger(__name__)

#: The command-line switch that turns the executable into the sign-in window.
SWITCH = "--sign-in-window"

Event = dict[str, Any]
Listener = Callable[[Event], None]


def child_command() -> list[str]:
    """This same program, in sign-in-window mode (frozen or from source)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, SWITCH]
    return [sys.executable, "-m", "frameio_desktop", SWITCH]


class SignInProcess:
    """One sign-in window process. Events arriving before `listen()` are kept and
    delivered, in order, when a listener is set; the listener runs on the reader thread
    and must only hand the event over (a queued Qt signal does)."""

    def __init__(self, command: list[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._listener: Listener | None = None
        self._backlog: list[Event] = []
        self.exit_code: int | None = None
        self._proc = subprocess.Popen(  # noqa: S603 - our own executable, no shell
            command or child_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._exited = threading.Event()
        self._reader = threading.Thread(
            target=self._read, name="sign-in-window-reader", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def running(self) -> bool:
        return not self._exited.is_set()

    def listen(self, listener: Listener | None) -> None:
        """Set (or, with None, drop) the listener. After `listen(None)` returns, the
        listener is never called again."""
        with self._lock:
            self._listener = listener
            if listener is not None:
                backlog, self._backlog = self._backlog, []
                for event in backlog:
                    listener(event)

    def send(self, command: Event) -> bool:
        """Write one command; False if the child is gone."""
        stdin = self._proc.stdin
        if stdin is None or stdin.closed:
            return False
        try:
            stdin.write(json.dumps(command) + "\n")
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def close(self) -> None:
        """Ask the child to close its window and exit; does not wait."""
        self.send({"cmd": "close"})
        stdin = self._proc.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()

    def wait(self, timeout: float = 10.0) -> int | None:
        """Wait for the child to exit; kill it if it has not after `timeout` seconds."""
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the sign-in window did not exit; stopping it")
            self._proc.kill()
            self._proc.wait(5)
        self._exited.wait(5)
        return self._proc.returncode

    def _deliver(self, event: Event) -> None:
        with self._lock:
            if self._listener is None:
                self._backlog.append(event)
                return
            try:
                self._listener(event)
            except Exception:
                log.debug("the sign-in window's listener failed", exc_info=True)

    def _read(self) -> None:
        stdout: IO[str] | None = self._proc.stdout
        assert stdout is not None
        for line in stdout:
            try:
                event = json.loads(line)
            except ValueError:
                log.warning("ignored a malformed line from the sign-in window")
                continue
            if isinstance(event, dict) and isinstance(event.get("event"), str):
                self._deliver(event)
        code = self._proc.wait()
        self.exit_code = code
        self._deliver({"event": "exit", "code": code})
        self._exited.set()


class ProcessFactory:
    """Makes sign-in window processes for the child-process host. One can be started
    ahead (`prestart`), before the caller imports Qt, so its start-up overlaps the
    window's: the `login` command knows it will need one at once."""

    def __init__(self, command: list[str] | None = None) -> None:
        self._command = command
        self._spare: SignInProcess | None = None

    def prestart(self) -> None:
        if self._spare is None:
            self._spare = SignInProcess(self._command)

    def __call__(self) -> SignInProcess:
        """The prestarted process if it is still alive, else a new one."""
        spare, self._spare = self._spare, None
        if spare is not None and spare.running:
            return spare
        return SignInProcess(self._command)
