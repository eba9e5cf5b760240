"""The one way to run work off the UI thread.

`TaskRunner.run(fn, on_done, on_error)` runs `fn` on a pool thread and calls exactly one
of the callbacks on the main thread with its result or exception. The worker never
touches a widget; the callbacks do, because they run on the main thread.

Tasks are plain Python objects. The only QObject a worker touches is the runner's relay,
which lives as long as the runner, so no QObject is ever destroyed on a pool thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class Task:
    """One piece of work. `cancel()` drops its result: neither callback will run."""

    id: int
    on_done: Callable[[Any], None] = field(repr=False)
    on_error: Callable[[BaseException], None] = field(repr=False)
    cancelled: bool = False
    finished: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass(frozen=True)
class _Outcome:
    task_id: int
    value: Any = None
    error: BaseException | None = None


class _Relay(QObject):
    """Lives on the main thread; a worker's emit is queued to `_deliver` there."""

    finished = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._task_id = task_id
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            outcome = _Outcome(self._task_id, value=self._fn())
        except BaseException as exc:  # noqa: BLE001 - handed to on_error on the main thread
            outcome = _Outcome(self._task_id, error=exc)
        self._fn = _done  # drop references to the work's closure on this thread
        self._relay.finished.emit(outcome)


def _done() -> None:
    return None


class TaskRunner(QObject):
    """Runs callables on a thread pool and hands results back through a signal."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver)
        self._ids = itertools.count(1)
        self._tasks: dict[int, Task] = {}

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> Task:
        task = Task(next(self._ids), on_done, on_error)
        self._tasks[task.id] = task
        self.pool.start(_Runnable(task.id, fn, self._relay))
        return task

    @Slot(object)
    def _deliver(self, outcome: _Outcome) -> None:
        task = self._tasks.pop(outcome.task_id, None)
        if task is None:
            return
        task.finished = True
        if task.cancelled:
            return
        if outcome.error is not None:
            task.on_error(outcome.error)
        else:
            task.on_done(outcome.value)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until every started task has run (shutdown and tests)."""
        return self.pool.waitForDone(msecs)


def wait_until(predicate: Callable[[], bool], timeout_ms: int) -> bool:
    """Run the event loop until `predicate()` holds or the time is up (checked every
    20 ms). For shutdown, the self-test and scripts; the app itself never blocks on it."""
    if predicate():
        return True
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if predicate() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(timeout_ms)
    poll.start()
    loop.exec()
    poll.stop()
    return predicate()
