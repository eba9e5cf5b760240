"""Python's cyclic collector runs on the UI thread only (gui/ui_thread_gc.py): a Qt object
left in a reference cycle and collected on a worker thread crashed the whole test run
(a segfault in the event loop, e2e test_system_browser.py in CI)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from frameio_desktop.gui.app import make_application
from frameio_desktop.gui.ui_thread_gc import collect_on_ui_thread


class _Cycle(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.me = self


def test_cyclic_garbage_is_collected_on_the_ui_thread_only(qtbot, qapp) -> None:
    collector = collect_on_ui_thread()
    assert collector is not None
    assert collect_on_ui_thread() is collector  # once per application
    assert make_application() is qapp
    assert collect_on_ui_thread() is collector
    assert not gc.isenabled()
    threads: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.get_ident())

    garbage = _Cycle()
    freed = weakref.ref(garbage)
    del garbage

    def allocate() -> None:
        # Far more new objects in cycles than the youngest generation holds: the
        # automatic collector would run here, on this thread, several times over.
        for _ in range(20 * gc.get_threshold()[0]):
            box: list[object] = []
            box.append(box)

    gc.callbacks.append(note)
    try:
        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join()
        assert threads == []
        assert freed() is not None
        qtbot.waitUntil(lambda: bool(threads), timeout=5_000)
        assert set(threads) == {threading.get_ident()}
        for _ in range(3):
            gc.collect(2)  # as the collector's tick does, once the old generation is full
        assert freed() is None
    finally:
        gc.callbacks.remove(note)


def test_switching_the_collector_back_on_does_not_last(qtbot) -> None:
    collector = collect_on_ui_thread()
    assert collector is not None
    gc.enable()
    qtbot.waitUntil(lambda: not gc.isenabled(), timeout=5_000)
