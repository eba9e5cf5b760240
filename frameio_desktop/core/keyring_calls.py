"""Keyring calls that are never cut off by the process's exit.

A call to the keyring on a daemon thread (the window's early read, the token service
answering a script) would end with the interpreter, its request unanswered. A Secret
Service left so can abort: gnome-keyring-daemon does (its property getter finds no client
and GLib's invoke_get_property_in_idle_cb asserts), which locks the person's keyring until
they unlock it again. So each call is counted while it runs, and the interpreter's exit
waits for the running ones (a bounded time: a call waiting on an unlock prompt is let go).
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Iterator

#: How long the interpreter's exit waits for keyring calls still running on other threads.
EXIT_WAIT_SECONDS = 5.0

_calls = threading.Condition()
_running = 0


@contextlib.contextmanager
def keyring_call() -> Iterator[None]:
    """One call to the keyring, counted while it runs."""
    global _running
    with _calls:
        _running += 1
    try:
        yield
    finally:
        with _calls:
            _running -= 1
            _calls.notify_all()


def finish_keyring_calls(timeout: float = EXIT_WAIT_SECONDS) -> bool:
    """Wait until no keyring call runs on any thread; False if one still runs after
    `timeout` seconds."""
    with _calls:
        return _calls.wait_for(lambda: _running == 0, timeout)


atexit.register(finish_keyring_calls)
