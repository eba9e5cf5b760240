"""Python's cyclic garbage collector on the UI thread only.

The collector runs on whichever thread happens to allocate when a generation fills up: a
pool worker, the loopback listener, a server thread. If the garbage it finds holds a Qt
object (a window, a timer, a relay left in a reference cycle), that object is destroyed on
that thread, while the UI thread's event loop may still deliver to it: Qt warns "Timers
cannot be stopped from another thread", then the process crashes (a segfault inside the
event loop). Breaking every cycle by hand cannot be proven complete, so in a Qt process
the automatic collector is switched off and a timer on the UI thread runs it instead,
with the same generation thresholds (as pyqtgraph's `GarbageCollector` does). Objects
without cycles are still freed at once by reference counting, on whichever thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the UI thread looks at the collector's counts.
INTERVAL_MS = 200

_NAME = "frameio-ui-thread-gc"


class UiThreadCollector(QObject):
    """Runs `gc.collect(generation)` from the UI thread when the counts say so."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName(_NAME)
        self.threshold = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        gc.disable()

    def check(self) -> None:
        """Collect what the automatic collector would have collected by now."""
        if gc.isenabled():  # someone switched it back on: it must stay off
            gc.disable()
        counts = gc.get_count()
        generation = -1
        for level in range(3):
            if counts[level] > self.threshold[level]:
                generation = level
            else:
                break
        if generation >= 0:
            gc.collect(generation)


def collect_on_ui_thread() -> UiThreadCollector | None:
    """Install the collector on the running application (once); None without one."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    existing = app.findChild(QObject, _NAME)
    if isinstance(existing, UiThreadCollector):
        return existing
    return UiThreadCollector(app)
