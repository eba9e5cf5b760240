"""Ctrl-C and SIGTERM held back while a step that must not be cut short runs.

A refresh that has reached the server must finish and be saved: refresh tokens rotate, so
the server has spent the old one, and a new one lost on the way to the keyring signs the
person out. `signals_deferred()` notes SIGINT and SIGTERM instead of acting on them, and
acts on them (in order) once the step is done. Signals reach only the main thread, so on
any other thread it does nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

#: The signals a person or a service manager uses to stop a process.
STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_deferred(notice: str | None = None) -> Iterator[None]:
    """Run the body to its end even if SIGINT or SIGTERM arrives; then the signal takes
    effect as it would have (a KeyboardInterrupt, or the process ends). `notice` is written
    to stderr when a signal is held back, so the person knows why nothing happens yet."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        if not received and notice:
            with contextlib.suppress(OSError):
                os.write(2, f"\n{notice}\n".encode())
        received.append(signum)

    previous: dict[int, signal.Handlers | object] = {}
    for stopping in STOPPING_SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            previous[stopping] = signal.signal(stopping, hold)
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)  # type: ignore[arg-type]
        for held in dict.fromkeys(received):
            signal.raise_signal(held)
