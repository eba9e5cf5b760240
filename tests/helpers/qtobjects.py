"""Ending Qt objects a test made, on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent

from frameio_desktop.gui.controller import SignInController


def dispose(controller: SignInController) -> None:
    """Delete the controller (and its running timer) here, on the GUI thread. Left to
    Python's cycle collector, it may be destroyed on whatever thread collects, and Qt
    then stops its timer from the wrong thread (a warning, then a crash)."""
    controller.keeper.timer.stop()
    controller.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
