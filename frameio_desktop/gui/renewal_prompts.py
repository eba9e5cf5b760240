"""Telling a person who is not looking that their sign-in must be renewed by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QObject

from frameio_desktop.core.tokens import TokenSet
from frameio_desktop.gui.notify import Notifier

#: A sign-in that needs the person is announced this long before it ends, if the window is
#: not in front.
NOTIFY_WITHIN = timedelta(minutes=10)


class RenewalPrompts(QObject):
    """One desktop notification per sign-in, in its last minutes, if the window is away."""

    def __init__(self, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier
        #: The sign-in (its expiry) a notification was shown for: one per sign-in.
        self._notified_for: datetime | None = None

    def check(self, tokens: TokenSet, now: datetime, *, window_in_front: bool) -> None:
        """Call once a second while the sign-in needs the person."""
        if window_in_front:
            return
        left = tokens.expires_at - now
        if left > NOTIFY_WITHIN or left.total_seconds() <= 0:
            return
        if self._notified_for == tokens.expires_at:
            return
        self._notified_for = tokens.expires_at
        local = tokens.expires_at.astimezone().strftime("%H:%M")
        self.notifier.notify(
            "Sign in to Frame.io again",
            f"Your sign-in ends at {local}. Open Frame.io Desktop and choose Sign in again.",
        )
