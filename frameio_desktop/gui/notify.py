"""Desktop notifications: how the app asks a person who is not looking at its window.

`DesktopNotifier.notify(title, text)` uses the system tray's balloon where a tray exists
(`QSystemTrayIcon.showMessage`), else the freedesktop Notifications service on the session
bus. The window takes any `Notifier`, so tests pass one that records.

The D-Bus call goes through `jeepney` (pure Python, already installed with `keyring` on
Linux) rather than QtDBus: PySide6 6.12 cannot marshal the `UINT32 replaces_id` argument of
`Notify` (a Python int is sent as INT32), and notification daemons built on GDBus refuse a
call whose signature is not exactly `susssasa{sv}i`.
"""

from __future__ import annotations

import logging
import weakref
from typing import Protocol

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

log = logging.getLogger(__name__)

APP_NAME = "Frame.io Desktop"
#: How long the notification stays, where the desktop lets the app choose (ms).
SHOW_FOR_MS = 15_000
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"


class Notifier(Protocol):
    def notify(self, title: str, text: str) -> bool:
        """Show a desktop notification; False if none could be shown."""
        ...


def notify_freedesktop(title: str, text: str, *, timeout: float = 5.0) -> bool:
    """`org.freedesktop.Notifications.Notify` on the session bus; False without one."""
    try:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return False
    address = DBusAddress(NOTIFICATIONS_PATH, bus_name=NOTIFICATIONS, interface=NOTIFICATIONS)
    message = new_method_call(
        address,
        "Notify",
        "susssasa{sv}i",
        (APP_NAME, 0, "dialog-password", title, text, [], {}, SHOW_FOR_MS),
    )
    try:
        with open_dbus_connection(bus="SESSION") as connection:
            reply = connection.send_and_get_reply(message, timeout=timeout)
    except (OSError, KeyError, ValueError, TimeoutError) as exc:
        # No session bus (KeyError: no DBUS_SESSION_BUS_ADDRESS), or nobody answering.
        log.info("no desktop notification service: %s", type(exc).__name__)
        return False
    if reply.header.message_type is MessageType.error:
        log.info("the notification service refused the notification")
        return False
    return True


class DesktopNotifier:
    """The tray's balloon where there is a tray, else the freedesktop service."""

    def __init__(self, parent: QWidget, icon: QIcon | None = None) -> None:
        # A weak reference: the window owns this notifier, and a cycle between the two
        # would leave the window (and its controller's timers) to the cyclic garbage
        # collector, which may run on a worker thread.
        self._parent = weakref.ref(parent)
        self._icon = icon or QIcon()
        self._tray: QSystemTrayIcon | None = None

    def notify(self, title: str, text: str) -> bool:
        parent = self._parent()
        if parent is None:
            return False
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self._icon, parent)
                self._tray.setToolTip(APP_NAME)
                # A click on the balloon brings the window back.
                self._tray.messageClicked.connect(self._raise_window)
            self._tray.show()
            self._tray.showMessage(title, text, self._icon, SHOW_FOR_MS)
            return True
        return notify_freedesktop(title, text)

    def _raise_window(self) -> None:
        parent = self._parent()
        if parent is None:
            return
        window = parent.window()
        window.showNormal()
        window.raise_()
        window.activateWindow()
