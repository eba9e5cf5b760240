"""A read started early on a thread of its own, taken later: the keyring read at launch
overlaps Qt's start-up instead of following it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Prefetch(Generic[T]):
    """One call of `read` running on a thread of its own; `result()` waits for it and
    returns its value or raises its exception."""

    def __init__(self, read: Callable[[], T]) -> None:
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        threading.Thread(
            target=self._run, args=(read,), name="keyring-prefetch", daemon=True
        ).start()

    def _run(self, read: Callable[[], T]) -> None:
        try:
            self._value = read()
        except BaseException as exc:  # noqa: BLE001 - re-raised by result()
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
