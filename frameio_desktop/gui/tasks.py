"""The one way to run work off the UI thread.

`TaskRunner.run(fn, on_done, on_error)` runs `fn` on a pool thread and calls exactly one
of the callbacks on the main thread with its result or exception. The worker never
touches a widget; the callbacks do, because they run on the main thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None


class Task(QObject):
    """One piece of work. `cancel()` drops its result: neither callback will run."""

    _finished = Signal(object)

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        release: Callable[[Task], None],
    ) -> None:
        super().__init__()
        self._release = release
        self._fn = fn
        self._on_done = on_done
        self._on_error = on_error
        self.cancelled = False
        self.finished = False
        # Emitted from the pool thread; this object lives on the main thread, so Qt
        # queues the call to `_deliver` onto the main thread.
        self._finished.connect(self._deliver)

    def cancel(self) -> None:
        self.cancelled = True

    def _work(self) -> None:
        try:
            outcome = _Outcome(value=self._fn())
        except BaseException as exc:  # noqa: BLE001 - handed to on_error on the main thread
            outcome = _Outcome(error=exc)
        self._finished.emit(outcome)

    @Slot(object)
    def _deliver(self, outcome: _Outcome) -> None:
        self.finished = True
        self._release(self)
        if not self.cancelled:
            if outcome.error is not None:
                self._on_error(outcome.error)
            else:
                self._on_done(outcome.value)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._work()


class TaskRunner(QObject):
    """Runs callables on a thread pool and hands results back through signals."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        # Python owns the tasks; they stay referenced here until their result is delivered.
        self._tasks: set[Task] = set()

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> Task:
        task = Task(fn, on_done, on_error, self._tasks.discard)
        self._tasks.add(task)
        self.pool.start(_Runnable(task))
        return task

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until every started task has run (shutdown and tests)."""
        return self.pool.waitForDone(msecs)
